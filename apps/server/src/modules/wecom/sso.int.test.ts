import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startWeComSimulator, type WeComSimulator } from '@kehu/wecom-simulator';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { tenantDirectory } from '../../testing/fixtures.ts';
import { Client, newTenantWithAdmin, useTestEnv } from '../../testing/harness.ts';
import { clientTuning } from './connector/client.ts';
import { SSO_COOKIE, startLimiter } from './sso.http.ts';

/**
 * 企业微信扫码登录 against the WeCom simulator over real HTTP: Kehu's start redirects to the
 * simulator's web-login page, the simulator redirects back with a code, Kehu asks
 * `auth/getuserinfo` with the app token and opens a session. Every refusal lands on /login with a
 * code the login page translates, and sets no session cookie.
 */
const env = useTestEnv();
let sim: WeComSimulator;
let savedAllow: string | undefined;
const AGENT_ID = 1000002;

before(async () => {
  sim = await startWeComSimulator({ seed: 11, callbackRetryDelayMs: 0 });
  savedAllow = process.env.KEHU_OUTBOUND_ALLOW;
  process.env.KEHU_OUTBOUND_ALLOW = new URL(sim.url).host;
  clientTuning.backoffMs = 5;
});
after(async () => {
  process.env.KEHU_OUTBOUND_ALLOW = savedAllow;
  await sim.close();
});

