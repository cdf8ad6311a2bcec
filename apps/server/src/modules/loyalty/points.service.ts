import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { emitEvent } from '../../core/events/outbox.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { loyaltyProblem, lt } from './loyalty.messages.ts';
import { maybeUpgrade } from './tiers.service.ts';

/**
 * The points ledger. Every operation locks the member row first (`for update`), so a member's
 * operations are serial and the invariant holds at every commit:
 *   balance = sum(ledger.delta) = sum(lots.remaining) − debt, no lot below zero,
 *   debt > 0 only when every lot is empty.
 * Each operation is idempotent by its key: the same key again returns the first result and
 * changes nothing (checked again after the lock, so two concurrent callers with one key
 * produce one row).
 */

export type LedgerKind =
  | 'earn'
  | 'spend'
  | 'reverse_spend'
  | 'reverse_earn'
  | 'expire'
  | 'adjust'
  | 'transfer_in'
  | 'transfer_out';

export interface Ref {
  object: string;
  id: string;
}

export interface LockedMember {
  id: string;
  program_id: string;
  profile_id: string;
  member_no: string;
  unit_id: string;
  tier_id: string;
  balance: number;
  debt: number;
}

export async function lockMember(
  tx: Tx,
  tenantId: string,
  memberId: string,
  locale: Locale = 'zh-CN',
): Promise<LockedMember> {
  const m = (
    await sql<any>`select id, program_id, profile_id, member_no, unit_id, tier_id, balance, debt
      from loyalty_members where tenant_id = ${tenantId} and id = ${memberId} for update`.execute(tx)
  ).rows[0];
  if (!m) throw loyaltyProblem('not_found', locale, 'member_not_found');
  return { ...m, balance: Number(m.balance), debt: Number(m.debt) };
}

async function byKey(tx: Tx, tenantId: string, key: string) {
  return (
    await sql<{
      id: string;
      kind: LedgerKind;
      member_id: string;
      delta: string;
    }>`select id, kind, member_id, delta
      from loyalty_ledger where tenant_id = ${tenantId} and idempotency_key = ${key}`.execute(tx)
  ).rows[0];
}

function assertPoints(points: number, locale: Locale) {
  if (!Number.isSafeInteger(points) || points <= 0)
    throw loyaltyProblem('validation', locale, 'points_positive', {}, [
      { field: 'points', code: 'points_positive', message: lt(locale, 'points_positive') },
    ]);
}

interface Entry {
  kind: LedgerKind;
  delta: number;
  reason: string;
  rule?: string | null;
  ref?: Ref | null;
  expiresAt?: Date | null;
  qualifying?: number;
  key: string;
  createdBy?: string | null;
}

/** One ledger row, the member's cached balance, and the outbox event — always together. */
async function append(tx: Tx, tenantId: string, m: LockedMember, e: Entry): Promise<string> {
  const id = newId();
  m.balance += e.delta;
  await sql`insert into loyalty_ledger (tenant_id, id, member_id, kind, delta, balance_after, qualifying, reason, rule,
      ref_object, ref_id, expires_at, idempotency_key, created_by)
    values (${tenantId}, ${id}, ${m.id}, ${e.kind}, ${e.delta}, ${m.balance}, ${e.qualifying ?? 0}, ${e.reason},
      ${e.rule ?? null}, ${e.ref?.object ?? null}, ${e.ref?.id ?? null}, ${e.expiresAt ?? null}, ${e.key},
      ${e.createdBy ?? null})`.execute(tx);
  await sql`update loyalty_members set balance = ${m.balance}, debt = ${m.debt}, version = version + 1
    where tenant_id = ${tenantId} and id = ${m.id}`.execute(tx);
  await emitEvent(tx, tenantId, {
    type: 'loyalty.points.changed',
    object: 'loyalty_member',
    recordId: m.id,
    payload: {
      memberId: m.id,
      profileId: m.profile_id,
      programId: m.program_id,
      delta: e.delta,
      balance: m.balance,
      reason: e.reason,
      kind: e.kind,
    },
  });
  return id;
}

