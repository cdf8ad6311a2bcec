import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tenantDirectory } from '../../testing/fixtures.ts';
import { drainBackground, login, newTenant, useTestEnv } from '../../testing/harness.ts';
import { cny, ok } from '../sales/test-kit.ts';
import { sendBatch } from './test-kit.ts';

/** Issue 9 §2: one customer page — its people, its unified timeline, people read by label. */
const env = useTestEnv();

async function world() {
  const seed = await newTenant(env, 0);
  const d = await tenantDirectory(env, seed);
  const admin = await login(env, seed.slug, 'admin');
  const key = (await ok(admin.post('/cdp/sources', { name: '官网', kind: 'web' }))).writeKey;
  // A visitor browses anonymously, later signs in (merging the anonymous history into the person);
  // another visitor never does.
  await sendBatch(env, key, [
    { type: 'track', anonymousId: 'anon-1', event: 'Product Viewed', properties: { sku: 'P1' } },
    { type: 'page', anonymousId: 'anon-2', name: 'Home' },
  ]);
  await drainBackground(env, seed.tenantId);
  await sendBatch(env, key, [
    { type: 'identify', userId: 'c1', traits: { name: '周敏', phone: '13912345678' } },
  ]);
  await drainBackground(env, seed.tenantId);
  await sendBatch(env, key, [
    {
      type: 'track',
      userId: 'c1',
      anonymousId: 'anon-1',
      event: 'Order Completed',
      properties: { total: 88 },
    },
  ]);
  // The salesperson (own records) owns the customer and the contact behind the profile.
  const sun = await login(env, seed.slug, 'sun.lei');
  const cust = (
    await ok(sun.post('/records/customer', { name: '周氏贸易', kind: 'company', phone: '13800001111' }))
  ).id;
  await ok(sun.post('/records/contact', { name: '周敏', phone: '13912345678', customerId: cust }));
  await ok(
    sun.post('/records/order', {
      name: 'SO-1',
      customerId: cust,
      amount: cny(12_000),
      orderDate: '2026-10-03',
    }),
  );
  await ok(
    sun.post('/records/order', {
      name: 'SO-2',
      customerId: cust,
      amount: cny(3_000),
      orderDate: '2026-10-20',
    }),
  );
  await ok(
    sun.post('/records/order', {
      name: 'SO-3',
      customerId: cust,
      amount: cny(5_000),
      orderDate: '2026-11-15',
    }),
  );
  const roles = (await ok(admin.get('/admin/roles'))).items;
  const sales = roles.find((r: any) => r.name === '销售顾问');
  await ok(admin.patch(`/admin/roles/${sales.id}`, { permissions: [...sales.permissions, 'cdp:read'] }));
  await drainBackground(env, seed.tenantId);
  return { seed, d, admin, sun, cust };
}

