import { WECOM_PERMISSIONS } from '@kehu/contracts/wecom';
import { SyncQueued, SyncRequest, SyncStatus } from '@kehu/contracts/wecom-sync';
import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { getCorp } from './corps.service.ts';
import { queueReconcileNow, RECONCILE_QUEUE } from './reconcile-schedule.ts';

const tags = ['wecom'];
const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

/** Last runs, whether one is queued or running, and when the next nightly and hourly runs are due. */
export async function syncStatus(tx: Tx, tenantId: string, corpRef: string): Promise<SyncStatus> {
  const runs = await sql<any>`select id, mode, trigger, status, staff_total, staff_done, contacts_seen,
      contacts_added, error, started_at, finished_at from wecom_sync_runs
    where tenant_id = ${tenantId} and corp_ref = ${corpRef} order by started_at desc limit 10`.execute(tx);
  const jobs = await sql<{ mode: string | null; run_at: string; status: string; dedupe_key: string | null }>`
    select payload->>'mode' as mode, run_at, status, dedupe_key from jobs
    where tenant_id = ${tenantId} and queue = ${RECONCILE_QUEUE} and payload->>'corpRef' = ${corpRef}
      and status in ('pending', 'running') order by run_at`.execute(tx);
  const zone = await sql<{ time_zone: string }>`select time_zone from tenants where id = ${tenantId}`.execute(
    tx,
  );
  const scheduled = (mode: string) =>
    iso(
      jobs.rows.find((j) => j.dedupe_key?.startsWith(`reconcile:${mode}:`) && j.status === 'pending')?.run_at,
    );
  return {
    runs: runs.rows.map((r) => ({
      id: r.id,
      mode: r.mode,
      trigger: r.trigger,
      status: r.status,
      staffTotal: r.staff_total,
      staffDone: r.staff_done,
      contactsSeen: r.contacts_seen,
      contactsAdded: r.contacts_added,
      error: r.error,
      startedAt: iso(r.started_at)!,
      finishedAt: iso(r.finished_at),
    })),
    pending: jobs.rows.some((j) => j.dedupe_key === `reconcile:${corpRef}`),
    nextFullAt: scheduled('full'),
    nextLightAt: scheduled('light'),
    timeZone: zone.rows[0]?.time_zone ?? 'Asia/Shanghai',
  };
}

/** Reconciliation with WeCom (issue 10, reliability): status for the pages and the 同步 buttons. */
export const syncRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/wecom/corps/:id/sync',
    permission: WECOM_PERMISSIONS.read,
    summary:
      'Last reconciliation runs of a corp with progress, and when the next nightly / hourly runs are due',
    tags,
    params: idParam,
    response: SyncStatus,
    probe: { params: { id: 'wecom_corp' } },
    handler: (req) =>
      req.tx(
        async (tx) => {
          await getCorp(tx, req.principal, req.params.id);
          return syncStatus(tx, req.principal.tenantId, req.params.id);
        },
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/wecom/corps/:id/sync',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Reconcile now (full: every customer and group; light: ids only, details for the missing)',
    tags,
    params: idParam,
    body: SyncRequest,
    response: SyncQueued,
    status: 202,
    probe: { params: { id: 'wecom_corp' } },
    handler: (req) =>
      req.tx(async (tx) => {
        await getCorp(tx, req.principal, req.params.id);
        const jobId = await queueReconcileNow(
          tx,
          req.principal.tenantId,
          req.params.id,
          req.body.mode,
          'manual',
        );
        return { queued: true, jobId };
      }),
  }),
];