/** Points into a lot, paying back any debt first (debt exists only while every lot is empty). */
async function credit(
  tx: Tx,
  tenantId: string,
  m: LockedMember,
  ledgerId: string,
  into: { lotId: string } | { newLot: { points: number; expiresAt: Date | null } },
  points: number,
) {
  const repay = Math.min(m.debt, points);
  m.debt -= repay;
  const rest = points - repay;
  if ('newLot' in into) {
    // The lot keeps the points earned, even when part of them paid a debt.
    const lotId = newId();
    await sql`insert into loyalty_lots (tenant_id, id, member_id, ledger_id, points, remaining, expires_at)
      values (${tenantId}, ${lotId}, ${m.id}, ${ledgerId}, ${points}, ${rest}, ${into.newLot.expiresAt})`.execute(
      tx,
    );
    if (rest > 0) await move(tx, tenantId, ledgerId, lotId, rest);
    return;
  }
  if (rest > 0) {
    await sql`update loyalty_lots set remaining = remaining + ${rest}
      where tenant_id = ${tenantId} and id = ${into.lotId}`.execute(tx);
    await move(tx, tenantId, ledgerId, into.lotId, rest);
  }
}

async function move(tx: Tx, tenantId: string, ledgerId: string, lotId: string, points: number) {
  await sql`insert into loyalty_lot_moves (tenant_id, ledger_id, lot_id, points)
    values (${tenantId}, ${ledgerId}, ${lotId}, ${points})
    on conflict (tenant_id, ledger_id, lot_id) do update set points = loyalty_lot_moves.points + excluded.points`.execute(
    tx,
  );
}

interface OpenLot {
  id: string;
  remaining: number;
  expires_at: Date | null;
}

/** Open, unexpired lots in burn order: soonest expiry first, then oldest (FIFO). */
async function openLots(tx: Tx, tenantId: string, memberId: string, first?: string[]): Promise<OpenLot[]> {
  const rows = (
    await sql<any>`select id, remaining, expires_at from loyalty_lots
      where tenant_id = ${tenantId} and member_id = ${memberId} and remaining > 0
        and (expires_at is null or expires_at > now())
      order by ${first?.length ? sql`(id = any(${first}::uuid[])) desc,` : sql``}
        expires_at asc nulls last, earned_at asc, id asc`.execute(tx)
  ).rows;
  return rows.map((r) => ({ id: r.id, remaining: Number(r.remaining), expires_at: r.expires_at }));
}

/** Takes `points` out of lots in burn order; returns what came from where. */
async function take(
  tx: Tx,
  tenantId: string,
  m: LockedMember,
  ledgerId: string,
  points: number,
  first?: string[],
): Promise<{ taken: Array<{ lotId: string; points: number; expiresAt: Date | null }>; short: number }> {
  let left = points;
  const taken: Array<{ lotId: string; points: number; expiresAt: Date | null }> = [];
  for (const lot of await openLots(tx, tenantId, m.id, first)) {
    if (left === 0) break;
    const n = Math.min(lot.remaining, left);
    await sql`update loyalty_lots set remaining = remaining - ${n}
      where tenant_id = ${tenantId} and id = ${lot.id}`.execute(tx);
    await move(tx, tenantId, ledgerId, lot.id, -n);
    taken.push({ lotId: lot.id, points: n, expiresAt: lot.expires_at });
    left -= n;
  }
  return { taken, short: left };
}

/**
 * Empties the member's lots whose expiry has passed, as one `expire` row. Runs inside every
 * spend (so a spend never uses points that have expired but not yet been swept) and from the
 * daily job. Idempotent by its condition: an emptied lot is not found again.
 */
export async function expireDue(tx: Tx, tenantId: string, m: LockedMember, locale: Locale = 'zh-CN') {
  const lots = (
    await sql<{ id: string; remaining: string }>`select id, remaining from loyalty_lots
      where tenant_id = ${tenantId} and member_id = ${m.id} and remaining > 0 and expires_at <= now()
      order by expires_at, id`.execute(tx)
  ).rows;
  if (!lots.length) return null;
  const total = lots.reduce((s, l) => s + Number(l.remaining), 0);
  const ledgerKey = `expire:${newId()}`;
  const id = await append(tx, tenantId, m, {
    kind: 'expire',
    delta: -total,
    reason: lt(locale, 'reason_expire'),
    key: ledgerKey,
  });
  for (const l of lots) {
    await sql`update loyalty_lots set remaining = 0 where tenant_id = ${tenantId} and id = ${l.id}`.execute(
      tx,
    );
    await move(tx, tenantId, id, l.id, -Number(l.remaining));
  }
  return { ledgerId: id, points: total };
}

