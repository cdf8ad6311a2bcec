import { Card, Col, Empty, Row, Statistic, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult } from '../../shared/ui/error-result';
import { PageSkeleton } from '../../shared/ui/page-skeleton';
import { useMemberAnalytics, useReferrals } from './member-mall-api';

const P = 'member-mall.analytics';
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** 会员分析 (R11.4): activity, points liability, redemption, tier migration, repurchase and LTV by tier. */
export function MemberAnalyticsPage() {
  const { t } = useTranslation();
  const a = useMemberAnalytics();
  const refs = useReferrals();
  if (a.isLoading) return <PageSkeleton />;
  if (a.error || !a.data) return <ErrorResult error={a.error} onRetry={() => a.refetch()} />;
  const d = a.data;
  const stats: Array<[string, number | string]> = [
    ['members', d.members],
    ['active', d.activeMembers],
    ['outstanding', d.outstandingPoints],
    ['liability', d.liabilityYuan.toFixed(2)],
    ['redemptionRate', pct(d.redemptionRate)],
    ['pointsRedeemed', d.pointsRedeemed],
    ['referrals', refs.data ? `${refs.data.rewarded} / ${refs.data.registered + refs.data.rewarded}` : '—'],
  ];
  const tiers = d.tiers.map((x) => x.tier);
  const migrationFrom = [...new Set(d.migration.map((m) => m.from))];
  const migrationTo = [...new Set(d.migration.map((m) => m.to))];
  return (
    <div className="kehu-page" data-testid="member-analytics">
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t(`${P}.title`)}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t(`${P}.intro`)}</Typography.Paragraph>
      <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
        {stats.map(([k, v]) => (
          <Col key={k} xs={12} md={8} xl={3}>
            <Card size="small">
              <Statistic title={t(`${P}.${k}`)} value={v} data-testid={`member-stat-${k}`} />
            </Card>
          </Col>
        ))}
      </Row>
      {d.members === 0 ? (
        <Empty description={t(`${P}.empty`)} style={{ padding: 32 }} />
      ) : (
        <Row gutter={[12, 12]}>
          <Col xs={24} lg={12}>
            <Card size="small" title={t(`${P}.byTier`)} data-testid="member-tier-chart">
              <EChart
                height={280}
                option={{
                  animation: false,
                  tooltip: { trigger: 'axis' },
                  legend: { top: 0 },
                  grid: { left: 44, right: 44, top: 40, bottom: 24 },
                  xAxis: { type: 'category', data: tiers },
                  yAxis: [
                    { type: 'value' },
                    { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
                  ],
                  series: [
                    { name: t(`${P}.ltv`), type: 'bar', data: d.tiers.map((x) => x.ltv) },
                    {
                      name: t(`${P}.repurchase`),
                      type: 'line',
                      yAxisIndex: 1,
                      data: d.tiers.map((x) => Math.round(x.repurchaseRate * 1000) / 10),
                    },
                  ],
                }}
              />
              <Table
                size="small"
                rowKey="tier"
                pagination={false}
                dataSource={d.tiers}
                scroll={{ x: true }}
                columns={[
                  { title: t(`${P}.tier`), dataIndex: 'tier' },
                  { title: t(`${P}.tierMembers`), dataIndex: 'members' },
                  { title: t(`${P}.repurchase`), dataIndex: 'repurchaseRate', render: pct },
                  { title: t(`${P}.ltv`), dataIndex: 'ltv' },
                ]}
              />
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card size="small" title={t(`${P}.migration`)} data-testid="member-migration">
              {d.migration.length === 0 ? (
                <Empty description={t(`${P}.noMoves`)} />
              ) : (
                <EChart
                  height={300}
                  option={{
                    animation: false,
                    tooltip: { trigger: 'axis' },
                    legend: { top: 0 },
                    grid: { left: 44, right: 16, top: 36, bottom: 40 },
                    // One bar per tier people came from, split by the tier they went to.
                    xAxis: {
                      type: 'category',
                      data: migrationFrom,
                      name: t(`${P}.from`),
                      nameLocation: 'middle',
                      nameGap: 26,
                    },
                    yAxis: { type: 'value', minInterval: 1, name: t(`${P}.moves`) },
                    series: migrationTo.map((to) => ({
                      name: `→ ${to}`,
                      type: 'bar',
                      stack: 'moves',
                      data: migrationFrom.map(
                        (from) => d.migration.find((m) => m.from === from && m.to === to)?.members ?? 0,
                      ),
                    })),
                  }}
                />
              )}
            </Card>
          </Col>
        </Row>
      )}
    </div>
  );
}