describe('one customer page', () => {
  it('gives the customer its people, one timeline of events and CRM items, and an order trend', async () => {
    const { seed, admin, cust } = await world();
    const sun = await login(env, seed.slug, 'sun.lei');

    const c360 = await ok(sun.get(`/customers/${cust}/360`));
    assert.deepEqual(c360.orderTrend, [
      { month: '2026-10', amount: 15_000, count: 2 },
      { month: '2026-11', amount: 5_000, count: 1 },
    ]);

    const people = await ok(sun.get(`/cdp/customers/${cust}/profile`));
    assert.equal(people.customerId, cust);
    assert.equal(people.profiles.length, 1, JSON.stringify(people.profiles));
    assert.equal(people.profiles[0].via, 'contact');
    assert.equal(people.profiles[0].label.anonymous, false);
    assert.equal(people.profiles[0].label.name, '周*', 'the name is masked for a viewer who may not unmask');
    assert.equal(people.profile.id, people.profiles[0].id);
    assert.equal(people.profile.label.source, '官网');
    assert.ok(people.profile.merges.length >= 1, 'the anonymous history was merged in');
    const merge = people.profile.merges[0];
    assert.equal(merge.targetLabel.name, '周*');
    assert.ok(merge.sourceLabel, 'both sides of a merge read as people');
    assert.ok(!JSON.stringify(people).includes('13912345678'), 'no full phone on the page');

    const tl = await ok(sun.get(`/cdp/customers/${cust}/timeline?limit=200`));
    const kinds = new Set(tl.items.map((i: any) => i.kind));
    assert.ok(kinds.has('event') && kinds.has('money'), `events and CRM items in one list: ${[...kinds]}`);
    assert.ok(
      tl.items.some((i: any) => i.kind === 'event' && i.title === 'Product Viewed'),
      'anonymous history',
    );
    const money = await ok(sun.get(`/cdp/customers/${cust}/timeline?kinds=money`));
    assert.ok(money.items.length >= 3 && money.items.every((i: any) => i.kind === 'money'));

    // The admin (may unmask) reads the full name in labels; the anonymous visitor reads as one.
    const list = (await ok(admin.get('/cdp/profiles?limit=50'))).items;
    const anon = list.find((p: any) => p.label.anonymous);
    assert.ok(anon, JSON.stringify(list.map((p: any) => p.label)));
    assert.equal(anon.label.name, null);
    assert.equal(anon.label.source, '官网');
    assert.ok(anon.label.firstSeenAt);
    assert.ok(list.some((p: any) => p.label.name === '周敏'));
    // The audit log names the records it lists (read as the viewer), instead of id tails.
    const audit = (await ok(admin.get(`/admin/audit?object=customer&recordId=${cust}`))).items;
    assert.ok(audit.length >= 1);
    assert.ok(
      audit.every((a: any) => a.recordName === '周氏贸易'),
      JSON.stringify(audit[0]),
    );
    const merges = (await ok(admin.get('/cdp/merges'))).items;
    assert.ok(merges.length >= 1 && merges.every((m: any) => m.targetLabel && m.sourceLabel));
  });

  it('keeps scope and masking: another unit’s customer is 404, a masked role sees masked values', async () => {
    const { seed, cust } = await world();
    // Another dealer's store manager: the customer does not exist for them, on every part of the page.
    const liu = await login(env, seed.slug, 'liu.yang');
    assert.equal((await liu.get(`/customers/${cust}/360`)).status, 404);
    const tl = await liu.get(`/cdp/customers/${cust}/timeline`);
    assert.equal(tl.status, 404, JSON.stringify(tl.body));
    assert.equal(tl.headers.get('content-type')?.split(';')[0], 'application/problem+json');
    const p = await liu.get(`/cdp/customers/${cust}/profile`);
    assert.ok([403, 404].includes(p.status), `profile part: ${p.status}`);

    // The HQ sales manager sees the customer with its phone masked, everywhere on the page.
    const wang = await login(env, seed.slug, 'wang.jianguo');
    const c360 = await ok(wang.get(`/customers/${cust}/360`));
    assert.equal(c360.customer.phone, '138****1111');
    const wtl = await wang.get(`/cdp/customers/${cust}/timeline?limit=200`);
    assert.equal(wtl.status, 200, JSON.stringify(wtl.body));
    for (const body of [c360, wtl.body])
      for (const full of ['13800001111', '13912345678'])
        assert.ok(!JSON.stringify(body).includes(full), `full phone ${full} shown to a masked role`);

    // Malformed input is a problem with field details, not a crash.
    const sun = await login(env, seed.slug, 'sun.lei');
    const bad = await sun.get(`/cdp/customers/${cust}/timeline?limit=0&before=yesterday`);
    assert.ok([400, 422].includes(bad.status), String(bad.status));
    assert.equal(bad.headers.get('content-type')?.split(';')[0], 'application/problem+json');
    assert.equal((await sun.get('/cdp/customers/not-an-id/profile')).status >= 400, true);
  });
});
