import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Empty, List, Skeleton, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { http } from '../../shared/api-client';
import { errorMessage, PageError } from '../../shared/ui/error-result';
import { fieldText, leadScore, localTime, usePool } from './leads-api';
import { leadsKeys } from './leads-keys';

export function PoolPage() {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const pool = usePool();
  const claim = useMutation({
    mutationFn: (id: string) => http.post(`/leads/${id}/claim`),
    onSuccess: () => {
      message.success(t('leads.pool.claimed'));
      void qc.invalidateQueries({ queryKey: leadsKeys.all });
    },
    // 409s name who owns it (race lost, 撞单) or which limit was hit: show the server's words.
    onError: (e) => {
      modal.warning({ title: t('leads.pool.claim'), content: errorMessage(e) });
      void qc.invalidateQueries({ queryKey: leadsKeys.pool() });
    },
  });
  const limits = pool.data?.limits;
  return (
    <div className="kehu-page" data-testid="leads-pool">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('leads.pool.title')}
        </Typography.Title>
        {limits && (
          <Tag color={limits.claimedToday >= limits.claimPerDay ? 'error' : 'blue'} data-testid="pool-limits">
            {t('leads.pool.limits', {
              today: limits.claimedToday,
              perDay: limits.claimPerDay,
              held: limits.held,
              maxHeld: limits.maxHeld,
            })}
          </Tag>
        )}
      </div>
      <Typography.Paragraph type="secondary">{t('leads.pool.subtitle')}</Typography.Paragraph>
      {pool.isPending ? (
        <Skeleton active />
      ) : pool.error ? (
        <PageError error={pool.error} onRetry={() => pool.refetch()} />
      ) : (
        <Card size="small" styles={{ body: { padding: 0 } }}>
          {pool.data.items.length === 0 ? (
            <Empty description={t('leads.pool.empty')} style={{ padding: 24 }} />
          ) : (
            <List
              dataSource={pool.data.items}
              renderItem={(l) => (
                <List.Item
                  key={l.id}
                  style={{ paddingInline: 12 }}
                  data-testid="pool-item"
                  actions={[
                    <Button
                      key="claim"
                      type="primary"
                      loading={claim.isPending && claim.variables === l.id}
                      onClick={() => claim.mutate(l.id)}
                      data-testid="pool-claim"
                    >
                      {t('leads.pool.claim')}
                    </Button>,
                  ]}
                >
                  <List.Item.Meta
                    title={
                      <Space size={6} wrap>
                        <span>{fieldText(l.name)}</span>
                        {fieldText(l.company) && (
                          <Typography.Text type="secondary">{fieldText(l.company)}</Typography.Text>
                        )}
                        {leadScore(l) !== null && <Tag color="orange">{leadScore(l)}</Tag>}
                      </Space>
                    }
                    description={
                      <Space size={8} wrap>
                        <span>
                          {t('leads.pool.unit')}: {l._display?.unitId ?? '-'}
                        </span>
                        {fieldText(l.pooledAt) && (
                          <span>
                            {t('leads.pool.pooledAt')}: {localTime(fieldText(l.pooledAt))}
                          </span>
                        )}
                        {fieldText(l.statusReason) && (
                          <span>
                            {t('leads.pool.reason')}: {fieldText(l.statusReason)}
                          </span>
                        )}
                      </Space>
                    }
                  />
                </List.Item>
              )}
            />
          )}
        </Card>
      )}
    </div>
  );
}
