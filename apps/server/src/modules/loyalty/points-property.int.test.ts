import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { AppError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { drainBackground, useTestEnv } from '../../testing/harness.ts';
import { sendBatch, tenantWithSource } from '../cdp/test-kit.ts';
import { expireAll } from './daily.job.ts';
import { earnPoints, enrolMember, reverseSpend, spendPoints } from './index.ts';
import { reverseEarn, transferPoints } from './points.service.ts';

const env = useTestEnv();

/** A small deterministic generator: a failing seed can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('loyalty points under concurrency (property)', () => {
  it('keeps sum(ledger) = balance = sum(lots) − debt with random concurrent earn/spend/refund/expire/transfer', async () => {
    const t = await tenantWithSource(env, 0);
    const tenantId = t.tenantId;
    const users = ['pp-1', 'pp-2', 'pp-3'];
    await sendBatch(
      env,
      t.key,
      users.map((u) => ({ type: 'identify', userId: u })),
    );
    await drainBackground(env, tenantId);
    const inT = <T>(fn: (tx: Tx) => Promise<T>) => inTenant(env.database.db, tenantId, fn);
    const members = await inT(async (tx) => {
      const root = (await sql<{ id: string }>`select id from units where parent_id is null`.execute(tx))
        .rows[0]!.id;
      const programId = newId();
      await sql`insert into loyalty_programs (tenant_id, id, name, unit_id, allow_transfer, expiry_days)
        values (${tenantId}, ${programId}, '并发', ${root}, true, 365)`.execute(tx);
      await sql`insert into loyalty_tiers (tenant_id, id, program_id, name, rank, threshold)
        values (${tenantId}, ${newId()}, ${programId}, '基础', 0, 0), (${tenantId}, ${newId()}, ${programId}, '高级', 1, 500)`.execute(
        tx,
      );
      const out: string[] = [];
      for (const u of users) {
        const pid = (
          await sql<{
            id: string;
          }>`select profile_id as id from cdp_identities where kind = 'user_id' and value = ${u}`.execute(tx)
        ).rows[0]!.id;
        out.push(
          (
            await enrolMember(tx, tenantId, {
              programId,
              profileId: pid,
              unitId: root,
              source: 'api',
              idempotencyKey: u,
            })
          ).memberId,
        );
      }
      return out;
    });

    const seed = Number(process.env.LOYALTY_SEED ?? Date.now() % 100_000);
    const rand = rng(seed);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
    const earns: { key: string; member: string; ledgerId: string; points: number }[] = [];
    const spends: string[] = [];
    const done = new Set<string>();
    let refused = 0;
    const op = async (i: number) => {
      const member = pick(members);
      const r = rand();
      const key = `op-${seed}-${i}`;
      try {
        if (r < 0.4) {
          const points = 1 + Math.floor(rand() * 200);
          // Some lots expire at once, some soon, most in a year.
          const expiresAt =
            rand() < 0.15
              ? new Date(Date.now() - 1000)
              : rand() < 0.3
                ? new Date(Date.now() + 5_000)
                : undefined;
          const e = await inT((tx) =>
            earnPoints(tx, tenantId, {
              memberId: member,
              points,
              reason: 'earn',
              idempotencyKey: key,
              expiresAt,
            }),
          );
          earns.push({ key, member, ledgerId: e.ledgerId, points });
        } else if (r < 0.65) {
          await inT((tx) =>
            spendPoints(tx, tenantId, {
              memberId: member,
              points: 1 + Math.floor(rand() * 150),
              reason: 'spend',
              idempotencyKey: key,
            }),
          );
          spends.push(key);
        } else if (r < 0.75 && spends.length) {
          await inT((tx) =>
            reverseSpend(tx, tenantId, {
              spendIdempotencyKey: pick(spends),
              reason: 'undo',
              idempotencyKey: key,
            }),
          );
        } else if (r < 0.87 && earns.length) {
          const e = pick(earns);
          await inT((tx) =>
            reverseEarn(tx, tenantId, {
              memberId: e.member,
              points: 1 + Math.floor(rand() * e.points),
              reason: 'refund',
              idempotencyKey: key,
              fromLedgerIds: [e.ledgerId],
            }),
          );
        } else if (r < 0.95) {
          const to = pick(members.filter((m) => m !== member));
          await inT((tx) =>
            transferPoints(tx, tenantId, {
              fromMemberId: member,
              toMemberId: to,
              points: 1 + Math.floor(rand() * 50),
              idempotencyKey: key,
            }),
          );
        } else {
          await expireAll({ tenantId, tx: inT });
        }
        done.add(key);
      } catch (e) {
        if (e instanceof AppError && e.status === 409) refused++;
        else throw e;
      }
    };
    // 6 workers, each on its own connection, 120 operations.
    let next = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < 120) await op(next++);
      }),
    );
    // Replays of finished keys change nothing.
    const before = await inT(
      async (tx) =>
        (await sql<{ n: number }>`select count(*)::int as n from loyalty_ledger`.execute(tx)).rows[0]!.n,
    );
    for (const e of earns.slice(0, 10))
      await inT((tx) =>
        earnPoints(tx, tenantId, {
          memberId: e.member,
          points: e.points,
          reason: 'earn',
          idempotencyKey: e.key,
        }),
      );
    const after = await inT(
      async (tx) =>
        (await sql<{ n: number }>`select count(*)::int as n from loyalty_ledger`.execute(tx)).rows[0]!.n,
    );
    assert.equal(after, before, 'replayed keys add no rows');
    const rows = await inT(
      async (tx) =>
        (
          await sql<any>`select m.id, m.balance::bigint as balance, m.debt::bigint as debt,
              (select coalesce(sum(delta), 0) from loyalty_ledger l where l.tenant_id = m.tenant_id and l.member_id = m.id)::bigint as ledger,
              (select coalesce(sum(remaining), 0) from loyalty_lots o where o.tenant_id = m.tenant_id and o.member_id = m.id)::bigint as lots,
              (select count(*) from loyalty_lots o where o.tenant_id = m.tenant_id and o.member_id = m.id and o.remaining < 0)::int as negative,
              (select coalesce(sum(v.points), 0) from loyalty_lot_moves v join loyalty_lots o on o.tenant_id = v.tenant_id and o.id = v.lot_id
                where v.tenant_id = m.tenant_id and o.member_id = m.id)::bigint as moved
            from loyalty_members m`.execute(tx)
        ).rows,
    );
    for (const r of rows) {
      const msg = `seed ${seed}, member ${r.id}`;
      assert.equal(Number(r.ledger), Number(r.balance), `sum(ledger) = balance (${msg})`);
      assert.equal(Number(r.lots) - Number(r.debt), Number(r.balance), `sum(lots) − debt = balance (${msg})`);
      assert.equal(Number(r.moved), Number(r.lots), `lot moves explain every lot (${msg})`);
      assert.equal(r.negative, 0, msg);
      if (Number(r.debt) > 0) assert.equal(Number(r.lots), 0, `debt only with empty lots (${msg})`);
    }
    assert.ok(done.size > 60, `most operations succeeded (${done.size}, ${refused} refused)`);
  });
});
