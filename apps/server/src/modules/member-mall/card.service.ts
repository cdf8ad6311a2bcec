import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { randomToken, sha256 } from '../../core/auth/tokens.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { normalizePhone, profileForPhone } from '../cdp/index.ts';
import { couponsOfProfile } from '../coupons/index.ts';
import { enrolMember, findMember, getMemberCardExtras, getMemberSummary } from '../loyalty/index.ts';
import { sendMessage } from '../messaging/index.ts';
import { mallProblem, mallText } from './member-mall.messages.ts';
import { toRedemption } from './redeem.service.ts';
import { referralCodeOf, registerReferral } from './referrals.service.ts';
import { rewardsForUnit } from './rewards.service.ts';
import { cardUrl, settingsRow } from './settings.service.ts';

const CODE_TTL_MS = 5 * 60_000;
const RESEND_MS = 60_000;
const PER_HOUR = 5;
const MAX_ATTEMPTS = 5;
const SESSION_DAYS = 30;

const codeHash = (tenantId: string, phone: string, code: string) => sha256(`${tenantId}:${phone}:${code}`);

function phoneOrThrow(raw: string, locale: Locale): string {
  const phone = normalizePhone(raw);
  if (!phone)
    throw mallProblem('validation', locale, 'phone_invalid', {}, [
      { field: 'phone', code: 'invalid_phone', message: mallText(locale, 'phone_invalid') },
    ]);
  return phone;
}

/** The tenant of a card page token, when the token is that tenant's current one. */
export async function cardTenant(database: Database, token: string, tenantOf: (t: string) => string | null) {
  const tenantId = tenantOf(token);
  if (!tenantId) return null;
  return inTenant(
    database.db,
    tenantId,
    async (tx) => {
      const r = (
        await sql<{
          program_id: string | null;
        }>`select program_id from mall_settings where tenant_id = ${tenantId}
          and card_token = ${token}`.execute(tx)
      ).rows[0];
      return r ? { tenantId, open: !!r.program_id } : null;
    },
    { readOnly: true },
  );
}

/**
 * Sends a 6-digit sign-in code by SMS through messaging (purpose `service`: not held back by
 * marketing caps or quiet hours). At most one code a minute and five an hour per phone, kept in
 * the database so every API process agrees; the code is stored hashed.
 */
