import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { emitEvent } from '../../core/events/outbox.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { loyaltyProblem } from './loyalty.messages.ts';
import { qualifyingOf, tiersOf } from './tiers.service.ts';

export const ENROL_SOURCES = ['card_page', 'wecom', 'pos', 'api', 'import', 'referral'] as const;
export type EnrolSource = (typeof ENROL_SOURCES)[number];

export interface EnrolInput {
  programId: string;
  profileId: string;
  unitId: string;
  source: EnrolSource;
  idempotencyKey: string;
}

/**
 * One member per (program, profile), linked to the One ID profile (a merged profile's survivor).
 * The program row is locked to draw the member number, which also serialises enrolments of one
 * program: a second enrolment of the same profile, with any key, finds the first.
 * Authorisation is the caller's (routes check the unit is theirs).
 */
export async function enrolMember(
  tx: Tx,
  tenantId: string,
  input: EnrolInput,
  locale: Locale = 'zh-CN',
): Promise<{ memberId: string; memberNo: string; created: boolean }> {
  const again = await memberByKey(tx, tenantId, input.idempotencyKey);
  if (again) return { ...again, created: false };
  const program = (
    await sql<{
      status: string;
      unit_id: string;
      member_prefix: string;
      no: string;
      tier_window_days: number;
    }>`update loyalty_programs set next_member_no = next_member_no + 1
      where tenant_id = ${tenantId} and id = ${input.programId}
      returning status, unit_id, member_prefix, next_member_no - 1 as no, tier_window_days`.execute(tx)
  ).rows[0];
  if (!program) throw loyaltyProblem('not_found', locale, 'program_not_found');
  const raced = await memberByKey(tx, tenantId, input.idempotencyKey);
  if (raced) return { ...raced, created: false };
  const profile = (
    await sql<{ id: string }>`select coalesce(merged_into, id) as id from cdp_profiles
      where tenant_id = ${tenantId} and id = ${input.profileId}`.execute(tx)
  ).rows[0];
  if (!profile) throw loyaltyProblem('not_found', locale, 'profile_unknown');
  const existing = (
    await sql<{ memberId: string; memberNo: string }>`select id as "memberId", member_no as "memberNo"
      from loyalty_members where tenant_id = ${tenantId} and program_id = ${input.programId}
        and profile_id = ${profile.id}`.execute(tx)
  ).rows[0];
  if (existing) return { ...existing, created: false };
  if (program.status !== 'active') throw loyaltyProblem('conflict', locale, 'program_paused');
  const inside = (
    await sql<{ ok: boolean }>`select exists (select 1 from units u join units top
        on top.tenant_id = u.tenant_id and top.id = ${program.unit_id}
      where u.tenant_id = ${tenantId} and u.id = ${input.unitId}
        and (u.path = top.path or u.path like top.path || '%')) as ok`.execute(tx)
  ).rows[0]!.ok;
  if (!inside)
    throw loyaltyProblem('validation', locale, 'unit_outside', {}, [
      {
        field: 'unitId',
        code: 'unit_outside',
        message: loyaltyProblem('validation', locale, 'unit_outside').detailKey,
      },
    ]);
  const base = (await tiersOf(tx, tenantId, input.programId))[0]!;
  const id = newId();
  const memberNo = `${program.member_prefix}${String(program.no).padStart(8, '0')}`;
  await sql`insert into loyalty_members (tenant_id, id, program_id, profile_id, member_no, unit_id, source, tier_id,
      tier_review_at, idempotency_key)
    values (${tenantId}, ${id}, ${input.programId}, ${profile.id}, ${memberNo}, ${input.unitId}, ${input.source},
      ${base.id}, now() + make_interval(days => ${program.tier_window_days}), ${input.idempotencyKey})`.execute(
    tx,
  );
  await sql`insert into loyalty_tier_history (tenant_id, id, member_id, from_tier_id, to_tier_id, reason)
    values (${tenantId}, ${newId()}, ${id}, null, ${base.id}, 'enrolled')`.execute(tx);
  await emitEvent(tx, tenantId, {
    type: 'loyalty.member.enrolled',
    object: 'loyalty_member',
    recordId: id,
    payload: {
      memberId: id,
      memberNo,
      programId: input.programId,
      profileId: profile.id,
      unitId: input.unitId,
      source: input.source,
      tier: { id: base.id, name: base.name, rank: base.rank },
    },
  });
  return { memberId: id, memberNo, created: true };
}

async function memberByKey(tx: Tx, tenantId: string, key: string) {
  return (
    await sql<{ memberId: string; memberNo: string }>`select id as "memberId", member_no as "memberNo"
      from loyalty_members where tenant_id = ${tenantId} and idempotency_key = ${key}`.execute(tx)
  ).rows[0];
}

