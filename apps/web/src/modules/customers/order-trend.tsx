import { Empty, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { EChart, type EChartOption } from '../../shared/ui/echart';
import { shortMoney } from '../sales/index';

export interface TrendPoint {
  month: string;
  amount: number;
  count: number;
}

/**
 * Order value per month (bars) and order count (line), from the orders the viewer sees. Months
 * without orders between the first and the last are drawn as 0, so the gaps show.
 */
export function OrderTrend({ points }: { points: TrendPoint[] }) {
  const { t, i18n } = useTranslation();
  if (!points.length)
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('customers.trend.empty')} />;
  const byMonth = new Map(points.map((p) => [p.month, p]));
  const months: string[] = [];
  const [y0, m0] = points[0]!.month.split('-').map(Number) as [number, number];
  const last = points[points.length - 1]!.month;
  for (let i = 0; months.length < 120; i++) {
    const n = y0 * 12 + (m0 - 1) + i;
    const key = `${Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
    months.push(key);
    if (key >= last) break;
  }
  const option: EChartOption = {
    grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
    legend: { top: 0, data: [t('customers.trend.amount'), t('customers.trend.count')] },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => String(v),
    },
    xAxis: { type: 'category', data: months },
    yAxis: [
      {
        type: 'value',
        axisLabel: { formatter: (v: number) => shortMoney(v * 100, i18n.language) },
      },
      { type: 'value', minInterval: 1, splitLine: { show: false } },
    ],
    series: [
      {
        name: t('customers.trend.amount'),
        type: 'bar',
        // In yuan (the API counts fen), so the axis and tooltip read as money.
        data: months.map((m) => (byMonth.get(m)?.amount ?? 0) / 100),
        itemStyle: { color: '#1677ff' },
        barMaxWidth: 36,
      },
      {
        name: t('customers.trend.count'),
        type: 'line',
        yAxisIndex: 1,
        data: months.map((m) => byMonth.get(m)?.count ?? 0),
        itemStyle: { color: '#d48806' },
      },
    ],
  };
  return (
    <>
      <EChart option={option} height={260} testId="order-trend-chart" />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {points.reduce((n, p) => n + p.count, 0)} ·{' '}
        {shortMoney(
          points.reduce((s, p) => s + p.amount, 0),
          i18n.language,
        )}
      </Typography.Text>
    </>
  );
}
