import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { tenantDirectory } from '../../testing/fixtures.ts';
import { drainBackground, getTestEnv, login, newTenant } from '../../testing/harness.ts';
import { advanceTo, cny, newCustomer, newOpportunity, ok } from './test-kit.ts';

const today = () => new Date().toISOString().slice(0, 10);
const month = () => today().slice(0, 7);

describe('targets, forecast and customer 360', () => {
  after(async () => (await getTestEnv()).close());

  it('computes target achievement live from won opportunities and forecasts from the weighted pipeline', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const d = await tenantDirectory(env, seed);
    const admin = await login(env, seed.slug, 'admin');
    const sun = await login(env, seed.slug, 'sun.lei');
    const ma = await login(env, seed.slug, 'ma.chao');
    await ok(
      admin.post('/records/target', {
        name: '孙磊本月',
        scopeType: 'user',
        userId: d.user('sun.lei').id,
        periodType: 'month',
        period: month(),
        amount: cny(1_000_000),
        count: 4,
      }),
    );
    await ok(
      admin.post('/records/target', {
        name: 'EC-D1 本月',
        scopeType: 'unit',
        targetUnitId: d.unit('EC-D1'),
        periodType: 'month',
        period: month(),
        amount: cny(2_000_000),
      }),
    );
    await ok(
      admin.post('/records/target', {
        name: 'EC-D2 本月',
        scopeType: 'unit',
        targetUnitId: d.unit('EC-D2'),
        periodType: 'month',
        period: month(),
        amount: cny(2_000_000),
      }),
    );
    const c = await newCustomer(sun);
    const won = await newOpportunity(sun, c, 300_000);
    await advanceTo(sun, won.id, 'won');
    const open = await newOpportunity(sun, c, 500_000, { expectedCloseDate: today() }); // 10 % → 50 000 weighted
    const lost = await newOpportunity(sun, c, 900_000);
    await advanceTo(sun, lost.id, 'lost');
    const maWon = await newOpportunity(ma, await newCustomer(ma), 700_000);
    await advanceTo(ma, maWon.id, 'won');

    const mine = await ok(sun.get(`/targets/achievement?period=${month()}`));
    assert.equal(mine.items.length, 1, 'a salesperson sees only his own target');
    const t = mine.items[0];
    assert.equal(t.wonAmount, 300_000);
    assert.equal(t.wonCount, 1);
    assert.equal(t.amountRate, 30);
    assert.equal(t.countRate, 25);
    assert.equal(t.weightedPipeline, 50_000);
    assert.equal(t.forecastAmount, 350_000);
    assert.equal(t.drill.won.object, 'opportunity');
    // The drill-down filter lists exactly the won opportunity.
    const drilled = await ok(
      sun.post('/records/opportunity/query', { filter: t.drill.won.filter, count: true }),
    );
    assert.deepEqual(
      drilled.items.map((r: any) => r.id),
      [won.id],
    );

    const dealer = await ok(
      (await login(env, seed.slug, 'zhang.wei')).get(`/targets/achievement?period=${month()}`),
    );
    const names = dealer.items.map((i: any) => i.target.name).sort();
    assert.deepEqual(names, ['EC-D1 本月', '孙磊本月'], 'EC-D1 never sees the EC-D2 target');
    assert.equal(dealer.items.find((i: any) => i.target.name === 'EC-D1 本月').wonAmount, 300_000);
    const hq = await ok(
      (await login(env, seed.slug, 'wang.jianguo')).get(`/targets/achievement?period=${month()}`),
    );
    assert.equal(hq.items.find((i: any) => i.target.name === 'EC-D2 本月').wonAmount, 700_000);

    const fc = await ok(sun.get(`/forecast?period=${month()}`));
    assert.equal(fc.total.won, 300_000);
    assert.equal(fc.total.weighted, 50_000);
    assert.equal(fc.total.open, 500_000);
    assert.equal(fc.forecast, 350_000);
    const hqFc = await ok((await login(env, seed.slug, 'wang.jianguo')).get(`/forecast?period=${month()}`));
    assert.equal(hqFc.total.won, 1_000_000);
    assert.equal((await sun.get('/forecast?period=2026-13')).status, 422);
    assert.ok(open.id);
  });

  it('shows the whole customer on one page with a merged timeline and a pipeline value tag refreshed by events', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const zhang = await login(env, seed.slug, 'zhang.wei');
    const cust = await newCustomer(zhang, '杭州云栖科技');
    await ok(zhang.post('/records/contact', { name: '周总', customerId: cust, title: '总经理' }));
    const big = await newOpportunity(zhang, cust, 60_000_000); // 10 % → 6 000 000 weighted: mid
    const hasActivity = (await zhang.get('/meta/objects/activity')).status === 200;
    if (hasActivity)
      await ok(
        zhang.post('/records/activity', {
          type: 'call',
          subject: '首次电话沟通',
          occurredAt: new Date().toISOString(),
          customerId: cust,
          opportunityId: big.id,
        }),
      );
    await drainBackground(env, seed.tenantId);
    let v = await ok(zhang.get(`/customers/${cust}/360`));
    assert.equal(v.customer.name, '杭州云栖科技');
    assert.equal(v.contacts.total, 1);
    assert.equal(v.opportunities.total, 1);
    assert.equal(v.pipelineValue.tag, 'mid');
    assert.equal(v.pipelineValue.weightedAmount, 6_000_000);
    if (hasActivity) {
      assert.equal(v.activities.total, 1);
      assert.ok(v.timeline.some((e: any) => e.kind === 'activity' && e.recordName === '首次电话沟通'));
    }
    await advanceTo(zhang, big.id, 'closing'); // 80 % → 48 000 000: still mid
    await drainBackground(env, seed.tenantId);
    v = await ok(zhang.get(`/customers/${cust}/360`));
    assert.equal(v.pipelineValue.tag, 'mid');
    const hq = await login(env, seed.slug, 'wang.jianguo');
    assert.deepEqual(await ok(hq.get('/sales/settings')), {
      pipelineValue: { high: 50_000_000, mid: 5_000_000 },
    });
    await ok(hq.request('PUT', '/sales/settings', { pipelineValue: { high: 40_000_000, mid: 1_000_000 } }));
    assert.deepEqual((await ok(zhang.get('/sales/settings'))).pipelineValue, {
      high: 40_000_000,
      mid: 1_000_000,
    });
    v = await ok(zhang.get(`/customers/${cust}/360`));
    assert.equal(v.pipelineValue.tag, 'high', 'new thresholds re-tag at once');
    await advanceTo(zhang, big.id, 'lost', 'timing');
    await drainBackground(env, seed.tenantId);
    v = await ok(zhang.get(`/customers/${cust}/360`));
    assert.equal(v.pipelineValue.tag, 'none');
    const kinds = new Set(v.timeline.map((e: any) => e.kind));
    assert.ok(kinds.has('stage_change') && kinds.has('audit'));
    const stageChanges = v.timeline.filter((e: any) => e.kind === 'stage_change');
    assert.equal(stageChanges.length, 4);
    assert.equal(stageChanges[0].summary.changes[0].to, 'lost', 'newest first');
    // Another dealer cannot open it.
    assert.equal((await (await login(env, seed.slug, 'liu.yang')).get(`/customers/${cust}/360`)).status, 404);
  });

  it("gives documents made from a salesperson's deal to that salesperson, whoever clicked", async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const sun = await login(env, seed.slug, 'sun.lei'); // own data scope
    const zhang = await login(env, seed.slug, 'zhang.wei'); // his dealer manager
    const cust = await newCustomer(sun, '宁波海曙五金');
    const opp = await newOpportunity(sun, cust, 100_000);
    // The manager prepares the quote, makes the contract, the order and records the receipt.
    const quote = await ok(
      zhang.post('/records/quote', { name: '五金报价', customerId: cust, opportunityId: opp.id }),
    );
    assert.equal(quote.ownerId, opp.ownerId, 'the quote belongs to the opportunity owner');
    await ok(
      zhang.request('PUT', `/quotes/${quote.id}/lines`, {
        lines: [{ productName: '五金套装', quantity: 1, unitPrice: 100_000, taxRate: 0 }],
      }),
    );
    await ok(zhang.post(`/quotes/${quote.id}/submit`));
    const contract = await ok(zhang.post(`/quotes/${quote.id}/contract`, {}));
    await ok(zhang.post(`/contracts/${contract.id}/status`, { status: 'active' }));
    const order = await ok(zhang.post(`/contracts/${contract.id}/order`, {}));
    await ok(
      zhang.request('PUT', `/orders/${order.id}/plan`, {
        items: [{ dueDate: '2099-01-01', amount: 100_000 }],
      }),
    );
    const receipt = await ok(
      zhang.post('/records/payment', { orderId: order.id, amount: cny(40_000), paidAt: today() }),
    );
    for (const doc of [contract, order, receipt]) {
      assert.equal(doc.ownerId, opp.ownerId);
      assert.equal(doc.unitId, opp.unitId);
      assert.notEqual(doc.createdBy, opp.ownerId, 'who did it stays on record');
    }
    // The salesperson sees all of it: customer 360, lists, the plan.
    const v = await ok(sun.get(`/customers/${cust}/360`));
    assert.deepEqual([v.quotes.total, v.contracts.total, v.orders.total, v.payments.total], [1, 1, 1, 1]);
    assert.equal(v.orders.items[0].id, order.id);
    assert.equal(v.stats.orderAmount, 100_000);
    assert.equal(v.stats.paidAmount, 40_000);
    const myOrders = await ok(sun.get('/records/order?limit=50'));
    assert.deepEqual(
      myOrders.items.map((o: any) => o.id),
      [order.id],
    );
    assert.equal((await ok(sun.get(`/orders/${order.id}/plan`))).items.length, 1);
    // A receipt moved to another order counts against that order's balance in full.
    const small = await ok(
      zhang.post('/records/order', { name: '小额订单', customerId: cust, amount: cny(10_000) }),
    );
    const moved = await zhang.patch(`/records/payment/${receipt.id}`, {
      version: receipt.version,
      orderId: small.id,
    });
    assert.equal(moved.status, 422, JSON.stringify(moved.body));
    assert.equal(moved.body.errors[0].code, 'payment_exceeds');
    // An owner chosen explicitly wins; another dealer still sees nothing.
    const own = await ok(
      zhang.post('/records/quote', {
        name: '店长自留',
        customerId: cust,
        opportunityId: opp.id,
        ownerId: quote.createdBy,
      }),
    );
    assert.equal(own.ownerId, quote.createdBy);
    assert.equal(
      (await (await login(env, seed.slug, 'liu.yang')).get(`/records/order/${order.id}`)).status,
      404,
    );
  });
});
