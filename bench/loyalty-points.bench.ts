/**
 * Points throughput: earn + burn through earnPoints/spendPoints (member lock, idempotency check,
 * ledger row, lot and lot moves, balance, outbox event, tier check) against a bare INSERT of the
 * same ledger rows in the same database, both with 8 concurrent writers over 64 members — the
 * ratio is what the invariant costs. Plus the balance read (getMemberSummary) p99 against a bare
 * `select balance` by primary key.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehu_bench_loyalty node_modules/.bin/node bench/loyalty-points.bench.ts
 * Without DATABASE_URL it runs on PGlite (in memory).
 */
import { sql } from 'kysely';
import { inTenant } from '../apps/server/src/core/db/tenant-scope.ts';
import { newId } from '../apps/server/src/core/ids.ts';
import { tenantWithSource } from '../apps/server/src/modules/cdp/test-kit.ts';
import { earnPoints, getMemberSummary, spendPoints } from '../apps/server/src/modules/loyalty/index.ts';
import { getTestEnv } from '../apps/server/src/testing/harness.ts';

const OPS = Number(process.env.OPS ?? 800);
const WRITERS = 8;
const MEMBERS = 64;
const p = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

const env = await getTestEnv();
const t = await tenantWithSource(env, 0);
const tenantId = t.tenantId;
const inT = <T>(fn: Parameters<typeof inTenant<T>>[2]) => inTenant(env.database.db, tenantId, fn);
const members = await inT(async (tx) => {
  const root = (await sql<{ id: string }>`select id from units where parent_id is null`.execute(tx)).rows[0]!
    .id;
  const programId = newId();
  const tier = newId();
  await sql`insert into loyalty_programs (tenant_id, id, name, unit_id, expiry_days)
    values (${tenantId}, ${programId}, 'bench', ${root}, 365)`.execute(tx);
  await sql`insert into loyalty_tiers (tenant_id, id, program_id, name, rank, threshold)
    values (${tenantId}, ${tier}, ${programId}, 'base', 0, 0), (${tenantId}, ${newId()}, ${programId}, 'top', 1, 100000000)`.execute(
    tx,
  );
  const ids: string[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    const id = newId();
    ids.push(id);
    await sql`insert into loyalty_members (tenant_id, id, program_id, profile_id, member_no, unit_id, source, tier_id,
        tier_review_at, idempotency_key)
      values (${tenantId}, ${id}, ${programId}, ${newId()}, ${`B${i}`}, ${root}, 'api', ${tier}, now() + interval '1 year',
        ${`bench:${i}`})`.execute(tx);
  }
  return ids;
});

async function run(op: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (let i = next++; i < OPS; i = next++) await op(i);
    }),
  );
  return OPS / ((performance.now() - t0) / 1000);
}

// An opening balance, so a burn never waits for the earn beside it.
for (const memberId of members)
  await inT((tx) =>
    earnPoints(tx, tenantId, { memberId, points: 100_000, reason: 'open', idempotencyKey: `o${memberId}` }),
  );
// Earn and burn alternately on each member.
const serviceOps = await run(async (i) => {
  const memberId = members[Math.floor(i / 2) % MEMBERS]!;
  await inT((tx) =>
    i % 2 === 0
      ? earnPoints(tx, tenantId, { memberId, points: 10, reason: 'bench', idempotencyKey: `s${i}` }).then(
          () => {},
        )
      : spendPoints(tx, tenantId, { memberId, points: 5, reason: 'bench', idempotencyKey: `s${i}` }).then(
          () => {},
        ),
  );
});
const bareOps = await run(async (i) => {
  const memberId = members[Math.floor(i / 2) % MEMBERS]!;
  const delta = i % 2 === 0 ? 10 : -5;
  await inT((tx) =>
    sql`insert into loyalty_ledger (tenant_id, id, member_id, kind, delta, balance_after, reason, idempotency_key)
      values (${tenantId}, ${newId()}, ${memberId}, ${delta > 0 ? 'earn' : 'spend'}, ${delta}, 0, 'bench', ${`b${i}`})`.execute(
      tx,
    ),
  );
});

const summary: number[] = [];
const bareRead: number[] = [];
for (let i = 0; i < 300; i++) {
  const memberId = members[i % MEMBERS]!;
  let t0 = performance.now();
  await inT((tx) => getMemberSummary(tx, tenantId, memberId));
  summary.push(performance.now() - t0);
  t0 = performance.now();
  await inT((tx) =>
    sql`select balance from loyalty_members where tenant_id = ${tenantId} and id = ${memberId}`.execute(tx),
  );
  bareRead.push(performance.now() - t0);
}

console.log(
  JSON.stringify({
    bench: 'loyalty-points',
    db: process.env.DATABASE_URL ? 'postgres' : 'pglite',
    ops: OPS,
    writers: WRITERS,
    serviceOpsPerSec: +serviceOps.toFixed(0),
    bareInsertOpsPerSec: +bareOps.toFixed(0),
    throughputRatio: +(bareOps / serviceOps).toFixed(2),
    summaryP99Ms: +p(summary, 0.99).toFixed(2),
    bareReadP99Ms: +p(bareRead, 0.99).toFixed(2),
    readP99Ratio: +(p(summary, 0.99) / p(bareRead, 0.99)).toFixed(2),
  }),
);
await env.close();
process.exit(0);
