import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { loadPrincipal } from '../../core/auth/access-loader.ts';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { marker, type TenantDirectory, tenantDirectory } from '../../testing/fixtures.ts';
import { type Client, login, newTenantWithAdmin, useTestEnv } from '../../testing/harness.ts';
import { expensePool } from '../trade-promotion/index.ts';
import { createOrder } from './orders.service.ts';
import { monthBounds, statementXlsx } from './statements.service.ts';

const env = useTestEnv();

const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body).slice(0, 500));
  return r.body;
};
/** The field errors of a 422 (field → code), after checking it is problem+json. */
const fieldErrors = async (p: Promise<{ status: number; headers: Headers; body: any }>) => {
  const r = await p;
  assert.equal(r.status, 422, JSON.stringify(r.body).slice(0, 500));
  assert.match(r.headers.get('content-type') ?? '', /problem\+json/);
  return Object.fromEntries((r.body.errors as any[]).map((e) => [e.field, e]));
};

let dir: TenantDirectory;
let admin: Client;
let as: (who: string) => Promise<Client>;
const prod: Record<string, string> = {};
let ready: Promise<void> | null = null;
const setup = () =>
  (ready ??= (async () => {
    const t = await newTenantWithAdmin(env, 0);
    admin = t.admin;
    dir = await tenantDirectory(env, t.seed);
    const sessions = new Map<string, Promise<Client>>();
    as = (who) => {
      if (!sessions.has(who)) sessions.set(who, login(env, t.seed.slug, who));
      return sessions.get(who)!;
    };
    const hq = await as('wang.jianguo');
    // A 100 元 (MOQ 5), B 50 元, G the gift, R the scarce one, C for the credit race.
    for (const [k, price, onHand, moq] of [
      ['A', 100_00, 100, 5],
      ['B', 50_00, 50, 1],
      ['G', 10_00, 5, 1],
      ['R', 10_00, 5, 1],
      ['C', 100_00, 1_000, 1],
    ] as const) {
      const p = await ok(
        admin.post('/records/product', {
          name: `${k}-${marker()}`,
          code: marker('P'),
          listPrice: { amount: price, currency: 'CNY' },
        }),
        201,
      );
      prod[k] = p.id;
      await ok(hq.request('PUT', `/dealers/products/${p.id}`, { onHand, minOrderQty: moq }));
    }
    await ok(hq.patch(`/dealers/accounts/${dir.unit('EC-D1')}`, { creditLimit: 1_000_00, tier: 'A' }));
  })());

const YEAR = new Date().getFullYear();
const creditPool = (dealer: string, amount: number) =>
  inTenant(env.database.db, dir.tenantId, (tx) =>
    expensePool.credit(tx, dir.tenantId, {
      dealerUnitId: dealer,
      amount,
      ref: 'test',
      idempotencyKey: marker('K'),
    }),
  );
const poolBalance = (dealer: string) =>
  inTenant(env.database.db, dir.tenantId, (tx) => expensePool.balance(tx, dir.tenantId, dealer));
const stock = (product: string) =>
  inTenant(env.database.db, dir.tenantId, async (tx) => {
    const r = (
      await sql<any>`select on_hand, reserved from dms_products where tenant_id = ${dir.tenantId}
        and product_id = ${product}`.execute(tx)
    ).rows[0];
    return { onHand: Number(r.on_hand), reserved: Number(r.reserved) };
  });
const draft = async (c: Client, body: Record<string, unknown>) => ok(c.post('/dealers/orders', body), 201);

