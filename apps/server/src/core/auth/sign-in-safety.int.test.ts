import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { createApp } from '../../app.ts';
import { marker, tenantDirectory } from '../../testing/fixtures.ts';
import {
  Client,
  DEMO_PASSWORD,
  getTestEnv,
  login,
  newTenant,
  type TestEnv,
  testDatabaseUrl,
} from '../../testing/harness.ts';
import { loadConfig } from '../config.ts';
import { inTenant } from '../db/tenant-scope.ts';
import { passwordCheckBuckets, signInKey } from './login-throttle.ts';

/**
 * Sign-in and password safety: back-off instead of lockout (no denial of service, no oracle),
 * proxies believed only when configured, a password change that ends the other sessions, and
 * a throttled current-password check.
 */
let env: TestEnv;
before(async () => {
  env = await getTestEnv();
});
after(() => env.close());

const signIn = (baseUrl: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept-language': 'zh-CN', ...headers },
    body: JSON.stringify(body),
  });

interface Attempt {
  status: number;
  detail: string;
  retryAfter: number;
}

/**
 * Wrong passwords until the first 429 (or `max` tries). Each failure that gets through doubles
 * the wait, so the 429 comes within a few tries however slow the machine is.
 */
async function failUntilThrottled(send: (i: number) => Promise<Response>, max = 12): Promise<Attempt[]> {
  const attempts: Attempt[] = [];
  for (let i = 0; i < max; i++) {
    const res = await send(i);
    const body = (await res.json()) as any;
    attempts.push({
      status: res.status,
      detail: body.detail,
      retryAfter: Number(res.headers.get('retry-after') ?? 0),
    });
    if (res.status === 429) {
      assert.equal(res.headers.get('content-type')?.split(';')[0], 'application/problem+json');
      assert.equal(body.code, 'rate_limited');
      break;
    }
  }
  return attempts;
}

function assertBackOff(attempts: Attempt[], what: string, firstStatus = 401) {
  const first429 = attempts.findIndex((a) => a.status === 429);
  assert.ok(first429 >= 5, `${what}: five free tries before any wait (${attempts.map((a) => a.status)})`);
  assert.ok(
    attempts.slice(0, first429).every((a) => a.status === firstStatus),
    `${what}: ${attempts.map((a) => a.status)}`,
  );
  const limited = attempts[first429]!;
  assert.ok(
    limited.retryAfter >= 1 && limited.retryAfter <= 15 * 60,
    `${what}: Retry-After ${limited.retryAfter}`,
  );
  assert.match(limited.detail, /^请求过于频繁，请 \d+ 秒后再试$/);
}

/** A back-off of ten more minutes on `key` (account-wide), as after many failures. */
const inForce = (key: string) =>
  sql`insert into login_throttle (account_key, ip, failures, blocked_until, last_failure_at)
    values (${key}, '', 30, now() + interval '10 minutes', now())
    on conflict (account_key, ip) do update set blocked_until = excluded.blocked_until`.execute(
    env.database.db,
  );

