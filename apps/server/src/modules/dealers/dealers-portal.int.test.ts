import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { marker, type TenantDirectory, tenantDirectory } from '../../testing/fixtures.ts';
import {
  type Client,
  drainBackground,
  login,
  newTenantWithAdmin,
  useTestEnv,
} from '../../testing/harness.ts';
import { accrueRebates, chinaMonth, rulePeriod } from './rebates.service.ts';
import { statementPdf } from './statement-pdf.ts';
import { checkStockAlerts } from './stock.service.ts';

/** Issue 14 portal completeness: 满折/特价, draft editing, channel inventory and alerts, rebates, PDF. */
const env = useTestEnv();

const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body).slice(0, 500));
  return r.body;
};
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
const YEAR = new Date().getFullYear();
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
    for (const [k, price, onHand] of [
      ['A', 100_00, 1_000],
      ['B', 50_00, 1_000],
      ['X', 20_00, 1_000],
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
      await ok(hq.request('PUT', `/dealers/products/${p.id}`, { onHand, minOrderQty: 1 }));
    }
    for (const d of ['EC-D1', 'EC-D2'])
      await ok(hq.patch(`/dealers/accounts/${dir.unit(d)}`, { creditLimit: 100_000_00 }));
  })());
const tx = <T>(fn: Parameters<typeof inTenant<T>>[2]) => inTenant(env.database.db, dir.tenantId, fn);
const draft = async (c: Client, body: Record<string, unknown>) => ok(c.post('/dealers/orders', body), 201);

/** Submit → region manager approves → HQ ships → the dealer receives. */
async function deliver(c: Client, id: string) {
  await ok(c.post(`/dealers/orders/${id}/submit`, {}));
  const chen = await as('chen.zhiqiang');
  const inbox = await ok(chen.get('/approvals'));
  const req = (inbox.items ?? inbox).find((x: any) => x.recordId === id);
  if (req) await ok(chen.post(`/approvals/${req.id}/approve`, { comment: 'ok' }));
  await ok((await as('wang.jianguo')).post(`/dealers/orders/${id}/ship`, {}));
  return ok(c.post(`/dealers/orders/${id}/receive`, {}));
}

describe('dealers: 满折 and 特价 promotions', () => {
  it('re-prices a product at its special price and takes a percent off above the amount threshold', async () => {
    await setup();
    const hq = await as('wang.jianguo');
    const bad = await fieldErrors(
      hq.post('/dealers/promotions', {
        name: 'x',
        kind: 'percent_off',
        threshold: 1,
        startsOn: `${YEAR}-01-01`,
        endsOn: `${YEAR}-12-31`,
      }),
    );
    assert.equal(bad.percent.code, 'promo_fields');
    const bad2 = await fieldErrors(
      hq.post('/dealers/promotions', {
        name: 'x',
        kind: 'special_price',
        threshold: 1,
        startsOn: `${YEAR}-01-01`,
        endsOn: `${YEAR}-12-31`,
      }),
    );
    assert.deepEqual(Object.keys(bad2).sort(), ['productId', 'specialPrice']);
    const sp = await ok(
      hq.post('/dealers/promotions', {
        name: 'X 特价',
        kind: 'special_price',
        threshold: 10,
        productId: prod.X,
        specialPrice: 15_00,
        dealerUnitId: dir.unit('EC-D1'),
        startsOn: `${YEAR}-01-01`,
        endsOn: `${YEAR}-12-31`,
      }),
      201,
    );
    assert.equal(sp.specialPrice, 15_00);
    const pct = await ok(
      hq.post('/dealers/promotions', {
        name: '满 500 打 9 折',
        kind: 'percent_off',
        threshold: 500_00,
        percent: 90,
        dealerUnitId: dir.unit('EC-D1'),
        startsOn: `${YEAR}-01-01`,
        endsOn: `${YEAR}-12-31`,
      }),
      201,
    );
    const zhang = await as('zhang.wei');
    // Below both thresholds: two field errors, nothing reserved.
    const small = await draft(zhang, {
      lines: [{ productId: prod.X, quantity: 5 }],
      promotionIds: [sp.id, pct.id],
    });
    const errs = await fieldErrors(zhang.post(`/dealers/orders/${small.id}/submit`, {}));
    assert.equal(errs['promotionIds.0'].code, 'promo_threshold');
    assert.equal(errs['promotionIds.1'].code, 'promo_threshold');
    const o = await draft(zhang, {
      lines: [
        { productId: prod.X, quantity: 20 },
        { productId: prod.A, quantity: 3 },
      ],
      promotionIds: [sp.id, pct.id],
    });
    const s = await ok(zhang.post(`/dealers/orders/${o.id}/submit`, {}));
    // 20 × 15 + 3 × 100 = 600 → 10 % off = 60.
    assert.deepEqual([s.subtotal, s.discount, s.total], [600_00, 60_00, 540_00]);
    assert.equal(s.lines.find((l: any) => l.productId === prod.X).unitPrice, 15_00);
    // Another dealer cannot claim EC-D1's promotions.
    const liu = await as('liu.yang');
    const theirs = await draft(liu, { lines: [{ productId: prod.X, quantity: 20 }], promotionIds: [sp.id] });
    const e3 = await fieldErrors(liu.post(`/dealers/orders/${theirs.id}/submit`, {}));
    assert.equal(e3['promotionIds.0'].code, 'promo_inactive');
  });
});

