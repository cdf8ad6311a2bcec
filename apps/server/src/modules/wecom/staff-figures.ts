import { sql } from 'kysely';
import { type Principal, rowScope } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';

/** One staff member's WeCom figures on one Asia/Shanghai day (staff analytics, R11.3). */
export interface WecomStaffDay {
  staffUserId: string;
  day: string;
  added: number;
  deletedByCustomer: number;
  lost: number;
  chats: number;
  messages: number;
  /** reply_percentage × chats and the chats it was reported for: a period's rate is their quotient. */
  replyPctWeighted: number;
  replyPctChats: number;
  avgReplyWeighted: number;
  avgReplyChats: number;
  groupNewMembers: number;
  groupMessages: number;
  byChannel: Record<string, number>;
}

/**
 * The figures of the WeCom activity report (activity.service.ts) per Kehu user and day, for the
 * staff-analytics dashboard: the same tables and the same scope (the `lead` data scope on the
 * staff member's Kehu user), so both pages say the same thing. Staff not mapped to a Kehu user are
 * left out here (the dashboard is per Kehu user); the WeCom activity page still lists them.
 */
export async function wecomFiguresByStaff(
  tx: Tx,
  p: Principal,
  range: { from: string; to: string },
): Promise<WecomStaffDay[]> {
  const scope = rowScope(p, 'lead');
  const staffFilter =
    scope.unitIds === null
      ? sql`true`
      : scope.ownerId
        ? sql`s.user_id = ${scope.ownerId}`
        : sql`u.unit_id = any(${scope.unitIds}::uuid[])`;
  const t = p.tenantId;
  const rows = (
    await sql<any>`
      with staff as (
        select s.corp_ref, s.userid, s.user_id
        from wecom_staff s join wecom_corps c on c.tenant_id = s.tenant_id and c.id = s.corp_ref and c.deleted_at is null
        join users u on u.tenant_id = s.tenant_id and u.id = s.user_id
        where s.tenant_id = ${t} and s.user_id is not null and ${staffFilter}),
      -- Each part totals per Kehu user and day itself (staff joined first, one GROUP BY each):
      -- grouping by corp userid, kind and channel before the staff join, then regrouping, sorted
      -- twice as many rows to disk at 500 staff × 90 days (the staff dashboard bench).
      adds as (
        select st.user_id, (x.added_at at time zone 'Asia/Shanghai')::date as day, coalesce(k.state, '') as channel,
          count(*)::int as n
        from wecom_external_contacts x join staff st on st.corp_ref = x.corp_ref and st.userid = x.userid
        left join wecom_channel_codes k on k.tenant_id = x.tenant_id and k.id = x.code_id
        where x.tenant_id = ${t} and x.added_at >= (${range.from}::date::timestamp at time zone 'Asia/Shanghai')
          and x.added_at < ((${range.to}::date + 1)::timestamp at time zone 'Asia/Shanghai')
        group by 1, 2, 3),
      added as (
        select user_id, day, sum(n)::int as added, jsonb_object_agg(channel, n) as by_channel from adds group by 1, 2),
      losses as (
        select st.user_id, (x.lost_at at time zone 'Asia/Shanghai')::date as day,
          count(*) filter (where x.status = 'lost')::int as deleted_by_customer,
          count(*) filter (where x.status = 'deleted')::int as lost
        from wecom_external_contacts x join staff st on st.corp_ref = x.corp_ref and st.userid = x.userid
        where x.tenant_id = ${t} and x.status in ('lost', 'deleted')
          and x.lost_at >= (${range.from}::date::timestamp at time zone 'Asia/Shanghai')
          and x.lost_at < ((${range.to}::date + 1)::timestamp at time zone 'Asia/Shanghai')
        group by 1, 2),
      daily as (
        select st.user_id, d.day, sum(d.chat_cnt)::int as chats, sum(d.message_cnt)::int as messages,
          coalesce(sum(d.reply_percentage * d.chat_cnt) filter (where d.reply_percentage is not null), 0)::float8 as rp_w,
          coalesce(sum(d.chat_cnt) filter (where d.reply_percentage is not null), 0)::int as rp_n,
          coalesce(sum(d.avg_reply_time * d.chat_cnt) filter (where d.avg_reply_time is not null), 0)::float8 as ar_w,
          coalesce(sum(d.chat_cnt) filter (where d.avg_reply_time is not null), 0)::int as ar_n,
          coalesce(sum(d.group_new_member_cnt), 0)::int as group_new, coalesce(sum(d.group_msg_total), 0)::int as group_msgs
        from wecom_staff_daily d join staff st on st.corp_ref = d.corp_ref and st.userid = d.userid
        where d.tenant_id = ${t} and d.day between ${range.from}::date and ${range.to}::date
        group by st.user_id, d.day)
      select coalesce(a.user_id, l.user_id, d.user_id) as user_id,
        to_char(coalesce(a.day, l.day, d.day), 'YYYY-MM-DD') as day,
        a.added, l.deleted_by_customer, l.lost, a.by_channel, d.chats, d.messages, d.rp_w, d.rp_n, d.ar_w, d.ar_n,
        d.group_new, d.group_msgs
      from added a full join losses l on l.user_id = a.user_id and l.day = a.day
      full join daily d on d.user_id = coalesce(a.user_id, l.user_id) and d.day = coalesce(a.day, l.day)`.execute(
      tx,
    )
  ).rows;
  const n = (v: unknown) => (v == null ? 0 : Number(v));
  return rows.map((r) => ({
    staffUserId: r.user_id,
    day: r.day,
    added: n(r.added),
    deletedByCustomer: n(r.deleted_by_customer),
    lost: n(r.lost),
    chats: n(r.chats),
    messages: n(r.messages),
    replyPctWeighted: n(r.rp_w),
    replyPctChats: n(r.rp_n),
    avgReplyWeighted: n(r.ar_w),
    avgReplyChats: n(r.ar_n),
    groupNewMembers: n(r.group_new),
    groupMessages: n(r.group_msgs),
    byChannel: r.by_channel ?? {},
  }));
}
