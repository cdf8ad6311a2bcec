import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { drainBackground, newTenantWithAdmin, testDatabaseUrl, useTestEnv } from '../../testing/harness.ts';
import { startTenantWorker } from '../../testing/tenant-worker-process.ts';
import { loadVersions } from './definition.ts';
import { enrolProfiles } from './enrol.service.ts';

/**
 * kill -9 of the worker advancing journeys (issue 12, reliability): N profiles enter a journey
 * whose steps give the owner a task (a notification row per execution, carrying the step key),
 * split at random and update a field. The worker is killed mid-run, more than once; started
 * again, every run ends, every task exists exactly once, and every run has exactly its steps.
 * Needs a database the killed process does not own, so it runs on PostgreSQL.
 * N is 2,000 by default (CI time); the 10,000 with `KEHU_CRASH_PROFILES=10000` (the same
 * assertions: every run done, every task exactly once, exactly five step rows per run).
 */
const N = Number(process.env.KEHU_CRASH_PROFILES ?? 2_000);
const env = useTestEnv();

const startWorker = startTenantWorker;

describe('journey durability', {
  skip: testDatabaseUrl() ? false : 'needs PostgreSQL (DATABASE_URL)',
}, () => {
  it(`advances ${N} profiles exactly once when the worker is killed -9 mid-run`, {
    timeout: 600_000,
  }, async () => {
    const { admin, tenantId } = await newTenantWithAdmin(env, 2);
    const q = <T>(fn: (tx: any) => Promise<T>) => inTenant(env.database.db, tenantId, fn);
    const c = await admin.post('/journeys', {
      name: '断电测试',
      definition: {
        trigger: { kind: 'manual' },
        graph: {
          nodes: [
            { id: 'in', data: { kind: 'entry' } },
            { id: 'task', data: { kind: 'task', title: '回访客户' } },
            {
              id: 'ab',
              data: {
                kind: 'random',
                variants: [
                  { key: 'a', weight: 1 },
                  { key: 'b', weight: 1 },
                ],
              },
            },
            { id: 'fa', data: { kind: 'field', trait: 'variant', value: 'a' } },
            { id: 'fb', data: { kind: 'field', trait: 'variant', value: 'b' } },
            { id: 'out', data: { kind: 'exit' } },
          ],
          edges: [
            { id: '1', source: 'in', target: 'task' },
            { id: '2', source: 'task', target: 'ab' },
            { id: '3', source: 'ab', target: 'fa', sourceHandle: 'a' },
            { id: '4', source: 'ab', target: 'fb', sourceHandle: 'b' },
            { id: '5', source: 'fa', target: 'out' },
            { id: '6', source: 'fb', target: 'out' },
          ],
        },
      },
    });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const journeyId = c.body.id as string;
    assert.equal((await admin.post(`/journeys/${journeyId}/publish`)).status, 200);
    await drainBackground(env, tenantId);

    // N profiles, each linked to one of the tenant's customers (so each has an owner for the task).
    await q(async (tx) => {
      await sql`insert into cdp_profiles (tenant_id, id, canonical_id, traits)
        select ${tenantId}, g.id, g.id, '{}'::jsonb from (select gen_random_uuid() as id from generate_series(1, ${N})) g`.execute(
        tx,
      );
      await sql`insert into cdp_profile_links (tenant_id, object, record_id, profile_id)
        select ${tenantId}, 'customer', gen_random_uuid(), p.id from cdp_profiles p where p.tenant_id = ${tenantId}`.execute(
        tx,
      );
      await sql`insert into customers (tenant_id, id, owner_id, unit_id, name, kind)
        select l.tenant_id, l.record_id, u.id, u.unit_id, 'c' || l.record_id, 'person' from cdp_profile_links l
        cross join lateral (select id, unit_id from users where tenant_id = ${tenantId} and status = 'active' order by id limit 1) u
        where l.tenant_id = ${tenantId} and l.object = 'customer'`.execute(tx);
      const ids = (
        await sql<{ id: string }>`select id from cdp_profiles where tenant_id = ${tenantId}`.execute(tx)
      ).rows.map((r) => r.id);
      const v = (await loadVersions(tx, tenantId, [{ journeyId, version: 1 }])).get(`${journeyId}:1`)!;
      assert.equal(await enrolProfiles(tx, tenantId, v, ids, new Date()), N);
    });

    const progress = () =>
      q(async (tx) =>
        Number(
          (
            await sql<{
              n: number;
            }>`select count(*)::int as n from journey_runs where journey_id = ${journeyId} and status = 'done'`.execute(
              tx,
            )
          ).rows[0]!.n,
        ),
      );
    // Kill twice mid-way, then let a worker finish.
    for (const share of [0.2, 0.5]) {
      const child = startWorker(tenantId);
      const exited = once(child, 'exit');
      const deadline = Date.now() + 300_000;
      while ((await progress()) < N * share) {
        if (Date.now() > deadline) throw new Error('the worker never got going');
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      await exited;
      assert.ok((await progress()) < N, 'killed mid-run');
    }
    const last = startWorker(tenantId);
    const [code] = await once(last, 'exit');
    assert.equal(code, 0);
    await drainBackground(env, tenantId);

    const result = await q(async (tx) => {
      const one = async (s: ReturnType<typeof sql>) =>
        Number(((await s.execute(tx)).rows[0] as { n: number }).n);
      return {
        done: await one(
          sql`select count(*)::int as n from journey_runs where journey_id = ${journeyId} and status = 'done'`,
        ),
        tasks: await one(
          sql`select count(*)::int as n from notifications where kind = 'journey.task' and data->>'journeyId' = ${journeyId}`,
        ),
        distinctTasks: await one(sql`select count(distinct data->>'key')::int as n from notifications
          where kind = 'journey.task' and data->>'journeyId' = ${journeyId}`),
        stepRows: await one(
          sql`select count(*)::int as n from journey_steps where journey_id = ${journeyId}`,
        ),
        withVariant: await one(
          sql`select count(*)::int as n from cdp_profiles where tenant_id = ${tenantId} and traits ? 'variant'`,
        ),
      };
    });
    // entry, task, ab, fa|fb, out: five steps per run.
    assert.deepEqual(result, { done: N, tasks: N, distinctTasks: N, stepRows: 5 * N, withVariant: N });
  });
});
