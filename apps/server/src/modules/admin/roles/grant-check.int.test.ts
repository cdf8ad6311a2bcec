import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { marker, type TenantDirectory, tenantDirectory } from '../../../testing/fixtures.ts';
import {
  type Client,
  DEMO_PASSWORD,
  getTestEnv,
  login,
  newTenant,
  type TestEnv,
} from '../../../testing/harness.ts';

/**
 * Delegated administration: a role editor or user manager never hands out, keeps for themselves
 * or takes away more than they hold. Each path is probed by an administrator of narrower rights.
 */
let env: TestEnv;
before(async () => {
  env = await getTestEnv();
});
after(() => env.close());

interface Delegate {
  client: Client;
  userId: string;
  roleId: string;
}

/** A user holding one role made of `grant`, signed in. */
async function delegate(
  admin: Client,
  d: TenantDirectory,
  permissions: string[],
  more: { dataScopes?: Record<string, string>; fieldAccess?: Record<string, Record<string, string>> } = {},
): Promise<Delegate> {
  const role = await admin.post('/admin/roles', { name: marker('role'), permissions, ...more });
  assert.equal(role.status, 201, JSON.stringify(role.body));
  const loginName = marker('u').toLowerCase();
  const user = await admin.post('/admin/users', {
    login: loginName,
    name: loginName,
    unitId: d.unit('EC'),
    roleIds: [role.body.id],
    password: DEMO_PASSWORD,
  });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  return { client: await login(env, d.seed.slug, loginName), userId: user.body.id, roleId: role.body.id };
}

async function setup() {
  const seed = await newTenant(env, 0);
  const d = await tenantDirectory(env, seed);
  const admin = await login(env, seed.slug, 'admin');
  return { seed, d, admin };
}