/** The profile's membership (of one program, or the oldest one), following profile merges. */
export async function findMember(
  tx: Tx,
  tenantId: string,
  q: { programId?: string; profileId: string },
): Promise<{ memberId: string; programId: string } | null> {
  return (
    (
      await sql<{
        memberId: string;
        programId: string;
      }>`select m.id as "memberId", m.program_id as "programId"
        from loyalty_members m
        where m.tenant_id = ${tenantId}
          and m.profile_id = (select coalesce(merged_into, id) from cdp_profiles
            where tenant_id = ${tenantId} and id = ${q.profileId})
          ${q.programId ? sql`and m.program_id = ${q.programId}` : sql``}
        order by m.enrolled_at, m.id limit 1`.execute(tx)
    ).rows[0] ?? null
  );
}

export interface MemberSummary {
  memberId: string;
  memberNo: string;
  programId: string;
  programName: string;
  profileId: string;
  unitId: string;
  tier: { id: string; name: string; rank: number };
  nextTier: { id: string; name: string; qualifyingNeeded: number } | null;
  balance: number;
  expiringSoon: { points: number; expiresAt: string }[];
  qualifying: number;
  enrolledAt: string;
}

export async function getMemberSummary(
  tx: Tx,
  tenantId: string,
  memberId: string,
  locale: Locale = 'zh-CN',
): Promise<MemberSummary> {
  const m = (
    await sql<any>`select m.*, p.name as program_name, p.tier_window_days from loyalty_members m
      join loyalty_programs p on p.tenant_id = m.tenant_id and p.id = m.program_id
      where m.tenant_id = ${tenantId} and m.id = ${memberId}`.execute(tx)
  ).rows[0];
  if (!m) throw loyaltyProblem('not_found', locale, 'member_not_found');
  const tiers = await tiersOf(tx, tenantId, m.program_id);
  const tier = tiers.find((t) => t.id === m.tier_id)!;
  const next = tiers.find((t) => t.rank > tier.rank) ?? null;
  const qualifying = await qualifyingOf(tx, tenantId, memberId, m.tier_window_days);
  const expiring = (
    await sql<{
      points: string;
      expires_at: Date;
    }>`select sum(remaining)::text as points, expires_at from loyalty_lots
      where tenant_id = ${tenantId} and member_id = ${memberId} and remaining > 0
        and expires_at > now() and expires_at <= now() + interval '30 days'
      group by expires_at order by expires_at`.execute(tx)
  ).rows;
  return {
    memberId: m.id,
    memberNo: m.member_no,
    programId: m.program_id,
    programName: m.program_name,
    profileId: m.profile_id,
    unitId: m.unit_id,
    tier: { id: tier.id, name: tier.name, rank: tier.rank },
    nextTier: next
      ? { id: next.id, name: next.name, qualifyingNeeded: Math.max(0, next.threshold - qualifying) }
      : null,
    balance: Number(m.balance),
    expiringSoon: expiring.map((e) => ({
      points: Number(e.points),
      expiresAt: new Date(e.expires_at).toISOString(),
    })),
    qualifying,
    enrolledAt: new Date(m.enrolled_at).toISOString(),
  };
}

export interface MemberCardExtras {
  /** The member's current tier's benefits (what the member card shows under the tier). */
  benefits: {
    discountPercent: number | null;
    freeServices: string[];
    birthdayPoints: number | null;
    birthdayCoupon: boolean;
  };
  /** The newest ledger lines, newest first (the member's own points history). */
  ledger: {
    kind: string;
    delta: number;
    reason: string;
    /** How the points were worked out ("订单实付 ¥1,280 × 1 × 线上 1.5 = 1920"), when a rule made them. */
    rule: string | null;
    createdAt: string;
    expiresAt: string | null;
  }[];
}

/** For the member card page (issue 13): the tier's benefits and the last `limit` ledger lines. */
export async function getMemberCardExtras(
  tx: Tx,
  tenantId: string,
  memberId: string,
  limit = 20,
): Promise<MemberCardExtras> {
  const t = (
    await sql<{
      discount_percent: number | null;
      free_services: string[] | null;
      birthday_points: number | null;
      birthday_coupon_template_id: string | null;
    }>`select t.discount_percent, t.free_services, t.birthday_points, t.birthday_coupon_template_id
      from loyalty_members m join loyalty_tiers t on t.tenant_id = m.tenant_id and t.id = m.tier_id
      where m.tenant_id = ${tenantId} and m.id = ${memberId}`.execute(tx)
  ).rows[0];
  const ledger = (
    await sql<{
      kind: string;
      delta: string;
      reason: string;
      rule: string | null;
      created_at: Date;
      expires_at: Date | null;
    }>`select kind, delta::text, reason, rule, created_at, expires_at from loyalty_ledger
      where tenant_id = ${tenantId} and member_id = ${memberId}
      order by created_at desc, id desc limit ${limit}`.execute(tx)
  ).rows;
  return {
    benefits: {
      discountPercent: t?.discount_percent ?? null,
      freeServices: t?.free_services ?? [],
      birthdayPoints: t?.birthday_points ?? null,
      birthdayCoupon: !!t?.birthday_coupon_template_id,
    },
    ledger: ledger.map((l) => ({
      kind: l.kind,
      delta: Number(l.delta),
      reason: l.reason,
      rule: l.rule ?? null,
      createdAt: new Date(l.created_at).toISOString(),
      expiresAt: l.expires_at ? new Date(l.expires_at).toISOString() : null,
    })),
  };
}
