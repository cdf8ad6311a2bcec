import { ArrowLeftOutlined } from '@ant-design/icons';
import { Button, Card, Col, Empty, Row, Statistic, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult } from '../../shared/ui/error-result';
import { PageSkeleton } from '../../shared/ui/page-skeleton';
import { useCampaign, useFunnel } from './fission-api';

/** One campaign's funnel: participants → invites → new customers → kept 24 h, cost per customer. */
export function ReportPage() {
  const { t } = useTranslation();
  const nav = useNavigate();
  const { id } = useParams<{ id: string }>();
  const campaign = useCampaign(id!);
  const r = useFunnel(id!);
  if (r.isLoading || campaign.isLoading) return <PageSkeleton />;
  if (r.error || !r.data || !campaign.data)
    return <ErrorResult error={r.error ?? campaign.error} onRetry={() => r.refetch()} />;
  const f = r.data;
  const P = 'fission.funnel';
  const stats: Array<[string, number | string]> = [
    ['participants', f.participants],
    ['invites', f.invites],
    ['newCustomers', f.newCustomers],
    ['retained24h', f.retained24h],
    ['rewards', f.rewards],
    ['disputed', f.disputedRewards],
    ...(campaign.data.rewardType === 'coupon'
      ? ([
          ['couponsIssued', f.couponsIssued],
          ['couponsFailed', f.couponsFailed],
        ] as Array<[string, number]>)
      : []),
    ['cost', f.cost],
    ['costPerCustomer', f.costPerCustomer ?? '—'],
  ];
  // Participants are people who share, not a step of their friends' path: the funnel starts at the adds.
  const steps = [
    ['invites', f.invites],
    ['newCustomers', f.newCustomers],
    ['retained24h', f.retained24h],
  ] as const;
  return (
    <div className="kehu-page" data-testid="fission-report">
      <Button
        type="link"
        icon={<ArrowLeftOutlined />}
        onClick={() => nav('/fission')}
        style={{ paddingLeft: 0 }}
      >
        {t(`${P}.back`)}
      </Button>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {campaign.data.name}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t(`${P}.rule`)}</Typography.Paragraph>
      <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
        {stats.map(([k, v]) => (
          <Col key={k} xs={12} md={6} xl={3}>
            <Card size="small">
              <Statistic title={t(`${P}.${k}`)} value={v} data-testid={`fission-stat-${k}`} />
            </Card>
          </Col>
        ))}
      </Row>
      {f.participants === 0 ? (
        <Empty description={t(`${P}.empty`)} style={{ padding: 32 }} />
      ) : (
        <Row gutter={[12, 12]}>
          <Col xs={24} lg={12}>
            <Card size="small" title={t(`${P}.chart`)} data-testid="fission-funnel-chart">
              <EChart
                height={260}
                option={{
                  animation: false,
                  tooltip: { trigger: 'item' },
                  series: [
                    {
                      type: 'funnel',
                      sort: 'none',
                      min: 0,
                      max: Math.max(1, f.invites),
                      minSize: '8%',
                      left: '10%',
                      width: '80%',
                      label: { show: true, position: 'inside', formatter: '{b}: {c}' },
                      data: steps.map(([k, v]) => ({ name: t(`${P}.${k}`), value: v })),
                    },
                  ],
                }}
              />
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card size="small" title={t(`${P}.perDay`)}>
              <EChart
                height={260}
                option={{
                  animation: false,
                  tooltip: { trigger: 'axis' },
                  legend: { top: 0 },
                  grid: { left: 36, right: 16, top: 36, bottom: 24 },
                  xAxis: { type: 'category', data: f.days.map((d) => d.day.slice(5)) },
                  yAxis: { type: 'value', minInterval: 1 },
                  series: [
                    { name: t(`${P}.participants`), type: 'bar', data: f.days.map((d) => d.participants) },
                    { name: t(`${P}.newCustomers`), type: 'bar', data: f.days.map((d) => d.newCustomers) },
                  ],
                }}
              />
            </Card>
          </Col>
          <Col xs={24}>
            <Card size="small" title={t(`${P}.top`)} styles={{ body: { padding: 0, overflowX: 'auto' } }}>
              <Table
                size="small"
                rowKey="participantId"
                pagination={false}
                dataSource={f.top}
                columns={[
                  { title: t(`${P}.name`), dataIndex: 'name' },
                  { title: t(`${P}.counted`), dataIndex: 'counted' },
                  {
                    title: t(`${P}.rewarded`),
                    dataIndex: 'rewarded',
                    render: (v: boolean) => t(v ? `${P}.yes` : `${P}.no`),
                  },
                ]}
              />
            </Card>
          </Col>
        </Row>
      )}
    </div>
  );
}
