import { sql } from 'kysely';
import { loadPrincipal } from '../../core/auth/access-loader.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Db } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import type { JobHandler } from '../../core/jobs/queue.ts';
import { type CompiledVersion, loadVersions } from './definition.ts';
import { ADVANCE_QUEUE, wakeAdvance } from './enrol.service.ts';
import { executeStep, type StepEnv, type StepResult, tenantZone } from './steps.ts';

/** Payload of `journeys:advance`. `now` (ISO) is for tests: the clock the steps see. */
/** A step execution's idempotency key (a send's message and coupon key, the history row's identity). */
export const stepKey = (runId: string, stepId: string, visit: number) => `${runId}:${stepId}:${visit}`;

export interface AdvancePayload {
  now?: string;
}

const BATCH = 500;
/** Steps one run may take in one go (a loop without a wait is refused at publish; this is a fuse). */
const MAX_STEPS = 50;
const MAX_ATTEMPTS = 5;

interface RunRow {
  id: string;
  journey_id: string;
  version: number;
  profile_id: string;
  status: 'active' | 'waiting';
  step_id: string;
  visit: number;
  waiting_for: { hit?: boolean } | null;
  attempts: number;
}

/** What advancing one run decided: its history rows and where it stands now. */
interface RunOutcome {
  run: RunRow;
  version: CompiledVersion;
  history: { stepId: string; visit: number; kind: string; r: StepResult }[];
  stepId: string;
  visit: number;
  end: { status: 'waiting' | 'done' | 'exited'; until?: Date; waitingFor?: unknown };
}

/**
 * Advances one batch of due runs in one transaction: claims them with SKIP LOCKED in one query
 * (workers never share a run), executes each run's steps until it waits or ends, then writes
 * every run's history rows (keyed `runId:stepId:visit`) with one grouped INSERT and moves every
 * run with one grouped UPDATE — all or nothing. A worker killed mid-batch commits nothing; the
 * next one claims the same rows and does the same steps with the same keys, so a send is queued
 * once (messaging runs in this transaction and dedupes on the key).
 * The fast path takes no savepoints; when a run fails, the batch is rolled back and done again
 * with a savepoint per run, so only that run's work is undone — it is retried with backoff,
 * then failed — and the others go on.
 */
export async function advanceBatch(db: Db, tenantId: string, now: Date, batch = BATCH): Promise<number> {
  try {
    return await inTenant(db, tenantId, (tx) => advanceClaimed(db, tx, tenantId, now, batch, false));
  } catch (err) {
    if (!(err instanceof RunFailed)) throw err;
    return inTenant(db, tenantId, (tx) => advanceClaimed(db, tx, tenantId, now, batch, true));
  }
}

class RunFailed extends Error {}

async function advanceClaimed(
  db: Db,
  tx: Tx,
  tenantId: string,
  now: Date,
  batch: number,
  isolate: boolean,
): Promise<number> {
  const runs = (
    await sql<RunRow>`select id, journey_id, version, profile_id, status, step_id, visit, waiting_for, attempts
      from journey_runs where tenant_id = ${tenantId} and status in ('active', 'waiting') and next_run_at <= ${now}
      order by next_run_at limit ${batch} for update skip locked`.execute(tx)
  ).rows;
  if (!runs.length) return 0;
  const versions = await loadVersions(
    tx,
    tenantId,
    [...new Set(runs.map((r) => `${r.journey_id}:${r.version}`))].map((k) => {
      const [journeyId, version] = k.split(':');
      return { journeyId: journeyId!, version: Number(version) };
    }),
  );
  const zone = await tenantZone(tx, tenantId);
  const authors = new Map<string, Promise<Principal | null>>();
  const authorOf = (v: CompiledVersion) => () => {
    const uid = v.publishedBy;
    if (!uid) return Promise.resolve(null);
    if (!authors.has(uid)) authors.set(uid, principalOf(db, tx, tenantId, uid));
    return authors.get(uid)!;
  };
  const outcomes: RunOutcome[] = [];
  const failures: { run: RunRow; error: string }[] = [];
  for (const run of runs) {
    const v = versions.get(`${run.journey_id}:${run.version}`);
    if (isolate) await sql`savepoint run`.execute(tx);
    try {
      if (!v) throw new Error(`version ${run.journey_id} v${run.version} missing`);
      outcomes.push(await advanceRun({ tx, tenantId, now, zone, version: v, author: authorOf(v) }, run));
      if (isolate) await sql`release savepoint run`.execute(tx);
    } catch (err) {
      if (!isolate) throw new RunFailed(String((err as Error).message));
      await sql`rollback to savepoint run`.execute(tx);
      failures.push({ run, error: String((err as Error).message).slice(0, 1000) });
    }
  }
  await writeOutcomes(tx, tenantId, now, outcomes);
  for (const { run, error } of failures) {
    const attempts = run.attempts + 1;
    const dead = attempts >= MAX_ATTEMPTS;
    await sql`update journey_runs set attempts = ${attempts}, last_error = ${error},
        status = ${dead ? 'failed' : run.status}, finished_at = ${dead ? now : null},
        next_run_at = ${dead ? null : new Date(+now + 2 ** attempts * 1000)}
      where tenant_id = ${tenantId} and id = ${run.id}`.execute(tx);
  }
  return runs.length;
}

