import { InfoCircleOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Card, Col, Empty, Input, Row, Skeleton, Space, Statistic, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { type ComponentProps, type ReactNode, Suspense, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useLabel } from '../../app/meta';
import { useSession } from '../../app/session';
import { lazyPage } from '../../shared/lazy-page';
import { EChart } from '../../shared/ui/echart';
import { PageError } from '../../shared/ui/error-result';
import { WhenVisible } from '../../shared/ui/when-visible';
import { DashboardRange } from './dashboard-range';
import { type Drill, drillHref, salesApi, shortMoney } from './sales-api';
import { salesKeys } from './sales-keys';

const ChannelTable = lazyPage(() => import('./dashboard-tables'), 'ChannelTable');
const TeamsTable = lazyPage(() => import('./dashboard-tables'), 'TeamsTable');
const TargetsTable = lazyPage(() => import('./dashboard-tables'), 'TargetsTable');

function BelowTheFold({ children }: { children: ReactNode }) {
  return (
    <WhenVisible>
      <Suspense fallback={<Skeleton active />}>{children}</Suspense>
    </WhenVisible>
  );
}

/*
 * Charts and tables mount once their place is laid out (an IntersectionObserver fires after the
 * first paint), so the KPI figures show without waiting on ECharts or antd's Table; what is on
 * screen then loads straight away, the rest on scroll.
 */
function DashChart(props: ComponentProps<typeof EChart>) {
  return (
    <WhenVisible minHeight={props.height ?? 280}>
      <EChart {...props} />
    </WhenVisible>
  );
}

/** R11.1 dashboards; every number opens the list of the records behind it. */
export function DashboardPage() {
  const { t, i18n } = useTranslation();
  const label = useLabel();
  const navigate = useNavigate();
  const { unitId } = useSession();
  const [range, setRange] = useState<[dayjs.Dayjs, dayjs.Dayjs]>([
    dayjs(`${dayjs().year()}-${String(Math.floor(dayjs().month() / 3) * 3 + 1).padStart(2, '0')}-01`),
    dayjs(`${dayjs().year()}-${String(Math.floor(dayjs().month() / 3) * 3 + 1).padStart(2, '0')}-01`).add(
      3,
      'month',
    ),
  ]);
  const [channel, setChannel] = useState('');
  const from = range[0].format('YYYY-MM-DD');
  const to = range[1].format('YYYY-MM-DD');
  const d = useQuery({
    queryKey: salesKeys.dashboard(from, to, unitId, channel),
    queryFn: () => salesApi.dashboard({ from, to, unit: unitId, channel: channel || undefined }),
  });
  const go = (drill: Drill | null | undefined) => drill && navigate(drillHref(drill));
  const lang = i18n.language;

  const funnelOpt = useMemo(() => {
    const st = (d.data?.funnel.stages ?? []).filter((s: any) => s.available);
    return {
      tooltip: { trigger: 'item', formatter: (p: any) => `${p.name}: ${p.value}` },
      series: [
        {
          type: 'funnel',
          sort: 'none',
          left: '10%',
          width: '80%',
          minSize: '20%',
          min: 0,
          max: Math.max(1, ...st.map((s: any) => s.value)),
          label: { show: true, position: 'inside', formatter: (p: any) => `${p.name}\n${p.value}` },
          data: st.map((s: any) => ({
            name: t(`sales.dash.stage.${s.key}`),
            value: s.value,
            drill: s.drill,
          })),
        },
      ],
    } as any;
  }, [d.data, t]);
  const pipeOpt = useMemo(() => {
    const st = (d.data?.pipeline.stages ?? []).filter((s: any) => s.kind === 'open');
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [t('sales.dash.amount'), t('sales.dash.weighted')] },
      grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: st.map((s: any) => label(s.label)) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => shortMoney(v, lang) } },
      series: [
        {
          name: t('sales.dash.amount'),
          type: 'bar',
          data: st.map((s: any) => ({ value: s.amount, drill: s.drill })),
        },
        {
          name: t('sales.dash.weighted'),
          type: 'bar',
          data: st.map((s: any) => ({ value: s.weighted, drill: s.drill })),
        },
      ],
    } as any;
  }, [d.data, t, label, lang]);
  const winOpt = useMemo(
    () =>
      ({
        series: [
          {
            type: 'gauge',
            min: 0,
            max: 100,
            progress: { show: true, width: 14 },
            axisLine: { lineStyle: { width: 14 } },
            detail: { formatter: '{value}%', fontSize: 22, offsetCenter: [0, '60%'] },
            data: [
              {
                value: (d.data?.winRate.available && d.data.winRate.rate) || 0,
                name: t('sales.dash.winRate'),
              },
            ],
          },
        ],
      }) as any,
    [d.data, t],
  );
  const rtOpt = useMemo(() => {
    const b = d.data?.responseTime.buckets ?? [];
    return {
      tooltip: { trigger: 'axis' },
      grid: { left: 8, right: 8, bottom: 8, containLabel: true },
      // Every bucket keeps its label, even on a phone (echarts would drop every other one).
      xAxis: {
        type: 'category',
        data: b.map((x: any) => t(`sales.dash.rt.${x.key}`)),
        axisLabel: { interval: 0, rotate: 30, fontSize: 11 },
      },
      yAxis: { type: 'value' },
      series: [
        {
          type: 'bar',
          data: b.map((x: any, i: number) => ({
            value: x.value,
            itemStyle: { color: i <= 1 ? '#52c41a' : x.key === 'none' ? '#bfbfbf' : '#ff4d4f' },
          })),
        },
      ],
    } as any;
  }, [d.data, t]);

  return (
    <div className="kehu-page" data-testid="sales-dashboard">
      <Space wrap style={{ marginBottom: 12 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('sales.dash.title')}
        </Typography.Title>
        <DashboardRange value={range} onChange={setRange} />
        <Input.Search
          allowClear
          placeholder={t('sales.dash.channel')}
          onSearch={setChannel}
          style={{ width: 200 }}
        />
      </Space>
      {d.error ? (
        <PageError error={d.error} onRetry={() => d.refetch()} />
      ) : d.isPending ? (
        <Skeleton active paragraph={{ rows: 12 }} />
      ) : (
        <>
          <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
            {d.data.funnel.stages.map((s: any) => (
              // Four or five stages (潜客 shows to readers of the whole tenant): one row on a desktop.
              <Col xs={12} md={{ flex: '1 1 0' }} key={s.key}>
                <Card
                  size="small"
                  hoverable={!!s.drill}
                  onClick={() => go(s.drill)}
                  data-testid={`kpi-${s.key}`}
                >
                  <Statistic
                    title={t(`sales.dash.stage.${s.key}`)}
                    value={s.available ? s.value : '—'}
                    suffix={
                      s.conversion !== null && s.conversion !== undefined ? (
                        <span style={{ fontSize: 12, color: '#8c8c8c' }}>({s.conversion}%)</span>
                      ) : null
                    }
                  />
                  {s.key === 'customer' && d.data.funnel.direct && (
                    <Typography.Link
                      style={{ fontSize: 12 }}
                      data-testid="kpi-direct-customers"
                      onClick={(e) => {
                        e.stopPropagation();
                        if (d.data.funnel.direct) go(d.data.funnel.direct.drill);
                      }}
                    >
                      {t('sales.dash.direct', { n: d.data.funnel.direct.value })}
                    </Typography.Link>
                  )}
                </Card>
              </Col>
            ))}
          </Row>
          <Row gutter={[12, 12]}>
            <Col xs={24} lg={12}>
              <Card
                size="small"
                title={
                  <Tooltip title={t('sales.dash.funnelHint')}>
                    <span>
                      {t('sales.dash.funnel')} <InfoCircleOutlined style={{ color: '#8c8c8c' }} />
                    </span>
                  </Tooltip>
                }
              >
                <DashChart
                  option={funnelOpt}
                  height={280}
                  onClick={(p: any) => go(p.data?.drill)}
                  testId="chart-funnel"
                />
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('sales.dash.pipeline')}>
                <DashChart
                  option={pipeOpt}
                  height={280}
                  onClick={(p: any) => go(p.data?.drill)}
                  testId="chart-pipeline"
                />
              </Card>
            </Col>
            <Col xs={24} lg={8}>
              <Card size="small" title={t('sales.dash.winRate')}>
                <DashChart option={winOpt} height={220} />
                {d.data.winRate.available && (
                  <Space style={{ justifyContent: 'center', width: '100%' }}>
                    <Link to={drillHref(d.data.winRate.won.drill)}>
                      {t('sales.dash.won')} {d.data.winRate.won.value}
                    </Link>
                    <Link to={drillHref(d.data.winRate.lost.drill)}>
                      {t('sales.dash.lost')} {d.data.winRate.lost.value}
                    </Link>
                  </Space>
                )}
              </Card>
            </Col>
            <Col xs={24} lg={8}>
              <Card
                size="small"
                title={t('sales.dash.responseTime', { sla: d.data.responseTime.slaMinutes })}
              >
                {d.data.responseTime.available ? (
                  <>
                    <DashChart option={rtOpt} height={200} />
                    <Typography.Text>
                      {t('sales.dash.withinSla')}: <b>{d.data.responseTime.withinSla ?? '—'}%</b>
                    </Typography.Text>
                  </>
                ) : (
                  <Empty description={t('sales.dash.noLeads')} />
                )}
              </Card>
            </Col>
            <Col xs={24} lg={8}>
              <Card size="small" title={t('sales.dash.byChannel')}>
                <BelowTheFold>
                  <ChannelTable rows={d.data.funnel.byChannel} />
                </BelowTheFold>
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('sales.dash.teams')}>
                <BelowTheFold>
                  <TeamsTable rows={d.data.teams} />
                </BelowTheFold>
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('sales.dash.targets')}>
                <BelowTheFold>
                  <TargetsTable rows={d.data.targets} />
                </BelowTheFold>
              </Card>
            </Col>
          </Row>
        </>
      )}
    </div>
  );
}
