import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { inTenant, type SystemTx, type Tx } from '../db/tenant-scope.ts';
import { newId } from '../ids.ts';

/**
 * A durable job queue in PostgreSQL (see docs/decisions/0003-job-queue.md): jobs are rows,
 * enqueued in the caller's transaction, claimed with SKIP LOCKED, retried with exponential
 * backoff, and moved to status `dead` (the dead-letter list) after max_attempts.
 * A worker that dies leaves its job `running` with an expired lease; another worker takes it.
 */
export interface JobContext {
  /** The owner connection: only for work that spans tenants (partitions, claims). */
  db: Db;
  tenantId: string;
  /** Runs `fn` in a transaction of the job's tenant (RLS on), like a route's `req.tx`. */
  tx<T>(fn: (tx: Tx) => Promise<T>, opts?: { readOnly?: boolean }): Promise<T>;
  jobId: string;
  attempt: number;
  /** Long jobs call this to keep their lease. */
  heartbeat(): Promise<void>;
  signal: AbortSignal;
}
export type JobHandler<P = any> = (payload: P, ctx: JobContext) => Promise<void>;

const handlers = new Map<string, JobHandler>();
export function registerJob<P>(queue: string, handler: JobHandler<P>): void {
  handlers.set(queue, handler as JobHandler);
}
export const registeredQueues = () => [...handlers.keys()];

export interface EnqueueOptions {
  runAt?: Date;
  maxAttempts?: number;
  dedupeKey?: string;
}

export async function enqueue(
  /** The caller's transaction: a tenant's, or the owner's for work that spans tenants (the dispatcher). */
  tx: Tx | SystemTx,
  tenantId: string,
  queue: string,
  payload: unknown,
  opts: EnqueueOptions = {},
) {
  const id = newId();
  await sql`insert into jobs (tenant_id, id, queue, payload, run_at, max_attempts, dedupe_key)
    values (${tenantId}, ${id}, ${queue}, ${JSON.stringify(payload)}::jsonb, ${opts.runAt ?? new Date()},
      ${opts.maxAttempts ?? 5}, ${opts.dedupeKey ?? null})
    on conflict do nothing`.execute(tx);
  kick();
  return id;
}

const LEASE_SECONDS = 120;
export const backoffSeconds = (attempt: number) => Math.min(3600, 2 ** attempt);

interface JobRow {
  tenant_id: string;
  id: string;
  queue: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
}

let wake: (() => void) | null = null;
/** Wakes an idle worker in this process at once instead of at its next poll. */
export function kick() {
  wake?.();
}

/** `onlyTenant` is for tests: drain one tenant's work without running every other tenant's due jobs. */
export async function claimJob(db: Db, workerId: string, onlyTenant?: string): Promise<JobRow | null> {
  const queues = registeredQueues();
  if (queues.length === 0) return null;
  const r = await sql<JobRow>`
    update jobs set status = 'running', attempts = attempts + 1,
      locked_until = now() + make_interval(secs => ${LEASE_SECONDS}), locked_by = ${workerId}
    where (tenant_id, id) = (
      select tenant_id, id from jobs
      where run_at <= now() and queue = any(${queues}::text[])
        ${onlyTenant ? sql`and tenant_id = ${onlyTenant}` : sql``}
        and (status = 'pending' or (status = 'running' and locked_until < now()))
      order by run_at limit 1 for update skip locked)
    returning tenant_id, id, queue, payload, attempts, max_attempts`.execute(db);
  return r.rows[0] ?? null;
}

export async function runOneJob(
  db: Db,
  workerId: string,
  signal: AbortSignal,
  log: Logger,
  onlyTenant?: string,
): Promise<boolean> {
  const job = await claimJob(db, workerId, onlyTenant);
  if (!job) return false;
  const handler = handlers.get(job.queue)!;
  const ctx: JobContext = {
    db,
    tenantId: job.tenant_id,
    jobId: job.id,
    attempt: job.attempts,
    signal,
    tx: (fn, opts) => inTenant(db, job.tenant_id, fn, opts),
    heartbeat: async () => {
      await sql`update jobs set locked_until = now() + make_interval(secs => ${LEASE_SECONDS})
        where tenant_id = ${job.tenant_id} and id = ${job.id}`.execute(db);
    },
  };
  try {
    await handler(job.payload, ctx);
    await sql`update jobs set status = 'done', finished_at = now(), locked_until = null, last_error = null
      where tenant_id = ${job.tenant_id} and id = ${job.id}`.execute(db);
  } catch (err) {
    const message = (err as Error).stack ?? String(err);
    const dead = job.attempts >= job.max_attempts;
    log.warn(
      { job: job.id, queue: job.queue, attempt: job.attempts, dead, err: (err as Error).message },
      'job failed',
    );
    await sql`update jobs set status = ${dead ? 'dead' : 'pending'}, last_error = ${message.slice(0, 4000)},
      locked_until = null, finished_at = ${dead ? new Date() : null},
      run_at = now() + make_interval(secs => ${backoffSeconds(job.attempts)})
      where tenant_id = ${job.tenant_id} and id = ${job.id}`.execute(db);
  }
  return true;
}

export interface Logger {
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
}

const processAlive = (pid: number) => {
  if (pid === process.pid) return false; // a restarted container reuses its pid: those leases are a dead run's
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Leases held by processes of this host that no longer exist (kill -9, OOM, a crash) are
 * released at start, so their jobs resume at once instead of after the lease (120 s). Other
 * hosts' leases are left to expire: their liveness cannot be known from here.
 */
export async function releaseDeadLocalLeases(db: Db): Promise<number> {
  const host = hostname();
  const held = await sql<{ locked_by: string }>`select distinct locked_by from jobs
    where status = 'running' and locked_until > now() and locked_by like ${`${host}:%`}`.execute(db);
  const dead = held.rows
    .map((r) => r.locked_by)
    .filter((w) => {
      const pid = Number(/^.*:(\d+)(#\d+)?$/.exec(w)?.[1]);
      return Number.isInteger(pid) && pid > 0 && !processAlive(pid);
    });
  if (!dead.length) return 0;
  const r = await sql`update jobs set locked_until = now() - interval '1 second'
    where status = 'running' and locked_by = any(${dead}::text[])`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** Polls for jobs until `signal` aborts; `concurrency` loops share the process. */
export function startWorker(
  db: Db,
  log: Logger,
  signal: AbortSignal,
  opts: { concurrency?: number; pollMs?: number } = {},
) {
  const workerId = `${hostname()}:${process.pid}`;
  const pollMs = opts.pollMs ?? 500;
  const loops: Promise<void>[] = [];
  const released = releaseDeadLocalLeases(db)
    .then((n) => {
      if (n) log.info({ jobs: n }, 'released the leases of a dead process on this host');
    })
    .catch((err) => log.warn({ err: (err as Error).message }, 'could not release dead leases'));
  for (let i = 0; i < (opts.concurrency ?? 2); i++) {
    loops.push(
      (async () => {
        await released;
        while (!signal.aborted) {
          let worked = false;
          try {
            worked = await runOneJob(db, `${workerId}#${i}`, signal, log);
          } catch (err) {
            if (!signal.aborted) log.error({ err: (err as Error).message }, 'worker loop error');
          }
          if (!worked) await idle(pollMs, signal);
        }
      })(),
    );
  }
  return Promise.all(loops).then(() => {});
}

function idle(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      if (wake === done) wake = null;
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
    wake = done;
  });
}
