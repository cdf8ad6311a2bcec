import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WeComSimulator } from '@kehu/wecom-simulator';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { type Client, drainBackground, useTestEnv } from '../../testing/harness.ts';
import { bindSimulatedCorp, useWeComSimulator } from './simulator-fixture.ts';

/**
 * 在职继承, transfer_fail, group transfers, the disable-user prompt and the contact outbox events,
 * against the WeCom simulator over real HTTP. Time in WeCom moves with advanceTime, never sleeps.
 */
const env = useTestEnv();
let sim: WeComSimulator;
useWeComSimulator(7, (s) => {
  sim = s;
});
const DAY = 24 * 3_600_000;
const boundCorp = () => bindSimulatedCorp(env, sim, { prefix: 'wwxfer', syncStaff: true });
type Ctx = Awaited<ReturnType<typeof boundCorp>>;

async function until<T>(what: string, tenantId: string, probe: () => Promise<T | null | undefined | false>) {
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
  return (r.body.items as any[]).find((c) => c.externalUserid === ext && c.status === 'active');
}

async function customerOf(ctx: Ctx, userid: string, name: string) {
  const { external_userid: ext } = await ctx.corp.addFriendDirectly(userid, ctx.corp.wechatUser({ name }));
  await sim.flushCallbacks();
  return until('contact', ctx.seed.tenantId, async () => {
    const c = await contactOf(ctx.admin, ext);
    return c?.contactId ? c : null;
  });
}

const onjob = (ctx: Ctx, from: string, to: string, ext: string) =>
  ctx.admin.post('/wecom/transfers', {
    corpRef: ctx.corpRef,
    kind: 'onjob',
    handoverUserid: from,
    takeoverUserid: to,
    externalUserids: [ext],
    message: '您好，后续由我的同事为您服务',
  });

async function outbox(ctx: Ctx, type: string) {
  return inTenant(env.database.db, ctx.seed.tenantId, async (tx) =>
    (
      await sql<{
        payload: any;
      }>`select payload from outbox where tenant_id = ${ctx.seed.tenantId} and type = ${type}
        order by created_at`.execute(tx)
    ).rows.map((r) => r.payload),
  );
}