/** One INSERT of every history row of the batch, one UPDATE of every run, one wake-up per second. */
async function writeOutcomes(tx: Tx, tenantId: string, now: Date, outcomes: RunOutcome[]) {
  const rows = outcomes.flatMap((o) =>
    o.history.map((h) => ({
      run_id: o.run.id,
      step_id: h.stepId,
      visit: h.visit,
      journey_id: o.version.journeyId,
      version: o.version.version,
      kind: h.kind,
      outcome: h.r.outcome,
      reason: h.r.reason ?? null,
      message_id: h.r.messageId ?? null,
    })),
  );
  for (let i = 0; i < rows.length; i += 2000) {
    await sql`insert into journey_steps (tenant_id, run_id, step_id, visit, journey_id, version, kind, outcome, reason, message_id, at)
      select ${tenantId}, x.run_id, x.step_id, x.visit, x.journey_id, x.version, x.kind, x.outcome, x.reason, x.message_id, ${now}
      from jsonb_to_recordset(${JSON.stringify(rows.slice(i, i + 2000))}::jsonb) as x(run_id uuid, step_id text, visit int,
        journey_id uuid, version int, kind text, outcome text, reason text, message_id uuid)
      on conflict do nothing`.execute(tx);
  }
  if (!outcomes.length) return;
  const moves = outcomes.map((o) => ({
    id: o.run.id,
    status: o.end.status,
    step_id: o.stepId,
    visit: o.visit,
    next_run_at: o.end.status === 'waiting' ? o.end.until!.toISOString() : null,
    waiting_for: o.end.status === 'waiting' ? (o.end.waitingFor ?? null) : null,
  }));
  await sql`update journey_runs r set status = x.status, step_id = x.step_id, visit = x.visit, next_run_at = x.next_run_at,
      waiting_for = x.waiting_for, finished_at = case when x.status = 'waiting' then null else ${now}::timestamptz end,
      attempts = 0, last_error = null
    from jsonb_to_recordset(${JSON.stringify(moves)}::jsonb) as x(id uuid, status text, step_id text, visit int,
      next_run_at timestamptz, waiting_for jsonb)
    where r.tenant_id = ${tenantId} and r.id = x.id`.execute(tx);
  const wakes = new Map<number, Date>();
  for (const o of outcomes)
    if (o.end.status === 'waiting') wakes.set(Math.ceil(+o.end.until! / 1000), o.end.until!);
  for (const at of wakes.values()) await wakeAdvance(tx, tenantId, at);
}

async function principalOf(db: Db, tx: Tx, tenantId: string, userId: string): Promise<Principal | null> {
  const v = (
    await sql<{ a: number }>`select authz_version as a from tenants where id = ${tenantId}`.execute(tx)
  ).rows[0]!.a;
  const p = await loadPrincipal(db, tenantId, userId, v);
  return p ? { ...p, kind: 'user' } : null;
}

async function advanceRun(env: StepEnv, run: RunRow): Promise<RunOutcome> {
  const { version } = env;
  let stepId = run.step_id;
  let visit = run.visit;
  let resumed: 'timeout' | 'event' | null =
    run.status === 'waiting' ? (run.waiting_for?.hit ? 'event' : 'timeout') : null;
  const history: RunOutcome['history'] = [];
  let end: RunOutcome['end'] | null = null;
  for (let i = 0; i < MAX_STEPS && !end; i++) {
    const node = version.nodes.get(stepId);
    if (!node) throw new Error(`step ${stepId} not in ${version.journeyId} v${version.version}`);
    const r = await executeStep(env, node, {
      runId: run.id,
      profileId: run.profile_id,
      key: stepKey(run.id, stepId, visit),
      resumed,
    });
    // A resumed wait already has its row (written when the wait began).
    if (!resumed) history.push({ stepId, visit, kind: node.data.kind, r });
    resumed = null;
    if (r.finish) end = { status: r.finish };
    else if (r.wait) end = { status: 'waiting', until: r.wait.until, waitingFor: r.wait.waitingFor ?? null };
    else {
      const to = version.next.get(stepId)?.get(r.handle!);
      if (!to) throw new Error(`step ${stepId} has no branch ${r.handle}`);
      stepId = to;
      visit++;
    }
  }
  // The fuse blew: park the run a minute rather than spin.
  end ??= { status: 'waiting', until: new Date(+env.now + 60_000), waitingFor: null };
  return { run, version, history, stepId, visit, end };
}

/** Advances every due run of the tenant (batch after batch) as of `now`; returns how many were advanced. */
export async function advanceDue(db: Db, tenantId: string, now = new Date()): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await advanceBatch(db, tenantId, now);
    total += n;
    if (n === 0) return total;
  }
}

export const advanceJob: JobHandler<AdvancePayload> = async (payload, ctx) => {
  const now = payload.now ? new Date(payload.now) : new Date();
  // Wake-ups queued meanwhile are covered by this drain: take them over.
  await ctx.tx((tx) =>
    sql`delete from jobs where tenant_id = ${ctx.tenantId} and queue = ${ADVANCE_QUEUE} and status = 'pending'
        and run_at <= ${now} and id <> ${ctx.jobId}`.execute(tx),
  );
  for (;;) {
    if (ctx.signal.aborted) return;
    const n = await advanceBatch(ctx.db, ctx.tenantId, payload.now ? now : new Date());
    if (n === 0) return;
    await ctx.heartbeat();
  }
};
