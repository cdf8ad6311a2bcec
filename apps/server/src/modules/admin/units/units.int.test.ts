import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getTestEnv, newTenantWithAdmin, type TestEnv } from '../../../testing/harness.ts';

describe('org units', () => {
  let env: TestEnv;
  before(async () => {
    env = await getTestEnv();
  });
  after(() => env.close());

  it('creates units under a parent, moves a subtree with its descendants, and deletes only empty units', async () => {
    const { admin } = await newTenantWithAdmin(env, 0);
    const units = (await admin.get('/admin/units')).body.items;
    const root = units.find((u: { depth: number }) => u.depth === 0);
    assert.ok(root);
    assert.equal(
      (await admin.post('/admin/units', { name: '第二总部', type: 'hq' })).status,
      422,
      'one root only',
    );

    const north = (await admin.post('/admin/units', { name: '华北区', type: 'region', parentId: root.id }))
      .body;
    const south = (await admin.post('/admin/units', { name: '华南区', type: 'region', parentId: root.id }))
      .body;
    const store = (
      await admin.post('/admin/units', { name: '北京店', type: 'store', parentId: north.id, code: 'BJ-1' })
    ).body;
    assert.equal(store.path, `${root.path}${north.id}/${store.id}/`);
    assert.equal(store.depth, 2);

    const refused = await admin.patch(`/admin/units/${north.id}`, { parentId: store.id });
    assert.equal(refused.status, 422, 'a unit cannot move under its own descendant');

    const moved = await admin.patch(`/admin/units/${north.id}`, { parentId: south.id, name: '北方区' });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.name, '北方区');
    assert.equal(moved.body.code, null);
    assert.equal(moved.body.version, 2);
    assert.equal(moved.body.path, `${south.path}${north.id}/`);
    const after = (await admin.get('/admin/units')).body.items;
    const storeNow = after.find((u: { id: string }) => u.id === store.id);
    assert.equal(storeNow.path, `${south.path}${north.id}/${store.id}/`, 'descendants move along');
    assert.equal(storeNow.depth, 3);
    assert.equal(storeNow.code, 'BJ-1');

    assert.equal((await admin.del(`/admin/units/${north.id}`)).status, 409, 'it still has a store');
    assert.equal((await admin.del(`/admin/units/${root.id}`)).status, 409, 'the root stays');
    assert.equal((await admin.del(`/admin/units/${store.id}`)).status, 204);
    assert.equal((await admin.del(`/admin/units/${store.id}`)).status, 404);
    assert.ok(!(await admin.get('/admin/units')).body.items.some((u: { id: string }) => u.id === store.id));
  });

  it('counts the users of each unit', async () => {
    const { admin, seed } = await newTenantWithAdmin(env, 0);
    const units = (await admin.get('/admin/units')).body.items;
    const total = units.reduce((n: number, u: { userCount: number }) => n + u.userCount, 0);
    assert.equal(total, seed.users.length);
  });
});
