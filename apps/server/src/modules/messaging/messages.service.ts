import type { MessageLogItem } from '@kehu/contracts/messaging';
import { type RawBuilder, sql } from 'kysely';
import { type Principal, rowScope } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { maskValue } from '../../engine/records/field-types.ts';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/** Phones and emails in the log are masked for everyone: sending needs no one to read them. */
function maskedAddress(channel: string, address: string | null): string | null {
  if (!address) return null;
  if (channel === 'sms')
    return String(maskValue({ type: 'text', personalKind: 'phone' } as any, address.replace(/^\+86/, '')));
  if (channel === 'email') return String(maskValue({ type: 'text', personalKind: 'email' } as any, address));
  if (channel === 'wecom_private' || channel === 'wecom_mass') return `${address.slice(0, 6)}***`;
  return channel === 'webhook' ? address : null;
}

export function toLogItem(r: any): MessageLogItem {
  return {
    id: r.id,
    profileId: r.profile_id,
    channel: r.channel,
    purpose: r.purpose,
    status: r.status,
    reason: r.reason ?? null,
    address: maskedAddress(r.channel, r.address),
    subject: r.subject ?? null,
    // A message with a one-time code is for its recipient only: staff reading the log see no digits.
    text: r.secret ? (r.body ?? '').replace(/\d/g, '•') : (r.body ?? null),
    templateId: r.template_id ?? null,
    source: { kind: r.source_kind, id: r.source_id, ...(r.step_id ? { stepId: r.step_id } : {}) },
    attempts: r.attempts,
    error: r.error ?? null,
    deferredUntil: iso(r.deferred_until),
    createdAt: iso(r.created_at)!,
    sentAt: iso(r.sent_at),
    deliveredAt: iso(r.delivered_at),
    clickedAt: iso(r.clicked_at),
    openedAt: iso(r.opened_at),
    bouncedAt: iso(r.bounced_at),
  };
}

/**
 * Whose messages a person may read, in their customer data scope: a message belongs to the
 * recipient's owner (the staff member the customer belongs to, recorded at send time) and, for
 * a message a person or an API key sent, to its sender. Tenant scope reads all; a branch reads
 * its units' people's messages; own scope reads the messages to one's customers and one's sends.
 * Journey or campaign messages to a profile with no owner are for tenant scope only.
 */
export function messageScope(p: Principal): RawBuilder<unknown> {
  const s = rowScope(p, 'customer');
  if (s.unitIds === null) return sql`true`;
  const m = sql.table('messaging_messages');
  if (s.ownerId)
    return sql`(${m}.owner_user_id = ${s.ownerId}
      or (${m}.source_kind in ('manual', 'api') and ${m}.source_id = ${s.ownerId}::text))`;
  const people = sql`select u.id from users u where u.tenant_id = ${p.tenantId} and u.unit_id = any(${s.unitIds}::uuid[])`;
  return sql`(${m}.owner_user_id in (${people})
    or (${m}.source_kind in ('manual', 'api') and ${m}.source_id in (select id::text from (${people}) x)))`;
}

export interface LogFilter {
  profileId?: string;
  object?: string;
  recordId?: string;
  channel?: string;
  status?: string;
  reason?: string;
  sourceKind?: string;
  before?: string;
  limit?: number;
}

export async function listMessages(tx: Tx, p: Principal, f: LogFilter) {
  const tenantId = p.tenantId;
  const limit = f.limit ?? 50;
  const rows = (
    await sql<any>`select * from messaging_messages where tenant_id = ${tenantId} and ${messageScope(p)}
      ${f.profileId ? sql`and profile_id = ${f.profileId}` : sql``}
      ${
        f.object && f.recordId
          ? sql`and profile_id in (select profile_id from cdp_profile_links
              where tenant_id = ${tenantId} and object = ${f.object} and record_id = ${f.recordId})`
          : sql``
      }
      ${f.channel ? sql`and channel = ${f.channel}` : sql``}
      ${f.status ? sql`and status = ${f.status}` : sql``}
      ${f.reason ? sql`and reason = ${f.reason}` : sql``}
      ${f.sourceKind ? sql`and source_kind = ${f.sourceKind}` : sql``}
      ${f.before ? sql`and id < ${f.before}::uuid` : sql``}
      order by id desc limit ${limit + 1}`.execute(tx)
  ).rows;
  const more = rows.length > limit;
  const items = rows.slice(0, limit).map(toLogItem);
  return { items, nextBefore: more ? items[items.length - 1]!.id : null };
}

export async function getMessage(tx: Tx, p: Principal, id: string) {
  const r = (
    await sql<any>`select * from messaging_messages where tenant_id = ${p.tenantId} and id = ${id}
      and ${messageScope(p)}`.execute(tx)
  ).rows[0];
  if (!r) throw notFound('message');
  return toLogItem(r);
}

/** Messages per day (tenant time zone) and status over the last `days`, and skips by reason. */
export async function messageStats(tx: Tx, p: Principal, days: number) {
  const tenantId = p.tenantId;
  const tz =
    (await sql<{ tz: string }>`select time_zone as tz from tenants where id = ${tenantId}`.execute(tx))
      .rows[0]?.tz ?? 'Asia/Shanghai';
  const rows = (
    await sql<{
      d: string;
      status: string;
      n: number;
    }>`select to_char(created_at at time zone ${tz}, 'YYYY-MM-DD') as d,
        status, count(*)::int as n
      from messaging_messages where tenant_id = ${tenantId} and created_at > now() - make_interval(days => ${days})
        and ${messageScope(p)}
      group by 1, 2`.execute(tx)
  ).rows;
  const reasons = (
    await sql<{ reason: string; n: number }>`select reason, count(*)::int as n from messaging_messages
      where tenant_id = ${tenantId} and status = 'skipped' and reason is not null
        and created_at > now() - make_interval(days => ${days}) and ${messageScope(p)}
      group by 1 order by 2 desc`.execute(tx)
  ).rows;
  const fmt = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const dayList: string[] = [];
  for (let i = days - 1; i >= 0; i--) dayList.push(fmt.format(new Date(Date.now() - i * 86_400_000)));
  const statuses = ['delivered', 'sent', 'queued', 'deferred', 'skipped', 'failed'] as const;
  return {
    days: dayList,
    series: statuses.map((status) => ({
      status,
      counts: dayList.map((d) => rows.find((r) => r.d === d && r.status === status)?.n ?? 0),
    })),
    byReason: reasons.map((r) => ({ reason: r.reason as any, count: r.n })),
  };
}
