import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { WeComSimulator } from '@kehu/wecom-simulator';
import { drainBackground, login, newTenantWithAdmin, useTestEnv } from '../../testing/harness.ts';
import { bindSimulatedCorp, useWeComSimulator } from './simulator-fixture.ts';

/** 获客链接 (issue 10) against the WeCom simulator over real HTTP both ways; polls, never sleeps. */
const env = useTestEnv();
let sim: WeComSimulator;
useWeComSimulator(21, (s) => {
  sim = s;
});

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

describe('WeCom customer acquisition links (获客链接)', () => {
  let ctx: Awaited<ReturnType<typeof bindSimulatedCorp>>;
  let link: any;
  before(async () => {
    ctx = await bindSimulatedCorp(env, sim, { prefix: 'wwacq', syncStaff: true });
  });

  it('creates a link in WeCom whose shared URL carries the state as customer_channel', async () => {
    const r = await ctx.admin.post('/wecom/acquisition-links', {
      corpRef: ctx.corpRef,
      name: '抖音直播间',
      state: 'douyin-1206',
      staff: ['sun.lei', 'zhao.jing'],
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    link = r.body;
    assert.match(link.url, /customer_channel=douyin-1206$/);
    const inWeCom = ctx.corp.acquisitionLinks().find((l: any) => l.link_id === link.linkId);
    assert.equal(inWeCom?.link_name, '抖音直播间');
    assert.deepEqual(inWeCom?.user_list, ['sun.lei', 'zhao.jing']);
    const list = await ctx.admin.get(`/wecom/acquisition-links?corpRef=${ctx.corpRef}`);
    assert.deepEqual(
      list.body.items.map((l: any) => l.id),
      [link.id],
    );
  });

  it('refuses bad input with field errors and stores nothing', async () => {
    const long = await ctx.admin.post(
      '/wecom/acquisition-links',
      { corpRef: ctx.corpRef, name: '太长', state: 'x'.repeat(31), staff: ['sun.lei'] },
      { 'accept-language': 'en-US' },
    );
    assert.equal(long.status, 422, JSON.stringify(long.body));
    assert.ok(long.body.errors.some((e: any) => e.field === 'state'));
    const dup = await ctx.admin.post('/wecom/acquisition-links', {
      corpRef: ctx.corpRef,
      name: '重复',
      state: 'douyin-1206',
      staff: ['sun.lei'],
    });
    assert.equal(dup.status, 409, JSON.stringify(dup.body));
    assert.ok(dup.body.errors.some((e: any) => e.field === 'state'));
    const stranger = await ctx.admin.post('/wecom/acquisition-links', {
      corpRef: ctx.corpRef,
      name: '陌生成员',
      state: 'ghost',
      staff: ['nobody'],
    });
    assert.equal(stranger.status, 422, JSON.stringify(stranger.body));
    assert.ok(stranger.body.errors.some((e: any) => e.field === 'staff'));
    assert.equal(ctx.corp.acquisitionLinks().length, 1, 'nothing created in WeCom');
    assert.equal((await ctx.admin.get('/wecom/acquisition-links')).body.items.length, 1);
  });

  it('attributes an add through the link to its state: lead campaign and daily counts', async () => {
    const u = ctx.corp.wechatUser({ name: '抖音用户甲' });
    const { external_userid } = await ctx.corp.openAcquisitionLink(link.url, u);
    const contact = await until('contact', ctx.seed.tenantId, async () =>
      ((await ctx.admin.get('/wecom/contacts')).body.items as any[]).find(
        (x) => x.externalUserid === external_userid && x.leadId,
      ),
    );
    assert.equal(contact.state, 'douyin-1206');
    const got = await ctx.admin.get(`/wecom/acquisition-links/${link.id}`);
    assert.equal(got.body.addsToday, 1);
    assert.equal(got.body.addsTotal, 1);
    const daily = await ctx.admin.get(`/wecom/acquisition-links/${link.id}/daily?days=7`);
    assert.equal(daily.status, 200, JSON.stringify(daily.body));
    assert.equal(daily.body.items.length, 7);
    assert.equal(daily.body.items.at(-1).adds, 1);
  });

  it('warns the corp’s admins when the quota runs low and when it is used up; the page shows it', async () => {
    ctx.corp.setAcquisitionQuota({ total: 200, balance: 101, lowThreshold: 100 });
    await ctx.corp.openAcquisitionLink(link.url, ctx.corp.wechatUser({ name: '抖音用户乙' }));
    const low = await until('low alert', ctx.seed.tenantId, async () => {
      const q = await ctx.admin.get(`/wecom/corps/${ctx.corpRef}/acquisition-quota`);
      return q.body.alert?.kind === 'balance_low' ? q.body : null;
    });
    assert.equal(low.balance, 100);
    ctx.corp.setAcquisitionQuota({ balance: 1 });
    await ctx.corp.openAcquisitionLink(link.url, ctx.corp.wechatUser({ name: '抖音用户丙' }));
    const out = await until('exhausted alert', ctx.seed.tenantId, async () => {
      const q = await ctx.admin.get(`/wecom/corps/${ctx.corpRef}/acquisition-quota`);
      return q.body.alert?.kind === 'balance_exhausted' ? q.body : null;
    });
    assert.equal(out.balance, 0);
    // Quota exhausted: WeCom refuses further adds through the link.
    await assert.rejects(ctx.corp.openAcquisitionLink(link.url, ctx.corp.wechatUser({ name: '抖音用户丁' })));
    const kinds = ((await ctx.admin.get('/notifications')).body.items as any[]).map((n) => n.kind);
    assert.ok(kinds.includes('wecom_acquisition_balance_low'), JSON.stringify(kinds));
    assert.ok(kinds.includes('wecom_acquisition_balance_exhausted'));
    // A salesperson without wecom:manage is not told.
    const sales = await login(env, ctx.seed.slug, 'sun.lei');
    const theirs = ((await sales.get('/notifications')).body.items as any[]).map((n) => n.kind);
    assert.ok(!theirs.includes('wecom_acquisition_balance_low'));
    // Topped up: the banner goes.
    ctx.corp.setAcquisitionQuota({ balance: 500 });
    const q = await ctx.admin.get(`/wecom/corps/${ctx.corpRef}/acquisition-quota`);
    assert.equal(q.body.alert?.kind ?? null, null);
  });

  it('renames and re-staffs the link in WeCom; the state stays', async () => {
    const r = await ctx.admin.patch(`/wecom/acquisition-links/${link.id}`, {
      name: '抖音直播间二',
      staff: ['zhao.jing'],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.state, 'douyin-1206');
    const inWeCom = ctx.corp.acquisitionLinks().find((l: any) => l.link_id === link.linkId);
    assert.equal(inWeCom?.link_name, '抖音直播间二');
    assert.deepEqual(inWeCom?.user_list, ['zhao.jing']);
  });

  it('keeps a link out of another dealer’s and another tenant’s sight (404)', async () => {
    const dealer = await login(env, ctx.seed.slug, 'liu.yang');
    assert.deepEqual((await dealer.get('/wecom/acquisition-links')).body.items, []);
    assert.equal((await dealer.get(`/wecom/acquisition-links/${link.id}`)).status, 404);
    assert.equal((await dealer.patch(`/wecom/acquisition-links/${link.id}`, { name: 'x' })).status, 404);
    assert.equal((await dealer.del(`/wecom/acquisition-links/${link.id}`)).status, 404);
    assert.equal((await dealer.get(`/wecom/corps/${ctx.corpRef}/acquisition-quota`)).status, 404);
    const { admin: otherTenant } = await newTenantWithAdmin(env, 1);
    assert.equal((await otherTenant.get(`/wecom/acquisition-links/${link.id}`)).status, 404);
    assert.equal((await otherTenant.get(`/wecom/acquisition-links/${link.id}/daily`)).status, 404);
    assert.equal(ctx.corp.acquisitionLinks().length, 1, 'still there in WeCom');
  });

  it('deletes the link in WeCom and in Kehu', async () => {
    const r = await ctx.admin.del(`/wecom/acquisition-links/${link.id}`);
    assert.equal(r.status, 204);
    assert.equal(ctx.corp.acquisitionLinks().length, 0);
    assert.equal((await ctx.admin.get(`/wecom/acquisition-links/${link.id}`)).status, 404);
  });
});