async function programOf(tx: Tx, tenantId: string, programId: string) {
  return (
    await sql<{
      expiry_days: number | null;
      tier_basis: 'points' | 'spend';
    }>`select expiry_days, tier_basis from loyalty_programs where tenant_id = ${tenantId} and id = ${programId}`.execute(
      tx,
    )
  ).rows[0]!;
}

export interface EarnInput {
  memberId: string;
  points: number;
  reason: string;
  ref?: Ref;
  idempotencyKey: string;
  expiresAt?: Date;
}

export interface EarnOptions {
  kind?: 'earn' | 'adjust';
  /** What counts towards the tier; default: the points when the program's tiers go by points. */
  qualifying?: number;
  rule?: string;
  createdBy?: string | null;
  locale?: Locale;
}

/** Adds points as a new lot expiring per the program (or `expiresAt`); may raise the tier at once. */
export async function earnPoints(
  tx: Tx,
  tenantId: string,
  input: EarnInput,
  opts: EarnOptions = {},
): Promise<{ ledgerId: string }> {
  const locale = opts.locale ?? 'zh-CN';
  assertPoints(input.points, locale);
  const again = await byKey(tx, tenantId, input.idempotencyKey);
  if (again) return { ledgerId: again.id };
  const m = await lockMember(tx, tenantId, input.memberId, locale);
  const raced = await byKey(tx, tenantId, input.idempotencyKey);
  if (raced) return { ledgerId: raced.id };
  const program = await programOf(tx, tenantId, m.program_id);
  const expiresAt =
    input.expiresAt ?? (program.expiry_days ? new Date(Date.now() + program.expiry_days * 86_400_000) : null);
  const qualifying = opts.qualifying ?? (program.tier_basis === 'points' ? input.points : 0);
  const id = await append(tx, tenantId, m, {
    kind: opts.kind ?? 'earn',
    delta: input.points,
    reason: input.reason,
    rule: opts.rule ?? null,
    ref: input.ref ?? null,
    expiresAt,
    qualifying,
    key: input.idempotencyKey,
    createdBy: opts.createdBy ?? null,
  });
  await credit(tx, tenantId, m, id, { newLot: { points: input.points, expiresAt } }, input.points);
  await sql`update loyalty_members set debt = ${m.debt} where tenant_id = ${tenantId} and id = ${m.id}`.execute(
    tx,
  );
  if (qualifying > 0) await maybeUpgrade(tx, tenantId, m.id);
  return { ledgerId: id };
}

export interface SpendInput {
  memberId: string;
  points: number;
  reason: string;
  ref?: Ref;
  idempotencyKey: string;
}

/** Burns points FIFO by expiry; 409 `loyalty.insufficient_points` when the balance is short. */
export async function spendPoints(
  tx: Tx,
  tenantId: string,
  input: SpendInput,
  opts: { kind?: 'spend' | 'adjust'; createdBy?: string | null; locale?: Locale } = {},
): Promise<{ ledgerId: string }> {
  const locale = opts.locale ?? 'zh-CN';
  assertPoints(input.points, locale);
  const again = await byKey(tx, tenantId, input.idempotencyKey);
  if (again) return { ledgerId: again.id };
  const m = await lockMember(tx, tenantId, input.memberId, locale);
  const raced = await byKey(tx, tenantId, input.idempotencyKey);
  if (raced) return { ledgerId: raced.id };
  await expireDue(tx, tenantId, m, locale);
  if (m.balance < input.points) throw insufficient(locale, m.balance, input.points);
  const id = await append(tx, tenantId, m, {
    kind: opts.kind ?? 'spend',
    delta: -input.points,
    reason: input.reason,
    ref: input.ref ?? null,
    key: input.idempotencyKey,
    createdBy: opts.createdBy ?? null,
  });
  const { short } = await take(tx, tenantId, m, id, input.points);
  if (short !== 0) throw new Error('loyalty: lots and balance disagree'); // the invariant, never expected
  return { ledgerId: id };
}

