import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { marker, type TenantDirectory, tenantDirectory } from '../../testing/fixtures.ts';
import { type Client, login, newTenantWithAdmin, useTestEnv } from '../../testing/harness.ts';
import { demoShelfPhoto } from '../trade-promotion/index.ts';
import { weekStartOf } from './field-sales.demo.ts';
import { chinaDay } from './visits.service.ts';

/** R4.6 外勤: store tiers, weekly plans, the phone visit flow (idempotent replays), manager views. */
const env = useTestEnv();

async function ok<T = any>(p: Promise<{ status: number; body: T }>, status = 200): Promise<T> {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}

describe('field sales 外勤拜访', () => {
  let admin: Client;
  let chen: Client; // 区域经理 华东
  let huang: Client; // 区域经理 华南
  let zhang: Client; // 经销商店长 EC-D1: the rep
  let tenantId: string;
  let dir: TenantDirectory;
  const today = chinaDay();
  const week = weekStartOf(today);
  const rows = (q: ReturnType<typeof sql>) =>
    inTenant(env.database.db, tenantId, async (tx) => (await q.execute(tx)).rows as any[]);

  before(async () => {
    const t = await newTenantWithAdmin(env, 5);
    ({ admin, tenantId } = t);
    dir = await tenantDirectory(env, t.seed);
    [chen, huang, zhang] = await Promise.all(
      ['chen.zhiqiang', 'huang.weiming', 'zhang.wei'].map((u) => login(env, t.seed.slug, u)),
    );
    // Geofences come from trade promotion's store locations (GCJ-02 as map apps give them).
    for (const [code, lng, lat] of [
      ['EC-D1-S1', 121.5906, 31.2033],
      ['EC-D1-S2', 121.6002, 31.2638],
    ] as const)
      await ok(
        admin.request('PUT', `/tpm/stores/${dir.unit(code)}/location`, {
          lng,
          lat,
          coordSystem: 'gcj02',
          radiusM: 200,
        }),
      );
  });

  it('keeps store tiers and reps with version checks, inside the manager’s branch', async () => {
    const s1 = dir.unit('EC-D1-S1');
    const zid = dir.user('zhang.wei').id;
    const a = await ok(
      chen.request('PUT', `/field-sales/stores/${s1}`, { tier: 'A', repId: zid, version: 0 }),
    );
    assert.equal(a.tier, 'A');
    assert.equal(a.repName, '张伟');
    assert.ok(a.lng > 121 && a.radiusM === 200, 'the geofence comes from trade promotion, in WGS-84');
    assert.equal(
      (await chen.request('PUT', `/field-sales/stores/${s1}`, { tier: 'B', repId: zid, version: 0 })).status,
      409,
    );
    await ok(
      chen.request('PUT', `/field-sales/stores/${dir.unit('EC-D1-S2')}`, {
        tier: 'C',
        repId: zid,
        version: 0,
      }),
    );
    // Another branch's manager: not found. A rep whose unit does not cover the store: a field error.
    assert.equal(
      (await huang.request('PUT', `/field-sales/stores/${s1}`, { tier: 'C', repId: null, version: 1 }))
        .status,
      404,
    );
    const wrongRep = await chen.request('PUT', `/field-sales/stores/${s1}`, {
      tier: 'A',
      repId: dir.user('liu.yang').id,
      version: 1,
    });
    assert.equal(wrongRep.status, 422);
    assert.equal(wrongRep.body.errors[0].field, 'repId');
    const notStore = await chen.request('PUT', `/field-sales/stores/${dir.unit('EC-D1')}`, {
      tier: 'A',
      repId: null,
      version: 0,
    });
    assert.equal(notStore.status, 422);
    const mine = await ok(chen.get('/field-sales/stores'));
    assert.ok(mine.items.some((s: any) => s.unitId === s1));
    assert.ok(!mine.items.some((s: any) => s.unitId === dir.unit('SC-D1-S1')));
  });

  it('proposes a week by tier frequency in route order, and saves it as adjusted with a version', async () => {
    const zid = dir.user('zhang.wei').id;
    const p = await ok(chen.post('/field-sales/plans/propose', { repId: zid, weekStart: week }));
    assert.equal(p.version, 0);
    assert.deepEqual(p.visits.map((v: any) => v.tier).sort(), ['A', 'C'], 'both due: never visited');
    for (const v of p.visits)
      assert.ok(v.day >= week && v.day < weekStartOf(chinaDay(Date.parse(week) + 8 * 86_400_000)));
    // The manager moves both visits to today, S2 first.
    const visits = [
      { storeUnitId: dir.unit('EC-D1-S2'), day: today, visitType: 'display_check' },
      { storeUnitId: dir.unit('EC-D1-S1'), day: today, visitType: 'routine' },
    ];
    const saved = await ok(
      chen.request('PUT', '/field-sales/plans', { repId: zid, weekStart: week, visits, version: 0 }),
    );
    assert.equal(saved.version, 1);
    assert.deepEqual(
      saved.visits.map((v: any) => [v.storeUnitId, v.seq]),
      [
        [dir.unit('EC-D1-S2'), 1],
        [dir.unit('EC-D1-S1'), 2],
      ],
    );
    assert.ok(saved.visits[1].legM > 5000, 'the leg between the two stores is measured');
    assert.equal(
      (await chen.request('PUT', '/field-sales/plans', { repId: zid, weekStart: week, visits, version: 0 }))
        .status,
      409,
    );
    const bad = await chen.request('PUT', '/field-sales/plans', {
      repId: zid,
      weekStart: week,
      visits: [{ storeUnitId: dir.unit('SC-D1-S1'), day: today }, visits[0], visits[0]],
      version: 1,
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.errors.map((e: any) => e.field).sort(), [
      'visits.0.storeUnitId',
      'visits.2.day',
    ]);
    // A rep of another branch cannot be planned; another branch sees no plan.
    const other = await huang.post('/field-sales/plans/propose', { repId: zid, weekStart: week });
    assert.equal(other.status, 422);
    assert.equal((await ok(huang.get(`/field-sales/plans?weekStart=${week}`))).items.length, 0);
    assert.equal((await ok(chen.get(`/field-sales/plans?weekStart=${week}`))).items.length, 1);
  });

  it('checks in inside the geofence, and outside only with a reason (flagged)', async () => {
    const { items } = await ok(zhang.get('/field-sales/my-visits'));
    assert.equal(items.length, 2);
    const [s2, s1] = items;
    assert.deepEqual(s1.steps, ['inventory', 'shelf_photo', 'competitor_price', 'order_intent']);
    const inside = await ok(
      zhang.post(`/field-sales/visits/${s1.id}/check-in`, {
        lng: s1.storeLng + 0.0005,
        lat: s1.storeLat + 0.0004,
        accuracyM: 12,
      }),
    );
    assert.equal(inside.status, 'in_progress');
    assert.equal(inside.insideFence, true);
    assert.equal(inside.flagged, false);
    assert.ok(inside.distanceM > 30 && inside.distanceM < 100);
    // GCJ-02 from a map SDK is converted before measuring (raw it would be ~500 m off).
    const far = await zhang.post(`/field-sales/visits/${s2.id}/check-in`, {
      lng: s2.storeLng + 0.02,
      lat: s2.storeLat,
    });
    assert.equal(far.status, 422);
    assert.equal(far.body.errors[0].field, 'reason');
    assert.ok(far.body.distanceM > 1500);
    const flagged = await ok(
      zhang.post(`/field-sales/visits/${s2.id}/check-in`, {
        lng: s2.storeLng + 0.02,
        lat: s2.storeLat,
        reason: '门店装修，在对面仓库拜访',
      }),
    );
    assert.equal(flagged.flagged, true);
    assert.equal(flagged.insideFence, false);
    // A colleague who sees the store but is not the rep: 403; a rep of another branch: 404.
    const sun = await login(env, dir.seed.slug, 'sun.lei');
    assert.equal(
      (await sun.post(`/field-sales/visits/${s1.id}/steps`, { step: 'inventory', items: [] })).status,
      403,
    );
    const wu = await login(env, dir.seed.slug, 'wu.haitao');
    assert.equal((await wu.get(`/field-sales/visits/${s1.id}`)).status, 404);
    assert.equal((await wu.post(`/field-sales/visits/${s1.id}/check-out`, {})).status, 404);
  });

  it('takes replayed offline actions once: visit, check-in, step, photo, check-out', async () => {
    const { items } = await ok(zhang.get('/field-sales/my-visits'));
    const s1 = items.find((v: any) => v.visitType === 'routine');
    const again = await ok(
      zhang.post(`/field-sales/visits/${s1.id}/check-in`, { lng: 0, lat: 0, reason: '重放' }),
    );
    assert.equal(again.checkInAt, s1.checkInAt, 'the first check-in stands');
    assert.equal(again.flagged, false);

    const step = {
      step: 'inventory',
      items: [{ name: '净水器 K5', qty: 12 }],
      at: new Date(Date.now() - 60_000).toISOString(),
    };
    await ok(zhang.post(`/field-sales/visits/${s1.id}/steps`, step));
    const v2 = await ok(zhang.post(`/field-sales/visits/${s1.id}/steps`, step));
    assert.deepEqual(v2.results.inventory.items, step.items);
    const noQty = await zhang.post(`/field-sales/visits/${s1.id}/steps`, {
      step: 'inventory',
      items: [{ name: 'x' }],
    });
    assert.equal(noQty.status, 422);
    assert.equal(noQty.body.errors[0].field, 'items.0.qty');

    const photo = await demoShelfPhoto(7301, { capturedAt: new Date(Date.now() - 120_000) });
    const photoId = randomUUID();
    const url = `/field-sales/visits/${s1.id}/photos?photoId=${photoId}&step=shelf_photo&lng=${s1.storeLng}&lat=${s1.storeLat}`;
    const up = (body: Buffer, u = url) =>
      zhang.request('POST', u, new Uint8Array(body), { 'content-type': 'application/octet-stream' });
    const p1 = await ok(up(photo));
    assert.equal(p1.photos.length, 1);
    assert.equal(p1.photos[0].status, 'accepted', JSON.stringify(p1.photos[0].flags));
    const p2 = await ok(up(photo));
    assert.equal(p2.photos.length, 1, 'a replayed photo is stored once');
    // The same picture under a new id (re-used, not retried) is flagged as a duplicate.
    const reused = await ok(up(photo, url.replace(photoId, randomUUID())));
    assert.equal(reused.photos.length, 2);
    assert.ok(reused.photos[1].flags.some((f: any) => f.code === 'duplicate_photo'));
    assert.equal(reused.photos[1].status, 'flagged');
    const notImage = await up(Buffer.from('not an image'), url.replace(photoId, randomUUID()));
    assert.equal(notImage.status, 422);

    const out1 = await ok(zhang.post(`/field-sales/visits/${s1.id}/check-out`, {}));
    const out2 = await ok(zhang.post(`/field-sales/visits/${s1.id}/check-out`, {}));
    assert.equal(out1.status, 'done');
    assert.equal(out2.durationS, out1.durationS);
    assert.equal(out2.checkOutAt, out1.checkOutAt);
    assert.equal((await zhang.post(`/field-sales/visits/${s1.id}/steps`, step)).status, 409);

    // An unplanned visit started offline and synced twice is one visit.
    const id = randomUUID();
    const body = {
      id,
      storeUnitId: dir.unit('EC-D1-S1'),
      visitType: 'display_check',
      at: new Date().toISOString(),
    };
    await ok(zhang.post('/field-sales/visits', body), 201);
    await ok(zhang.post('/field-sales/visits', body), 201);
    assert.equal((await rows(sql`select count(*)::int as n from fsl_visits where id = ${id}`))[0].n, 1);
    const future = await zhang.post('/field-sales/visits', {
      ...body,
      id: randomUUID(),
      at: new Date(Date.now() + 3600_000).toISOString(),
    });
    assert.equal(future.status, 422);
    // Older than the 72 h offline window: refused with a field error.
    const stale = await zhang.post('/field-sales/visits', {
      ...body,
      id: randomUUID(),
      at: new Date(Date.now() - 73 * 3600_000).toISOString(),
    });
    assert.equal(stale.status, 422);
    assert.deepEqual([stale.body.errors[0].field, stale.body.errors[0].code], ['at', 'too_old']);
    // More than 6 h old: accepted, flagged as a late sync; a fresh one is not.
    const fresh = await ok(zhang.post('/field-sales/visits', { ...body, id: randomUUID() }), 201);
    assert.equal(fresh.lateSync, false);
    const lateAt = Date.now() - 7 * 3600_000;
    const late = await ok(
      zhang.post('/field-sales/visits', { ...body, id: randomUUID(), at: new Date(lateAt).toISOString() }),
      201,
    );
    assert.equal(late.lateSync, true);
    // A check-in timed before the visit's day (China time) is refused.
    const early = await zhang.post(`/field-sales/visits/${late.id}/check-in`, {
      lng: 0,
      lat: 0,
      reason: '离线补传',
      at: new Date(Date.parse(`${late.day}T00:00:00+08:00`) - 60_000).toISOString(),
    });
    assert.equal(early.status, 422);
    assert.deepEqual([early.body.errors[0].field, early.body.errors[0].code], ['at', 'before_visit_day']);
    const inLate = await ok(
      zhang.post(`/field-sales/visits/${late.id}/check-in`, {
        lng: 0,
        lat: 0,
        reason: '离线补传',
        at: new Date(lateAt + 60_000).toISOString(),
      }),
    );
    assert.equal(inLate.lateSync, true);
    // Out of the manager's day view the next test counts.
    await rows(sql`delete from fsl_visits where id = any(${[fresh.id, late.id]}::uuid[]) returning id`);
    const foreignStore = await zhang.post('/field-sales/visits', {
      ...body,
      id: randomUUID(),
      storeUnitId: dir.unit('SC-D1-S1'),
    });
    assert.equal(foreignStore.status, 422);
    // Someone else replaying that id learns nothing.
    const liu = await login(env, dir.seed.slug, 'liu.yang');
    assert.equal(
      (await liu.post('/field-sales/visits', { ...body, storeUnitId: dir.unit('EC-D2-S1') })).status,
      404,
    );
  });

  it('shows managers their branch only: map, coverage by tier, photos', async () => {
    const day = await ok(chen.get('/field-sales/visits'));
    assert.equal(day.items.length, 3);
    assert.ok(day.items.every((v: any) => v.storeLng !== null && v.repName === '张伟'));
    assert.equal((await ok(huang.get('/field-sales/visits'))).items.length, 0);
    const cov = await ok(chen.get('/field-sales/coverage'));
    const a = cov.tiers.find((t: any) => t.tier === 'A');
    const c = cov.tiers.find((t: any) => t.tier === 'C');
    assert.deepEqual([a.stores, a.done, a.covered, a.expected], [1, 1, 1, 4]);
    assert.deepEqual([c.stores, c.planned, c.done, c.expected], [1, 1, 0, 1]);
    assert.ok((await ok(huang.get('/field-sales/coverage'))).tiers.every((t: any) => t.stores === 0));
    const photos = await ok(chen.get('/field-sales/photos'));
    assert.equal(photos.items.length, 2);
    assert.equal((await ok(huang.get('/field-sales/photos'))).items.length, 0);
    const img = await chen.get(`/field-sales/photos/${photos.items[0].id}?thumb=1`);
    assert.equal(img.status, 200);
    assert.equal(img.headers.get('content-type'), 'image/jpeg');
    assert.equal((await huang.get(`/field-sales/photos/${photos.items[0].id}`)).status, 404);
  });

  it('answers 403 to people without the field-sales permissions', async () => {
    const zhou = await login(env, dir.seed.slug, 'zhou.xiaoyan'); // 客服专员
    assert.equal((await zhou.get('/field-sales/my-visits')).status, 403);
    assert.equal((await zhou.get('/field-sales/visits')).status, 403);
    assert.equal((await chen.get('/field-sales/my-visits')).status, 403, 'a manager is no rep');
    const zhangPlan = await zhang.request('PUT', `/field-sales/stores/${dir.unit('EC-D1-S1')}`, {
      tier: 'C',
      repId: null,
      version: 1,
    });
    assert.equal(zhangPlan.status, 200, 'a dealer manager plans their own stores');
    const sun = await login(env, dir.seed.slug, 'sun.lei'); // 销售顾问: visits, no planning
    assert.equal(
      (await sun.post('/field-sales/plans/propose', { repId: dir.user('sun.lei').id, weekStart: week }))
        .status,
      403,
    );
  });

  it('completes a store’s HQ task from the visit once under replay; HQ sees it by unit', async () => {
    const hq = await login(env, dir.seed.slug, 'wang.jianguo');
    const s1 = dir.unit('EC-D1-S1');
    const task = await ok(
      hq.post('/hq-tasks', {
        title: '端午堆头',
        dueAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
        proof: 'text',
        kind: 'campaign',
        targetRootIds: [s1],
        unitTypes: ['store'],
      }),
      201,
    );
    const id = randomUUID();
    await ok(zhang.post('/field-sales/visits', { id, storeUnitId: s1, visitType: 'hq_task' }), 201);
    const url = `/field-sales/visits/${id}/hq-tasks`;
    assert.equal(
      (await zhang.post(url, { clientId: randomUUID(), targetId: randomUUID(), version: 1 })).status,
      409,
      'not checked in yet',
    );
    await ok(zhang.post(`/field-sales/visits/${id}/check-in`, { lng: null, lat: null, reason: '定位失败' }));
    const open = (await ok(zhang.get(url))).items.find((t: any) => t.taskId === task.id);
    assert.equal(open.proof, 'text');
    const body = { clientId: randomUUID(), targetId: open.targetId, version: open.version };
    const noProof = await zhang.post(url, body);
    assert.equal(noProof.status, 422);
    assert.equal(noProof.body.errors[0].field, 'text');
    const v1 = await ok(zhang.post(url, { ...body, text: '堆头已搭好' }));
    const v2 = await ok(zhang.post(url, { ...body, text: '堆头已搭好' }));
    assert.deepEqual(v2.tasksDone, v1.tasksDone);
    assert.equal(v1.tasksDone.length, 1);
    assert.equal(v1.tasksDone[0].title, '端午堆头');
    assert.equal(
      (
        await rows(sql`select count(*)::int as n from audit_log where action = 'dnw_task_complete'
        and record_id = ${task.id}`)
      )[0].n,
      1,
      'completed once under replay',
    );
    // Another client id for the same target: dealer-network's rules (stale version → 409).
    assert.equal((await zhang.post(url, { ...body, clientId: randomUUID(), text: 'x' })).status, 409);
    assert.equal(
      (await ok(zhang.get(url))).items.some((t: any) => t.taskId === task.id),
      false,
    );
    const byUnit = await ok(hq.get(`/hq-tasks/${task.id}`));
    const done = byUnit.targetUnits.find((t: any) => t.unitId === s1);
    assert.deepEqual([done.status, done.completedByName, done.proofText], ['done', '张伟', '堆头已搭好']);
    // Another branch's rep: 404.
    const wu = await login(env, dir.seed.slug, 'wu.haitao');
    assert.equal((await wu.get(url)).status, 404);
    assert.equal((await wu.post(url, { ...body, clientId: randomUUID(), text: 'x' })).status, 404);
  });

  it('takes an order draft for the store’s dealer once under replay; the dealer submits it', async () => {
    const hq = await login(env, dir.seed.slug, 'wang.jianguo');
    const p = await ok(
      admin.post('/records/product', {
        name: `净水器-${marker()}`,
        code: marker('P'),
        listPrice: { amount: 10000, currency: 'CNY' },
      }),
      201,
    );
    await ok(hq.request('PUT', `/dealers/products/${p.id}`, { onHand: 1000, minOrderQty: 1 }));
    await ok(hq.patch(`/dealers/accounts/${dir.unit('EC-D1')}`, { creditLimit: 10000000 }));
    const id = randomUUID();
    const s1 = dir.unit('EC-D1-S1');
    await ok(zhang.post('/field-sales/visits', { id, storeUnitId: s1, visitType: 'routine' }), 201);
    await ok(zhang.post(`/field-sales/visits/${id}/check-in`, { lng: null, lat: null, reason: '定位失败' }));
    const cat = await ok(zhang.get(`/field-sales/visits/${id}/order-catalogue`));
    assert.equal(cat.dealerUnitId, dir.unit('EC-D1'));
    assert.equal(cat.items.find((i: any) => i.productId === p.id).price, 10000);
    const url = `/field-sales/visits/${id}/order-draft`;
    const body = { clientId: randomUUID(), lines: [{ productId: p.id, quantity: 3 }] };
    const v1 = await ok(zhang.post(url, body));
    const v2 = await ok(zhang.post(url, body));
    assert.equal(v1.orderDrafts.length, 1);
    assert.deepEqual(v2.orderDrafts, v1.orderDrafts);
    const d = v1.orderDrafts[0];
    assert.equal(d.total, 30000);
    assert.match(d.orderNo, /^DO/);
    assert.equal(
      (
        await rows(sql`select count(*)::int as n from dms_orders where dealer_unit_id = ${dir.unit('EC-D1')}
        and note like ${'%外勤%'}`)
      )[0].n,
      1,
      'one draft under replay',
    );
    const unknown = await zhang.post(url, {
      clientId: randomUUID(),
      lines: [{ productId: randomUUID(), quantity: 1 }],
    });
    assert.equal(unknown.status, 422);
    assert.equal(unknown.body.errors[0].field, 'lines.0.productId');
    // The dealer submits the draft in the portal.
    const order = await ok(zhang.get(`/dealers/orders/${d.orderId}`));
    assert.equal(order.status, 'draft');
    const sub = await ok(zhang.post(`/dealers/orders/${d.orderId}/submit`, {}));
    assert.notEqual(sub.status, 'draft');
    // A rep without dealer ordering rights (销售顾问 at the store): 403.
    const sun = await login(env, dir.seed.slug, 'sun.lei');
    const sid = randomUUID();
    await ok(sun.post('/field-sales/visits', { id: sid, storeUnitId: s1, visitType: 'routine' }), 201);
    await ok(sun.post(`/field-sales/visits/${sid}/check-in`, { lng: null, lat: null, reason: '定位失败' }));
    const denied = await sun.post(`/field-sales/visits/${sid}/order-draft`, {
      ...body,
      clientId: randomUUID(),
    });
    assert.equal(denied.status, 403);
    assert.equal((await sun.get(`/field-sales/visits/${sid}/order-catalogue`)).status, 403);
    // Another branch's rep: 404.
    const wu = await login(env, dir.seed.slug, 'wu.haitao');
    assert.equal((await wu.get(`/field-sales/visits/${id}/order-catalogue`)).status, 404);
    assert.equal((await wu.post(url, { ...body, clientId: randomUUID() })).status, 404);
  });
});
