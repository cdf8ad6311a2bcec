import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tenantDirectory } from '../../testing/fixtures.ts';
import { drainBackground, login, newTenant, useTestEnv } from '../../testing/harness.ts';
import { advanceTo, cny, newOpportunity, ok } from '../sales/test-kit.ts';
import { sendBatch } from './test-kit.ts';

const env = useTestEnv();

describe('profile 360 timeline', () => {
  it('merges events with the linked customer’s CRM history, as the viewer may see it, in pages', async () => {
    const seed = await newTenant(env, 0);
    const d = await tenantDirectory(env, seed);
    const admin = await login(env, seed.slug, 'admin');
    const key = (await ok(admin.post('/cdp/sources', { name: 'App', kind: 'app' }))).writeKey;
    await sendBatch(env, key, [
      { type: 'identify', userId: 'p1', traits: { name: '周女士', phone: '13912345678' } },
      { type: 'track', userId: 'p1', event: 'Product Viewed', properties: { sku: 'P1' } },
      { type: 'track', userId: 'p1', event: 'Product Viewed', properties: { sku: 'P2' } },
    ]);
    // A salesperson (own records only) owns the customer and the contact behind the profile.
    const sun = await login(env, seed.slug, 'sun.lei');
    const cust = (await ok(sun.post('/records/customer', { name: '周氏贸易', kind: 'company' }))).id;
    await ok(sun.post('/records/contact', { name: '周女士', phone: '13912345678', customerId: cust }));
    const mine = await ok(
      sun.post('/records/order', { name: 'SO-MINE', customerId: cust, amount: cny(12_000) }),
    );
    const other = await ok(
      admin.post('/records/order', {
        name: 'SO-OTHER',
        customerId: cust,
        amount: cny(99_000),
        ownerId: d.user('zhao.jing').id,
      }),
    );
    const opp = await newOpportunity(sun, cust, 50_000);
    await advanceTo(sun, opp.id, 'solution');
    const hasActivity = (await sun.get('/meta/objects/activity')).status === 200;
    if (hasActivity)
      await ok(
        sun.post('/records/activity', {
          type: 'call',
          subject: '回访电话',
          occurredAt: new Date().toISOString(),
          customerId: cust,
        }),
      );
    const roles = (await ok(admin.get('/admin/roles'))).items;
    const sales = roles.find((r: any) => r.name === '销售顾问');
    await ok(admin.patch(`/admin/roles/${sales.id}`, { permissions: [...sales.permissions, 'cdp:read'] }));
    await drainBackground(env, seed.tenantId);

    const pid = (await ok(admin.get('/cdp/profiles'))).items[0].id;
    const full = await ok(admin.get(`/cdp/profiles/${pid}`));
    assert.equal(full.links.length, 1);
    assert.equal(full.links[0].object, 'contact');
    assert.equal(full.links[0].customerId, cust, 'a contact link resolves to its customer');
    assert.equal(full.links[0].customerName, '周氏贸易');
    assert.equal(full.links[0].ownerName, '孙磊');
    const kinds = new Set(full.timeline.map((i: any) => i.kind));
    for (const k of ['event', 'money', 'stage', 'crm']) assert.ok(kinds.has(k), `has ${k}: ${[...kinds]}`);
    const orderIds = (t: any[]) =>
      new Set(t.filter((i) => i.kind === 'money' && i.object === 'order').map((i) => i.recordId));
    assert.deepEqual(orderIds(full.timeline), new Set([mine.id, other.id]));
    const mineItem = full.timeline.find((i: any) => i.recordId === mine.id);
    assert.equal(mineItem.amount.amount, 12_000);
    assert.equal(full.timeline.filter((i: any) => i.kind === 'stage').length, 1);
    const identify = full.timeline.find((i: any) => i.kind === 'event' && i.type === 'identify');
    assert.equal(identify.properties.phone, '139****5678', 'personal values in events are masked');
    if (hasActivity)
      assert.ok(full.timeline.some((i: any) => i.kind === 'activity' && i.title === '回访电话'));

    const sunView = await ok((await login(env, seed.slug, 'sun.lei')).get(`/cdp/profiles/${pid}`));
    assert.deepEqual(orderIds(sunView.timeline), new Set([mine.id]), 'an order out of scope is not shown');
    assert.ok(!JSON.stringify(sunView).includes('SO-OTHER'));

    // A colleague of another store sees the events but not the CRM side.
    const ma = await login(env, seed.slug, 'ma.chao');
    const maView = await ok(ma.get(`/cdp/profiles/${pid}`));
    assert.equal(maView.links[0].visible, false);
    assert.equal(maView.links[0].name, null);
    assert.deepEqual(new Set(maView.timeline.map((i: any) => i.kind)), new Set(['event']));

    // Paging: one item per page walks the whole timeline once, newest first.
    const seen: any[] = [];
    let before: string | null = null;
    for (let guard = 0; guard < 100; guard++) {
      const page: any = await ok(
        admin.get(
          `/cdp/profiles/${pid}/timeline?limit=1${before ? `&before=${encodeURIComponent(before)}` : ''}`,
        ),
      );
      seen.push(...page.items);
      before = page.next;
      if (!before) break;
    }
    const all = await ok(admin.get(`/cdp/profiles/${pid}/timeline?limit=200`));
    assert.deepEqual(
      seen.map((i) => i.key),
      all.items.map((i: any) => i.key),
    );
    assert.equal(new Set(seen.map((i) => i.key)).size, seen.length, 'no item twice');
    const money = await ok(admin.get(`/cdp/profiles/${pid}/timeline?kinds=money`));
    assert.ok(money.items.length >= 2);
    assert.ok(money.items.every((i: any) => i.kind === 'money'));
  });
});