export const insufficient = (locale: Locale, balance: number, points: number) =>
  loyaltyProblem(
    'conflict',
    locale,
    'insufficient_points',
    { balance, points },
    [
      {
        field: 'points',
        code: 'insufficient_points',
        message: lt(locale, 'insufficient_points', { balance, points }),
      },
    ],
    { reason: 'loyalty.insufficient_points', balance },
  );

/**
 * Undoes a spend (a mall order cancelled, a redemption refunded): the points go back into the
 * lots they came from, with their original expiry (a lot that has expired meanwhile expires
 * again at once). A spend is reversed once: another key for the same spend returns the first
 * reversal.
 */
export async function reverseSpend(
  tx: Tx,
  tenantId: string,
  input: { spendIdempotencyKey: string; reason: string; idempotencyKey: string },
  locale: Locale = 'zh-CN',
): Promise<{ ledgerId: string }> {
  const again = await byKey(tx, tenantId, input.idempotencyKey);
  if (again) return { ledgerId: again.id };
  const spend = await byKey(tx, tenantId, input.spendIdempotencyKey);
  if (!spend || (spend.kind !== 'spend' && spend.kind !== 'adjust') || Number(spend.delta) >= 0)
    throw loyaltyProblem('not_found', locale, 'spend_not_found');
  const m = await lockMember(tx, tenantId, spend.member_id, locale);
  const raced = await byKey(tx, tenantId, input.idempotencyKey);
  if (raced) return { ledgerId: raced.id };
  const done = (
    await sql<{
      id: string;
    }>`select id from loyalty_ledger where tenant_id = ${tenantId} and kind = 'reverse_spend'
      and ref_object = 'loyalty_ledger' and ref_id = ${spend.id}`.execute(tx)
  ).rows[0];
  if (done) return { ledgerId: done.id };
  const moves = (
    await sql<{ lot_id: string; points: string }>`select lot_id, points from loyalty_lot_moves
      where tenant_id = ${tenantId} and ledger_id = ${spend.id} and points < 0 order by lot_id`.execute(tx)
  ).rows;
  const total = -Number(spend.delta);
  const id = await append(tx, tenantId, m, {
    kind: 'reverse_spend',
    delta: total,
    reason: input.reason,
    ref: { object: 'loyalty_ledger', id: spend.id },
    key: input.idempotencyKey,
  });
  for (const mv of moves) await credit(tx, tenantId, m, id, { lotId: mv.lot_id }, -Number(mv.points));
  await sql`update loyalty_members set debt = ${m.debt} where tenant_id = ${tenantId} and id = ${m.id}`.execute(
    tx,
  );
  await expireDue(tx, tenantId, m, locale);
  return { ledgerId: id };
}

/**
 * Takes back points earned by mistake or by an order since refunded: first from the lots the
 * `from` ledger rows created, then FIFO; what was already spent becomes debt, so the balance
 * goes negative and the next points earned pay it back (README: negative balance policy).
 */
export async function reverseEarn(
  tx: Tx,
  tenantId: string,
  input: {
    memberId: string;
    points: number;
    reason: string;
    ref?: Ref;
    idempotencyKey: string;
    fromLedgerIds: string[];
    qualifying?: number;
    rule?: string;
    kind?: 'reverse_earn' | 'adjust';
    createdBy?: string | null;
  },
  locale: Locale = 'zh-CN',
): Promise<{ ledgerId: string }> {
  assertPoints(input.points, locale);
  const again = await byKey(tx, tenantId, input.idempotencyKey);
  if (again) return { ledgerId: again.id };
  const m = await lockMember(tx, tenantId, input.memberId, locale);
  const raced = await byKey(tx, tenantId, input.idempotencyKey);
  if (raced) return { ledgerId: raced.id };
  await expireDue(tx, tenantId, m, locale);
  const id = await append(tx, tenantId, m, {
    kind: input.kind ?? 'reverse_earn',
    delta: -input.points,
    reason: input.reason,
    rule: input.rule ?? null,
    ref: input.ref ?? null,
    qualifying: -(input.qualifying ?? 0),
    key: input.idempotencyKey,
    createdBy: input.createdBy ?? null,
  });
  const first = input.fromLedgerIds.length
    ? (
        await sql<{ id: string }>`select id from loyalty_lots where tenant_id = ${tenantId}
          and ledger_id = any(${input.fromLedgerIds}::uuid[])`.execute(tx)
      ).rows.map((r) => r.id)
    : [];
  const { short } = await take(tx, tenantId, m, id, input.points, first);
  if (short > 0) {
    m.debt += short;
    await sql`update loyalty_members set debt = ${m.debt} where tenant_id = ${tenantId} and id = ${m.id}`.execute(
      tx,
    );
  }
  return { ledgerId: id };
}

