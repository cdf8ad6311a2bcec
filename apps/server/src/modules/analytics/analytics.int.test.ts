import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { marker, tenantDirectory } from '../../testing/fixtures.ts';
import { getTestEnv, login, newTenant } from '../../testing/harness.ts';
import { advanceTo, cny, newCustomer, newOpportunity, ok, q, sql } from '../sales/test-kit.ts';

describe('analytics dashboards', () => {
  after(async () => (await getTestEnv()).close());

  it('matches hand-counted seeds, drills down to exactly those records, and never shows one dealer another dealer’s numbers', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const d = await tenantDirectory(env, seed);
    const sun = await login(env, seed.slug, 'sun.lei'); // EC-D1
    const ma = await login(env, seed.slug, 'ma.chao'); // EC-D2
    // EC-D1: 3 customers, 4 opportunities (1 won, 1 lost, 2 open), 1 order. EC-D2: 1 customer, 2 opportunities (1 won).
    const c1 = await newCustomer(sun);
    await newCustomer(sun);
    await newCustomer(sun);
    const o1 = await newOpportunity(sun, c1, 100_000, { channel: 'website' });
    const o2 = await newOpportunity(sun, c1, 200_000, { channel: 'website' });
    await newOpportunity(sun, c1, 300_000, { channel: 'referral' });
    await newOpportunity(sun, c1, 400_000, { channel: 'referral' });
    await advanceTo(sun, o1.id, 'won');
    await advanceTo(sun, o2.id, 'lost', 'price');
    await ok(
      sun.post('/records/order', { name: 'SO-1', customerId: c1, amount: cny(100_000), channel: 'website' }),
    );
    const c2 = await newCustomer(ma);
    const o3 = await newOpportunity(ma, c2, 900_000, { channel: 'website' });
    await newOpportunity(ma, c2, 50_000, { channel: 'website' });
    await advanceTo(ma, o3.id, 'won');

    const hq = await login(env, seed.slug, 'wang.jianguo');
    const all = await ok(hq.get('/analytics/dashboard'));
    // No leads here: the funnel cohort is empty and the customers are direct ones, beside it (潜客
    // first: HQ reads the CDP and every lead; nobody left contact details in this tenant's CDP).
    assert.deepEqual(
      all.funnel.stages.map((s: any) => [s.key, s.value]),
      [
        ['prospect', 0],
        ['lead', 0],
        ['customer', 0],
        ['opportunity', 0],
        ['order', 0],
      ],
    );
    assert.equal(all.funnel.direct.value, 4);
    assert.equal(all.winRate.won.value, 2);
    assert.equal(all.winRate.lost.value, 1);
    assert.equal(all.winRate.rate, 66.67);
    assert.equal(all.winRate.wonAmount, 1_000_000);
    const open = (p: any, s: string) => p.stages.find((x: any) => x.stage === s);
    assert.equal(open(all.pipeline, 'discovery').count, 3);
    assert.equal(open(all.pipeline, 'discovery').amount, 750_000);

    // Every number drills down to exactly the records behind it, through the generic list API.
    const drillCount = async (c: any, drill: any) =>
      (
        await ok(
          c.post(`/records/${drill.object}/query`, {
            filter: drill.filter,
            unit: drill.unit,
            count: true,
            limit: 1,
          }),
        )
      ).total;
    // 潜客 are CDP profiles, not records: no record drill-down (the others all have one).
    for (const s of all.funnel.stages.filter((x: any) => x.available && x.key !== 'prospect'))
      assert.equal(await drillCount(hq, s.drill), s.value, s.key);
    assert.equal(await drillCount(hq, all.funnel.direct.drill), 4);
    assert.equal(await drillCount(hq, all.winRate.won.drill), 2);
    assert.equal(await drillCount(hq, open(all.pipeline, 'discovery').drill), 3);

    // A dealer manager sees his dealer only, everywhere.
    const zhang = await login(env, seed.slug, 'zhang.wei');
    const mine = await ok(zhang.get('/analytics/dashboard'));
    assert.equal(mine.funnel.direct.value, 3);
    assert.equal(mine.winRate.won.value, 1);
    assert.equal(mine.winRate.wonAmount, 100_000);
    assert.equal(open(mine.pipeline, 'discovery').amount, 700_000);
    assert.ok(!JSON.stringify(mine).includes(o3.id));
    // Asking for the other dealer's unit does not widen the scope.
    const peek = await ok(zhang.get(`/analytics/dashboard?unit=${d.unit('EC-D2')}`));
    assert.equal(peek.funnel.direct.value, 0);
    assert.equal(open(peek.pipeline, 'discovery').amount, 0);
    assert.equal(peek.winRate.won.value, 0);
    const liu = await ok((await login(env, seed.slug, 'liu.yang')).get('/analytics/funnel'));
    assert.equal(liu.direct.value, 1);

    // Teams: HQ sees a row per region.
    const teams = await ok(hq.get('/analytics/funnel/teams'));
    assert.ok(teams.some((t: any) => t.unitId === d.unit('EC')));
  });

  it('counts converted leads into the funnel and measures first response against the SLA', async (t) => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const hq = await login(env, seed.slug, 'wang.jianguo');
    if ((await hq.get('/meta/objects/lead')).status !== 200)
      return t.skip('the leads module is not installed');
    // Hand-counted cohort: 甲 → new customer A + opportunity O1 + an order; 乙 (referral) → the same
    // customer A + opportunity O2; 丙 → new customer B, no opportunity; 丁 stays a lead. D is a
    // customer made directly, not from a lead.
    const ids: string[] = [];
    for (const [name, channel] of [
      ['甲', 'web_form'],
      ['乙', 'referral'],
      ['丙', 'web_form'],
    ])
      ids.push(
        (await ok(hq.post('/records/lead', { name: `线索${name}`, company: `${name}公司`, channel }))).id,
      );
    await q(
      env,
      seed.tenantId,
      sql`update leads set first_responded_at = created_at + interval '2 minutes' where tenant_id = ${seed.tenantId} and id = ${ids[0]}`,
    );
    await q(
      env,
      seed.tenantId,
      sql`update leads set first_responded_at = created_at + interval '3 hours' where tenant_id = ${seed.tenantId} and id = ${ids[1]}`,
    );
    const convert = async (id: string, body: any) => {
      const r = await hq.post(`/leads/${id}/convert`, body);
      assert.ok([200, 201].includes(r.status), JSON.stringify(r.body));
    };
    await convert(ids[0]!, {
      customer: { new: { name: '线索转化客户' } },
      contact: null,
      opportunity: { name: '来自线索的商机', amount: cny(880_000) },
    });
    const opp = (
      await ok(
        hq.post('/records/opportunity/query', { filter: { field: 'leadId', op: 'eq', value: ids[0] } }),
      )
    ).items[0];
    assert.equal(opp.stage, 'discovery', 'lead conversion lands in the first stage of the default pipeline');
    assert.equal(Number(opp.probability), 10);
    const customerA = opp.customerId;
    await convert(ids[1]!, {
      customer: { id: customerA },
      contact: null,
      opportunity: { name: '同一客户的第二个商机', amount: cny(10_000) },
    });
    await convert(ids[2]!, { customer: { new: { name: '只转客户' } }, contact: null });
    ids.push((await ok(hq.post('/records/lead', { name: '线索丁', channel: 'web_form' }))).id);
    const order = await ok(
      hq.post('/records/order', {
        name: 'SO-L1',
        customerId: customerA,
        opportunityId: opp.id,
        amount: cny(880_000),
      }),
    );
    const direct = await newCustomer(hq);

    const f = await ok(hq.get('/analytics/funnel'));
    const st = (k: string) => f.stages.find((x: any) => x.key === k);
    assert.deepEqual(
      f.stages.map((s: any) => [s.key, s.value, s.conversion]),
      [
        ['prospect', 0, null],
        ['lead', 4, null],
        ['customer', 2, 75], // A and B; 3 of 4 leads became customers
        ['opportunity', 2, 66.67], // O1 and O2; 2 of those 3 leads
        ['order', 1, 50], // 1 of those 2
      ],
    );
    assert.equal(f.direct.value, 1);
    // Drill-downs list exactly the counted records.
    const drill = async (dr: any) =>
      (
        await ok(hq.post(`/records/${dr.object}/query`, { filter: dr.filter, unit: dr.unit, limit: 50 }))
      ).items
        .map((r: any) => r.id)
        .sort();
    assert.deepEqual(await drill(st('lead').drill), [...ids].sort());
    const customerB = (await ok(hq.get(`/records/lead/${ids[2]}`))).convertedCustomerId;
    assert.deepEqual(await drill(st('customer').drill), [customerA, customerB].sort());
    assert.equal((await drill(st('opportunity').drill)).length, 2);
    assert.ok((await drill(st('opportunity').drill)).includes(opp.id));
    assert.deepEqual(await drill(st('order').drill), [order.id]);
    assert.deepEqual(await drill(f.direct.drill), [direct]);
    // By the lead's channel; a channel filter narrows the cohort.
    const ch = (c: string) => f.byChannel.find((r: any) => r.channel === c);
    assert.deepEqual(
      { ...ch('web_form'), channel: undefined },
      { channel: undefined, lead: 3, customer: 2, opportunity: 1, order: 1 },
    );
    assert.deepEqual(
      { ...ch('referral'), channel: undefined },
      { channel: undefined, lead: 1, customer: 1, opportunity: 1 },
    );
    const ref = await ok(hq.get('/analytics/funnel?channel=referral'));
    assert.deepEqual(
      ref.stages.map((s: any) => s.value),
      [1, 1, 1, 0],
    );
    // A dealer manager sees none of HQ's cohort.
    const zhang = await ok((await login(env, seed.slug, 'zhang.wei')).get('/analytics/funnel'));
    assert.deepEqual(
      zhang.stages.map((s: any) => s.value),
      [0, 0, 0, 0],
    );
    assert.ok(!JSON.stringify(zhang).includes(customerA));
    const rt = await ok(hq.get('/analytics/response-time'));
    assert.equal(rt.available, true);
    const b = (k: string) => rt.buckets.find((x: any) => x.key === k).value;
    assert.equal(b('lt5m'), 1);
    assert.equal(b('2hto24h'), 1);
    assert.equal(b('none'), 2); // 丙 and 丁 were never answered
    assert.equal(rt.withinSla, 25);
    // Every figure drills down to exactly its leads, also when narrowed to a unit.
    const none = (r: any) => r.buckets.find((x: any) => x.key === 'none');
    assert.deepEqual(await drill(none(rt).drill), [ids[2], ids[3]].sort());
    assert.deepEqual(await drill(rt.drill), [...ids].sort());
    const region = await ok(
      hq.get(`/analytics/response-time?unit=${(await tenantDirectory(env, seed)).unit('EC')}`),
    );
    assert.deepEqual([region.total, none(region).value], [0, 0], 'HQ’s leads are not in the region');
    assert.deepEqual(await drill(none(region).drill), []);
    assert.deepEqual(await drill(region.drill), []);
    // The customer 360 of the converted customer shows the lead's history too.
    const v = await ok(hq.get(`/customers/${opp.customerId}/360`));
    assert.ok(v.timeline.some((e: any) => e.object === 'lead' && e.recordId === ids[0]));
  });

  it('answers win rate and pipeline on their own, and every section to a viewer who may read customers only', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const d = await tenantDirectory(env, seed);
    const hq = await login(env, seed.slug, 'wang.jianguo');
    const c = await newCustomer(hq);
    const lost = await newOpportunity(hq, c, 100_000, { channel: 'website' });
    await newOpportunity(hq, c, 200_000, { channel: 'website' });
    await advanceTo(hq, lost.id, 'lost', 'price');

    const wr = await ok(hq.get('/analytics/win-rate'));
    assert.deepEqual([wr.won.value, wr.lost.value, wr.rate], [0, 1, 0]);
    assert.deepEqual(
      wr.lostReasons.map((r: any) => [r.reason, r.value]),
      [['price', 1]],
    );
    assert.deepEqual(
      wr.byOwner.map((o: any) => [o.name, o.won, o.lost]),
      [['王建国', 0, 1]],
    );
    const pipeline = await ok(hq.get('/analytics/pipeline'));
    assert.equal(pipeline.stages.find((s: any) => s.stage === 'discovery').amount, 200_000);

    // Without read on leads the funnel counts what was created in the period; sections the viewer
    // may not read at all say so instead of showing zeros.
    const admin = await login(env, seed.slug, 'admin');
    const role = await ok(
      admin.post('/admin/roles', {
        name: `customers only ${marker()}`,
        permissions: ['customer:read'],
        dataScopes: { '*': 'tenant' },
      }),
    );
    const loginName = `cust.${marker().toLowerCase()}`;
    const password = 'Viewer-pass-2026!';
    await ok(
      admin.post('/admin/users', {
        login: loginName,
        name: loginName,
        unitId: d.unit('HQ'),
        roleIds: [role.id],
        password,
      }),
    );
    const viewer = await login(env, seed.slug, loginName, password);
    const dash = await ok(viewer.get('/analytics/dashboard'));
    assert.deepEqual(
      dash.funnel.stages.map((s: any) => [s.key, s.available, s.value]),
      [
        ['lead', false, 0],
        ['customer', true, 1],
        ['opportunity', false, 0],
        ['order', false, 0],
      ],
    );
    assert.equal(dash.funnel.direct, null);
    assert.equal(dash.responseTime.available, false);
    assert.equal(dash.winRate.available, false);
    assert.equal(dash.pipeline.available, false);
    assert.deepEqual(dash.targets, []);
  });
});
