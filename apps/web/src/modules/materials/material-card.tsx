import {
  FileImageOutlined,
  FilePdfOutlined,
  FileTextOutlined,
  LinkOutlined,
  PlayCircleOutlined,
  WechatOutlined,
} from '@ant-design/icons';
import { Card, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { coverOf, type Material, type MaterialKind } from './materials-api';

const ICON: Record<MaterialKind, ReactNode> = {
  article: <FileTextOutlined />,
  poster: <FileImageOutlined />,
  pdf: <FilePdfOutlined />,
  video: <PlayCircleOutlined />,
  miniprogram: <WechatOutlined />,
  link: <LinkOutlined />,
};
const TINT: Record<MaterialKind, string> = {
  article: '#e6f4ff',
  poster: '#fff7e6',
  pdf: '#fff1f0',
  video: '#f9f0ff',
  miniprogram: '#f6ffed',
  link: '#f0f5ff',
};

/** One material in the grid: cover (or its kind on a tint), title, kind and where it comes from. */
export function MaterialCard({
  m,
  actions,
  onClick,
}: {
  m: Material;
  actions?: ReactNode[];
  onClick?: () => void;
}) {
  const { t } = useTranslation();
  const cover = coverOf(m);
  return (
    <Card
      hoverable={!!onClick}
      onClick={onClick}
      size="small"
      data-testid="material-card"
      actions={actions}
      cover={
        cover ? (
          <img alt="" src={cover} style={{ height: 140, objectFit: 'cover' }} loading="lazy" />
        ) : (
          <div
            aria-hidden
            style={{
              height: 140,
              background: TINT[m.kind],
              display: 'grid',
              placeItems: 'center',
              fontSize: 40,
              color: '#1677ff',
            }}
          >
            {ICON[m.kind]}
          </div>
        )
      }
    >
      <Typography.Paragraph strong ellipsis={{ rows: 2 }} style={{ marginBottom: 4, minHeight: 44 }}>
        {m.title}
      </Typography.Paragraph>
      <div>
        <Tag icon={ICON[m.kind]}>{t(`materials.kinds.${m.kind}`)}</Tag>
        {m.category && <Tag>{m.category}</Tag>}
      </div>
      {!m.editable && m.unitName && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('materials.readOnly', { unit: m.unitName })}
        </Typography.Text>
      )}
    </Card>
  );
}
