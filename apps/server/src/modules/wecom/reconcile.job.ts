import { sql } from 'kysely';
import type { Database } from '../../core/db/database.ts';
import { newId } from '../../core/ids.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import { ensureNightlyActivity } from './activity.service.ts';
import { contactAdded, detailOf } from './callback.job.ts';
import { WeComApiError, WeComClient } from './connector/client.ts';
import { type CorpRuntime, corpRuntime } from './corps.service.ts';
import { syncGroups } from './groups.service.ts';
import { eachAtMost, reconcileTuning, runLanes, staffLanes } from './reconcile-lanes.ts';
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
    seen: async (contacts, staffDone, added) => {
      await job.tx((tx) =>
        sql`update wecom_sync_runs set contacts_seen = contacts_seen + ${contacts},
            staff_done = staff_done + ${staffDone}, contacts_added = contacts_added + ${added}
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
  /** Rows compared, staff finished and relationships added since the last call, in one update. */
  seen: (contacts: number, staffDone: number, added: number) => Promise<void>;
}

/**
 * Which of a page's relationships Kehu has; the run's progress is written in the same transaction
 * (the light run: one staff member's ids at a time).
 */
async function knownPairs(
  job: JobContext,
  corp: CorpRuntime,
  pairs: [string, string][],
  run: { id: string; staffDone: number },
) {
  return job.tx(async (tx) => {
    await sql`update wecom_sync_runs set staff_done = staff_done + ${run.staffDone},
        contacts_seen = contacts_seen + ${pairs.length}
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

/**
 * Every relationship Kehu holds for the corp, read once before the full walk. The walk reads every
 * relationship from WeCom anyway; one pass over the corp's rows costs less than a thousand lookups,
 * and it does not depend on the planner: right after a bulk load (statistics still saying the corp
 * is empty) a per-page lookup hashed the whole corp every time — 200 ms a page. Relations added while
 * the walk runs (a callback) are harmless: the add the walk then runs finds them and changes nothing.
 */
async function knownRelations(job: JobContext, corp: CorpRuntime): Promise<Set<string>> {
  return job.tx(async (tx) => {
    const r = await sql<{
      k: string;
    }>`select external_userid || '|' || userid as k from wecom_external_contacts
      where tenant_id = ${job.tenantId} and corp_ref = ${corp.corpRef}`.execute(tx);
    return new Set(r.rows.map((x) => x.k));
  });
}

/**
 * The full walk: staff in lanes (reconcile-lanes.ts), each lane a cursor over `batch/get_by_user`
 * pages of 100. A lane asks for its next page before comparing the current one, so the network
 * and the database work at the same time; only the relationships Kehu lacks touch the database,
 * through the callback's idempotent add. Progress is written every ten pages and when a lane ends.
 */
async function walkFull(
  database: Database,
  job: JobContext,
  corp: CorpRuntime,
  staff: string[],
  progress: Progress,
) {
  const client = new WeComClient(database, corp);
  const known = await knownRelations(job, corp);
  const page = (userids: string[], cursor: string) =>
    client.post('externalcontact/batch/get_by_user', { userid_list: userids, cursor, limit: 100 });
  await runLanes(staffLanes(staff), async (userids, stopped) => {
    let next: Promise<any> | null = page(userids, '');
    let seen = 0;
    let pages = 0;
    while (next) {
      const res: any = await next;
      const cursor: string = String(res.next_cursor ?? '');
      next = cursor && !stopped() ? page(userids, cursor) : null;
      // A failed prefetch surfaces when awaited; until then it must not count as unhandled.
      next?.catch(() => {});
      const rows: any[] = res.external_contact_list ?? [];
      seen += rows.length;
      const added = await repairPage(database, job, corp, rows, known);
      if (added || ++pages % 10 === 0 || !cursor) {
        await progress.seen(seen, cursor ? 0 : userids.length, added);
        seen = 0;
        await job.heartbeat();
      }
      if (stopped()) return;
    }
  });
}

/**
 * Runs the callback's add for each relationship of the page Kehu lacks; how many it added. Adds for
 * different customers run side by side (`reconcileTuning.repairs` at a time: each is several
 * statements and a CDP ingest, so one after another they were most of a repairing walk); the
 * relationships of one customer run in turn, as their callbacks would.
 */
async function repairPage(
  database: Database,
  job: JobContext,
  corp: CorpRuntime,
  rows: any[],
  known: Set<string>,
): Promise<number> {
  const byCustomer = new Map<string, any[]>();
  for (const r of rows) {
    const ext = r.external_contact?.external_userid;
    const userid = r.follow_info?.userid;
    if (!ext || !userid || known.has(`${ext}|${userid}`)) continue;
    known.add(`${ext}|${userid}`);
    byCustomer.set(ext, [...(byCustomer.get(ext) ?? []), r]);
  }
  let added = 0;
  await eachAtMost([...byCustomer.values()], reconcileTuning.repairs, async (customerRows) => {
    for (const r of customerRows) {
      await contactAdded(
        database,
        job,
        corp,
        {
          ExternalUserID: r.external_contact.external_userid,
          UserID: r.follow_info.userid,
          ...(r.follow_info.state ? { State: String(r.follow_info.state) } : {}),
          CreateTime: String(r.follow_info.createtime ?? ''),
        },
        detailOf(r.external_contact, r.follow_info),
      );
      added++;
    }
  });
  return added;
}

async function walkLight(
  database: Database,
  job: JobContext,
  corp: CorpRuntime,
  staff: string[],
  progress: Progress,
) {
  const client = new WeComClient(database, corp);
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
      { id: progress.runId, staffDone: 1 },
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
