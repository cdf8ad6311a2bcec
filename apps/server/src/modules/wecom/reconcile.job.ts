import { sql } from 'kysely';
import type { Database } from '../../core/db/database.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import { ensureNightlyActivity } from './activity.service.ts';
import { contactAdded, detailOf } from './callback.job.ts';
import { WeComClient } from './connector/client.ts';
import { corpRuntime } from './corps.service.ts';
import { syncGroups } from './groups.service.ts';

/**
 * Reconciliation (issue 10, reliability): WeCom loses a callback now and then, and Kehu may have been
 * down past WeCom's retries. This walks every active staff member's customers with
 * `batch/get_by_user` (100 userids per call, cursor pages of 100 — what WeCom allows) and runs the
 * same idempotent add for each relationship Kehu does not know, so a repaired contact is exactly
 * what the callback would have made. Calls pace themselves through the client's per-API limiter.
 */
export const RECONCILE_QUEUE = 'wecom:reconcile';
export interface ReconcileJob {
  corpRef: string;
}

let databaseRef: Database | null = null;
export const bindReconcileDatabase = (d: Database) => {
  databaseRef = d;
};

export async function reconcileJob(payload: ReconcileJob, job: JobContext): Promise<void> {
  const database = databaseRef ?? ({ db: job.db } as Database);
  const { corp, staff } = await job.tx(async (tx) => ({
    corp: await corpRuntime(tx, job.tenantId, payload.corpRef),
    staff: (
      await sql<{ userid: string }>`select userid from wecom_staff where tenant_id = ${job.tenantId}
        and corp_ref = ${payload.corpRef} and active order by userid`.execute(tx)
    ).rows.map((r) => r.userid),
  }));
  const client = new WeComClient(database, corp);
  for (let i = 0; i < staff.length; i += 100) {
    const userids = staff.slice(i, i + 100);
    let cursor = '';
    do {
      const res = await client.post('externalcontact/batch/get_by_user', {
        userid_list: userids,
        cursor,
        limit: 100,
      });
      const rows: any[] = res.external_contact_list ?? [];
      const pairs = rows.map(
        (r) => [r.external_contact?.external_userid, r.follow_info?.userid] as [string, string],
      );
      const known = await job.tx(async (tx) => {
        const r = await sql<{
          k: string;
        }>`select external_userid || '|' || userid as k from wecom_external_contacts
          where tenant_id = ${job.tenantId} and corp_ref = ${corp.corpRef}
            and (external_userid, userid) in (select * from unnest(${pairs.map((p) => p[0])}::text[], ${pairs.map((p) => p[1])}::text[]))`.execute(
          tx,
        );
        return new Set(r.rows.map((x) => x.k));
      });
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
      }
      await job.heartbeat();
      cursor = res.next_cursor ?? '';
    } while (cursor);
  }
  // Customer groups too (groupchat/list + get): repairs lost change_external_chat callbacks.
  await syncGroups(database, corp);
  // And the nightly staff-activity pull stays queued for every corp that was ever reconciled.
  await job.tx((tx) => ensureNightlyActivity(tx, job.tenantId, corp.corpRef));
}
