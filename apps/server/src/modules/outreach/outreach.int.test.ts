import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { WeComSimulator } from '@kehu/wecom-simulator';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import {
  type Client,
  drainBackground,
  login,
  newTenantWithAdmin,
  useTestEnv,
} from '../../testing/harness.ts';
import { advanceTo, newCustomer, newOpportunity } from '../sales/test-kit.ts';
import { bindSimulatedCorp, useWeComSimulator } from '../wecom/test-kit.ts';
import { alertOverdue, stageSopTasks } from './sop.service.ts';

const env = useTestEnv();
let sim: WeComSimulator;
useWeComSimulator(12, (s) => {
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

/** The pending scheduled result reads of a message (outreach:poll). */
async function pollJobs(messageId: string) {
  return inTenant(
    env.database.db,
    ctxTenant(),
    async (tx) =>
      (
        await sql<any>`select id, run_at, payload from jobs where queue = 'outreach:poll' and status = 'pending'
        and payload->>'messageId' = ${messageId}`.execute(tx)
      ).rows,
  );
}

/** Time passes: the scheduled read is due now, and the worker runs it. */
async function runPollNow(messageId: string) {
  await inTenant(env.database.db, ctxTenant(), (tx) =>
    sql`update jobs set run_at = now() where queue = 'outreach:poll' and status = 'pending'
      and payload->>'messageId' = ${messageId}`.execute(tx),
  );
  await drainBackground(env, ctxTenant());
}

let tenantOfTest = '';
const ctxTenant = () => tenantOfTest;

const byTarget = (detail: any) =>
  new Map<string, string>(detail.excluded.map((x: any) => [x.target, x.reason]));

describe('群发 and SOP (outreach)', () => {
  let ctx: Awaited<ReturnType<typeof bindSimulatedCorp>>;
  const ext: Record<string, string> = {};
  const profile: Record<string, string> = {};
  let segmentId: string;
  let tagId: string;
  let sun: Client;
  let first: any;

  before(async () => {
    ctx = await bindSimulatedCorp(env, sim, {
      prefix: 'wwout',
      syncStaff: true,
      extraStaff: [{ userid: 'hq.wang', name: '王总部' }],
    });
    const people: Array<[string, string, string]> = [
      ['a', 'sun.lei', '王先生'],
      ['b', 'sun.lei', '李女士'],
      ['c', 'sun.lei', '陈先生'],
      ['d', 'sun.lei', '周女士'],
      ['e', 'zhao.jing', '吴先生'],
      ['h', 'hq.wang', '郑女士'],
    ];
    for (const [k, staff, name] of people)
      ext[k] = (await ctx.corp.addFriendDirectly(staff, ctx.corp.wechatUser({ name }))).external_userid;
    const contacts = await until('contact profiles', ctx.seed.tenantId, async () => {
      const items = (await ctx.admin.get('/wecom/contacts')).body.items as any[];
      const ok = Object.values(ext).every((e) => items.find((x) => x.externalUserid === e)?.profileId);
      return ok && items;
    });
    for (const [k, e] of Object.entries(ext))
      profile[k] = contacts.find((x: any) => x.externalUserid === e).profileId;
    const tag = await ctx.admin.post('/cdp/tags', { key: 'spring_sale', name: '春季促销', kind: 'manual' });
    assert.equal(tag.status, 201, JSON.stringify(tag.body));
    tagId = tag.body.id;
    for (const id of Object.values(profile))
      assert.ok(
        (await ctx.admin.request('PUT', `/cdp/tags/${tagId}/subjects/${id}`, { on: true })).status < 300,
      );
    const seg = await ctx.admin.post('/cdp/segments', { name: '春季促销客户', rule: { tag: 'spring_sale' } });
    assert.equal(seg.status, 201, JSON.stringify(seg.body));
    segmentId = seg.body.id;
    // 李女士 withdraws marketing consent (PIPL); 陈先生 deletes his salesperson.
    const w = await ctx.admin.request('PUT', `/cdp/profiles/${profile.b}/consents/marketing`, {
      granted: false,
    });
    assert.ok(w.status < 300, JSON.stringify(w.body));
    await ctx.corp.customerDeletesStaff(ext.c, 'sun.lei');
    await until('lost contact', ctx.seed.tenantId, async () => {
      const items = (await ctx.admin.get('/wecom/contacts')).body.items as any[];
      return items.some((x) => x.externalUserid === ext.c && x.status !== 'active');
    });
    sun = await login(env, ctx.seed.slug, 'sun.lei');
    tenantOfTest = ctx.seed.tenantId;
  });

  it('plans a segment: who gets it from whom, the withdrawn consent and the deleted staff member excluded with reasons', async () => {
    const bad = await ctx.admin.post('/outreach/messages', { corpRef: ctx.corpRef, title: '空' });
    assert.equal(bad.status, 422, 'text or an attachment');
    const res = await ctx.admin.post('/outreach/messages', {
      corpRef: ctx.corpRef,
      title: '春季促销',
      text: '春季试驾活动，到店有礼',
      attachments: [{ msgtype: 'link', link: { title: '活动详情', url: 'https://example.com/spring' } }],
      audience: { kind: 'segment', segmentId },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    first = res.body;
    const reasons = byTarget(first);
    assert.equal(reasons.get(ext.b), 'no_consent', 'the customer who withdrew consent gets nothing');
    assert.equal(reasons.get(ext.c), 'deleted_staff');
    assert.equal(first.counts.planned, 4);
    assert.equal(first.counts.excluded, 2);
    assert.deepEqual(Object.fromEntries(first.staff.map((s: any) => [s.staffUserid, s.recipients])), {
      'sun.lei': 2,
      'zhao.jing': 1,
      'hq.wang': 1,
    });
    assert.equal(first.status, 'planned');
  });

  it('sends one task per staff member; staff confirm in WeCom; results come back', async () => {
    const sent = await ctx.admin.post(`/outreach/messages/${first.id}/send`);
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.equal(sent.body.status, 'sending');
    assert.equal(sent.body.counts.waiting, 4);
    const pending = ctx.corp.pendingMassMessages();
    const mine = pending.filter((m: any) => sent.body.staff.some((s: any) => s.msgids.includes(m.msgid)));
    assert.equal(mine.length, 3, 'one WeCom task per staff member');
    const sunTask = mine.find((m: any) => m.userid === 'sun.lei')!;
    assert.deepEqual([...sunTask.targets].sort(), [ext.a, ext.d].sort(), 'nobody excluded is in the task');
    await ctx.corp.confirmMassMessage(sunTask.msgid, 'sun.lei');
    const r = await ctx.admin.post(`/outreach/messages/${first.id}/refresh`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.counts.sent, 2);
    assert.equal(r.body.counts.waiting, 2);
    assert.equal(r.body.staff.find((s: any) => s.staffUserid === 'sun.lei').status, 'sent');
    for (const m of mine.filter((x: any) => x.userid !== 'sun.lei'))
      await ctx.corp.confirmMassMessage(m.msgid, m.userid);
    // Nobody presses refresh again: the scheduled read (every 10 minutes) finds the rest.
    const polls = await pollJobs(first.id);
    assert.equal(polls.length, 1, 'one scheduled read pending');
    assert.ok(new Date(polls[0].run_at).getTime() > Date.now(), 'in 10 minutes, not now');
    await runPollNow(first.id);
    const done = await ctx.admin.get(`/outreach/messages/${first.id}`);
    assert.equal(done.body.counts.sent, 4);
    assert.equal(done.body.status, 'sent');
    assert.equal((await pollJobs(first.id)).length, 0, 'all final: no more reads');
    assert.equal(
      (await ctx.admin.post(`/outreach/messages/${first.id}/cancel`)).status,
      409,
      'sent is final',
    );
  });

  it('holds to the monthly cap per customer', async () => {
    assert.equal(
      (
        await ctx.admin.request('PUT', '/outreach/settings', {
          quietStart: null,
          quietEnd: null,
          monthlyCap: 1,
        })
      ).status,
      200,
    );
    const bad = await ctx.admin.request('PUT', '/outreach/settings', {
      quietStart: null,
      quietEnd: null,
      monthlyCap: 5,
    });
    assert.equal(bad.status, 422, 'never above WeCom’s 4');
    const res = await ctx.admin.post('/outreach/messages', {
      corpRef: ctx.corpRef,
      title: '二次提醒',
      text: '活动最后三天',
      audience: { kind: 'tag', tagId },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const reasons = byTarget(res.body);
    for (const k of ['a', 'd', 'e', 'h']) assert.equal(reasons.get(ext[k]), 'monthly_cap', k);
    assert.equal(res.body.counts.planned, 0);
    const cancelled = await ctx.admin.post(`/outreach/messages/${res.body.id}/cancel`);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, 'cancelled');
  });

  it('moves a send inside quiet hours to the next window and cancels it before it goes', async () => {
    await ctx.admin.request('PUT', '/outreach/settings', {
      quietStart: '21:00',
      quietEnd: '08:00',
      monthlyCap: 4,
    });
    const day = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const res = await ctx.admin.post('/outreach/messages', {
      corpRef: ctx.corpRef,
      title: '晚间',
      text: '晚上好',
      audience: { kind: 'tag', tagId },
      sendAt: `${day}T14:30:00.000Z`, // 22:30 China time
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.quietHoursMoved, true);
    const next = new Date(`${day}T00:00:00.000Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    assert.equal(res.body.scheduledAt, next.toISOString(), '08:00 China time the next day');
    const s = await ctx.admin.post(`/outreach/messages/${res.body.id}/send`);
    assert.equal(s.body.status, 'scheduled');
    const before = ctx.corp.pendingMassMessages().length;
    const c = await ctx.admin.post(`/outreach/messages/${res.body.id}/cancel`);
    assert.equal(c.body.status, 'cancelled');
    assert.equal(ctx.corp.pendingMassMessages().length, before, 'nothing reached WeCom');
    await ctx.admin.request('PUT', '/outreach/settings', { quietStart: null, quietEnd: null, monthlyCap: 4 });
  });

  it('cancels a sent message before the staff confirm (cancel_groupmsg_send)', async () => {
    await inTenant(env.database.db, ctx.seed.tenantId, (tx) =>
      sql`update outreach_recipients set planned_at = planned_at - interval '40 days'`.execute(tx),
    );
    const res = await ctx.admin.post('/outreach/messages', {
      corpRef: ctx.corpRef,
      title: '取消测试',
      text: '测试',
      audience: { kind: 'filter', staff: ['zhao.jing'] },
    });
    assert.equal(res.body.counts.planned, 1, JSON.stringify(res.body));
    const s = await ctx.admin.post(`/outreach/messages/${res.body.id}/send`);
    const msgid = s.body.staff[0].msgids[0];
    assert.ok(ctx.corp.pendingMassMessages('zhao.jing').some((m: any) => m.msgid === msgid));
    // Unconfirmed, the reads go on every 10 minutes …
    await runPollNow(res.body.id);
    const next = await pollJobs(res.body.id);
    assert.equal(next.length, 1, 'still waiting for 赵静: read again later');
    assert.equal(next[0].payload.round, 2);
    // … but not after 3 days (WeCom's task is closed by then).
    await inTenant(env.database.db, ctx.seed.tenantId, (tx) =>
      sql`update jobs set payload = jsonb_set(payload, '{until}', to_jsonb((now() - interval '1 minute')::text))
        where id = ${next[0].id}`.execute(tx),
    );
    await runPollNow(res.body.id);
    assert.equal((await pollJobs(res.body.id)).length, 0, 'gives up after 3 days');
    const c = await ctx.admin.post(`/outreach/messages/${res.body.id}/cancel`);
    assert.equal(c.status, 200, JSON.stringify(c.body));
    assert.ok(
      !ctx.corp.pendingMassMessages('zhao.jing').some((m: any) => m.msgid === msgid),
      'stopped in WeCom',
    );
  });

  it('a salesperson’s audience holds only their own customers; others’ messages and other tenants are 404', async () => {
    const hqCorp = await sun.post('/outreach/messages', {
      corpRef: ctx.corpRef,
      title: '总部企业',
      text: '您好',
    });
    assert.equal(hqCorp.status, 404, 'the HQ corp is not the dealer salesperson’s to send through');
    // Bound at the salesperson's dealer instead, they may use it — for their own customers only
    // (the contacts keep the units they were added in: 王总部's customer stays HQ's).
    await inTenant(env.database.db, ctx.seed.tenantId, (tx) =>
      sql`update wecom_corps set unit_id = ${ctx.dir.unit('EC-D1-S1')} where id = ${ctx.corpRef}`.execute(tx),
    );
    const res = await sun.post('/outreach/messages', {
      corpRef: ctx.corpRef,
      title: '我的客户',
      text: '您好',
      audience: { kind: 'segment', segmentId },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const all = [
      ...res.body.staff.map((s: any) => s.staffUserid),
      ...res.body.excluded.map((x: any) => x.target),
    ];
    assert.deepEqual(
      res.body.staff.map((s: any) => s.staffUserid),
      ['sun.lei'],
    );
    assert.ok(
      !all.includes(ext.h) && !all.includes(ext.e),
      'no HQ or colleague customers, not even as exclusions',
    );
    assert.equal(
      (await sun.get(`/outreach/messages/${first.id}`)).status,
      404,
      'the HQ message is not theirs',
    );
    assert.ok(!(await sun.get('/outreach/messages')).body.items.some((m: any) => m.id === first.id));
    const other = await newTenantWithAdmin(env, 1);
    assert.equal((await other.admin.get(`/outreach/messages/${first.id}`)).status, 404);
    assert.equal((await other.admin.post(`/outreach/messages/${first.id}/send`)).status, 404);
  });

  it('SOP: a new contact makes tasks at the step offsets; overdue alerts; done once; completion by staff', async () => {
    const rule = await ctx.admin.post('/outreach/sop/rules', {
      name: '新客户跟进',
      trigger: { on: 'contact_added' },
      steps: [
        { dayOffset: 0, hour: 18, kind: 'send_text', content: '欢迎，这是到店路线' },
        { dayOffset: 2, hour: 10, kind: 'call', content: '电话回访试驾意向' },
      ],
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    const bad = await ctx.admin.post('/outreach/sop/rules', {
      name: 'x',
      trigger: { on: 'contact_added' },
      steps: [],
    });
    assert.equal(bad.status, 422);
    const n = await ctx.corp.addFriendDirectly('sun.lei', ctx.corp.wechatUser({ name: '冯先生' }));
    await until('contact', ctx.seed.tenantId, async () =>
      ((await ctx.admin.get('/wecom/contacts')).body.items as any[]).some(
        (x) => x.externalUserid === n.external_userid,
      ),
    );
    await ctx.admin.post('/outreach/sop/rules', {
      name: '触发',
      enabled: false,
      trigger: { on: 'contact_added' },
      steps: [{ dayOffset: 0, kind: 'custom', content: '-' }],
    });
    const tasks = await until('sop tasks', ctx.seed.tenantId, async () => {
      const t = (await sun.get('/outreach/sop/tasks/mine')).body.items as any[];
      return t.length === 2 && t;
    });
    assert.deepEqual(
      tasks.map((t: any) => t.target),
      [n.external_userid, n.external_userid],
    );
    const added = await inTenant(
      env.database.db,
      ctx.seed.tenantId,
      async (tx) =>
        (
          await sql<{ d: string }>`select to_char(added_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as d
          from wecom_external_contacts where external_userid = ${n.external_userid}`.execute(tx)
        ).rows[0]!.d,
    );
    const at = (d: number, h: number) => {
      const x = new Date(`${added}T00:00:00+08:00`);
      return new Date(x.getTime() + (d * 24 + h) * 3_600_000).toISOString();
    };
    assert.equal(tasks[0].dueAt, at(0, 18));
    assert.equal(tasks[1].dueAt, at(2, 10));
    assert.equal(
      (await ctx.admin.get('/outreach/sop/tasks/mine')).body.items.length,
      0,
      'only the staff member’s',
    );
    // The 15-minute job may have alerted it already (its due time can be past by the wall clock).
    await inTenant(env.database.db, ctx.seed.tenantId, (tx) =>
      alertOverdue(tx, ctx.seed.tenantId, new Date(Date.parse(tasks[0].dueAt) + 60_000)),
    );
    const again = await inTenant(env.database.db, ctx.seed.tenantId, (tx) =>
      alertOverdue(tx, ctx.seed.tenantId, new Date(Date.parse(tasks[0].dueAt) + 60_000)),
    );
    assert.equal(again, 0, 'alerted once');
    const notes = await inTenant(
      env.database.db,
      ctx.seed.tenantId,
      async (tx) =>
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from notifications where kind = 'sop_overdue' and record_id = ${tasks[0].id}`.execute(
            tx,
          )
        ).rows[0]!.n,
    );
    assert.equal(notes, 1);
    const done = await sun.post(`/outreach/sop/tasks/${tasks[0].id}/sent`);
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.status, 'sent');
    assert.equal((await sun.post(`/outreach/sop/tasks/${tasks[0].id}/done`)).status, 409);
    assert.equal((await ctx.admin.post(`/outreach/sop/tasks/${tasks[1].id}/done`)).status, 404, 'not theirs');
    const c = await ctx.admin.get('/outreach/sop/completion');
    assert.equal(c.status, 200);
    const row = c.body.items.find((x: any) => x.name === '孙磊');
    assert.ok(
      row && row.total === 1 && row.done === 1 && row.rate === 1,
      'tasks due so far: the day-2 call is not due yet',
    );
  });
  it('SOP on an opportunity stage: moving to 方案 makes the day-0 material and day-2 call for the WeCom owner, once', async () => {
    const rule = await ctx.admin.post('/outreach/sop/rules', {
      name: '方案阶段跟进',
      trigger: { on: 'opportunity_stage', stage: 'solution' },
      steps: [
        { dayOffset: 0, hour: 14, kind: 'send_text', content: '发送《SUV 购车方案》' },
        { dayOffset: 2, hour: 10, kind: 'call', content: '电话确认方案意见' },
      ],
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    await ctx.admin.post('/outreach/sop/rules', {
      name: '谈判阶段',
      trigger: { on: 'opportunity_stage', stage: 'closing' },
      steps: [{ dayOffset: 0, kind: 'custom', content: '不应出现' }],
    });
    const bad = await ctx.admin.post('/outreach/sop/rules', {
      name: 'x',
      trigger: { on: 'opportunity_stage' },
      steps: [{ dayOffset: 0, kind: 'custom', content: '-' }],
    });
    assert.equal(bad.status, 422, 'a stage trigger names its stage');
    // 孙磊 links 王先生 (his WeCom friend) to a customer with an opportunity, then moves it to 方案.
    const customerId = await newCustomer(sun as any);
    await inTenant(env.database.db, ctx.seed.tenantId, (tx) =>
      sql`update contacts set customer_id = ${customerId} where id = (select contact_id from wecom_external_contacts
        where external_userid = ${ext.a} and userid = 'sun.lei')`.execute(tx),
    );
    const opp = await newOpportunity(sun as any, customerId, 300_000);
    const before = ((await sun.get('/outreach/sop/tasks/mine')).body.items as any[]).length;
    await advanceTo(sun as any, opp.id, 'solution');
    const tasks = await until('stage SOP tasks', ctx.seed.tenantId, async () => {
      const t = ((await sun.get('/outreach/sop/tasks/mine')).body.items as any[]).filter(
        (x) => x.ruleName === '方案阶段跟进',
      );
      return t.length === 2 && t;
    });
    assert.deepEqual(
      tasks.map((t: any) => [t.target, t.kind, t.content]),
      [
        [ext.a, 'send_text', '发送《SUV 购车方案》'],
        [ext.a, 'call', '电话确认方案意见'],
      ],
    );
    assert.equal(
      Date.parse(tasks[1].dueAt) - Date.parse(tasks[0].dueAt),
      (2 * 24 - 4) * 3_600_000,
      'day 2 at 10:00 after day 0 at 14:00',
    );
    const all = (await sun.get('/outreach/sop/tasks/mine')).body.items as any[];
    assert.equal(all.length, before + 2, 'no task from the 谈判 rule');
    // The event delivered again (at least once): nothing more.
    const again = await inTenant(env.database.db, ctx.seed.tenantId, async (tx) => {
      const e = (
        await sql<any>`select payload, created_at from outbox where type = 'opportunity.stage_changed'
          and record_id = ${opp.id} order by id desc limit 1`.execute(tx)
      ).rows[0];
      return stageSopTasks(tx, ctx.seed.tenantId, {
        customerId,
        stage: 'solution',
        ownerId: e.payload.ownerId,
        at: new Date(e.created_at).toISOString(),
      });
    });
    assert.equal(again, 0);
  });
});