export async function sendCode(database: Database, tenantId: string, rawPhone: string, locale: Locale) {
  const phone = phoneOrThrow(rawPhone, locale);
  return inTenant(database.db, tenantId, async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`mall-code:${tenantId}:${phone}`}))`.execute(tx);
    const recent = (
      await sql<{
        last: Date | null;
        n: number;
      }>`select max(created_at) as last, count(*)::int as n from mall_card_codes
        where tenant_id = ${tenantId} and phone = ${phone} and created_at > now() - interval '1 hour'`.execute(
        tx,
      )
    ).rows[0]!;
    if (recent.last && Date.now() - +new Date(recent.last) < RESEND_MS)
      throw mallProblem('conflict', locale, 'code_too_soon', {
        seconds: Math.ceil((RESEND_MS - (Date.now() - +new Date(recent.last))) / 1000),
      });
    if (recent.n >= PER_HOUR) throw mallProblem('conflict', locale, 'code_hourly');
    const profile = await profileForPhone(tx, tenantId, phone, 'member_card');
    if (!profile)
      throw mallProblem('validation', locale, 'phone_invalid', {}, [
        { field: 'phone', code: 'invalid_phone' },
      ]);
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const id = newId();
    await sql`insert into mall_card_codes (tenant_id, id, phone, code_hash, expires_at)
      values (${tenantId}, ${id}, ${phone}, ${codeHash(tenantId, phone, code)}, ${new Date(Date.now() + CODE_TTL_MS)})`.execute(
      tx,
    );
    await sendMessage(tx, tenantId, {
      profileId: profile.profileId,
      channel: 'sms',
      purpose: 'service',
      content: { text: mallText('zh-CN', 'code_sms', { code }) },
      idempotencyKey: `member-card:${id}`,
      source: { kind: 'api', id },
      secret: true,
    });
    return { sent: true, resendAfterSeconds: RESEND_MS / 1000 };
  });
}

type CheckResult = { ok: true; phone: string } | { ok: false; key: string };

/**
 * Checks the newest unused code of the phone. A wrong code counts an attempt in its own committed
 * transaction (the problem is thrown after), five wrong and the code is dead; a right one is used
 * up in the sign-in transaction.
 */
async function checkCode(tx: Tx, tenantId: string, phone: string, code: string): Promise<CheckResult> {
  const row = (
    await sql<any>`select * from mall_card_codes where tenant_id = ${tenantId} and phone = ${phone} and used_at is null
      order by created_at desc limit 1 for update`.execute(tx)
  ).rows[0];
  if (!row || +new Date(row.expires_at) <= Date.now()) return { ok: false, key: 'code_expired' };
  if (row.attempts >= MAX_ATTEMPTS) return { ok: false, key: 'code_attempts' };
  if (row.code_hash !== codeHash(tenantId, phone, code)) {
    await sql`update mall_card_codes set attempts = attempts + 1 where tenant_id = ${tenantId} and id = ${row.id}`.execute(
      tx,
    );
    return { ok: false, key: row.attempts + 1 >= MAX_ATTEMPTS ? 'code_attempts' : 'code_wrong' };
  }
  await sql`update mall_card_codes set used_at = now() where tenant_id = ${tenantId} and id = ${row.id}`.execute(
    tx,
  );
  return { ok: true, phone };
}

/**
 * Signs a customer in with phone + code: binds the phone to a CDP profile, enrols them in the
 * tenant's card program if they are not a member yet (in the referrer's unit when they came by a
 * referral link, else the top unit), records the referral, and opens a card session.
 */
export async function signIn(
  database: Database,
  tenantId: string,
  input: { phone: string; code: string; ref?: string },
  locale: Locale,
): Promise<{ token: string; referral: string | null }> {
  const phone = phoneOrThrow(input.phone, locale);
  const out = await inTenant(database.db, tenantId, async (tx) => {
    const s = await settingsRow(tx, tenantId);
    if (!s.program_id) throw mallProblem('conflict', locale, 'card_closed');
    const checked = await checkCode(tx, tenantId, phone, input.code.trim());
    if (!checked.ok) return checked;
    const profile = (await profileForPhone(tx, tenantId, phone, 'member_card'))!;
    const before = await findMember(tx, tenantId, { programId: s.program_id, profileId: profile.profileId });
    let memberId = before?.memberId ?? null;
    let created = false;
    if (!memberId) {
      const unitId = await enrolUnit(tx, tenantId, input.ref);
      const m = await enrolMember(tx, tenantId, {
        programId: s.program_id,
        profileId: profile.profileId,
        unitId,
        source: input.ref ? 'referral' : 'card_page',
        idempotencyKey: `card:${s.program_id}:${profile.profileId}`,
      });
      memberId = m.memberId;
      created = m.created;
    }
    const referral = input.ref
      ? await registerReferral(tx, tenantId, {
          code: input.ref,
          refereeProfileId: profile.profileId,
          refereeMemberId: memberId,
          newMember: created,
        })
      : null;
    const token = randomToken(32);
    await sql`insert into mall_card_sessions (tenant_id, token_hash, member_id, profile_id, expires_at)
      values (${tenantId}, ${sha256(token)}, ${memberId}, ${profile.profileId},
        now() + make_interval(days => ${SESSION_DAYS}))`.execute(tx);
    return { ok: true as const, token, referral };
  });
  if (!out.ok) {
    throw mallProblem(out.key === 'code_wrong' ? 'validation' : 'conflict', locale, out.key, {}, [
      { field: 'code', code: out.key, message: mallText(locale, out.key) },
    ]);
  }
  return { token: out.token, referral: out.referral };
}

async function enrolUnit(tx: Tx, tenantId: string, ref: string | undefined): Promise<string> {
  if (ref) {
    const r = (
      await sql<{ member_id: string }>`select member_id from mall_referral_codes where tenant_id = ${tenantId}
        and code = ${ref.trim().toUpperCase()}`.execute(tx)
    ).rows[0];
    if (r) return (await getMemberSummary(tx, tenantId, r.member_id)).unitId;
  }
  return (
    await sql<{ id: string }>`select id from units where tenant_id = ${tenantId} and parent_id is null
      and deleted_at is null order by created_at limit 1`.execute(tx)
  ).rows[0]!.id;
}

export interface CardSession {
  memberId: string;
  profileId: string;
}

export async function sessionOf(
  tx: Tx,
  tenantId: string,
  token: string | undefined,
): Promise<CardSession | null> {
  if (!token || token.length > 100) return null;
  const r = (
    await sql<{ member_id: string; profile_id: string }>`select member_id, profile_id from mall_card_sessions
      where tenant_id = ${tenantId} and token_hash = ${sha256(token)} and expires_at > now()`.execute(tx)
  ).rows[0];
  return r ? { memberId: r.member_id, profileId: r.profile_id } : null;
}

export async function signOut(database: Database, tenantId: string, token: string | undefined) {
  if (!token) return;
  await inTenant(database.db, tenantId, (tx) =>
    sql`delete from mall_card_sessions where tenant_id = ${tenantId} and token_hash = ${sha256(token)}`.execute(
      tx,
    ),
  );
}

/** Everything the signed-in card page shows, in one read. */
export async function cardView(tx: Tx, tenantId: string, s: CardSession, locale: Locale) {
  const settings = await settingsRow(tx, tenantId);
  const member = await getMemberSummary(tx, tenantId, s.memberId);
  const { benefits, ledger } = await getMemberCardExtras(tx, tenantId, s.memberId, 20);
  // One connection: one query after the other.
  const coupons = await couponsOfProfile(tx, tenantId, s.profileId, locale, 20);
  const rewards = await rewardsForUnit(tx, tenantId, member.unitId);
  const history = await sql<any>`select d.*, w.name as reward_name from mall_redemptions d
      join mall_rewards w on w.tenant_id = d.tenant_id and w.id = d.reward_id
      where d.tenant_id = ${tenantId} and d.member_id = ${s.memberId} order by d.created_at desc limit 20`.execute(
    tx,
  );
  const code = await referralCodeOf(tx, tenantId, s.memberId, s.profileId);
  const stores = await sql<{
    name: string;
  }>`select name from units where tenant_id = ${tenantId} and type = 'store'
      and deleted_at is null order by sort, name limit 8`.execute(tx);
  return {
    member,
    benefits,
    ledger,
    coupons,
    rewards,
    history: history.rows.map((r) => toRedemption(r, true)),
    referralCode: code,
    referralUrl: settings.referral_enabled ? `${cardUrl(settings.card_token)}?ref=${code}` : null,
    stores: stores.rows.map((r) => r.name),
  };
}
