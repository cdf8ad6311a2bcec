import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { WeComSimulator } from '@kehu/wecom-simulator';
import { drainBackground, useTestEnv } from '../../testing/harness.ts';
import { bindSimulatedCorp, useWeComSimulator } from './simulator-fixture.ts';

/** 门店活码 (issue 10) against the WeCom simulator over real HTTP both ways; polls, never sleeps. */
const env = useTestEnv();
let sim: WeComSimulator;
useWeComSimulator(31, (s) => {
  sim = s;
});

async function until<T>(what: string, tenantId: string, probe: () => Promise<T | null | undefined | false>) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    await sim.flushCallbacks();
    await drainBackground(env, tenantId);
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('WeCom store codes (门店活码)', () => {
  let ctx: Awaited<ReturnType<typeof bindSimulatedCorp>>;
  let code: any;
  const stores = () => [
    {
      unitId: ctx.dir.unit('EC-D1-S1'),
      staff: ['sun.lei'],
      city: '上海',
      address: '浦东新区张江路 1 号',
      lat: 31.2,
      lng: 121.6,
    },
    { unitId: ctx.dir.unit('EC-D2-S1'), staff: ['zhao.jing'], city: '杭州', lat: 30.27, lng: 120.15 },
  ];
  const landingPath = () => new URL(code.landingUrl).pathname;
  before(async () => {
    ctx = await bindSimulatedCorp(env, sim, { prefix: 'wwstore', syncStaff: true });
  });

  it('creates one contact way per store and a public landing page', async () => {
    const r = await ctx.admin.post('/wecom/store-codes', {
      corpRef: ctx.corpRef,
      name: '春季门店引流',
      state: 'spring-store',
      channel: 'walk_in',
      tags: ['门店客户'],
      welcomeText: '欢迎光临！',
      stores: stores(),
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    code = r.body;
    assert.equal(code.stores.length, 2);
    assert.deepEqual(
      code.stores.map((s: any) => s.state),
      ['spring-store-s1', 'spring-store-s2'],
    );
    assert.equal(ctx.corp.contactWays().length, 2);
    // Store rows are not channel codes of their own in the channel-code list.
    const list = await ctx.admin.get('/wecom/codes');
    assert.equal(list.body.items.length, 0);
    const qr = await ctx.admin.get(`/wecom/store-codes/${code.id}/landing-qr`);
    assert.equal(qr.status, 200);
    assert.match(qr.headers.get('content-type') ?? '', /^image\/png/);
  });

  it('the landing page shows cities, the stores of the picked city and only names, addresses and QR', async () => {
    const page = await fetch(`${env.baseUrl}${landingPath()}?city=${encodeURIComponent('杭州')}`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /上海/);
    assert.match(html, /西湖文三路店/);
    assert.doesNotMatch(html, /浦东张江店/, 'stores of another city are not listed');
    // One store in the city: its QR shows straight away.
    assert.match(html, /\/qr\/2"/);
    for (const secret of ['春季门店引流', 'sun.lei', 'zhao.jing', 'spring-store', ctx.corpId, '欢迎光临'])
      assert.ok(!html.includes(secret), `landing page leaks ${secret}`);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    const img = await fetch(`${env.baseUrl}${landingPath()}/qr/2`);
    assert.equal(img.status, 200);
    assert.match(img.headers.get('content-type') ?? '', /^image\//);
    const again = await ctx.admin.get(`/wecom/store-codes/${code.id}`);
    const hz = again.body.stores.find((s: any) => s.city === '杭州');
    assert.equal(hz.scansToday, 1);
  });

  it('an add through a store QR is attributed to the store (state, channel, tags, counts)', async () => {
    const way = ctx.corp.contactWays().find((w) => w.state === 'spring-store-s1')!;
    const user = ctx.corp.wechatUser({ name: '门店客户甲' });
    const { external_userid: ext } = await ctx.corp.scan(way.qr_code, user);
    const row = await until('contact added', ctx.seed.tenantId, async () =>
      ((await ctx.admin.get('/wecom/contacts')).body.items as any[]).find(
        (c) => c.externalUserid === ext && c.leadId,
      ),
    );
    assert.equal(row.state, 'spring-store-s1');
    const chat = ctx.corp.chat('sun.lei', ext);
    assert.ok(
      chat.some((m: any) => m.text === '欢迎光临！'),
      JSON.stringify(chat),
    );
    const got = await ctx.admin.get(`/wecom/store-codes/${code.id}`);
    const sh = got.body.stores.find((s: any) => s.city === '上海');
    assert.equal(sh.addsToday, 1);
    const daily = await ctx.admin.get(`/wecom/store-codes/${code.id}/daily?days=7`);
    assert.equal(daily.status, 200);
    assert.ok(daily.body.days.some((d: any) => d.unitId === sh.unitId && d.adds === 1));
    assert.deepEqual(row.tags, ['门店客户']);
    const lead = await ctx.admin.get(`/records/lead/${row.leadId}`);
    assert.equal(lead.body.channel, 'walk_in');
    assert.equal(lead.body.campaign, 'spring-store-s1');
  });

  it('edits stores (add, drop, restaff) in WeCom too; a stale version is a 409', async () => {
    const next = [
      { ...stores()[0]!, staff: ['sun.lei', 'zhao.jing'] },
      { unitId: ctx.dir.unit('SC-D1-S1'), staff: ['zhao.jing'], city: '广州' },
    ];
    const r = await ctx.admin.patch(`/wecom/store-codes/${code.id}`, { version: code.version, stores: next });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.stores.map((s: any) => s.state).sort(), ['spring-store-s1', 'spring-store-s3']);
    const ways = ctx.corp.contactWays();
    assert.equal(ways.length, 2);
    assert.deepEqual(ways.find((w) => w.state === 'spring-store-s1')!.user, ['sun.lei', 'zhao.jing']);
    const stale = await ctx.admin.patch(`/wecom/store-codes/${code.id}`, {
      version: code.version,
      name: '旧',
    });
    assert.equal(stale.status, 409);
    assert.ok(stale.body.errors.some((e: any) => e.field === 'version'));
    code = r.body;
  });

  it('refuses a non-store unit, a duplicate store, unknown staff, a taken state and bad input', async () => {
    const base = { corpRef: ctx.corpRef, name: '坏', state: 'bad-store' };
    const notStore = await ctx.admin.post('/wecom/store-codes', {
      ...base,
      stores: [{ unitId: ctx.dir.unit('EC-D1'), staff: ['sun.lei'], city: '上海' }],
    });
    assert.equal(notStore.status, 422);
    assert.ok(notStore.body.errors.some((e: any) => e.field === 'stores.0.unitId'));
    const dup = await ctx.admin.post('/wecom/store-codes', { ...base, stores: [stores()[0], stores()[0]] });
    assert.equal(dup.status, 422);
    assert.ok(dup.body.errors.some((e: any) => e.field === 'stores.1.unitId'));
    const stranger = await ctx.admin.post('/wecom/store-codes', {
      ...base,
      stores: [{ ...stores()[0], staff: ['nobody'] }],
    });
    assert.equal(stranger.status, 422);
    const taken = await ctx.admin.post('/wecom/store-codes', {
      ...base,
      state: 'spring-store',
      stores: stores(),
    });
    assert.equal(taken.status, 409);
    const long = await ctx.admin.post('/wecom/store-codes', {
      ...base,
      state: 's'.repeat(25),
      stores: stores(),
    });
    assert.equal(long.status, 422);
    const badLat = await ctx.admin.post('/wecom/store-codes', {
      ...base,
      stores: [{ ...stores()[0], lat: 200 }],
    });
    assert.equal(badLat.status, 422);
    assert.equal(ctx.corp.contactWays().length, 2, 'nothing half-made in WeCom');
  });

  it('unknown keys and deleted codes are the same 404; deleting removes the contact ways', async () => {
    const nope = await fetch(`${env.baseUrl}/wecom/store/${'A'.repeat(44)}`);
    assert.equal(nope.status, 404);
    const junk = await fetch(`${env.baseUrl}/wecom/store/not-a-key`);
    assert.equal(junk.status, 404);
    const del = await ctx.admin.del(`/wecom/store-codes/${code.id}`);
    assert.equal(del.status, 204);
    assert.equal(ctx.corp.contactWays().length, 0);
    const gone = await fetch(`${env.baseUrl}${landingPath()}`);
    assert.equal(gone.status, 404);
    assert.equal((await ctx.admin.get(`/wecom/store-codes/${code.id}`)).status, 404);
  });
});
