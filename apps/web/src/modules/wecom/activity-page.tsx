import { Card, Col, Row, Segmented, Statistic, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../app/session';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult } from '../../shared/ui/error-result';
import { type ActivityRow, useActivity } from './groups-api';
import { ActivityPullBar } from './sync-panel';

interface StaffTotal {
  key: string;
  name: string;
  unitName: string | null;
  added: number;
  deletedByCustomer: number;
  lost: number;
  messages: number;
  chats: number;
  replyRate: number | null;
  avgReplyMinutes: number | null;
}

/**
 * Per staff member over the period. Rates are weighted by the day's chats (Σ rate × chats / Σ chats),
 * the way the staff dashboard (员工数据) adds them up, so both pages show the same figure.
 */
function totals(rows: ActivityRow[]): StaffTotal[] {
  const by = new Map<string, StaffTotal & { rate: [number, number]; avg: [number, number] }>();
  for (const r of rows) {
    const k = `${r.corpRef}|${r.userid}`;
    const s = by.get(k) ?? {
      key: k,
      name: r.name,
      unitName: r.unitName,
      added: 0,
      deletedByCustomer: 0,
      lost: 0,
      messages: 0,
      chats: 0,
      replyRate: null,
      avgReplyMinutes: null,
      rate: [0, 0],
      avg: [0, 0],
    };
    const chats = r.chats ?? 0;
    s.added += r.added;
    s.deletedByCustomer += r.deletedByCustomer;
    s.lost += r.lost;
    s.messages += r.messages ?? 0;
    s.chats += chats;
    if (r.replyRate !== null) s.rate = [s.rate[0] + r.replyRate * chats, s.rate[1] + chats];
    if (r.avgReplyMinutes !== null) s.avg = [s.avg[0] + r.avgReplyMinutes * chats, s.avg[1] + chats];
    by.set(k, s);
  }
  const ratio = ([num, den]: [number, number]) => (den ? Math.round((num / den) * 10) / 10 : null);
  return [...by.values()].map(({ rate, avg, ...s }) => ({
    ...s,
    replyRate: ratio(rate),
    avgReplyMinutes: ratio(avg),
  }));
}

/** Staff activity (R11.3): a salesperson sees themself, a manager their team. */
export function ActivityPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const [days, setDays] = useState(14);
  const activity = useActivity(days);
  const rows = activity.data?.rows ?? [];
  const staff = useMemo(() => totals(rows), [rows]);
  const from = activity.data?.from;
  const to = activity.data?.to;
  // Every day of the range, so quiet days show as zero rather than vanish from the axis.
  const dayList = useMemo(() => {
    if (!from || !to) return [];
    const out: string[] = [];
    for (let d = Date.parse(`${from}T00:00:00Z`); d <= Date.parse(`${to}T00:00:00Z`); d += 86_400_000)
      out.push(new Date(d).toISOString().slice(0, 10));
    return out;
  }, [from, to]);
  const sumBy = (day: string, f: (r: ActivityRow) => number) =>
    rows.filter((r) => r.day === day).reduce((a, r) => a + f(r), 0);
  const sum = (f: (s: StaffTotal) => number) => staff.reduce((a, s) => a + f(s), 0);
  return (
    <div className="kehu-page" data-testid="wecom-activity">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('wecom.activity.title')}
        </Typography.Title>
        <Segmented
          value={days}
          onChange={(v) => setDays(Number(v))}
          options={[7, 14, 30].map((d) => ({ value: d, label: t('wecom.activity.days', { n: d }) }))}
        />
        <ActivityPullBar onPulled={() => void activity.refetch()} />
        {can('staff_analytics:read') && (
          <Link to="/staff-analytics" data-testid="activity-full-dashboard">
            {t('wecom.activity.fullDashboard')}
          </Link>
        )}
      </div>
      {activity.error ? (
        <ErrorResult error={activity.error} onRetry={() => activity.refetch()} />
      ) : (
        <>
          <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('wecom.activity.added')} value={sum((s) => s.added)} />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic
                  title={t('wecom.activity.deletedByCustomer')}
                  value={sum((s) => s.deletedByCustomer)}
                />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('wecom.activity.lost')} value={sum((s) => s.lost)} />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('wecom.activity.messages')} value={sum((s) => s.messages)} />
              </Card>
            </Col>
          </Row>
          <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('wecom.activity.perDay')}>
                <EChart
                  height={240}
                  option={{
                    animation: false,
                    tooltip: { trigger: 'axis' },
                    legend: { top: 0 },
                    grid: { left: 32, right: 12, top: 64, bottom: 24 },
                    xAxis: { type: 'category', data: dayList.map((d) => d.slice(5)) },
                    yAxis: { type: 'value', minInterval: 1 },
                    series: [
                      {
                        name: t('wecom.activity.added'),
                        type: 'line',
                        data: dayList.map((d) => sumBy(d, (r) => r.added)),
                      },
                      {
                        name: t('wecom.activity.deletedByCustomer'),
                        type: 'bar',
                        data: dayList.map((d) => sumBy(d, (r) => r.deletedByCustomer)),
                      },
                      {
                        name: t('wecom.activity.lost'),
                        type: 'bar',
                        data: dayList.map((d) => sumBy(d, (r) => r.lost)),
                      },
                    ],
                  }}
                />
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('wecom.activity.perStaff')}>
                <EChart
                  height={240}
                  option={{
                    animation: false,
                    tooltip: { trigger: 'axis' },
                    legend: { top: 0 },
                    grid: { left: 64, right: 12, top: 40, bottom: 24 },
                    yAxis: { type: 'category', data: staff.map((s) => s.name) },
                    xAxis: { type: 'value', minInterval: 1 },
                    series: [
                      { name: t('wecom.activity.added'), type: 'bar', data: staff.map((s) => s.added) },
                      { name: t('wecom.activity.messages'), type: 'bar', data: staff.map((s) => s.messages) },
                    ],
                  }}
                />
              </Card>
            </Col>
          </Row>
          <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
            <Table
              rowKey="key"
              size="small"
              loading={activity.isPending}
              dataSource={staff}
              pagination={false}
              locale={{ emptyText: t('wecom.activity.empty') }}
              scroll={{ x: 'max-content' }}
              columns={[
                { title: t('wecom.activity.staff'), dataIndex: 'name' },
                {
                  title: t('wecom.activity.team'),
                  dataIndex: 'unitName',
                  responsive: ['md'],
                  render: (v) => v ?? '—',
                },
                { title: t('wecom.activity.added'), dataIndex: 'added', align: 'right' },
                {
                  title: t('wecom.activity.deletedByCustomer'),
                  dataIndex: 'deletedByCustomer',
                  align: 'right',
                },
                { title: t('wecom.activity.lost'), dataIndex: 'lost', align: 'right', responsive: ['sm'] },
                { title: t('wecom.activity.chats'), dataIndex: 'chats', align: 'right', responsive: ['md'] },
                {
                  title: t('wecom.activity.messages'),
                  dataIndex: 'messages',
                  align: 'right',
                  responsive: ['md'],
                },
                {
                  title: t('wecom.activity.replyRate'),
                  dataIndex: 'replyRate',
                  align: 'right',
                  responsive: ['lg'],
                  render: (v: number | null) => (v === null ? '—' : `${v}%`),
                },
                {
                  title: t('wecom.activity.avgReply'),
                  dataIndex: 'avgReplyMinutes',
                  align: 'right',
                  responsive: ['lg'],
                  render: (v: number | null) => (v === null ? '—' : t('wecom.activity.minutes', { n: v })),
                },
              ]}
            />
          </Card>
        </>
      )}
    </div>
  );
}
