import { sql } from 'kysely';
import type { Database } from '../../core/db/database.ts';
import { newId } from '../../core/ids.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import { ensureNightlyActivity } from './activity.service.ts';
import { contactAdded, detailOf } from './callback.job.ts';
import { WeComApiError, WeComClient } from './connector/client.ts';
import { type CorpRuntime, corpRuntime } from './corps.service.ts';
import { syncGroups } from './groups.service.ts';
import { ensureReconcileSchedule, RECONCILE_QUEUE, type ReconcileJob } from './reconcile-schedule.ts';

export { RECONCILE_QUEUE, type ReconcileJob };

/**
 * Reconciliation (issue 10, reliability): WeCom loses a callback now and then, and Kehu may have been
 * down past WeCom's retries. The full run walks every active staff member's customers with
 * `batch/get_by_user` (100 userids per call, cursor pages of 100 — what WeCom allows) and runs the
 * same idempotent add for each relationship Kehu does not know, so a repaired contact is exactly
 * what the callback would have made; then the groups. The light run asks `externalcontact/list` per
 * staff member (ids only, one call each) and fetches details only for the ids Kehu lacks.
 * Calls pace themselves through the client's per-API limiter. A run killed mid-way (kill -9) leaves
 * its row `running`; the next run marks it failed and simply walks again — every add is idempotent.
 */
let databaseRef: Database | null = null;
export const bindReconcileDatabase = (d: Database) => {
  databaseRef = d;
};

/** WeCom's "not an external contact / no customers" answers: a staff member with nobody, not a failure. */
const NOBODY = new Set([84061, 40096, 60111]);

export async function reconcileJob(payload: ReconcileJob, job: JobContext): Promise<void> {
  const database = databaseRef ?? ({ db: job.db } as Database);
  const mode = payload.mode ?? 'full';
  const runId = newId();
  const { corp, staff } = await job.tx(async (tx) => {
    const corp = await corpRuntime(tx, job.tenantId, payload.corpRef);
    const staff = (
      await sql<{ userid: string }>`select userid from wecom_staff where tenant_id = ${job.tenantId}
        and corp_ref = ${payload.corpRef} and active order by userid`.execute(tx)
    ).rows.map((r) => r.userid);
    await sql`update wecom_sync_runs set status = 'failed', error = 'interrupted', finished_at = now()
      where tenant_id = ${job.tenantId} and corp_ref = ${payload.corpRef} and status = 'running'`.execute(tx);
    await sql`insert into wecom_sync_runs (tenant_id, id, corp_ref, mode, trigger, job_id, staff_total)
      values (${job.tenantId}, ${runId}, ${payload.corpRef}, ${mode}, ${payload.trigger ?? 'manual'}, ${job.jobId},
        ${staff.length})`.execute(tx);
    return { corp, staff };
  });
  const progress: Progress = {
    runId,
    added: async (n) => {
      if (!n) return;
      await job.tx((tx) =>
        sql`update wecom_sync_runs set contacts_added = contacts_added + ${n}
          where tenant_id = ${job.tenantId} and id = ${runId}`.execute(tx),
      );
    },
  };
  try {
    if (mode === 'full') await walkFull(database, job, corp, staff, progress);
    else await walkLight(database, job, corp, staff, progress);
    // Customer groups too (groupchat/list + get): repairs lost change_external_chat callbacks.
    if (mode === 'full') await syncGroups(database, corp);
    await job.tx(async (tx) => {
      await sql`update wecom_sync_runs set status = 'ok', finished_at = now()
        where tenant_id = ${job.tenantId} and id = ${runId}`.execute(tx);
      // The nightly activity pull and the next reconciliations stay queued for every reconciled corp.
      await ensureNightlyActivity(tx, job.tenantId, corp.corpRef);
      await ensureReconcileSchedule(tx, job.tenantId, corp.corpRef);
    });
  } catch (e) {
    await job.tx(async (tx) => {
      await sql`update wecom_sync_runs set status = 'failed', error = ${String((e as Error).message).slice(0, 500)},
        finished_at = now() where tenant_id = ${job.tenantId} and id = ${runId}`.execute(tx);
      // A failed run must not end the chain of scheduled runs.
      await ensureReconcileSchedule(tx, job.tenantId, corp.corpRef);
    });
    throw e;
  }
}

