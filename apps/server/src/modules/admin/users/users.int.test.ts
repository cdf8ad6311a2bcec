import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { marker } from '../../../testing/fixtures.ts';
import { getTestEnv, login, newTenantWithAdmin, type TestEnv } from '../../../testing/harness.ts';

describe('user administration', () => {
  let env: TestEnv;
  before(async () => {
    env = await getTestEnv();
  });
  after(() => env.close());

  it('creates a user with a one-time password, changes unit and roles, resets the password and disables', async () => {
    const { admin, seed } = await newTenantWithAdmin(env, 0);
    const units = (await admin.get('/admin/units')).body.items;
    const roles = (await admin.get('/admin/roles')).body.items;
    const catalogue = (await admin.get('/admin/permissions')).body;
    assert.ok(catalogue.admin.includes('admin:users'));
    assert.ok(catalogue.objects.some((o: { apiName: string }) => o.apiName === 'customer'));
    const consultant = roles.find((r: { name: string }) => r.name === '销售顾问');
    const login1 = marker('u.').toLowerCase();
    const created = await admin.post('/admin/users', {
      login: login1,
      name: '新同事',
      unitId: units[1].id,
      roleIds: [consultant.id, consultant.id],
      email: 'new@example.com',
    });
    assert.equal(created.status, 201);
    assert.equal(typeof created.body.password, 'string');
    assert.deepEqual(created.body.roleIds, [consultant.id]);
    assert.equal(created.body.locale, 'zh-CN');
    assert.equal(created.body.unitName, units[1].name);
    const again = await admin.post('/admin/users', {
      login: login1.toUpperCase(),
      name: 'x',
      unitId: units[1].id,
    });
    assert.equal(again.status, 409, 'logins are unique regardless of case');

    const user = await login(env, seed.slug, login1, created.body.password);
    assert.equal((await user.get('/auth/me')).status, 200);

    const patched = await admin.patch(`/admin/users/${created.body.id}`, {
      unitId: units[0].id,
      roleIds: [],
      phone: '13800000000',
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.unitId, units[0].id);
    assert.deepEqual(patched.body.roleIds, []);
    assert.equal(patched.body.email, 'new@example.com', 'fields not named stay');
    assert.equal(patched.body.name, '新同事');
    assert.equal(patched.body.version, created.body.version + 1);

    const reset = await admin.post(`/admin/users/${created.body.id}/reset-password`);
    assert.equal(reset.status, 200);
    assert.notEqual(reset.body.password, created.body.password);
    assert.equal((await user.get('/auth/me')).status, 401, 'a reset ends the sessions');
    const again2 = await login(env, seed.slug, login1, reset.body.password);
    assert.equal((await admin.patch(`/admin/users/${created.body.id}`, { status: 'disabled' })).status, 200);
    assert.equal((await again2.get('/auth/me')).status, 401, 'disabling ends the sessions');
    const listed = (await admin.get('/admin/users')).body.items.find(
      (u: { id: string }) => u.id === created.body.id,
    );
    assert.equal(listed.status, 'disabled');
  });

  it('refuses unknown units and roles as field errors', async () => {
    const { admin } = await newTenantWithAdmin(env, 0);
    const units = (await admin.get('/admin/units')).body.items;
    const res = await admin.post('/admin/users', {
      login: marker('u.').toLowerCase(),
      name: 'x',
      unitId: units[0].id,
      roleIds: ['00000000-0000-4000-8000-000000000000'],
    });
    assert.equal(res.status, 422);
    assert.equal(res.body.errors[0].field, 'roleIds');
  });
});
