import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { WeComSimulator } from '@kehu/wecom-simulator';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { drainBackground, useTestEnv } from '../../testing/harness.ts';
import { nextLightSlot, nextLocalTime } from './reconcile-schedule.ts';
import { bindSimulatedCorp, useWeComSimulator } from './simulator-fixture.ts';

/**
 * Scheduled reconciliation (issue 10, reliability) against the WeCom simulator over real HTTP:
 * the schedule a binding leaves, the light and full runs repairing customers whose callbacks never
 * came, and reruns that change nothing. Polls with a deadline; never sleeps a fixed time.
 */
const env = useTestEnv();
let sim: WeComSimulator;
useWeComSimulator(23, (s) => {
  sim = s;
});

async function counts(tenantId: string, corpRef: string) {
  return inTenant(env.database.db, tenantId, async (tx) => {
    const one = async (q: ReturnType<typeof sql<{ n: number }>>) => Number((await q.execute(tx)).rows[0]!.n);
    return {
      relations: await one(
        sql`select count(*)::int as n from wecom_external_contacts where corp_ref = ${corpRef}`,
      ),
      distinctRelations: await one(
        sql`select count(distinct (external_userid, userid))::int as n from wecom_external_contacts where corp_ref = ${corpRef}`,
      ),
      contacts: await one(
        sql`select count(distinct contact_id)::int as n from wecom_external_contacts where corp_ref = ${corpRef}`,
      ),
      leads: await one(sql`select count(*)::int as n from leads where deleted_at is null`),
    };
  });
}

async function runUntilDone(ctx: { seed: { tenantId: string }; admin: any; corpRef: string }) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    await drainBackground(env, ctx.seed.tenantId);
    const s = await ctx.admin.get(`/wecom/corps/${ctx.corpRef}/sync`);
    assert.equal(s.status, 200, JSON.stringify(s.body));
    if (!s.body.pending && s.body.runs[0]?.status !== 'running') return s.body;
    if (Date.now() > deadline) throw new Error('sync did not finish');
    await new Promise((r) => setImmediate(r));
  }
}

describe('the reconciliation schedule', () => {
  it('finds the next nightly run on the tenant’s wall clock, daylight saving included', () => {
    const now = Date.parse('2026-12-06T10:00:00Z');
    assert.equal(nextLocalTime('Asia/Shanghai', 2, 30, now).toISOString(), '2026-12-06T18:30:00.000Z');
    assert.equal(
      nextLocalTime('Asia/Shanghai', 2, 30, Date.parse('2026-12-06T18:29:00Z')).toISOString(),
      '2026-12-06T18:30:00.000Z',
    );
    assert.equal(
      nextLocalTime('Asia/Shanghai', 2, 30, Date.parse('2026-12-06T18:30:00Z')).toISOString(),
      '2026-12-07T18:30:00.000Z',
    );
    // New York: 02:30 the night after the clocks went back (EST, -5) and in summer (EDT, -4).
    assert.equal(
      nextLocalTime('America/New_York', 2, 30, Date.parse('2026-11-02T12:00:00Z')).toISOString(),
      '2026-11-03T07:30:00.000Z',
    );
    assert.equal(
      nextLocalTime('America/New_York', 2, 30, Date.parse('2026-07-01T12:00:00Z')).toISOString(),
      '2026-07-02T06:30:00.000Z',
    );
    assert.equal(nextLightSlot(Date.parse('2026-12-06T10:15:00Z')).toISOString(), '2026-12-06T11:00:00.000Z');
  });
});