describe('event catalogue', () => {
  it('offers the event names and property keys a tenant received, and only its own', async () => {
    const a = await newTenant(env, 0);
    const b = await newTenant(env, 0);
    const adminA = await login(env, a.slug, 'admin');
    const adminB = await login(env, b.slug, 'admin');
    const keyA = (await ok(adminA.post('/cdp/sources', { name: 'A', kind: 'web' }))).writeKey;
    const keyB = (await ok(adminB.post('/cdp/sources', { name: 'B', kind: 'web' }))).writeKey;
    await sendBatch(env, keyA, [
      { type: 'track', userId: 'a1', event: 'Product Viewed', properties: { sku: 'P1', price: 12 } },
      {
        type: 'track',
        userId: 'a1',
        event: 'Product Viewed',
        properties: { sku: 'P2', phone: '13900000000' },
      },
    ]);
    await sendBatch(env, keyB, [
      { type: 'track', userId: 'b1', event: 'Checkout Started', properties: { cart: 3 } },
    ]);
    const namesA = (await ok(adminA.get('/cdp/event-names'))).items.map((e: any) => e.name);
    const namesB = (await ok(adminB.get('/cdp/event-names'))).items.map((e: any) => e.name);
    assert.deepEqual(namesA, ['Product Viewed']);
    assert.deepEqual(namesB, ['Checkout Started']);
    const props = (await ok(adminA.get('/cdp/event-properties?event=Product%20Viewed'))).items;
    const byKey = Object.fromEntries(props.map((p: any) => [p.key, p]));
    assert.equal(byKey.sku.count, 2);
    assert.deepEqual(byKey.price.types, ['number']);
    assert.deepEqual(byKey.sku.examples.sort(), ['P1', 'P2']);
    assert.deepEqual(byKey.phone.examples, [], 'personal values are not sampled');
    assert.deepEqual((await ok(adminB.get('/cdp/event-properties?event=Product%20Viewed'))).items, []);
  });
});

describe('tag groups and lineage', () => {
  it('creates, renames and deletes groups only when empty; lists which tags and segments use a tag', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const g = await ok(admin.post('/cdp/tag-groups', { name: '价值', description: '消费与价值' }));
    assert.equal((await admin.post('/cdp/tag-groups', { name: '价值' })).status, 409);
    await ok(admin.patch(`/cdp/tag-groups/${g.id}`, { name: '客户价值' }));
    const gold = await ok(
      admin.post('/cdp/tags', {
        key: 'gold',
        name: '金卡',
        kind: 'attribute',
        groupId: g.id,
        rule: { trait: 'plan', op: 'eq', value: 'gold' },
      }),
    );
    assert.equal(
      (
        await admin.post('/cdp/tags', {
          key: 'bad',
          name: 'x',
          kind: 'manual',
          groupId: '00000000-0000-4000-8000-000000000000',
        })
      ).status,
      422,
    );
    await ok(
      admin.post('/cdp/tags', {
        key: 'gold_active',
        name: '活跃金卡',
        kind: 'combined',
        rule: { and: [{ tag: 'gold' }, { event: 'App Opened', withinDays: 7, op: 'gte', value: 1 }] },
      }),
    );
    await ok(admin.post('/cdp/segments', { name: '金卡人群', rule: { tag: 'gold' } }));
    const list = await ok(admin.get('/cdp/tags'));
    const group = list.groups.find((x: any) => x.id === g.id);
    assert.equal(group.name, '客户价值');
    assert.equal(group.description, '消费与价值');
    assert.equal(group.tagCount, 1);
    const tag = list.items.find((x: any) => x.key === 'gold');
    assert.equal(tag.ownerName, '系统管理员');
    assert.deepEqual(tag.usedBy.map((u: any) => `${u.kind}:${u.name}`).sort(), [
      'segment:金卡人群',
      'tag:活跃金卡',
    ]);
    const combined = list.items.find((x: any) => x.key === 'gold_active');
    assert.deepEqual(combined.lineage.sort(), ['event:App Opened', 'tag:gold']);
    assert.equal((await admin.request('DELETE', `/cdp/tag-groups/${g.id}`)).status, 409);
    await ok(admin.patch(`/cdp/tags/${gold.id}`, { groupId: null }));
    assert.equal((await admin.request('DELETE', `/cdp/tag-groups/${g.id}`)).status, 204);
    assert.equal((await ok(admin.get('/cdp/tags'))).groups.length, 0);
  });
});
