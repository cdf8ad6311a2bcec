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
export interface AdvancePayload {
  now?: string;
}

const BATCH = 200;
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

/**
 * Advances one batch of due runs in one transaction: claims them with SKIP LOCKED (workers never
 * share a run), executes each run's steps until it waits or ends, writes one history row per
 * step execution keyed `runId:stepId:visit`, and moves the run — all or nothing. A worker killed
 * mid-batch commits nothing; the next one claims the same rows and does the same steps with the
 * same keys, so a send is queued once (messaging runs in this transaction and dedupes on the key).
 * One run's failure rolls back to its savepoint only; it is retried with backoff, then failed.
 */
export async function advanceBatch(db: Db, tenantId: string, now: Date, batch = BATCH): Promise<number> {
  return inTenant(db, tenantId, async (tx) => {
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
    for (const run of runs) {
      const v = versions.get(`${run.journey_id}:${run.version}`);
      await sql`savepoint run`.execute(tx);
      try {
        if (!v) throw new Error(`version ${run.journey_id} v${run.version} missing`);
        await advanceRun({ tx, tenantId, now, zone, version: v, author: authorOf(v) }, run);
        await sql`release savepoint run`.execute(tx);
      } catch (err) {
        await sql`rollback to savepoint run`.execute(tx);
        const attempts = run.attempts + 1;
        const dead = attempts >= MAX_ATTEMPTS;
        await sql`update journey_runs set attempts = ${attempts}, last_error = ${String((err as Error).message).slice(0, 1000)},
            status = ${dead ? 'failed' : run.status}, finished_at = ${dead ? now : null},
            next_run_at = ${dead ? null : new Date(+now + 2 ** attempts * 1000)}
          where tenant_id = ${tenantId} and id = ${run.id}`.execute(tx);
      }
    }
    return runs.length;
  });
}

async function principalOf(db: Db, tx: Tx, tenantId: string, userId: string): Promise<Principal | null> {
  const v = (
    await sql<{ a: number }>`select authz_version as a from tenants where id = ${tenantId}`.execute(tx)
  ).rows[0]!.a;
  const p = await loadPrincipal(db, tenantId, userId, v);
  return p ? { ...p, kind: 'user' } : null;
}

async function advanceRun(env: StepEnv, run: RunRow) {
  const { tx, tenantId, now, version } = env;
  let stepId = run.step_id;
  let visit = run.visit;
  let resumed: 'timeout' | 'event' | null =
    run.status === 'waiting' ? (run.waiting_for?.hit ? 'event' : 'timeout') : null;
  const history: { stepId: string; visit: number; kind: string; r: StepResult }[] = [];
  let end: { status: 'waiting' | 'done' | 'exited'; until?: Date; waitingFor?: unknown } | null = null;
  for (let i = 0; i < MAX_STEPS && !end; i++) {
    const node = version.nodes.get(stepId);
    if (!node) throw new Error(`step ${stepId} not in ${version.journeyId} v${version.version}`);
    const r = await executeStep(env, node, {
      runId: run.id,
      profileId: run.profile_id,
      key: `${run.id}:${stepId}:${visit}`,
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
  if (history.length) {
    await sql`insert into journey_steps (tenant_id, run_id, step_id, visit, journey_id, version, kind, outcome, reason, message_id, at)
      values ${sql.join(
        history.map(
          (h) =>
            sql`(${tenantId}, ${run.id}, ${h.stepId}, ${h.visit}, ${version.journeyId}, ${version.version}, ${h.kind},
              ${h.r.outcome}, ${h.r.reason ?? null}, ${h.r.messageId ?? null}, ${now})`,
        ),
      )} on conflict do nothing`.execute(tx);
  }
  if (!end) {
    // The fuse blew: park the run a minute rather than spin.
    end = { status: 'waiting', until: new Date(+now + 60_000), waitingFor: null };
  }
  if (end.status === 'waiting') {
    await sql`update journey_runs set status = 'waiting', step_id = ${stepId}, visit = ${visit}, next_run_at = ${end.until},
        waiting_for = ${end.waitingFor ? JSON.stringify(end.waitingFor) : null}::jsonb, attempts = 0, last_error = null
      where tenant_id = ${tenantId} and id = ${run.id}`.execute(tx);
    await wakeAdvance(tx, tenantId, end.until);
  } else {
    await sql`update journey_runs set status = ${end.status}, step_id = ${stepId}, visit = ${visit}, next_run_at = null,
        waiting_for = null, finished_at = ${now}, attempts = 0, last_error = null
      where tenant_id = ${tenantId} and id = ${run.id}`.execute(tx);
  }
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
