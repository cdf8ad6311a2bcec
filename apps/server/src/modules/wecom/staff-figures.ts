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
      ev as (
        select x.corp_ref, x.userid, (x.added_at at time zone 'Asia/Shanghai')::date as day, 'add' as kind,
          coalesce(k.state, '') as channel
        from wecom_external_contacts x left join wecom_channel_codes k on k.tenant_id = x.tenant_id and k.id = x.code_id
        where x.tenant_id = ${t} and x.added_at >= (${range.from}::date::timestamp at time zone 'Asia/Shanghai')
          and x.added_at < ((${range.to}::date + 1)::timestamp at time zone 'Asia/Shanghai')
        union all
        select x.corp_ref, x.userid, (x.lost_at at time zone 'Asia/Shanghai')::date, x.status, ''
        from wecom_external_contacts x where x.tenant_id = ${t} and x.status in ('lost', 'deleted')
          and x.lost_at >= (${range.from}::date::timestamp at time zone 'Asia/Shanghai')
          and x.lost_at < ((${range.to}::date + 1)::timestamp at time zone 'Asia/Shanghai')),
      counts as (
        select st.user_id, e.day,
          coalesce(sum(e.n) filter (where e.kind = 'add'), 0)::int as added,
          coalesce(sum(e.n) filter (where e.kind = 'lost'), 0)::int as deleted_by_customer,
          coalesce(sum(e.n) filter (where e.kind = 'deleted'), 0)::int as lost,
          coalesce(jsonb_object_agg(e.channel, e.n) filter (where e.kind = 'add'), '{}') as by_channel
        from (select corp_ref, userid, day, kind, channel, count(*)::int as n from ev group by 1, 2, 3, 4, 5) e
        join staff st on st.corp_ref = e.corp_ref and st.userid = e.userid
        group by st.user_id, e.day),
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
      select coalesce(c.user_id, d.user_id) as user_id, to_char(coalesce(c.day, d.day), 'YYYY-MM-DD') as day,
        c.added, c.deleted_by_customer, c.lost, c.by_channel, d.chats, d.messages, d.rp_w, d.rp_n, d.ar_w, d.ar_n,
        d.group_new, d.group_msgs
      from counts c full join daily d on d.user_id = c.user_id and d.day = c.day`.execute(tx)
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