describe('reconciliation runs', () => {
  let ctx: Awaited<ReturnType<typeof bindSimulatedCorp>>;
  before(async () => {
    ctx = await bindSimulatedCorp(env, sim, { prefix: 'wwrec', syncStaff: true });
  });

  it('binding queues a run shortly after and keeps the nightly and hourly runs scheduled', async () => {
    const s = await ctx.admin.get(`/wecom/corps/${ctx.corpRef}/sync`);
    assert.equal(s.status, 200, JSON.stringify(s.body));
    assert.equal(s.body.pending, true, 'the run queued at binding');
    assert.equal(s.body.timeZone.length > 0, true);
    const zone = s.body.timeZone as string;
    const nextFull = Date.parse(s.body.nextFullAt);
    const expected = nextLocalTime(zone, 2, 30, Date.now()).getTime();
    assert.ok(Math.abs(nextFull - expected) < 86_400_000 && nextFull > Date.now(), s.body.nextFullAt);
    assert.ok(Date.parse(s.body.nextLightAt) - Date.now() <= 3_600_000, s.body.nextLightAt);
  });

  it('a light run repairs customers whose callbacks never came; a full rerun adds nothing twice', async () => {
    // The run queued at binding comes first (a click brings it forward): a full one, groups included.
    await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/sync`, { mode: 'light' });
    const bound = await runUntilDone(ctx);
    assert.equal(bound.runs[0].trigger, 'bound');
    assert.equal(bound.runs[0].mode, 'full');
    assert.equal(bound.runs[0].status, 'ok', JSON.stringify(bound.runs[0]));
    // Customers who were there before Kehu (no callbacks at all).
    ctx.corp.seedContacts(30, ['sun.lei', 'zhao.jing'], '老客户');
    const q = await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/sync`, { mode: 'light' });
    assert.equal(q.status, 202, JSON.stringify(q.body));
    // Click twice: the same queued job, not a second run.
    const again = await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/sync`, { mode: 'light' });
    assert.equal(again.body.jobId, q.body.jobId);
    const light = await runUntilDone(ctx);
    assert.equal(light.runs[0].mode, 'light');
    assert.equal(light.runs[0].status, 'ok', JSON.stringify(light.runs[0]));
    assert.equal(light.runs[0].contactsAdded, 30);
    assert.equal(light.runs[0].staffDone, light.runs[0].staffTotal);
    const afterLight = await counts(ctx.seed.tenantId, ctx.corpRef);
    assert.equal(afterLight.relations, 30);
    assert.equal(afterLight.distinctRelations, 30);

    ctx.corp.seedContacts(5, ['zhao.jing'], '新客户');
    await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/sync`, { mode: 'full' });
    const full = await runUntilDone(ctx);
    assert.equal(full.runs[0].mode, 'full');
    assert.equal(full.runs[0].status, 'ok', JSON.stringify(full.runs[0]));
    assert.equal(full.runs[0].contactsAdded, 5);
    assert.equal(full.runs[0].contactsSeen, 35);
    await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/sync`, {});
    const rerun = await runUntilDone(ctx);
    assert.equal(rerun.runs[0].contactsAdded, 0);
    const end = await counts(ctx.seed.tenantId, ctx.corpRef);
    assert.equal(end.relations, 35);
    assert.equal(end.distinctRelations, 35);
    assert.equal(end.contacts, 35);
    assert.equal(end.leads - afterLight.leads, 5, 'one lead per new customer, none for reruns');
    // However many runs, one nightly and one hourly run stay queued.
    const pending = await inTenant(env.database.db, ctx.seed.tenantId, async (tx) =>
      (
        await sql<{ mode: string; n: number }>`select payload->>'mode' as mode, count(*)::int as n from jobs
          where queue = 'wecom:reconcile' and status = 'pending' and payload->>'trigger' = 'scheduled'
            and payload->>'corpRef' = ${ctx.corpRef} group by 1 order by 1`.execute(tx)
      ).rows.map((r) => `${r.mode}:${r.n}`),
    );
    assert.deepEqual(pending, ['full:1', 'light:1']);
  });

  it('a failing WeCom marks the run failed with the reason; the queue retries it; the schedule survives', async () => {
    sim.corp(ctx.corpId).failNext('externalcontact/batch/get_by_user', 60011, 1);
    await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/sync`, { mode: 'full' });
    const s = await runUntilDone(ctx);
    assert.equal(s.runs[1].status, 'failed');
    assert.match(s.runs[1].error, /batch\/get_by_user: 60011/);
    assert.equal(s.runs[0].status, 'ok', 'the retry');
    assert.ok(s.nextFullAt && s.nextLightAt);
  });

  it('refuses a mode it does not know, in the caller’s language', async () => {
    const r = await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/sync`, { mode: 'everything' });
    assert.equal(r.status, 422);
    assert.ok(JSON.stringify(r.body).includes('mode'), JSON.stringify(r.body));
    const en = await ctx.admin.post(
      `/wecom/corps/${ctx.corpRef}/sync`,
      { mode: 'everything' },
      { 'accept-language': 'en-US' },
    );
    assert.notEqual(JSON.stringify(en.body), JSON.stringify(r.body), 'localised');
  });

  it('another tenant’s corp is not found, never shown or synced', async () => {
    const other = await bindSimulatedCorp(env, sim, { prefix: 'wwrec2', syncStaff: false });
    assert.equal((await other.admin.get(`/wecom/corps/${ctx.corpRef}/sync`)).status, 404);
    assert.equal((await other.admin.post(`/wecom/corps/${ctx.corpRef}/sync`, {})).status, 404);
  });
});
