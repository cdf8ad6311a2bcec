import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Client, drainBackground, loginAsRole, useTestEnv } from '../../testing/harness.ts';
import { sendBatch, tenantWithSource } from './test-kit.ts';

const env = useTestEnv();

async function ok(p: Promise<{ status: number; body: any }>, status = 200) {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}

/** Every page of a list, following nextCursor; `between` runs after each page. */
async function allPages(c: Client, url: string, between?: (page: number) => Promise<void>) {
  const ids: string[] = [];
  let cursor: string | null = null;
  let page = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const body: any = await ok(c.get(cursor ? `${url}${sep}cursor=${encodeURIComponent(cursor)}` : url));
    ids.push(...body.items.map((x: { id: string }) => x.id));
    cursor = body.nextCursor;
    if (between) await between(++page);
  } while (cursor);
  return ids;
}

const people = (from: number, n: number) =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return {
      type: 'identify',
      userId: `u-${i}`,
      traits: { name: `客户${i}`, plan: i % 3 === 0 ? 'gold' : 'basic' },
    };
  });

describe('profile list', () => {
  it('pages over every profile once, newest first, while events and new profiles arrive', async () => {
    const { admin, key, tenantId } = await tenantWithSource(env, 2);
    await sendBatch(env, key, people(0, 120));
    await drainBackground(env, tenantId);
    const before = new Set<string>(
      (await ok(admin.get('/cdp/profiles?limit=200'))).items.map((p: any) => p.id),
    );
    assert.equal(before.size, 120);
    let next = 1000;
    const seen = await allPages(admin, '/cdp/profiles?limit=25', async () => {
      // Activity on profiles already listed and still to come, plus brand-new people.
      await sendBatch(env, key, [
        ...people(next, 3),
        { type: 'track', userId: 'u-0', event: 'Viewed' },
        { type: 'track', userId: 'u-119', event: 'Viewed' },
        { type: 'identify', userId: 'u-60', traits: { plan: 'gold', name: '客户60' } },
      ]);
      next += 3;
      await drainBackground(env, tenantId);
    });
    assert.equal(new Set(seen).size, seen.length, 'no profile twice');
    for (const id of before) assert.ok(seen.includes(id), `profile ${id} listed`);
    const ordered = [...seen].sort().reverse();
    assert.deepEqual(seen, ordered, 'newest first');

    const first = await ok(admin.get('/cdp/profiles?limit=5&count=true'));
    assert.equal(first.items.length, 5);
    assert.equal(first.totalExact, true);
    assert.equal(first.total, 120 + (next - 1000));
    assert.equal((await admin.get('/cdp/profiles?cursor=not-a-cursor')).status, 400);
    assert.equal((await admin.get('/cdp/profiles?limit=201')).status, 422);
  });

  it('finds profiles by identity (normalised, exact) or name prefix and filters by segment, tag and CRM link', async () => {
    const { admin, key, tenantId } = await tenantWithSource(env, 2);
    await sendBatch(env, key, [
      ...people(0, 12),
      {
        type: 'identify',
        userId: 'm-1',
        traits: { name: '王小明', phone: '13912345678', email: 'Wang@Example.com' },
      },
      { type: 'identify', userId: 'm-2', traits: { member_no: 'vip-007' } },
      { type: 'identify', anonymousId: 'anon-xyz' },
    ]);
    await drainBackground(env, tenantId);
    const ids = async (url: string) => (await ok(admin.get(url))).items.map((p: any) => p.id).sort();
    const one = async (q: string) => {
      const r = await ok(admin.get(`/cdp/profiles?q=${encodeURIComponent(q)}&count=true`));
      return r;
    };
    const wang = (await one('m-1')).items;
    assert.equal(wang.length, 1);
    const wangId = wang[0].id;
    for (const q of ['139 1234 5678', '+86 139-1234-5678', 'WANG@example.COM', '王小', '王小明'])
      assert.deepEqual(
        (await one(q)).items.map((p: any) => p.id),
        [wangId],
        q,
      );
    assert.equal((await one('m-')).items.length, 0, 'identities match exactly, not by substring');
    assert.equal((await one('1234')).items.length, 0);
    assert.equal((await one('anon-xyz')).items.length, 1);
    const byName = await one('客户1');
    assert.deepEqual(byName.items.map((p: any) => p.name).sort(), ['客户1', '客户10', '客户11']);
    assert.equal(byName.total, 3);

    // segment
    const seg = await ok(
      admin.post('/cdp/segments', { name: 'Gold', rule: { trait: 'plan', op: 'eq', value: 'gold' } }),
      201,
    );
    await drainBackground(env, tenantId);
    const gold = await ids(`/cdp/profiles?segment=${seg.id}&limit=200`);
    assert.equal(gold.length, 4); // 0, 3, 6, 9
    const goldPaged = await allPages(admin, `/cdp/profiles?segment=${seg.id}&limit=3`);
    assert.deepEqual(goldPaged.sort(), gold);

    // tag, by id and by key
    const tag = await ok(admin.post('/cdp/tags', { key: 'vip', name: 'VIP', kind: 'manual' }), 201);
    await ok(admin.request('PUT', `/cdp/tags/${tag.id}/subjects/${wangId}`, { on: true }), 204);
    assert.deepEqual(await ids(`/cdp/profiles?tag=${tag.id}`), [wangId]);
    assert.deepEqual(await ids('/cdp/profiles?tag=vip'), [wangId]);
    assert.equal((await admin.get('/cdp/profiles?tag=nope')).status, 404);
    assert.equal((await admin.get(`/cdp/profiles?segment=${tag.id}`)).status, 404);
    const row = (await one('m-1')).items[0];
    assert.equal(row.tagCount, 1);
    assert.equal(row.segmentCount, 0);
    assert.equal((await ok(admin.get(`/cdp/profiles?segment=${seg.id}&limit=1`))).items[0].segmentCount, 1);

    // CRM link: a contact with the profile's phone joins it
    await ok(admin.post('/records/contact', { name: '王小明', phone: '13912345678' }), 201);
    await drainBackground(env, tenantId);
    assert.deepEqual(await ids('/cdp/profiles?linked=true'), [wangId]);
    const unlinked = await ids('/cdp/profiles?linked=false&limit=200');
    assert.equal(unlinked.length, 14);
    assert.ok(!unlinked.includes(wangId));
    const linked = (await one('m-1')).items[0];
    assert.equal(linked.links.length, 1);
    assert.equal(linked.links[0].object, 'contact');
    assert.equal(linked.links[0].name, '王小明');
    assert.equal(linked.links[0].visible, true);

    // combined
    assert.deepEqual(await ids(`/cdp/profiles?linked=true&tag=vip&q=m-1`), [wangId]);
    assert.deepEqual(await ids(`/cdp/profiles?linked=true&segment=${seg.id}`), []);
  });

  it('masks personal values for viewers without profile:unmask, in profiles and merges', async () => {
    const { seed, admin, key, tenantId } = await tenantWithSource(env, 2);
    await sendBatch(env, key, [
      {
        type: 'identify',
        userId: 'p-1',
        traits: { name: '李雷', phone: '13912340001', email: 'lilei@example.com' },
      },
      { type: 'identify', anonymousId: 'a-1', traits: { phone: '13912340002' } },
    ]);
    await drainBackground(env, tenantId);
    await sendBatch(env, key, [{ type: 'identify', userId: 'p-1', traits: { phone: '13912340002' } }]);
    await drainBackground(env, tenantId);
    const analyst = await loginAsRole(env, seed, '数据分析师');
    const asAdmin = (await ok(admin.get('/cdp/profiles?q=p-1'))).items[0];
    assert.ok(asAdmin.identities.includes('phone:+8613912340001'));
    assert.equal(asAdmin.traits.email, 'lilei@example.com');
    const masked = (await ok(analyst.get('/cdp/profiles?q=13912340001'))).items[0];
    assert.equal(masked.id, asAdmin.id, 'a viewer who knows the number finds the profile');
    const text = JSON.stringify(masked);
    assert.ok(!text.includes('13912340001') && !text.includes('lilei@example.com'), text);
    assert.ok(
      masked.identities.some((i: string) => i.startsWith('phone:139****')),
      text,
    );
    assert.ok(masked.identities.includes('user_id:p-1'));

    const merges = await ok(admin.get('/cdp/merges'));
    assert.equal(merges.items.length, 1);
    assert.equal(merges.items[0].evidence.identity.value, '+8613912340002');
    const mergesMasked = await ok(analyst.get('/cdp/merges'));
    assert.ok(!JSON.stringify(mergesMasked).includes('13912340002'), JSON.stringify(mergesMasked));
    // The profile 360 shows the same merge history, masked the same way.
    const detail = await ok(analyst.get(`/cdp/profiles/${asAdmin.id}`));
    assert.equal(detail.merges.length, 1);
    assert.ok(!JSON.stringify(detail.merges).includes('13912340002'), JSON.stringify(detail.merges));
    // Even for an administrator the 360 is masked until an audited unmask.
    const detailAdmin = await ok(admin.get(`/cdp/profiles/${asAdmin.id}`));
    assert.ok(!JSON.stringify(detailAdmin.merges).includes('13912340002'));
    const unmasked = await ok(admin.post(`/cdp/profiles/${asAdmin.id}/unmask`, {}));
    assert.equal(unmasked.merges[0].evidence.identity.value, '+8613912340002');
  });

  it('keeps tenants apart: lists, searches and filters never see another tenant', async () => {
    const a = await tenantWithSource(env, 2);
    const b = await tenantWithSource(env, 2);
    await sendBatch(env, a.key, [{ type: 'identify', userId: 'shared-1', traits: { name: '甲方客户' } }]);
    await sendBatch(env, b.key, [{ type: 'identify', userId: 'shared-1', traits: { name: '乙方客户' } }]);
    await drainBackground(env, a.tenantId);
    await drainBackground(env, b.tenantId);
    const segB = await ok(
      b.admin.post('/cdp/segments', { name: 'All B', rule: { trait: 'name', op: 'eq', value: '乙方客户' } }),
      201,
    );
    const tagB = await ok(b.admin.post('/cdp/tags', { key: 'b_only', name: 'B', kind: 'manual' }), 201);
    await drainBackground(env, b.tenantId);
    const listA = await ok(a.admin.get('/cdp/profiles?q=shared-1&count=true'));
    assert.deepEqual(
      listA.items.map((p: any) => p.name),
      ['甲方客户'],
    );
    assert.equal(listA.total, 1);
    assert.equal((await a.admin.get(`/cdp/profiles?segment=${segB.id}`)).status, 404);
    assert.equal((await a.admin.get(`/cdp/profiles?tag=${tagB.id}`)).status, 404);
    assert.equal((await a.admin.get('/cdp/profiles?tag=b_only')).status, 404);
    const pB = (await ok(b.admin.get('/cdp/profiles'))).items[0].id;
    assert.equal((await a.admin.get(`/cdp/merges?profile=${pB}`)).status, 404);
    const all = JSON.stringify(await ok(a.admin.get('/cdp/profiles?limit=200')));
    assert.ok(!all.includes('乙方客户'));
  });
});

