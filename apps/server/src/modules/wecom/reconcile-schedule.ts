import { sql } from 'kysely';
import type { SystemTx, Tx } from '../../core/db/tenant-scope.ts';
import { enqueue } from '../../core/jobs/queue.ts';

/**
 * When a corp reconciles (issue 10, reliability). The full walk (`batch/get_by_user` + `groupchat/list`)
 * runs nightly at 02:30 in the tenant's time zone, after the 01:00 activity pull and before anyone works;
 * the light one (`externalcontact/list` ids only, details for the missing ones) runs every hour so a lost
 * callback is repaired within the hour at a fraction of the calls. Each run queues the next: the queue's
 * dedupe key (one pending job per slot) keeps one job per night and per hour however often this is called.
 */
export const RECONCILE_QUEUE = 'wecom:reconcile';
export const NIGHTLY_AT = { hour: 2, minute: 30 };
export const LIGHT_EVERY_MS = 3_600_000;

export type ReconcileMode = 'full' | 'light';
export type ReconcileTrigger = 'scheduled' | 'manual' | 'bound';
export interface ReconcileJob {
  corpRef: string;
  mode?: ReconcileMode;
  trigger?: ReconcileTrigger;
}

/** Offset of `zone` from UTC at instant `ms`, in ms (positive east of Greenwich). */
function zoneOffset(zone: string, ms: number): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(
    +parts.year!,
    +parts.month! - 1,
    +parts.day!,
    +parts.hour!,
    +parts.minute!,
    +parts.second!,
  );
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The next instant after `now` that reads hour:minute on a wall clock in `zone`. */
export function nextLocalTime(zone: string, hour: number, minute: number, now: number): Date {
  const local = now + zoneOffset(zone, now);
  const d = new Date(local);
  let target = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hour, minute);
  if (target <= local) target += 86_400_000;
  // Convert back with the offset that holds at the target (daylight saving may differ from now).
  const guess = target - zoneOffset(zone, target);
  return new Date(target - zoneOffset(zone, guess));
}

export const nextLightSlot = (now: number) =>
  new Date((Math.floor(now / LIGHT_EVERY_MS) + 1) * LIGHT_EVERY_MS);

async function tenantZone(tx: Tx | SystemTx, tenantId: string): Promise<string> {
  const r = await sql<{ time_zone: string }>`select time_zone from tenants where id = ${tenantId}`.execute(
    tx,
  );
  return r.rows[0]?.time_zone || 'Asia/Shanghai';
}

/** Keeps the corp's next nightly full run and next hourly light run queued (idempotent). */
export async function ensureReconcileSchedule(tx: Tx, tenantId: string, corpRef: string, now = Date.now()) {
  const zone = await tenantZone(tx, tenantId);
  const nightly = nextLocalTime(zone, NIGHTLY_AT.hour, NIGHTLY_AT.minute, now);
  const light = nextLightSlot(now);
  await enqueue(
    tx,
    tenantId,
    RECONCILE_QUEUE,
    { corpRef, mode: 'full', trigger: 'scheduled' } satisfies ReconcileJob,
    { runAt: nightly, dedupeKey: `reconcile:full:${corpRef}:${nightly.toISOString()}`, maxAttempts: 3 },
  );
  await enqueue(
    tx,
    tenantId,
    RECONCILE_QUEUE,
    { corpRef, mode: 'light', trigger: 'scheduled' } satisfies ReconcileJob,
    { runAt: light, dedupeKey: `reconcile:light:${corpRef}:${light.toISOString()}`, maxAttempts: 2 },
  );
}

/** A run now (button, or right after binding); a second click while one is queued or running is the same job. */
export async function queueReconcileNow(
  tx: Tx,
  tenantId: string,
  corpRef: string,
  mode: ReconcileMode,
  trigger: ReconcileTrigger,
): Promise<string> {
  const id = await enqueue(tx, tenantId, RECONCILE_QUEUE, { corpRef, mode, trigger } satisfies ReconcileJob, {
    dedupeKey: `reconcile:${corpRef}`,
    maxAttempts: 3,
  });
  // The run queued at binding waits a little; a click means now.
  await sql`update jobs set run_at = now() where tenant_id = ${tenantId} and queue = ${RECONCILE_QUEUE}
    and dedupe_key = ${`reconcile:${corpRef}`} and status = 'pending' and run_at > now()`.execute(tx);
  const queued = await sql<{
    id: string;
  }>`select id from jobs where tenant_id = ${tenantId} and queue = ${RECONCILE_QUEUE}
    and dedupe_key = ${`reconcile:${corpRef}`} and status in ('pending', 'running') limit 1`.execute(tx);
  return queued.rows[0]?.id ?? id;
}

/**
 * Right after binding: a full run (customers Kehu never saw, and the groups) shortly after, once the
 * admin has had time to set the secrets and callback on WeCom's side, and the schedule from then on.
 */
export async function queueBoundReconcile(tx: Tx, tenantId: string, corpRef: string, delayMs = 30_000) {
  await enqueue(
    tx,
    tenantId,
    RECONCILE_QUEUE,
    { corpRef, mode: 'full', trigger: 'bound' } satisfies ReconcileJob,
    {
      dedupeKey: `reconcile:${corpRef}`,
      maxAttempts: 3,
      runAt: new Date(Date.now() + delayMs),
    },
  );
  await ensureReconcileSchedule(tx, tenantId, corpRef);
}
