import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JourneyDefinition } from '@kehu/contracts/journeys';
import { type SmsSimulator, startSmsSimulator } from '@kehu/sms-simulator';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';
import { uniqueMobile } from '../../testing/fixtures.ts';
import { type Client, drainBackground, login, useTestEnv } from '../../testing/harness.ts';
import { allowOutboundHost } from '../../testing/outbound-allow.ts';
import { sendBatch, tenantWithSource } from '../cdp/test-kit.ts';
import { amountOff } from '../coupons/test-kit.ts';
import { advanceDue } from './advance.job.ts';
import { scanEvents } from './triggers.ts';

/**
 * Issue 12's story, end to end over HTTP, PostgreSQL and the Aliyun SMS simulator: a marketer builds
 * "保险 30 天内到期 → 企微提醒 by the owner → wait 3 days → not booked → SMS with a coupon → goal 预约保养",
 * a vehicle enters, the owner gets the task, the SMS carries a coupon code, the coupon is redeemed on an
 * order, the goal is counted with the order's revenue; a profile that withdrew consent is skipped with
 * the reason shown.
 */
const env = useTestEnv();
const DAY = 86_400_000;
const label = (zh: string, en: string) => ({ 'zh-CN': zh, 'en-US': en });
const BOOKED = '预约保养';
type Node = JourneyDefinition['graph']['nodes'][number];
const n = (id: string, data: Node['data']): Node => ({ id, data, position: { x: 0, y: 0 } });