describe('dealers: catalogue and price policy', () => {
  it('prices each dealer by its own policy first, then its tier, else list price; expired policies do not count', async () => {
    await setup();
    const hq = await as('wang.jianguo');
    await ok(
      hq.post('/dealers/price-policies', {
        name: 'A 级',
        tier: 'A',
        discountPercent: 80,
        validFrom: `${YEAR}-01-01`,
      }),
      201,
    );
    await ok(
      hq.post('/dealers/price-policies', {
        name: '浦东特价',
        dealerUnitId: dir.unit('EC-D1'),
        validFrom: `${YEAR}-01-01`,
        lines: [{ productId: prod.B, price: 30_00 }],
      }),
      201,
    );
    await ok(
      hq.post('/dealers/price-policies', {
        name: '过期',
        dealerUnitId: dir.unit('EC-D1'),
        discountPercent: 10,
        validFrom: `${YEAR - 2}-01-01`,
        validTo: `${YEAR - 2}-12-31`,
      }),
      201,
    );
    const bad = await fieldErrors(
      hq.post('/dealers/price-policies', { name: 'x', validFrom: `${YEAR}-01-01` }),
    );
    assert.equal(bad.dealerUnitId.code, 'policy_target');
    const mine = (await ok((await as('zhang.wei')).get('/dealers/catalogue'))).items;
    const byId = new Map(mine.map((x: any) => [x.productId, x]));
    assert.equal((byId.get(prod.A) as any).price, 80_00);
    assert.equal((byId.get(prod.B) as any).price, 30_00);
    assert.equal((byId.get(prod.A) as any).minOrderQty, 5);
    assert.equal((byId.get(prod.A) as any).available, 100);
    const other = (await ok((await as('liu.yang')).get('/dealers/catalogue'))).items;
    assert.equal(other.find((x: any) => x.productId === prod.A).price, 100_00);
    // HQ looks at a dealer's prices; a dealer cannot look at another's (404).
    await ok(hq.get(`/dealers/catalogue?dealerUnitId=${dir.unit('EC-D1')}`));
    await ok((await as('liu.yang')).get(`/dealers/catalogue?dealerUnitId=${dir.unit('EC-D1')}`), 404);
  });
});

