import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { WeComSimulator } from '@kehu/wecom-simulator';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { drainBackground, getTestEnv, type TestEnv, testDatabaseUrl } from '../../testing/harness.ts';
import { startTenantWorker } from '../../testing/tenant-worker-process.ts';
import { bindSimulatedCorp, useWeComSimulator } from './test-kit.ts';

/**
 * kill -9 of the process reconciling a corp (issue 10, reliability): customers WeCom knows and Kehu
 * missed (every callback lost) are repaired by a full sync; killing it mid-way and starting again
 * ends with each customer once — one relation, one CRM contact, one lead, one profile — and none
 * missing. The secret box key is shared with the child (it opens the corp's sealed secrets).
 * Needs a database the killed process does not own, so it runs on PostgreSQL.
 */
process.env.KEHU_SECRETS_KEY ||= Buffer.alloc(32, 7).toString('base64');
const N = Number(process.env.KEHU_CRASH_CONTACTS ?? 160);

let env: TestEnv;
let sim: WeComSimulator;
before(async () => {
  env = await getTestEnv();
});
after(async () => {
  await env?.close();
});
useWeComSimulator(41, (s) => {
  sim = s;
});

const startWorker = startTenantWorker;

describe('reconciliation durability', {
  skip: testDatabaseUrl() ? false : 'needs PostgreSQL (DATABASE_URL)',
}, () => {
  it(`repairs ${N} missed customers exactly once when the reconciling process is killed -9 mid-way`, {
    timeout: 300_000,
  }, async () => {
    const ctx = await bindSimulatedCorp(env, sim, { prefix: 'wwkill', syncStaff: true });
    const tenantId = ctx.seed.tenantId;
    const q = <T>(fn: (tx: any) => Promise<T>) => inTenant(env.database.db, tenantId, fn);
    const relations = () =>
      q(async (tx) =>
        Number(
          (
            await sql<{ n: number }>`select count(*)::int as n from wecom_external_contacts
              where corp_ref = ${ctx.corpRef}`.execute(tx)
          ).rows[0]!.n,
        ),
      );
    // WeCom keeps every add; Kehu hears none of them.
    sim.setLossRate(1);
    for (let i = 0; i < N; i++)
      await ctx.corp.addFriendDirectly(
        i % 2 ? 'sun.lei' : 'zhao.jing',
        ctx.corp.wechatUser({ name: `客户${i}`, unionid: `u-kill-${ctx.corpId}-${i}` }),
      );
    await sim.flushCallbacks();
    sim.setLossRate(0);
    assert.equal(await relations(), 0);

    const queued = await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/sync`, { mode: 'full' });
    assert.equal(queued.status, 202, JSON.stringify(queued.body));
    let child = startWorker(tenantId);
    const exited = once(child, 'exit');
    const deadline = Date.now() + 120_000;
    while ((await relations()) < N / 4) {
      if (Date.now() > deadline) throw new Error('the sync never got going');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await exited;
    const atKill = await relations();
    assert.ok(atKill < N, `killed mid-way (${atKill} of ${N} repaired)`);

    // Started again: the dead process's lease is released, the sync runs again, every add idempotent.
    child = startWorker(tenantId);
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    await drainBackground(env, tenantId);
    assert.equal(await relations(), N, 'none missing');

    const dup = await q(async (tx) => ({
      relations: (
        await sql`select external_userid, userid from wecom_external_contacts where corp_ref = ${ctx.corpRef}
          group by 1, 2 having count(*) > 1`.execute(tx)
      ).rows.length,
      withoutLinks: Number(
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from wecom_external_contacts where corp_ref = ${ctx.corpRef}
            and (contact_id is null or lead_id is null)`.execute(tx)
        ).rows[0]!.n,
      ),
      contacts: Number(
        (
          await sql<{ n: number }>`select count(distinct contact_id)::int as n from wecom_external_contacts
            where corp_ref = ${ctx.corpRef}`.execute(tx)
        ).rows[0]!.n,
      ),
      leads: Number(
        (
          await sql<{ n: number }>`select count(distinct lead_id)::int as n from wecom_external_contacts
            where corp_ref = ${ctx.corpRef}`.execute(tx)
        ).rows[0]!.n,
      ),
      // The CDP knows each customer by external_userid (the relation's profile_id is filled when read).
      profiles: Number(
        (
          await sql<{
            n: number;
          }>`select count(distinct value)::int as n from cdp_identities where kind = 'wecom_external_userid'
            and value in (select external_userid from wecom_external_contacts where corp_ref = ${ctx.corpRef})`.execute(
            tx,
          )
        ).rows[0]!.n,
      ),
      profilesPerCustomer: (
        await sql`select value from cdp_identities where kind = 'wecom_external_userid'
          and value in (select external_userid from wecom_external_contacts where corp_ref = ${ctx.corpRef})
          group by value having count(distinct profile_id) > 1`.execute(tx)
      ).rows.length,
    }));
    assert.deepEqual(dup, {
      relations: 0,
      withoutLinks: 0,
      contacts: N,
      leads: N,
      profiles: N,
      profilesPerCustomer: 0,
    });
  });
});
