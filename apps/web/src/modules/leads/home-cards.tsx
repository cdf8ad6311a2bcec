import { Col, Row, Statistic, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Today } from '../../app/home/today-api';
import { drill, TodayCard, useFormat } from '../../app/home/today-card';
import { TodayList, TodayRow } from '../../app/home/today-list';
import type { HomeCardProps } from '../../app/web-modules';
import { SlaTag } from './sla-tag';

// The leads module's home cards (slot `homeCards`): a salesperson's open leads by SLA bucket,
// a manager's breaches of today.

export function LeadsCard({ data }: HomeCardProps<NonNullable<Today['leads']>>) {
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

export function TeamSlaCard({ data }: HomeCardProps<NonNullable<Today['teamSla']>>) {
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
