import { Alert, Card, Col, Empty, List, Row, Statistic, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../shared/error-message';
import { EChart } from '../../shared/ui/echart';
import { usePool, usePools, yuan } from './tpm-api';

/** 经销商费用池: balance per dealer, and one dealer's append-only ledger. */
export function PoolsPage() {
  const { t, i18n } = useTranslation();
  const q = usePools();
  const items = q.data?.items ?? [];
  const [dealerId, setDealerId] = useState<string | null>(null);
  const current = dealerId ?? items[0]?.dealerUnitId ?? null;
  const ledger = usePool(current);
  const money = (v: number) => yuan(v, i18n.language);
  return (
    <div className="kehu-page" data-testid="tpm-pools-page">
      <Typography.Title level={4}>{t('tpm.pools.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('tpm.pools.intro')}</Typography.Paragraph>
      {q.error && <Alert type="error" showIcon message={errorMessage(q.error)} />}
      {!q.isLoading && items.length === 0 ? (
        <Card>
          <Empty description={t('tpm.pools.empty')} />
        </Card>
      ) : (
        <Row gutter={[12, 12]}>
          <Col xs={24} md={9}>
            <Card size="small" styles={{ body: { padding: 0 } }}>
              <List
                loading={q.isLoading}
                dataSource={items}
                renderItem={(p) => (
                  <List.Item
                    onClick={() => setDealerId(p.dealerUnitId)}
                    style={{
                      cursor: 'pointer',
                      padding: '10px 12px',
                      background: p.dealerUnitId === current ? '#e6f4ff' : undefined,
                    }}
                    data-testid="tpm-pool-item"
                  >
                    <List.Item.Meta
                      title={p.dealerName}
                      description={`${t('tpm.pools.credited')} ${money(p.credited)}`}
                    />
                    <Typography.Text strong data-testid="tpm-pool-balance">
                      {money(p.balance)}
                    </Typography.Text>
                  </List.Item>
                )}
              />
            </Card>
            {items.length > 1 && (
              <Card size="small" style={{ marginTop: 12 }}>
                <EChart
                  height={Math.max(140, items.length * 30 + 40)}
                  option={{
                    animation: false,
                    tooltip: { trigger: 'axis' },
                    grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
                    xAxis: { type: 'value', axisLabel: { formatter: (v: number) => `${v / 100}` } },
                    yAxis: {
                      type: 'category',
                      inverse: true,
                      data: items.map((p) => p.dealerName ?? ''),
                      axisLabel: { width: 110, overflow: 'truncate' },
                    },
                    series: [
                      {
                        type: 'bar',
                        name: t('tpm.pools.balance'),
                        data: items.map((p) => p.balance),
                        itemStyle: { color: '#13c2c2' },
                      },
                    ],
                  }}
                />
              </Card>
            )}
          </Col>
          <Col xs={24} md={15}>
            {ledger.data && (
              <Card size="small" title={`${ledger.data.account.dealerName} · ${t('tpm.pools.ledger')}`}>
                <Row gutter={8} style={{ marginBottom: 12 }}>
                  <Col span={8}>
                    <Statistic title={t('tpm.pools.balance')} value={money(ledger.data.account.balance)} />
                  </Col>
                  <Col span={8}>
                    <Statistic title={t('tpm.pools.credited')} value={money(ledger.data.account.credited)} />
                  </Col>
                  <Col span={8}>
                    <Statistic title={t('tpm.pools.deducted')} value={money(ledger.data.account.deducted)} />
                  </Col>
                </Row>
                <div style={{ overflowX: 'auto' }}>
                  <Table
                    rowKey="id"
                    size="small"
                    pagination={false}
                    dataSource={ledger.data.entries}
                    columns={[
                      {
                        title: t('tpm.pools.at'),
                        dataIndex: 'createdAt',
                        render: (v) => new Date(v).toLocaleString(),
                        responsive: ['sm'],
                      },
                      {
                        title: t('tpm.pools.kind'),
                        dataIndex: 'kind',
                        render: (v) => (
                          <Tag color={v === 'credit' ? 'green' : 'orange'}>{t(`tpm.pools.${v}`)}</Tag>
                        ),
                      },
                      { title: t('tpm.pools.ref'), dataIndex: 'ref' },
                      {
                        title: t('tpm.pools.amount'),
                        dataIndex: 'amount',
                        align: 'right',
                        render: (v, e) => `${e.kind === 'credit' ? '+' : '−'}${money(v)}`,
                      },
                      {
                        title: t('tpm.pools.balanceAfter'),
                        dataIndex: 'balanceAfter',
                        align: 'right',
                        render: money,
                      },
                    ]}
                  />
                </div>
              </Card>
            )}
          </Col>
        </Row>
      )}
    </div>
  );
}
