import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { tenantDirectory } from '../../testing/fixtures.ts';
import { getTestEnv, login, newTenant } from '../../testing/harness.ts';
import { advanceTo, cny, newCustomer, newOpportunity, ok, q, sql } from '../sales/sales-test-kit.ts';

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

    const stage = (f: any, k: string) => f.stages.find((s: any) => s.key === k);
    const hq = await login(env, seed.slug, 'wang.jianguo');
    const all = await ok(hq.get('/analytics/dashboard'));
    assert.equal(stage(all.funnel, 'customer').value, 4);
    assert.equal(stage(all.funnel, 'opportunity').value, 6);
    assert.equal(stage(all.funnel, 'order').value, 1);
    assert.equal(all.winRate.won.value, 2);
    assert.equal(all.winRate.lost.value, 1);
    assert.equal(all.winRate.rate, 66.67);
    assert.equal(all.winRate.wonAmount, 1_000_000);
    const open = (p: any, s: string) => p.stages.find((x: any) => x.stage === s);
    assert.equal(open(all.pipeline, 'discovery').count, 3);
    assert.equal(open(all.pipeline, 'discovery').amount, 750_000);
    const web = all.funnel.byChannel.find((r: any) => r.channel === 'website');
    assert.equal(web.opportunity, 4);
    assert.equal(web.order, 1);

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
    for (const s of all.funnel.stages.filter((x: any) => x.available))
      assert.equal(await drillCount(hq, s.drill), s.value, s.key);
    assert.equal(await drillCount(hq, all.winRate.won.drill), 2);
    assert.equal(await drillCount(hq, open(all.pipeline, 'discovery').drill), 3);

    const channel = await ok(hq.get('/analytics/funnel?channel=referral'));
    assert.equal(stage(channel, 'opportunity').value, 2);

    // A dealer manager sees his dealer only, everywhere.
    const zhang = await login(env, seed.slug, 'zhang.wei');
    const mine = await ok(zhang.get('/analytics/dashboard'));
    assert.equal(stage(mine.funnel, 'customer').value, 3);
    assert.equal(stage(mine.funnel, 'opportunity').value, 4);
    assert.equal(mine.winRate.won.value, 1);
    assert.equal(mine.winRate.wonAmount, 100_000);
    assert.equal(open(mine.pipeline, 'discovery').amount, 700_000);
    assert.ok(!JSON.stringify(mine).includes(o3.id));
    // Asking for the other dealer's unit does not widen the scope.
    const peek = await ok(zhang.get(`/analytics/dashboard?unit=${d.unit('EC-D2')}`));
    assert.equal(stage(peek.funnel, 'opportunity').value, 0);
    assert.equal(open(peek.pipeline, 'discovery').amount, 0);
    assert.equal(peek.winRate.won.value, 0);
    const liu = await ok((await login(env, seed.slug, 'liu.yang')).get('/analytics/funnel'));
    assert.equal(stage(liu, 'opportunity').value, 2);

    // Teams: HQ sees a row per region; the EC row holds only EC numbers.
    const teams = await ok(hq.get('/analytics/funnel/teams'));
    const ec = teams.find((t: any) => t.unitId === d.unit('EC'));
    assert.equal(ec.stages.find((s: any) => s.key === 'opportunity').value, 6);
    const sc = teams.find((t: any) => t.unitId === d.unit('SC'));
    assert.equal(sc.stages.find((s: any) => s.key === 'opportunity').value, 0);
  });

  it('counts converted leads into the funnel and measures first response against the SLA', async (t) => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const hq = await login(env, seed.slug, 'wang.jianguo');
    if ((await hq.get('/meta/objects/lead')).status !== 200)
      return t.skip('the leads module is not installed');
    const ids: string[] = [];
    for (const name of ['甲', '乙', '丙'])
      ids.push((await ok(hq.post('/records/lead', { name: `线索${name}`, company: `${name}公司` }))).id);
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
    const conv = await hq.post(`/leads/${ids[0]}/convert`, {
      customer: { new: { name: '线索转化客户' } },
      contact: null,
      opportunity: { name: '来自线索的商机', amount: cny(880_000) },
    });
    assert.ok([200, 201].includes(conv.status), JSON.stringify(conv.body));
    const opp = (
      await ok(
        hq.post('/records/opportunity/query', { filter: { field: 'leadId', op: 'eq', value: ids[0] } }),
      )
    ).items[0];
    assert.equal(opp.stage, 'discovery', 'lead conversion lands in the first stage of the default pipeline');
    assert.equal(Number(opp.probability), 10);
    const f = await ok(hq.get('/analytics/funnel'));
    const st = (k: string) => f.stages.find((x: any) => x.key === k);
    assert.equal(st('lead').value, 3);
    assert.equal(st('customer').value, 1);
    assert.equal(st('opportunity').value, 1);
    assert.equal(st('customer').conversion, 33.33);
    const rt = await ok(hq.get('/analytics/response-time'));
    assert.equal(rt.available, true);
    const b = (k: string) => rt.buckets.find((x: any) => x.key === k).value;
    assert.equal(b('lt5m'), 1);
    assert.equal(b('2hto24h'), 1);
    assert.equal(b('none'), 1);
    assert.equal(rt.withinSla, 33.33);
    // The customer 360 of the converted customer shows the lead's history too.
    const v = await ok(hq.get(`/customers/${opp.customerId}/360`));
    assert.ok(v.timeline.some((e: any) => e.object === 'lead' && e.recordId === ids[0]));
  });
});