describe('在职继承 (in-service transfer)', () => {
  it('moves a customer to a colleague after 24 h, CRM owner follows, event emitted; a third transfer in 90 days is refused', async () => {
    const ctx = await boundCorp();
    const c = await customerOf(ctx, 'sun.lei', '钱多多');
    const ext = c.externalUserid;
    const picks = await ctx.admin.get(`/wecom/corps/${ctx.corpRef}/staff/sun.lei/transfer-candidates`);
    assert.equal(picks.status, 200, JSON.stringify(picks.body));
    assert.deepEqual(
      picks.body.items.map((i: any) => [i.externalUserid, i.remainingTransfers]),
      [[ext, 2]],
    );
    const first = await onjob(ctx, 'sun.lei', 'zhao.jing', ext);
    assert.equal(first.status, 202, JSON.stringify(first.body));
    assert.equal(first.body.started, 1);
    await ctx.corp.advanceTime(DAY + 60_000);
    assert.equal((await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/transfers/poll`)).body.completed, 1);
    const moved = await contactOf(ctx.admin, ext);
    assert.equal(moved.userid, 'zhao.jing');
    const zhao = ctx.dir.user('zhao.jing').id;
    assert.equal((await ctx.admin.get(`/records/contact/${c.contactId}`)).body.ownerId, zhao);
    const events = await outbox(ctx, 'wecom.contact.transferred');
    assert.equal(events.length, 1);
    assert.equal(events[0].kind, 'onjob');
    assert.equal(events[0].takeoverUserid, 'zhao.jing');
    assert.equal(events[0].ownerId, zhao);
    assert.equal((await outbox(ctx, 'wecom.contact.added')).length, 1);

    const back = await onjob(ctx, 'zhao.jing', 'sun.lei', ext);
    assert.equal(back.body.started, 1, JSON.stringify(back.body));
    await ctx.corp.advanceTime(DAY + 60_000);
    await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/transfers/poll`);
    const left = await ctx.admin.get(`/wecom/corps/${ctx.corpRef}/staff/sun.lei/transfer-candidates`);
    assert.equal(left.body.items[0].remainingTransfers, 0);

    const third = await onjob(ctx, 'sun.lei', 'zhao.jing', ext);
    assert.equal(third.status, 422, JSON.stringify(third.body));
    assert.equal(third.body.errors[0].field, 'externalUserids');
    assert.equal(third.body.errors[0].code, 'transfer_limit_90d');
    assert.match(third.body.errors[0].message, /90 天内已被在职继承 2 次/);
    ctx.admin.locale = 'en-US';
    const en = await onjob(ctx, 'sun.lei', 'zhao.jing', ext);
    ctx.admin.locale = 'zh-CN';
    assert.match(en.body.errors[0].message, /twice in 90 days/);
    // Nothing was started in WeCom for the refused third.
    assert.equal(ctx.corp.transferResults().filter((t) => t.external_userid === ext).length, 2);
  });

  it('transfer_fail: a refusing customer leaves the transfer failed with the reason, the owner unchanged, the initiator told', async () => {
    const ctx = await boundCorp();
    const c = await customerOf(ctx, 'sun.lei', '李拒绝');
    const sun = ctx.dir.user('sun.lei').id;
    assert.equal((await onjob(ctx, 'sun.lei', 'zhao.jing', c.externalUserid)).status, 202);
    await ctx.corp.customerRefusesTransfer(c.externalUserid);
    await sim.flushCallbacks();
    const row = await until('failed transfer', ctx.seed.tenantId, async () => {
      const l = await ctx.admin.get(`/wecom/corps/${ctx.corpRef}/transfers`);
      return (l.body.items as any[]).find((t) => t.status === 3);
    });
    assert.equal(row.failReason, 'customer_refused');
    assert.equal((await contactOf(ctx.admin, c.externalUserid)).userid, 'sun.lei');
    assert.equal((await ctx.admin.get(`/records/contact/${c.contactId}`)).body.ownerId, sun);
    const notes = await ctx.admin.get('/notifications');
    assert.equal(notes.status, 200, JSON.stringify(notes.body));
    const note = (notes.body.items as any[]).find((n) => n.kind === 'wecom_transfer_failed');
    assert.ok(note, JSON.stringify(notes.body.items));
    assert.match(note.title, /转接失败/);
    // Polling later changes nothing: the row is no longer under way.
    await ctx.corp.advanceTime(DAY + 60_000);
    assert.equal((await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/transfers/poll`)).body.completed, 0);
  });

  it('keeps another dealer’s customers and corp out of reach (404)', async () => {
    const mine = await boundCorp();
    const theirs = await boundCorp();
    const c = await customerOf(theirs, 'sun.lei', '别家客户');
    const viaMine = await onjob(mine, 'sun.lei', 'zhao.jing', c.externalUserid);
    assert.equal(viaMine.status, 404, JSON.stringify(viaMine.body));
    const viaTheirs = await mine.admin.post('/wecom/transfers', {
      corpRef: theirs.corpRef,
      kind: 'onjob',
      handoverUserid: 'sun.lei',
      takeoverUserid: 'zhao.jing',
      externalUserids: [c.externalUserid],
    });
    assert.equal(viaTheirs.status, 404);
    assert.equal(
      (await mine.admin.get(`/wecom/corps/${theirs.corpRef}/staff/sun.lei/transfer-candidates`)).status,
      404,
    );
    const groups = await mine.admin.post('/wecom/group-transfers', {
      corpRef: theirs.corpRef,
      kind: 'onjob',
      chatIds: ['wrxxx'],
      newOwner: 'zhao.jing',
    });
    assert.equal(groups.status, 404);
    assert.equal(theirs.corp.transferResults().length, 0);
  });
});

describe('group owner transfers', () => {
  it('moves groups of an active owner (onjob_transfer) and of a leaver (transfer), audited; wrong kind is reported per group', async () => {
    const ctx = await boundCorp();
    const a = await ctx.corp.createGroup('sun.lei', '车主群 A');
    const b = await ctx.corp.createGroup('sun.lei', '车主群 B');
    assert.equal((await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/groups/sync`)).status, 200);
    const wrong = await ctx.admin.post('/wecom/group-transfers', {
      corpRef: ctx.corpRef,
      kind: 'resigned',
      chatIds: [a.chat_id],
      newOwner: 'zhao.jing',
    });
    assert.equal(wrong.status, 200, JSON.stringify(wrong.body));
    assert.equal(wrong.body.transferred, 0);
    assert.equal(wrong.body.failed[0].errcode, 90500);
    const ok = await ctx.admin.post('/wecom/group-transfers', {
      corpRef: ctx.corpRef,
      kind: 'onjob',
      chatIds: [a.chat_id],
      newOwner: 'zhao.jing',
    });
    assert.equal(ok.body.transferred, 1, JSON.stringify(ok.body));
    assert.equal(ctx.corp.groups().find((g) => g.chat_id === a.chat_id)!.owner, 'zhao.jing');
    await ctx.corp.staffLeaves('sun.lei');
    const resigned = await ctx.admin.post('/wecom/group-transfers', {
      corpRef: ctx.corpRef,
      kind: 'resigned',
      chatIds: [b.chat_id],
      newOwner: 'zhao.jing',
    });
    assert.equal(resigned.body.transferred, 1, JSON.stringify(resigned.body));
    const audited = await inTenant(env.database.db, ctx.seed.tenantId, async (tx) =>
      (
        await sql<{
          via: string;
        }>`select meta->>'via' as via from audit_log where object = 'wecom_group' order by 1`.execute(tx)
      ).rows.map((r) => r.via),
    );
    assert.deepEqual(audited, ['wecom_group_transfer_onjob', 'wecom_group_transfer_resigned']);
  });
});

