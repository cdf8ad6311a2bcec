import { sql } from 'kysely';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { recordScope } from './scope.ts';

/** One staff member's SOP and mass-message figures on one Asia/Shanghai day. */
export interface OutreachStaffDay {
  staffUserId: string;
  day: string;
  /** SOP tasks due that day … */
  sopDue: number;
  /** … of them done (or sent from the sidebar) … */
  sopDone: number;
  /** … and still open after their due time. */
  sopOverdue: number;
  /** Mass-message tasks (one per staff member and batch) given to the staff member that day … */
  massTasks: number;
  /** … confirmed and sent by the staff member in WeCom … */
  massSent: number;
  /** … and the customers those reached. */
  massRecipients: number;
}

/**
 * SOP completion and mass-message confirmation per Kehu user and day (issue 11, "completion by
 * staff/team for managers"), in the `lead` data scope on the staff member (a task of a message sent
 * from HQ to a dealer's staff counts for the dealer's manager).
 * Mass-message tasks name WeCom userids: the corp's staff mapping turns them into Kehu users.
 */
export async function outreachFiguresByStaff(
  tx: Tx,
  p: Principal,
  range: { from: string; to: string },
): Promise<OutreachStaffDay[]> {
  const t = p.tenantId;
  const from = sql`(${range.from}::date::timestamp at time zone 'Asia/Shanghai')`;
  const to = sql`((${range.to}::date + 1)::timestamp at time zone 'Asia/Shanghai')`;
  const rows = (
    await sql<any>`
      select user_id, day, sum(due)::int as due, sum(done)::int as done, sum(overdue)::int as overdue,
        sum(tasks)::int as tasks, sum(sent)::int as sent, sum(recipients)::int as recipients
      from (
        select k.user_id, to_char(k.due_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day, 1 as due,
          (k.status in ('done', 'sent'))::int as done, (k.status = 'open' and k.due_at < now())::int as overdue,
          0 as tasks, 0 as sent, 0 as recipients
        from sop_tasks k
        where k.tenant_id = ${t} and k.user_id is not null and k.due_at >= ${from} and k.due_at < ${to}
          and ${recordScope(p, 'k.unit_id', 'k.user_id')}
        union all
        select s.user_id, to_char(coalesce(m.scheduled_at, m.created_at) at time zone 'Asia/Shanghai', 'YYYY-MM-DD'),
          0, 0, 0, 1, (ot.status = 'sent')::int, case when ot.status = 'sent' then ot.recipients else 0 end
        from outreach_tasks ot
        join outreach_messages m on m.tenant_id = ot.tenant_id and m.id = ot.message_id
        join wecom_staff s on s.tenant_id = ot.tenant_id and s.corp_ref = m.corp_ref and s.userid = ot.staff_userid
        join users u on u.tenant_id = s.tenant_id and u.id = s.user_id
        where ot.tenant_id = ${t} and ot.status <> 'cancelled' and s.user_id is not null
          and coalesce(m.scheduled_at, m.created_at) >= ${from} and coalesce(m.scheduled_at, m.created_at) < ${to}
          and ${recordScope(p, 'u.unit_id', 's.user_id')}
      ) x group by user_id, day`.execute(tx)
  ).rows;
  return rows.map((r) => ({
    staffUserId: r.user_id,
    day: r.day,
    sopDue: r.due,
    sopDone: r.done,
    sopOverdue: r.overdue,
    massTasks: r.tasks,
    massSent: r.sent,
    massRecipients: r.recipients,
  }));
}