describe('dealers: draft order editing', () => {
  it('changes lines and quantities of a draft, re-priced, with version → 409 and nobody else’s drafts', async () => {
    await setup();
    const zhang = await as('zhang.wei');
    const o = await draft(zhang, { lines: [{ productId: prod.A, quantity: 2 }] });
    assert.equal(o.subtotal, 200_00);
    const e = await ok(
      zhang.request('PUT', `/dealers/orders/${o.id}`, {
        version: o.version,
        lines: [
          { productId: prod.A, quantity: 1 },
          { productId: prod.B, quantity: 4 },
        ],
        note: '改单',
      }),
    );
    assert.equal(e.version, o.version + 1);
    assert.equal(e.subtotal, 300_00);
    assert.deepEqual(
      e.lines.map((l: any) => [l.productId, l.quantity, l.amount]),
      [
        [prod.A, 1, 100_00],
        [prod.B, 4, 200_00],
      ],
    );
    // A stale version is a 409 with the localised detail; the draft is unchanged.
    const stale = await zhang.request('PUT', `/dealers/orders/${o.id}`, {
      version: o.version,
      lines: [{ productId: prod.A, quantity: 9 }],
    });
    assert.equal(stale.status, 409);
    assert.match(stale.body.detail, /版本|version/);
    assert.equal((await ok(zhang.get(`/dealers/orders/${o.id}`))).subtotal, 300_00);
    const bad = await fieldErrors(
      zhang.request('PUT', `/dealers/orders/${o.id}`, {
        version: e.version,
        lines: [{ productId: dir.unit('EC-D1'), quantity: 1 }],
      }),
    );
    assert.equal(bad['lines.0.productId'].code, 'product_unknown');
    // Another dealer: 404; HQ cannot order: 403; once submitted, no more edits: 409.
    const liu = await as('liu.yang');
    await ok(
      liu.request('PUT', `/dealers/orders/${o.id}`, {
        version: e.version,
        lines: [{ productId: prod.A, quantity: 1 }],
      }),
      404,
    );
    await ok(
      (await as('wang.jianguo')).request('PUT', `/dealers/orders/${o.id}`, {
        version: e.version,
        lines: [{ productId: prod.A, quantity: 1 }],
      }),
      403,
    );
    const s = await ok(zhang.post(`/dealers/orders/${o.id}/submit`, { version: e.version }));
    await ok(
      zhang.request('PUT', `/dealers/orders/${o.id}`, {
        version: s.version,
        lines: [{ productId: prod.A, quantity: 1 }],
      }),
      409,
    );
  });
});