/**
 * Moves points between two members of one program (when it allows): the receiver's new lots
 * keep the sender's expiry dates, so a transfer never extends points' life.
 */
export async function transferPoints(
  tx: Tx,
  tenantId: string,
  input: {
    fromMemberId: string;
    toMemberId: string;
    points: number;
    idempotencyKey: string;
    createdBy?: string;
  },
  locale: Locale = 'zh-CN',
): Promise<{ outLedgerId: string; inLedgerId: string }> {
  assertPoints(input.points, locale);
  const outKey = `${input.idempotencyKey}:out`;
  const inKey = `${input.idempotencyKey}:in`;
  const again = await byKey(tx, tenantId, outKey);
  if (again) return { outLedgerId: again.id, inLedgerId: (await byKey(tx, tenantId, inKey))!.id };
  if (input.fromMemberId === input.toMemberId)
    throw loyaltyProblem('validation', locale, 'transfer_same_member', {}, [
      { field: 'toMemberId', code: 'transfer_same_member', message: lt(locale, 'transfer_same_member') },
    ]);
  // Two rows, always locked in id order, so two opposite transfers cannot deadlock.
  const [a, b] = [input.fromMemberId, input.toMemberId].sort();
  const la = await lockMember(tx, tenantId, a!, locale);
  const lb = await lockMember(tx, tenantId, b!, locale);
  const from = la.id === input.fromMemberId ? la : lb;
  const to = la.id === input.fromMemberId ? lb : la;
  const raced = await byKey(tx, tenantId, outKey);
  if (raced) return { outLedgerId: raced.id, inLedgerId: (await byKey(tx, tenantId, inKey))!.id };
  if (from.program_id !== to.program_id) throw loyaltyProblem('conflict', locale, 'transfer_other_program');
  const allowed = (
    await sql<{ allow_transfer: boolean }>`select allow_transfer from loyalty_programs
      where tenant_id = ${tenantId} and id = ${from.program_id}`.execute(tx)
  ).rows[0]?.allow_transfer;
  if (!allowed) throw loyaltyProblem('conflict', locale, 'transfer_not_allowed');
  await expireDue(tx, tenantId, from, locale);
  if (from.balance < input.points) throw insufficient(locale, from.balance, input.points);
  const outId = await append(tx, tenantId, from, {
    kind: 'transfer_out',
    delta: -input.points,
    reason: lt(locale, 'reason_transfer_out', { to: to.member_no }),
    ref: { object: 'loyalty_member', id: to.id },
    key: outKey,
    createdBy: input.createdBy ?? null,
  });
  const { taken } = await take(tx, tenantId, from, outId, input.points);
  const inId = await append(tx, tenantId, to, {
    kind: 'transfer_in',
    delta: input.points,
    reason: lt(locale, 'reason_transfer_in', { from: from.member_no }),
    ref: { object: 'loyalty_member', id: from.id },
    key: inKey,
    createdBy: input.createdBy ?? null,
  });
  for (const t of taken)
    await credit(tx, tenantId, to, inId, { newLot: { points: t.points, expiresAt: t.expiresAt } }, t.points);
  await sql`update loyalty_members set debt = ${to.debt} where tenant_id = ${tenantId} and id = ${to.id}`.execute(
    tx,
  );
  return { outLedgerId: outId, inLedgerId: inId };
}
