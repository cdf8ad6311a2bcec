import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drainBackground, login, newTenantWithAdmin, useTestEnv } from '../../testing/harness.ts';

const env = useTestEnv();

describe('a record’s tags and a record segment’s members, as the viewer sees them (R2.2)', () => {
  it('lists the tags and segments of a vehicle, names segment members, and hides what the viewer may not read', async () => {
    const { seed, admin } = await newTenantWithAdmin(env, 2);
    const label = (zh: string) => ({ 'zh-CN': zh, 'en-US': zh });
    assert.equal(
      (
        await admin.post('/meta/objects', {
          apiName: 'vehicle',
          label: label('车辆'),
          pluralLabel: label('车辆'),
        })
      ).status,
      201,
    );
    assert.equal(
      (
        await admin.post('/meta/objects/vehicle/fields', {
          apiName: 'km',
          type: 'number',
          label: label('保养后里程'),
        })
      ).status,
      201,
    );
    const made = await admin.post('/records/vehicle/bulk', {
      op: 'create',
      records: [
        { name: '沪A·D12345', c_km: 8000 },
        { name: '沪B·66666', c_km: 1200 },
      ],
    });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const list = (await admin.get('/records/vehicle?limit=10')).body.items as { id: string; name: string }[];
    const far = list.find((v) => v.name === '沪A·D12345')!.id;
    const near = list.find((v) => v.name === '沪B·66666')!.id;
    const rule = await admin.post('/cdp/tags', {
      key: 'service_due',
      name: '该保养了',
      kind: 'attribute',
      object: 'vehicle',
      rule: { trait: 'c_km', op: 'gte', value: 5000 },
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    const manual = await admin.post('/cdp/tags', {
      key: 'vip_car',
      name: '贵宾车',
      kind: 'manual',
      object: 'vehicle',
    });
    assert.equal(manual.status, 201);
    assert.equal(
      (await admin.request('PUT', `/cdp/tags/${manual.body.id}/subjects/${far}`, { on: true })).status,
      204,
    );
    const seg = await admin.post('/cdp/segments', {
      name: '待保养车辆',
      object: 'vehicle',
      rule: { tag: 'service_due' },
    });
    assert.equal(seg.status, 201);
    await drainBackground(env, seed.tenantId);

    const tags = await admin.get(`/cdp/subjects/vehicle/${far}/tags`);
    assert.equal(tags.status, 200, JSON.stringify(tags.body));
    assert.deepEqual(
      tags.body.tags
        .map((t: { key: string; reason: string; setByName: string | null }) => [t.key, t.reason])
        .sort(),
      [
        ['service_due', 'rule:attribute'],
        ['vip_car', 'manual'],
      ],
    );
    assert.equal(tags.body.tags.find((t: { key: string }) => t.key === 'vip_car').setByName, '系统管理员');
    assert.deepEqual(
      tags.body.segments.map((s: { name: string }) => s.name),
      ['待保养车辆'],
    );
    const none = await admin.get(`/cdp/subjects/vehicle/${near}/tags`);
    assert.deepEqual([none.body.tags, none.body.segments], [[], []]);

    // The live count in the builder is out of the object's records, not out of profiles.
    const live = await admin.post('/cdp/segments/preview', {
      name: 'p',
      object: 'vehicle',
      rule: { trait: 'c_km', op: 'gte', value: 1000 },
    });
    assert.deepEqual(live.body, { count: 2, total: 2 });
    const members = await admin.get(`/cdp/segments/${seg.body.id}/members`);
    assert.deepEqual(
      members.body.items.map((m: { id: string; name: string; visible: boolean }) => [
        m.id,
        m.name,
        m.visible,
      ]),
      [[far, '沪A·D12345', true]],
    );

    // Unknown record, unknown object: 404 (a record id reveals nothing).
    assert.equal((await admin.get(`/cdp/subjects/vehicle/${seg.body.id}/tags`)).status, 404);
    assert.equal((await admin.get(`/cdp/subjects/nothing/${far}/tags`)).status, 404);
    // The analyst reads everything: same answer. A salesperson has no cdp:read: 403.
    const analyst = await login(env, seed.slug, 'li.siyuan');
    assert.equal((await analyst.get(`/cdp/subjects/vehicle/${far}/tags`)).body.tags.length, 2);
    const sales = await login(env, seed.slug, 'sun.lei');
    assert.equal((await sales.get(`/cdp/subjects/vehicle/${far}/tags`)).status, 403);
    // Given cdp:read, a salesperson (own records only) sees his customer's tags; another's is 404,
    // and in a customer segment it is listed without its name.
    const mine = await sales.post('/records/customer', { name: '孙磊的客户', kind: 'company' });
    const theirs = await admin.post('/records/customer', { name: '别人的客户', kind: 'company' });
    assert.equal(mine.status, 201, JSON.stringify(mine.body));
    const vip = await admin.post('/cdp/tags', {
      key: 'vip_cust',
      name: '重要',
      kind: 'manual',
      object: 'customer',
    });
    for (const c of [mine.body.id, theirs.body.id])
      assert.equal(
        (await admin.request('PUT', `/cdp/tags/${vip.body.id}/subjects/${c}`, { on: true })).status,
        204,
      );
    const custSeg = await admin.post('/cdp/segments', {
      name: '重要客户',
      object: 'customer',
      rule: { tag: 'vip_cust' },
    });
    await drainBackground(env, seed.tenantId);
    const roles = (await admin.get('/admin/roles')).body.items;
    const role = roles.find((r: { name: string }) => r.name === '销售顾问');
    assert.equal(
      (await admin.patch(`/admin/roles/${role.id}`, { permissions: [...role.permissions, 'cdp:read'] }))
        .status,
      200,
    );
    const sales2 = await login(env, seed.slug, 'sun.lei');
    const own = await sales2.get(`/cdp/subjects/customer/${mine.body.id}/tags`);
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.deepEqual(
      own.body.tags.map((t: { key: string }) => t.key),
      ['vip_cust'],
    );
    assert.equal((await sales2.get(`/cdp/subjects/customer/${theirs.body.id}/tags`)).status, 404);
    // Members are the reader's scope: a colleague's customer is not listed at all (rule-access.ts).
    const seen = await sales2.get(`/cdp/segments/${custSeg.body.id}/members`);
    assert.deepEqual(
      seen.body.items.map((x: { id: string; name: string | null; visible: boolean }) => [
        x.id,
        x.name,
        x.visible,
      ]),
      [[mine.body.id, '孙磊的客户', true]],
    );
    // A manager with cdp:read but no read on vehicles: the record is as unknown, and so are its members.
    const manager = await login(env, seed.slug, 'wang.jianguo');
    assert.ok(
      !(await manager.get('/meta/objects')).body.items.some(
        (o: { apiName: string }) => o.apiName === 'vehicle',
      ),
    );
    assert.equal((await manager.get(`/cdp/subjects/vehicle/${far}/tags`)).status, 404);
    const m = await manager.get(`/cdp/segments/${seg.body.id}/members`);
    assert.deepEqual(m.body.items, []);
  });
});
