import { InfoCircleOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Card,
  Col,
  DatePicker,
  Empty,
  Input,
  Row,
  Skeleton,
  Space,
  Statistic,
  Table,
  Tooltip,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { normalizeOptions, useLabel, useObjectMeta } from '../../app/meta';
import { useSession } from '../../app/session';
import { EChart } from '../../shared/ui/echart';
import { PageError } from '../../shared/ui/error-result';
import { type Drill, drillHref, salesApi, shortMoney } from './sales-api';
import { salesKeys } from './sales-keys';

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
  const leadMeta = useObjectMeta('lead');
  const customerMeta = useObjectMeta('customer');
  // Channels are picklist values of lead.channel or customer.source; show their labels, not the codes.
  const channelLabel = (v: string | null) => {
    if (!v) return '—';
    const opts = [
      ...normalizeOptions(leadMeta.data?.fields.find((f) => f.apiName === 'channel')?.options ?? null),
      ...normalizeOptions(customerMeta.data?.fields.find((f) => f.apiName === 'source')?.options ?? null),
    ];
    const o = opts.find((x) => x.value === v);
    return o ? label(o.label, v) : v;
  };
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
        <DatePicker.RangePicker
          value={range}
          onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
          allowClear={false}
        />
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
              <Col xs={12} md={6} key={s.key}>
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
                <EChart
                  option={funnelOpt}
                  height={280}
                  onClick={(p: any) => go(p.data?.drill)}
                  testId="chart-funnel"
                />
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('sales.dash.pipeline')}>
                <EChart
                  option={pipeOpt}
                  height={280}
                  onClick={(p: any) => go(p.data?.drill)}
                  testId="chart-pipeline"
                />
              </Card>
            </Col>
            <Col xs={24} lg={8}>
              <Card size="small" title={t('sales.dash.winRate')}>
                <EChart option={winOpt} height={220} />
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
                    <EChart option={rtOpt} height={200} />
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
                <Table
                  size="small"
                  pagination={false}
                  rowKey={(r: any) => r.channel ?? '—'}
                  scroll={{ x: 'max-content' }}
                  dataSource={d.data.funnel.byChannel}
                  columns={[
                    {
                      title: t('sales.dash.channelCol'),
                      dataIndex: 'channel',
                      render: (v) => channelLabel(v),
                    },
                    ...['lead', 'customer', 'opportunity', 'order'].map((k) => ({
                      title: t(`sales.dash.stage.${k}`),
                      dataIndex: k,
                      render: (v: number | undefined) => v ?? 0,
                    })),
                  ]}
                />
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('sales.dash.teams')}>
                <Table
                  size="small"
                  pagination={false}
                  rowKey="unitId"
                  scroll={{ x: 480 }}
                  dataSource={d.data.teams}
                  columns={[
                    { title: t('sales.dash.team'), dataIndex: 'unitName' },
                    ...['lead', 'customer', 'opportunity', 'order'].map((k) => ({
                      title: t(`sales.dash.stage.${k}`),
                      key: k,
                      render: (_: unknown, r: any) => {
                        const s = r.stages.find((x: any) => x.key === k);
                        return s?.drill ? <Link to={drillHref(s.drill)}>{s.value}</Link> : '—';
                      },
                    })),
                  ]}
                />
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('sales.dash.targets')}>
                <Table
                  size="small"
                  pagination={false}
                  rowKey={(r: any) => r.target.id}
                  dataSource={d.data.targets}
                  locale={{ emptyText: t('sales.targets.empty') }}
                  columns={[
                    { title: t('sales.targets.name'), render: (_: unknown, r: any) => r.target.name },
                    {
                      title: t('sales.targets.actual'),
                      render: (_: unknown, r: any) => (
                        <Link to={drillHref(r.target.basis === 'order' ? r.drill.orders : r.drill.won)}>
                          {shortMoney(r.actualAmount, lang)}
                        </Link>
                      ),
                    },
                    {
                      title: t('sales.targets.rate'),
                      render: (_: unknown, r: any) => `${r.amountRate ?? 0}%`,
                    },
                  ]}
                />
              </Card>
            </Col>
          </Row>
        </>
      )}
    </div>
  );
}
