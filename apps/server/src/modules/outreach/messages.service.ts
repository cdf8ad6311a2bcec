import type { MassMessage, MassMessageDetail } from '@kehu/contracts/outreach';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { staffOfCorp } from '../wecom/index.ts';
import { om } from './outreach.messages.ts';
import { recordScope } from './scope.ts';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/** Counts per status, and replies: a customer's message in the chat archive within 24 h of the send. */
const countsSql = (tenantId: string) => sql<any>`
  select r.message_id,
    count(*) filter (where r.status = 'planned')::int as planned,
    count(*) filter (where r.status = 'excluded')::int as excluded,
    count(*) filter (where r.status = 'waiting')::int as waiting,
    count(*) filter (where r.status = 'sent')::int as sent,
    count(*) filter (where r.status = 'failed')::int as failed,
    count(*) filter (where r.status = 'not_friend')::int as not_friend,
    count(*) filter (where r.status = 'over_limit')::int as over_limit,
    count(*) filter (where r.status = 'sent' and exists (select 1 from chat_messages c
      join outreach_tasks t on t.tenant_id = r.tenant_id and t.message_id = r.message_id and t.msgid = r.msgid
      where c.tenant_id = r.tenant_id and c.external_userid = r.target and c.direction = 'in'
        and c.msgtime >= t.sent_at - interval '1 hour' and c.msgtime < t.sent_at + interval '24 hours'))::int as replied,
    coalesce(jsonb_object_agg(r.reason, 1) filter (where r.reason is not null), '{}') as reasons_seen
  from outreach_recipients r where r.tenant_id = ${tenantId}`;

function toMessage(m: any, c: any, reasons: Record<string, number>): MassMessage {
  return {
    id: m.id,
    corpRef: m.corp_ref,
    chatType: m.chat_type,
    title: m.title,
    text: m.body,
    attachments: m.attachments,
    materials: (m.materials ?? []).map((x: any) => ({ id: x.materialId, kind: x.kind, title: x.title })),
    audience: m.audience,
    status: m.status,
    scheduledAt: iso(m.scheduled_at),
    quietHoursMoved: m.quiet_moved,
    createdAt: iso(m.created_at)!,
    createdBy: m.created_by,
    counts: {
      planned: c?.planned ?? 0,
      excluded: c?.excluded ?? 0,
      waiting: c?.waiting ?? 0,
      sent: c?.sent ?? 0,
      failed: c?.failed ?? 0,
      notFriend: c?.not_friend ?? 0,
      overLimit: c?.over_limit ?? 0,
      replied: c?.replied ?? 0,
    },
    exclusions: reasons,
  };
}

async function reasonsOf(tx: Tx, tenantId: string, ids: string[]) {
  const rows = (
    await sql<{ message_id: string; reason: string; n: number }>`select message_id, reason, count(*)::int as n
      from outreach_recipients where tenant_id = ${tenantId} and message_id = any(${ids}::uuid[]) and reason is not null
      group by message_id, reason`.execute(tx)
  ).rows;
  const out = new Map<string, Record<string, number>>();
  for (const r of rows) out.set(r.message_id, { ...(out.get(r.message_id) ?? {}), [r.reason]: r.n });
  return out;
}

export async function listMessages(tx: Tx, p: Principal): Promise<MassMessage[]> {
  const ms = (
    await sql<any>`select * from outreach_messages m where m.tenant_id = ${p.tenantId}
      and ${recordScope(p, 'm.unit_id', 'm.created_by')} order by m.created_at desc limit 200`.execute(tx)
  ).rows;
  if (!ms.length) return [];
  const ids = ms.map((m) => m.id);
  const counts = new Map(
    (
      await sql<any>`${countsSql(p.tenantId)} and r.message_id = any(${ids}::uuid[]) group by r.message_id`.execute(
        tx,
      )
    ).rows.map((c) => [c.message_id, c]),
  );
  const reasons = await reasonsOf(tx, p.tenantId, ids);
  return ms.map((m) => toMessage(m, counts.get(m.id), reasons.get(m.id) ?? {}));
}

