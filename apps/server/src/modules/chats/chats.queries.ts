import type { ChatAlert, Conversation, ReplyFigures } from '@kehu/contracts/chats';
import { type RawBuilder, sql } from 'kysely';
import { type Principal, rowScope } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';

/**
 * Who sees which chats: like the lead data (the same scope the WeCom activity report uses) — a
 * salesperson their own conversations, a manager their units', tenant scope everyone's. Columns
 * fixed at ingest (the staff member's Kehu user and unit) make it one predicate.
 */
function scopeSql(p: Principal, alias: string): RawBuilder<unknown> {
  const s = rowScope(p, 'lead');
  const col = (c: string) => sql.ref(`${alias}.${c}`);
  if (s.unitIds === null) return sql`true`;
  if (s.ownerId) return sql`${col('staff_user_id')} = ${s.ownerId}`;
  return sql`${col('unit_id')} = any(${s.unitIds}::uuid[])`;
}

export async function listConversations(tx: Tx, p: Principal, q: { q?: string; limit?: number }) {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
  const needle = q.q?.trim().toLowerCase() || null;
  const rows = (
    await sql<any>`
      with last as (
        select distinct on (m.corp_ref, m.staff_userid, m.external_userid) m.corp_ref, m.staff_userid, m.external_userid,
          m.profile_id, m.msgtime, m.content,
          count(*) over (partition by m.corp_ref, m.staff_userid, m.external_userid) as n
        from chat_messages m
        where m.tenant_id = ${p.tenantId} and m.staff_userid is not null and m.external_userid is not null
          and ${scopeSql(p, 'm')}
        order by m.corp_ref, m.staff_userid, m.external_userid, m.msgtime desc)
      select * from (
        select l.*, s.name as staff_name,
          (select e.name from wecom_external_contacts e where e.tenant_id = ${p.tenantId} and e.corp_ref = l.corp_ref
             and e.external_userid = l.external_userid limit 1) as customer_name
        from last l
        left join wecom_staff s on s.tenant_id = ${p.tenantId} and s.corp_ref = l.corp_ref and s.userid = l.staff_userid) c
      -- The name filter runs before the limit: filtering the newest 50 missed older conversations.
      ${needle ? sql`where strpos(lower(coalesce(c.staff_name, '') || ' ' || coalesce(c.customer_name, '')), ${needle}) > 0` : sql``}
      order by c.msgtime desc limit ${limit}`.execute(tx)
  ).rows;
  const items: Conversation[] = rows.map((r) => ({
    corpRef: r.corp_ref,
    staffUserid: r.staff_userid,
    staffName: r.staff_name,
    externalUserid: r.external_userid,
    customerName: r.customer_name,
    profileId: r.profile_id,
    lastAt: new Date(r.msgtime).toISOString(),
    lastText: r.content,
    messages: Number(r.n),
  }));
  return { items };
}

/**
 * The customer's latest text to this staff member (their own chat, so no scope beyond being the
 * staff member): what the sidebar's reply suggestions answer. Null when none is archived.
 */
export async function lastCustomerTextTo(
  tx: Tx,
  tenantId: string,
  staffUserId: string,
  externalUserid: string,
): Promise<{ text: string; at: string } | null> {
  const r = (
    await sql<any>`select m.content, m.msgtime from chat_messages m
      where m.tenant_id = ${tenantId} and m.staff_user_id = ${staffUserId} and m.external_userid = ${externalUserid}
        and m.direction = 'in' and m.msgtype = 'text' and m.content is not null
      order by m.msgtime desc, m.seq desc limit 1`.execute(tx)
  ).rows[0];
  return r ? { text: r.content, at: new Date(r.msgtime).toISOString() } : null;
}

export async function conversationMessages(
  tx: Tx,
  p: Principal,
  corpRef: string,
  staffUserid: string,
  externalUserid: string,
) {
  const rows = (
    await sql<any>`select m.msgid, m.msgtime, m.msgtype, m.direction, m.content from chat_messages m
      where m.tenant_id = ${p.tenantId} and m.corp_ref = ${corpRef} and m.staff_userid = ${staffUserid}
        and m.external_userid = ${externalUserid} and ${scopeSql(p, 'm')}
      order by m.msgtime, m.seq limit 500`.execute(tx)
  ).rows;
  // Out of scope and not there read the same: nothing tells a prober which one it was.
  if (!rows.length) throw notFound('conversation');
  return {
    items: rows.map((r) => ({
      msgid: r.msgid,
      msgtime: new Date(r.msgtime).toISOString(),
      msgtype: r.msgtype,
      direction: r.direction,
      content: r.content,
    })),
  };
}