describe('dealers: channel inventory and low-stock alerts', () => {
  it('takes counts and sell-out, derives from receipts, alerts dealer and HQ once below the threshold', async () => {
    await setup();
    const zhang = await as('zhang.wei');
    const hq = await as('wang.jianguo');
    const d1 = dir.unit('EC-D1');
    const o = await draft(zhang, { lines: [{ productId: prod.B, quantity: 30 }] });
    await deliver(zhang, o.id);
    let cs = (await ok(zhang.get('/dealers/channel-stock'))).items;
    const b = () => cs.find((x: any) => x.productId === prod.B && x.unitId === d1);
    assert.deepEqual([b().quantity, b().source], [30, 'derived']);
    // Sell-out lowers it; a count sets it; a retry with the same key is the same report.
    const key = marker('SR');
    cs = (
      await ok(
        zhang.post('/dealers/channel-stock/reports', {
          sellOut: [{ productId: prod.B, quantity: 12 }],
          idempotencyKey: key,
        }),
        201,
      )
    ).items;
    assert.equal(b().quantity, 18);
    cs = (
      await ok(
        zhang.post('/dealers/channel-stock/reports', {
          sellOut: [{ productId: prod.B, quantity: 12 }],
          idempotencyKey: key,
        }),
        201,
      )
    ).items;
    assert.equal(b().quantity, 18);
    cs = (
      await ok(
        zhang.post('/dealers/channel-stock/reports', { counts: [{ productId: prod.B, quantity: 8 }] }),
        201,
      )
    ).items;
    assert.deepEqual([b().quantity, b().source, b().soldOut], [8, 'reported', 0]);
    // A store below the dealer reports its own stock.
    const store = await ok(
      admin.post('/admin/units', { name: marker('门店'), type: 'store', parentId: d1 }),
      201,
    );
    await ok(
      zhang.post('/dealers/channel-stock/reports', {
        unitId: store.id,
        counts: [{ productId: prod.B, quantity: 3 }],
      }),
      201,
    );
    // Unhappy: empty report, unknown product, another dealer's store, HQ is not a dealer.
    const empty = await fieldErrors(zhang.post('/dealers/channel-stock/reports', {}));
    assert.equal(empty.counts.code, 'report_empty');
    const unknown = await fieldErrors(
      zhang.post('/dealers/channel-stock/reports', { counts: [{ productId: d1, quantity: 1 }] }),
    );
    assert.equal(unknown['counts.0.productId'].code, 'product_unknown');
    const liu = await as('liu.yang');
    await ok(
      liu.post('/dealers/channel-stock/reports', {
        unitId: store.id,
        counts: [{ productId: prod.B, quantity: 1 }],
      }),
      404,
    );
    await ok(liu.get(`/dealers/channel-stock?dealerUnitId=${d1}`), 404);
    assert.ok(!(await ok(liu.get('/dealers/channel-stock'))).items.some((x: any) => x.unitId === d1));
    await ok(
      hq.post('/dealers/channel-stock/reports', { counts: [{ productId: prod.B, quantity: 1 }] }),
      403,
    );

    // HQ sets the threshold: dealer (8) and store (3) are below 10 → two alerts, sent once.
    await ok(zhang.request('PUT', `/dealers/products/${prod.B}/threshold`, { minQty: 10 }), 403);
    await ok(hq.request('PUT', `/dealers/products/${prod.B}/threshold`, { minQty: 10 }));
    const hqStock = (await ok(hq.get('/dealers/products'))).items.find((x: any) => x.productId === prod.B);
    assert.equal(hqStock.minQty, 10);
    const low = (await ok(hq.get(`/dealers/channel-stock?dealerUnitId=${d1}&low=true`))).items;
    assert.deepEqual(low.map((x: any) => x.unitId).sort(), [d1, store.id].sort());
    assert.equal(await tx((t) => checkStockAlerts(t, dir.tenantId)), 2);
    assert.equal(await tx((t) => checkStockAlerts(t, dir.tenantId)), 0);
    await drainBackground(env, dir.tenantId);
    const notes = async (who: string) =>
      (await ok((await as(who)).get('/notifications'))).items.filter((n: any) => n.kind === 'dms_low_stock');
    assert.equal((await notes('zhang.wei')).length, 2);
    assert.equal((await notes('wang.jianguo')).length, 2);
    assert.match((await notes('zhang.wei'))[0].title, /库存预警/);
    assert.equal((await notes('liu.yang')).length, 0);
    // Back above: the alert clears; falling again alerts again.
    await ok(
      zhang.post('/dealers/channel-stock/reports', { counts: [{ productId: prod.B, quantity: 50 }] }),
      201,
    );
    assert.equal(await tx((t) => checkStockAlerts(t, dir.tenantId)), 0);
    await ok(
      zhang.post('/dealers/channel-stock/reports', { counts: [{ productId: prod.B, quantity: 2 }] }),
      201,
    );
    assert.equal(await tx((t) => checkStockAlerts(t, dir.tenantId)), 1);
  });
});