describe('disabling a user who holds WeCom customers', () => {
  it('prompts with the counts and a link to the transfers page; a user with nothing gets no prompt', async () => {
    const ctx = await boundCorp();
    await customerOf(ctx, 'sun.lei', '周一');
    await customerOf(ctx, 'sun.lei', '周二');
    await ctx.corp.createGroup('sun.lei', '车主群');
    await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/groups/sync`);
    const sun = ctx.dir.user('sun.lei').id;
    assert.equal((await ctx.admin.patch(`/admin/users/${sun}`, { status: 'disabled' })).status, 200);
    const check = await ctx.admin.get(`/admin/users/${sun}/disable-check`);
    assert.equal(check.status, 200, JSON.stringify(check.body));
    assert.equal(check.body.items.length, 1);
    assert.deepEqual(check.body.items[0].counts, { customers: 2, groups: 1 });
    assert.equal(check.body.items[0].link, `/wecom/transfers?corp=${ctx.corpRef}&handover=sun.lei`);
    assert.match(check.body.items[0].message, /2 位客户、1 个客户群/);
    const nobody = await ctx.admin.get(`/admin/users/${ctx.dir.user('zhao.jing').id}/disable-check`);
    assert.deepEqual(nobody.body.items, []);
    const other = await boundCorp();
    assert.equal((await other.admin.get(`/admin/users/${sun}/disable-check`)).status, 404);
  });
});

describe('customer remarks (客户备注) both ways', () => {
  it('a Kehu edit reaches WeCom and the CRM phone; a WeCom edit comes back; the later write wins', async () => {
    const ctx = await boundCorp();
    const c = await customerOf(ctx, 'sun.lei', '吴先生');
    const ext = c.externalUserid;
    const tooLong = await ctx.admin.request('PUT', '/wecom/contact-remarks', {
      corpRef: ctx.corpRef,
      externalUserid: ext,
      userid: 'sun.lei',
      remark: '这是一个超过二十个字符的备注内容用于测试长度限制',
    });
    assert.equal(tooLong.status, 422, JSON.stringify(tooLong.body));
    assert.equal(tooLong.body.errors[0].field, 'remark');
    assert.ok(tooLong.body.errors[0].message);
    const edited = await ctx.admin.request('PUT', '/wecom/contact-remarks', {
      corpRef: ctx.corpRef,
      externalUserid: ext,
      userid: 'sun.lei',
      remark: '吴总',
      description: '关注 SUV，周末到店',
      remarkMobiles: ['13900139011'],
    });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    const contact = await ctx.admin.get(`/records/contact/${c.contactId}`);
    assert.equal(contact.body.phone, '13900139011');
    // WeCom's side now holds Kehu's write.
    const inWecom = ctx.corp.externalContacts().find((x) => x.external_userid === ext)!;
    const mine = inWecom.follow_users.find((u) => u.userid === 'sun.lei')!;
    assert.equal(mine.remark, '吴总');
    assert.deepEqual(mine.remark_mobiles, ['13900139011']);

    // The staff member edits in WeCom afterwards (same second or later): WeCom wins.
    await ctx.corp.staffEditsContact('sun.lei', ext, { remark: '吴总（VIP）' });
    await sim.flushCallbacks();
    await until('remark from WeCom', ctx.seed.tenantId, async () => {
      const row = await inTenant(
        env.database.db,
        ctx.seed.tenantId,
        async (tx) =>
          (
            await sql<{
              remark: string;
            }>`select remark from wecom_external_contacts where external_userid = ${ext}`.execute(tx)
          ).rows[0],
      );
      return row?.remark === '吴总（VIP）';
    });

    const other = await boundCorp();
    const foreign = await other.admin.request('PUT', '/wecom/contact-remarks', {
      corpRef: ctx.corpRef,
      externalUserid: ext,
      userid: 'sun.lei',
      remark: '越权',
    });
    assert.equal(foreign.status, 404);
  });
});