describe('merge list', () => {
  it('pages merges newest first and filters by profile and by split', async () => {
    const { admin, key, tenantId } = await tenantWithSource(env, 2);
    // Five people each first seen anonymously with a phone, then identified: five merges.
    for (let i = 0; i < 5; i++) {
      await sendBatch(env, key, [
        { type: 'identify', userId: `m-${i}`, traits: { name: `合并${i}` } },
        { type: 'identify', anonymousId: `anon-${i}`, traits: { phone: `1391234100${i}` } },
      ]);
      await drainBackground(env, tenantId);
      await sendBatch(env, key, [
        { type: 'identify', userId: `m-${i}`, traits: { phone: `1391234100${i}` } },
      ]);
      await drainBackground(env, tenantId);
    }
    const all = await ok(admin.get('/cdp/merges?count=true'));
    assert.equal(all.items.length, 5);
    assert.equal(all.total, 5);
    const paged = await allPages(admin, '/cdp/merges?limit=2');
    assert.deepEqual(
      paged,
      all.items.map((m: any) => m.id),
      'pages join up to the one-page list',
    );
    const ats = all.items.map((m: any) => m.at);
    assert.deepEqual([...ats].sort().reverse(), ats, 'newest first');

    const target = all.items[2].targetId;
    const mine = await ok(admin.get(`/cdp/merges?profile=${target}`));
    assert.deepEqual(
      mine.items.map((m: any) => m.id),
      [all.items[2].id],
    );
    await ok(admin.post(`/cdp/merges/${all.items[2].id}/split`));
    const split = await ok(admin.get('/cdp/merges?split=true'));
    assert.deepEqual(
      split.items.map((m: any) => m.id),
      [all.items[2].id],
    );
    assert.equal((await ok(admin.get('/cdp/merges?split=false&count=true'))).total, 4);
    assert.equal((await admin.get('/cdp/merges?cursor=abc')).status, 400);
  });
});
