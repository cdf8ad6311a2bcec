import {
  AuditOutlined,
  CarOutlined,
  CheckSquareOutlined,
  CustomerServiceOutlined,
  EditOutlined,
  FileDoneOutlined,
  FileTextOutlined,
  MailOutlined,
  MoneyCollectOutlined,
  PhoneOutlined,
  RiseOutlined,
  ShoppingCartOutlined,
  TeamOutlined,
  ThunderboltOutlined,
  WechatOutlined,
} from '@ant-design/icons';
import { Button, Empty, Space, Spin, Tag, Timeline, Typography } from 'antd';
import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { normalizeOptions, useLabel, useObjectMeta } from '../../app/meta';
import { formatCurrency } from '../../shared/format';
import {
  TIMELINE_KINDS,
  type TimelineItem,
  type TimelineKind,
  type TimelineSource,
  useTimeline,
} from './cdp-api';

dayjs.extend(relativeTime);

const COLORS: Record<TimelineKind, string> = {
  event: '#1677ff',
  activity: '#52c41a',
  money: '#d48806',
  stage: '#722ed1',
  crm: '#8c8c8c',
  service: '#eb2f96',
};
const ACTIVITY_ICONS: Record<string, ReactNode> = {
  call: <PhoneOutlined />,
  visit: <CarOutlined />,
  meeting: <TeamOutlined />,
  email: <MailOutlined />,
  wecom: <WechatOutlined />,
  task: <CheckSquareOutlined />,
  note: <FileTextOutlined />,
};
const MONEY_ICONS: Record<string, ReactNode> = {
  order: <ShoppingCartOutlined />,
  payment: <MoneyCollectOutlined />,
  contract: <FileDoneOutlined />,
  quote: <AuditOutlined />,
};

function iconOf(e: TimelineItem): ReactNode {
  if (e.kind === 'event') return <ThunderboltOutlined />;
  if (e.kind === 'activity') return ACTIVITY_ICONS[e.type] ?? <PhoneOutlined />;
  if (e.kind === 'money') return MONEY_ICONS[e.object ?? ''] ?? <ShoppingCartOutlined />;
  if (e.kind === 'stage') return <RiseOutlined />;
  if (e.kind === 'service') return <CustomerServiceOutlined />;
  return <EditOutlined />;
}

// Amounts are integer minor units (fen), formatted like every currency field (shared/format.ts).
const money = (a: { amount: number; currency: string }, lang: string) => formatCurrency(a, lang);

/** A few properties as people read them: named keys by their catalogue names. */
function propsText(
  p: Record<string, unknown> | undefined,
  names: Record<string, string>,
  traitName: (k: string) => string,
  pair: (k: string, v: string) => string,
) {
  const entries = Object.entries(p ?? {}).filter(([, v]) => v !== null && typeof v !== 'object');
  return entries
    .slice(0, 4)
    .map(([k, v]) => pair(names[k] ?? traitName(k), String(v)))
    .join(' · ');
}

/** A picklist value's label from the object's metadata (raw value when the viewer may not read it). */
function usePicklist(object: string | undefined, field: string) {
  const meta = useObjectMeta(object);
  const label = useLabel();
  const f = meta.data?.fields.find((x) => x.apiName === field);
  const options = normalizeOptions(f?.options ?? null);
  return (v: unknown) => {
    const o = options.find((x) => x.value === v);
    return o ? label(o.label, String(v)) : v === null || v === undefined ? '—' : String(v);
  };
}