describe('dealers: rebates 返利', () => {
  it('accrues from received orders idempotently, settles as credit (on the statement) or goods, once', async () => {
    await setup();
    const hq = await as('wang.jianguo');
    const liu = await as('liu.yang');
    const d2 = dir.unit('EC-D2');
    const month = chinaMonth();
    const bad = await fieldErrors(
      hq.post('/dealers/rebate-rules', {
        name: 'x',
        basis: 'product',
        periodKind: 'month',
        startsOn: `${YEAR}-01-01`,
      }),
    );
    assert.deepEqual(Object.keys(bad).sort(), ['perUnit', 'productId']);
    const vol = await ok(
      hq.post('/dealers/rebate-rules', {
        name: '季度进货满 1000 返 2%',
        basis: 'volume',
        periodKind: 'quarter',
        threshold: 1_000_00,
        percent: 2,
        dealerUnitId: d2,
        startsOn: `${YEAR - 1}-01-01`,
      }),
      201,
    );
    const per = await ok(
      hq.post('/dealers/rebate-rules', {
        name: 'X 每件返 5 元',
        basis: 'product',
        periodKind: 'month',
        productId: prod.X,
        perUnit: 5_00,
        dealerUnitId: d2,
        startsOn: `${YEAR - 1}-01-01`,
      }),
      201,
    );
    assert.ok(
      !(await ok((await as('zhang.wei')).get('/dealers/rebate-rules'))).items.some(
        (r: any) => r.id === vol.id,
      ),
    );
    const o = await draft(liu, {
      lines: [
        { productId: prod.A, quantity: 12 },
        { productId: prod.X, quantity: 10 },
      ],
    });
    await deliver(liu, o.id);
    // The receipt queued the accrual job: 12 × 100 + 10 × 20 = 1400 → 28; 10 units × 5 → 50.
    await drainBackground(env, dir.tenantId);
    let acc = (await ok(liu.get('/dealers/rebates'))).items;
    const volRow = () => acc.find((a: any) => a.ruleId === vol.id);
    const perRow = () => acc.find((a: any) => a.ruleId === per.id);
    assert.deepEqual(
      [volRow().base, volRow().amount, volRow().period],
      [1_400_00, 28_00, rulePeriod('quarter', month).key],
    );
    assert.deepEqual([perRow().base, perRow().amount], [10, 50_00]);
    // Running it again changes nothing (no new rows, same versions).
    const again = await tx((t) => accrueRebates(t, dir.tenantId, month));
    assert.equal(again.accruals, 0);
    assert.equal((await ok(liu.get('/dealers/rebates'))).items.length, 2);
    // Another dealer sees none of it and cannot settle.
    const zhang = await as('zhang.wei');
    assert.equal(
      (await ok(zhang.get('/dealers/rebates'))).items.filter((a: any) => a.dealerUnitId === d2).length,
      0,
    );
    await ok(
      liu.post(`/dealers/rebates/${volRow().id}/settle`, { version: volRow().version, as: 'credit' }),
      403,
    );

    // Settle as credit: a 返利 ledger entry, on the statement; stale version 409; twice 409.
    await ok(
      hq.post(`/dealers/rebates/${volRow().id}/settle`, { version: volRow().version + 5, as: 'credit' }),
      409,
    );
    const before = (await ok(liu.get(`/dealers/accounts/${d2}`))).balance;
    const settled = await ok(
      hq.post(`/dealers/rebates/${volRow().id}/settle`, { version: volRow().version, as: 'credit' }),
    );
    assert.deepEqual([settled.status, settled.settledAs], ['settled', 'credit']);
    await ok(
      hq.post(`/dealers/rebates/${volRow().id}/settle`, { version: settled.version, as: 'credit' }),
      409,
    );
    assert.equal((await ok(liu.get(`/dealers/accounts/${d2}`))).balance, before + 28_00);
    // Settled rows are frozen against later accruals.
    await tx((t) => accrueRebates(t, dir.tenantId, month));
    acc = (await ok(liu.get('/dealers/rebates'))).items;
    assert.equal(volRow().amount, 28_00);

    // Settle as goods: needs product and quantity; makes an approved zero-price order.
    const g = await fieldErrors(
      hq.post(`/dealers/rebates/${perRow().id}/settle`, { version: perRow().version, as: 'goods' }),
    );
    assert.deepEqual(Object.keys(g).sort(), ['productId', 'quantity']);
    // Goods are worth at most the rebate at the dealer's price (X at 20 → at most 2 for 50).
    const over = await fieldErrors(
      hq.post(`/dealers/rebates/${perRow().id}/settle`, {
        version: perRow().version,
        as: 'goods',
        productId: prod.X,
        quantity: 900,
      }),
    );
    assert.deepEqual([over.quantity.code, over.quantity.params?.max], ['rebate_exceeds', 2]);
    const goods = await ok(
      hq.post(`/dealers/rebates/${perRow().id}/settle`, {
        version: perRow().version,
        as: 'goods',
        productId: prod.X,
        quantity: 2,
      }),
    );
    const gift = await ok(liu.get(`/dealers/orders/${goods.settledOrderId}`));
    assert.deepEqual(
      [gift.status, gift.total, gift.lines[0].unitPrice, gift.lines[0].isGift],
      ['approved', 0, 0, true],
    );
    const audits = await tx(
      async (t) =>
        (
          await sql<any>`select count(*)::int as n from audit_log where tenant_id = ${dir.tenantId}
            and action = 'dms_rebate_settle'`.execute(t)
        ).rows[0].n,
    );
    assert.equal(audits, 2);

    // The month's statement shows the rebate line and the identity still holds; PDF export audited.
    const st = await ok(hq.post('/dealers/statements', { dealerUnitId: d2, period: month }), 201);
    assert.equal(st.rebates, 28_00);
    assert.ok(st.lines.some((l: any) => l.kind === 'rebate' && l.amount === 28_00));
    assert.equal(st.closing, st.opening - st.orders + st.payments + st.rebates + st.deductions + st.credits);
    assert.equal(st.opening + st.lines.reduce((s: number, l: any) => s + l.amount, 0), st.closing);
    // Re-issued with the latest entries while nothing is decided; once a line is decided, 409.
    await ok(hq.post('/dealers/statements', { dealerUnitId: d2, period: month }), 409);
    await ok(
      hq.post(`/dealers/accounts/${d2}/entries`, { amount: 1_00, ref: '回款', idempotencyKey: marker('K') }),
      201,
    );
    const re = await ok(
      hq.post('/dealers/statements', { dealerUnitId: d2, period: month, reissue: true }),
      201,
    );
    assert.equal(re.id, st.id);
    assert.equal(re.payments, st.payments + 1_00);
    assert.equal(re.lines.length, st.lines.length + 1);
    assert.equal(re.closing, re.opening - re.orders + re.payments + re.rebates + re.deductions + re.credits);
    // The re-issue bumped the version: "confirm all" from the page loaded before it is refused,
    // so the dealer never confirms the line it has not seen.
    assert.equal(re.version, st.version + 1);
    const blind = await liu.post(`/dealers/statements/${st.id}/confirm`, { version: st.version });
    assert.equal(blind.status, 409);
    assert.ok(
      (await liu.get(`/dealers/statements/${st.id}`)).body.lines.every((l: any) => l.status === 'pending'),
    );
    await ok(liu.post(`/dealers/statements/${st.id}/lines/1/confirm`, { version: re.version }));
    const late = await hq.post('/dealers/statements', { dealerUnitId: d2, period: month, reissue: true });
    assert.equal(late.status, 409);
    assert.match(late.body.detail, /不能重新出具|cannot be issued again/);
    const pdf = await liu.get(`/dealers/statements/${st.id}/export?format=pdf`);
    assert.equal(pdf.status, 200);
    assert.match(pdf.headers.get('content-type') ?? '', /application\/pdf/);
    const bytes = await statementPdf(st, 'zh-CN');
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
    assert.ok(bytes.length < 200_000, `${bytes.length} bytes`);
    await ok(zhang.get(`/dealers/statements/${st.id}/export?format=pdf`), 404);
    const exports = await tx(
      async (t) =>
        (
          await sql<any>`select meta from audit_log where tenant_id = ${dir.tenantId}
            and action = 'export' and record_id = ${st.id}`.execute(t)
        ).rows,
    );
    assert.ok(
      exports.some((r: any) => (typeof r.meta === 'string' ? JSON.parse(r.meta) : r.meta).format === 'pdf'),
    );
  });
});
