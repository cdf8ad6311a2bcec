import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { type Client, drainBackground, useTestEnv } from '../../testing/harness.ts';
import { allowOutboundHost } from '../../testing/outbound-allow.ts';
import { sendBatch, tenantWithSource } from '../cdp/test-kit.ts';
import { sendMessage } from './index.ts';
import { type ReceivedMail, startSmtpReceiver } from './test-kit.ts';
import type { SendRequest } from './types.ts';

const env = useTestEnv();

describe('messaging: the email channel against a local SMTP server', () => {
  let admin: Client;
  let tenantId: string;
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  let restoreAllow = () => {};
  let bounceHookPath = '';
  const bounces: string[] = [];
  const email: Record<string, string> = {};
  const profile: Record<string, string> = {};
  let seq = 0;
  const tx = <T>(fn: (tx: any) => Promise<T>) => inTenant(env.database.db, tenantId, fn);
  const send = (req: Partial<SendRequest> & Pick<SendRequest, 'profileId'>) =>
    tx((t) =>
      sendMessage(t, tenantId, {
        channel: 'email',
        purpose: 'marketing',
        content: {
          subject: '{{name}}，春季保养季',
          text: '{{name}}您好，预约保养请点 https://example.com/spring?x=1 。',
        },
        idempotencyKey: `mail-${seq++}`,
        source: { kind: 'campaign', id: 'spring' },
        ...req,
      } as SendRequest),
    );
  const row = (id: string) =>
    tx(async (t) => (await sql<any>`select * from messaging_messages where id = ${id}`.execute(t)).rows[0]);
  const mailsTo = (a: string): ReceivedMail[] => smtp.inbox.filter((m) => m.to.includes(a));
  const path = (url: string) => new URL(url).pathname;

  before(async () => {
    smtp = await startSmtpReceiver((dsn) => bounces.push(dsn));
    restoreAllow = allowOutboundHost(`127.0.0.1:${smtp.port}`);
    const t = await tenantWithSource(env, 5);
    admin = t.admin;
    tenantId = t.tenantId;
    for (const u of ['wang', 'gone', 'busy', 'late', 'crash'])
      email[u] = `${u}-${tenantId.slice(0, 8)}@example.com`;
    await sendBatch(
      env,
      t.key,
      Object.keys(email).map((u) => ({
        type: 'identify',
        userId: `mail-${u}-${tenantId}`,
        traits: {
          name: u === 'wang' ? '王先生' : '李女士',
          email: email[u],
          city: u === 'wang' ? '北京' : '上海',
        },
      })),
    );
    await drainBackground(env, tenantId);
    await tx(async (t) => {
      for (const u of Object.keys(email))
        profile[u] = (
          await sql<any>`select profile_id from cdp_identities where kind = 'user_id' and value = ${`mail-${u}-${tenantId}`}`.execute(
            t,
          )
        ).rows[0].profile_id;
    });
  });
  after(async () => {
    await smtp.close();
    restoreAllow();
  });

  it('saves the SMTP account with the password sealed, refuses private hosts and a bad sender in words', async () => {
    const refused = await admin.request('PUT', '/messaging/email-account', {
      host: '10.0.0.8',
      port: 587,
      security: 'starttls',
      from: 'not an address',
    });
    assert.equal(refused.status, 422);
    assert.deepEqual(refused.body.errors.map((e: any) => e.field).sort(), ['from', 'host']);
    assert.match(refused.body.errors.find((e: any) => e.field === 'from').message, /发件人/);
    const saved = await admin.request('PUT', '/messaging/email-account', {
      host: '127.0.0.1',
      port: smtp.port,
      security: 'none',
      user: null,
      password: 'smtp-secret',
      from: '示例集团 <news@example.com>',
      bounceAddress: 'bounces@example.com',
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    bounceHookPath = saved.body.bounceHookPath;
    assert.match(saved.body.bounceHookUrl, /\/hooks\/mail\/bounce\//);
    const read = await admin.get('/messaging/email-account');
    assert.equal(read.body.password, undefined);
    assert.equal(read.body.passwordSet, true);
    assert.equal(read.body.bounceHookUrl, undefined, 'the hook URL is shown once');
    const stored = await tx(
      async (t) => (await sql<any>`select email_password from messaging_settings`.execute(t)).rows[0],
    );
    assert.notEqual(stored.email_password, 'smtp-secret', 'sealed at rest');
  });

  it('sends once per key: Message-ID is the message id, links tracked, one-click unsubscribe headers', async () => {
    const out = await send({ profileId: profile.wang!, idempotencyKey: 'same' });
    const again = await send({ profileId: profile.wang!, idempotencyKey: 'same' });
    assert.equal(again.messageId, out.messageId);
    await drainBackground(env, tenantId);
    const got = mailsTo(email.wang!);
    assert.equal(got.length, 1, 'same key twice → one mail');
    const m = got[0]!;
    assert.equal(m.from, 'bounces@example.com', 'bounces go to the bounce address');
    assert.equal(m.headers['message-id'], `<${out.messageId}@example.com>`);
    assert.match(m.headers['list-unsubscribe']!, /^<https?:\/\/[^>]+\/u\/[A-Za-z0-9_-]{60}>$/);
    assert.equal(m.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
    assert.match(m.text, /王先生您好/);
    assert.doesNotMatch(m.text + m.html, /example\.com\/spring/, 'the link is rewritten');
    assert.match(m.html, /\/k\/[A-Za-z0-9_-]{33}/);
    assert.equal((await row(out.messageId)).status, 'sent');
  });

  it('a tracked link redirects only to its stored URL and records message.clicked once', async () => {
    const m = mailsTo(email.wang!)[0]!;
    const link = m.text.match(/https?:\/\/\S+\/k\/[A-Za-z0-9_-]{33}/)![0];
    const id = m.headers['x-kehu-message-id']!;
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`${env.baseUrl}${path(link)}`, { redirect: 'manual' });
      assert.equal(r.status, 302);
      assert.equal(r.headers.get('location'), 'https://example.com/spring?x=1');
    }
    const forged = await fetch(`${env.baseUrl}${path(link).slice(0, -3)}AAA`, { redirect: 'manual' });
    assert.equal(forged.status, 404);
    const bad = await fetch(`${env.baseUrl}/k/https%3A%2F%2Fevil.example`, { redirect: 'manual' });
    assert.equal(bad.status, 404);
    assert.ok((await row(id)).clicked_at);
    const clicked = await tx(
      async (t) =>
        (
          await sql<any>`select count(*)::int as n from outbox where record_id = ${id} and type = 'message.clicked'`.execute(
            t,
          )
        ).rows[0].n,
    );
    assert.equal(clicked, 1);
    await drainBackground(env, tenantId);
    const cdp = await tx(
      async (t) =>
        (
          await sql<any>`select count(*)::int as n from cdp_events where event = 'message.clicked' and properties->>'messageId' = ${id}`.execute(
            t,
          )
        ).rows[0].n,
    );
    assert.equal(cdp, 1, 'the click is on the profile in the CDP');
  });

  it('the open pixel marks opened; the log shows it', async () => {
    const m = mailsTo(email.wang!)[0]!;
    const pixel = m.html.match(/https?:\/\/[^"]+\/k\/o\/[A-Za-z0-9_-]{60}/)![0];
    const r = await fetch(`${env.baseUrl}${path(pixel)}`);
    assert.equal(r.headers.get('content-type'), 'image/gif');
    const log = await admin.get(`/messaging/messages/${m.headers['x-kehu-message-id']}`);
    assert.ok(log.body.openedAt);
    assert.ok(log.body.clickedAt);
    assert.match(log.body.address, /\*/, 'masked');
  });

  it('unsubscribe: a confirm page, one-click POST into the ledger, then sends are skipped', async () => {
    const m = mailsTo(email.wang!)[0]!;
    const url = m.headers['list-unsubscribe']!.slice(1, -1);
    const page = await fetch(`${env.baseUrl}${path(url)}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /确认退订/);
    const forged = await fetch(`${env.baseUrl}${path(url).slice(0, -2)}xx`, { method: 'POST' });
    assert.equal(forged.status, 404);
    const one = await fetch(`${env.baseUrl}${path(url)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    assert.equal(one.status, 200);
    const ledger = await tx(
      async (t) =>
        (
          await sql<any>`select channel, source from messaging_unsubscribes where profile_id = ${profile.wang}`.execute(
            t,
          )
        ).rows,
    );
    assert.deepEqual(
      ledger.map((l: any) => l.channel),
      ['email'],
    );
    const next = await send({ profileId: profile.wang! });
    assert.deepEqual([next.status, next.reason], ['skipped', 'unsubscribed']);
  });

  it('a hard bounce at RCPT fails the message and makes the address undeliverable', async () => {
    const out = await send({ profileId: profile.gone! });
    await drainBackground(env, tenantId);
    const m = await row(out.messageId);
    assert.deepEqual([m.status, m.error], ['failed', 'bounced_hard:550']);
    assert.ok(m.bounced_at);
    const next = await send({ profileId: profile.gone! });
    assert.deepEqual([next.status, next.reason], ['skipped', 'undeliverable']);
  });

  it('a soft bounce (451) is retried and then delivered', async () => {
    const out = await send({ profileId: profile.busy! });
    await drainBackground(env, tenantId);
    let m = await row(out.messageId);
    assert.deepEqual([m.status, m.error], ['queued', 'bounced_soft:451']);
    await tx((t) =>
      sql`update jobs set run_at = now() where queue = 'messaging:deliver' and payload->>'messageId' = ${out.messageId}`.execute(
        t,
      ),
    );
    await drainBackground(env, tenantId);
    m = await row(out.messageId);
    assert.equal(m.status, 'sent');
    assert.equal(mailsTo(email.busy!).length, 1);
  });

  it('a DSN piped to the bounce hook marks the address undeliverable; a wrong token is refused', async () => {
    const out = await send({ profileId: profile.late!, purpose: 'service' });
    await drainBackground(env, tenantId);
    assert.equal((await row(out.messageId)).status, 'sent');
    assert.equal(bounces.length, 1);
    const wrong = await fetch(`${env.baseUrl}${bounceHookPath.slice(0, -4)}AAAA`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822' },
      body: bounces[0],
    });
    assert.equal(wrong.status, 404);
    const r = await fetch(`${env.baseUrl}${bounceHookPath}`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822' },
      body: bounces[0],
    });
    assert.deepEqual(await r.json(), { ok: true, applied: true });
    const m = await row(out.messageId);
    assert.deepEqual([m.status, m.error], ['failed', 'bounced_hard:5.1.1']);
    const next = await send({ profileId: profile.late!, purpose: 'service' });
    assert.deepEqual([next.status, next.reason], ['skipped', 'undeliverable']);
  });

  it('a retry after a crash between SMTP and our commit never sends twice', async () => {
    const out = await send({ profileId: profile.crash!, purpose: 'service' });
    // As if the worker died after the "started" marker committed (the SMTP call's outcome unknown).
    await tx((t) =>
      sql`update messaging_messages set send_started_at = now() where id = ${out.messageId}`.execute(t),
    );
    await drainBackground(env, tenantId);
    assert.equal(mailsTo(email.crash!).length, 0);
    const m = await row(out.messageId);
    assert.deepEqual([m.status, m.error], ['sent', 'unconfirmed_after_crash']);
  });

  it('test-send reaches the SMTP server and is not logged; an unconfigured channel says so', async () => {
    const r = await admin.post('/messaging/test-send', { channel: 'email', to: 'ops@example.com' });
    assert.deepEqual(r.body, { ok: true, error: null });
    assert.equal(mailsTo('ops@example.com').length, 1);
    const sms = await admin.post('/messaging/test-send', { channel: 'sms', to: '13800000000' });
    assert.equal(sms.status, 422);
    assert.equal(sms.body.errors[0].field, 'channel');
  });

  it('a template sent to a segment goes through the guards per member, once per key, with progress', async () => {
    const seg = await admin.post('/cdp/segments', {
      name: '上海客户',
      rule: { trait: 'city', op: 'eq', value: '上海' },
    });
    assert.equal(seg.status, 201, JSON.stringify(seg.body));
    await drainBackground(env, tenantId);
    const tpl = await admin.post('/messaging/templates', {
      name: '春季保养',
      channel: 'email',
      subject: '{{name}}，春季保养季',
      body: '{{name}}您好，预约请点 https://example.com/book',
    });
    assert.equal(tpl.status, 201, JSON.stringify(tpl.body));
    const body = {
      templateId: tpl.body.id,
      segmentId: seg.body.id,
      purpose: 'service',
      idempotencyKey: 'spring-1',
    };
    const started = await admin.post('/messaging/bulk-sends', body);
    assert.equal(started.status, 201, JSON.stringify(started.body));
    assert.equal(started.body.total, 4, 'gone, busy, late, crash are in 上海');
    const again = await admin.post('/messaging/bulk-sends', body);
    assert.equal(again.body.id, started.body.id, 'same key → same send');
    await drainBackground(env, tenantId);
    const p = await admin.get(`/messaging/bulk-sends/${started.body.id}`);
    assert.deepEqual(
      [p.body.status, p.body.processed, p.body.skipped],
      ['done', 4, 2],
      'gone and late are undeliverable by now',
    );
    const bad = await admin.post('/messaging/bulk-sends', {
      ...body,
      segmentId: crypto.randomUUID(),
      idempotencyKey: 'x',
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].field, 'segmentId');
  });
});
