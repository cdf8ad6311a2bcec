import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import type { AppError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { drainBackground, useTestEnv } from '../../testing/harness.ts';
import { sendBatch, tenantWithSource } from '../cdp/test-kit.ts';
import { expireAll } from './daily.job.ts';
import { earnPoints, enrolMember, findMember, getMemberSummary, reverseSpend, spendPoints } from './index.ts';
import { reverseEarn, transferPoints } from './points.service.ts';
import { reviewTier } from './tiers.service.ts';

const env = useTestEnv();

let tenantId = '';
let rootUnit = '';
let programId = '';
const profiles: string[] = [];
const tier: Record<string, string> = {};

const inT = <T>(fn: (tx: Tx) => Promise<T>) => inTenant(env.database.db, tenantId, fn);

/** A program written straight into the tables: the contract's functions are under test here. */
async function program(tx: Tx, opts: { expiryDays?: number; allowTransfer?: boolean } = {}) {
  const id = newId();
  await sql`insert into loyalty_programs (tenant_id, id, name, unit_id, expiry_days, allow_transfer, retention_percent)
    values (${tenantId}, ${id}, ${`臻享会员${id.slice(-4)}`}, ${rootUnit}, ${opts.expiryDays ?? null},
      ${opts.allowTransfer ?? false}, 80)`.execute(tx);
  for (const [rank, [name, threshold]] of [
    ['银卡', 0],
    ['金卡', 1000],
    ['黑金', 5000],
  ].entries()) {
    const t = newId();
    tier[name as string] = t;
    await sql`insert into loyalty_tiers (tenant_id, id, program_id, name, rank, threshold)
      values (${tenantId}, ${t}, ${id}, ${name}, ${rank}, ${threshold})`.execute(tx);
  }
  return id;
}

let ready: Promise<void> | null = null;
const setup = () =>
  (ready ??= (async () => {
    const t = await tenantWithSource(env, 3);
    tenantId = t.tenantId;
    const users = ['ly-1', 'ly-2', 'ly-3', 'ly-4'];
    await sendBatch(
      env,
      t.key,
      users.map((u) => ({ type: 'identify', userId: u, traits: { name: `会员${u}` } })),
    );
    await drainBackground(env, tenantId);
    await inT(async (tx) => {
      rootUnit = (await sql<{ id: string }>`select id from units where parent_id is null`.execute(tx))
        .rows[0]!.id;
      for (const u of users)
        profiles.push(
          (
            await sql<{ id: string }>`select profile_id as id from cdp_identities
              where kind = 'user_id' and value = ${u}`.execute(tx)
          ).rows[0]!.id,
        );
      programId = await program(tx, { expiryDays: 365, allowTransfer: true });
    });
  })());

async function invariant(memberId: string) {
  return inT(async (tx) => {
    const r = (
      await sql<any>`select m.balance::bigint as balance, m.debt::bigint as debt,
          (select coalesce(sum(delta), 0) from loyalty_ledger l where l.tenant_id = m.tenant_id and l.member_id = m.id)::bigint as ledger,
          (select coalesce(sum(remaining), 0) from loyalty_lots o where o.tenant_id = m.tenant_id and o.member_id = m.id)::bigint as lots,
          (select count(*) from loyalty_lots o where o.tenant_id = m.tenant_id and o.member_id = m.id and o.remaining < 0)::int as negative
        from loyalty_members m where m.id = ${memberId}`.execute(tx)
    ).rows[0];
    const b = Number(r.balance);
    assert.equal(Number(r.ledger), b, 'sum(ledger) = balance');
    assert.equal(Number(r.lots) - Number(r.debt), b, 'sum(lots) - debt = balance');
    assert.equal(r.negative, 0);
    if (Number(r.debt) > 0) assert.equal(Number(r.lots), 0, 'debt only when every lot is empty');
    return b;
  });
}

describe('loyalty contract: enrolment', () => {
  it('enrols a profile once per program, idempotently by key and by profile', async () => {
    await setup();
    const a = await inT((tx) =>
      enrolMember(tx, tenantId, {
        programId,
        profileId: profiles[0]!,
        unitId: rootUnit,
        source: 'pos',
        idempotencyKey: 'enrol-1',
      }),
    );
    assert.equal(a.created, true);
    assert.match(a.memberNo, /^M\d{8}$/);
    const again = await inT((tx) =>
      enrolMember(tx, tenantId, {
        programId,
        profileId: profiles[0]!,
        unitId: rootUnit,
        source: 'pos',
        idempotencyKey: 'enrol-1',
      }),
    );
    assert.deepEqual(again, { ...a, created: false });
    const otherKey = await inT((tx) =>
      enrolMember(tx, tenantId, {
        programId,
        profileId: profiles[0]!,
        unitId: rootUnit,
        source: 'api',
        idempotencyKey: 'enrol-other',
      }),
    );
    assert.equal(otherKey.memberId, a.memberId);
    assert.equal(otherKey.created, false);
    const found = await inT((tx) => findMember(tx, tenantId, { profileId: profiles[0]! }));
    assert.deepEqual(found, { memberId: a.memberId, programId });
    assert.equal(await inT((tx) => findMember(tx, tenantId, { profileId: profiles[3]! })), null);
    const s = await inT((tx) => getMemberSummary(tx, tenantId, a.memberId));
    assert.equal(s.tier.name, '银卡');
    assert.deepEqual(s.nextTier, { id: tier.金卡, name: '金卡', qualifyingNeeded: 1000 });
    assert.equal(s.balance, 0);
  });

  it('refuses an unknown profile or program with 404', async () => {
    await setup();
    for (const input of [
      { programId, profileId: newId() },
      { programId: newId(), profileId: profiles[1]! },
    ])
      await assert.rejects(
        inT((tx) =>
          enrolMember(tx, tenantId, { ...input, unitId: rootUnit, source: 'api', idempotencyKey: newId() }),
        ),
        (e: AppError) => e.status === 404,
      );
  });
});

describe('loyalty contract: points', () => {
  it('earns, spends FIFO by expiry, refuses overspending and reverses a spend into its lots', async () => {
    await setup();
    const { memberId } = await inT((tx) =>
      enrolMember(tx, tenantId, {
        programId,
        profileId: profiles[1]!,
        unitId: rootUnit,
        source: 'api',
        idempotencyKey: 'enrol-2',
      }),
    );
    const soon = new Date(Date.now() + 10 * 86_400_000);
    const e1 = await inT((tx) =>
      earnPoints(tx, tenantId, { memberId, points: 300, reason: '首单', idempotencyKey: 'e1' }),
    );
    const e1again = await inT((tx) =>
      earnPoints(tx, tenantId, { memberId, points: 300, reason: '首单', idempotencyKey: 'e1' }),
    );
    assert.equal(e1again.ledgerId, e1.ledgerId);
    await inT((tx) =>
      earnPoints(tx, tenantId, {
        memberId,
        points: 200,
        reason: '活动',
        idempotencyKey: 'e2',
        expiresAt: soon,
      }),
    );
    assert.equal(await invariant(memberId), 500);
    // The lot expiring in 10 days burns first.
    await inT((tx) =>
      spendPoints(tx, tenantId, { memberId, points: 250, reason: '兑换', idempotencyKey: 's1' }),
    );
    const lots = await inT(
      async (tx) =>
        (
          await sql<{ remaining: string; expires_at: Date }>`select remaining, expires_at from loyalty_lots
            where member_id = ${memberId} order by expires_at`.execute(tx)
        ).rows,
    );
    assert.deepEqual(
      lots.map((l) => Number(l.remaining)),
      [0, 250],
    );
    await assert.rejects(
      inT((tx) => spendPoints(tx, tenantId, { memberId, points: 251, reason: '兑换', idempotencyKey: 's2' })),
      (e: AppError) => e.status === 409 && (e as any).extra?.reason === 'loyalty.insufficient_points',
    );
    const summary = await inT((tx) => getMemberSummary(tx, tenantId, memberId));
    assert.equal(summary.balance, 250);
    assert.deepEqual(summary.expiringSoon, []);
    // Reversal: the 200 go back into the soon-expiring lot, the 50 into the other.
    const r1 = await inT((tx) =>
      reverseSpend(tx, tenantId, { spendIdempotencyKey: 's1', reason: '取消兑换', idempotencyKey: 'r1' }),
    );
    const r1b = await inT((tx) =>
      reverseSpend(tx, tenantId, {
        spendIdempotencyKey: 's1',
        reason: '取消兑换',
        idempotencyKey: 'r1-other',
      }),
    );
    assert.equal(r1b.ledgerId, r1.ledgerId, 'a spend is reversed once');
    const after = await inT((tx) => getMemberSummary(tx, tenantId, memberId));
    assert.equal(after.balance, 500);
    assert.deepEqual(
      after.expiringSoon.map((x) => x.points),
      [200],
    );
    assert.equal(await invariant(memberId), 500);
    await assert.rejects(
      inT((tx) =>
        reverseSpend(tx, tenantId, { spendIdempotencyKey: 'nope', reason: 'x', idempotencyKey: 'r2' }),
      ),
      (e: AppError) => e.status === 404,
    );
  });

  it('upgrades at once when qualified, keeps the tier at review within the retention share', async () => {
    await setup();
    const { memberId } = await inT((tx) =>
      enrolMember(tx, tenantId, {
        programId,
        profileId: profiles[2]!,
        unitId: rootUnit,
        source: 'api',
        idempotencyKey: 'enrol-3',
      }),
    );
    await inT((tx) =>
      earnPoints(tx, tenantId, { memberId, points: 1200, reason: '订单', idempotencyKey: 'q1' }),
    );
    let s = await inT((tx) => getMemberSummary(tx, tenantId, memberId));
    assert.equal(s.tier.name, '金卡');
    assert.equal(s.nextTier?.qualifyingNeeded, 3800);
    // A refund takes back 300 qualifying: 900 ≥ 80 % of 1000, the review keeps 金卡.
    await inT((tx) =>
      reverseEarn(tx, tenantId, {
        memberId,
        points: 300,
        qualifying: 300,
        reason: '退款',
        idempotencyKey: 'q1-refund',
        fromLedgerIds: [],
      }),
    );
    assert.equal(await inT((tx) => reviewTier(tx, tenantId, memberId)), 'kept');
    await inT((tx) =>
      reverseEarn(tx, tenantId, {
        memberId,
        points: 200,
        qualifying: 200,
        reason: '退款',
        idempotencyKey: 'q1-refund2',
        fromLedgerIds: [],
      }),
    );
    assert.equal(await inT((tx) => reviewTier(tx, tenantId, memberId)), 'down');
    s = await inT((tx) => getMemberSummary(tx, tenantId, memberId));
    assert.equal(s.tier.name, '银卡');
  });

  it('lets a refund of spent points drive the balance negative; the next earn repays the debt', async () => {
    await setup();
    const { memberId } = await inT((tx) =>
      enrolMember(tx, tenantId, {
        programId,
        profileId: profiles[3]!,
        unitId: rootUnit,
        source: 'api',
        idempotencyKey: 'enrol-4',
      }),
    );
    const earn = await inT((tx) =>
      earnPoints(tx, tenantId, { memberId, points: 100, reason: '订单', idempotencyKey: 'd-e1' }),
    );
    await inT((tx) =>
      spendPoints(tx, tenantId, { memberId, points: 80, reason: '兑换', idempotencyKey: 'd-s1' }),
    );
    await inT((tx) =>
      reverseEarn(tx, tenantId, {
        memberId,
        points: 100,
        reason: '退款',
        idempotencyKey: 'd-r1',
        fromLedgerIds: [earn.ledgerId],
      }),
    );
    assert.equal(await invariant(memberId), -80);
    await inT((tx) =>
      earnPoints(tx, tenantId, { memberId, points: 50, reason: '订单', idempotencyKey: 'd-e2' }),
    );
    assert.equal(await invariant(memberId), -30);
    await inT((tx) =>
      earnPoints(tx, tenantId, { memberId, points: 50, reason: '订单', idempotencyKey: 'd-e3' }),
    );
    assert.equal(await invariant(memberId), 20);
  });

  it('expires due lots once, and transfers keep the sender’s expiry', async () => {
    await setup();
    const a = await inT((tx) => findMember(tx, tenantId, { profileId: profiles[1]! }));
    const b = await inT((tx) => findMember(tx, tenantId, { profileId: profiles[0]! }));
    const past = new Date(Date.now() - 1000);
    await inT((tx) =>
      earnPoints(tx, tenantId, {
        memberId: a!.memberId,
        points: 40,
        reason: '已过期',
        idempotencyKey: 'x1',
        expiresAt: past,
      }),
    );
    const before = await invariant(a!.memberId);
    const job = { tenantId, tx: inT } as any;
    assert.ok((await expireAll(job)) >= 1);
    assert.equal(await expireAll(job), 0, 'a second run finds nothing');
    assert.equal(await invariant(a!.memberId), before - 40);
    await inT((tx) =>
      transferPoints(tx, tenantId, {
        fromMemberId: a!.memberId,
        toMemberId: b!.memberId,
        points: 100,
        idempotencyKey: 't1',
      }),
    );
    await inT((tx) =>
      transferPoints(tx, tenantId, {
        fromMemberId: a!.memberId,
        toMemberId: b!.memberId,
        points: 100,
        idempotencyKey: 't1',
      }),
    );
    assert.equal(await invariant(a!.memberId), before - 140);
    assert.equal(await invariant(b!.memberId), 100);
  });
  it('numbers members per program: a second program with the same prefix starts at 00000001 too', async () => {
    await setup();
    const second = newId();
    await inT(async (tx) => {
      await sql`insert into loyalty_programs (tenant_id, id, name, unit_id)
        values (${tenantId}, ${second}, '第二会员计划', ${rootUnit})`.execute(tx);
      await sql`insert into loyalty_tiers (tenant_id, id, program_id, name, rank, threshold)
        values (${tenantId}, ${newId()}, ${second}, '普通', 0, 0)`.execute(tx);
    });
    const m = await inT((tx) =>
      enrolMember(tx, tenantId, {
        programId: second,
        profileId: profiles[3]!,
        unitId: rootUnit,
        source: 'api',
        idempotencyKey: 'enrol-second-program',
      }),
    );
    assert.equal(m.created, true);
    assert.equal(m.memberNo, 'M00000001');
  });
});
