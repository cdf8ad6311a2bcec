import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { DomainEvent } from '../../core/events/outbox.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import { profilesOfRecords } from '../cdp/index.ts';
import { issueCoupon } from '../coupons/index.ts';
import { earnPoints, findMember, getMemberSummary } from '../loyalty/index.ts';
import { settingsRow } from './settings.service.ts';

// No 0/O, 1/I/L: read aloud and typed from a poster.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const newCode = () => Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

/** A member's referral code (made on first ask, kept for good). */
export async function referralCodeOf(tx: Tx, tenantId: string, memberId: string, profileId: string) {
  for (let i = 0; i < 6; i++) {
    const r = await sql<{
      code: string;
    }>`insert into mall_referral_codes (tenant_id, member_id, profile_id, code)
      values (${tenantId}, ${memberId}, ${profileId}, ${newCode()})
      on conflict do nothing returning code`.execute(tx);
    if (r.rows[0]) return r.rows[0].code;
    const had = (
      await sql<{ code: string }>`select code from mall_referral_codes where tenant_id = ${tenantId}
        and member_id = ${memberId}`.execute(tx)
    ).rows[0];
    if (had) return had.code;
  }
  throw new Error('member-mall: could not draw a free referral code');
}

export type ReferralOutcome =
  | 'registered'
  | 'self_referral'
  | 'already_member'
  | 'referral_unknown'
  | 'disabled';

/**
 * Records that a person signed up through a referral code. Only a NEW member counts, and never
 * oneself: the same profile (One ID merges the same phone into one profile) is refused and the
 * attempt kept as `refused` for the record. A person is referred at most once.
 */
export async function registerReferral(
  tx: Tx,
  tenantId: string,
  r: { code: string; refereeProfileId: string; refereeMemberId: string; newMember: boolean },
): Promise<ReferralOutcome> {
  const s = await settingsRow(tx, tenantId);
  if (!s.referral_enabled) return 'disabled';
  const ref = (
    await sql<{ member_id: string; profile_id: string }>`select member_id, profile_id from mall_referral_codes
      where tenant_id = ${tenantId} and code = ${r.code.trim().toUpperCase()}`.execute(tx)
  ).rows[0];
  if (!ref) return 'referral_unknown';
  const referrer = await getMemberSummary(tx, tenantId, ref.member_id);
  const refused =
    ref.profile_id === r.refereeProfileId || referrer.profileId === r.refereeProfileId
      ? 'self_referral'
      : !r.newMember
        ? 'already_member'
        : null;
  const ins = await sql`insert into mall_referrals (tenant_id, id, referrer_member_id, referrer_profile_id,
      referee_member_id, referee_profile_id, unit_id, status, refused_reason)
    values (${tenantId}, gen_random_uuid(), ${ref.member_id}, ${referrer.profileId}, ${r.refereeMemberId},
      ${r.refereeProfileId}, ${referrer.unitId}, ${refused ? 'refused' : 'registered'}, ${refused})
    on conflict do nothing returning id`.execute(tx);
  if (refused) return refused;
  return ins.rows.length ? 'registered' : 'already_member';
}

/**
 * The referee's first paid order rewards both sides, once: the referral row flips from
 * `registered` to `rewarded` in one conditional UPDATE, and each reward carries an idempotency key
 * of the referral, so a redelivered event is a no-op.
 */
export async function rewardOnPaid(e: DomainEvent, job: JobContext) {
  const p = e.payload as { id?: string; status?: string };
  if (p.status !== 'paid' || !e.recordId) return;
  await job.tx(async (tx) => {
    const profileId = (await profilesOfRecords(tx, e.tenantId, 'order', [e.recordId!])).get(e.recordId!);
    if (!profileId) return;
    const ref = (
      await sql<any>`update mall_referrals set status = 'rewarded', rewarded_at = now(), order_id = ${e.recordId}
        where tenant_id = ${e.tenantId} and referee_profile_id = ${profileId} and status = 'registered'
        returning *`.execute(tx)
    ).rows[0];
    if (!ref) return;
    const s = await settingsRow(tx, e.tenantId);
    const sides = [
      {
        member: ref.referrer_member_id,
        profile: ref.referrer_profile_id,
        points: s.referrer_points,
        tpl: s.referrer_coupon_template_id,
        who: 'referrer',
      },
      {
        member: ref.referee_member_id,
        profile: ref.referee_profile_id,
        points: s.referee_points,
        tpl: s.referee_coupon_template_id,
        who: 'referee',
      },
    ];
    for (const side of sides) {
      let memberId = side.member as string | null;
      if (!memberId)
        memberId = (await findMember(tx, e.tenantId, { profileId: side.profile }))?.memberId ?? null;
      if (memberId && side.points > 0)
        await earnPoints(tx, e.tenantId, {
          memberId,
          points: side.points,
          reason: 'referral',
          ref: { object: 'mall_referral', id: ref.id },
          idempotencyKey: `referral:${ref.id}:${side.who}`,
        });
      if (side.tpl)
        await issueCoupon(tx, e.tenantId, {
          templateId: side.tpl,
          profileId: side.profile,
          idempotencyKey: `referral:${ref.id}:${side.who}`,
          source: { kind: 'loyalty', id: ref.id },
        });
    }
  });
}

const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);

export async function listReferrals(tx: Tx, p: Principal) {
  const where = sql`tenant_id = ${p.tenantId} and unit_id = any(${p.subtreeUnitIds}::uuid[])`;
  const rows = (
    await sql<any>`select * from mall_referrals where ${where} order by created_at desc limit 200`.execute(tx)
  ).rows;
  const counts = (
    await sql<{
      status: string;
      n: number;
    }>`select status, count(*)::int as n from mall_referrals where ${where}
      group by status`.execute(tx)
  ).rows;
  const n = (s: string) => counts.find((c) => c.status === s)?.n ?? 0;
  return {
    items: rows.map((r) => ({
      id: r.id,
      referrerMemberId: r.referrer_member_id,
      refereeMemberId: r.referee_member_id,
      status: r.status,
      refusedReason: r.refused_reason,
      createdAt: iso(r.created_at)!,
      rewardedAt: iso(r.rewarded_at),
    })),
    registered: n('registered'),
    rewarded: n('rewarded'),
    refused: n('refused'),
  };
}
