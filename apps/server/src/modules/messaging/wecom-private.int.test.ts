import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';
import { type Client, drainBackground, useTestEnv } from '../../testing/harness.ts';
import { sendBatch, tenantWithSource } from '../cdp/test-kit.ts';
import { sendMessage } from './index.ts';

const env = useTestEnv();

describe('messaging: wecom_private becomes the staff member’s one-tap send task', () => {
  let admin: Client;
  let tenantId: string;
  let profileId: string;
  let goneProfile: string;
  const tx = <T>(fn: (tx: any) => Promise<T>) => inTenant(env.database.db, tenantId, fn);
  const send = (profile: string, key: string) =>
    tx((t) =>
      sendMessage(t, tenantId, {
        profileId: profile,
        channel: 'wecom_private',
        purpose: 'service',
        content: {
          text: '{{name}}您好，您的爱车保养已完成，可随时提车。',
          url: 'https://example.com/pickup',
        },
        idempotencyKey: key,
        source: { kind: 'journey', id: 'j1', stepId: 'notify' },
      }),
    );
  const row = (id: string) =>
    tx(async (t) => (await sql<any>`select * from messaging_messages where id = ${id}`.execute(t)).rows[0]);

  before(async () => {
    const t = await tenantWithSource(env, 5);
    admin = t.admin;
    tenantId = t.tenantId;
    await sendBatch(env, t.key, [
      { type: 'identify', userId: `wp-wang-${tenantId}`, traits: { name: '王先生' } },
      { type: 'identify', userId: `wp-gone-${tenantId}`, traits: { name: '李女士' } },
    ]);
    await drainBackground(env, tenantId);
    await tx(async (t) => {
      const pid = async (u: string) =>
        (
          await sql<any>`select profile_id from cdp_identities where kind = 'user_id' and value = ${u}`.execute(
            t,
          )
        ).rows[0].profile_id;
      profileId = await pid(`wp-wang-${tenantId}`);
      goneProfile = await pid(`wp-gone-${tenantId}`);
      const adminId = (await sql<any>`select id from users where login = 'admin'`.execute(t)).rows[0].id;
      const unit = (await sql<any>`select id from units where parent_id is null limit 1`.execute(t)).rows[0]
        .id;
      const corp = newId();
      await sql`insert into wecom_staff (tenant_id, corp_ref, userid, name, user_id)
        values (${tenantId}, ${corp}, 'sun.lei', '孙磊', ${adminId})`.execute(t);
      await sql`insert into wecom_external_contacts (tenant_id, corp_ref, external_userid, userid, unit_id, name, profile_id, status)
        values (${tenantId}, ${corp}, 'wmWANG', 'sun.lei', ${unit}, '王先生', ${profileId}, 'active'),
               (${tenantId}, ${corp}, 'wmGONE', 'sun.lei', ${unit}, '李女士', ${goneProfile}, 'deleted_by_customer')`.execute(
        t,
      );
    });
  });

  it('hands the message to the staff member as a task; the tap makes it delivered; a retry adds no task', async () => {
    const out = await send(profileId, 'wp-1');
    assert.equal(out.status, 'queued');
    await drainBackground(env, tenantId);
    assert.equal((await row(out.messageId)).status, 'sent');
    const mine = await admin.get('/outreach/sop/tasks/mine');
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    const task = (mine.body.items ?? mine.body).find((x: any) => x.id === out.messageId);
    assert.ok(task, 'the task is in my SOP tasks (and so in the chat sidebar)');
    assert.equal(task.target, 'wmWANG');
    assert.match(task.content, /王先生您好/);
    assert.match(task.content, /\/k\/[A-Za-z0-9_-]{33}/, 'the link is tracked');
    // The internal rule the task hangs off is not an SOP anyone edits: the SOP list leaves it out.
    const rules = await admin.get('/outreach/sop/rules');
    assert.equal(rules.status, 200, JSON.stringify(rules.body));
    assert.deepEqual(
      rules.body.items.filter((r: any) => r.trigger?.on === 'messaging'),
      [],
    );
    // As if the delivery ran again after a crash: still one task.
    await tx((t) =>
      sql`update messaging_messages set status = 'queued' where id = ${out.messageId}`.execute(t),
    );
    await tx((t) =>
      sql`update jobs set status = 'pending', run_at = now() where queue = 'messaging:deliver' and payload->>'messageId' = ${out.messageId}`.execute(
        t,
      ),
    );
    await drainBackground(env, tenantId);
    const n = await tx(
      async (t) =>
        (await sql<any>`select count(*)::int as n from sop_tasks where target = 'wmWANG'`.execute(t)).rows[0]
          .n,
    );
    assert.equal(n, 1);
    const tapped = await admin.post(`/outreach/sop/tasks/${out.messageId}/sent`);
    assert.equal(tapped.status, 200, JSON.stringify(tapped.body));
    await drainBackground(env, tenantId);
    const m = await row(out.messageId);
    assert.equal(m.status, 'delivered');
    assert.ok(m.delivered_at);
  });

  it('a customer who deleted the staff member is skipped with the reason', async () => {
    const out = await send(goneProfile, 'wp-2');
    assert.deepEqual([out.status, out.reason], ['skipped', 'staff_deleted']);
  });
});