export async function listAlerts(tx: Tx, p: Principal, q: { status?: 'open' | 'closed' }) {
  const rows = (
    await sql<any>`select a.*, r.name as rule_name, r.kind, s.name as staff_name,
        (select e.name from wecom_external_contacts e where e.tenant_id = a.tenant_id and e.corp_ref = a.corp_ref
           and e.external_userid = a.external_userid limit 1) as customer_name
      from chat_alerts a left join chat_rules r on r.tenant_id = a.tenant_id and r.id = a.rule_id
      left join wecom_staff s on s.tenant_id = a.tenant_id and s.corp_ref = a.corp_ref and s.userid = a.staff_userid
      where a.tenant_id = ${p.tenantId} and ${scopeSql(p, 'a')} ${q.status ? sql`and a.status = ${q.status}` : sql``}
      order by a.msgtime desc limit 200`.execute(tx)
  ).rows;
  const items: ChatAlert[] = rows.map((r) => ({
    id: r.id,
    ruleId: r.rule_id,
    // A rule removed since keeps its alerts (they are what happened), without its name.
    ruleName: r.rule_name ?? '—',
    kind: r.kind ?? 'risky',
    keyword: r.keyword,
    excerpt: r.excerpt,
    staffName: r.staff_name,
    customerName: r.customer_name,
    externalUserid: r.external_userid,
    msgtime: new Date(r.msgtime).toISOString(),
    status: r.status,
  }));
  return { items };
}

export async function closeAlert(tx: Tx, p: Principal, id: string) {
  const r = await sql`update chat_alerts a set status = 'closed'
    where a.tenant_id = ${p.tenantId} and a.id = ${id} and ${scopeSql(p, 'a')}`.execute(tx);
  if (!Number(r.numAffectedRows ?? 0)) throw notFound('chat_alert');
}

/**
 * First-reply time and reply rate per staff member (R11.3, R12.5): per conversation and China
 * calendar day, the customer's first message and the staff member's first answer within 24 hours.
 */
export async function replyFigures(
  tx: Tx,
  p: Principal,
  q: { days?: number },
): Promise<{ items: ReplyFigures[] }> {
  const days = Math.min(Math.max(q.days ?? 30, 1), 366);
  const rows = (
    await sql<any>`
      with m as (
        select m.corp_ref, m.staff_userid, m.external_userid, m.direction, m.msgtime,
          (m.msgtime at time zone 'Asia/Shanghai')::date as day
        from chat_messages m
        where m.tenant_id = ${p.tenantId} and m.staff_userid is not null and m.direction in ('in', 'out')
          and m.msgtime >= now() - make_interval(days => ${days}) and ${scopeSql(p, 'm')}),
      asks as (
        select corp_ref, staff_userid, external_userid, day, min(msgtime) as asked_at from m
        where direction = 'in' group by 1, 2, 3, 4),
      answers as (
        select a.*, (select min(o.msgtime) from m o where o.corp_ref = a.corp_ref and o.staff_userid = a.staff_userid
            and o.external_userid = a.external_userid and o.direction = 'out' and o.msgtime >= a.asked_at
            -- Within a day of the question, not the same calendar day: 23:58 answered at 00:01 is a reply.
            and o.msgtime < a.asked_at + interval '24 hours')
          as answered_at
        from asks a)
      select x.corp_ref, x.staff_userid, s.name as staff_name, count(*)::int as asked,
        count(x.answered_at)::int as replied,
        percentile_cont(0.5) within group (order by extract(epoch from (x.answered_at - x.asked_at)) / 60)
          filter (where x.answered_at is not null) as median_minutes
      from answers x
      left join wecom_staff s on s.tenant_id = ${p.tenantId} and s.corp_ref = x.corp_ref and s.userid = x.staff_userid
      group by x.corp_ref, x.staff_userid, s.name
      order by s.name nulls last`.execute(tx)
  ).rows;
  return {
    items: rows.map((r) => ({
      staffUserid: r.staff_userid,
      staffName: r.staff_name,
      asked: r.asked,
      replied: r.replied,
      replyRate: r.asked ? Math.round((r.replied / r.asked) * 1000) / 10 : null,
      firstReplyMinutes: r.median_minutes === null ? null : Math.round(Number(r.median_minutes) * 10) / 10,
    })),
  };
}
