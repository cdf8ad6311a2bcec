import type { FunnelReport } from '@kehu/contracts/fission';
import { sql } from 'kysely';
import { can, type Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { getCampaign } from './campaign.service.ts';
import { KEEP_HOURS } from './invite.service.ts';

/** The funnel: participants → invites (every add) → new customers (counted) → kept 24 h; cost per customer. */
export async function funnelReport(tx: Tx, p: Principal, id: string): Promise<FunnelReport> {
  await getCampaign(tx, p, id);
  const t = p.tenantId;
  const f = (
    await sql<any>`select
        (select count(*) from fission_participants where tenant_id = ${t} and campaign_id = ${id})::int as participants,
        count(*)::int as invites,
        count(*) filter (where status = 'counted')::int as new_customers,
        count(*) filter (where status = 'counted' and added_at <= now() - make_interval(hours => ${KEEP_HOURS}))::int as retained,
        count(*) filter (where status = 'duplicate')::int as duplicates,
        count(*) filter (where status = 'voided')::int as voided
      from fission_invites where tenant_id = ${t} and campaign_id = ${id}`.execute(tx)
  ).rows[0];
  const r = (
    await sql<any>`select count(*)::int as n, count(*) filter (where status = 'disputed')::int as disputed,
        count(*) filter (where coupon_status = 'issued')::int as coupons_issued,
        count(*) filter (where coupon_status = 'failed')::int as coupons_failed,
        coalesce(sum(cost), 0)::float8 as cost
      from fission_rewards where tenant_id = ${t} and campaign_id = ${id}`.execute(tx)
  ).rows[0];
  const days = (
    await sql<any>`with tz as (select time_zone as z from tenants where id = ${t}),
      p as (select to_char(created_at at time zone (select z from tz), 'YYYY-MM-DD') as day, count(*)::int as n
        from fission_participants where tenant_id = ${t} and campaign_id = ${id} group by 1),
      c as (select to_char(added_at at time zone (select z from tz), 'YYYY-MM-DD') as day, count(*)::int as n
        from fission_invites where tenant_id = ${t} and campaign_id = ${id} and status = 'counted' group by 1)
      select coalesce(p.day, c.day) as day, coalesce(p.n, 0) as participants, coalesce(c.n, 0) as new_customers
      from p full join c on c.day = p.day order by 1`.execute(tx)
  ).rows;
  const top = (
    await sql<any>`select p.id, p.name,
        (select count(*) from fission_invites i where i.tenant_id = p.tenant_id and i.participant_id = p.id and i.status = 'counted')::int as counted,
        exists (select 1 from fission_rewards w where w.tenant_id = p.tenant_id and w.participant_id = p.id) as rewarded
      from fission_participants p where p.tenant_id = ${t} and p.campaign_id = ${id}
      order by counted desc, p.created_at limit 20`.execute(tx)
  ).rows;
  return {
    participants: f.participants,
    invites: f.invites,
    newCustomers: f.new_customers,
    retained24h: f.retained,
    duplicates: f.duplicates,
    voided: f.voided,
    rewards: r.n,
    couponsIssued: r.coupons_issued,
    couponsFailed: r.coupons_failed,
    disputedRewards: r.disputed,
    cost: r.cost,
    costPerCustomer: f.new_customers ? Math.round((r.cost / f.new_customers) * 100) / 100 : null,
    days: days.map((d) => ({ day: d.day, participants: d.participants, newCustomers: d.new_customers })),
    top: top.map((x) => ({ participantId: x.id, name: x.name, counted: x.counted, rewarded: x.rewarded })),
  };
}

/**
 * Fission figures per staff member and day (tenant time zone), for the staff dashboard: the
 * participants whose code goes to the staff member and the new customers (counted adds) they got.
 * Scoped like lead data: the caller's lead data scope decides whose figures they see.
 */
export async function fissionFiguresByStaff(
  tx: Tx,
  principal: Principal,
  range: { from: string; to: string },
): Promise<Array<{ staffUserId: string; day: string; participants: number; newCustomers: number }>> {
  if (!can(principal, 'lead:read')) return [];
  const scope = principal.dataScopes.lead ?? principal.dataScopes['*'] ?? 'own';
  const t = principal.tenantId;
  const who =
    scope === 'tenant'
      ? sql`true`
      : scope === 'unit_tree'
        ? sql`u.unit_id = any(${principal.subtreeUnitIds}::uuid[])`
        : scope === 'unit'
          ? sql`u.unit_id = ${principal.unitId}`
          : sql`u.id = ${principal.userId}`;
  const rows = (
    await sql<any>`with tz as (select time_zone as z from tenants where id = ${t}),
      ev as (
        select s.user_id, to_char(p.created_at at time zone (select z from tz), 'YYYY-MM-DD') as day, 1 as part, 0 as cust
          from fission_participants p
          join fission_campaigns k on k.tenant_id = p.tenant_id and k.id = p.campaign_id
          join wecom_staff s on s.tenant_id = p.tenant_id and s.corp_ref = k.corp_ref and s.userid = p.staff_userid
          where p.tenant_id = ${t}
        union all
        select s.user_id, to_char(i.added_at at time zone (select z from tz), 'YYYY-MM-DD'), 0, 1
          from fission_invites i
          join wecom_staff s on s.tenant_id = i.tenant_id and s.corp_ref = i.corp_ref and s.userid = i.userid
          where i.tenant_id = ${t} and i.status = 'counted')
      select ev.user_id, ev.day, sum(part)::int as participants, sum(cust)::int as new_customers
      from ev join users u on u.tenant_id = ${t} and u.id = ev.user_id
      where ev.day between ${range.from} and ${range.to} and ${who}
      group by 1, 2 order by 2, 1`.execute(tx)
  ).rows;
  return rows.map((r) => ({
    staffUserId: r.user_id,
    day: r.day,
    participants: r.participants,
    newCustomers: r.new_customers,
  }));
}
