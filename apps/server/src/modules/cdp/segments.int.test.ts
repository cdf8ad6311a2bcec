import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { drainBackground, loginAsRole, useTestEnv } from '../../testing/harness.ts';
import { sendBatch, tenantWithSource } from './test-kit.ts';

const env = useTestEnv();

const setup = () => tenantWithSource(env, 2);

describe('tags and segments', () => {
  it('moves a profile into a behaviour segment as events arrive and emits segment.entered', async () => {
    const { admin, key, tenantId } = await setup();
    const seg = await admin.post('/cdp/segments', {
      name: 'Viewed P1 3× in 7 days',
      rule: {
        and: [
          {
            event: 'Product Viewed',
            where: [{ prop: 'sku', op: 'eq', value: 'P1' }],
            withinDays: 7,
            op: 'gte',
            value: 3,
          },
        ],
      },
    });
    assert.equal(seg.status, 201, JSON.stringify(seg.body));
    await sendBatch(env, key, [
      { type: 'identify', userId: 'u1', traits: { name: '李雷', phone: '13912340001' } },
      { type: 'track', userId: 'u1', event: 'Product Viewed', properties: { sku: 'P1' } },
      { type: 'track', userId: 'u1', event: 'Product Viewed', properties: { sku: 'P2' } },
      { type: 'track', userId: 'u1', event: 'Product Viewed', properties: { sku: 'P1' } },
    ]);
    await drainBackground(env, tenantId);
    assert.equal((await admin.get(`/cdp/segments/${seg.body.id}`)).body.memberCount, 0);
    await sendBatch(env, key, [
      { type: 'track', userId: 'u1', event: 'Product Viewed', properties: { sku: 'P1' } },
    ]);
    await drainBackground(env, tenantId);
    const dbg =
      await sql`select (select json_agg(c) from cdp_counters c where tenant_id = ${tenantId}) as c, (select json_agg(d) from cdp_counter_defs d where tenant_id = ${tenantId}) as d, (select count(*) from cdp_pending where tenant_id = ${tenantId}) as p, (select json_agg(j) from jobs j where tenant_id = ${tenantId}) as j`.execute(
        env.database.db,
      );
    assert.equal(
      (await admin.get(`/cdp/segments/${seg.body.id}`)).body.memberCount,
      1,
      JSON.stringify(dbg.rows),
    );
    const ev = await sql<{
      n: number;
      t: string;
    }>`select count(*)::int as n, string_agg(type, ',') as t from outbox where tenant_id = ${tenantId}`.execute(
      env.database.db,
    );
    assert.match(ev.rows[0]!.t ?? '', /segment.entered/, JSON.stringify(ev.rows));
    const preview = await admin.post('/cdp/segments/preview', {
      rule: { trait: 'name', op: 'eq', value: '李雷' },
      name: 'x',
    });
    assert.equal(preview.body.count, 1);
  });

  it('keeps a profile that withdrew marketing consent out of marketing segments but stores its events', async () => {
    const { admin, key, tenantId } = await setup();
    const rule = { trait: 'plan', op: 'eq', value: 'gold' };
    const mkt = (await admin.post('/cdp/segments', { name: 'Gold (marketing)', purpose: 'marketing', rule }))
      .body;
    const ana = (await admin.post('/cdp/segments', { name: 'Gold (analytics)', purpose: 'analytics', rule }))
      .body;
    await sendBatch(env, key, [
      {
        type: 'identify',
        userId: 'c1',
        traits: { plan: 'gold' },
        context: { consent: { categoryPreferences: { marketing: false } } },
      },
      { type: 'identify', userId: 'c2', traits: { plan: 'gold' } },
    ]);
    await drainBackground(env, tenantId);
    assert.equal((await admin.get(`/cdp/segments/${mkt.id}`)).body.memberCount, 1);
    assert.equal((await admin.get(`/cdp/segments/${ana.id}`)).body.memberCount, 2);
    const computed = await admin.post(`/cdp/segments/${mkt.id}/recompute`);
    assert.equal(computed.body.members, 1, 'the batch evaluator agrees');
  });

  it('backfills a tag with progress, shows it on the 360 profile with why, and masks personal data', async () => {
    const { seed, admin, key, tenantId } = await setup();
    await sendBatch(env, key, [
      { type: 'identify', userId: 'v1', traits: { name: '韩梅梅', phone: '13912340002', plan: 'gold' } },
      { type: 'track', userId: 'v1', event: 'Order Completed', properties: { total: 300 } },
      { type: 'track', userId: 'v1', event: 'Order Completed', properties: { total: 200 } },
    ]);
    await drainBackground(env, tenantId);
    const tag = await admin.post('/cdp/tags', {
      key: 'order_total_90d',
      name: '90天订单额',
      kind: 'metric',
      config: { metric: { event: 'Order Completed', withinDays: 90, agg: 'sum', property: 'total' } },
    });
    assert.equal(tag.status, 201, JSON.stringify(tag.body));
    const gold = await admin.post('/cdp/tags', {
      key: 'gold',
      name: '金卡',
      kind: 'attribute',
      rule: { trait: 'plan', op: 'eq', value: 'gold' },
    });
    assert.equal(gold.status, 201);
    await drainBackground(env, tenantId);
    const t = (await admin.get(`/cdp/tags/${tag.body.id}`)).body;
    assert.equal(t.backfill.status, 'done');
    assert.equal(t.coverage, 1);
    const profiles = (await admin.get('/cdp/profiles')).body.items;
    assert.equal(profiles.length, 1);
    const p = (await admin.get(`/cdp/profiles/${profiles[0].id}`)).body;
    const metric = p.tags.find((x: any) => x.key === 'order_total_90d');
    assert.equal(metric.value, 500);
    assert.match(metric.reason, /rule:metric/);
    assert.equal(p.traits.phone, '139****0002');
    assert.ok(p.timeline.length >= 3);
    const analyst = await loginAsRole(env, seed, '数据分析师');
    assert.equal((await analyst.get(`/cdp/profiles/${p.id}`)).status, 200);
    assert.equal((await analyst.post(`/cdp/profiles/${p.id}/unmask`)).status, 403);
    const full = await admin.post(`/cdp/profiles/${p.id}/unmask`);
    assert.equal(full.body.traits.phone, '13912340002');
  });

  it('links CRM contacts to profiles and exports a segment masked and audited', async () => {
    const { admin, key, tenantId } = await setup();
    await sendBatch(env, key, [
      { type: 'identify', userId: 'w1', traits: { phone: '13912340003', plan: 'gold' } },
    ]);
    await drainBackground(env, tenantId);
    const contact = await admin.post('/records/contact', { name: '王五', phone: '13912340003' });
    assert.equal(contact.status, 201, JSON.stringify(contact.body));
    // Linking runs after commit, from the contact's domain event.
    await drainBackground(env, tenantId);
    const profiles = (await admin.get('/cdp/profiles')).body.items;
    assert.equal(profiles.length, 1, 'the contact joined the profile its phone belongs to');
    const p = (await admin.get(`/cdp/profiles/${profiles[0].id}`)).body;
    assert.equal(p.links[0].object, 'contact');
    const seg = (
      await admin.post('/cdp/segments', {
        name: 'CRM 王五',
        rule: { crm: 'contact', field: 'name', op: 'eq', value: '王五' },
      })
    ).body;
    assert.equal(seg.memberCount, 1);
    const csv = await admin.get(`/cdp/segments/${seg.id}/export`);
    assert.equal(csv.status, 200);
    const audit = await sql<{
      n: number;
    }>`select count(*)::int as n from audit_log where tenant_id = ${tenantId} and action = 'export' and object = 'cdp_segment'`.execute(
      env.database.db,
    );
    assert.equal(audit.rows[0]!.n, 1);
  });

  it('splits a merge from the API and re-evaluates both profiles', async () => {
    const { admin, key, tenantId } = await setup();
    await sendBatch(env, key, [
      { type: 'identify', userId: 's1', traits: { plan: 'gold' } },
      { type: 'identify', anonymousId: 'anon-s', traits: { phone: '13912340004' } },
    ]);
    await drainBackground(env, tenantId);
    await sendBatch(env, key, [{ type: 'identify', userId: 's1', anonymousId: 'anon-s' }]);
    await drainBackground(env, tenantId);
    assert.equal((await admin.get('/cdp/profiles')).body.items.length, 1);
    const merges = (await admin.get('/cdp/merges')).body.items;
    assert.equal(merges.length, 1);
    const split = await admin.post(`/cdp/merges/${merges[0].id}/split`);
    assert.equal(split.status, 200, JSON.stringify(split.body));
    assert.equal((await admin.get('/cdp/profiles')).body.items.length, 2);
    assert.equal((await admin.post(`/cdp/merges/${merges[0].id}/split`)).status, 409);
  });

  it('tags records of a custom object (R2.2)', async () => {
    const { admin, tenantId } = await setup();
    await admin.post('/meta/objects', {
      apiName: 'vehicle',
      label: { 'zh-CN': '车辆', 'en-US': 'Vehicle' },
      pluralLabel: { 'zh-CN': '车辆', 'en-US': 'Vehicles' },
    });
    await admin.post('/meta/objects/vehicle/fields', {
      apiName: 'mileage',
      type: 'number',
      label: { 'zh-CN': '里程', 'en-US': 'Mileage' },
    });
    await admin.post('/records/vehicle', { name: '沪A12345', c_mileage: 120000 });
    await admin.post('/records/vehicle', { name: '沪B54321', c_mileage: 3000 });
    const tag = await admin.post('/cdp/tags', {
      key: 'high_mileage',
      name: '高里程',
      kind: 'attribute',
      object: 'vehicle',
      rule: { trait: 'c_mileage', op: 'gte', value: 100000 },
    });
    assert.equal(tag.status, 201, JSON.stringify(tag.body));
    await drainBackground(env, tenantId);
    assert.equal((await admin.get(`/cdp/tags/${tag.body.id}`)).body.coverage, 1);
    const seg = await admin.post('/cdp/segments', {
      name: '高里程车辆',
      object: 'vehicle',
      rule: { tag: 'high_mileage' },
    });
    assert.equal(seg.body.memberCount, 1);
  });
});
