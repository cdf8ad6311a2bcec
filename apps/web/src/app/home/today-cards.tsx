import { Badge, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Today } from './today-api';
import { drill, TodayCard, useFormat } from './today-card';
import { TodayList, TodayRow, TwoLines } from './today-list';

// The shell's own home cards: follow-ups (activities, a record engine object) and notifications.
// Domain cards come from the modules' `homeCards` slot.

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
                  ? `/o/customer/${a.customerId}`
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

export function NotificationsCard({ data }: { data: NonNullable<Today['notifications']> }) {
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