describe('dealers: order checks before submit', () => {
  it('refuses each failing check with a localised field error and leaves nothing behind', async () => {
    await setup();
    const zhang = await as('zhang.wei');
    const hq = await as('wang.jianguo');
    const big = await ok(
      hq.post('/dealers/promotions', {
        name: '满 5000 减 100',
        kind: 'full_reduction',
        threshold: 5_000_00,
        reduction: 100_00,
        startsOn: `${YEAR}-01-01`,
        endsOn: `${YEAR}-12-31`,
      }),
      201,
    );
    const old = await ok(
      hq.post('/dealers/promotions', {
        name: '去年',
        kind: 'full_reduction',
        threshold: 1_00,
        reduction: 1_00,
        startsOn: `${YEAR - 1}-01-01`,
        endsOn: `${YEAR - 1}-12-31`,
      }),
      201,
    );
    const submit = async (body: Record<string, unknown>) =>
      fieldErrors(zhang.post(`/dealers/orders/${(await draft(zhang, body)).id}/submit`, {}));

    const moq = await submit({ lines: [{ productId: prod.A, quantity: 2 }] });
    assert.equal(moq['lines.0.quantity'].code, 'below_moq');
    assert.match(moq['lines.0.quantity'].message, /起订量为 5/);
    const promo = await submit({
      lines: [{ productId: prod.A, quantity: 5 }],
      promotionIds: [big.id, old.id],
    });
    assert.equal(promo['promotionIds.0'].code, 'promo_threshold');
    assert.equal(promo['promotionIds.1'].code, 'promo_inactive');
    const short = await submit({
      lines: [
        { productId: prod.B, quantity: 1 },
        { productId: prod.A, quantity: 150 },
      ],
    });
    assert.equal(short['lines.1.quantity'].code, 'insufficient_stock');
    assert.deepEqual(short['lines.1.quantity'].params, { available: 100, needed: 150 });
    const credit = await submit({ lines: [{ productId: prod.A, quantity: 20 }] });
    assert.equal(credit.total.code, 'credit_exceeded');
    const pool = await submit({ lines: [{ productId: prod.A, quantity: 5 }], poolDeduction: 50_00 });
    assert.equal(pool.poolDeduction.code, 'pool_exceeds_balance');
    // English callers read English.
    const en = await login(env, dir.seed.slug, 'zhang.wei');
    en.locale = 'en-US';
    const o = await draft(en, { lines: [{ productId: prod.A, quantity: 1 }] });
    const r = await en.post(`/dealers/orders/${o.id}/submit`, {});
    assert.match(r.body.errors[0].message, /minimum order quantity is 5/);

    assert.deepEqual(await stock(prod.A), { onHand: 100, reserved: 0 });
    const acct = await ok(zhang.get(`/dealers/accounts/${dir.unit('EC-D1')}`));
    assert.equal(acct.balance, 0);
  });

  it('submits with 满减, 买赠 and an expense-pool deduction, then approval, 发货 and 签收', async () => {
    await setup();
    const zhang = await as('zhang.wei');
    const hq = await as('wang.jianguo');
    const chen = await as('chen.zhiqiang');
    const d1 = dir.unit('EC-D1');
    const reduce = await ok(
      hq.post('/dealers/promotions', {
        name: '满 1000 减 100',
        kind: 'full_reduction',
        threshold: 1_000_00,
        reduction: 100_00,
        startsOn: `${YEAR}-01-01`,
        endsOn: `${YEAR}-12-31`,
      }),
      201,
    );
    const gift = await ok(
      hq.post('/dealers/promotions', {
        name: '买 10 B 赠 1 G',
        kind: 'gift',
        threshold: 10,
        productId: prod.B,
        giftProductId: prod.G,
        giftQty: 1,
        dealerUnitId: d1,
        startsOn: `${YEAR}-01-01`,
        endsOn: `${YEAR}-12-31`,
      }),
      201,
    );
    await creditPool(d1, 100_00);
    const poolBefore = await poolBalance(d1);
    // A 10 × 80 + B 10 × 30 = 1100; − 100 满减 = 1000; − 100 pool = 900 charged (limit 1000).
    const o = await draft(zhang, {
      lines: [
        { productId: prod.A, quantity: 10 },
        { productId: prod.B, quantity: 10 },
      ],
      promotionIds: [reduce.id, gift.id],
      poolDeduction: 100_00,
    });
    const s = await ok(zhang.post(`/dealers/orders/${o.id}/submit`, {}));
    assert.equal(s.status, 'pending');
    assert.deepEqual([s.subtotal, s.discount, s.poolDeduction, s.total], [1_100_00, 100_00, 100_00, 900_00]);
    assert.deepEqual(
      s.lines.map((l: any) => [l.productId, l.quantity, l.isGift]),
      [
        [prod.A, 10, false],
        [prod.B, 10, false],
        [prod.G, 1, true],
      ],
    );
    assert.equal(await poolBalance(d1), poolBefore - 100_00);
    assert.deepEqual(await stock(prod.G), { onHand: 5, reserved: 1 });
    const acct = await ok(zhang.get(`/dealers/accounts/${d1}`));
    assert.equal(acct.balance, -900_00);
    // A second submit is refused and deducts nothing more.
    await ok(zhang.post(`/dealers/orders/${o.id}/submit`, {}), 409);
    assert.equal(await poolBalance(d1), poolBefore - 100_00);

    // Nobody ships before approval; the region manager approves through the approvals engine.
    await ok(hq.post(`/dealers/orders/${o.id}/ship`, {}), 409);
    const inbox = await ok(chen.get('/approvals'));
    const req = (inbox.items ?? inbox).find((x: any) => x.recordId === o.id);
    await ok(chen.post(`/approvals/${req.id}/approve`, { comment: 'ok' }));
    assert.equal((await ok(zhang.get(`/dealers/orders/${o.id}`))).status, 'approved');
    await ok(zhang.post(`/dealers/orders/${o.id}/ship`, {}), 403);
    await ok(hq.post(`/dealers/orders/${o.id}/ship`, {}));
    assert.deepEqual(await stock(prod.A), { onHand: 90, reserved: 0 });
    await ok(hq.post(`/dealers/orders/${o.id}/receive`, {}), 403);
    assert.equal((await ok(zhang.post(`/dealers/orders/${o.id}/receive`, {}))).status, 'received');
    const cs = (await ok(zhang.get('/dealers/channel-stock'))).items;
    assert.deepEqual(Object.fromEntries(cs.map((x: any) => [x.productId, x.quantity])), {
      [prod.A]: 10,
      [prod.B]: 10,
      [prod.G]: 1,
    });

    // Another dealer sees none of it; a store user below cannot order for the dealer.
    const liu = await as('liu.yang');
    await ok(liu.get(`/dealers/orders/${o.id}`), 404);
    assert.ok(!(await ok(liu.get('/dealers/orders'))).items.some((x: any) => x.id === o.id));
    await ok(liu.get(`/dealers/accounts/${d1}`), 404);
    await ok(liu.post(`/dealers/orders/${o.id}/receive`, {}), 404);
    assert.ok((await ok(chen.get('/dealers/orders'))).items.some((x: any) => x.id === o.id));
    const sun = await as('sun.lei');
    await ok(sun.post('/dealers/orders', { lines: [{ productId: prod.A, quantity: 5 }] }), 403);
    await ok(sun.get(`/dealers/orders/${o.id}`), 403);
    // Even holding the permission, a store's user is not the dealer.
    const p = await loadPrincipal(env.database.db, dir.tenantId, dir.user('sun.lei').id, -1);
    await assert.rejects(
      inTenant(env.database.db, dir.tenantId, (tx) =>
        createOrder(
          tx,
          { ...p!, kind: 'user', permissions: [...p!.permissions, 'dealers:order'] },
          { tenantId: dir.tenantId, actorId: p!.userId, actorKind: 'user' },
          'zh-CN',
          { lines: [{ productId: prod.A, quantity: 5 }], promotionIds: [], poolDeduction: 0 },
        ),
      ),
      (e: any) => e.status === 403 && e.extra?.reason === 'not_a_dealer',
    );
  });

  it('gives back stock, credit and the expense pool when the approver rejects', async () => {
    await setup();
    const zhang = await as('zhang.wei');
    const chen = await as('chen.zhiqiang');
    const d1 = dir.unit('EC-D1');
    await creditPool(d1, 10_00);
    const pool = await poolBalance(d1);
    const before = await ok(zhang.get(`/dealers/accounts/${d1}`));
    const stockBefore = await stock(prod.B);
    const o = await draft(zhang, { lines: [{ productId: prod.B, quantity: 2 }], poolDeduction: 10_00 });
    await ok(zhang.post(`/dealers/orders/${o.id}/submit`, {}));
    const inbox = await ok(chen.get('/approvals'));
    const req = (inbox.items ?? inbox).find((x: any) => x.recordId === o.id);
    await ok(chen.post(`/approvals/${req.id}/reject`, { comment: '暂缓' }));
    assert.equal((await ok(zhang.get(`/dealers/orders/${o.id}`))).status, 'rejected');
    assert.equal(await poolBalance(d1), pool);
    assert.equal((await ok(zhang.get(`/dealers/accounts/${d1}`))).balance, before.balance);
    assert.deepEqual(await stock(prod.B), stockBefore);
  });
});

