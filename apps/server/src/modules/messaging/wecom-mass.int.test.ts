import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { WeComSimulator } from '@kehu/wecom-simulator';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { drainBackground, useTestEnv } from '../../testing/harness.ts';
import { bindSimulatedCorp, useWeComSimulator } from '../wecom/test-kit.ts';
import { sendMessage } from './index.ts';

const env = useTestEnv();
let sim: WeComSimulator;
useWeComSimulator(31, (s) => {
  sim = s;
});

describe('messaging: wecom_mass is a 企业群发 template through the WeCom connector', () => {
  let ctx: Awaited<ReturnType<typeof bindSimulatedCorp>>;
  let tenantId: string;
  let ext: string;
  let profileId: string;
  const tx = <T>(fn: (tx: any) => Promise<T>) => inTenant(env.database.db, tenantId, fn);
  const send = (key: string) =>
    tx((t) =>
      sendMessage(t, tenantId, {
        profileId,
        channel: 'wecom_mass',
        purpose: 'service',
        content: { text: '{{name}}您好，本周六到店保养送洗车。' },
        idempotencyKey: key,
        source: { kind: 'journey', id: 'j-mass', stepId: 'remind' },
      }),
    );
  const row = (id: string) =>
    tx(async (t) => (await sql<any>`select * from messaging_messages where id = ${id}`.execute(t)).rows[0]);

  before(async () => {
    ctx = await bindSimulatedCorp(env, sim, { prefix: 'wwmass', syncStaff: true });
    tenantId = ctx.seed.tenantId;
    ext = (await ctx.corp.addFriendDirectly('sun.lei', ctx.corp.wechatUser({ name: '王先生' })))
      .external_userid;
    const deadline = Date.now() + 20_000;
    for (;;) {
      await sim.flushCallbacks();
      await drainBackground(env, tenantId);
      const items = (await ctx.admin.get('/wecom/contacts')).body.items as any[];
      profileId = items.find((x) => x.externalUserid === ext)?.profileId;
      if (profileId) break;
      if (Date.now() > deadline) throw new Error('timed out waiting for the contact profile');
      await new Promise((r) => setImmediate(r));
    }
  });

  it('creates one template from the customer’s staff member, records WeCom’s msgid, and honours the monthly cap', async () => {
    const out = await send('mass-1');
    assert.equal(out.status, 'queued', JSON.stringify(out));
    await drainBackground(env, tenantId);
    const m = await row(out.messageId);
    assert.equal(m.status, 'sent', m.error);
    const pending = ctx.corp.pendingMassMessages('sun.lei');
    assert.equal(pending.length, 1);
    assert.deepEqual(pending[0]!.targets, [ext]);
    assert.match(pending[0]!.text ?? '', /王先生您好/);
    assert.equal(m.provider_ref, pending[0]!.msgid, 'the provider reference is WeCom’s msgid');

    // The same key again is the same message: nothing new reaches WeCom.
    assert.equal((await send('mass-1')).messageId, out.messageId);
    await drainBackground(env, tenantId);
    assert.equal(ctx.corp.pendingMassMessages('sun.lei').length, 1);

    // The tenant keeps 群发 to one per customer a month: our send counted, the next is skipped.
    const cap = await ctx.admin.request('PUT', '/outreach/settings', {
      quietStart: null,
      quietEnd: null,
      monthlyCap: 1,
    });
    assert.equal(cap.status, 200, JSON.stringify(cap.body));
    const second = await send('mass-2');
    assert.deepEqual([second.status, second.reason], ['skipped', 'wecom_monthly_cap']);
    assert.equal(ctx.corp.pendingMassMessages('sun.lei').length, 1);

    // 孙磊 confirms it in WeCom; the scheduled read (10 minutes later, made due here) finds it sent.
    await ctx.corp.confirmMassMessage(m.provider_ref, 'sun.lei');
    const due = () =>
      tx((t) =>
        sql`update jobs set run_at = now() where queue = 'messaging:wecom-mass-poll' and status = 'pending'
          and payload->>'messageId' = ${out.messageId}`.execute(t),
      );
    await due();
    await drainBackground(env, tenantId);
    const done = await row(out.messageId);
    assert.equal(done.status, 'delivered');
    assert.ok(done.delivered_at);
  });

  it('a delivery retried after a crash mid-send records the message instead of a second template', async () => {
    await ctx.admin.request('PUT', '/outreach/settings', { quietStart: null, quietEnd: null, monthlyCap: 4 });
    const out = await send('mass-3');
    assert.equal(out.status, 'queued');
    // As if a worker died between WeCom's answer and our commit: "started" is committed, no result.
    await tx((t) =>
      sql`update messaging_messages set send_started_at = now() where id = ${out.messageId}`.execute(t),
    );
    const before = ctx.corp.pendingMassMessages('sun.lei').length;
    await drainBackground(env, tenantId);
    const m = await row(out.messageId);
    assert.deepEqual([m.status, m.error], ['sent', 'unconfirmed_after_crash']);
    assert.equal(ctx.corp.pendingMassMessages('sun.lei').length, before, 'no second template');
  });
});
