import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getTestEnv, login, loginAsRole, newTenant, type TestEnv } from '../../testing/harness.ts';

describe('user directory (people picker)', () => {
  let env: TestEnv;
  before(async () => {
    env = await getTestEnv();
  });
  after(() => env.close());

  it('shows a dealer manager the colleagues of their own dealer subtree only, without contact data', async () => {
    const seed = await newTenant(env, 0);
    const manager = await loginAsRole(env, seed, '经销商店长');
    const res = await manager.get('/users?limit=100');
    assert.equal(res.status, 200);
    const names = res.body.items.map((u: { name: string }) => u.name);
    const me = seed.users.find((u) => u.role === '经销商店长')!;
    assert.ok(names.includes(me.name));
    assert.ok(!names.includes('系统管理员'), 'HQ staff are outside a dealer subtree');
    assert.ok(res.body.items.length < seed.users.length);
    for (const u of res.body.items)
      assert.deepEqual(Object.keys(u).sort(), ['id', 'login', 'name', 'unitId', 'unitName']);
  });

  it('finds anyone in the tenant by name for a tenant-wide role, and nobody from another tenant', async () => {
    const a = await newTenant(env, 0);
    const b = await newTenant(env, 0);
    const admin = await login(env, a.slug, 'admin');
    const target = a.users.find((u) => u.role === '销售顾问')!;
    const res = await admin.get(`/users?q=${encodeURIComponent(target.name)}`);
    assert.equal(res.status, 200);
    assert.ok(res.body.items.some((u: { login: string }) => u.login === target.login));
    const all = await admin.get('/users?limit=100');
    assert.equal(all.body.items.length, a.users.length);
    const other = await login(env, b.slug, 'admin');
    const ids = all.body.items.map((u: { id: string }) => u.id).join(',');
    assert.equal((await other.get(`/users?ids=${ids}`)).body.items.length, 0);
  });
});