describe('dealers: racing submits', () => {
  it('lets exactly one of two orders take the last stock, and one of two the last credit', async () => {
    await setup();
    const zhang = await as('zhang.wei');
    const hq = await as('wang.jianguo');
    const [a, b] = [
      await draft(zhang, { lines: [{ productId: prod.R, quantity: 5 }] }),
      await draft(zhang, { lines: [{ productId: prod.R, quantity: 5 }] }),
    ];
    const rs = await Promise.all([a, b].map((o) => zhang.post(`/dealers/orders/${o.id}/submit`, {})));
    assert.deepEqual(rs.map((r) => r.status).sort(), [200, 422]);
    assert.equal(rs.find((r) => r.status === 422)!.body.errors[0].code, 'insufficient_stock');
    assert.deepEqual(await stock(prod.R), { onHand: 5, reserved: 5 });

    // Credit: room for one order of C (100 元 each at list) of 6, not two.
    const d1 = dir.unit('EC-D1');
    const acct = await ok(zhang.get(`/dealers/accounts/${d1}`));
    await ok(hq.patch(`/dealers/accounts/${d1}`, { creditLimit: -acct.balance + 900_00 }));
    const price = (await ok(zhang.get('/dealers/catalogue'))).items.find(
      (x: any) => x.productId === prod.C,
    ).price;
    const qty = Math.floor(900_00 / price);
    assert.ok(qty * price * 2 > 900_00);
    const [c, d] = [
      await draft(zhang, { lines: [{ productId: prod.C, quantity: qty }] }),
      await draft(zhang, { lines: [{ productId: prod.C, quantity: qty }] }),
    ];
    const rc = await Promise.all([c, d].map((o) => zhang.post(`/dealers/orders/${o.id}/submit`, {})));
    assert.deepEqual(rc.map((r) => r.status).sort(), [200, 422]);
    assert.equal(rc.find((r) => r.status === 422)!.body.errors[0].code, 'credit_exceeded');
    const after = await ok(zhang.get(`/dealers/accounts/${d1}`));
    assert.ok(after.available >= 0);
    assert.equal(after.balance, acct.balance - qty * price);
  });
});

