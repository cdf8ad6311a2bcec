import type { LeadInboxStats } from '@kehu/contracts/leads';
import { useQuery } from '@tanstack/react-query';
import { Card, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { http } from '../../shared/api-client';
import { EChart, type EChartOption } from '../../shared/ui/echart';
import { useIsMobile } from '../../shared/use-is-mobile';

/** The inbox's 30 days: leads per day (line) over how their first response went (stacked bars). */
export function InboxChart() {
  const { t } = useTranslation();
  const isMobile = useIsMobile();
  const stats = useQuery({
    queryKey: ['leads', 'inbox', 'stats'],
    queryFn: () => http.get<LeadInboxStats>('/leads/inbox/stats'),
    staleTime: 60_000,
  });
  if (!stats.data) return null;
  const { days, totals } = stats.data;
  const label = (day: string) => day.slice(5).replace('-', '/');
  const option: EChartOption = {
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0, itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 12 } },
    grid: { left: 8, right: 8, top: 16, bottom: isMobile ? 56 : 36, containLabel: true },
    xAxis: {
      type: 'category',
      data: days.map((d) => label(d.day)),
      axisLabel: { interval: isMobile ? 6 : 2, fontSize: 11 },
    },
    yAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { type: 'dashed' } } },
    series: [
      {
        name: t('leads.inbox.chartMet'),
        type: 'bar',
        stack: 'sla',
        data: days.map((d) => d.met),
        itemStyle: { color: '#52c41a' },
        barMaxWidth: 14,
      },
      {
        name: t('leads.inbox.chartBreached'),
        type: 'bar',
        stack: 'sla',
        data: days.map((d) => d.breached),
        itemStyle: { color: '#ff4d4f' },
        barMaxWidth: 14,
      },
      {
        name: t('leads.inbox.chartPending'),
        type: 'bar',
        stack: 'sla',
        data: days.map((d) => d.pending),
        itemStyle: { color: '#faad14' },
        barMaxWidth: 14,
      },
      {
        name: t('leads.inbox.chartLeads'),
        type: 'line',
        data: days.map((d) => d.leads),
        showSymbol: false,
        lineStyle: { width: 2 },
        itemStyle: { color: '#1677ff' },
      },
    ],
  };
  return (
    <Card
      size="small"
      title={t('leads.inbox.chartTitle')}
      extra={
        !isMobile && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('leads.inbox.chartTotals', totals)}
          </Typography.Text>
        )
      }
      style={{ marginBottom: 12 }}
      data-testid="inbox-chart"
    >
      {isMobile && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('leads.inbox.chartTotals', totals)}
        </Typography.Text>
      )}
      <EChart option={option} height={isMobile ? 220 : 240} testId="inbox-chart-canvas" />
    </Card>
  );
}
