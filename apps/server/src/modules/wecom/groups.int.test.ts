import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { WeComSimulator } from '@kehu/wecom-simulator';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { type Client, drainBackground, login, useTestEnv } from '../../testing/harness.ts';
import { sealCallback } from './connector/callback-crypto.ts';
import { bindSimulatedCorp, useWeComSimulator } from './simulator-fixture.ts';

/**
 * 客户群 and staff activity (issue 10, R11.3) against the WeCom simulator over real HTTP both ways.
 * Tests poll with a deadline; they never sleep for a fixed time.
 */
const env = useTestEnv();
let sim: WeComSimulator;
useWeComSimulator(11, (s) => {
  sim = s;
});
const boundCorp = () => bindSimulatedCorp(env, sim, { prefix: 'wwgrp', syncStaff: true });

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

async function groupByChat(c: Client, chatId: string) {
  const r = await c.get('/wecom/groups');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return (r.body.items as any[]).find((g) => g.chatId === chatId);
}

async function contactOf(c: Client, ext: string) {
  return ((await c.get('/wecom/contacts')).body.items as any[]).find((x) => x.externalUserid === ext);
}

describe('WeCom customer groups', () => {
  let ctx: Awaited<ReturnType<typeof boundCorp>>;
  let chatId: string;
  let known: { ext: string; name: string };
  let liUser: ReturnType<typeof ctx.corp.wechatUser>;
  before(async () => {
    ctx = await boundCorp();
    const wang = ctx.corp.wechatUser({ name: '王小明', unionid: 'u-wang' });
    const { external_userid } = await ctx.corp.addFriendDirectly('sun.lei', wang);
    known = { ext: external_userid, name: '王小明' };
    await until(
      'contact',
      ctx.seed.tenantId,
      async () => (await contactOf(ctx.admin, external_userid))?.contactId,
    );
    liUser = ctx.corp.wechatUser({ name: '李娜' });
    chatId = (await ctx.corp.createGroup('sun.lei', '车友群', [wang, liUser])).chat_id;
  });

  it('mirrors a group created with members; known customers link to their contact and profile', async () => {
    const g = await until('group', ctx.seed.tenantId, async () => {
      const x = await groupByChat(ctx.admin, chatId);
      return x?.memberCount === 3 ? x : null;
    });
    assert.equal(g.name, '车友群');
    assert.equal(g.ownerUserid, 'sun.lei');
    assert.equal(g.ownerUserId, ctx.dir.user('sun.lei').id);
    assert.equal(g.externalCount, 2);
    assert.equal(g.dismissedAt, null);
    const d = await ctx.admin.get(`/wecom/groups/${g.id}`);
    assert.equal(d.status, 200, JSON.stringify(d.body));
    const wang = d.body.members.find((m: any) => m.memberId === known.ext);
    assert.equal(wang.name, '王小明');
    assert.equal(wang.kind, 'external');
    assert.ok(wang.contactId, 'linked to the CRM contact');
    assert.ok(wang.profileId, 'linked to the CDP profile');
    const contact = await contactOf(ctx.admin, known.ext);
    assert.equal(wang.contactId, contact.contactId);
    const owner = d.body.members.find((m: any) => m.kind === 'staff');
    assert.equal(owner.userId, ctx.dir.user('sun.lei').id);
    const li = d.body.members.find((m: any) => m.name === '李娜');
    assert.equal(li.contactId, null, 'a stranger has no contact');
    assert.equal(d.body.days.at(-1).joins, 3);
  });

  it('adds a member who joins (callback with JoinScene), once even when the callback is replayed', async () => {
    const zhou = ctx.corp.wechatUser({ name: '周杰' });
    await ctx.corp.joinGroup(chatId, zhou, 3);
    const g = await until('join', ctx.seed.tenantId, async () => {
      const x = await groupByChat(ctx.admin, chatId);
      return x?.memberCount === 4 ? x : null;
    });
    const d = await ctx.admin.get(`/wecom/groups/${g.id}`);
    const m = d.body.members.find((x: any) => x.name === '周杰');
    assert.equal(m.joinScene, 3);
    // WeCom (or an attacker with a captured message) delivers the same callback again.
    const log = sim.callbacksLog(ctx.corpId) as any[];
    const join = log.filter((e) => e.changeType === 'update' && /add_member/.test(e.xml ?? '')).at(-1);
    assert.ok(join?.xml, 'the simulator logged the add_member callback');
    const before = await inTenant(
      env.database.db,
      ctx.seed.tenantId,
      async (tx) =>
        (await sql<{ n: number }>`select count(*)::int as n from wecom_callbacks`.execute(tx)).rows[0]!.n,
    );
    const t = String(Math.floor(Date.now() / 1000));
    const sealed = sealCallback(ctx.keys, join.xml, t, 'replay1');
    const r = await fetch(`${env.baseUrl}${ctx.callbackPath}?${new URLSearchParams(sealed.query)}`, {
      method: 'POST',
      body: sealed.body,
    });
    assert.equal(r.status, 200);
    await drainBackground(env, ctx.seed.tenantId);
    const after = await inTenant(
      env.database.db,
      ctx.seed.tenantId,
      async (tx) =>
        (await sql<{ n: number }>`select count(*)::int as n from wecom_callbacks`.execute(tx)).rows[0]!.n,
    );
    assert.equal(after, before, 'the replay is stored once');
    const again = await ctx.admin.get(`/wecom/groups/${g.id}`);
    assert.equal(again.body.members.filter((x: any) => x.name === '周杰').length, 1);
    assert.equal(again.body.memberCount, 4);
  });

  it('keeps a member who leaves with the leave time', async () => {
    await ctx.corp.leaveGroup(chatId, liUser);
    const g = await until('leave', ctx.seed.tenantId, async () => {
      const x = await groupByChat(ctx.admin, chatId);
      return x?.memberCount === 3 ? x : null;
    });
    const d = await ctx.admin.get(`/wecom/groups/${g.id}`);
    assert.ok(d.body.members.find((x: any) => x.name === '李娜').leftAt);
    assert.equal(d.body.days.at(-1).leaves, 1);
  });

  it('shows a dismissed group as dismissed, and the on-demand sync agrees', async () => {
    const other = (await ctx.corp.createGroup('zhao.jing', '试驾群', [])).chat_id;
    await ctx.corp.dismissGroup(chatId);
    const g = await until('dismiss', ctx.seed.tenantId, async () => {
      const x = await groupByChat(ctx.admin, chatId);
      return x?.dismissedAt ? x : null;
    });
    assert.ok(g.dismissedAt);
    const sync = await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/groups/sync`);
    assert.equal(sync.status, 200, JSON.stringify(sync.body));
    assert.equal(sync.body.groups, 1);
    assert.ok((await groupByChat(ctx.admin, chatId)).dismissedAt);
    assert.equal((await groupByChat(ctx.admin, other)).dismissedAt, null);
    const active = await ctx.admin.get('/wecom/groups?status=active');
    assert.deepEqual(
      (active.body.items as any[]).map((x) => x.chatId),
      [other],
    );
  });

  it('repairs a lost create callback in the reconciliation job', async () => {
    sim.setLossRate(1);
    const lost = (await ctx.corp.createGroup('sun.lei', '丢失的群', [])).chat_id;
    await sim.flushCallbacks();
    sim.setLossRate(0);
    assert.equal(await groupByChat(ctx.admin, lost), undefined);
    const r = await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/reconcile`);
    assert.equal(r.status, 202);
    await until('reconciled', ctx.seed.tenantId, async () => groupByChat(ctx.admin, lost));
  });

  it('tells the admin why WeCom refused a sync (problem+json, no 500)', async () => {
    ctx.corp.failNext('externalcontact/groupchat/list', 48009, 1);
    const r = await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/groups/sync`);
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.ok(JSON.stringify(r.body).includes('wecom_48009'));
  });

  it('never shows another dealer’s groups', async () => {
    const g = await groupByChat(ctx.admin, chatId);
    const other = await login(env, ctx.seed.slug, 'liu.yang');
    assert.deepEqual((await other.get('/wecom/groups')).body.items, []);
    const r = await other.get(`/wecom/groups/${g.id}`);
    assert.equal(r.status, 404);
    assert.equal(r.headers.get?.('content-type')?.includes('problem+json') ?? true, true);
    const bad = await ctx.admin.get('/wecom/groups?status=nope');
    assert.equal(bad.status, 422);
    assert.ok(JSON.stringify(bad.body).includes('status'), 'the field is named');
  });
});

describe('WeCom staff activity', () => {
  it('counts adds and deletions per staff member, pulls behaviour data, and scopes it', async () => {
    const ctx = await boundCorp();
    const a = ctx.corp.wechatUser({ name: '客户甲' });
    const b = ctx.corp.wechatUser({ name: '客户乙' });
    const { external_userid: ea } = await ctx.corp.addFriendDirectly('zhao.jing', a);
    const { external_userid: eb } = await ctx.corp.addFriendDirectly('zhao.jing', b);
    await until(
      'two contacts',
      ctx.seed.tenantId,
      async () => (await contactOf(ctx.admin, ea))?.contactId && (await contactOf(ctx.admin, eb))?.contactId,
    );
    await ctx.corp.customerDeletesStaff(eb, 'zhao.jing');
    await until('lost', ctx.seed.tenantId, async () => (await contactOf(ctx.admin, eb))?.status === 'lost');
    ctx.corp.customerSays('zhao.jing', ea, '这车多少钱？');
    ctx.corp.staffSays('zhao.jing', ea, '您好，落地价 25 万');
    ctx.corp.staffSays('zhao.jing', ea, '周末可以来试驾');
    await ctx.corp.addFriendDirectly('sun.lei', ctx.corp.wechatUser({ name: '客户丙' }));
    await sim.flushCallbacks();
    await drainBackground(env, ctx.seed.tenantId);

    const pulled = await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/activity/pull?days=2`);
    assert.equal(pulled.status, 200, JSON.stringify(pulled.body));
    assert.equal(pulled.body.staff, 2);
    const nightly = await inTenant(
      env.database.db,
      ctx.seed.tenantId,
      async (tx) =>
        (
          await sql<{ n: number }>`select count(*)::int as n from jobs where queue = 'wecom:activity'
          and run_at > now() and payload->>'corpRef' = ${ctx.corpRef}`.execute(tx)
        ).rows[0]!.n,
    );
    assert.equal(nightly, 1, 'the nightly pull is queued once');
    const rep = await ctx.admin.get('/wecom/activity?days=2');
    assert.equal(rep.status, 200, JSON.stringify(rep.body));
    const zhao = (rep.body.rows as any[]).filter((r) => r.userid === 'zhao.jing');
    const today = zhao.at(-1);
    assert.equal(today.day, rep.body.to);
    assert.equal(today.added, 2);
    assert.equal(today.deletedByCustomer, 1);
    assert.equal(today.lost, 0);
    assert.equal(today.byChannel[''], 2);
    assert.equal(today.messages, 2);
    assert.equal(today.chats, 1);
    assert.equal(today.replyRate, 100);
    assert.ok(rep.body.teams.some((t: any) => t.day === rep.body.to && t.added >= 2));

    // A salesperson sees their own figures only; another dealer's staff sees nobody's.
    const sun = await login(env, ctx.seed.slug, 'sun.lei');
    const own = await sun.get('/wecom/activity?days=2');
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.ok(own.body.rows.length > 0);
    assert.deepEqual([...new Set((own.body.rows as any[]).map((r) => r.userid))], ['sun.lei']);
    const bad = await ctx.admin.get('/wecom/activity?days=0');
    assert.equal(bad.status, 422);
  });
});