async function messageRow(tx: Tx, p: Principal, id: string) {
  const m = (
    await sql<any>`select * from outreach_messages m where m.tenant_id = ${p.tenantId} and m.id = ${id}
      and ${recordScope(p, 'm.unit_id', 'm.created_by')}`.execute(tx)
  ).rows[0];
  if (!m) throw notFound('outreach_message');
  return m;
}

export async function getMessage(tx: Tx, p: Principal, id: string): Promise<MassMessageDetail> {
  const m = await messageRow(tx, p, id);
  const c = (
    await sql<any>`${countsSql(p.tenantId)} and r.message_id = ${id} group by r.message_id`.execute(tx)
  ).rows[0];
  const reasons = (await reasonsOf(tx, p.tenantId, [id])).get(id) ?? {};
  const names = await staffOfCorp(tx, p.tenantId, m.corp_ref);
  const staff = (
    await sql<{ staff_userid: string; n: number; statuses: string[]; msgids: string[] }>`
      select r.staff_userid, count(*)::int as n,
        coalesce((select array_agg(distinct t.status) from outreach_tasks t where t.tenant_id = r.tenant_id
          and t.message_id = r.message_id and t.staff_userid = r.staff_userid), '{}') as statuses,
        coalesce((select array_agg(t.msgid order by t.batch) from outreach_tasks t where t.tenant_id = r.tenant_id
          and t.message_id = r.message_id and t.staff_userid = r.staff_userid and t.msgid is not null), '{}') as msgids
      from outreach_recipients r where r.tenant_id = ${p.tenantId} and r.message_id = ${id} and r.status <> 'excluded'
      group by r.tenant_id, r.message_id, r.staff_userid order by n desc, r.staff_userid`.execute(tx)
  ).rows;
  const excluded = (
    await sql<{
      target: string;
      name: string | null;
      reason: any;
    }>`select target, name, reason from outreach_recipients
      where tenant_id = ${p.tenantId} and message_id = ${id} and status = 'excluded' order by reason, target limit 500`.execute(
      tx,
    )
  ).rows;
  const taskStatus = (s: string[]) =>
    s.includes('pending')
      ? 'pending'
      : s.includes('sent')
        ? 'sent'
        : s.includes('cancelled')
          ? 'cancelled'
          : 'planned';
  return {
    ...toMessage(m, c, reasons),
    staff: staff.map((s) => ({
      staffUserid: s.staff_userid,
      staffName: names.get(s.staff_userid)?.name ?? s.staff_userid,
      recipients: s.n,
      status: m.status === 'cancelled' ? 'cancelled' : taskStatus(s.statuses),
      msgids: s.msgids,
    })),
    excluded,
  };
}

/** Pending WeCom tasks of a message, to stop before the staff confirm. */
export async function startCancel(tx: Tx, p: Principal, actor: Actor, id: string, locale: Locale) {
  const m = await messageRow(tx, p, id);
  if (m.status === 'sent' || m.status === 'cancelled')
    throw om.problem('conflict', locale, 'not_cancellable');
  const msgids = (
    await sql<{ msgid: string }>`select distinct msgid from outreach_tasks where tenant_id = ${p.tenantId}
      and message_id = ${id} and status = 'pending' and msgid is not null`.execute(tx)
  ).rows.map((r) => r.msgid);
  await sql`update outreach_messages set status = 'cancelled' where tenant_id = ${p.tenantId} and id = ${id}`.execute(
    tx,
  );
  await sql`update outreach_tasks set status = 'cancelled' where tenant_id = ${p.tenantId} and message_id = ${id}
    and status <> 'sent'`.execute(tx);
  await sql`update outreach_recipients set status = 'cancelled' where tenant_id = ${p.tenantId} and message_id = ${id}
    and status in ('planned', 'waiting')`.execute(tx);
  await writeAudit(tx, actor, { action: 'outreach.cancel', object: 'outreach_message', recordId: id });
  return { corpRef: m.corp_ref as string, msgids };
}

export async function assertVisible(tx: Tx, p: Principal, id: string) {
  return messageRow(tx, p, id);
}