describe('sign-in back-off', () => {
  it('slows wrong passwords per account and address, answering a known and an unknown login alike, never with a lock', async () => {
    const seed = await newTenant(env, 0);
    const known = await failUntilThrottled(() =>
      signIn(env.baseUrl, { tenant: seed.slug, login: 'sun.lei', password: 'wrong-password-1' }),
    );
    // One made-up login and one made-up company code, tried again and again.
    const nobody = marker('nobody');
    const unknown = await failUntilThrottled(() =>
      signIn(env.baseUrl, { tenant: seed.slug, login: nobody, password: 'wrong-password-1' }),
    );
    const noSuchTenant = marker('t').toLowerCase();
    const noTenant = await failUntilThrottled(() =>
      signIn(env.baseUrl, {
        tenant: noSuchTenant,
        login: 'sun.lei',
        password: 'wrong-password-1',
      }),
    );
    for (const [what, attempts] of [
      ['known login', known],
      ['unknown login', unknown],
      ['unknown tenant', noTenant],
    ] as const) {
      assertBackOff(attempts, what);
      for (const a of attempts.filter((x) => x.status === 401))
        assert.equal(a.detail, '企业代码、账号或密码不正确', `${what}: the same answer, no lock message`);
    }
    // Colleagues sign in as usual: nobody can lock others out.
    assert.equal(
      (await signIn(env.baseUrl, { tenant: seed.slug, login: 'zhao.jing', password: DEMO_PASSWORD })).status,
      200,
    );
    const d = await tenantDirectory(env, seed);
    const failed = await inTenant(
      env.database.db,
      seed.tenantId,
      async (tx) =>
        (
          await sql<{ n: number }>`select count(*)::int n from audit_log where tenant_id = ${seed.tenantId}
            and action = 'login_failed' and actor_id = ${d.user('sun.lei').id}`.execute(tx)
        ).rows[0]!.n,
    );
    assert.ok(failed >= 5, 'failed sign-ins are audited');
  });

  it('lets an administrator end a user’s back-off, audited; others may not', async () => {
    const seed = await newTenant(env, 0);
    const d = await tenantDirectory(env, seed);
    const admin = await login(env, seed.slug, 'admin');
    const salesperson = await login(env, seed.slug, 'zhao.jing');
    // A back-off well under way (as after dozens of wrong passwords from everywhere).
    await inForce(signInKey(seed.slug, 'sun.lei'));
    const during = await signIn(env.baseUrl, {
      tenant: seed.slug,
      login: 'sun.lei',
      password: DEMO_PASSWORD,
    });
    assert.equal(during.status, 429, 'while it is in force not even the right password is tried');
    assert.ok(Number(during.headers.get('retry-after')) > 500);
    const id = d.user('sun.lei').id;
    const listed = (await admin.get('/admin/users')).body.items.find((u: any) => u.id === id);
    assert.ok(listed.lockedUntil, 'the user list shows the back-off');
    assert.equal((await salesperson.post(`/admin/users/${id}/unlock`)).status, 403);
    assert.equal((await admin.post(`/admin/users/${id}/unlock`)).status, 204);
    assert.equal(
      (await admin.get('/admin/users')).body.items.find((u: any) => u.id === id).lockedUntil,
      null,
    );
    assert.equal(
      (await signIn(env.baseUrl, { tenant: seed.slug, login: 'sun.lei', password: DEMO_PASSWORD })).status,
      200,
    );
    const audited = await inTenant(
      env.database.db,
      seed.tenantId,
      async (tx) =>
        (
          await sql<{ n: number }>`select count(*)::int n from audit_log where tenant_id = ${seed.tenantId}
            and action = 'sign_in_unlock' and record_id = ${id} and actor_id = ${d.user('admin').id}`.execute(
            tx,
          )
        ).rows[0]!.n,
    );
    assert.equal(audited, 1);
  });
});

