import { Button, Card, Col, Empty, List, Row, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import { at, MessageStatus } from './message-parts';
import {
  CHANNELS,
  type LogFilter,
  type MessageLogItem,
  REASONS,
  STATUSES,
  useMessagePages,
  useStats,
} from './messaging-api';

const SERIES_COLOR: Record<string, string> = {
  delivered: '#52c41a',
  sent: '#1677ff',
  queued: '#69b1ff',
  deferred: '#faad14',
  skipped: '#bfbfbf',
  failed: '#ff4d4f',
};

/** The message log: every attempt with its skip reason in words, filters, and the last 14 days. */
export function MessageLogPage() {
  const { t } = useTranslation();
  const mobile = useIsMobile();
  const [f, setF] = useState<LogFilter>({});
  const pages = useMessagePages(f);
  const stats = useStats();
  const items = pages.data?.pages.flatMap((p) => p.items) ?? [];
  const opt = (prefix: string, values: readonly string[]) =>
    values.map((v) => ({ value: v, label: t(`messaging.${prefix}.${v}`) }));
  const s = stats.data;
  return (
    <div className="kehu-page" data-testid="messaging-log-page">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('messaging.log.title')}
        </Typography.Title>
      </div>
      <Typography.Paragraph type="secondary">{t('messaging.log.intro')}</Typography.Paragraph>
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={24} lg={16}>
          <Card size="small" title={t('messaging.log.chartTitle')} loading={stats.isPending}>
            <EChart
              height={mobile ? 200 : 240}
              option={{
                tooltip: { trigger: 'axis' },
                legend: {
                  type: 'scroll',
                  data: (s?.series ?? []).map((x) => t(`messaging.statuses.${x.status}`)),
                },
                grid: { left: 36, right: 12, top: 36, bottom: 24 },
                xAxis: { type: 'category', data: (s?.days ?? []).map((d) => d.slice(5)) },
                yAxis: { type: 'value', minInterval: 1 },
                series: (s?.series ?? []).map((x) => ({
                  name: t(`messaging.statuses.${x.status}`),
                  type: 'bar',
                  stack: 'all',
                  itemStyle: { color: SERIES_COLOR[x.status] },
                  data: x.counts,
                })),
              }}
            />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('messaging.log.reasonsTitle')} loading={stats.isPending}>
            {(s?.byReason ?? []).length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('messaging.log.noSkips')} />
            ) : (
              <List
                size="small"
                dataSource={s?.byReason ?? []}
                renderItem={(r) => (
                  <List.Item
                    style={{ cursor: 'pointer' }}
                    onClick={() => setF({ ...f, status: 'skipped', reason: r.reason })}
                    extra={<Tag>{r.count}</Tag>}
                  >
                    {t(`messaging.reasons.${r.reason}`)}
                  </List.Item>
                )}
              />
            )}
          </Card>
        </Col>
      </Row>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          allowClear
          placeholder={t('messaging.log.filterChannel')}
          aria-label={t('messaging.log.filterChannel')}
          style={{ minWidth: 140 }}
          value={f.channel}
          options={opt('channels', CHANNELS)}
          onChange={(v) => setF({ ...f, channel: v })}
        />
        <Select
          allowClear
          placeholder={t('messaging.log.filterStatus')}
          aria-label={t('messaging.log.filterStatus')}
          style={{ minWidth: 140 }}
          value={f.status}
          options={opt('statuses', STATUSES)}
          onChange={(v) => setF({ ...f, status: v })}
        />
        <Select
          allowClear
          placeholder={t('messaging.log.filterReason')}
          aria-label={t('messaging.log.filterReason')}
          style={{ minWidth: mobile ? 200 : 320 }}
          value={f.reason}
          options={opt('reasons', REASONS)}
          onChange={(v) => setF({ ...f, reason: v })}
        />
      </Space>
      {pages.error ? (
        <ErrorResult error={pages.error} onRetry={() => pages.refetch()} />
      ) : (
        <>
          <Table<MessageLogItem>
            rowKey="id"
            loading={pages.isPending}
            dataSource={items}
            size={mobile ? 'small' : 'middle'}
            scroll={{ x: true }}
            pagination={false}
            locale={{ emptyText: <Empty description={t('messaging.log.empty')} /> }}
            columns={[
              { title: t('messaging.log.columns.time'), dataIndex: 'createdAt', render: at, width: 110 },
              {
                title: t('messaging.log.columns.channel'),
                dataIndex: 'channel',
                render: (c: string, r) => (
                  <Space direction="vertical" size={0}>
                    <span>{t(`messaging.channels.${c}`)}</span>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t(`messaging.purposes.${r.purpose}`)}
                    </Typography.Text>
                  </Space>
                ),
              },
              ...(mobile
                ? []
                : [
                    {
                      title: t('messaging.log.columns.to'),
                      dataIndex: 'address',
                      render: (a: string | null) => a ?? '—',
                    },
                    {
                      title: t('messaging.log.columns.content'),
                      key: 'c',
                      render: (_: unknown, r: MessageLogItem) => (
                        <Typography.Paragraph
                          ellipsis={{ rows: 2, tooltip: r.text }}
                          style={{ margin: 0, maxWidth: 360 }}
                        >
                          {r.subject ? <strong>{r.subject} · </strong> : null}
                          {r.text}
                        </Typography.Paragraph>
                      ),
                    },
                    {
                      title: t('messaging.log.columns.source'),
                      key: 's',
                      render: (_: unknown, r: MessageLogItem) => t(`messaging.sources.${r.source.kind}`),
                    },
                  ]),
              {
                title: t('messaging.log.columns.status'),
                key: 'st',
                render: (_: unknown, r: MessageLogItem) => <MessageStatus m={r} />,
              },
            ]}
          />
          {pages.hasNextPage && (
            <div style={{ textAlign: 'center', marginTop: 12 }}>
              <Button loading={pages.isFetchingNextPage} onClick={() => pages.fetchNextPage()}>
                {t('messaging.log.more')}
              </Button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
