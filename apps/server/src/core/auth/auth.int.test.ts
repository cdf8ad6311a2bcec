import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { marker, tenantDirectory } from '../../testing/fixtures.ts';
import { Client, DEMO_PASSWORD, getTestEnv, login, newTenant, type TestEnv } from '../../testing/harness.ts';
import { inTenant } from '../db/tenant-scope.ts';
import { sha256 } from './tokens.ts';

let env: TestEnv;
before(async () => {
  env = await getTestEnv();
});
after(() => env.close());

const rawLogin = (body: unknown, lang = 'zh-CN') =>
  fetch(`${env.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept-language': lang },
    body: JSON.stringify(body),
  });

const keyClient = (key: string) => {
  const c = new Client(env.baseUrl);
  c.bearer = key;
  return c;
};

describe('sign-in and sessions', () => {
  it('signs in with a password, setting an httpOnly SameSite=Lax session cookie and returning a CSRF token', async () => {
    const seed = await newTenant(env, 0);
    const res = await rawLogin({ tenant: seed.slug, login: 'zhang.wei', password: DEMO_PASSWORD });
    assert.equal(res.status, 200);
    const cookie = res.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^kehu_session=/);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    const body = (await res.json()) as any;
    assert.ok(body.csrfToken);
    const c = await login(env, seed.slug, 'ZHANG.WEI');
    const me = await c.get('/auth/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.user.login, 'zhang.wei');
    assert.equal(me.body.tenant.slug, seed.slug);
    assert.ok(me.body.permissions.includes('customer:*'));
  });

  it('rejects a wrong password, an unknown login and an unknown tenant alike, with a localized message', async () => {
    const seed = await newTenant(env, 0);
    const attempts = [
      { tenant: seed.slug, login: 'zhang.wei', password: 'wrong-password-1' },
      { tenant: seed.slug, login: 'nobody', password: DEMO_PASSWORD },
      { tenant: `${seed.slug}x`, login: 'zhang.wei', password: DEMO_PASSWORD },
    ];
    for (const a of attempts) {
      const zh = await rawLogin(a);
      assert.equal(zh.status, 401);
      assert.equal(zh.headers.get('set-cookie'), null);
      const body = (await zh.json()) as any;
      assert.equal(body.code, 'unauthenticated');
      assert.equal(body.detail, '企业代码、账号或密码不正确');
    }
    const en = (await (await rawLogin(attempts[1], 'en-US')).json()) as any;
    assert.equal(en.detail, 'Company code, login or password is incorrect');
  });

  it('requires the CSRF token on every mutation made with the session cookie', async () => {
    const seed = await newTenant(env, 0);
    const c = await login(env, seed.slug, 'admin');
    const noToken = new Client(env.baseUrl);
    noToken.cookie = c.cookie;
    const name = marker('csrf');
    for (const [method, path] of [
      ['POST', '/records/customer'],
      ['PATCH', '/auth/me'],
      ['POST', '/auth/logout'],
    ]) {
      const res = await noToken.request(method!, path!, method === 'PATCH' ? { locale: 'en-US' } : { name });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal(res.body.detail, '页面已过期，请刷新后重试（CSRF 校验失败）');
    }
    const forged = await noToken.request(
      'POST',
      '/records/customer',
      { name },
      { 'x-csrf-token': `${c.csrf}x` },
    );
    assert.equal(forged.status, 403);
    assert.equal((await noToken.get('/records/customer?limit=1')).status, 200, 'reads need no token');
    assert.equal((await c.post('/records/customer', { name })).status, 201);
    assert.equal(
      (await c.get(`/records/customer?q=${name}&count=true`)).body.total,
      1,
      'only the request with the token wrote',
    );
  });

  it('ends the session on logout', async () => {
    const seed = await newTenant(env, 0);
    const c = await login(env, seed.slug, 'zhang.wei');
    const other = await login(env, seed.slug, 'zhang.wei');
    assert.equal((await c.post('/auth/logout')).status, 204);
    assert.equal((await c.get('/auth/me')).status, 401);
    assert.equal((await c.post('/records/customer', { name: 'x' })).status, 401);
    assert.equal((await other.get('/auth/me')).status, 200, 'other sessions of the user live on');
  });

  it('stops a disabled user on the very next request and refuses their sign-in', async () => {
    const seed = await newTenant(env, 0);
    const d = await tenantDirectory(env, seed);
    const admin = await login(env, seed.slug, 'admin');
    const user = await login(env, seed.slug, 'sun.lei');
    assert.equal((await user.get('/records/customer')).status, 200);
    assert.equal(
      (await admin.patch(`/admin/users/${d.user('sun.lei').id}`, { status: 'disabled' })).status,
      200,
    );
    assert.equal((await user.get('/records/customer')).status, 401);
    const res = await rawLogin({ tenant: seed.slug, login: 'sun.lei', password: DEMO_PASSWORD });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as any).detail, '账号已停用，请联系管理员');
  });

  it('applies a role change to its holders on their next request', async () => {
    const seed = await newTenant(env, 5);
    const d = await tenantDirectory(env, seed);
    const admin = await login(env, seed.slug, 'admin');
    const cs = await login(env, seed.slug, 'zhou.xiaoyan');
    assert.equal((await cs.post('/records/customer', { name: marker('cs') })).status, 403);
    const before = await cs.get('/records/customer?limit=1&count=true');
    const role = (await admin.get('/admin/roles')).body.items.find((r: any) => r.name === '客服专员');
    const patched = await admin.patch(`/admin/roles/${role.id}`, {
      permissions: [...role.permissions, 'customer:create'],
    });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body.dataScopes, role.dataScopes, 'a partial PATCH keeps the data scopes');
    assert.deepEqual(patched.body.fieldAccess, role.fieldAccess, 'and the field access');
    assert.equal(
      (await cs.post('/records/customer', { name: marker('cs'), unitId: d.unit('EC') })).status,
      201,
    );
    assert.equal((await cs.get('/records/customer?limit=1&count=true')).body.total, before.body.total + 1);
    // Narrowing the data scope is just as immediate.
    await admin.patch(`/admin/roles/${role.id}`, { dataScopes: { '*': 'own' } });
    const own = await cs.get('/records/customer?count=true');
    assert.equal(own.body.total, 1, 'only the record they own');
    await admin.patch(`/admin/roles/${role.id}`, { permissions: role.permissions });
    assert.equal((await cs.post('/records/customer', { name: marker('cs') })).status, 403);
  });
});

describe('API keys', () => {
  it('shows the key once, stores only its hash, and records last use', async () => {
    const seed = await newTenant(env, 3);
    const admin = await login(env, seed.slug, 'admin');
    const created = await admin.post('/admin/api-keys', { name: 'ERP 同步', scopes: ['customer:read'] });
    assert.equal(created.status, 201);
    const key: string = created.body.key;
    assert.match(key, /^kh_[0-9a-f]{32}_[A-Za-z0-9_-]{20,}$/);
    const secret = key.split('_').slice(2).join('_');
    const listed = await admin.get('/admin/api-keys');
    assert.ok(!JSON.stringify(listed.body).includes(secret), 'the list never shows the key');
    const item = listed.body.items.find((k: any) => k.id === created.body.id);
    assert.equal(item.prefix, key.slice(0, 12));
    assert.equal(item.lastUsedAt, null);
    const row = await inTenant(
      env.database.db,
      seed.tenantId,
      async (tx) =>
        (
          await sql<any>`select * from api_keys where tenant_id = ${seed.tenantId} and id = ${created.body.id}`.execute(
            tx,
          )
        ).rows[0],
    );
    const stored = JSON.stringify(row);
    assert.ok(!stored.includes(secret), 'no column holds the secret');
    assert.ok(!stored.includes(key));
    assert.equal(row.key_hash, sha256(secret));
    assert.equal((await keyClient(key).get('/records/customer')).status, 200);
    const after = (await admin.get('/admin/api-keys')).body.items.find((k: any) => k.id === created.body.id);
    assert.ok(after.lastUsedAt, 'last_used_at is set');
  });

  it('narrows permissions to its scopes, needs no CSRF token, and stops working once revoked', async () => {
    const seed = await newTenant(env, 3);
    const admin = await login(env, seed.slug, 'admin');
    const readOnly = (await admin.post('/admin/api-keys', { name: 'ro', scopes: ['customer:read'] })).body;
    const ro = keyClient(readOnly.key);
    assert.equal((await ro.get('/records/customer')).status, 200);
    const denied = await ro.post('/records/customer', { name: 'x' });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.detail, 'API 密钥未授权此操作（需要 customer:create）');
    assert.equal((await ro.get('/records/contact')).status, 403);
    assert.equal(
      (await ro.get('/admin/users')).status,
      403,
      'the admin user behind the key does not lend it admin rights',
    );
    const writer = keyClient(
      (await admin.post('/admin/api-keys', { name: 'rw', scopes: ['customer:*'] })).body.key,
    );
    assert.equal(
      (await writer.post('/records/customer', { name: marker('key') })).status,
      201,
      'no CSRF token needed with a key',
    );
    assert.equal((await admin.del(`/admin/api-keys/${readOnly.id}`)).status, 204);
    const revoked = await ro.get('/records/customer');
    assert.equal(revoked.status, 401);
    assert.equal(revoked.body.code, 'unauthenticated');
    // The key acts as its user: disabling the user stops the key.
    const d = await tenantDirectory(env, seed);
    const other = await newTenant(env, 0);
    const otherAdmin = await login(env, other.slug, 'admin');
    const foreignKey = keyClient(
      (await otherAdmin.post('/admin/api-keys', { name: 'b', scopes: ['*'] })).body.key,
    );
    assert.ok(
      !JSON.stringify((await foreignKey.get('/records/customer?limit=200')).body).includes(
        d.user('admin').id,
      ),
      "a key sees only its tenant's data",
    );
  });

  it('cannot mint a key broader than its own scopes', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const minter = keyClient(
      (await admin.post('/admin/api-keys', { name: 'minter', scopes: ['admin:apikeys'] })).body.key,
    );
    const wide = await minter.post('/admin/api-keys', { name: 'escalate', scopes: ['*'] });
    assert.equal(
      wide.status,
      403,
      `a key limited to admin:apikeys must not create a '*' key: ${JSON.stringify(wide.body)}`,
    );
    const narrow = await minter.post('/admin/api-keys', { name: 'same', scopes: ['admin:apikeys'] });
    assert.equal(narrow.status, 201);
  });

  it('rate-limits a key at 600 requests a minute with 429 and Retry-After', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const c = keyClient((await admin.post('/admin/api-keys', { name: 'busy', scopes: ['*'] })).body.key);
    const statuses: number[] = [];
    let limited: { status: number; headers: Headers; body: any } | null = null;
    for (let batch = 0; batch < 13 && !limited; batch++) {
      const results = await Promise.all(Array.from({ length: 50 }, () => c.get('/meta/regions')));
      for (const r of results) {
        statuses.push(r.status);
        if (r.status === 429 && !limited) limited = r;
      }
    }
    assert.ok(limited, 'a 429 arrives');
    assert.equal(statuses.filter((s) => s === 200).length, 600, 'exactly 600 requests pass in the window');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal(limited.body.code, 'rate_limited');
    // A session user is not limited by the key's budget.
    assert.equal((await admin.get('/meta/regions')).status, 200);
  });
});
