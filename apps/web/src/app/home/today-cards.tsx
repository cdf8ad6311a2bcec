import { InboxOutlined, RightOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Col, Progress, Row, Statistic, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { SlaTag } from '../../modules/leads/sla-tag';
import { EChart } from '../../modules/sales/echart';
import { formatCurrency } from '../../records/field-value';
import { useLabel } from '../meta';
import type { Label, Money, Today } from './today-api';
import { rowEnd, TodayList, TodayRow, TwoLines, twoLines } from './today-list';

const drill = (object: string, filter: unknown) =>
  `/o/${object}?filter=${encodeURIComponent(JSON.stringify(filter))}`;

function useFormat() {
  const { i18n } = useTranslation();
  const lang = i18n.language;
  const label = useLabel();
  const money = (m: Money | number, currency = 'CNY') =>
    formatCurrency(typeof m === 'number' ? { amount: m, currency } : m, lang);
  /** Today's times as HH:mm, other days with the date: a salesperson thinks in "this afternoon". */
  const when = (iso: string | null) => {
    if (!iso) return '';
    const d = new Date(iso);
    const sameDay = d.toDateString() === new Date().toDateString();
    return new Intl.DateTimeFormat(lang, {
      ...(sameDay ? {} : { month: '2-digit', day: '2-digit' }),
      hour: '2-digit',
      minute: '2-digit',
    }).format(d);
  };
  const day = (date: string | null) =>
    date
      ? new Intl.DateTimeFormat(lang, { month: '2-digit', day: '2-digit' }).format(
          new Date(`${date}T00:00:00`),
        )
      : '';
  const opt = (l: Label, fallback: string | null) => (l ? label(l, fallback ?? '') : (fallback ?? ''));
  return { money, when, day, opt, lang };
}

/** One "my day" card: title with a count, a link to the full list, and an empty state that says what to do. */
function TodayCard({
  id,
  title,
  count,
  countTone,
  to,
  children,
  empty,
  emptyAction,
}: {
  id: string;
  title: string;
  count?: number | string;
  countTone?: 'danger' | 'default';
  /** The full list; none for notifications, whose full list is the bell. */
  to?: string;
  children?: ReactNode;
  empty?: string | null;
  emptyAction?: { to: string; label: string };
}) {
  const { t } = useTranslation();
  return (
    <Card
      size="small"
      data-testid={`today-${id}`}
      title={
        <span style={{ display: 'inline-flex', alignItems: 'center', gap: 8 }}>
          {title}
          {count !== undefined && (
            <Badge
              count={count}
              showZero
              overflowCount={999}
              color={!count ? '#bfbfbf' : countTone === 'danger' ? '#ff4d4f' : '#1677ff'}
            />
          )}
        </span>
      }
      extra={
        to && (
          <Link to={to} data-testid={`today-${id}-all`}>
            {t('today.viewAll')} <RightOutlined style={{ fontSize: 10 }} />
          </Link>
        )
      }
      style={{ height: '100%' }}
      styles={{ body: { paddingTop: 8 } }}
    >
      {empty ? (
        // Compact on purpose: on a phone six empty cards with pictures would push the work off screen.
        <div style={{ padding: '4px 0' }}>
          <Typography.Paragraph type="secondary" style={{ marginBottom: emptyAction ? 8 : 0 }}>
            <InboxOutlined style={{ marginInlineEnd: 6 }} />
            <span data-testid={`today-${id}-empty`}>{empty}</span>
          </Typography.Paragraph>
          {emptyAction && (
            <Link to={emptyAction.to}>
              <Button size="small">{emptyAction.label}</Button>
            </Link>
          )}
        </div>
      ) : (
        children
      )}
    </Card>
  );
}

export function LeadsCard({ data }: { data: NonNullable<Today['leads']> }) {
  const { t } = useTranslation();
  const { when } = useFormat();
  return (
    <TodayCard
      id="leads"
      title={t('today.leads.title')}
      count={data.open}
      countTone={data.breached > 0 ? 'danger' : 'default'}
      to="/leads/inbox"
      empty={data.open === 0 ? t('today.leads.empty') : null}
      emptyAction={{ to: '/leads/pool', label: t('today.leads.emptyAction') }}
    >
      <Row gutter={8} style={{ textAlign: 'center', marginBottom: 4 }} data-testid="today-leads-buckets">
        <Col span={8}>
          <Statistic
            title={t('today.leads.breached')}
            value={data.breached}
            valueStyle={{ color: data.breached ? '#cf1322' : undefined, fontSize: 22 }}
          />
        </Col>
        <Col span={8}>
          <Statistic
            title={t('today.leads.dueSoon')}
            value={data.dueSoon}
            valueStyle={{ color: data.dueSoon ? '#d46b08' : undefined, fontSize: 22 }}
          />
        </Col>
        <Col span={8}>
          <Statistic title={t('today.leads.later')} value={data.later} valueStyle={{ fontSize: 22 }} />
        </Col>
      </Row>
      <TodayList
        items={data.items}
        row={(l) => (
          <TodayRow
            to={`/leads/inbox/${l.id}`}
            title={l.name}
            sub={
              <>
                {l.company}
                {l.nextFollowUpAt && !l.firstResponseDueAt
                  ? ` · ${t('today.leads.followUp', { time: when(l.nextFollowUpAt) })}`
                  : ''}
              </>
            }
          >
            <SlaTag dueAt={l.firstResponseDueAt} respondedAt={l.firstRespondedAt} />
          </TodayRow>
        )}
      />
    </TodayCard>
  );
}

export function FollowUpsCard({ data, userId }: { data: NonNullable<Today['followUps']>; userId: string }) {
  const { t } = useTranslation();
  const { when, opt } = useFormat();
  const filter = {
    and: [
      { field: 'ownerId', op: 'eq', value: userId },
      { field: 'status', op: 'eq', value: 'open' },
      {
        or: [
          { field: 'dueAt', op: 'today' },
          { field: 'dueAt', op: 'lt', value: new Date().toISOString() },
        ],
      },
    ],
  };
  return (
    <TodayCard
      id="followups"
      title={t('today.followUps.title')}
      count={data.more ? t('today.more', { count: data.total }) : data.total}
      countTone={data.items.some((a) => a.overdue) ? 'danger' : 'default'}
      to={drill('activity', filter)}
      empty={data.total === 0 ? t('today.followUps.empty') : null}
    >
      <TodayList
        items={data.items}
        row={(a) => (
          <TodayRow
            to={
              a.leadId
                ? `/leads/inbox/${a.leadId}`
                : a.customerId
                  ? `/sales/customers/${a.customerId}`
                  : `/o/activity/${a.id}`
            }
            title={a.subject || opt(a.typeLabel, a.type)}
            sub={[opt(a.typeLabel, a.type), a.leadName ?? a.customerName].filter(Boolean).join(' · ')}
          >
            <Tag color={a.overdue ? 'error' : 'processing'} style={{ marginInlineEnd: 0 }}>
              {a.overdue ? `${t('today.followUps.overdue')} ${when(a.dueAt)}` : when(a.dueAt)}
            </Tag>
          </TodayRow>
        )}
      />
    </TodayCard>
  );
}

export function DealsCard({ data }: { data: NonNullable<Today['closingDeals']> }) {
  const { t } = useTranslation();
  const { money, day, opt } = useFormat();
  return (
    <TodayCard
      id="deals"
      title={t('today.deals.title')}
      count={data.more ? t('today.more', { count: data.count }) : data.count}
      to="/sales/kanban"
      empty={data.count === 0 ? t('today.deals.empty') : null}
      emptyAction={{ to: '/sales/kanban', label: t('today.deals.emptyAction') }}
    >
      <Typography.Text type="secondary" data-testid="today-deals-summary">
        {t('today.deals.summary', { count: data.count, amount: money(data.amount, data.currency) })}
      </Typography.Text>
      <TodayList
        items={data.items}
        row={(o) => (
          <TodayRow
            to={`/o/opportunity/${o.id}`}
            title={o.name}
            sub={[o.customerName, t('today.deals.close', { date: day(o.expectedCloseDate) })]
              .filter(Boolean)
              .join(' · ')}
          >
            <span style={rowEnd}>
              <Typography.Text strong style={{ display: 'block' }}>
                {money(o.amount)}
              </Typography.Text>
              <Tag style={{ marginInlineEnd: 0 }}>
                {opt(o.stageLabel, o.stage)}
                {o.probability != null ? ` ${o.probability}%` : ''}
              </Tag>
            </span>
          </TodayRow>
        )}
      />
    </TodayCard>
  );
}

export function QuotesCard({ data, userId }: { data: NonNullable<Today['pendingQuotes']>; userId: string }) {
  const { t } = useTranslation();
  const { money, when } = useFormat();
  const filter = {
    and: [
      { field: 'ownerId', op: 'eq', value: userId },
      { field: 'status', op: 'eq', value: 'pending_approval' },
    ],
  };
  return (
    <TodayCard
      id="quotes"
      title={t('today.quotes.title')}
      count={data.more ? t('today.more', { count: data.total }) : data.total}
      to={drill('quote', filter)}
      empty={data.total === 0 ? t('today.quotes.empty') : null}
    >
      <TodayList
        items={data.items}
        row={(q) => (
          <TodayRow
            to={`/o/quote/${q.id}`}
            title={q.name}
            sub={[q.customerName, when(q.updatedAt)].filter(Boolean).join(' · ')}
          >
            <span style={rowEnd}>
              <Typography.Text strong style={{ display: 'block' }}>
                {money(q.total)}
              </Typography.Text>
              {q.discountPercent != null && (
                <Tag color="orange" style={{ marginInlineEnd: 0 }}>
                  {t('today.quotes.discount', { pct: q.discountPercent })}
                </Tag>
              )}
            </span>
          </TodayRow>
        )}
      />
    </TodayCard>
  );
}

export function TargetCard({ data }: { data: NonNullable<Today['target']> }) {
  const { t } = useTranslation();
  const { money } = useFormat();
  const g = data.target;
  const rate = g?.amountRate ?? 0;
  const option = {
    series: [
      {
        type: 'gauge' as const,
        startAngle: 210,
        endAngle: -30,
        min: 0,
        max: 100,
        radius: '100%',
        center: ['50%', '60%'],
        progress: { show: true, width: 12, itemStyle: { color: rate >= 100 ? '#52c41a' : '#1677ff' } },
        axisLine: { lineStyle: { width: 12 } },
        axisTick: { show: false },
        splitLine: { show: false },
        axisLabel: { show: false },
        pointer: { show: false },
        anchor: { show: false },
        title: { offsetCenter: [0, '30%'], fontSize: 12, color: '#8c8c8c' },
        detail: { offsetCenter: [0, '-5%'], fontSize: 24, fontWeight: 600, formatter: '{value}%' },
        data: [{ value: Math.min(Math.round(rate), 999), name: t('today.target.achieved') }],
      },
    ],
  };
  return (
    <TodayCard
      id="target"
      title={t('today.target.title')}
      to="/sales/targets"
      empty={g ? null : t('today.target.empty')}
      emptyAction={{ to: '/sales/targets', label: t('today.target.emptyAction') }}
    >
      {g && (
        <div style={{ display: 'flex', alignItems: 'center', gap: 12 }}>
          <div style={{ width: 150, flexShrink: 0 }}>
            <EChart option={option} height={130} testId="today-target-gauge" />
          </div>
          <div style={{ ...twoLines, gap: 4 }}>
            <Typography.Text strong style={{ fontSize: 18 }}>
              {money(g.actualAmount, g.targetAmount?.currency)}
            </Typography.Text>
            <Typography.Text type="secondary">
              {t('today.target.of', { amount: money(g.targetAmount) })}
            </Typography.Text>
            {g.targetCount ? (
              <Typography.Text type="secondary">
                {t('today.target.deals', { actual: g.actualCount, target: g.targetCount })}
              </Typography.Text>
            ) : null}
            <Typography.Text type="secondary">
              {t('today.target.forecast', { amount: money(g.forecastAmount, g.targetAmount?.currency) })}
            </Typography.Text>
          </div>
        </div>
      )}
    </TodayCard>
  );
}

/** A step is named by the flow's author: plain text, or a label per language. */
const step = (name: Label | string | null, opt: (l: Label, f: string | null) => string) =>
  name && typeof name === 'object' ? opt(name, null) : name;

export function ApprovalsCard({ data }: { data: NonNullable<Today['approvals']> }) {
  const { t } = useTranslation();
  const { when, opt } = useFormat();
  return (
    <TodayCard
      id="approvals"
      title={t('today.approvals.title')}
      count={data.pending}
      countTone={data.pending ? 'danger' : 'default'}
      to="/sales/approvals"
      empty={data.pending === 0 ? t('today.approvals.empty') : null}
    >
      <TodayList
        items={data.items}
        row={(a) => (
          <TodayRow
            title={a.recordName ?? a.object}
            sub={[
              a.requester ? t('today.approvals.by', { name: a.requester }) : null,
              step(a.stepName, opt),
              when(a.createdAt),
            ]
              .filter(Boolean)
              .join(' · ')}
          >
            <Link to={`/sales/approvals?open=${a.id}`} data-testid="today-approve">
              <Button type="primary" size="small">
                {t('today.approvals.approve')}
              </Button>
            </Link>
          </TodayRow>
        )}
      />
    </TodayCard>
  );
}

export function TeamSlaCard({ data }: { data: NonNullable<Today['teamSla']> }) {
  const { t } = useTranslation();
  const { when } = useFormat();
  const filter = {
    and: [
      { field: 'slaBreached', op: 'eq', value: true },
      { field: 'firstResponseDueAt', op: 'today' },
    ],
  };
  return (
    <TodayCard
      id="team-sla"
      title={t('today.teamSla.title')}
      count={data.more ? t('today.more', { count: data.breachedToday }) : data.breachedToday}
      countTone={data.breachedToday ? 'danger' : 'default'}
      to={drill('lead', filter)}
      empty={data.breachedToday === 0 ? t('today.teamSla.empty') : null}
    >
      <TodayList
        items={data.items}
        row={(l) => (
          <TodayRow
            to={`/leads/inbox/${l.id}`}
            title={l.name}
            sub={[l.company, l.ownerName ? t('today.teamSla.owner', { name: l.ownerName }) : null]
              .filter(Boolean)
              .join(' · ')}
          >
            <Tag color="error" style={{ marginInlineEnd: 0 }}>
              {t('today.teamSla.due', { time: when(l.firstResponseDueAt) })}
            </Tag>
          </TodayRow>
        )}
      />
    </TodayCard>
  );
}

export function PipelineCard({ data }: { data: NonNullable<Today['teamPipeline']> }) {
  const { t } = useTranslation();
  const { money } = useFormat();
  const empty = data.won + data.open === 0;
  const target = data.won + data.open;
  const pct = (v: number) => (target > 0 ? Math.round((v / target) * 100) : 0);
  const rows: [string, number, string][] = [
    [t('today.pipeline.won'), data.won, '#52c41a'],
    [t('today.pipeline.commit'), data.commit, '#13c2c2'],
    [t('today.pipeline.weighted'), data.weighted, '#1677ff'],
    [t('today.pipeline.open'), data.open, '#8c8c8c'],
  ];
  return (
    <TodayCard
      id="pipeline"
      title={t('today.pipeline.title')}
      to="/sales/dashboard"
      empty={empty ? t('today.pipeline.empty') : null}
      emptyAction={{ to: '/sales/kanban', label: t('today.pipeline.kanban') }}
    >
      <Typography.Text strong style={{ fontSize: 18 }} data-testid="today-pipeline-forecast">
        {t('today.pipeline.forecast', { amount: money(data.forecast) })}
      </Typography.Text>
      <div style={{ marginTop: 8 }}>
        {rows.map(([name, v, color]) => (
          <div key={name} style={{ marginBottom: 6 }}>
            <div style={{ display: 'flex', justifyContent: 'space-between', fontSize: 13 }}>
              <Typography.Text type="secondary">{name}</Typography.Text>
              <Typography.Text>{money(v)}</Typography.Text>
            </div>
            <Progress percent={pct(v)} showInfo={false} strokeColor={color} size="small" />
          </div>
        ))}
      </div>
    </TodayCard>
  );
}

export function NotificationsCard({ data }: { data: Today['notifications'] }) {
  const { t } = useTranslation();
  const { when } = useFormat();
  const fix = (link: string) =>
    link.startsWith('/o/lead/') ? link.replace('/o/lead/', '/leads/inbox/') : link;
  return (
    <TodayCard
      id="notifications"
      title={t('today.notifications.title')}
      count={data.unread}
      empty={data.items.length === 0 ? t('today.notifications.empty') : null}
    >
      <TodayList
        items={data.items}
        row={(n) => {
          const body = (
            <span style={{ display: 'flex', gap: 8, width: '100%', alignItems: 'center' }}>
              <Badge status={n.readAt ? 'default' : 'processing'} />
              <TwoLines title={n.title} sub={n.body || null} strong={!n.readAt} />
              <Typography.Text type="secondary" style={{ fontSize: 12, flexShrink: 0 }}>
                {when(n.createdAt)}
              </Typography.Text>
            </span>
          );
          return n.link ? (
            <Link to={fix(n.link)} style={{ width: '100%' }}>
              {body}
            </Link>
          ) : (
            body
          );
        }}
      />
    </TodayCard>
  );
}
