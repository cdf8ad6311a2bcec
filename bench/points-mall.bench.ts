/**
 * Points-mall redemption under contention: 8 concurrent redemptions of one stocked reward over
 * HTTP (session, permission, member scope, idempotency lock, per-member limit, the conditional
 * stock UPDATE, loyalty's spendPoints with lots, the redemption row, outbox) against the bare
 * spend `UPDATE loyalty_members SET balance = balance - n WHERE balance >= n` 8 times concurrently
 * on the same database — the floor. Reported as the p99 ratio (same run).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehu_bench_mall node_modules/.bin/node bench/points-mall.bench.ts
 * Without DATABASE_URL it runs on PGlite (in memory).
 */
import { sql } from 'kysely';
import { inTenant } from '../apps/server/src/core/db/tenant-scope.ts';
import { newId } from '../apps/server/src/core/ids.ts';
import { profileForPhone } from '../apps/server/src/modules/cdp/index.ts';
import { earnPoints, enrolMember } from '../apps/server/src/modules/loyalty/index.ts';
import { uniqueMobile } from '../apps/server/src/testing/fixtures.ts';
import { getTestEnv, newTenantWithAdmin } from '../apps/server/src/testing/harness.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const CONCURRENCY = 8;
const p = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

const env = await getTestEnv();
const { admin, tenantId } = await newTenantWithAdmin(env, 0);
const members = await inTenant(env.database.db, tenantId, async (tx) => {
  const root = (await sql<{ id: string }>`select id from units where parent_id is null`.execute(tx)).rows[0]!
    .id;
  const programId = newId();
  await sql`insert into loyalty_programs (tenant_id, id, name, unit_id) values (${tenantId}, ${programId}, 'bench', ${root})`.execute(
    tx,
  );
  await sql`insert into loyalty_tiers (tenant_id, id, program_id, name, rank, threshold)
    values (${tenantId}, ${newId()}, ${programId}, 'base', 0, 0)`.execute(tx);
  const out: string[] = [];
  for (let i = 0; i < CONCURRENCY; i++) {
    const pr = (await profileForPhone(tx, tenantId, uniqueMobile(), 'bench'))!;
    const m = await enrolMember(tx, tenantId, {
      programId,
      profileId: pr.profileId,
      unitId: root,
      source: 'api',
      idempotencyKey: `b${i}`,
    });
    await earnPoints(tx, tenantId, {
      memberId: m.memberId,
      points: 1_000_000,
      reason: 'bench',
      idempotencyKey: `be${i}`,
    });
    out.push(m.memberId);
  }
  return out;
});
const reward = (
  await admin.post('/member-mall/rewards', {
    name: 'bench',
    kind: 'service',
    pointsCost: 10,
    stock: 1_000_000,
    perMemberLimit: 1000,
  })
).body;

const api: number[] = [];
const bare: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const res = await Promise.all(
    members.map(async (memberId, i) => {
      const t0 = performance.now();
      const r = await admin.post('/member-mall/redemptions', {
        memberId,
        rewardId: reward.id,
        idempotencyKey: `r${round}-${i}-bench`,
      });
      api.push(performance.now() - t0);
      return r.status;
    }),
  );
  if (res.some((s) => s !== 201)) throw new Error(`round ${round}: ${res}`);
  await Promise.all(
    members.map(async (memberId) => {
      const t0 = performance.now();
      await inTenant(env.database.db, tenantId, (tx) =>
        sql`update loyalty_members set balance = balance - 10 where tenant_id = ${tenantId} and id = ${memberId}
          and balance >= 10 returning id`.execute(tx),
      );
      bare.push(performance.now() - t0);
    }),
  );
}
console.log(
  JSON.stringify({
    bench: 'points-mall',
    db: process.env.DATABASE_URL ? 'postgres' : 'pglite',
    rounds: ROUNDS,
    concurrency: CONCURRENCY,
    apiP50Ms: +p(api, 0.5).toFixed(1),
    apiP99Ms: +p(api, 0.99).toFixed(1),
    bareP50Ms: +p(bare, 0.5).toFixed(1),
    bareP99Ms: +p(bare, 0.99).toFixed(1),
    p99Ratio: +(p(api, 0.99) / p(bare, 0.99)).toFixed(2),
  }),
);
await env.close();
process.exit(0);
