import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import type { SeedResult } from '../../seed/demo-data.ts';
import { uniqueMobile } from '../../testing/fixtures.ts';
import {
  type Client,
  DEMO_PASSWORD,
  drainBackground,
  login,
  loginAsRole,
  useTestEnv,
} from '../../testing/harness.ts';
import { sendBatch, tenantWithSource } from '../cdp/test-kit.ts';
import { sendMessage } from './index.ts';
import type { SendRequest } from './types.ts';

const env = useTestEnv();

/** A webhook receiver on 127.0.0.1 whose answers the test scripts (e.g. 500 once, then 200). */
const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
let answers: number[] = [];
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    received.push({ headers: req.headers, body });
    res.writeHead(answers.shift() ?? 200).end('ok');
  });
});
let savedAllow: string | undefined;

describe('messaging: sendMessage, guards, attempt log, in_app and webhook channels', () => {
  let admin: Client;
  let seed: SeedResult;
  let tenantId: string;
  let adminId: string;
  const profile: Record<string, string> = {};
  let seq = 0;
  const key = () => `k-${Date.now()}-${seq++}`;
  const tx = <T>(fn: (tx: any) => Promise<T>) => inTenant(env.database.db, tenantId, fn);
  const send = (req: Partial<SendRequest> & Pick<SendRequest, 'profileId' | 'channel'>) =>
    tx((t) =>
      sendMessage(t, tenantId, {
        purpose: 'marketing',
        content: { text: '您好 {{name}}' },
        idempotencyKey: key(),
        source: { kind: 'journey', id: 'j1', stepId: 's1' },
        ...req,
      } as SendRequest),
    );
  const row = (id: string) =>
    tx(async (t) => (await sql<any>`select * from messaging_messages where id = ${id}`.execute(t)).rows[0]);
  const setSettings = async (s: Record<string, unknown>) => {
    const current = (await admin.get('/messaging/settings')).body;
    const r = await admin.request('PUT', '/messaging/settings', { ...current, timeZone: undefined, ...s });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  before(async () => {
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    savedAllow = process.env.KEHU_OUTBOUND_ALLOW;
    process.env.KEHU_OUTBOUND_ALLOW = `127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const t = await tenantWithSource(env, 5);
    admin = t.admin;
    seed = t.seed;
    tenantId = t.tenantId;
    const people: Record<string, Record<string, string>> = {
      wang: { name: '王先生', phone: uniqueMobile(), email: 'wang@example.com' },
      li: { name: '李女士', phone: uniqueMobile() },
      nobody: { name: '无联系方式' },
    };
    await sendBatch(
      env,
      t.key,
      Object.entries(people).map(([u, traits]) => ({
        type: 'identify',
        userId: `msg-${u}-${tenantId}`,
        traits,
      })),
    );
    await drainBackground(env, tenantId);
    await tx(async (t) => {
      for (const u of Object.keys(people)) {
        const r = await sql<{ profile_id: string }>`select profile_id from cdp_identities
          where kind = 'user_id' and value = ${`msg-${u}-${tenantId}`}`.execute(t);
        profile[u] = r.rows[0]!.profile_id;
      }
      adminId = (await sql<{ id: string }>`select id from users where login = 'admin'`.execute(t)).rows[0]!
        .id;
    });
  });
  after(() => {
    receiver.close();
    if (savedAllow === undefined) delete process.env.KEHU_OUTBOUND_ALLOW;
    else process.env.KEHU_OUTBOUND_ALLOW = savedAllow;
  });

  it('in_app: renders variables, queues a durable job, notifies the owner and emits message.sent', async () => {
    const out = await send({
      profileId: profile.wang!,
      channel: 'in_app',
      purpose: 'service',
      ownerUserId: adminId,
      content: { subject: '跟进 {{name}}', text: '{{name}} 的券码 {{coupon_code}}，负责人 {{owner.name}}' },
      variables: { coupon_code: 'CP-8' },
    });
    assert.equal(out.status, 'queued');
    await drainBackground(env, tenantId);
    const m = await row(out.messageId);
    assert.equal(m.status, 'delivered');
    const n = await tx(
      async (t) =>
        (await sql<any>`select * from notifications where data->>'messageId' = ${out.messageId}`.execute(t))
          .rows,
    );
    assert.equal(n.length, 1);
    assert.equal(n[0].user_id, adminId);
    assert.equal(n[0].title, '跟进 王先生');
    assert.match(n[0].body, /^王先生 的券码 CP-8，负责人 /);
    const events = await tx(
      async (t) =>
        (
          await sql<any>`select type, payload from outbox where record_id = ${out.messageId} order by type`.execute(
            t,
          )
        ).rows,
    );
    assert.deepEqual(
      events.map((e) => e.type),
      ['message.delivered', 'message.sent'],
    );
    assert.deepEqual(events[0].payload.source, { kind: 'journey', id: 'j1', stepId: 's1' });
  });

  it('the same idempotency key returns the first outcome and sends once', async () => {
    const k = key();
    const a = await send({
      profileId: profile.wang!,
      channel: 'in_app',
      ownerUserId: adminId,
      idempotencyKey: k,
    });
    const b = await send({
      profileId: profile.wang!,
      channel: 'in_app',
      ownerUserId: adminId,
      idempotencyKey: k,
    });
    assert.equal(a.messageId, b.messageId);
    await drainBackground(env, tenantId);
    const c = await send({
      profileId: profile.wang!,
      channel: 'in_app',
      ownerUserId: adminId,
      idempotencyKey: k,
    });
    assert.deepEqual(c, { messageId: a.messageId, status: 'sent' });
    const n = await tx(
      async (t) =>
        (await sql<any>`select 1 from notifications where data->>'messageId' = ${a.messageId}`.execute(t))
          .rows,
    );
    assert.equal(n.length, 1);
  });

  it('no_address: no owner for in_app, no phone for sms, no WeCom relation', async () => {
    for (const channel of ['in_app', 'sms', 'wecom_private'] as const) {
      const out = await send({ profileId: profile.nobody!, channel });
      assert.equal(out.status, 'skipped', channel);
      assert.equal(out.reason, 'no_address', channel);
    }
  });

  it('no_consent comes first: a withdrawn purpose is never sent, the other purpose still is', async () => {
    const w = await admin.request('PUT', `/cdp/profiles/${profile.li}/consents/marketing`, {
      granted: false,
    });
    assert.ok(w.status < 300, JSON.stringify(w.body));
    const out = await send({ profileId: profile.li!, channel: 'in_app', ownerUserId: adminId });
    assert.deepEqual({ status: out.status, reason: out.reason }, { status: 'skipped', reason: 'no_consent' });
    // no_consent wins over no_address: the first failing guard is the reason.
    const sms = await send({ profileId: profile.li!, channel: 'email' });
    assert.equal(sms.reason, 'no_consent');
    const service = await send({
      profileId: profile.li!,
      channel: 'in_app',
      purpose: 'service',
      ownerUserId: adminId,
    });
    assert.equal(service.status, 'queued');
    const ev = await tx(
      async (t) =>
        (
          await sql<any>`select payload from outbox where type = 'message.skipped' and record_id = ${out.messageId}`.execute(
            t,
          )
        ).rows,
    );
    assert.equal(ev[0].payload.reason, 'no_consent');
  });

  it('unsubscribed from a channel skips that channel only', async () => {
    await tx((t) =>
      sql`insert into messaging_unsubscribes (tenant_id, profile_id, channel, source)
        values (${tenantId}, ${profile.wang}, 'email', 'test')`.execute(t),
    );
    const out = await send({ profileId: profile.wang!, channel: 'email' });
    assert.equal(out.reason, 'unsubscribed');
    const other = await send({ profileId: profile.wang!, channel: 'in_app', ownerUserId: adminId });
    assert.notEqual(other.status, 'skipped');
  });

  it('frequency caps count across sources: the cap-th + 1 message is skipped', async () => {
    await setSettings({ caps: [{ channel: 'in_app', purpose: 'marketing', max: 2, days: 7 }] });
    const kinds = ['journey', 'campaign', 'api'] as const;
    const outs = [];
    for (const k of kinds)
      outs.push(
        await send({
          profileId: profile.li!,
          channel: 'in_app',
          purpose: 'service',
          ownerUserId: adminId,
          source: { kind: k, id: k },
        }),
      );
    // service is not capped by a marketing cap
    assert.ok(outs.every((o) => o.status !== 'skipped' || o.reason !== 'frequency_cap'));
    const cap = [];
    for (const k of kinds)
      cap.push(
        await send({
          profileId: profile.nobody!,
          channel: 'in_app',
          ownerUserId: adminId,
          source: { kind: k, id: k },
        }),
      );
    assert.deepEqual(
      cap.map((o) => o.reason ?? o.status),
      ['queued', 'queued', 'frequency_cap'],
    );
    await setSettings({ caps: [] });
    await drainBackground(env, tenantId);
  });

  it('quiet hours in the tenant time zone defer to the window end; dropIfQuiet skips', async () => {
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Shanghai',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(new Date());
    const [h] = local.split(':').map(Number);
    const hh = (x: number) => `${String((x + 24) % 24).padStart(2, '0')}:00`;
    await setSettings({ quietStart: hh(h! - 1), quietEnd: hh(h! + 2) });
    try {
      const out = await send({ profileId: profile.wang!, channel: 'sms' });
      assert.equal(out.status, 'deferred');
      const until = new Date(out.deferredUntil!);
      assert.ok(until.getTime() > Date.now());
      assert.equal(
        new Intl.DateTimeFormat('en-GB', {
          timeZone: 'Asia/Shanghai',
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
        }).format(until),
        hh(h! + 2),
      );
      const job = await tx(
        async (t) =>
          (
            await sql<any>`select run_at from jobs where queue = 'messaging:deliver' and payload->>'messageId' = ${out.messageId}`.execute(
              t,
            )
          ).rows[0],
      );
      assert.equal(new Date(job.run_at).toISOString(), until.toISOString());
      const dropped = await send({ profileId: profile.wang!, channel: 'sms', dropIfQuiet: true });
      assert.deepEqual({ s: dropped.status, r: dropped.reason }, { s: 'skipped', r: 'quiet_hours' });
      // Service messages and staff notifications are not held back.
      const service = await send({ profileId: profile.wang!, channel: 'sms', purpose: 'service' });
      assert.equal(service.status, 'queued');

      // Consent withdrawn while the message waits: at delivery it is skipped, never sent.
      const w = await admin.request('PUT', `/cdp/profiles/${profile.wang}/consents/marketing`, {
        granted: false,
      });
      assert.ok(w.status < 300);
      await tx((t) =>
        sql`update jobs set run_at = now() where queue = 'messaging:deliver' and payload->>'messageId' = ${out.messageId}`.execute(
          t,
        ),
      );
      await drainBackground(env, tenantId);
      const m = await row(out.messageId);
      assert.deepEqual({ s: m.status, r: m.reason }, { s: 'skipped', r: 'no_consent' });
      await admin.request('PUT', `/cdp/profiles/${profile.wang}/consents/marketing`, { granted: true });
    } finally {
      await setSettings({ quietStart: null, quietEnd: null });
    }
  });

  it('webhook: signed (Standard Webhooks), idempotency key to the receiver, retried after a 5xx', async () => {
    const saved = await setSettings({
      webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
    });
    const secret = saved.webhookSecret as string;
    assert.match(secret, /^whsec_/);
    assert.equal((await admin.get('/messaging/settings')).body.webhookSecret, undefined, 'shown once');
    received.length = 0;
    answers = [500];
    const out = await send({
      profileId: profile.li!,
      channel: 'webhook',
      purpose: 'service',
      idempotencyKey: 'hook-1',
    });
    await drainBackground(env, tenantId);
    let m = await row(out.messageId);
    assert.equal(m.status, 'queued');
    assert.equal(m.error, 'http_500');
    await tx((t) =>
      sql`update jobs set run_at = now() where queue = 'messaging:deliver' and payload->>'messageId' = ${out.messageId}`.execute(
        t,
      ),
    );
    await drainBackground(env, tenantId);
    m = await row(out.messageId);
    assert.equal(m.status, 'delivered');
    assert.equal(m.attempts, 2);
    assert.equal(received.length, 2);
    const last = received[1]!;
    assert.equal(last.headers['webhook-id'], out.messageId);
    assert.equal(last.headers['idempotency-key'], 'hook-1');
    const sig = createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
      .update(`${out.messageId}.${last.headers['webhook-timestamp']}.${last.body}`)
      .digest('base64');
    assert.equal(last.headers['webhook-signature'], `v1,${sig}`);
    const body = JSON.parse(last.body);
    assert.equal(body.text, '您好 李女士');
    assert.equal(body.profileId, profile.li);
    assert.equal(body.phone, undefined);
    // A 4xx is final: failed, message.failed emitted.
    answers = [410];
    const gone = await send({ profileId: profile.li!, channel: 'webhook', purpose: 'service' });
    await drainBackground(env, tenantId);
    assert.deepEqual(
      { s: (await row(gone.messageId)).status, e: (await row(gone.messageId)).error },
      { s: 'failed', e: 'http_410' },
    );
  });

  it('the webhook endpoint goes through the outbound guard (private address refused when not allowed)', async () => {
    const r = await admin.request('PUT', '/messaging/settings', {
      quietStart: null,
      quietEnd: null,
      caps: [],
      webhookUrl: 'http://10.1.2.3/hook',
    });
    assert.equal(r.status, 422);
    assert.equal(r.body.errors[0].field, 'webhookUrl');
  });

  it('API: send, log with masked addresses and filters, bad input, permissions', async () => {
    const s = await admin.post('/messaging/messages', {
      profileId: profile.wang,
      channel: 'sms',
      purpose: 'service',
      content: { text: '服务通知' },
      idempotencyKey: 'api-1',
    });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    const again = await admin.post('/messaging/messages', {
      profileId: profile.wang,
      channel: 'sms',
      purpose: 'service',
      content: { text: '服务通知' },
      idempotencyKey: 'api-1',
    });
    assert.equal(again.body.messageId, s.body.messageId);
    const log = await admin.get(`/messaging/messages?profileId=${profile.wang}&channel=sms`);
    assert.equal(log.status, 200, JSON.stringify(log.body));
    const item = log.body.items.find((x: any) => x.id === s.body.messageId);
    assert.equal(item.source.kind, 'manual');
    assert.match(item.address, /\*\*\*\*/);
    const skipped = await admin.get(`/messaging/messages?reason=no_address`);
    assert.ok(skipped.body.items.length >= 3);
    assert.ok(skipped.body.items.every((x: any) => x.reason === 'no_address'));
    const one = await admin.get(`/messaging/messages/${s.body.messageId}`);
    assert.equal(one.status, 200);

    const bad = await admin.post('/messaging/messages', {
      profileId: 'nope',
      channel: 'fax',
      idempotencyKey: '',
    });
    assert.equal(bad.status, 422);
    const fields = new Set(bad.body.errors.map((e: any) => e.field));
    for (const f of ['profileId', 'channel', 'purpose', 'idempotencyKey']) assert.ok(fields.has(f), f);
    const missing = await admin.post('/messaging/messages', {
      profileId: '00000000-0000-7000-8000-000000000000',
      channel: 'sms',
      purpose: 'service',
      content: { text: 'x' },
      idempotencyKey: 'api-2',
    });
    assert.equal(missing.status, 404);
    const seller = await loginAsRole(env, seed, '销售顾问');
    const denied = await seller.post('/messaging/messages', {
      profileId: profile.wang,
      channel: 'sms',
      purpose: 'service',
      content: { text: 'x' },
      idempotencyKey: 'api-3',
    });
    assert.equal(denied.status, 403);
    assert.equal((await seller.get('/messaging/messages')).status, 403);
  });

  it('the log is scoped like customers: a branch user does not see another branch’s messages', async () => {
    const people = await tx(
      async (t) =>
        new Map(
          (
            await sql<any>`select login, id, unit_id from users where login in ('sun.lei', 'guo.min', 'chen.zhiqiang')`.execute(
              t,
            )
          ).rows.map((r) => [r.login, r]),
        ),
    );
    // Journey messages to a customer of 孙磊 (华东) and of 郭敏 (华南), owner recorded at send time.
    const ec = await send({
      profileId: profile.wang!,
      channel: 'in_app',
      purpose: 'service',
      ownerUserId: people.get('sun.lei').id,
    });
    const sc = await send({
      profileId: profile.wang!,
      channel: 'in_app',
      purpose: 'service',
      ownerUserId: people.get('guo.min').id,
    });
    const role = await admin.post('/admin/roles', {
      name: '大区消息查看',
      permissions: ['messaging:read'],
      dataScopes: { customer: 'unit_tree' },
    });
    assert.equal(role.status, 201, JSON.stringify(role.body));
    const user = await admin.post('/admin/users', {
      login: 'ec.msg.viewer',
      name: '华东消息查看',
      unitId: people.get('chen.zhiqiang').unit_id,
      roleIds: [role.body.id],
      password: DEMO_PASSWORD,
    });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    const east = await login(env, seed.slug, 'ec.msg.viewer');
    const seen = (await east.get('/messaging/messages?limit=200')).body.items.map((x: any) => x.id);
    assert.ok(seen.includes(ec.messageId), 'her region’s message');
    assert.ok(!seen.includes(sc.messageId), 'not another region’s');
    assert.equal((await east.get(`/messaging/messages/${sc.messageId}`)).status, 404);
    assert.equal((await east.get(`/messaging/messages/${ec.messageId}`)).status, 200);
    const all = (await admin.get('/messaging/messages?limit=200')).body.items.map((x: any) => x.id);
    assert.ok(all.includes(ec.messageId) && all.includes(sc.messageId), 'tenant scope sees both');
  });

  it('templates: variables listed, segment variants (first match wins), preview masks for who may not unmask', async () => {
    const seg = await admin.post('/cdp/segments', {
      name: '王先生分群',
      rule: { trait: 'name', op: 'eq', value: '王先生' },
    });
    const created = await admin.post('/messaging/templates', {
      name: '到店提醒',
      channel: 'sms',
      body: '{{name}}您好，您的手机 {{profile.phone}} 已登记，券码 {{coupon_code}}',
      providerCode: 'SMS_1',
      variants: [],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body.variables.sort(), ['coupon_code', 'name', 'profile.phone']);
    const id = created.body.id;
    const full = await admin.post(`/messaging/templates/${id}/preview`, {
      profileId: profile.wang,
      variables: { coupon_code: 'C1' },
    });
    assert.equal(full.status, 200, JSON.stringify(full.body));
    assert.match(full.body.text, /^王先生您好，您的手机 1\d{10} 已登记，券码 C1$/);
    const missing = await admin.post(`/messaging/templates/${id}/preview`, { profileId: profile.wang });
    assert.equal(missing.status, 422);
    assert.equal(missing.body.errors[0].field, 'variables.coupon_code');
    // an analyst reads templates but may not unmask profiles: the preview masks what she cannot see
    const analyst = await loginAsRole(env, seed, '数据分析师');
    const masked = await analyst.post(`/messaging/templates/${id}/preview`, {
      profileId: profile.wang,
      variables: { coupon_code: 'C1' },
    });
    assert.equal(masked.status, 200, JSON.stringify(masked.body));
    assert.doesNotMatch(masked.body.text, /1\d{10}/);
    assert.doesNotMatch(masked.body.text, /王先生/);
    if (seg.status === 201) {
      const upd = await admin.request('PUT', `/messaging/templates/${id}`, {
        name: '到店提醒',
        channel: 'sms',
        body: '{{name}}您好',
        variants: [{ segmentId: seg.body.id, body: 'VIP {{name}}' }],
      });
      assert.equal(upd.status, 200, JSON.stringify(upd.body));
    }
    const bad = await admin.request('PUT', `/messaging/templates/${id}`, {
      name: 'x',
      channel: 'sms',
      body: 'x',
      variants: [{ segmentId: '00000000-0000-7000-8000-000000000000', body: 'y' }],
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].field, 'variants.0.segmentId');
    assert.equal((await admin.del(`/messaging/templates/${id}`)).status, 204);
    assert.equal((await admin.get(`/messaging/templates/${id}`)).status, 404);
  });
});
