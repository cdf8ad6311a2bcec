/**
 * Coupon redemption under contention: 32 concurrent redeemers of one code over HTTP (sign-in
 * session, permission, visibility, the conditional UPDATE, the redemption row, outbox, audit),
 * against the bare `UPDATE … WHERE redeemed_at IS NULL RETURNING` 32 times concurrently on the
 * same database — the floor the design cannot beat. Reported as the p99 ratio (same run).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehu_bench_coupons node_modules/.bin/node bench/coupon-redeem.bench.ts
 * Without DATABASE_URL it runs on PGlite (in memory).
 */
import { sql } from 'kysely';
import { inTenant } from '../apps/server/src/core/db/tenant-scope.ts';
import { sendBatch, tenantWithSource } from '../apps/server/src/modules/cdp/test-kit.ts';
import { amountOff } from '../apps/server/src/modules/coupons/test-kit.ts';
import { drainBackground, getTestEnv, login } from '../apps/server/src/testing/harness.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 20);
const CONCURRENCY = 32;
const p = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

const env = await getTestEnv();
const t = await tenantWithSource(env, 1);
await sendBatch(env, t.key, [{ type: 'identify', userId: 'bench-u1', traits: { name: 'bench' } }]);
await drainBackground(env, t.tenantId);
const profileId = await inTenant(
  env.database.db,
  t.tenantId,
  async (tx) =>
    (
      await sql<{
        id: string;
      }>`select profile_id as id from cdp_identities where tenant_id = ${t.tenantId} and value = 'bench-u1'`.execute(
        tx,
      )
    ).rows[0]!.id,
);
const zhang = await login(env, t.seed.slug, 'zhang.wei');
const tpl = (await zhang.post('/coupon-templates', { ...amountOff('bench'), perProfileLimit: 1000 })).body;
const clerks = await Promise.all(Array.from({ length: 8 }, () => login(env, t.seed.slug, 'sun.lei')));

const api: number[] = [];
const bare: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const c = (
    await zhang.post(`/coupon-templates/${tpl.id}/issue`, { profileId, idempotencyKey: `b${round}` })
  ).body;
  const res = await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, i) => {
      const t0 = performance.now();
      const r = await clerks[i % clerks.length]!.post('/coupons/redeem', {
        code: c.code,
        orderAmountMinor: 200_00,
      });
      api.push(performance.now() - t0);
      return r.status;
    }),
  );
  if (res.filter((s) => s === 200).length !== 1) throw new Error(`round ${round}: ${res}`);
  // The floor: the same conditional UPDATE on a fresh coupon, nothing around it.
  const fresh = (
    await zhang.post(`/coupon-templates/${tpl.id}/issue`, { profileId, idempotencyKey: `f${round}` })
  ).body;
  const wins = await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const t0 = performance.now();
      const r = await inTenant(env.database.db, t.tenantId, (tx) =>
        sql`update coupons set redeemed_at = now() where tenant_id = ${t.tenantId} and id = ${fresh.couponId}
          and redeemed_at is null returning id`.execute(tx),
      );
      bare.push(performance.now() - t0);
      return r.rows.length;
    }),
  );
  if (wins.reduce((a, b) => a + b, 0) !== 1) throw new Error('bare: not exactly one winner');
}
const out = {
  bench: 'coupon-redeem',
  db: process.env.DATABASE_URL ? 'postgres' : 'pglite',
  rounds: ROUNDS,
  concurrency: CONCURRENCY,
  apiP50Ms: +p(api, 0.5).toFixed(1),
  apiP99Ms: +p(api, 0.99).toFixed(1),
  bareP50Ms: +p(bare, 0.5).toFixed(1),
  bareP99Ms: +p(bare, 0.99).toFixed(1),
  p99Ratio: +(p(api, 0.99) / p(bare, 0.99)).toFixed(2),
};
console.log(JSON.stringify(out));
await env.close();
process.exit(0);
