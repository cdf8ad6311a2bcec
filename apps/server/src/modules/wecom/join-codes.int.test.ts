import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { WeComSimulator } from '@kehu/wecom-simulator';
import { drainBackground, login, newTenantWithAdmin, useTestEnv } from '../../testing/harness.ts';
import { bindSimulatedCorp, useWeComSimulator } from './simulator-fixture.ts';

/** 群活码 (issue 10) against the WeCom simulator over real HTTP both ways; polls, never sleeps. */
const env = useTestEnv();
let sim: WeComSimulator;
useWeComSimulator(23, (s) => {
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

describe('WeCom group join codes (群活码)', () => {
  let ctx: Awaited<ReturnType<typeof bindSimulatedCorp>>;
  let chatId: string;
  let code: any;
  const synced = (id: string) =>
    until('group synced', ctx.seed.tenantId, async () =>
      ((await ctx.admin.get('/wecom/groups')).body.items as any[]).find((g) => g.chatId === id),
    );
  before(async () => {
    ctx = await bindSimulatedCorp(env, sim, { prefix: 'wwjoin', syncStaff: true });
    chatId = (await ctx.corp.createGroup('sun.lei', '春季车友群', [ctx.corp.wechatUser({ name: '老车主' })]))
      .chat_id;
    await synced(chatId);
  });

  it('creates a join way (scene 2) with its state and QR', async () => {
    const r = await ctx.admin.post('/wecom/join-codes', {
      corpRef: ctx.corpRef,
      name: '春季试驾群',
      state: 'grp-spring',
      chatIds: [chatId],
      roomBaseName: '春季车友群',
      roomBaseId: 2,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    code = r.body;
    assert.ok(code.qrCode);
    assert.equal(code.autoCreateRoom, true);
    assert.deepEqual(
      code.groups.map((g: any) => g.chatId),
      [chatId],
    );
    const qr = await ctx.admin.get(`/wecom/join-codes/${code.id}/qr`);
    assert.equal(qr.status, 200);
    assert.match(qr.headers.get('content-type') ?? '', /^image\//);
  });

  it('refuses a state over 30 characters, a duplicate state, an unknown group and more than 5 groups', async () => {
    const base = { corpRef: ctx.corpRef, name: '坏', chatIds: [chatId] };
    const long = await ctx.admin.post('/wecom/join-codes', { ...base, state: 's'.repeat(31) });
    assert.equal(long.status, 422);
    assert.ok(long.body.errors.some((e: any) => e.field === 'state'));
    const dup = await ctx.admin.post('/wecom/join-codes', { ...base, state: 'grp-spring' });
    assert.equal(dup.status, 409);
    const stranger = await ctx.admin.post('/wecom/join-codes', {
      ...base,
      state: 'grp-x',
      chatIds: ['wrnope'],
    });
    assert.equal(stranger.status, 422, JSON.stringify(stranger.body));
    assert.ok(stranger.body.errors.some((e: any) => e.field === 'chatIds'));
    const six = await ctx.admin.post('/wecom/join-codes', {
      ...base,
      state: 'grp-6',
      chatIds: [chatId, 'a', 'b', 'c', 'd', 'e'],
    });
    assert.equal(six.status, 422);
    assert.equal((await ctx.admin.get('/wecom/join-codes')).body.items.length, 1);
  });

  it('attributes a join through the code (join_scene 3 + state) and counts it per day', async () => {
    await ctx.corp.scanJoinWay(code.qrCode, ctx.corp.wechatUser({ name: '扫码客户甲' }));
    const got = await until('join counted', ctx.seed.tenantId, async () => {
      const c = (await ctx.admin.get(`/wecom/join-codes/${code.id}`)).body;
      return c.joinsTotal === 1 ? c : null;
    });
    assert.equal(got.joinsToday, 1);
    const group = await synced(chatId);
    const detail = await ctx.admin.get(`/wecom/groups/${group.id}`);
    const m = detail.body.members.find((x: any) => x.name === '扫码客户甲');
    assert.equal(m.joinScene, 3);
    const daily = await ctx.admin.get(`/wecom/join-codes/${code.id}/daily?days=7`);
    assert.equal(daily.body.items.length, 7);
    assert.equal(daily.body.items.at(-1).joins, 1);
    // The old member who was there before the code is not counted.
    assert.equal(got.groups[0].memberCount, 3);
  });

  it('when every group is full WeCom opens the next room; joins there count too', async () => {
    const crowd = Array.from({ length: 199 }, (_, i) => ctx.corp.wechatUser({ name: `满员${i}` }));
    const full = (await ctx.corp.createGroup('zhao.jing', '满员群', crowd)).chat_id;
    await synced(full);
    const r = await ctx.admin.post('/wecom/join-codes', {
      corpRef: ctx.corpRef,
      name: '满员测试',
      state: 'grp-full',
      chatIds: [full],
      roomBaseName: '新车友群',
      roomBaseId: 1,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const { chat_id } = await ctx.corp.scanJoinWay(r.body.qrCode, ctx.corp.wechatUser({ name: '溢出客户' }));
    assert.notEqual(chat_id, full);
    const c = await until('room opened and counted', ctx.seed.tenantId, async () => {
      const x = (await ctx.admin.get(`/wecom/join-codes/${r.body.id}`)).body;
      return x.joinsTotal === 1 && x.groups.length === 2 ? x : null;
    });
    assert.ok(c.groups.some((g: any) => g.chatId === chat_id && g.name === '新车友群1'));
  });

  it('keeps a join code out of another dealer’s and another tenant’s sight (404)', async () => {
    const dealer = await login(env, ctx.seed.slug, 'liu.yang');
    assert.deepEqual((await dealer.get('/wecom/join-codes')).body.items, []);
    assert.equal((await dealer.get(`/wecom/join-codes/${code.id}`)).status, 404);
    assert.equal((await dealer.get(`/wecom/join-codes/${code.id}/qr`)).status, 404);
    assert.equal((await dealer.patch(`/wecom/join-codes/${code.id}`, { name: 'x' })).status, 404);
    assert.equal((await dealer.del(`/wecom/join-codes/${code.id}`)).status, 404);
    const { admin: other } = await newTenantWithAdmin(env, 1);
    assert.equal((await other.get(`/wecom/join-codes/${code.id}`)).status, 404);
    assert.equal((await other.get(`/wecom/join-codes/${code.id}/daily`)).status, 404);
  });

  it('renames in WeCom, then deletes', async () => {
    const r = await ctx.admin.patch(`/wecom/join-codes/${code.id}`, {
      name: '春季试驾群二',
      autoCreateRoom: false,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.autoCreateRoom, false);
    assert.equal(r.body.state, 'grp-spring');
    assert.equal((await ctx.admin.del(`/wecom/join-codes/${code.id}`)).status, 204);
    assert.equal((await ctx.admin.get(`/wecom/join-codes/${code.id}`)).status, 404);
  });
});
