import type { MemberAnalytics } from '@kehu/contracts/member-mall';
import { sql } from 'kysely';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { DomainEvent } from '../../core/events/outbox.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import { profilesOfRecords } from '../cdp/index.ts';
import { findMember, getMemberSummary } from '../loyalty/index.ts';
import { settingsRow } from './settings.service.ts';

/** Brings one member's projection row up to date from loyalty's own summary (the truth). */
async function refreshMember(tx: Tx, tenantId: string, memberId: string, activeAt: Date | null) {
  const m = await getMemberSummary(tx, tenantId, memberId);
  if (!m) return null;
  await sql`insert into mall_member_stats (tenant_id, member_id, profile_id, unit_id, tier_id, tier_name, tier_rank,
      balance, enrolled_at, last_active_at)
    values (${tenantId}, ${memberId}, ${m.profileId}, ${m.unitId}, ${m.tier?.id ?? null}, ${m.tier?.name ?? null},
      ${m.tier?.rank ?? null}, ${m.balance}, ${m.enrolledAt}, ${activeAt})
    on conflict (tenant_id, member_id) do update set unit_id = excluded.unit_id, tier_id = excluded.tier_id,
      tier_name = excluded.tier_name, tier_rank = excluded.tier_rank, balance = excluded.balance,
      last_active_at = greatest(mall_member_stats.last_active_at, excluded.last_active_at), updated_at = now()`.execute(
    tx,
  );
  return m;
}

/** loyalty.* events → the analytics projection (idempotent: a refresh reads the current truth). */
export async function projectLoyaltyEvent(e: DomainEvent, job: JobContext) {
  const p = e.payload as { memberId?: string; from?: unknown; to?: unknown };
  if (!p.memberId) return;
  await job.tx(async (tx) => {
    const active = e.type === 'loyalty.points.changed' ? new Date(e.createdAt) : null;
    const m = await refreshMember(tx, e.tenantId, p.memberId!, active);
    if (m && e.type === 'loyalty.tier.changed') {
      const name = (v: unknown) =>
        v && typeof v === 'object'
          ? String((v as { name?: string }).name ?? '')
          : v == null
            ? null
            : String(v);
      await sql`insert into mall_tier_moves (tenant_id, event_id, member_id, unit_id, from_name, to_name, at)
        values (${e.tenantId}, ${e.id}, ${p.memberId}, ${m.unitId}, ${name(p.from)}, ${name(p.to) ?? m.tier.name},
          ${e.createdAt}) on conflict do nothing`.execute(tx);
    }
  });
}

/** A paid order of a member counts for repurchase and LTV (once per order). */
export async function projectPaidOrder(e: DomainEvent, job: JobContext) {
  const p = e.payload as { status?: string; paid?: number };
  if (p.status !== 'paid' || !e.recordId) return;
  await job.tx(async (tx) => {
    const profileId = (await profilesOfRecords(tx, e.tenantId, 'order', [e.recordId!])).get(e.recordId!);
    if (!profileId) return;
    const member = await findMember(tx, e.tenantId, { profileId });
    if (!member) return;
    await refreshMember(tx, e.tenantId, member.memberId, new Date(e.createdAt));
    const ins = await sql`insert into mall_member_orders (tenant_id, order_id, member_id, amount, paid_at)
      values (${e.tenantId}, ${e.recordId}, ${member.memberId}, ${Number(p.paid ?? 0) / 100}, ${e.createdAt})
      on conflict do nothing returning order_id`.execute(tx);
    if (ins.rows.length)
      await sql`update mall_member_stats set orders = orders + 1, revenue = revenue + ${Number(p.paid ?? 0) / 100}
        where tenant_id = ${e.tenantId} and member_id = ${member.memberId}`.execute(tx);
  });
}

const ACTIVE_DAYS = 90;

/** R11.4 over the members of the caller's unit and below. */
export async function memberAnalytics(tx: Tx, p: Principal): Promise<MemberAnalytics> {
  const units = p.subtreeUnitIds;
  const s = await settingsRow(tx, p.tenantId);
  const head = (
    await sql<any>`select count(*)::int as members,
        count(*) filter (where last_active_at > now() - make_interval(days => ${ACTIVE_DAYS}))::int as active,
        coalesce(sum(greatest(balance, 0)), 0)::float8 as outstanding
      from mall_member_stats where tenant_id = ${p.tenantId} and unit_id = any(${units}::uuid[])`.execute(tx)
  ).rows[0];
  const red = (
    await sql<any>`select count(distinct member_id)::int as members, coalesce(sum(points), 0)::float8 as points
      from mall_redemptions where tenant_id = ${p.tenantId} and unit_id = any(${units}::uuid[])
        and status <> 'cancelled'`.execute(tx)
  ).rows[0];
  const tiers = (
    await sql<any>`select coalesce(tier_name, '—') as tier, min(coalesce(tier_rank, 0)) as rank, count(*)::int as members,
        count(*) filter (where orders >= 1)::int as buyers, count(*) filter (where orders >= 2)::int as repeat,
        coalesce(avg(revenue), 0)::float8 as ltv
      from mall_member_stats where tenant_id = ${p.tenantId} and unit_id = any(${units}::uuid[])
      group by 1 order by 2, 1`.execute(tx)
  ).rows;
  const moves = (
    await sql<any>`select coalesce(from_name, '—') as "from", to_name as "to", count(distinct member_id)::int as members
      from mall_tier_moves where tenant_id = ${p.tenantId} and unit_id = any(${units}::uuid[])
        and at > now() - interval '365 days'
      group by 1, 2 order by 3 desc limit 100`.execute(tx)
  ).rows;
  const members = head.members as number;
  return {
    members,
    activeMembers: head.active,
    outstandingPoints: head.outstanding,
    liabilityYuan: Math.round(head.outstanding * Number(s.point_value_minor)) / 100,
    redeemingMembers: red.members,
    redemptionRate: members ? red.members / members : 0,
    pointsRedeemed: red.points,
    tiers: tiers.map((t) => ({
      tier: t.tier,
      members: t.members,
      buyers: t.buyers,
      repeatBuyers: t.repeat,
      repurchaseRate: t.buyers ? t.repeat / t.buyers : 0,
      ltv: Math.round(t.ltv * 100) / 100,
    })),
    migration: moves,
  };
}
