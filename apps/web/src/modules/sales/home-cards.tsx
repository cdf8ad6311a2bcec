import { Button, Progress, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Label, Today } from '../../app/home/today-api';
import { drill, TodayCard, useFormat } from '../../app/home/today-card';
import { rowEnd, TodayList, TodayRow, twoLines } from '../../app/home/today-list';
import type { HomeCardProps } from '../../app/web-modules';

// The sales module's home cards (slot `homeCards`): deals closing, quotes waiting, the month's
// target, approvals waiting on the user, the team's pipeline.

export function DealsCard({ data }: HomeCardProps<NonNullable<Today['closingDeals']>>) {
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

export function QuotesCard({ data, userId }: HomeCardProps<NonNullable<Today['pendingQuotes']>>) {
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

export function TargetCard({ data }: HomeCardProps<NonNullable<Today['target']>>) {
  const { t } = useTranslation();
  const { money } = useFormat();
  const g = data.target;
  const rate = g?.amountRate ?? 0;
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
            {/* antd's dashboard progress, not an ECharts gauge: the chart library would be most of the home page's download. */}
            <Progress
              type="dashboard"
              percent={Math.min(Math.round(rate), 100)}
              // The ring stops at 100 %, the figure does not: 130 % of target is worth reading.
              format={() => (
                <span>
                  <span style={{ fontSize: 24, fontWeight: 600 }}>{Math.min(Math.round(rate), 999)}%</span>
                  <br />
                  <span style={{ fontSize: 12, color: '#8c8c8c' }}>{t('today.target.achieved')}</span>
                </span>
              )}
              strokeColor={rate >= 100 ? '#52c41a' : '#1677ff'}
              size={130}
              data-testid="today-target-gauge"
            />
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

export function ApprovalsCard({ data }: HomeCardProps<NonNullable<Today['approvals']>>) {
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

export function PipelineCard({ data }: HomeCardProps<NonNullable<Today['teamPipeline']>>) {
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
