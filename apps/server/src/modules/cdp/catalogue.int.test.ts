import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drainBackground, loginAsRole, useTestEnv } from '../../testing/harness.ts';
import { sendBatch, tenantWithSource } from './test-kit.ts';
import { tenantTick } from './tick.job.ts';

const env = useTestEnv();

const entry = (items: any[], name: string) => items.find((e) => e.name === name);

describe('event catalogue (words people read)', () => {
  it('names the standard e-commerce events out of the box, in both languages', async () => {
    const { admin } = await tenantWithSource(env, 0);
    const zh = (await admin.get('/cdp/event-catalogue')).body.items;
    assert.equal(entry(zh, 'Product Viewed').displayName, '浏览商品');
    assert.equal(entry(zh, 'Product Added').displayName, '加入购物车');
    assert.equal(entry(zh, 'Order Completed').displayName, '完成订单');
    assert.equal(entry(zh, 'Signed Up').displayName, '注册');
    assert.equal(entry(zh, 'Order Completed').standard, true);
    assert.equal(entry(zh, 'Order Completed').edited, false);
    admin.locale = 'en-US';
    const en = (await admin.get('/cdp/event-catalogue')).body.items;
    assert.equal(entry(en, 'Product Viewed').displayName, 'Viewed a product');
  });

  it('lets a manager name events and properties, edit and reset them; an analyst only reads', async () => {
    const { admin, seed } = await tenantWithSource(env, 0);
    const put = await admin.request('PUT', '/cdp/event-catalogue', {
      name: 'Store Visited',
      kind: 'crm',
      label: { 'zh-CN': '到店', 'en-US': 'Visited a store' },
      description: '门店 POS 记录的到店',
      properties: { store_id: { 'zh-CN': '门店编号', 'en-US': 'Store' } },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.displayName, '到店');
    assert.equal(put.body.kind, 'crm');
    assert.deepEqual(
      put.body.properties.map((p: any) => [p.key, p.displayName]),
      [['store_id', '门店编号']],
    );
    // Renaming a standard event overrides it; removing the entry brings the standard name back.
    await admin.request('PUT', '/cdp/event-catalogue', {
      name: 'Product Viewed',
      label: { 'zh-CN': '看商品' },
    });
    let items = (await admin.get('/cdp/event-catalogue')).body.items;
    assert.equal(entry(items, 'Product Viewed').displayName, '看商品');
    assert.equal(entry(items, 'Product Viewed').edited, true);
    assert.equal((await admin.del('/cdp/event-catalogue?name=Product%20Viewed')).status, 204);
    items = (await admin.get('/cdp/event-catalogue')).body.items;
    assert.equal(entry(items, 'Product Viewed').displayName, '浏览商品');
    assert.equal((await admin.del('/cdp/event-catalogue?name=Product%20Viewed')).status, 404);
    assert.equal((await admin.del('/cdp/event-catalogue?name=Store%20Visited')).status, 204);
    assert.equal(entry((await admin.get('/cdp/event-catalogue')).body.items, 'Store Visited'), undefined);

    const bad = await admin.request('PUT', '/cdp/event-catalogue', { name: '  ', label: {} });
    assert.equal(bad.status, 422);
    assert.ok(
      bad.body.errors.some((e: any) => e.field === 'name'),
      JSON.stringify(bad.body),
    );

    const analyst = await loginAsRole(env, seed, '数据分析师');
    assert.equal((await analyst.get('/cdp/event-catalogue')).status, 200);
    const denied = await analyst.request('PUT', '/cdp/event-catalogue', {
      name: 'X',
      label: { 'zh-CN': 'x' },
    });
    assert.equal(denied.status, 403);
  });

  it('gives timeline events, event names and properties their display names; page views apart', async () => {
    const { admin, key, tenantId } = await tenantWithSource(env, 0);
    await sendBatch(env, key, [
      { type: 'identify', userId: 'w1', traits: { name: '王芳' } },
      { type: 'page', userId: 'w1', name: '首页', properties: { path: '/' } },
      { type: 'track', userId: 'w1', event: 'Product Viewed', properties: { sku: 'P1', price: 99 } },
      { type: 'track', userId: 'w1', event: 'Order Completed', properties: { revenue: 99, orderId: 'SO1' } },
    ]);
    await drainBackground(env, tenantId);
    const pid = (await admin.get('/cdp/profiles')).body.items[0].id;
    const tl = (await admin.get(`/cdp/profiles/${pid}/timeline`)).body.items;
    const viewed = tl.find((i: any) => i.title === 'Product Viewed');
    assert.equal(viewed.displayName, '浏览商品');
    assert.equal(viewed.propertyNames.sku, 'SKU 编码');
    assert.equal(viewed.propertyNames.price, '单价');
    const order = tl.find((i: any) => i.title === 'Order Completed');
    assert.equal(order.propertyNames.revenue, '金额');
    const p360 = (await admin.get(`/cdp/profiles/${pid}`)).body;
    assert.equal(p360.timeline.find((i: any) => i.title === 'Product Viewed').displayName, '浏览商品');
    admin.locale = 'en-US';
    const en = (await admin.get(`/cdp/profiles/${pid}/timeline`)).body.items;
    assert.equal(en.find((i: any) => i.title === 'Product Viewed').displayName, 'Viewed a product');
    admin.locale = 'zh-CN';

    const names = (await admin.get('/cdp/event-names')).body.items;
    assert.equal(entry(names, '首页').kind, 'page');
    assert.equal(entry(names, 'Product Viewed').kind, 'event');
    assert.equal(entry(names, 'Product Viewed').displayName, '浏览商品');
    const props = (await admin.get('/cdp/event-properties?event=Order%20Completed')).body.items;
    assert.equal(
      entry(
        props.map((p: any) => ({ ...p, name: p.key })),
        'revenue',
      ).displayName,
      '金额',
    );
    assert.equal(entry((await admin.get('/cdp/event-catalogue')).body.items, '首页').kind, 'page');
  });
});

describe('segments over CRM objects with event conditions', () => {
  it('selects customers whose linked profile did the event in the window', async () => {
    const { admin, key, tenantId } = await tenantWithSource(env, 0);
    const buyer = (
      await admin.post('/records/customer', { name: '林晓峰', kind: 'person', phone: '13912340009' })
    ).body.id;
    await admin.post('/records/customer', { name: '郑雅文', kind: 'person', phone: '13912340010' });
    await drainBackground(env, tenantId);
    await sendBatch(env, key, [
      { type: 'identify', userId: 'm9', traits: { phone: '13912340009' } },
      { type: 'track', userId: 'm9', event: 'Product Viewed', properties: { sku: 'P1' } },
      { type: 'track', userId: 'm9', event: 'Product Viewed', properties: { sku: 'P2' } },
      { type: 'identify', userId: 'm10', traits: { phone: '13912340010' } },
      { type: 'track', userId: 'm10', event: 'Product Viewed', properties: { sku: 'P1' } },
    ]);
    await drainBackground(env, tenantId);
    // The customer page's timeline names its people's events too.
    const ctl = (await admin.get(`/cdp/customers/${buyer}/timeline`)).body.items;
    assert.ok(
      ctl.some((i: any) => i.kind === 'event' && i.displayName === '浏览商品'),
      JSON.stringify(ctl),
    );
    const rule = { event: 'Product Viewed', withinDays: 30, op: 'gte', value: 2 };
    const preview = await admin.post('/cdp/segments/preview', { name: 'x', object: 'customer', rule });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.equal(preview.body.count, 1);
    const seg = await admin.post('/cdp/segments', { name: '近30天多次浏览的客户', object: 'customer', rule });
    assert.equal(seg.status, 201, JSON.stringify(seg.body));
    assert.equal(seg.body.memberCount, 1);
    const members = (await admin.get(`/cdp/segments/${seg.body.id}/members`)).body.items;
    assert.deepEqual(
      members.map((m: any) => [m.id, m.name]),
      [[buyer, '林晓峰']],
    );
    // A filter on a property narrows it like on profiles: nobody viewed P2 twice.
    const narrow = await admin.post('/cdp/segments/preview', {
      name: 'x',
      object: 'customer',
      rule: { ...rule, where: [{ prop: 'sku', op: 'eq', value: 'P2' }] },
    });
    assert.equal(narrow.body.count, 0);
    // The tick keeps it current as new events arrive.
    await sendBatch(env, key, [
      { type: 'track', userId: 'm10', event: 'Product Viewed', properties: { sku: 'P3' } },
    ]);
    await drainBackground(env, tenantId);
    await tenantTick(env.database.db, tenantId);
    assert.equal((await admin.get(`/cdp/segments/${seg.body.id}`)).body.memberCount, 2);
  });

  it('reaches a custom object’s records through their lookup to a customer', async () => {
    const { admin, key, tenantId } = await tenantWithSource(env, 0);
    const label = (zh: string, en: string) => ({ 'zh-CN': zh, 'en-US': en });
    await admin.post('/meta/objects', {
      apiName: 'vehicle',
      label: label('车辆', 'Vehicle'),
      pluralLabel: label('车辆', 'Vehicles'),
      icon: 'car',
    });
    const f = await admin.post('/meta/objects/vehicle/fields', {
      apiName: 'owner_customer',
      type: 'lookup',
      label: label('车主', 'Owner'),
      lookupObject: 'customer',
    });
    assert.equal(f.status, 201, JSON.stringify(f.body));
    const owner = (
      await admin.post('/records/customer', { name: '高明远', kind: 'person', phone: '13912340011' })
    ).body.id;
    const car = (await admin.post('/records/vehicle', { name: '沪A·12345', c_owner_customer: owner })).body
      .id;
    await admin.post('/records/vehicle', { name: '沪A·54321' });
    await drainBackground(env, tenantId);
    await sendBatch(env, key, [
      { type: 'identify', userId: 'm11', traits: { phone: '13912340011' } },
      { type: 'track', userId: 'm11', event: 'Order Completed', properties: { revenue: 300 } },
    ]);
    await drainBackground(env, tenantId);
    const seg = await admin.post('/cdp/segments', {
      name: '车主近期下单',
      object: 'vehicle',
      rule: {
        event: 'Order Completed',
        agg: 'sum',
        property: 'revenue',
        withinDays: 7,
        op: 'gte',
        value: 100,
      },
    });
    assert.equal(seg.status, 201, JSON.stringify(seg.body));
    const members = (await admin.get(`/cdp/segments/${seg.body.id}/members`)).body.items;
    assert.deepEqual(
      members.map((m: any) => m.id),
      [car],
    );
  });

  it('refuses a segment without a name with a field error, spaces included', async () => {
    const { admin } = await tenantWithSource(env, 0);
    for (const name of ['', '   ']) {
      const r = await admin.post('/cdp/segments', { name, rule: { trait: 'plan', op: 'eq', value: 'gold' } });
      assert.equal(r.status, 422, JSON.stringify(r.body));
      assert.ok(
        r.body.errors.some((e: any) => e.field === 'name'),
        JSON.stringify(r.body),
      );
    }
  });
});

describe('charts: tag coverage over time and source volume', () => {
  it('keeps a daily coverage figure per tag and counts a source’s events per day and type', async () => {
    const { admin, key, tenantId, source } = await tenantWithSource(env, 0);
    const group = (await admin.post('/cdp/tag-groups', { name: '行为' })).body;
    const tag = (
      await admin.post('/cdp/tags', {
        key: 'viewer',
        name: '浏览过商品',
        kind: 'behaviour',
        groupId: group.id,
        rule: { event: 'Product Viewed', withinDays: 30, op: 'gte', value: 1 },
      })
    ).body;
    await sendBatch(env, key, [
      { type: 'track', userId: 'a', event: 'Product Viewed' },
      { type: 'track', userId: 'b', event: 'Product Viewed' },
      { type: 'page', userId: 'b', name: '首页' },
    ]);
    await drainBackground(env, tenantId);
    await tenantTick(env.database.db, tenantId);
    const hist = (await admin.get(`/cdp/tags/${tag.id}/history`)).body.items;
    assert.equal(hist.at(-1).members, 2);
    const vol = await admin.get(`/cdp/sources/${source.id}/volume`);
    assert.equal(vol.status, 200, JSON.stringify(vol.body));
    const byType = new Map<string, number>();
    for (const x of vol.body.items) byType.set(x.type, (byType.get(x.type) ?? 0) + x.n);
    assert.equal(byType.get('track'), 2);
    assert.equal(byType.get('page'), 1);
    const hourly = (await admin.get(`/cdp/sources/${source.id}/volume?by=hour`)).body;
    assert.equal(hourly.by, 'hour');
    assert.equal(
      hourly.items.reduce((s: number, x: any) => s + x.n, 0),
      3,
    );
  });
});