const ok = async (p: Promise<{ status: number; body: any }>, status = [200, 201, 204]) => {
  const r = await p;
  assert.ok(status.includes(r.status), `${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
};

describe('journeys: the insurance-expiry story (issue 12)', () => {
  let sim: SmsSimulator;
  let restoreAllow = () => {};
  let admin: Client;
  let sun: Client;
  let key: string;
  let tenantId: string;
  const q = <T>(fn: (tx: any) => Promise<T>) => inTenant(env.database.db, tenantId, fn);

  before(async () => {
    sim = await startSmsSimulator();
    restoreAllow = allowOutboundHost(new URL(sim.url).host);
    const t = await tenantWithSource(env, 0);
    admin = t.admin;
    key = t.key;
    tenantId = t.tenantId;
    sun = await login(env, t.seed.slug, 'sun.lei');
    const acc = await ok(
      admin.request('PUT', '/messaging/sms-account', {
        endpoint: sim.url,
        accessKeyId: `LTAI${tenantId.slice(0, 8)}`,
        accessKeySecret: 'sms-secret',
        signName: '示例集团',
        textTemplate: 'SMS_TEXT',
      }),
    );
    sim.addAccount({
      accessKeyId: `LTAI${tenantId.slice(0, 8)}`,
      accessKeySecret: 'sms-secret',
      signNames: ['示例集团'],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Aliyun's template placeholder
      templates: { SMS_TEXT: '${text}' },
      reportUrl: `${env.baseUrl}${acc.receiptPath}`,
    });
  });
  after(async () => {
    await sim.close();
    restoreAllow();
  });

  it('reminds through the owner, sends the coupon by SMS when not booked, counts the goal and its revenue, and skips the withdrawn', async () => {
    // The marketer's vehicles object (insurance expiry, owner) and the segment 保险 30 天内到期.
    await ok(
      admin.post('/meta/objects', {
        apiName: 'vehicle',
        label: label('车辆', 'Vehicle'),
        pluralLabel: label('车辆', 'Vehicles'),
      }),
    );
    for (const f of [
      { apiName: 'owner_customer', type: 'lookup', label: label('车主', 'Owner'), lookupObject: 'customer' },
      { apiName: 'insurance_expiry', type: 'date', label: label('保险到期日', 'Insurance expiry') },
    ])
      await ok(admin.post('/meta/objects/vehicle/fields', f));
    const seg = await ok(
      admin.post('/cdp/segments', {
        name: '保险 30 天内到期',
        object: 'vehicle',
        purpose: 'service',
        rule: { trait: 'c_insurance_expiry', op: 'withinNext', days: 30 },
      }),
    );
    const tpl = await ok(admin.post('/coupon-templates', amountOff('保养立减 20 元')));

    const id = (
      await ok(
        admin.post('/journeys', {
          name: '保险到期提醒',
          definition: {
            trigger: { kind: 'segment', segmentId: seg.id, on: 'enter' },
            graph: {
              nodes: [
                n('in', { kind: 'entry' }),
                n('remind', {
                  kind: 'send',
                  channel: 'wecom_private',
                  purpose: 'marketing',
                  content: { text: '{{name}}您好，您的爱车保险即将到期，需要为您预约续保和保养吗？' },
                  onSkip: 'continue',
                }),
                n('wait', { kind: 'wait', mode: 'duration', duration: { amount: 3, unit: 'days' } }),
                n('booked', {
                  kind: 'condition',
                  rule: { event: BOOKED, withinDays: 7, op: 'gte', value: 1 },
                }),
                n('sms', {
                  kind: 'send',
                  channel: 'sms',
                  purpose: 'marketing',
                  content: { text: '{{name}}您好，送您保养券 {{coupon_code}}，预约保养到店使用。' },
                  couponTemplateId: tpl.id,
                  onSkip: 'continue',
                }),
                n('done', { kind: 'exit' }),
                n('out', { kind: 'exit' }),
              ],
              edges: [
                { id: 'e1', source: 'in', target: 'remind', sourceHandle: 'next' },
                { id: 'e2', source: 'remind', target: 'wait', sourceHandle: 'next' },
                { id: 'e3', source: 'wait', target: 'booked', sourceHandle: 'next' },
                { id: 'e4', source: 'booked', target: 'done', sourceHandle: 'yes' },
                { id: 'e5', source: 'booked', target: 'sms', sourceHandle: 'no' },
                { id: 'e6', source: 'sms', target: 'out', sourceHandle: 'next' },
              ],
            },
            goal: { kind: 'event', event: BOOKED, where: [], windowDays: 30, exitOnGoal: true },
            reentry: { policy: 'never' },
            holdoutPercent: 0,
          },
        }),
      )
    ).id as string;
    await ok(admin.post(`/journeys/${id}/publish`));

    // Two customers of 孙磊, each with a WeCom relation to him and a car; 李女士 withdrew marketing consent.
    const phones = { wang: uniqueMobile(), li: uniqueMobile() };
    const wang = await ok(
      sun.post('/records/customer', { name: '王先生', kind: 'person', phone: phones.wang }),
    );
    const li = await ok(sun.post('/records/customer', { name: '李女士', kind: 'person', phone: phones.li }));
    await drainBackground(env, tenantId);
    const profileOf = (customerId: string) =>
      q(
        async (tx) =>
          (
            await sql<{ id: string }>`select profile_id as id from cdp_profile_links
              where tenant_id = ${tenantId} and object = 'customer' and record_id = ${customerId}`.execute(tx)
          ).rows[0]!.id,
      );
    const [pWang, pLi] = [await profileOf(wang.id), await profileOf(li.id)];
    await q(async (tx) => {
      const sunUser = (await sql<any>`select id, unit_id from users where login = 'sun.lei'`.execute(tx))
        .rows[0];
      const corp = newId();
      await sql`insert into wecom_staff (tenant_id, corp_ref, userid, name, user_id)
        values (${tenantId}, ${corp}, 'sun.lei', '孙磊', ${sunUser.id})`.execute(tx);
      await sql`insert into wecom_external_contacts (tenant_id, corp_ref, external_userid, userid, unit_id, name, profile_id, status)
        values (${tenantId}, ${corp}, 'wmSTORYWANG', 'sun.lei', ${sunUser.unit_id}, '王先生', ${pWang}, 'active'),
               (${tenantId}, ${corp}, 'wmSTORYLI', 'sun.lei', ${sunUser.unit_id}, '李女士', ${pLi}, 'active')`.execute(
        tx,
      );
    });
    await ok(admin.request('PUT', `/cdp/profiles/${pLi}/consents/marketing`, { granted: false }));
    // The owners' app identifies them by phone: the same profiles, so their events count.
    await sendBatch(env, key, [
      { type: 'identify', userId: `story-wang-${tenantId}`, traits: { phone: phones.wang } },
      { type: 'identify', userId: `story-li-${tenantId}`, traits: { phone: phones.li } },
    ]);
    await drainBackground(env, tenantId);

    // The cars: insurance ends in 25 days (in the segment) and, for a third one, in 60 (not).
    const inDays = (d: number) => new Date(Date.now() + d * DAY + 8 * 3_600_000).toISOString().slice(0, 10);
    for (const v of [
      { name: '沪A·25001', c_owner_customer: wang.id, c_insurance_expiry: inDays(25) },
      { name: '沪A·25002', c_owner_customer: li.id, c_insurance_expiry: inDays(25) },
      { name: '沪A·60001', c_owner_customer: wang.id, c_insurance_expiry: inDays(60) },
    ])
      await ok(admin.post('/records/vehicle', v));
    await drainBackground(env, tenantId);
    await advanceDue(env.database.db, tenantId);
    await drainBackground(env, tenantId);

    const runs = () =>
      q(
        async (tx) =>
          (
            await sql<any>`select profile_id, status, step_id, converted_at from journey_runs
              where tenant_id = ${tenantId} and journey_id = ${id}`.execute(tx)
          ).rows,
      );
    let r = await runs();
    assert.deepEqual(r.map((x) => x.profile_id).sort(), [pWang, pLi].sort(), 'each owner enters once');
    assert.ok(
      r.every((x) => x.status === 'waiting' && x.step_id === 'wait'),
      JSON.stringify(r),
    );

    // The owner, 孙磊, has the one-tap reminder for 王先生 — and none for 李女士.
    const mine = await ok(sun.get('/outreach/sop/tasks/mine'));
    const tasks = (mine.items ?? mine) as any[];
    const task = tasks.find((x) => x.target === 'wmSTORYWANG');
    assert.ok(task, JSON.stringify(tasks));
    assert.match(task.content, /王先生您好，您的爱车保险即将到期/);
    assert.ok(!tasks.some((x) => x.target === 'wmSTORYLI'), 'no reminder for a withdrawn consent');

    // Three days pass; 王先生 has not booked: the SMS with his coupon goes out.
    await advanceDue(env.database.db, tenantId, new Date(Date.now() + 3 * DAY + 60_000));
    await drainBackground(env, tenantId);
    const got = sim.messagesTo(phones.wang);
    assert.equal(got.length, 1);
    const code = got[0]!.content.match(/保养券 (\S+)，/)?.[1];
    assert.ok(code, got[0]!.content);
    assert.match(got[0]!.content, /^【示例集团】王先生您好，送您保养券 /);
    assert.equal(sim.messagesTo(phones.li).length, 0, 'nothing reaches the withdrawn profile');
    r = await runs();
    assert.equal(r.find((x) => x.profile_id === pWang).status, 'done');

    // The coupon is redeemed on his service order; then he books (预约保养): the goal.
    const order = await ok(
      sun.post('/records/order', {
        name: 'SO-保养-001',
        customerId: wang.id,
        amount: { amount: 1500_00, currency: 'CNY' },
      }),
    );
    const redeemed = await ok(sun.post('/coupons/redeem', { code, orderId: order.id }));
    assert.equal(redeemed.discountMinor, 20_00);
    await sendBatch(env, key, [
      { type: 'track', userId: `story-wang-${tenantId}`, event: BOOKED, properties: { store: '浦东店' } },
    ]);
    await drainBackground(env, tenantId);
    await scanEvents(env.database.db, tenantId);
    r = await runs();
    assert.ok(r.find((x) => x.profile_id === pWang).converted_at, 'the goal is counted');
    assert.equal(r.find((x) => x.profile_id === pLi).converted_at, null);

    const a = await ok(admin.get(`/journeys/${id}/analytics`));
    assert.equal(a.entered, 2);
    assert.deepEqual([a.treatment.n, a.treatment.converted], [2, 1]);
    assert.equal(a.revenue, 1500_00, 'the order in the goal window is attributed to the journey');
    const step = (s: string) => a.steps.find((x: any) => x.stepId === s);
    assert.deepEqual([step('remind').sent, step('remind').skipReasons], [1, { no_consent: 1 }]);
    assert.deepEqual([step('sms').sent, step('sms').skipReasons], [1, { no_consent: 1 }]);

    // 李女士's page says what was skipped and why.
    const pr = await ok(admin.get(`/journeys/profiles/${pLi}/runs`));
    const steps = pr.items[0].steps as any[];
    assert.deepEqual(
      steps.filter((s) => s.outcome === 'skipped').map((s) => [s.stepId, s.reason]),
      [
        ['remind', 'no_consent'],
        ['sms', 'no_consent'],
      ],
    );
    // No coupon was spent on a message that never went.
    const liCoupons = await q(
      async (tx) =>
        (
          await sql<any>`select id from coupons where tenant_id = ${tenantId} and profile_id = ${pLi}`.execute(
            tx,
          )
        ).rows,
    );
    assert.equal(liCoupons.length, 0);
  });
  it('voids the coupon of a message deferred for quiet hours when delivery drops it (consent withdrawn meanwhile)', async () => {
    const settings = (await admin.get('/messaging/settings')).body;
    const putSettings = (x: Record<string, unknown>) =>
      ok(admin.request('PUT', '/messaging/settings', { ...settings, timeZone: undefined, ...x }));
    const h = Number(
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Asia/Shanghai',
        hour: '2-digit',
        hourCycle: 'h23',
      }).format(new Date()),
    );
    const hh = (x: number) => `${String((x + 24) % 24).padStart(2, '0')}:00`;
    const tpl = await ok(admin.post('/coupon-templates', amountOff('夜间立减 10 元')));
    const id = (
      await ok(
        admin.post('/journeys', {
          name: '夜间券',
          definition: {
            trigger: { kind: 'manual' },
            graph: {
              nodes: [
                n('in', { kind: 'entry' }),
                n('sms', {
                  kind: 'send',
                  channel: 'sms',
                  purpose: 'marketing',
                  content: { text: '送您 {{coupon_code}}' },
                  couponTemplateId: tpl.id,
                  onSkip: 'continue',
                }),
                n('out', { kind: 'exit' }),
              ],
              edges: [
                { id: 'e1', source: 'in', target: 'sms', sourceHandle: 'next' },
                { id: 'e2', source: 'sms', target: 'out', sourceHandle: 'next' },
              ],
            },
            reentry: { policy: 'never' },
            holdoutPercent: 0,
          },
        }),
      )
    ).id as string;
    await ok(admin.post(`/journeys/${id}/publish`));
    const phone = uniqueMobile();
    const c = await ok(admin.post('/records/customer', { name: '赵先生', kind: 'person', phone }));
    await drainBackground(env, tenantId);
    const profileId = await q(
      async (tx) =>
        (
          await sql<{ id: string }>`select profile_id as id from cdp_profile_links
            where tenant_id = ${tenantId} and object = 'customer' and record_id = ${c.id}`.execute(tx)
        ).rows[0]!.id,
    );
    await putSettings({ quietStart: hh(h - 1), quietEnd: hh(h + 2) });
    try {
      await ok(admin.post(`/journeys/${id}/enrol`, { profileIds: [profileId] }));
      await advanceDue(env.database.db, tenantId);
      await drainBackground(env, tenantId);
      const coupon = () =>
        q(
          async (tx) =>
            (
              await sql<{ voided_at: Date | null; void_reason: string | null }>`select voided_at, void_reason
                from coupons where tenant_id = ${tenantId} and template_id = ${tpl.id}`.execute(tx)
            ).rows,
        );
      const message = () =>
        q(
          async (tx) =>
            (
              await sql<{ id: string; status: string; reason: string | null }>`select id, status, reason
                from messaging_messages where tenant_id = ${tenantId} and profile_id = ${profileId}`.execute(
                tx,
              )
            ).rows[0]!,
        );
      assert.equal((await message()).status, 'deferred');
      const issued = await coupon();
      assert.equal(issued.length, 1, 'the deferred message carries its coupon');
      assert.equal(issued[0]!.voided_at, null);

      // The customer withdraws consent before the quiet hours end; delivery drops the message.
      await ok(admin.request('PUT', `/cdp/profiles/${profileId}/consents/marketing`, { granted: false }));
      const m = await message();
      await q((tx) =>
        sql`update jobs set run_at = now() where tenant_id = ${tenantId} and queue = 'messaging:deliver'
          and payload->>'messageId' = ${m.id}`.execute(tx),
      );
      await drainBackground(env, tenantId);
      assert.deepEqual(await message().then((x) => [x.status, x.reason]), ['skipped', 'no_consent']);
      const after = await coupon();
      assert.equal(after.length, 1);
      assert.ok(after[0]!.voided_at, 'the undelivered coupon is voided');
      assert.equal(after[0]!.void_reason, 'message_not_sent');
      assert.equal(sim.messagesTo(phone).length, 0);
    } finally {
      await putSettings({ quietStart: null, quietEnd: null });
    }
  });
});