const refused = (res: { status: number; body: any }, key: RegExp, what: string) => {
  assert.equal(res.status, 403, `${what}: ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.body.code, 'forbidden', what);
  assert.match(res.body.detail, key, what);
};

describe('user managers (admin:users) cannot promote anyone beyond themselves', () => {
  it('refuses to give a user, themselves included, a role granting what they do not hold', async () => {
    const { d, admin } = await setup();
    const manager = await delegate(admin, d, ['admin:users']);
    const sysAdmin = d.role('系统管理员');
    refused(
      await manager.client.patch(`/admin/users/${manager.userId}`, { roleIds: [manager.roleId, sysAdmin] }),
      /不能修改自己的角色/,
      'own roles',
    );
    const target = d.user('sun.lei').id;
    // sun.lei holds sales rights the manager lacks: they may not touch sun.lei at all.
    refused(
      await manager.client.patch(`/admin/users/${target}`, { roleIds: [sysAdmin] }),
      /该用户拥有您没有的权限/,
      'superior target',
    );
    const blank = await manager.client.post('/admin/users', {
      login: marker('b').toLowerCase(),
      name: 'blank',
      unitId: d.unit('EC'),
    });
    assert.equal(blank.status, 201, 'a user without roles grants nothing');
    refused(
      await manager.client.patch(`/admin/users/${blank.body.id}`, { roleIds: [sysAdmin] }),
      /不能授予您自己没有的权限：\*/,
      'assign system admin',
    );
    refused(
      await manager.client.post('/admin/users', {
        login: marker('c').toLowerCase(),
        name: 'c',
        unitId: d.unit('EC'),
        roleIds: [d.role('销售顾问')],
      }),
      /不能授予您自己没有的权限/,
      'create with a wider role',
    );
    manager.client.locale = 'en-US';
    const en = await manager.client.patch(`/admin/users/${blank.body.id}`, { roleIds: [sysAdmin] });
    refused(en, /^You cannot grant what you do not hold yourself: \*$/, 'english');
    const ownEn = await manager.client.patch(`/admin/users/${manager.userId}`, { roleIds: [sysAdmin] });
    refused(ownEn, /^You cannot change your own roles/, 'english own roles');
    // Re-sending one's own unchanged roles (the user form does) is not a change.
    assert.equal(
      (
        await manager.client.patch(`/admin/users/${manager.userId}`, {
          roleIds: [manager.roleId],
          name: 'Me',
        })
      ).status,
      200,
    );
    const me = (await admin.get('/admin/users')).body.items.find((u: any) => u.id === manager.userId);
    assert.deepEqual(me.roleIds, [manager.roleId], 'nothing changed');
  });

  it('refuses to reset the password of, disable or edit a user holding more, and allows it for a user holding less', async () => {
    const { d, admin } = await setup();
    const manager = await delegate(admin, d, ['admin:users', 'customer:read'], {
      dataScopes: { '*': 'unit' },
    });
    const adminId = d.user('admin').id;
    refused(
      await manager.client.post(`/admin/users/${adminId}/reset-password`),
      /该用户拥有您没有的权限（\*）/,
      'reset',
    );
    refused(
      await manager.client.patch(`/admin/users/${adminId}`, { status: 'disabled' }),
      /该用户/,
      'disable',
    );
    refused(await manager.client.patch(`/admin/users/${adminId}`, { name: 'x' }), /该用户/, 'edit');
    assert.equal((await admin.get('/auth/me')).status, 200, 'the tenant admin is untouched and signed in');

    // A role within the manager's rights: same permission, narrower scope, default field access.
    const narrow = await admin.post('/admin/roles', {
      name: marker('narrow'),
      permissions: ['customer:read'],
      dataScopes: { '*': 'own' },
    });
    const created = await manager.client.post('/admin/users', {
      login: marker('n').toLowerCase(),
      name: 'n',
      unitId: d.unit('EC'),
      roleIds: [narrow.body.id],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await manager.client.post(`/admin/users/${created.body.id}/reset-password`)).status, 200);
    assert.equal(
      (await manager.client.patch(`/admin/users/${created.body.id}`, { status: 'disabled' })).status,
      200,
    );

    // The same permission with the phone in full, which the manager sees masked, is more.
    const unmasked = await admin.post('/admin/roles', {
      name: marker('phone'),
      permissions: ['customer:read'],
      dataScopes: { '*': 'own' },
      fieldAccess: { customer: { phone: 'full' } },
    });
    refused(
      await manager.client.patch(`/admin/users/${created.body.id}`, { roleIds: [unmasked.body.id] }),
      /customer\.phone: 明文/,
      'field access',
    );
    const wide = await admin.post('/admin/roles', {
      name: marker('wide'),
      permissions: ['customer:read'],
      dataScopes: { customer: 'tenant' },
    });
    refused(
      await manager.client.patch(`/admin/users/${created.body.id}`, { roleIds: [wide.body.id] }),
      /customer: 全公司/,
      'data scope',
    );
  });
  it('keeps unit-relative scopes inside the manager’s own units: unit_tree given at headquarters is the whole company', async () => {
    const { d, admin } = await setup();
    const manager = await delegate(admin, d, ['admin:users', 'customer:read'], {
      dataScopes: { '*': 'unit_tree' },
    });
    const regional = await admin.post('/admin/roles', {
      name: marker('regional'),
      permissions: ['customer:read'],
      dataScopes: { '*': 'unit_tree' },
    });
    const own = await admin.post('/admin/roles', {
      name: marker('own'),
      permissions: ['customer:read'],
      dataScopes: { '*': 'own' },
    });
    const create = (unit: string, roleId: string) =>
      manager.client.post('/admin/users', {
        login: marker('r').toLowerCase(),
        name: 'r',
        unitId: d.unit(unit),
        roleIds: [roleId],
      });
    const below = await create('EC-D1', regional.body.id);
    assert.equal(below.status, 201, JSON.stringify(below.body));
    refused(await create('SC', regional.body.id), /所在部门不在您的管辖范围内/, 'another region');
    refused(await create('HQ', regional.body.id), /所在部门不在您的管辖范围内/, 'headquarters');
    refused(
      await manager.client.patch(`/admin/users/${below.body.id}`, { unitId: d.unit('HQ') }),
      /所在部门不在您的管辖范围内/,
      'moving a user up to headquarters',
    );
    assert.equal((await create('HQ', own.body.id)).status, 201, 'own-records scope is the same anywhere');
  });
});

describe('role editors (admin:roles) cannot grant beyond themselves', () => {
  it('refuses to widen a role they hold, to create or widen a role beyond their rights, and to edit a wider role', async () => {
    const { d, admin } = await setup();
    const editor = await delegate(admin, d, ['admin:roles', 'customer:read'], {
      dataScopes: { '*': 'unit' },
      fieldAccess: { customer: { email: 'hidden' } },
    });
    refused(
      await editor.client.patch(`/admin/roles/${editor.roleId}`, { permissions: ['*'] }),
      /不能修改自己的角色，也不能修改自己持有的角色/,
      'own role',
    );
    const base = {
      name: marker('r'),
      dataScopes: { '*': 'own' },
      fieldAccess: { customer: { email: 'hidden' } },
    };
    for (const [body, detail] of [
      [{ ...base, permissions: ['*'] }, /：\*$/],
      [{ ...base, permissions: ['admin:users'] }, /admin:users/],
      [{ ...base, permissions: ['customer:*'] }, /customer:\*/],
      [{ ...base, permissions: ['*:read'] }, /\*:read/],
      [{ ...base, permissions: ['customer:read'], dataScopes: { '*': 'tenant' } }, /所有对象: 全公司/],
      [{ ...base, permissions: ['customer:read'], fieldAccess: {} }, /customer\.email: 脱敏/],
    ] as const)
      refused(await editor.client.post('/admin/roles', body), detail, JSON.stringify(body));
    const mine = await editor.client.post('/admin/roles', {
      ...base,
      permissions: ['admin:roles', 'customer:read'],
    });
    assert.equal(mine.status, 201, JSON.stringify(mine.body));
    refused(
      await editor.client.patch(`/admin/roles/${mine.body.id}`, { permissions: ['*'] }),
      /不能授予您自己没有的权限：\*/,
      'widen a role they do not hold',
    );
    refused(
      await editor.client.patch(`/admin/roles/${mine.body.id}`, { dataScopes: { customer: 'unit_tree' } }),
      /customer: 本部门及下级/,
      'widen a scope',
    );
    assert.equal(
      (
        await editor.client.patch(`/admin/roles/${mine.body.id}`, {
          description: 'ok',
          dataScopes: { '*': 'unit' },
        })
      ).status,
      200,
    );
    refused(
      await editor.client.patch(`/admin/roles/${d.role('系统管理员')}`, { description: 'mine now' }),
      /该角色包含您没有的权限/,
      'edit the system admin role',
    );
    const sys = (await admin.get('/admin/roles')).body.items.find((r: any) => r.id === d.role('系统管理员'));
    assert.deepEqual(sys.permissions, ['*']);
    const own = (await admin.get('/admin/roles')).body.items.find((r: any) => r.id === editor.roleId);
    assert.deepEqual(own.permissions, ['admin:roles', 'customer:read'], 'the editor’s own role is unchanged');
  });

  it('lets the holder of * grant anything', async () => {
    const { admin } = await setup();
    const r = await admin.post('/admin/roles', {
      name: marker('all'),
      permissions: ['*'],
      dataScopes: { '*': 'tenant' },
    });
    assert.equal(r.status, 201);
  });
});