interface Progress {
  runId: string;
  added: (n: number) => Promise<void>;
}

/** Which of a page's relationships Kehu has; the run's progress is written in the same transaction. */
async function knownPairs(
  job: JobContext,
  corp: CorpRuntime,
  pairs: [string, string][],
  run: { id: string; staffDone: number },
) {
  return job.tx(async (tx) => {
    await sql`update wecom_sync_runs set staff_done = ${run.staffDone}, contacts_seen = contacts_seen + ${pairs.length}
      where tenant_id = ${job.tenantId} and id = ${run.id}`.execute(tx);
    const r = await sql<{
      k: string;
    }>`select external_userid || '|' || userid as k from wecom_external_contacts
      where tenant_id = ${job.tenantId} and corp_ref = ${corp.corpRef}
        and (external_userid, userid) in (select * from unnest(${pairs.map((p) => p[0])}::text[],
          ${pairs.map((p) => p[1])}::text[]))`.execute(tx);
    return new Set(r.rows.map((x) => x.k));
  });
}

async function walkFull(
  database: Database,
  job: JobContext,
  corp: CorpRuntime,
  staff: string[],
  progress: Progress,
) {
  const client = new WeComClient(database, corp);
  for (let i = 0; i < staff.length; i += 100) {
    const userids = staff.slice(i, i + 100);
    let cursor = '';
    let batch: any[] = [];
    // WeCom's pages are 100 rows; Kehu compares 1,000 at a time, so the database is asked a tenth as
    // often and the walk stays close to what the rate limit allows (bench/wecom-reconcile.bench.ts).
    const check = async (staffDone: number) => {
      const rows = batch;
      batch = [];
      const known = await knownPairs(
        job,
        corp,
        rows.map((r) => [r.external_contact?.external_userid, r.follow_info?.userid] as [string, string]),
        { id: progress.runId, staffDone },
      );
      let added = 0;
      for (const r of rows) {
        const ext = r.external_contact?.external_userid;
        const userid = r.follow_info?.userid;
        if (!ext || !userid || known.has(`${ext}|${userid}`)) continue;
        await contactAdded(
          database,
          job,
          corp,
          {
            ExternalUserID: ext,
            UserID: userid,
            ...(r.follow_info.state ? { State: String(r.follow_info.state) } : {}),
            CreateTime: String(r.follow_info.createtime ?? ''),
          },
          detailOf(r.external_contact, r.follow_info),
        );
        added++;
      }
      await progress.added(added);
      await job.heartbeat();
    };
    do {
      const res = await client.post('externalcontact/batch/get_by_user', {
        userid_list: userids,
        cursor,
        limit: 100,
      });
      batch.push(...(res.external_contact_list ?? []));
      cursor = res.next_cursor ?? '';
      // Progress counts staff when their batch of 100 is done.
      if (batch.length >= 1000 || !cursor) await check(cursor ? i : Math.min(staff.length, i + 100));
    } while (cursor);
  }
}

async function walkLight(
  database: Database,
  job: JobContext,
  corp: CorpRuntime,
  staff: string[],
  progress: Progress,
) {
  const client = new WeComClient(database, corp);
  let done = 0;
  for (const userid of staff) {
    let ids: string[] = [];
    try {
      ids = ((await client.get('externalcontact/list', { userid })).external_userid ?? []).map(String);
    } catch (e) {
      if (!(e instanceof WeComApiError && NOBODY.has(e.errcode))) throw e;
    }
    const known = await knownPairs(
      job,
      corp,
      ids.map((x) => [x, userid] as [string, string]),
      { id: progress.runId, staffDone: ++done },
    );
    let added = 0;
    for (const ext of ids) {
      if (known.has(`${ext}|${userid}`)) continue;
      const res = await client.get('externalcontact/get', { external_userid: ext });
      const follow = (res.follow_user ?? []).find((f: any) => f.userid === userid);
      if (!follow) continue;
      await contactAdded(
        database,
        job,
        corp,
        {
          ExternalUserID: ext,
          UserID: userid,
          ...(follow.state ? { State: String(follow.state) } : {}),
          CreateTime: String(follow.createtime ?? ''),
        },
        detailOf(res.external_contact, follow),
      );
      added++;
    }
    await progress.added(added);
    await job.heartbeat();
  }
}
