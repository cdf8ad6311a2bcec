import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { WeComSimulator } from '@kehu/wecom-simulator';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { type Client, drainBackground, login, useTestEnv } from '../../testing/harness.ts';
import { bindSimulatedCorp, useWeComSimulator } from '../wecom/test-kit.ts';

/** Issue 11: 名片 — a public card per staff member, visits alerted and profiled. */
const env = useTestEnv();
let sim: WeComSimulator;
useWeComSimulator(31, (s) => {
  sim = s;
});
const PHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.47';

async function until<T>(what: string, tenantId: string, probe: () => Promise<T | null | undefined | false>) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await sim.flushCallbacks();
    await drainBackground(env, tenantId);
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/** A visitor's phone browser: keeps the card's visitor cookie. */
function visitor(ua = PHONE_UA) {
  let cookie = '';
  return async (url: string) => {
    const res = await fetch(url, { headers: { 'user-agent': ua, cookie } });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0]!;
    return {
      status: res.status,
      html: await res.text(),
      cookie: cookie.split('=')[1] ?? '',
      headers: res.headers,
    };
  };
}

describe('business cards 名片', () => {
  let ctx: Awaited<ReturnType<typeof bindSimulatedCorp>>;
  let sun: Client;
  let card: any;

  before(async () => {
    ctx = await bindSimulatedCorp(env, sim, { prefix: 'wwcard', syncStaff: true });
    sun = await login(env, ctx.seed.slug, 'sun.lei');
    card = (await sun.get('/cards/me')).body;
    // The card's address is KEHU_PUBLIC_URL's; the test server listens elsewhere.
    card.url = env.baseUrl + new URL(card.url).pathname;
  });

  it('is the staff member’s own: made on first use, phone shown only when chosen, bad input refused', async () => {
    assert.match(card.url, /\/c\/[A-Za-z0-9_-]{44}$/);
    assert.equal(card.showPhone, false);
    const open = visitor();
    let page = await open(card.url);
    assert.equal(page.status, 200);
    assert.match(page.html, /孙磊/);
    assert.ok(card.phone && !page.html.includes(card.phone), 'the phone stays hidden until chosen');
    assert.equal(page.headers.get('cache-control'), 'no-store');
    const bad = await sun.request('PUT', '/cards/me', {
      photoUrl: 'javascript:alert(1)',
      title: 'x'.repeat(61),
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.errors.map((e: any) => e.field).sort(), ['photoUrl', 'title']);
    const strange = await sun.request('PUT', '/cards/me', {
      featuredMaterialIds: ['0190a0a0-0000-7000-8000-000000000000'],
    });
    assert.equal(strange.status, 422, 'a material the staff member cannot use is refused');
    const saved = await sun.request('PUT', '/cards/me', {
      title: '高级销售顾问',
      showPhone: true,
      bio: '<b>你好</b>',
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    page = await open(card.url);
    assert.match(page.html, /高级销售顾问/);
    assert.ok(page.html.includes(card.phone));
    assert.ok(page.html.includes('&lt;b&gt;你好'), 'text is escaped');
    const zhao = await login(env, ctx.seed.slug, 'zhao.jing');
    const other = (await zhao.get('/cards/me')).body;
    assert.notEqual(other.id, card.id, 'each staff member has their own card');
  });

  it('answers an unknown or malformed token with the same 404 page', async () => {
    const open = visitor();
    const wrong = `${card.url.slice(0, -4)}AAAA`;
    assert.equal((await open(wrong)).status, 404);
    assert.equal((await open(`${env.baseUrl}/c/nope`)).status, 404);
    assert.equal((await open(`${env.baseUrl}/c/${'A'.repeat(44)}`)).status, 404);
  });

  it('alerts the owner of each visit in real time, counts a reload once, ignores bots', async () => {
    const before = (await sun.get('/notifications')).body.items.filter(
      (n: any) => n.kind === 'card_visit',
    ).length;
    const open = visitor();
    await open(card.url);
    await open(card.url);
    await visitor('curl/8.0')(card.url);
    const after = (await sun.get('/notifications')).body.items.filter((n: any) => n.kind === 'card_visit');
    assert.equal(after.length, before + 1, 'one alert for a visit and its reload, none for a bot');
    assert.match(after[0].title, /名片/);
    const mine = (await sun.get('/cards/me')).body;
    assert.ok(mine.visits.views >= 2 && mine.visits.visitors >= 1);
    const visits = (await sun.get('/cards/me/visits')).body.items;
    assert.ok(visits.length >= 1 && visits[0].visitor.length === 6, 'visitors are shown by a short id only');
  });

  it('refuses an add-me code to a staff member without WeCom', async () => {
    const liu = await login(env, ctx.seed.slug, 'liu.yang');
    const r = await liu.post('/cards/me/code');
    assert.equal(r.status, 422);
    assert.equal(r.body.errors[0].code, 'wecom_staff_unmapped');
  });

  it('gives an add-me code; a visitor who adds through it merges into the contact’s profile', async () => {
    const made = await sun.post('/cards/me/code');
    assert.equal(made.status, 200, JSON.stringify(made.body));
    assert.ok(made.body.code.ready && made.body.code.state.startsWith('kc'));
    const again = await sun.post('/cards/me/code');
    assert.equal(again.body.code.state, made.body.code.state, 'one code per card');
    const open = visitor();
    const page = await open(card.url);
    assert.match(page.html, /data-testid="card-qr"/);
    const qr = await fetch(`${card.url}/qr`);
    assert.equal(qr.status, 200);
    assert.match(qr.headers.get('content-type') ?? '', /^image\//);
    await until('the visit in the CDP', ctx.seed.tenantId, () =>
      inTenant(
        env.database.db,
        ctx.seed.tenantId,
        async (tx) =>
          (await sql`select 1 from cdp_identities where value = ${`card-visitor:${page.cookie}`}`.execute(tx))
            .rows[0],
      ),
    );
    const qrCode = await inTenant(
      env.database.db,
      ctx.seed.tenantId,
      async (tx) =>
        (await sql<{ code_qr: string }>`select code_qr from cards where id = ${card.id}`.execute(tx)).rows[0]!
          .code_qr,
    );
    const { external_userid: ext } = await ctx.corp.scan(qrCode, ctx.corp.wechatUser({ name: '访客王' }));
    const same = await until('one profile', ctx.seed.tenantId, () =>
      inTenant(env.database.db, ctx.seed.tenantId, async (tx) => {
        const r = (
          await sql<{ a: string; b: string }>`select
              (select profile_id from cdp_identities where value = ${`card-visitor:${page.cookie}`} limit 1) as a,
              (select profile_id from cdp_identities where kind = 'wecom_external_userid' and value = ${ext} limit 1) as b`.execute(
            tx,
          )
        ).rows[0]!;
        return r.a && r.b && r.a === r.b ? r : null;
      }),
    );
    assert.ok(same.a);
    const mine = (await sun.get('/cards/me')).body;
    assert.equal(mine.visits.added, 1);
  });
});
