import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type SmsSimulator, startSmsSimulator } from '@kehu/sms-simulator';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { uniqueMobile } from '../../testing/fixtures.ts';
import { type Client, drainBackground, useTestEnv } from '../../testing/harness.ts';
import { allowOutboundHost } from '../../testing/outbound-allow.ts';
import { sendBatch, tenantWithSource } from '../cdp/test-kit.ts';
import { sendMessage } from './index.ts';
import type { SendRequest } from './types.ts';

const env = useTestEnv();
let sim: SmsSimulator;
let restoreAllow = () => {};

describe('messaging: the sms channel against the Aliyun Dysms simulator', () => {
  let admin: Client;
  let tenantId: string;
  const phone: Record<string, string> = {};
  const profile: Record<string, string> = {};
  let seq = 0;
  const tx = <T>(fn: (tx: any) => Promise<T>) => inTenant(env.database.db, tenantId, fn);
  const send = (req: Partial<SendRequest> & Pick<SendRequest, 'profileId'>) =>
    tx((t) =>
      sendMessage(t, tenantId, {
        channel: 'sms',
        purpose: 'service',
        content: { text: '{{name}}，您的订单已发货' },
        idempotencyKey: `sms-${Date.now()}-${seq++}`,
        source: { kind: 'campaign', id: 'c1' },
        ...req,
      } as SendRequest),
    );
  const row = (id: string) =>
    tx(async (t) => (await sql<any>`select * from messaging_messages where id = ${id}`.execute(t)).rows[0]);
  let receiptPath = '';

  before(async () => {
    sim = await startSmsSimulator();
    restoreAllow = allowOutboundHost(new URL(sim.url).host);
    const t = await tenantWithSource(env, 5);
    admin = t.admin;
    tenantId = t.tenantId;
    for (const u of ['wang', 'li', 'bad', 'zhou']) phone[u] = uniqueMobile();
    await sendBatch(
      env,
      t.key,
      Object.keys(phone).map((u) => ({
        type: 'identify',
        userId: `sms-${u}-${tenantId}`,
        traits: { name: u === 'wang' ? '王先生' : '李女士', phone: phone[u] },
      })),
    );
    await drainBackground(env, tenantId);
    await tx(async (t) => {
      for (const u of Object.keys(phone))
        profile[u] = (
          await sql<any>`select profile_id from cdp_identities where kind = 'user_id' and value = ${`sms-${u}-${tenantId}`}`.execute(
            t,
          )
        ).rows[0].profile_id;
    });
    const acc = await admin.request('PUT', '/messaging/sms-account', {
      endpoint: sim.url,
      accessKeyId: `LTAI${tenantId.slice(0, 8)}`,
      accessKeySecret: 'sms-secret',
      signName: '示例集团',
      textTemplate: 'SMS_TEXT',
    });
    assert.equal(acc.status, 200, JSON.stringify(acc.body));
    receiptPath = acc.body.receiptPath;
    assert.match(acc.body.receiptUrl, /\/hooks\/sms\/aliyun\//);
    const read = await admin.get('/messaging/sms-account');
    assert.equal(read.body.accessKeySecret, undefined, 'the secret is never shown again');
    assert.equal(read.body.configured, true);
    const stored = await tx(
      async (t) => (await sql<any>`select sms_access_key_secret from messaging_settings`.execute(t)).rows[0],
    );
    assert.notEqual(stored.sms_access_key_secret, 'sms-secret', 'sealed at rest');
    sim.addAccount({
      accessKeyId: `LTAI${tenantId.slice(0, 8)}`,
      accessKeySecret: 'sms-secret',
      signNames: ['示例集团'],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Aliyun's template placeholders
      templates: { SMS_TEXT: '${text}', SMS_COUPON: '${name}您好，您的券码${coupon_code}已到账' },
      reportUrl: `${env.baseUrl}${receiptPath}`,
    });
  });
  after(async () => {
    await sim.close();
    restoreAllow();
  });

  it('sends through SendSms (signed), OutId = message id; the receipt makes it delivered', async () => {
    const out = await send({ profileId: profile.wang!, idempotencyKey: 'same-key' });
    const again = await send({ profileId: profile.wang!, idempotencyKey: 'same-key' });
    assert.equal(again.messageId, out.messageId);
    await drainBackground(env, tenantId);
    await drainBackground(env, tenantId);
    const got = sim.messagesTo(phone.wang!);
    assert.equal(got.length, 1, 'same key twice → one SMS at the simulator');
    assert.equal(got[0]!.content, '【示例集团】王先生，您的订单已发货');
    assert.equal(got[0]!.outId, out.messageId);
    let m = await row(out.messageId);
    assert.equal(m.status, 'sent');
    assert.equal(m.provider_ref, got[0]!.bizId);
    assert.equal(await sim.flushReports(), 1);
    m = await row(out.messageId);
    assert.equal(m.status, 'delivered');
    const types = await tx(
      async (t) =>
        (
          await sql<any>`select type from outbox where record_id = ${out.messageId} order by created_at, type`.execute(
            t,
          )
        ).rows,
    );
    assert.deepEqual(
      types.map((x) => x.type),
      ['message.sent', 'message.delivered'],
    );
  });

  it('a template with its provider code sends TemplateCode and TemplateParam', async () => {
    const tpl = await tx(async (t) => {
      const id = crypto.randomUUID();
      await sql`insert into messaging_templates (tenant_id, id, name, channel, body, provider_code)
        values (${tenantId}, ${id}, '券到账', 'sms', '{{name}}您好，您的券码{{coupon_code}}已到账', 'SMS_COUPON')`.execute(
        t,
      );
      return id;
    });
    const out = await send({ profileId: profile.li!, templateId: tpl, variables: { coupon_code: 'CP-42' } });
    assert.equal(out.status, 'queued');
    await drainBackground(env, tenantId);
    const [m] = sim.messagesTo(phone.li!);
    assert.equal(m!.templateCode, 'SMS_COUPON');
    assert.deepEqual(m!.params, { name: '李女士', coupon_code: 'CP-42' });
    assert.equal(m!.content, '【示例集团】李女士您好，您的券码CP-42已到账');
  });

  it('a failed receipt → failed with the carrier code and message.failed', async () => {
    sim.failNext.set(phone.bad!, 'MK:0001');
    const out = await send({ profileId: profile.bad! });
    await drainBackground(env, tenantId);
    await sim.flushReports();
    const m = await row(out.messageId);
    assert.deepEqual([m.status, m.error], ['failed', 'MK:0001']);
  });

  it('provider refusals: limit control per minute is retried, an illegal number fails at once', async () => {
    sim.answerNext.push({
      status: 200,
      code: 'isv.BUSINESS_LIMIT_CONTROL',
      message: '触发分钟级流控Permits:1',
    });
    const out = await send({ profileId: profile.bad!, idempotencyKey: 'limited' });
    await drainBackground(env, tenantId);
    let m = await row(out.messageId);
    assert.deepEqual([m.status, m.error], ['queued', 'isv.BUSINESS_LIMIT_CONTROL']);
    await tx((t) =>
      sql`update jobs set run_at = now() where queue = 'messaging:deliver' and payload->>'messageId' = ${out.messageId}`.execute(
        t,
      ),
    );
    sim.answerNext.push({ status: 200, code: 'isv.MOBILE_NUMBER_ILLEGAL', message: '非法手机号' });
    await drainBackground(env, tenantId);
    m = await row(out.messageId);
    assert.deepEqual([m.status, m.error, m.attempts], ['failed', 'isv.MOBILE_NUMBER_ILLEGAL', 2]);
  });

  it('a retry after Aliyun answered OK but our commit was lost finds the SMS by OutId and sends none', async () => {
    // (a fresh number: Aliyun allows one SMS a minute per number)
    const out = await send({ profileId: profile.zhou!, idempotencyKey: 'crash' });
    await drainBackground(env, tenantId);
    assert.equal((await row(out.messageId)).status, 'sent');
    const before = sim.messagesTo(phone.zhou!).length;
    // As if the process died after SendSms: the row is still queued and the job runs again.
    await tx(async (t) => {
      await sql`update messaging_messages set status = 'queued' where id = ${out.messageId}`.execute(t);
      await sql`update jobs set status = 'pending', run_at = now(), attempts = 1
        where queue = 'messaging:deliver' and payload->>'messageId' = ${out.messageId}`.execute(t);
    });
    await drainBackground(env, tenantId);
    assert.equal(sim.messagesTo(phone.zhou!).length, before);
    assert.equal((await row(out.messageId)).status, 'sent');
  });

  it('receipts with a wrong token or a malformed body are refused', async () => {
    const bad = await fetch(`${env.baseUrl}${receiptPath.slice(0, -4)}AAAA`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[]',
    });
    assert.equal(bad.status, 404);
    const junk = await fetch(`${env.baseUrl}${receiptPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"not":"an array"}',
    });
    assert.equal(junk.status, 400);
    const short = await fetch(`${env.baseUrl}/hooks/sms/aliyun/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[]',
    });
    assert.equal(short.status, 404);
  });

  it('an endpoint the outbound guard refuses cannot be saved', async () => {
    const r = await admin.request('PUT', '/messaging/sms-account', {
      endpoint: 'http://10.0.0.8/',
      accessKeyId: 'x',
      accessKeySecret: 'y',
      signName: 'z',
    });
    assert.equal(r.status, 422);
    assert.equal(r.body.errors[0].field, 'endpoint');
  });
});
