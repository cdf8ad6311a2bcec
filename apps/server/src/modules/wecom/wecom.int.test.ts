import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { SimCorp, WeComSimulator } from '@kehu/wecom-simulator';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { type Client, drainBackground, login, useTestEnv } from '../../testing/harness.ts';
import { sealCallback } from './connector/callback-crypto.ts';
import { clientStats, forgetTokens } from './connector/client.ts';
import { bindSimulatedCorp, useWeComSimulator } from './simulator-fixture.ts';

/**
 * Kehu against the WeCom simulator (packages/wecom-simulator), over real HTTP both ways: Kehu calls
 * the simulator's /cgi-bin API through the outbound guard, the simulator calls Kehu back with
 * encrypted XML. Tests poll with a deadline; they never sleep for a fixed time.
 */
const env = useTestEnv();
let sim: WeComSimulator;
useWeComSimulator(7, (s) => {
  sim = s;
});
const boundCorp = () =>
  bindSimulatedCorp(env, sim, {
    prefix: 'wwtest',
    extraStaff: [{ userid: 'nobody', name: '未映射' }],
    syncStaff: false,
  });

async function until<T>(
  what: string,
  tenantId: string,
  probe: () => Promise<T | null | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await drainBackground(env, tenantId);
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

async function contactOf(admin: Client, ext: string) {
  const r = await admin.get('/wecom/contacts');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return (r.body.items as any[]).find((c) => c.externalUserid === ext);
}

describe('WeCom channel code → contact, profile and lead', () => {
  let ctx: Awaited<ReturnType<typeof boundCorp>>;
  let code: any;
  before(async () => {
    ctx = await boundCorp();
    const sync = await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/staff/sync`);
    assert.equal(sync.status, 200, JSON.stringify(sync.body));
    assert.equal(sync.body.staff, 3);
    assert.equal(sync.body.mapped, 2);
    const created = await ctx.admin.post('/wecom/codes', {
      corpRef: ctx.corpRef,
      name: '2026 车展',
      state: 'expo-2026',
      channel: 'exhibition',
      staff: ['sun.lei', 'zhao.jing'],
      tags: ['车展意向'],
      welcomeText: '您好，欢迎来到车展！',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    code = created.body;
  });

  it('creates a contact way in WeCom with the state', () => {
    const ways = ctx.corp.contactWays();
    assert.equal(ways.length, 1);
    assert.equal(ways[0]!.state, 'expo-2026');
    assert.deepEqual(ways[0]!.user.sort(), ['sun.lei', 'zhao.jing']);
    assert.equal(code.qrCode, ways[0]!.qr_code);
  });

  it('turns a scan into a CRM contact, a CDP profile and a lead in the staff member’s inbox, welcomed', async () => {
    const user = ctx.corp.wechatUser({ name: '王小明', unionid: `ou-${Date.now()}` });
    const { external_userid: ext, userid } = await ctx.corp.scan(code.qrCode, user);
    await sim.flushCallbacks();
    const c = await until('contact, lead and profile', ctx.seed.tenantId, async () => {
      const x = await contactOf(ctx.admin, ext);
      return x?.contactId && x.leadId && x.profileId ? x : null;
    });
    assert.equal(c.userid, userid);
    assert.equal(c.state, 'expo-2026');
    assert.equal(c.codeName, '2026 车展');
    assert.deepEqual(c.tags, ['车展意向']);
    const ownerId = ctx.dir.user(userid).id;
    const lead = await ctx.admin.get(`/records/lead/${c.leadId}`);
    assert.equal(lead.status, 200);
    assert.equal(lead.body.ownerId, ownerId);
    assert.equal(lead.body.channel, 'exhibition');
    assert.equal(lead.body.campaign, 'expo-2026');
    assert.ok(lead.body.firstResponseDueAt, 'the SLA clock runs');
    const contact = await ctx.admin.get(`/records/contact/${c.contactId}`);
    assert.equal(contact.status, 200);
    assert.equal(contact.body.name, '王小明');
    assert.equal(contact.body.ownerId, ownerId);
    // The owner finds it in their inbox (notified of the assignment).
    const owner = await login(env, ctx.seed.slug, userid);
    const notes = await owner.get('/notifications');
    assert.ok(
      (notes.body.items as any[]).some(
        (n) => n.recordId === c.leadId || JSON.stringify(n).includes(c.leadId),
      ),
    );
    // The welcome message reached the chat through send_welcome_msg.
    assert.ok(
      ctx.corp.chat(userid, ext).some((m) => m.from === 'staff' && m.text === '您好，欢迎来到车展！'),
    );
    const stats = await ctx.admin.get(`/wecom/codes/${code.id}`);
    assert.equal(stats.body.addsToday, 1);
    const byDay = await ctx.admin.get(`/wecom/codes/${code.id}/stats`);
    assert.equal(byDay.body.days.at(-1).adds, 1);
  });

  it('tells the staff member and their manager when the customer deletes them, once', async () => {
    const user = ctx.corp.wechatUser({ name: '李娜' });
    const { external_userid: ext, userid } = await ctx.corp.scan(code.qrCode, user);
    await sim.flushCallbacks();
    await until('contact', ctx.seed.tenantId, async () => (await contactOf(ctx.admin, ext))?.leadId);
    const sc = ctx.corp as SimCorp & { customerDeletesStaff?: (e: string, u: string) => Promise<void> };
    if (sc.customerDeletesStaff) await sc.customerDeletesStaff(ext, userid);
    else {
      // The simulator's first cut has no del_follow_user yet: send WeCom's callback as it would.
      const t = String(Math.floor(Date.now() / 1000));
      const sealed = sealCallback(
        ctx.keys,
        `<xml><ToUserName><![CDATA[${ctx.corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>${t}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[del_follow_user]]></ChangeType><UserID><![CDATA[${userid}]]></UserID><ExternalUserID><![CDATA[${ext}]]></ExternalUserID></xml>`,
        t,
        'nonce1',
      );
      const r = await fetch(`${env.baseUrl}${ctx.callbackPath}?${new URLSearchParams(sealed.query)}`, {
        method: 'POST',
        body: sealed.body,
      });
      assert.equal(r.status, 200);
    }
    await sim.flushCallbacks();
    const lost = await until('lost', ctx.seed.tenantId, async () => {
      const x = await contactOf(ctx.admin, ext);
      return x?.status === 'lost' ? x : null;
    });
    assert.ok(lost.lostAt);
    const owner = await login(env, ctx.seed.slug, userid);
    const alerts = (await owner.get('/notifications')).body.items.filter(
      (n: any) => n.kind === 'wecom_contact_lost',
    );
    assert.equal(alerts.length, 1);
    assert.match(alerts[0].title, /李娜/);
    const manager = await inTenant(
      env.database.db,
      ctx.seed.tenantId,
      async (tx) =>
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from notifications where kind = 'wecom_contact_lost'
          and user_id <> ${ctx.dir.user(userid).id}`.execute(tx)
        ).rows[0]!.n,
    );
    assert.ok(manager >= 1, 'a manager is told too');
  });

  it('pools the lead of a staff member nobody is mapped to, and links no owner', async () => {
    const { external_userid: ext } = await ctx.corp.addFriendDirectly(
      'nobody',
      ctx.corp.wechatUser({ name: '刘强' }),
    );
    await sim.flushCallbacks();
    const c = await until(
      'contact',
      ctx.seed.tenantId,
      async () => (await contactOf(ctx.admin, ext))?.leadId && contactOf(ctx.admin, ext),
    );
    assert.equal(c.state, null);
    const lead = await ctx.admin.get(`/records/lead/${c.leadId}`);
    assert.equal(lead.body.channel, 'wecom');
  });

  it('refuses a state over 30 characters and a staff member outside the directory', async () => {
    const long = await ctx.admin.post('/wecom/codes', {
      corpRef: ctx.corpRef,
      name: 'x',
      state: 'a'.repeat(31),
      staff: ['sun.lei'],
    });
    assert.equal(long.status, 422);
    assert.equal(long.body.errors[0].field, 'state');
    const stranger = await ctx.admin.post('/wecom/codes', {
      corpRef: ctx.corpRef,
      name: 'x',
      state: 'x1',
      staff: ['ghost'],
    });
    assert.equal(stranger.status, 422);
    assert.equal(stranger.body.errors[0].field, 'staff');
    const taken = await ctx.admin.post('/wecom/codes', {
      corpRef: ctx.corpRef,
      name: 'x',
      state: 'expo-2026',
      staff: ['sun.lei'],
    });
    assert.equal(taken.status, 409);
  });
});

describe('WeCom connector reliability', () => {
  it('refreshes an expired token once and carries on', async () => {
    const { admin, corp, corpRef } = await boundCorp();
    assert.equal((await admin.post(`/wecom/corps/${corpRef}/staff/sync`)).status, 200);
    const before = { ...clientStats };
    await corp.advanceTime(7200 * 1000 + 1000);
    const again = await admin.post(`/wecom/corps/${corpRef}/staff/sync`);
    assert.equal(again.status, 200);
    assert.equal(clientStats.gettoken - before.gettoken, 1);
    assert.equal(clientStats.tokenRefreshes - before.tokenRefreshes, 1);
  });

  it('shares one token between concurrent callers: one gettoken, not one per caller', async () => {
    const { admin, corpRef, seed } = await boundCorp();
    forgetTokens();
    const before = clientStats.gettoken;
    const runs = await Promise.all(
      Array.from({ length: 5 }, () => admin.post(`/wecom/corps/${corpRef}/staff/sync`)),
    );
    assert.deepEqual(
      runs.map((r) => r.status),
      [200, 200, 200, 200, 200],
    );
    assert.equal(clientStats.gettoken - before, 1);
    // Another process finds it in the database, sealed.
    forgetTokens();
    assert.equal((await admin.post(`/wecom/corps/${corpRef}/staff/sync`)).status, 200);
    assert.equal(clientStats.gettoken - before, 1);
    const row = await inTenant(
      env.database.db,
      seed.tenantId,
      async (tx) =>
        (await sql<{ token: string }>`select token from wecom_tokens where corp_ref = ${corpRef}`.execute(tx))
          .rows[0]!,
    );
    assert.ok(row.token.startsWith('v1.'), 'the access token is sealed at rest');
  });

  it('backs off on 45009 and 45033 and succeeds', async () => {
    const { admin, corp, corpRef } = await boundCorp();
    assert.equal((await admin.post(`/wecom/corps/${corpRef}/staff/sync`)).status, 200);
    const before = clientStats.busyRetries;
    (corp as SimCorp).failNext('user/list', 45009, 2);
    const r = await admin.post(`/wecom/corps/${corpRef}/staff/sync`);
    assert.equal(r.status, 200);
    assert.equal(clientStats.busyRetries - before, 2);
    corp.failNext('user/list', 45033, 1);
    assert.equal((await admin.post(`/wecom/corps/${corpRef}/staff/sync`)).status, 200);
    assert.equal(clientStats.busyRetries - before, 3);
  });

  it('repairs lost callbacks by reconciliation, once', async () => {
    const ctx = await boundCorp();
    await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/staff/sync`);
    const code = await ctx.admin.post('/wecom/codes', {
      corpRef: ctx.corpRef,
      name: '门店',
      state: 'store-1',
      staff: ['zhao.jing'],
    });
    sim.setLossRate(1);
    const { external_userid: ext } = await ctx.corp.scan(
      code.body.qrCode,
      ctx.corp.wechatUser({ name: '杨帆' }),
    );
    await ctx.corp.addFriendDirectly('sun.lei', ctx.corp.wechatUser({ name: '陈静怡' }));
    await sim.flushCallbacks();
    sim.setLossRate(0);
    await drainBackground(env, ctx.seed.tenantId);
    assert.equal(await contactOf(ctx.admin, ext), undefined, 'the callback was lost');
    for (let round = 0; round < 2; round++) {
      const r = await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/reconcile`);
      assert.equal(r.status, 202, JSON.stringify(r.body));
      await drainBackground(env, ctx.seed.tenantId);
    }
    const c = await contactOf(ctx.admin, ext);
    assert.ok(c?.leadId && c.contactId, 'repaired into contact and lead');
    assert.equal(c.state, 'store-1');
    const all = (await ctx.admin.get('/wecom/contacts')).body.items;
    assert.equal(all.length, 2, 'both lost adds repaired, none twice');
    const leads = await inTenant(env.database.db, ctx.seed.tenantId, async (tx) =>
      Number(
        (
          await sql<{ n: number }>`select count(*)::int as n from leads where campaign = 'store-1'`.execute(
            tx,
          )
        ).rows[0]!.n,
      ),
    );
    assert.equal(leads, 1);
  });

  it('离职继承: a leaver’s customers go to a colleague when WeCom reports success, CRM owners follow', async () => {
    const ctx = await boundCorp();
    await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/staff/sync`);
    const { external_userid: ext } = await ctx.corp.addFriendDirectly(
      'sun.lei',
      ctx.corp.wechatUser({ name: '周游' }),
    );
    await sim.flushCallbacks();
    const before = await until(
      'contact',
      ctx.seed.tenantId,
      async () => (await contactOf(ctx.admin, ext))?.leadId && contactOf(ctx.admin, ext),
    );
    await ctx.corp.staffLeaves('sun.lei');
    await sim.flushCallbacks();
    await drainBackground(env, ctx.seed.tenantId);
    const open = await ctx.admin.get(`/wecom/corps/${ctx.corpRef}/unassigned`);
    assert.equal(open.status, 200, JSON.stringify(open.body));
    assert.deepEqual(
      open.body.items.map((i: any) => [i.handoverUserid, i.externalUserid, i.name]),
      [['sun.lei', ext, '周游']],
    );
    const same = await ctx.admin.post('/wecom/transfers', {
      corpRef: ctx.corpRef,
      kind: 'resigned',
      handoverUserid: 'sun.lei',
      takeoverUserid: 'sun.lei',
    });
    assert.equal(same.status, 422);
    const started = await ctx.admin.post('/wecom/transfers', {
      corpRef: ctx.corpRef,
      kind: 'resigned',
      handoverUserid: 'sun.lei',
      takeoverUserid: 'zhao.jing',
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.equal(started.body.started, 1);
    assert.equal((await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/transfers/poll`)).body.completed, 0);
    await ctx.corp.advanceTime(24 * 3_600_000 + 60_000);
    const polled = await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/transfers/poll`);
    assert.equal(polled.status, 200, JSON.stringify(polled.body));
    assert.equal(polled.body.completed, 1);
    const list = await ctx.admin.get(`/wecom/corps/${ctx.corpRef}/transfers`);
    assert.equal(list.body.items[0].status, 1);
    const after = await contactOf(ctx.admin, ext);
    assert.equal(after.userid, 'zhao.jing');
    const takeover = ctx.dir.user('zhao.jing').id;
    assert.equal((await ctx.admin.get(`/records/contact/${before.contactId}`)).body.ownerId, takeover);
    assert.equal((await ctx.admin.get(`/records/lead/${before.leadId}`)).body.ownerId, takeover);
    const audited = await inTenant(env.database.db, ctx.seed.tenantId, async (tx) =>
      Number(
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from audit_log where record_id in (${before.contactId}, ${before.leadId})
            and meta->>'via' = 'wecom_transfer_resigned'`.execute(tx)
        ).rows[0]!.n,
      ),
    );
    assert.equal(audited, 2);
  });

  it('keeps one corp’s contacts out of another dealer’s sight', async () => {
    const ctx = await boundCorp();
    await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/staff/sync`);
    const { external_userid: ext } = await ctx.corp.addFriendDirectly(
      'sun.lei',
      ctx.corp.wechatUser({ name: '黄丽' }),
    );
    await sim.flushCallbacks();
    await until('contact', ctx.seed.tenantId, async () => (await contactOf(ctx.admin, ext))?.leadId);
    // sun.lei works in EC-D1; the EC-D2 dealer sees neither the HQ corp nor its contacts.
    const other = await login(env, ctx.seed.slug, 'liu.yang');
    assert.deepEqual((await other.get('/wecom/contacts')).body.items, []);
    assert.equal((await other.get(`/wecom/corps/${ctx.corpRef}/staff`)).status, 404);
  });
});
