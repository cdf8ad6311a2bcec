import { sql } from 'kysely';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { getMaterial } from './material.service.ts';

interface Figures {
  sent: number;
  opens: number;
  uniqueReaders: number;
  avgReadSeconds: number;
  forwards: number;
  leads: number;
}

const zero = (): Figures => ({
  sent: 0,
  opens: 0,
  uniqueReaders: 0,
  avgReadSeconds: 0,
  forwards: 0,
  leads: 0,
});

/**
 * How a material did (R5.5): sent, opened, unique readers, average read time, forwards and
 * leads, by staff member and by day. Only shares by staff in the caller's own subtree count: a
 * dealer looking at HQ's article sees its own people's figures, HQ sees everyone's.
 */
export async function materialReport(tx: Tx, p: Principal, id: string) {
  const m = await getMaterial(tx, p, id);
  const t = p.tenantId;
  const staffScope = sql`s.staff_id in (select id from users where tenant_id = ${t} and unit_id = any(${p.subtreeUnitIds}::uuid[]))`;
  const rows = (
    await sql<{
      staff_id: string;
      staff_name: string;
      sent: number;
      forwards: number;
      opens: number;
      readers: number;
      seconds: number;
      leads: number;
    }>`
      with s as (
        select s.* from material_shares s where s.tenant_id = ${t} and s.material_id = ${id} and ${staffScope}
      )
      select s.staff_id, u.name as staff_name,
        count(*) filter (where s.parent_id is null and (s.profile_id is not null or s.customer_id is not null))::int as sent,
        count(*) filter (where s.parent_id is not null)::int as forwards,
        (select count(*) from material_reads r join s s2 on s2.id = r.share_id
          where r.tenant_id = ${t} and s2.staff_id = s.staff_id)::int as opens,
        (select count(distinct r.visitor) from material_reads r join s s2 on s2.id = r.share_id
          where r.tenant_id = ${t} and s2.staff_id = s.staff_id)::int as readers,
        (select coalesce(sum(r.seconds), 0) from material_reads r join s s2 on s2.id = r.share_id
          where r.tenant_id = ${t} and s2.staff_id = s.staff_id)::int as seconds,
        (select count(*) from material_leads l join s s2 on s2.id = l.share_id
          where l.tenant_id = ${t} and s2.staff_id = s.staff_id)::int as leads
      from s join users u on u.tenant_id = ${t} and u.id = s.staff_id
      group by s.staff_id, u.name order by u.name`.execute(tx)
  ).rows;
  const total = zero();
  let seconds = 0;
  const byStaff = rows.map((r) => {
    total.sent += r.sent;
    total.opens += r.opens;
    total.uniqueReaders += r.readers;
    total.forwards += r.forwards;
    total.leads += r.leads;
    seconds += r.seconds;
    return {
      staffId: r.staff_id,
      staffName: r.staff_name,
      sent: r.sent,
      opens: r.opens,
      uniqueReaders: r.readers,
      avgReadSeconds: r.opens ? Math.round(r.seconds / r.opens) : 0,
      forwards: r.forwards,
      leads: r.leads,
    };
  });
  total.avgReadSeconds = total.opens ? Math.round(seconds / total.opens) : 0;
  const daily = (
    await sql<{ day: string; opens: number; seconds: number }>`
      select to_char(r.opened_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day, count(*)::int as opens,
        coalesce(sum(r.seconds), 0)::int as seconds
      from material_reads r join material_shares s on s.tenant_id = r.tenant_id and s.id = r.share_id
      where r.tenant_id = ${t} and r.material_id = ${id} and ${staffScope}
        and r.opened_at > now() - interval '30 days'
      group by 1 order by 1`.execute(tx)
  ).rows;
  return { material: { id: m.id, title: m.title, kind: m.kind }, total, byStaff, daily };
}
