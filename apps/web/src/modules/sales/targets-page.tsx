import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Progress, Row, Segmented, Select, Space, Statistic, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useSession } from '../../app/session';
import { DataTable } from '../../shared/ui/data-table';
import { EChart } from '../../shared/ui/echart';
import { PermissionButton } from '../../shared/ui/permission-button';
import { drillHref, salesApi, shortMoney, yuan } from './sales-api';
import { salesKeys } from './sales-keys';

const pad = (n: number) => String(n).padStart(2, '0');
function periods(type: 'month' | 'quarter'): string[] {
  const now = new Date();
  const out: string[] = [];
  for (let i = -3; i <= 3; i++) {
    if (type === 'month') {
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i, 1));
      out.push(`${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`);
    } else {
      const q = Math.floor(now.getUTCMonth() / 3) + i;
      const y = now.getUTCFullYear() + Math.floor(q / 4);
      out.push(`${y}-Q${(((q % 4) + 4) % 4) + 1}`);
    }
  }
  return out;
}

/** R4.4: targets with live achievement and the weighted-pipeline forecast. */
export function TargetsPage() {
  const { t, i18n } = useTranslation();
  const { unitId, can } = useSession();
  const navigate = useNavigate();
  const [type, setType] = useState<'month' | 'quarter'>('month');
  const options = useMemo(() => periods(type), [type]);
  const [period, setPeriod] = useState<string | null>(null);
  const p = period && options.includes(period) ? period : options[3]!;
  const rows = useQuery({
    queryKey: salesKeys.targets(p, unitId),
    queryFn: () => salesApi.achievement(p, unitId),
  });
  const fc = useQuery({
    queryKey: salesKeys.forecast(p, unitId),
    queryFn: () => salesApi.forecast(p, unitId),
  });
  const option = useMemo(() => {
    const m = fc.data?.months ?? [];
    return {
      tooltip: { trigger: 'axis' },
      legend: {
        top: 0,
        data: [t('sales.targets.won'), t('sales.targets.weighted'), t('sales.targets.commit')],
      },
      grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: m.map((x: any) => x.month) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => shortMoney(v, i18n.language) } },
      series: [
        {
          name: t('sales.targets.won'),
          type: 'bar',
          stack: 'f',
          data: m.map((x: any) => x.won),
          itemStyle: { color: '#52c41a' },
        },
        {
          name: t('sales.targets.weighted'),
          type: 'bar',
          stack: 'f',
          data: m.map((x: any) => x.weighted),
          itemStyle: { color: '#1677ff' },
        },
        { name: t('sales.targets.commit'), type: 'line', data: m.map((x: any) => x.commit) },
      ],
    } as any;
  }, [fc.data, t, i18n.language]);
  return (
    <div className="kehu-page" data-testid="targets-page">
      <Space wrap style={{ marginBottom: 12 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('sales.targets.title')}
        </Typography.Title>
        <Segmented
          value={type}
          onChange={(v) => setType(v as typeof type)}
          options={[
            { value: 'month', label: t('sales.targets.month') },
            { value: 'quarter', label: t('sales.targets.quarter') },
          ]}
        />
        <Select
          value={p}
          onChange={setPeriod}
          options={options.map((o) => ({ value: o, label: o }))}
          style={{ width: 120 }}
        />
        <PermissionButton
          allowed={can('target:create')}
          need={t('sales.targets.new')}
          onClick={() => navigate('/o/target/new')}
          data-testid="target-new"
        >
          {t('sales.targets.new')}
        </PermissionButton>
      </Space>
      {fc.data && (
        <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
          <Col xs={12} md={6}>
            <Card size="small">
              <Statistic
                title={t('sales.targets.won')}
                value={shortMoney(fc.data.total.won, i18n.language)}
              />
            </Card>
          </Col>
          <Col xs={12} md={6}>
            <Card size="small">
              <Statistic
                title={t('sales.targets.weighted')}
                value={shortMoney(fc.data.total.weighted, i18n.language)}
              />
            </Card>
          </Col>
          <Col xs={12} md={6}>
            <Card size="small">
              <Statistic
                title={t('sales.targets.forecast')}
                value={shortMoney(fc.data.forecast, i18n.language)}
              />
            </Card>
          </Col>
          <Col xs={12} md={6}>
            <Card size="small">
              <Statistic
                title={t('sales.targets.bestCase')}
                value={shortMoney(fc.data.total.won + fc.data.total.open, i18n.language)}
              />
            </Card>
          </Col>
        </Row>
      )}
      <Card size="small" title={t('sales.targets.forecastChart')} style={{ marginBottom: 12 }}>
        <EChart option={option} height={240} />
      </Card>
      <Card size="small" title={t('sales.targets.list')}>
        <DataTable<any>
          size="small"
          testId="targets-table"
          rows={rows.data}
          loading={rows.isPending}
          error={rows.error}
          onRetry={() => rows.refetch()}
          rowKey={(r) => r.target.id}
          empty={{
            text: t('sales.targets.empty'),
            action: can('target:create') && (
              <Link to="/o/target/new">
                <Button type="primary">{t('sales.targets.new')}</Button>
              </Link>
            ),
          }}
          columns={[
            {
              key: 'name',
              card: 'title',
              title: t('sales.targets.name'),
              render: (_: unknown, r: any) => (
                <div>
                  <Link to={`/o/target/${r.target.id}`}>{r.target.name}</Link>
                  <div style={{ fontSize: 12, color: '#8c8c8c' }}>
                    {r.target._display?.userId ?? r.target._display?.targetUnitId}
                  </div>
                </div>
              ),
            },
            {
              key: 'goal',
              title: t('sales.targets.goal'),
              render: (_: unknown, r: any) => yuan(r.target.amount?.amount),
            },
            {
              key: 'actual',
              title: t('sales.targets.actual'),
              render: (_: unknown, r: any) => (
                <Link to={drillHref(r.target.basis === 'order' ? r.drill.orders : r.drill.won)}>
                  {yuan(r.actualAmount)}
                </Link>
              ),
            },
            {
              key: 'rate',
              title: t('sales.targets.rate'),
              width: 180,
              render: (_: unknown, r: any) => (
                <Progress
                  percent={Math.min(100, r.amountRate ?? 0)}
                  format={() => `${r.amountRate ?? 0}%`}
                  size="small"
                />
              ),
            },
            {
              key: 'count',
              title: t('sales.targets.count'),
              render: (_: unknown, r: any) => `${r.actualCount} / ${r.target.count ?? '—'}`,
            },
            {
              key: 'forecast',
              title: t('sales.targets.forecast'),
              render: (_: unknown, r: any) => (
                <Link to={drillHref(r.drill.pipeline)}>{yuan(r.forecastAmount)}</Link>
              ),
            },
          ]}
        />
      </Card>
    </div>
  );
}