function ItemBody({ e }: { e: TimelineItem }) {
  const { t, i18n } = useTranslation();
  const pick = usePicklist(
    e.kind === 'money' || e.kind === 'stage' ? e.object : undefined,
    e.kind === 'stage' ? 'stage' : 'status',
  );
  const obj = e.object ? t(`cdp.profile.objects.${e.object}`, { defaultValue: e.object }) : '';
  const action = t(`cdp.profile.actions.${e.type}`, { defaultValue: e.type });
  const record =
    e.object && e.recordId ? (
      <Link to={`/o/${e.object}/${e.recordId}`}>{e.title ?? t('records.untitled')}</Link>
    ) : (
      e.title
    );
  let line: ReactNode;
  let detail: ReactNode = null;
  if (e.kind === 'event') {
    // Message types read as words (页面浏览, 行为事件 …), never track/page/identify.
    const kind = t(`cdp.msgType.${e.type}`, { defaultValue: e.type });
    const name = e.displayName ?? e.title ?? kind;
    line = (
      <>
        <strong data-testid="timeline-event-name">{name}</strong>{' '}
        {name !== kind && <Tag style={{ marginInlineStart: 4 }}>{kind}</Tag>}
      </>
    );
    // Unnamed keys of a profile update are traits: common ones have names too (城市, 会员等级 …).
    detail = propsText(
      e.properties,
      e.propertyNames ?? {},
      (k) => t(`cdp.traitName.${k}`, { defaultValue: k }),
      (k, v) => t('cdp.words.propPair', { k, v }),
    );
  } else if (e.kind === 'service') {
    // A service ticket: its own page, its status now; complaints stand out.
    line = (
      <>
        {e.recordId ? <Link to={`/service/tickets/${e.recordId}`}>{e.title}</Link> : e.title}
        {e.type === 'complaint' && (
          <Tag color="red" style={{ marginInlineStart: 6 }}>
            {t('cdp.profile.ticketComplaint')}
          </Tag>
        )}
      </>
    );
    detail = e.status ? t(`cdp.profile.ticketStatus.${e.status}`, { defaultValue: e.status }) : null;
  } else if (e.kind === 'activity') {
    line = (
      <>
        {action} · {record}
      </>
    );
  } else if (e.kind === 'stage') {
    line = (
      <>
        {obj} {record} · {action}
      </>
    );
    detail = (e.changes ?? [])
      .filter((c) => c.field === 'stage')
      .map((c) => `${pick(c.from)} → ${pick(c.to)}`)
      .join(', ');
  } else {
    line = (
      <>
        {obj} {record} · {action}
      </>
    );
    if (e.kind === 'money')
      detail = [e.amount ? money(e.amount, i18n.language) : null, e.status ? pick(e.status) : null]
        .filter(Boolean)
        .join(' · ');
    if (e.comment) detail = detail ? `${detail} · ${e.comment}` : e.comment;
  }
  return (
    <Space direction="vertical" size={0} style={{ minWidth: 0 }}>
      <span style={{ wordBreak: 'break-word' }}>
        {line}
        {e.actor ? <Typography.Text type="secondary"> · {e.actor}</Typography.Text> : null}
      </span>
      {detail ? (
        <Typography.Text type="secondary" style={{ fontSize: 12, wordBreak: 'break-all' }}>
          {detail}
        </Typography.Text>
      ) : null}
      <Typography.Text
        type="secondary"
        style={{ fontSize: 12 }}
        title={dayjs(e.at).format('YYYY-MM-DD HH:mm:ss')}
      >
        {dayjs(e.at).fromNow()}
      </Typography.Text>
    </Space>
  );
}

/**
 * One timeline of a person — a profile's, or a customer's (events of its people and its CRM
 * history in one list): kind filters, icons, relative times, "load more" paging.
 */
export function ProfileTimeline(props: { profileId: string } | { customerId: string }) {
  const { t } = useTranslation();
  const [kinds, setKinds] = useState<TimelineKind[]>([...TIMELINE_KINDS]);
  const source: TimelineSource =
    'customerId' in props ? { customerId: props.customerId } : { profileId: props.profileId };
  const q = useTimeline(source, kinds);
  const items = (q.data?.pages ?? []).flatMap((p) => p.items);
  const toggle = (k: TimelineKind, on: boolean) =>
    setKinds((cur) =>
      on ? TIMELINE_KINDS.filter((x) => x === k || cur.includes(x)) : cur.filter((x) => x !== k),
    );
  return (
    <div>
      <Space wrap size={[4, 8]} style={{ marginBottom: 12 }} data-testid="timeline-filters">
        {TIMELINE_KINDS.map((k) => (
          <Tag.CheckableTag
            key={k}
            checked={kinds.includes(k)}
            onChange={(on) => toggle(k, on)}
            data-testid={`timeline-filter-${k}`}
            style={{ border: '1px solid #d9d9d9', padding: '2px 10px' }}
          >
            {t(`cdp.profile.tl.${k}`)}
          </Tag.CheckableTag>
        ))}
      </Space>
      {q.isPending && kinds.length > 0 ? (
        <Spin />
      ) : items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('cdp.profile.timelineEmpty')} />
      ) : (
        <Timeline
          data-testid="profile-timeline"
          items={items.map((e) => ({
            key: e.key,
            color: COLORS[e.kind],
            dot: <span style={{ color: COLORS[e.kind], fontSize: 14 }}>{iconOf(e)}</span>,
            children: (
              <div data-testid={`timeline-item-${e.kind}`}>
                <ItemBody e={e} />
              </div>
            ),
          }))}
        />
      )}
      {q.hasNextPage ? (
        <Button
          block
          onClick={() => q.fetchNextPage()}
          loading={q.isFetchingNextPage}
          data-testid="timeline-more"
        >
          {t('cdp.profile.loadMore')}
        </Button>
      ) : items.length > 0 ? (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('cdp.profile.timelineEnd')}
        </Typography.Text>
      ) : null}
    </div>
  );
}
