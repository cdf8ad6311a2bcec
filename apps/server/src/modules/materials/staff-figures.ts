import { sql } from 'kysely';
import { type Principal, rowScope } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';

/** One staff member's material figures on one Asia/Shanghai day. */
export interface MaterialStaffDay {
  staffUserId: string;
  day: string;
  /** Tracked links sent to a customer (forwards not counted), by the day they were sent. */
  sent: number;
  /** Reads of the staff member's links (forwards included), by the day they were opened … */
  opens: number;
  /** … their read seconds (a period's average read time is readSeconds / opens) … */
  readSeconds: number;
  /** … and leads they produced, by the day the lead came. */
  leads: number;
}

/**
 * The per-staff figures of the material report (report.service.ts: sent, opens, read time, leads)
 * over all materials, per Kehu user and day, for the staff dashboard. Scoped like the other staff
 * reports (the `lead` data scope on the staff member's user).
 */
export async function materialFiguresByStaff(
  tx: Tx,
  p: Principal,
  range: { from: string; to: string },
): Promise<MaterialStaffDay[]> {
  const t = p.tenantId;
  const s = rowScope(p, 'lead');
  const staff =
    s.unitIds === null
      ? sql`true`
      : s.ownerId
        ? sql`sh.staff_id = ${s.ownerId}`
        : sql`sh.staff_id in (select id from users where tenant_id = ${t} and unit_id = any(${s.unitIds}::uuid[]))`;
  const from = sql`(${range.from}::date::timestamp at time zone 'Asia/Shanghai')`;
  const to = sql`((${range.to}::date + 1)::timestamp at time zone 'Asia/Shanghai')`;
  const day = (col: string) => sql`to_char(${sql.ref(col)} at time zone 'Asia/Shanghai', 'YYYY-MM-DD')`;
  const rows = (
    await sql<any>`
      select staff_id, day, sum(sent)::int as sent, sum(opens)::int as opens, sum(seconds)::int as seconds,
        sum(leads)::int as leads
      from (
        select sh.staff_id, ${day('sh.created_at')} as day, 1 as sent, 0 as opens, 0 as seconds, 0 as leads
        from material_shares sh
        where sh.tenant_id = ${t} and sh.parent_id is null and (sh.profile_id is not null or sh.customer_id is not null)
          and sh.created_at >= ${from} and sh.created_at < ${to} and ${staff}
        union all
        select sh.staff_id, ${day('r.opened_at')}, 0, 1, r.seconds, 0
        from material_reads r join material_shares sh on sh.tenant_id = r.tenant_id and sh.id = r.share_id
        where r.tenant_id = ${t} and r.opened_at >= ${from} and r.opened_at < ${to} and ${staff}
        union all
        select sh.staff_id, ${day('l.created_at')}, 0, 0, 0, 1
        from material_leads l join material_shares sh on sh.tenant_id = l.tenant_id and sh.id = l.share_id
        where l.tenant_id = ${t} and l.created_at >= ${from} and l.created_at < ${to} and ${staff}
      ) x group by staff_id, day`.execute(tx)
  ).rows;
  return rows.map((r) => ({
    staffUserId: r.staff_id,
    day: r.day,
    sent: r.sent,
    opens: r.opens,
    readSeconds: r.seconds,
    leads: r.leads,
  }));
}
