import { sql } from 'kysely';
import { type Principal, rowScope } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';

/** One staff member's archived-chat reply figures on one Asia/Shanghai day. */
export interface ChatStaffDay {
  staffUserId: string;
  day: string;
  /** Conversations (customer × day) where the customer wrote. */
  asked: number;
  /** … and the staff member answered after the customer's first message. */
  replied: number;
  /** Sum of the first-reply minutes of the answered ones: a period's average is replyMinutes / replied. */
  replyMinutes: number;
}

/**
 * The reply figures of `replyFigures` (chats.queries.ts) per Kehu user and day for the staff
 * dashboard: the same definition (per conversation and China calendar day, the customer's first
 * message and the staff member's first answer after it) and the same scope (lead data scope on the
 * columns fixed at ingest). Averages here, where the chats page shows the median of a period.
 */
export async function chatFiguresByStaff(
  tx: Tx,
  p: Principal,
  range: { from: string; to: string },
): Promise<ChatStaffDay[]> {
  const s = rowScope(p, 'lead');
  const scope =
    s.unitIds === null
      ? sql`true`
      : s.ownerId
        ? sql`m.staff_user_id = ${s.ownerId}`
        : sql`m.unit_id = any(${s.unitIds}::uuid[])`;
  const rows = (
    await sql<any>`
      with m as (
        select m.corp_ref, m.staff_userid, m.staff_user_id, m.external_userid, m.direction, m.msgtime,
          (m.msgtime at time zone 'Asia/Shanghai')::date as day
        from chat_messages m
        where m.tenant_id = ${p.tenantId} and m.staff_user_id is not null and m.external_userid is not null
          and m.direction in ('in', 'out') and ${scope}
          and m.msgtime >= (${range.from}::date::timestamp at time zone 'Asia/Shanghai')
          and m.msgtime < ((${range.to}::date + 1)::timestamp at time zone 'Asia/Shanghai')),
      -- One pass per conversation-day: a window gives every message its conversation-day's first
      -- ask, one GROUP BY takes the first answer after it. No join: a self-join on the CTE was
      -- planned as a merge join on (corp, staff) from a 500-row estimate, 24M rows filtered at
      -- 500 staff × 90 days (16 s); this is one sort of the rows (2 s there, the staff bench).
      w as (
        select corp_ref, staff_userid, staff_user_id, external_userid, day, direction, msgtime,
          min(msgtime) filter (where direction = 'in')
            over (partition by corp_ref, staff_userid, staff_user_id, external_userid, day) as asked_at
        from m),
      answers as (
        select staff_user_id, day, min(asked_at) as asked_at,
          min(msgtime) filter (where direction = 'out' and msgtime >= asked_at) as answered_at
        from w where asked_at is not null
        group by corp_ref, staff_userid, staff_user_id, external_userid, day)
      select staff_user_id, to_char(day, 'YYYY-MM-DD') as day, count(*)::int as asked,
        count(answered_at)::int as replied,
        coalesce(sum(extract(epoch from (answered_at - asked_at)) / 60), 0)::float8 as minutes
      from answers group by staff_user_id, day`.execute(tx)
  ).rows;
  return rows.map((r) => ({
    staffUserId: r.staff_user_id,
    day: r.day,
    asked: r.asked,
    replied: r.replied,
    replyMinutes: Number(r.minutes),
  }));
}
