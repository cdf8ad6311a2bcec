import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, List, Popconfirm, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import type React from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { http } from '../../shared/api-client';
import { errorMessage } from '../../shared/ui/error-result';
import type { Merge } from './cdp-api';
import { cdpKeys } from './cdp-keys';
import { usePersonText } from './person-label';

/** Merge history with the evidence of each merge and a split (undo) button. */
export function MergeList({
  merges,
  canManage,
  localPaging = true,
  empty,
}: {
  merges: Merge[];
  canManage: boolean;
  /** Page in the browser (a profile's own merges); off when the caller pages from the server. */
  localPaging?: boolean;
  empty?: React.ReactNode;
}) {
  const { t } = useTranslation();
  const text = usePersonText();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const split = useMutation({
    mutationFn: (id: string) => http.post(`/cdp/merges/${id}/split`),
    onSuccess: () => {
      message.success(t('cdp.merges.splitDone'));
      void qc.invalidateQueries({ queryKey: cdpKeys.all });
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  return (
    <List
      size="small"
      dataSource={merges}
      data-testid="merge-list"
      locale={{ emptyText: empty ?? t('cdp.merges.empty') }}
      pagination={
        localPaging && merges.length > 20 ? { pageSize: 20, size: 'small', showSizeChanger: false } : false
      }
      renderItem={(m) => (
        <List.Item
          actions={
            canManage && !m.splitAt
              ? [
                  <Popconfirm
                    key="split"
                    title={t('cdp.merges.splitConfirm')}
                    onConfirm={() => split.mutate(m.id)}
                  >
                    <Button size="small" danger data-testid="merge-split">
                      {t('cdp.merges.split')}
                    </Button>
                  </Popconfirm>,
                ]
              : []
          }
        >
          <Space direction="vertical" size={0}>
            <Space wrap>
              <Link to={`/cdp/profiles/${m.sourceId}`} data-testid="merge-source">
                {text(m.sourceLabel)}
              </Link>
              →
              <Link to={`/cdp/profiles/${m.targetId}`} data-testid="merge-target">
                {text(m.targetLabel)}
              </Link>
              <Tag>
                {m.reason.startsWith('crm:')
                  ? t('cdp.merges.reason.crm')
                  : t(`cdp.merges.reason.${m.reason}`, { defaultValue: m.reason })}
              </Tag>
              {m.splitAt && <Tag color="orange">{t('cdp.merges.wasSplit')}</Tag>}
            </Space>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {dayjs(m.at).format('YYYY-MM-DD HH:mm:ss')} · {t('cdp.merges.evidence')}:{' '}
              {m.evidence.identity
                ? `${t(`cdp.idKind.${m.evidence.identity.kind}`, { defaultValue: m.evidence.identity.kind })} ${m.evidence.identity.value}`
                : '—'}
              {m.evidence.messageId ? ` · ${m.evidence.messageId}` : ''}
            </Typography.Text>
          </Space>
        </List.Item>
      )}
    />
  );
}