describe('client addresses and proxies', () => {
  let proxied: FastifyInstance | null = null;
  after(async () => {
    await proxied?.close();
  });

  const sessionIp = async (tenantId: string, userId: string) =>
    inTenant(env.database.db, tenantId, async (tx) =>
      (
        await sql<{
          ip: string;
        }>`select ip from sessions where tenant_id = ${tenantId} and user_id = ${userId}
          order by created_at desc limit 1`.execute(tx)
      ).rows.map((r) => r.ip),
    );

  it('ignores X-Forwarded-For unless the peer is a configured proxy: no escaping the back-off, no spoofed address stored', async () => {
    const seed = await newTenant(env, 0);
    const d = await tenantDirectory(env, seed);
    const attempts = await failUntilThrottled((i) =>
      signIn(
        env.baseUrl,
        { tenant: seed.slug, login: 'sun.lei', password: 'wrong-password-1' },
        { 'x-forwarded-for': `198.51.100.${i + 1}` },
      ),
    );
    assertBackOff(attempts, 'a new X-Forwarded-For on every try');

    const ok = await signIn(
      env.baseUrl,
      { tenant: seed.slug, login: 'zhao.jing', password: DEMO_PASSWORD },
      { 'x-forwarded-for': '203.0.113.9' },
    );
    assert.equal(ok.status, 200);
    const [ip] = await sessionIp(seed.tenantId, d.user('zhao.jing').id);
    assert.ok(ip && !ip.includes('203.0.113.9'), `the session records the peer, not the header (${ip})`);
    const auditIps = await inTenant(env.database.db, seed.tenantId, async (tx) =>
      (
        await sql<{
          ip: string;
        }>`select ip from audit_log where tenant_id = ${seed.tenantId} and action = 'login'`.execute(tx)
      ).rows.map((r) => r.ip),
    );
    assert.ok(auditIps.length && auditIps.every((x) => !x?.includes('203.0.113.9')), `audit ips ${auditIps}`);

    // Behind a configured proxy the header is the client's address.
    const config = loadConfig({
      ...process.env,
      LOG_LEVEL: 'silent',
      PORT: '0',
      DATABASE_URL: testDatabaseUrl(),
      TRUST_PROXY: '127.0.0.1,::1',
    });
    proxied = await createApp(config, env.database);
    await proxied.listen({ host: '127.0.0.1', port: 0 });
    const addr = proxied.server.address();
    const proxiedUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const viaProxy = await signIn(
      proxiedUrl,
      { tenant: seed.slug, login: 'zhang.wei', password: DEMO_PASSWORD },
      { 'x-forwarded-for': '203.0.113.9' },
    );
    assert.equal(viaProxy.status, 200);
    assert.deepEqual(await sessionIp(seed.tenantId, d.user('zhang.wei').id), ['203.0.113.9']);
  });

  it('accepts proxy addresses and CIDRs in TRUST_PROXY and refuses anything else', () => {
    assert.equal(loadConfig({}).TRUST_PROXY, false);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, ::1' }).TRUST_PROXY, ['10.0.0.0/8', '::1']);
    assert.throws(() => loadConfig({ TRUST_PROXY: '2' }), /hop count/);
    assert.throws(() => loadConfig({ TRUST_PROXY: 'true' }), /TRUST_PROXY/);
    assert.throws(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' }), /TRUST_PROXY/);
  });
});

describe('password changes', () => {
  it('ends every other session of the user when they change their password, keeping the current one under a new cookie and CSRF token', async () => {
    const seed = await newTenant(env, 0);
    const here = await login(env, seed.slug, 'sun.lei');
    const elsewhere = await login(env, seed.slug, 'sun.lei');
    const colleague = await login(env, seed.slug, 'zhao.jing');
    // A copy of this very session's cookie and token (stolen before the change).
    const copy = new Client(env.baseUrl);
    copy.cookie = here.cookie;
    copy.csrf = here.csrf;
    const next = 'new-password-2027';
    const res = await here.post('/auth/password', { currentPassword: DEMO_PASSWORD, newPassword: next });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((await elsewhere.get('/auth/me')).status, 401, 'the other session has ended');
    assert.equal((await copy.get('/auth/me')).status, 401, 'the old cookie of this session no longer works');
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.match(cookie, /^kehu_session=/);
    assert.match(res.headers.get('set-cookie') ?? '', /HttpOnly/i);
    here.cookie = cookie;
    const stale = await here.patch('/auth/me', { locale: 'zh-CN' });
    assert.equal(stale.status, 403, 'the old CSRF token is refused');
    here.csrf = res.body.csrfToken;
    assert.equal((await here.get('/auth/me')).status, 200, 'the session that changed it lives on');
    assert.equal((await here.patch('/auth/me', { locale: 'zh-CN' })).status, 200, 'with its new CSRF token');
    assert.equal((await colleague.get('/auth/me')).status, 200, 'other users are untouched');
    assert.equal((await login(env, seed.slug, 'sun.lei', next)).cookie.length > 0, true);
  });

  it('ends every session of a user whose password an administrator resets', async () => {
    const seed = await newTenant(env, 0);
    const d = await tenantDirectory(env, seed);
    const admin = await login(env, seed.slug, 'admin');
    const one = await login(env, seed.slug, 'sun.lei');
    const two = await login(env, seed.slug, 'sun.lei');
    assert.equal((await admin.post(`/admin/users/${d.user('sun.lei').id}/reset-password`)).status, 200);
    assert.equal((await one.get('/auth/me')).status, 401);
    assert.equal((await two.get('/auth/me')).status, 401);
    assert.equal((await admin.get('/auth/me')).status, 200);
  });

  it('throttles guesses of the current password per user with 429 and Retry-After', async () => {
    const seed = await newTenant(env, 0);
    const d = await tenantDirectory(env, seed);
    const user = await login(env, seed.slug, 'sun.lei');
    const attempts = await failUntilThrottled(async () => {
      const r = await user.post('/auth/password', {
        currentPassword: 'guess-12345',
        newPassword: 'new-password-2027',
      });
      return new Response(JSON.stringify(r.body), { status: r.status, headers: r.headers });
    });
    assertBackOff(attempts, 'current-password guesses', 422);
    assert.equal(attempts[0]!.detail, '当前密码不正确');
    await inForce(passwordCheckBuckets(seed.tenantId, d.user('sun.lei').id)[0]!.key);
    const right = await user.post('/auth/password', {
      currentPassword: DEMO_PASSWORD,
      newPassword: 'new-password-2027',
    });
    assert.equal(right.status, 429, 'while waiting, not even the right password is tried');
    const other = await login(env, seed.slug, 'zhao.jing');
    const fine = await other.post('/auth/password', {
      currentPassword: DEMO_PASSWORD,
      newPassword: 'new-password-2027',
    });
    assert.equal(fine.status, 200, 'other users are not slowed');
  });
});
