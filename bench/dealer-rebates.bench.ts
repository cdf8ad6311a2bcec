/**
 * Rebate 返利 accrual (issue 14): DEALERS dealer units (default 1,000) with ORDERS received orders
 * (default 100,000, two lines each) in this quarter, and two rules (a quarterly volume rule and a
 * monthly per-unit product rule). Kehu accrues the month through the service (one GROUP BY per
 * rule, one upsert per dealer and rule); the baseline is the hand-written aggregate computing the
 * same bases in one query per rule. Amounts are checked equal; a second run (idempotent: nothing
 * changes) is timed too. Ratios in the same run.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehu_bench_dms node_modules/.bin/node bench/dealer-rebates.bench.ts
 */
import { sql } from 'kysely';
import { inTenant } from '../apps/server/src/core/db/tenant-scope.ts';
import { accrueRebates, chinaMonth, rulePeriod } from '../apps/server/src/modules/dealers/rebates.service.ts';
import { tenantDirectory } from '../apps/server/src/testing/fixtures.ts';
import { getTestEnv, newTenantWithAdmin } from '../apps/server/src/testing/harness.ts';

const DEALERS = Math.min(Number(process.env.DEALERS ?? 1_000), 20_000);
const ORDERS = Math.min(Number(process.env.ORDERS ?? 100_000), 2_000_000);
const env = await getTestEnv();
const t = await newTenantWithAdmin(env, 0);
const dir = await tenantDirectory(env, t.seed);
const tenantId = dir.tenantId;
const region = dir.unit('EC');
const month = chinaMonth();
const q = rulePeriod('quarter', month);
const m = rulePeriod('month', month);
const productId = '00000000-0000-4000-8000-0000000000aa';

const s0 = performance.now();
await inTenant(env.database.db, tenantId, async (tx) => {
  await sql`insert into units (tenant_id, id, parent_id, name, type, code, path, depth)
    select ${tenantId}, g.id, ${region}, 'bench dealer ' || g.n, 'dealer', 'BR' || g.n,
      (select path from units where tenant_id = ${tenantId} and id = ${region}) || g.id || '/', 3
    from (select n, gen_random_uuid() as id from generate_series(1, ${DEALERS}) n) g`.execute(tx);
  // Received orders spread over this month (so both the month and the quarter see them).
  await sql`with d as (select id, row_number() over (order by id) - 1 as k from units
      where tenant_id = ${tenantId} and code like 'BR%')
    insert into dms_orders (tenant_id, id, order_no, dealer_unit_id, status, subtotal, discount, total, created_by, received_at)
    select ${tenantId}, gen_random_uuid(), 'B' || g, d.id, 'received', 10000 + g % 997, g % 7, 10000 + g % 997 - g % 7,
      ${dir.user('wang.jianguo').id}, ${m.from}::timestamptz + interval '1 hour' + (g % 600) * interval '1 minute'
    from generate_series(0, ${ORDERS - 1}) g join d on d.k = g % ${DEALERS}`.execute(tx);
  await sql`insert into dms_order_lines (tenant_id, order_id, line_no, product_id, product_name, quantity, unit_price, amount)
    select o.tenant_id, o.id, n, case when n = 1 then ${productId}::uuid else gen_random_uuid() end, 'x',
      1 + (hashtext(o.order_no) & 7), 100, 100
    from dms_orders o cross join generate_series(1, 2) n where o.tenant_id = ${tenantId} and o.order_no like 'B%'`.execute(
    tx,
  );
  await sql`insert into dms_rebate_rules (tenant_id, id, name, basis, period_kind, threshold, percent, starts_on)
    values (${tenantId}, gen_random_uuid(), 'volume', 'volume', 'quarter', 100000, 2, ${q.firstDay})`.execute(
    tx,
  );
  await sql`insert into dms_rebate_rules (tenant_id, id, name, basis, period_kind, product_id, per_unit, starts_on)
    values (${tenantId}, gen_random_uuid(), 'per unit', 'product', 'month', ${productId}, 100, ${m.firstDay})`.execute(
    tx,
  );
  await sql`analyze dms_orders`.execute(tx).catch(() => undefined);
  await sql`analyze dms_order_lines`.execute(tx).catch(() => undefined);
});
const seedMs = performance.now() - s0;

// Baseline: the two bases for every dealer, hand-written, one query each.
const b0 = performance.now();
const [vol, units] = await inTenant(env.database.db, tenantId, async (tx) => [
  (
    await sql<any>`select dealer_unit_id, sum(subtotal - discount)::bigint as base from dms_orders
      where tenant_id = ${tenantId} and status = 'received' and received_at >= ${q.from}::timestamptz
        and received_at < ${q.to}::timestamptz group by dealer_unit_id`.execute(tx)
  ).rows,
  (
    await sql<any>`select o.dealer_unit_id, sum(l.quantity)::bigint as base from dms_orders o
      join dms_order_lines l on l.tenant_id = o.tenant_id and l.order_id = o.id
      where o.tenant_id = ${tenantId} and o.status = 'received' and o.received_at >= ${m.from}::timestamptz
        and o.received_at < ${m.to}::timestamptz and not l.is_gift and l.product_id = ${productId}
      group by o.dealer_unit_id`.execute(tx)
  ).rows,
]);
const bareMs = performance.now() - b0;
const expected =
  vol.reduce((s, r) => s + (Number(r.base) >= 100000 ? Math.round((Number(r.base) * 2) / 100) : 0), 0) +
  units.reduce((s, r) => s + Number(r.base) * 100, 0);

const k0 = performance.now();
const first = await inTenant(env.database.db, tenantId, (tx) => accrueRebates(tx, tenantId, month));
const kehuMs = performance.now() - k0;
const r0 = performance.now();
const again = await inTenant(env.database.db, tenantId, (tx) => accrueRebates(tx, tenantId, month));
const rerunMs = performance.now() - r0;
if (first.amount !== expected) throw new Error(`accrued ${first.amount}, expected ${expected}`);
if (again.accruals !== 0) throw new Error(`the second run changed ${again.accruals} accruals`);

console.log(
  JSON.stringify({
    bench: 'dealer-rebates',
    db: process.env.DATABASE_URL ? 'postgres' : 'pglite',
    dealers: DEALERS,
    orders: ORDERS,
    accruals: first.accruals,
    seedS: +(seedMs / 1000).toFixed(1),
    bareAggregateMs: +bareMs.toFixed(0),
    kehuAccrueMs: +kehuMs.toFixed(0),
    ratio: +(kehuMs / bareMs).toFixed(1),
    rerunMs: +rerunMs.toFixed(0),
    rerunRatio: +(rerunMs / bareMs).toFixed(1),
  }),
);
await env.close();
process.exit(0);
