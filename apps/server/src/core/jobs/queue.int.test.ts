import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { getTestEnv, newTenant, type TestEnv } from '../../testing/harness.ts';
import { inTenant } from '../db/tenant-scope.ts';
import { enqueue, registerJob, releaseDeadLocalLeases, runOneJob } from './queue.ts';

const log = { info() {}, warn() {}, error() {} };
const signal = new AbortController().signal;

describe('durable job queue', () => {
  let env: TestEnv;
  before(async () => {
    env = await getTestEnv();
  });
  after(() => env.close());

  // Only this test's tenant: other test files share the database and enqueue work of their own.
  async function runAll(tenantId: string, max = 20) {
    for (let i = 0; i < max; i++)
      if (!(await runOneJob(env.database.db, 'test-worker', signal, log, tenantId))) return;
  }

  it('runs a job enqueued in a committed transaction exactly once', async () => {
    const seed = await newTenant(env, 0);
    const seen: string[] = [];
    registerJob<{ n: string }>('test.once', async (p) => {
      seen.push(p.n);
    });
    await inTenant(env.database.db, seed.tenantId, (tx) =>
      enqueue(tx, seed.tenantId, 'test.once', { n: 'a' }),
    );
    await runAll(seed.tenantId);
    assert.deepEqual(seen, ['a']);
  });

  it('does not run a job whose enqueuing transaction rolled back', async () => {
    const seed = await newTenant(env, 0);
    const seen: string[] = [];
    registerJob<{ n: string }>('test.rollback', async (p) => {
      seen.push(p.n);
    });
    await assert.rejects(
      inTenant(env.database.db, seed.tenantId, async (tx) => {
        await enqueue(tx, seed.tenantId, 'test.rollback', { n: 'x' });
        throw new Error('boom');
      }),
    );
    await runAll(seed.tenantId);
    assert.deepEqual(seen, []);
  });

  it('retries a failing job with backoff and moves it to the dead-letter list after max attempts', async () => {
    const seed = await newTenant(env, 0);
    let calls = 0;
    registerJob('test.failing', async () => {
      calls++;
      throw new Error('always fails');
    });
    const id = await inTenant(env.database.db, seed.tenantId, (tx) =>
      enqueue(tx, seed.tenantId, 'test.failing', {}, { maxAttempts: 3 }),
    );
    for (let attempt = 1; attempt <= 3; attempt++) {
      // Make the backoff elapse instead of sleeping.
      await sql`update jobs set run_at = now() where id = ${id}`.execute(env.database.db);
      await runOneJob(env.database.db, 'w', signal, log, seed.tenantId);
      const job = (
        await sql<{
          status: string;
          attempts: number;
          run_at: Date;
          last_error: string;
        }>`select status, attempts, run_at, last_error from jobs where id = ${id}`.execute(env.database.db)
      ).rows[0]!;
      assert.equal(job.attempts, attempt);
      assert.match(job.last_error, /always fails/);
      if (attempt < 3) {
        assert.equal(job.status, 'pending');
        assert.ok(new Date(job.run_at).getTime() > Date.now(), 'the retry waits for its backoff');
      } else assert.equal(job.status, 'dead');
    }
    assert.equal(calls, 3);
  });

  it('takes over a job whose worker died (lease expired)', async () => {
    const seed = await newTenant(env, 0);
    let ran = 0;
    registerJob('test.lease', async () => {
      ran++;
    });
    const id = await inTenant(env.database.db, seed.tenantId, (tx) =>
      enqueue(tx, seed.tenantId, 'test.lease', {}),
    );
    // Simulate a crash: claimed, then never finished, lease already past.
    await sql`update jobs set status = 'running', attempts = 1, locked_until = now() - interval '1 second', locked_by = 'dead-worker' where id = ${id}`.execute(
      env.database.db,
    );
    await runAll(seed.tenantId);
    const job = (
      await sql<{
        status: string;
        attempts: number;
      }>`select status, attempts from jobs where id = ${id}`.execute(env.database.db)
    ).rows[0]!;
    assert.equal(ran, 1);
    assert.equal(job.status, 'done');
    assert.equal(job.attempts, 2);
  });
  it('releases at start the leases of a dead process on this host, and only those', async () => {
    const seed = await newTenant(env, 0);
    let ran = 0;
    registerJob('test.crashed', async () => {
      ran++;
    });
    const [dead, alive, remote] = await inTenant(env.database.db, seed.tenantId, async (tx) => [
      await enqueue(tx, seed.tenantId, 'test.crashed', {}),
      await enqueue(tx, seed.tenantId, 'test.crashed', {}),
      await enqueue(tx, seed.tenantId, 'test.crashed', {}),
    ]);
    // kill -9 mid-job: the lease still runs for two minutes. A pid of 2^22+ is never alive on Linux.
    const lease = async (id: string, by: string) =>
      sql`update jobs set status = 'running', attempts = 1, locked_until = now() + interval '2 minutes', locked_by = ${by} where id = ${id}`.execute(
        env.database.db,
      );
    await lease(dead, `${hostname()}:4194305#0`);
    await lease(alive, `${hostname()}:${process.ppid}#1`);
    await lease(remote, 'another-host:4194305#0');
    assert.ok((await releaseDeadLocalLeases(env.database.db)) >= 1);
    await runAll(seed.tenantId);
    assert.equal(ran, 1, 'only the dead local worker’s job is taken over');
    const status = async (id: string) =>
      (await sql<{ status: string }>`select status from jobs where id = ${id}`.execute(env.database.db))
        .rows[0]!.status;
    assert.equal(await status(dead), 'done');
    assert.equal(await status(alive), 'running');
    assert.equal(await status(remote), 'running');
    await sql`update jobs set status = 'done', locked_until = null where id = any(${[alive, remote]}::uuid[])`.execute(
      env.database.db,
    );
  });
});
