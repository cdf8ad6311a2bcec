import { BarChartOutlined, EditOutlined, PlusOutlined, ShareAltOutlined } from '@ant-design/icons';
import { Col, Empty, Input, Row, Segmented, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useSession } from '../../app/session';
import { ErrorResult } from '../../shared/ui/error-result';
import { PageSkeleton } from '../../shared/ui/page-skeleton';
import { PermissionButton } from '../../shared/ui/permission-button';
import { MaterialCard } from './material-card';
import { MaterialEditor } from './material-editor';
import { MATERIAL_KINDS, type Material, useMaterials } from './materials-api';
import { ShareModal } from './share-modal';

/** 素材库: a grid of covers, filtered by kind; edit one's own, share any, see how each did. */
export function LibraryPage() {
  const { t } = useTranslation();
  const nav = useNavigate();
  const { can } = useSession();
  const [kind, setKind] = useState('all');
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState<Material | 'new' | null>(null);
  const [sharing, setSharing] = useState<Material | null>(null);
  const list = useMaterials({ kind: kind === 'all' ? undefined : kind, q: q || undefined });
  const filtered = kind !== 'all' || !!q;
  return (
    <div className="kehu-page" data-testid="materials-library">
      <div className="kehu-page-header">
        <div>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('materials.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('materials.subtitle')}</Typography.Text>
        </div>
        <PermissionButton
          type="primary"
          icon={<PlusOutlined />}
          allowed={can('materials:manage')}
          need={t('materials.new')}
          onClick={() => setEditing('new')}
          data-testid="material-new"
        >
          {t('materials.new')}
        </PermissionButton>
      </div>
      <Space wrap style={{ marginBottom: 12, width: '100%' }}>
        <div style={{ maxWidth: 'calc(100vw - 24px)', overflowX: 'auto' }}>
          <Segmented
            value={kind}
            onChange={(v) => setKind(String(v))}
            options={[
              { value: 'all', label: t('materials.all') },
              ...MATERIAL_KINDS.map((k) => ({ value: k, label: t(`materials.kinds.${k}`) })),
            ]}
          />
        </div>
        <Input.Search allowClear placeholder={t('materials.search')} onSearch={setQ} style={{ width: 240 }} />
      </Space>
      {list.isLoading ? (
        <PageSkeleton />
      ) : list.error ? (
        <ErrorResult error={list.error} />
      ) : !list.data?.items.length ? (
        <Empty
          description={t(filtered ? 'materials.emptyFiltered' : 'materials.empty')}
          style={{ padding: 48 }}
        />
      ) : (
        <Row gutter={[12, 12]}>
          {list.data.items.map((m) => (
            <Col key={m.id} xs={12} sm={8} md={6} xl={4}>
              <MaterialCard
                m={m}
                actions={[
                  <ShareAltOutlined
                    key="share"
                    aria-label={t('materials.share')}
                    onClick={() => setSharing(m)}
                    data-testid="material-share"
                  />,
                  <BarChartOutlined
                    key="report"
                    aria-label={t('materials.report')}
                    onClick={() => nav(`/materials/${m.id}/report`)}
                    data-testid="material-report"
                  />,
                  ...(m.editable
                    ? [
                        <EditOutlined
                          key="edit"
                          aria-label={t('materials.edit')}
                          onClick={() => setEditing(m)}
                        />,
                      ]
                    : []),
                ]}
              />
            </Col>
          ))}
        </Row>
      )}
      {editing && <MaterialEditor material={editing} onClose={() => setEditing(null)} />}
      {sharing && <ShareModal material={sharing} onClose={() => setSharing(null)} />}
    </div>
  );
}
