/**
 * Field visit check-in (issue 14, R4.6): over HTTP as the rep — session, permission, visit
 * visibility and row lock, the store's geofence from trade promotion (GCJ-02 → WGS-84), the
 * distance, the update, the audit row — against a bare INSERT of one visit row on the same
 * database. Planned visits are made outside the timing. Reported as p50 / p99 and the p99 ratio
 * (same run).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehu_bench_fsl node_modules/.bin/node bench/field-visit-checkin.bench.ts
 * Without DATABASE_URL it runs on PGlite (in memory). VISITS (default 200, at most 2000) check-ins are timed.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { inTenant } from '../apps/server/src/core/db/tenant-scope.ts';
import { tenantDirectory } from '../apps/server/src/testing/fixtures.ts';
import { getTestEnv, login, newTenantWithAdmin } from '../apps/server/src/testing/harness.ts';
import { percentile } from './lib.ts';

const VISITS = Math.min(2000, Math.max(10, Number(process.env.VISITS ?? 200)));
const WARM = 10;
const must = async (r: Promise<{ status: number; body: any }>, what: string) => {
  const x = await r;
  if (x.status >= 300) throw new Error(`${what}: ${x.status} ${JSON.stringify(x.body).slice(0, 300)}`);
  return x.body;
};

const env = await getTestEnv();
const t = await newTenantWithAdmin(env, 0);
const dir = await tenantDirectory(env, t.seed);
const zhang = await login(env, t.seed.slug, 'zhang.wei');
const store = dir.unit('EC-D1-S1');
const rep = dir.user('zhang.wei').id;
await must(
  t.admin.request('PUT', `/tpm/stores/${store}/location`, {
    lng: 121.5906,
    lat: 31.2033,
    coordSystem: 'gcj02',
    radiusM: 300,
  }),
  'location',
);
const ids = Array.from({ length: VISITS + WARM }, () => randomUUID());
await inTenant(env.database.db, dir.tenantId, async (tx) => {
  for (const id of ids)
    await sql`insert into fsl_visits (tenant_id, id, rep_id, store_unit_id, day, seq, visit_type)
      values (${dir.tenantId}, ${id}, ${rep}, ${store}, current_date, 1, 'routine')`.execute(tx);
});
const first = await must(zhang.get(`/field-sales/visits/${ids[0]}`), 'visit');
const body = { lng: first.storeLng + 0.0004, lat: first.storeLat + 0.0003, accuracyM: 15 };

const api: number[] = [];
const bare: number[] = [];
for (const [i, id] of ids.entries()) {
  const t0 = performance.now();
  const v = await must(zhang.post(`/field-sales/visits/${id}/check-in`, body), 'check-in');
  const ms = performance.now() - t0;
  if (!v.insideFence) throw new Error('check-in outside the fence');
  // The floor: one visit row, nothing checked, in a tenant transaction on the same database.
  const b0 = performance.now();
  await inTenant(env.database.db, dir.tenantId, (tx) =>
    sql`insert into fsl_visits (tenant_id, id, rep_id, store_unit_id, day, visit_type, status, check_in_at,
        check_in_lng, check_in_lat)
      values (${dir.tenantId}, ${randomUUID()}, ${rep}, ${store}, current_date, 'routine', 'in_progress', now(),
        ${body.lng}, ${body.lat})`.execute(tx),
  );
  const bms = performance.now() - b0;
  if (i >= WARM) {
    api.push(ms);
    bare.push(bms);
  }
}
const out = {
  bench: 'field-visit-checkin',
  db: process.env.DATABASE_URL ? 'postgres' : 'pglite',
  visits: VISITS,
  apiP50Ms: +percentile(api, 50).toFixed(1),
  apiP99Ms: +percentile(api, 99).toFixed(1),
  bareP50Ms: +percentile(bare, 50).toFixed(2),
  bareP99Ms: +percentile(bare, 99).toFixed(2),
  p99Ratio: +(percentile(api, 99) / percentile(bare, 99)).toFixed(1),
};
console.log(JSON.stringify(out));
await env.close();
process.exit(0);
