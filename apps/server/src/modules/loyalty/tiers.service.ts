import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { emitEvent } from '../../core/events/outbox.ts';
import { newId } from '../../core/ids.ts';

/**
 * Tiers (R7.2): qualifying points (or yuan of spend) in the program's rolling window. A member
 * moves up the moment they qualify; they move down only at their review date (one window after
 * their last tier change), and keep the tier when they reached the retention share of its
 * threshold (e.g. 80 %).
 */

export interface TierRow {
  id: string;
  name: string;
  rank: number;
  threshold: number;
}

export async function tiersOf(tx: Tx, tenantId: string, programId: string): Promise<TierRow[]> {
  return (
    await sql<TierRow>`select id, name, rank, threshold from loyalty_tiers
      where tenant_id = ${tenantId} and program_id = ${programId} order by rank`.execute(tx)
  ).rows.map((t) => ({ ...t, threshold: Number(t.threshold) }));
}

export async function qualifyingOf(
  tx: Tx,
  tenantId: string,
  memberId: string,
  windowDays: number,
): Promise<number> {
  const r = await sql<{ q: string }>`select coalesce(sum(qualifying), 0)::text as q from loyalty_ledger
    where tenant_id = ${tenantId} and member_id = ${memberId}
      and created_at > now() - make_interval(days => ${windowDays})`.execute(tx);
  return Math.max(0, Number(r.rows[0]!.q));
}

async function memberAndProgram(tx: Tx, tenantId: string, memberId: string) {
  return (
    await sql<{
      tier_id: string;
      program_id: string;
      profile_id: string;
      tier_window_days: number;
      retention_percent: number;
    }>`select m.tier_id, m.program_id, m.profile_id, p.tier_window_days, p.retention_percent
      from loyalty_members m join loyalty_programs p on p.tenant_id = m.tenant_id and p.id = m.program_id
      where m.tenant_id = ${tenantId} and m.id = ${memberId}`.execute(tx)
  ).rows[0]!;
}

async function setTier(
  tx: Tx,
  tenantId: string,
  memberId: string,
  profileId: string,
  from: TierRow | null,
  to: TierRow,
  reason: 'upgrade' | 'downgrade' | 'retained',
  qualifying: number,
  windowDays: number,
) {
  await sql`update loyalty_members set tier_id = ${to.id},
      tier_since = case when ${reason} = 'retained' then tier_since else now() end,
      tier_review_at = now() + make_interval(days => ${windowDays}), version = version + 1
    where tenant_id = ${tenantId} and id = ${memberId}`.execute(tx);
  await sql`insert into loyalty_tier_history (tenant_id, id, member_id, from_tier_id, to_tier_id, reason, qualifying)
    values (${tenantId}, ${newId()}, ${memberId}, ${from?.id ?? null}, ${to.id}, ${reason}, ${qualifying})`.execute(
    tx,
  );
  if (reason !== 'retained')
    await emitEvent(tx, tenantId, {
      type: 'loyalty.tier.changed',
      object: 'loyalty_member',
      recordId: memberId,
      payload: {
        memberId,
        profileId,
        from: from ? { id: from.id, name: from.name, rank: from.rank } : null,
        to: { id: to.id, name: to.name, rank: to.rank },
        reason,
      },
    });
}

/** After qualifying points arrive (the member row is locked by the caller). */
export async function maybeUpgrade(tx: Tx, tenantId: string, memberId: string): Promise<void> {
  const m = await memberAndProgram(tx, tenantId, memberId);
  const tiers = await tiersOf(tx, tenantId, m.program_id);
  const current = tiers.find((t) => t.id === m.tier_id)!;
  const q = await qualifyingOf(tx, tenantId, memberId, m.tier_window_days);
  const target = [...tiers].reverse().find((t) => t.threshold <= q);
  if (target && target.rank > current.rank)
    await setTier(tx, tenantId, memberId, m.profile_id, current, target, 'upgrade', q, m.tier_window_days);
}

/**
 * At the review date: up if qualified (missed upgrades are caught here too), otherwise down to
 * the highest tier whose retention share is met — the current one if it is.
 */
export async function reviewTier(
  tx: Tx,
  tenantId: string,
  memberId: string,
): Promise<'up' | 'down' | 'kept'> {
  const m = await memberAndProgram(tx, tenantId, memberId);
  const tiers = await tiersOf(tx, tenantId, m.program_id);
  const current = tiers.find((t) => t.id === m.tier_id)!;
  const q = await qualifyingOf(tx, tenantId, memberId, m.tier_window_days);
  const qualified = [...tiers].reverse().find((t) => t.threshold <= q)!;
  if (qualified.rank > current.rank) {
    await setTier(tx, tenantId, memberId, m.profile_id, current, qualified, 'upgrade', q, m.tier_window_days);
    return 'up';
  }
  const keep = [...tiers]
    .reverse()
    .find((t) => t.rank <= current.rank && q >= Math.ceil((t.threshold * m.retention_percent) / 100))!;
  if (keep.id === current.id) {
    await setTier(tx, tenantId, memberId, m.profile_id, current, current, 'retained', q, m.tier_window_days);
    return 'kept';
  }
  await setTier(tx, tenantId, memberId, m.profile_id, current, keep, 'downgrade', q, m.tier_window_days);
  return 'down';
}