let n = 0;
async function boundTenant(opts: { app?: boolean } = {}) {
  const app = opts.app ?? true;
  const { seed, admin } = await newTenantWithAdmin(env, 0);
  const dir = await tenantDirectory(env, seed);
  const corpId = `wwsso${Date.now().toString(36)}${n++}`;
  const created = await admin.post('/wecom/corps', {
    name: '总部企业微信',
    unitId: dir.unit('HQ'),
    corpId,
    contactSecret: `cs-${corpId}`,
    ...(app ? { appSecret: `as-${corpId}`, agentId: AGENT_ID } : {}),
    baseUrl: sim.url,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const phones = await inTenant(env.database.db, seed.tenantId, async (tx) =>
    Object.fromEntries(
      (await sql<{ login: string; phone: string }>`select login, phone from users`.execute(tx)).rows.map(
        (r) => [r.login, r.phone],
      ),
    ),
  );
  const corp = sim.addCorp({
    corpId,
    contactSecret: `cs-${corpId}`,
    ...(app ? { appSecret: `as-${corpId}`, agentId: AGENT_ID } : {}),
    staff: [
      { userid: 'zhao.jing', name: '赵静', mobile: phones['zhao.jing'] },
      { userid: 'sun.lei', name: '孙磊', mobile: phones['sun.lei'] },
      { userid: 'nobody', name: '未映射' },
    ],
  });
  const sync = await admin.post(`/wecom/corps/${created.body.id}/staff/sync`);
  assert.equal(sync.status, 200, JSON.stringify(sync.body));
  assert.equal(sync.body.mapped, 2);
  return { seed, dir, admin, corp, corpId, corpRef: created.body.id as string };
}

const firstCookie = (res: Response, name: string) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith(`${name}=`) && c.length > name.length + 1);

/** A browser pressing the button: Kehu's start, answered with a redirect to WeCom's login page. */
async function start(slug: string) {
  const res = await fetch(`${env.baseUrl}/wecom/sso/start?tenant=${slug}`, { redirect: 'manual' });
  assert.equal(res.status, 302);
  const to = new URL(res.headers.get('location')!, env.baseUrl);
  return { to, cookie: firstCookie(res, SSO_COOKIE), state: to.searchParams.get('state') ?? '' };
}

/** WeCom's redirect back to Kehu, as the browser follows it (with or without the start cookie). */
async function callback(q: { code?: string; state?: string }, cookie?: string) {
  const res = await fetch(
    `${env.baseUrl}/wecom/sso/callback?${new URLSearchParams(q as Record<string, string>)}`,
    {
      redirect: 'manual',
      headers: cookie ? { cookie } : {},
    },
  );
  assert.equal(res.status, 302);
  const to = new URL(res.headers.get('location')!, env.baseUrl);
  return { to, session: firstCookie(res, 'kehu_session'), error: to.searchParams.get('signInError') };
}

async function meWith(cookie: string) {
  const c = new Client(env.baseUrl);
  c.cookie = cookie;
  return c.get('/auth/me');
}

describe('企业微信扫码登录', () => {
  let t: Awaited<ReturnType<typeof boundTenant>>;
  before(async () => {
    t = await boundTenant();
  });

  it('is offered on the login page only where a corp has an app set up', async () => {
    const anon = new Client(env.baseUrl);
    const mine = await anon.get(`/auth/sign-in-methods?tenant=${t.seed.slug}`);
    assert.equal(mine.status, 200);
    const wecom = mine.body.items.find((m: { key: string }) => m.key === 'wecom');
    assert.ok(wecom, JSON.stringify(mine.body));
    assert.equal(wecom.label['zh-CN'], '企业微信扫码登录');
    assert.equal(wecom.startUrl, `/wecom/sso/start?tenant=${t.seed.slug}`);
    const noApp = await boundTenant({ app: false });
    const theirs = await anon.get(`/auth/sign-in-methods?tenant=${noApp.seed.slug}`);
    assert.ok(!theirs.body.items.some((m: { key: string }) => m.key === 'wecom'));
    // Pressing it anyway lands on the login page with a message, not on WeCom.
    const res = await fetch(`${env.baseUrl}/wecom/sso/start?tenant=${noApp.seed.slug}`, {
      redirect: 'manual',
    });
    assert.equal(res.status, 302);
    assert.equal(
      new URL(res.headers.get('location')!, env.baseUrl).searchParams.get('signInError'),
      'wecom.unavailable',
    );
    const unknown = await fetch(`${env.baseUrl}/wecom/sso/start?tenant=no-such-company`, {
      redirect: 'manual',
    });
    assert.match(unknown.headers.get('location')!, /signInError=wecom\.unavailable/);
  });

  it('signs 赵静 in through the simulator’s login page: a session like a password sign-in', async () => {
    const s = await start(t.seed.slug);
    assert.equal(s.to.origin, sim.url);
    assert.equal(s.to.pathname, '/wwlogin/sso/login');
    assert.equal(s.to.searchParams.get('appid'), t.corpId);
    assert.equal(s.to.searchParams.get('agentid'), String(AGENT_ID));
    assert.equal(s.to.searchParams.get('login_type'), 'CorpApp');
    assert.equal(s.to.searchParams.get('redirect_uri'), `${env.baseUrl}/wecom/sso/callback`);
    assert.ok(s.state.length <= 128);
    assert.ok(s.cookie);
    // The simulator's page lists the staff; "scan as" 赵静.
    const page = await (await fetch(s.to)).text();
    assert.match(page, /赵静/);
    const href = [...page.matchAll(/href="([^"]+)"/g)]
      .map((m) => m[1]!.replaceAll('&amp;', '&'))
      .find((h) => h.includes('as=zhao.jing'))!;
    const back = await fetch(new URL(href, sim.url), { redirect: 'manual' });
    assert.equal(back.status, 302);
    const cb = new URL(back.headers.get('location')!);
    assert.equal(cb.origin + cb.pathname, `${env.baseUrl}/wecom/sso/callback`);
    assert.equal(cb.searchParams.get('state'), s.state);
    const done = await callback(
      { code: cb.searchParams.get('code')!, state: cb.searchParams.get('state')! },
      s.cookie,
    );
    assert.equal(done.error, null);
    assert.equal(done.to.pathname, '/');
    assert.ok(done.session, 'a session cookie');
    const me = await meWith(done.session!);
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.equal(me.body.user.login, 'zhao.jing');
    assert.equal(me.body.tenant.slug, t.seed.slug);
    assert.ok(me.body.csrfToken);
    // Audited like any sign-in, saying how.
    const audit = await inTenant(
      env.database.db,
      t.seed.tenantId,
      async (tx) =>
        (
          await sql<{ meta: any }>`select meta from audit_log where tenant_id = ${t.seed.tenantId}
            and action = 'login' and actor_id = ${t.dir.user('zhao.jing').id}`.execute(tx)
        ).rows,
    );
    assert.ok(audit.some((a) => a.meta?.method === 'wecom'));
    // The state was single use: replaying the same redirect is refused.
    const replay = await callback({ code: t.corp.oauthCode('zhao.jing'), state: s.state }, s.cookie);
    assert.equal(replay.error, 'wecom.state');
    assert.equal(replay.session, undefined);
  });

  it('signs staff in silently in the chat sidebar (OAuth2 snsapi_base); an unmapped member gets a page saying why', async () => {
    const open = async (userid: string) => {
      const res = await fetch(`${env.baseUrl}/wecom/sso/sidebar?tenant=${t.seed.slug}`, {
        redirect: 'manual',
      });
      assert.equal(res.status, 302);
      const to = new URL(res.headers.get('location')!);
      assert.equal(to.origin + to.pathname, `${sim.url}/connect/oauth2/authorize`);
      assert.equal(to.searchParams.get('scope'), 'snsapi_base');
      assert.equal(to.searchParams.get('response_type'), 'code');
      assert.equal(to.searchParams.get('appid'), t.corpId);
      assert.equal(to.hash, '#wechat_redirect');
      // Inside the (simulated) WeCom client signed in as `userid`: no page, straight back with a code.
      const back = await fetch(to, {
        redirect: 'manual',
        headers: { cookie: `wxwork_sim_user=${encodeURIComponent(`${t.corpId}:${userid}`)}` },
      });
      assert.equal(back.status, 302);
      const cb = new URL(back.headers.get('location')!);
      assert.equal(cb.origin + cb.pathname, `${env.baseUrl}/wecom/sso/callback`);
      return fetch(cb, { redirect: 'manual', headers: { cookie: firstCookie(res, SSO_COOKIE)! } });
    };
    const ok = await open('sun.lei');
    assert.equal(ok.status, 302);
    assert.equal(ok.headers.get('location'), '/sidebar');
    const session = firstCookie(ok, 'kehu_session');
    assert.ok(session);
    assert.equal((await meWith(session!)).body.user.login, 'sun.lei');
    const refused = await open('nobody');
    assert.equal(refused.status, 403);
    assert.equal(firstCookie(refused, 'kehu_session'), undefined);
    const page = await refused.text();
    assert.match(page, /data-error="unmapped"/);
    assert.match(page, /还没有关联 Kehu 用户/);
    assert.match(page, /not linked to a Kehu user/);
    assert.match(page, /next=%2Fsidebar/);
    // Outside the client (no member cookie) the simulator asks who is signing in, as its web login does.
    const res = await fetch(`${env.baseUrl}/wecom/sso/sidebar?tenant=${t.seed.slug}`, { redirect: 'manual' });
    const outside = await fetch(res.headers.get('location')!, { redirect: 'manual' });
    assert.equal(outside.status, 302);
    assert.match(outside.headers.get('location')!, /^\/wwlogin\/sso\/login\?/);
  });

  it('refuses a forged, foreign-browser or expired state', async () => {
    const forged = await callback({ code: t.corp.oauthCode('zhao.jing'), state: 'AAAA.BBBB' });
    assert.equal(forged.error, 'wecom.state');
    assert.equal(forged.to.pathname, '/login');
    const s = await start(t.seed.slug);
    const tampered = `${s.state.slice(0, 5)}${s.state[5] === 'A' ? 'B' : 'A'}${s.state.slice(6)}`;
    assert.equal(
      (await callback({ code: t.corp.oauthCode('zhao.jing'), state: tampered }, s.cookie)).error,
      'wecom.state',
    );
    // The state carried to another browser (no start cookie) is refused, and used up.
    const other = await callback({ code: t.corp.oauthCode('zhao.jing'), state: s.state });
    assert.equal(other.error, 'wecom.state');
    assert.equal(other.to.searchParams.get('tenant'), t.seed.slug);
    assert.equal(other.session, undefined);
    assert.equal(
      (await callback({ code: t.corp.oauthCode('zhao.jing'), state: s.state }, s.cookie)).error,
      'wecom.state',
    );
    // Older than 10 minutes.
    const old = await start(t.seed.slug);
    await inTenant(env.database.db, t.seed.tenantId, (tx) =>
      sql`update wecom_sso_states set expires_at = now() - interval '1 second' where tenant_id = ${t.seed.tenantId}`.execute(
        tx,
      ),
    );
    const expired = await callback({ code: t.corp.oauthCode('zhao.jing'), state: old.state }, old.cookie);
    assert.equal(expired.error, 'wecom.expired');
    assert.equal(expired.session, undefined);
    // WeCom sent the user back without a code (they closed the page).
    const c = await start(t.seed.slug);
    assert.equal((await callback({ state: c.state }, c.cookie)).error, 'wecom.cancelled');
  });

  it('refuses unmapped and unknown staff, disabled users and WeCom errors with a message code', async () => {
    // Its own tenant: failures count towards the address's back-off for the tenant (5 free).
    const t = await boundTenant();
    const go = async (code: string) => {
      const s = await start(t.seed.slug);
      return callback({ code, state: s.state }, s.cookie);
    };
    const unmapped = await go(t.corp.oauthCode('nobody'));
    assert.equal(unmapped.error, 'wecom.unmapped');
    assert.equal(unmapped.session, undefined);
    t.corp.addStaff({ userid: 'new.hire', name: '新同事' });
    assert.equal((await go(t.corp.oauthCode('new.hire'))).error, 'wecom.unknown_staff');
    t.corp.failNext('auth/getuserinfo', 60011);
    assert.equal((await go(t.corp.oauthCode('zhao.jing'))).error, 'wecom.wecom');
    assert.equal((await go('not-a-code')).error, 'wecom.wecom');
    // A disabled user cannot come in through WeCom either.
    const patched = await t.admin.patch(`/admin/users/${t.dir.user('sun.lei').id}`, { status: 'disabled' });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const disabled = await go(t.corp.oauthCode('sun.lei'));
    assert.equal(disabled.error, 'wecom.disabled');
    assert.equal(disabled.session, undefined);
    const failed = await inTenant(env.database.db, t.seed.tenantId, async (tx) =>
      (
        await sql<{ meta: any }>`select meta from audit_log where tenant_id = ${t.seed.tenantId}
            and action = 'login_failed'`.execute(tx)
      ).rows.map((r) => r.meta?.reason),
    );
    for (const reason of ['unmapped', 'unknown_staff', 'wecom', 'disabled'])
      assert.ok(failed.includes(reason), `${reason} audited: ${failed}`);
    // Five failures from this address: the sixth waits, like wrong passwords do.
    const throttled = await go(t.corp.oauthCode('zhao.jing'));
    assert.equal(throttled.error, 'wecom.throttled');
    assert.equal(throttled.session, undefined);
  });

  it('cuts off a flood of starts from one address before it reaches the database', async () => {
    startLimiter.reset('127.0.0.1');
    try {
      let last = '';
      for (let i = 0; i < 31; i++) {
        const res = await fetch(`${env.baseUrl}/wecom/sso/start?tenant=${t.seed.slug}`, {
          redirect: 'manual',
        });
        last = res.headers.get('location') ?? '';
      }
      assert.match(last, /signInError=wecom\.throttled/);
    } finally {
      startLimiter.reset('127.0.0.1');
    }
  });

  it('another tenant’s corp cannot sign anyone into this tenant', async () => {
    const t = await boundTenant();
    const other = await boundTenant();
    // A code from the other tenant's corp, returned with this tenant's state.
    const s = await start(t.seed.slug);
    const crossed = await callback({ code: other.corp.oauthCode('zhao.jing'), state: s.state }, s.cookie);
    assert.equal(crossed.error, 'wecom.wecom');
    assert.equal(crossed.session, undefined);
    // And the other way round: their start goes to their corp, never to this one.
    const theirs = await start(other.seed.slug);
    assert.equal(theirs.to.searchParams.get('appid'), other.corpId);
    const ok = await callback(
      { code: other.corp.oauthCode('zhao.jing'), state: theirs.state },
      theirs.cookie,
    );
    assert.ok(ok.session);
    const me = await meWith(ok.session!);
    assert.equal(me.body.tenant.slug, other.seed.slug);
  });
});