describe('dealers: monthly statement', () => {
  it('holds opening + movements = closing, takes disputes line by line and exports to Excel', async () => {
    await setup();
    const hq = await as('wang.jianguo');
    const liu = await as('liu.yang');
    const zhang = await as('zhang.wei');
    const d2 = dir.unit('EC-D2');
    // An entry from before this month (owner-side insert: the app role cannot backdate).
    await ok(hq.patch(`/dealers/accounts/${d2}`, { creditLimit: 1_000_00 }));
    await inTenant(env.database.db, dir.tenantId, async (tx) => {
      await sql`insert into dms_account_entries (tenant_id, id, dealer_unit_id, kind, amount, ref, at)
        values (${dir.tenantId}, gen_random_uuid(), ${d2}, 'payment', 30000, 'old', now() - interval '40 days')`.execute(
        tx,
      );
      await sql`update dms_accounts set balance = balance + 30000 where tenant_id = ${dir.tenantId}
        and dealer_unit_id = ${d2}`.execute(tx);
    });
    await ok(
      hq.post(`/dealers/accounts/${d2}/entries`, { amount: 200_00, ref: '回款', idempotencyKey: 'p-1' }),
      201,
    );
    await ok(
      hq.post(`/dealers/accounts/${d2}/entries`, { amount: 200_00, ref: '回款', idempotencyKey: 'p-1' }),
      201,
    );
    await ok(
      hq.post(`/dealers/accounts/${d2}/entries`, { kind: 'rebate', amount: 50_00, ref: 'Q3 返利' }),
      201,
    );
    await creditPool(d2, 20_00);
    const o = await draft(liu, { lines: [{ productId: prod.B, quantity: 4 }], poolDeduction: 20_00 });
    await ok(liu.post(`/dealers/orders/${o.id}/submit`, {}));
    const acct = await ok(liu.get(`/dealers/accounts/${d2}`));
    assert.equal(acct.balance, 300_00 + 200_00 + 50_00 + 20_00 - 200_00);

    const period = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    assert.ok(Date.parse(monthBounds(period).from) <= Date.now());
    const st = await ok(hq.post('/dealers/statements', { dealerUnitId: d2, period }), 201);
    assert.deepEqual(
      [st.opening, st.orders, st.payments, st.rebates, st.deductions, st.credits],
      [300_00, 200_00, 200_00, 50_00, 20_00, 0],
    );
    assert.equal(st.closing, st.opening - st.orders + st.payments + st.rebates + st.deductions + st.credits);
    assert.equal(st.closing, acct.balance);
    assert.equal(st.opening + st.lines.reduce((s: number, l: any) => s + l.amount, 0), st.closing);
    assert.equal(st.lines.length, 4);
    assert.equal(st.status, 'open');
    await ok(hq.post('/dealers/statements', { dealerUnitId: d2, period }), 409);

    // The dealer disputes one line, confirms the rest; HQ resolves (audited).
    const line = st.lines.find((l: any) => l.kind === 'rebate');
    const disp = await ok(
      liu.post(`/dealers/statements/${st.id}/lines/${line.lineNo}/dispute`, {
        version: st.version,
        reason: '返利应为 60 元',
      }),
    );
    assert.equal(disp.version, st.version + 1);
    // A decision made on the version before the dispute is stale: 409, nothing confirmed.
    const stale = await liu.post(`/dealers/statements/${st.id}/confirm`, { version: st.version });
    assert.equal(stale.status, 409);
    assert.match(stale.body.detail, /刷新|reload/);
    await ok(liu.post(`/dealers/statements/${st.id}/confirm`, {}), 422);
    const conf = await ok(liu.post(`/dealers/statements/${st.id}/confirm`, { version: disp.version }));
    assert.equal(conf.status, 'disputed');
    await ok(
      liu.post(`/dealers/statements/${st.id}/lines/${line.lineNo}/dispute`, {
        version: conf.version,
        reason: 'again',
      }),
      409,
    );
    await ok(zhang.get(`/dealers/statements/${st.id}`), 404);
    await ok(zhang.post(`/dealers/statements/${st.id}/confirm`, { version: conf.version }), 404);
    await ok(
      liu.post(`/dealers/statements/${st.id}/lines/${line.lineNo}/resolve`, {
        version: conf.version,
        resolution: 'x',
      }),
      403,
    );
    await ok(hq.post(`/dealers/statements/${st.id}/confirm`, { version: conf.version }), 403);
    await ok(
      hq.post(`/dealers/statements/${st.id}/lines/${line.lineNo}/resolve`, {
        version: st.version,
        resolution: 'stale',
      }),
      409,
    );
    const res = await ok(
      hq.post(`/dealers/statements/${st.id}/lines/${line.lineNo}/resolve`, {
        version: conf.version,
        resolution: '差额 10 元下月补记',
      }),
    );
    assert.equal(res.status, 'confirmed');
    assert.equal(res.lines.find((l: any) => l.lineNo === line.lineNo).resolution, '差额 10 元下月补记');
    const audit = await inTenant(
      env.database.db,
      dir.tenantId,
      async (tx) =>
        (
          await sql<any>`select count(*)::int as n from audit_log where tenant_id = ${dir.tenantId}
          and action = 'dms_statement_resolve' and record_id = ${st.id}`.execute(tx)
        ).rows[0].n,
    );
    assert.equal(audit, 1);
    assert.ok(
      (await ok(liu.get('/dealers/statements'))).items.some(
        (x: any) => x.id === st.id && x.status === 'confirmed',
      ),
    );

    const x = await liu.get(`/dealers/statements/${st.id}/export?format=xlsx`);
    assert.equal(x.status, 200);
    assert.match(x.headers.get('content-type') ?? '', /spreadsheetml/);
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await statementXlsx(res, 'zh-CN')) as any);
    const rows = wb.worksheets[0]!.getSheetValues().filter(Boolean) as any[];
    const last = rows[rows.length - 1];
    assert.equal(last[1], '期末余额');
    assert.equal(last[2], st.closing / 100);
  });
});
