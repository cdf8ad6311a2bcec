/**
 * Dealer order submit with every check (issue 14): over HTTP as the dealer's own user — session,
 * permission, visibility, price policy, MOQ, 满减 and 买赠 promotions, expense-pool deduction, HQ
 * stock reservation and the credit check (conditional UPDATEs), the ledger entries, the approval
 * request, audit — against a bare INSERT of one order row on the same database. Drafts are made
 * outside the timing. Reported as p50 / p99 and the p99 ratio (same run).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehu_bench_dms node_modules/.bin/node bench/dealer-order.bench.ts
 * Without DATABASE_URL it runs on PGlite (in memory). ORDERS (default 200) submits are timed.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { inTenant } from '../apps/server/src/core/db/tenant-scope.ts';
import { expensePool } from '../apps/server/src/modules/trade-promotion/index.ts';
import { tenantDirectory } from '../apps/server/src/testing/fixtures.ts';
import { getTestEnv, login, newTenantWithAdmin } from '../apps/server/src/testing/harness.ts';

const ORDERS = Number(process.env.ORDERS ?? 200);
const p = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const must = async (r: Promise<{ status: number; body: any }>, what: string) => {
  const x = await r;
  if (x.status >= 300) throw new Error(`${what}: ${x.status} ${JSON.stringify(x.body).slice(0, 300)}`);
  return x.body;
};

const env = await getTestEnv();
const t = await newTenantWithAdmin(env, 0);
const dir = await tenantDirectory(env, t.seed);
const hq = await login(env, t.seed.slug, 'wang.jianguo');
const zhang = await login(env, t.seed.slug, 'zhang.wei');
const d1 = dir.unit('EC-D1');
const year = new Date().getFullYear();
const products: string[] = [];
for (let i = 0; i < 5; i++) {
  const pr = await must(
    t.admin.post('/records/product', {
      name: `bench-${i}`,
      code: `B${i}`,
      listPrice: { amount: 100_00 + i, currency: 'CNY' },
    }),
    'product',
  );
  products.push(pr.id);
  await must(
    hq.request('PUT', `/dealers/products/${pr.id}`, { onHand: 100_000_000, minOrderQty: 2 }),
    'stock',
  );
}
await must(hq.patch(`/dealers/accounts/${d1}`, { creditLimit: 90_000_000_000, tier: 'A' }), 'credit');
await must(
  hq.post('/dealers/price-policies', {
    name: 'A',
    tier: 'A',
    discountPercent: 85,
    validFrom: `${year}-01-01`,
  }),
  'policy',
);
const reduce = await must(
  hq.post('/dealers/promotions', {
    name: '满减',
    kind: 'full_reduction',
    threshold: 500_00,
    reduction: 10_00,
    startsOn: `${year}-01-01`,
    endsOn: `${year}-12-31`,
  }),
  'promo',
);
const gift = await must(
  hq.post('/dealers/promotions', {
    name: '买赠',
    kind: 'gift',
    threshold: 5,
    productId: products[0],
    giftProductId: products[1],
    giftQty: 1,
    startsOn: `${year}-01-01`,
    endsOn: `${year}-12-31`,
  }),
  'promo',
);
await inTenant(env.database.db, dir.tenantId, (tx) =>
  expensePool.credit(tx, dir.tenantId, {
    dealerUnitId: d1,
    amount: (ORDERS + 20) * 100,
    ref: 'bench',
    idempotencyKey: 'bench',
  }),
);

const body = {
  lines: products.map((productId, i) => ({ productId, quantity: 5 + i })),
  promotionIds: [reduce.id, gift.id],
  poolDeduction: 1_00,
};
const api: number[] = [];
const bare: number[] = [];
for (let i = 0; i < ORDERS + 10; i++) {
  const draft = await must(zhang.post('/dealers/orders', body), 'draft');
  const t0 = performance.now();
  const s = await must(zhang.post(`/dealers/orders/${draft.id}/submit`, {}), 'submit');
  const ms = performance.now() - t0;
  if (s.status !== 'pending') throw new Error(`submit → ${s.status}`);
  // The floor: one order row, nothing checked, in a tenant transaction on the same database.
  const b0 = performance.now();
  await inTenant(env.database.db, dir.tenantId, (tx) =>
    sql`insert into dms_orders (tenant_id, id, order_no, dealer_unit_id, subtotal, total, created_by)
      values (${dir.tenantId}, ${randomUUID()}, ${`BARE-${i}`}, ${d1}, 1, 1, ${dir.user('zhang.wei').id})`.execute(
      tx,
    ),
  );
  const bms = performance.now() - b0;
  if (i >= 10) {
    api.push(ms);
    bare.push(bms);
  }
}
const out = {
  bench: 'dealer-order',
  db: process.env.DATABASE_URL ? 'postgres' : 'pglite',
  orders: ORDERS,
  lines: products.length + 1,
  apiP50Ms: +p(api, 0.5).toFixed(1),
  apiP99Ms: +p(api, 0.99).toFixed(1),
  bareP50Ms: +p(bare, 0.5).toFixed(2),
  bareP99Ms: +p(bare, 0.99).toFixed(2),
  p99Ratio: +(p(api, 0.99) / p(bare, 0.99)).toFixed(1),
};
console.log(JSON.stringify(out));
await env.close();
process.exit(0);
