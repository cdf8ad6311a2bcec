import { sql } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import { inTenant } from '../../core/db/tenant-scope.ts';
import type { JobHandler } from '../../core/jobs/queue.ts';
import {
  computeProfileTag,
  computeProfileTagValue,
  computeSegment,
  isBooleanRuleTag,
  isValueTag,
  loadSegmentDefs,
  loadTagDefs,
  valueTagRules,
} from './evaluation.service.ts';
import { evaluateRecords } from './object-tags.ts';
import { schedulePredictions } from './prediction.service.ts';
import { lockTenantCdp } from './process.job.ts';
import {
  collectEventRules,
  collectTags,
  hasDateCond,
  isTimeDependent,
  type Rule,
  utcDay,
  zoneDay,
} from './rules.ts';
import { snapshotTagCoverage } from './tags.service.ts';
import { scheduleTick } from './tick-schedule.ts';

/** Payload of `cdp:tick` (every 5 minutes per tenant that has sources or segments). */
export interface TickPayload {
  slot: number;
}

const monthStart = (d: Date, add = 0) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + add, 1));
const partName = (d: Date) => `cdp_events_${d.toISOString().slice(0, 7).replace('-', '_')}`;

/**
 * Creates next months' event partitions ahead of time and drops whole partitions older than the
 * longest retention of any tenant. Idempotent; runs as the owner (DDL).
 */
export async function maintainPartitions(db: Db, now = new Date(), monthsAhead = 3): Promise<string[]> {
  const created: string[] = [];
  for (let i = 0; i <= monthsAhead; i++) {
    const from = monthStart(now, i);
    const to = monthStart(now, i + 1);
    const name = partName(from);
    const exists = await sql`select 1 from pg_class where relname = ${name}`.execute(db);
    if (exists.rows.length) continue;
    try {
      await sql
        .raw(
          `create table ${name} partition of cdp_events for values from ('${from.toISOString()}') to ('${to.toISOString()}')`,
        )
        .execute(db);
      created.push(name);
    } catch {
      // Rows for that month already sit in the default partition (e.g. back-dated imports);
      // they stay there, which is correct if slower.
    }
  }
  const maxRetention =
    (await sql<{ d: number | null }>`select max(retention_days) as d from cdp_settings`.execute(db)).rows[0]
      ?.d ?? 730;
  const cutoff = monthStart(new Date(+now - Math.max(maxRetention, 730) * 86_400_000), 0);
  const parts = await sql<{
    name: string;
  }>`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    join pg_class p on p.oid = i.inhparent where p.relname = 'cdp_events' and c.relname ~ '^cdp_events_[0-9]{4}_[0-9]{2}$'`.execute(
    db,
  );
  for (const p of parts.rows) {
    const [y, m] = p.name.slice('cdp_events_'.length).split('_').map(Number);
    if (monthStart(new Date(Date.UTC(y!, m! - 1, 1)), 1) <= cutoff)
      await sql.raw(`drop table ${p.name}`).execute(db);
  }
  return created;
}

/**
 * Metric and score values are recomputed over all profiles when the days their windows and
 * relative dates count from have moved on (at most twice a day: UTC midnight for windows,
 * Asia/Shanghai midnight for dates), not at every 5-minute tick; between those, events keep
 * them current. Kept per process (tenant:tag → day key): a restarted or second worker
 * recomputes once more, which is harmless, and never misses a day.
 */
const valuesComputedFor = new Map<string, string>();

/** The days a value tag's rules count from at `now`, or null when time alone cannot change it. */
function valueDayKey(rules: Rule[], now: Date): string | null {
  const windowed = rules.some((r) => collectEventRules(r).length > 0);
  const dated = rules.some(hasDateCond);
  if (!windowed && !dated) return null;
  return `${windowed ? utcDay(now) : ''}|${dated ? zoneDay(now) : ''}`;
}

/** Per tenant: retention of events and dedupe ids, time-based segment exits, record tags. */
export async function tenantTick(db: Db, tenantId: string, now = new Date()) {
  await inTenant(db, tenantId, async (tx) => {
    const days = (
      await sql<{
        retention_days: number;
      }>`select retention_days from cdp_settings where tenant_id = ${tenantId}`.execute(tx)
    ).rows[0]?.retention_days;
    if (days)
      await sql`delete from cdp_events where tenant_id = ${tenantId} and ts < ${new Date(+now - days * 86_400_000)}`.execute(
        tx,
      );
    // A client retries for hours, not weeks: dedupe ids older than 30 days are dropped.
    await sql`delete from cdp_message_ids where tenant_id = ${tenantId} and received_at < ${new Date(+now - 30 * 86_400_000)}`.execute(
      tx,
    );
    await sql`delete from cdp_counters where tenant_id = ${tenantId} and day < ${new Date(+now - 731 * 86_400_000)}::date`.execute(
      tx,
    );
  });
  const recomputed: [string, string][] = [];
  await inTenant(db, tenantId, async (tx) => {
    await lockTenantCdp(tx, tenantId);
    // Windowed conditions and dates relative to today change with time alone ("no order in 30
    // days", "insurance due within 30 days", "order total last 90 days"): re-evaluate those tags
    // (and tags built on a tag that changed, in creation order, as the event path does), then
    // the segments reading either.
    const changed = new Set<string>();
    for (const t of await loadTagDefs(tx, tenantId)) {
      if (isBooleanRuleTag(t)) {
        if (
          (isTimeDependent(t.rule!) || collectTags(t.rule!).some((k) => changed.has(k))) &&
          (await computeProfileTag(tx, tenantId, t, now)) > 0
        )
          changed.add(t.key);
        continue;
      }
      if (!isValueTag(t)) continue;
      const rules = valueTagRules(t);
      const moved = valueDayKey(rules, now);
      const key = `${tenantId}:${t.id}`;
      const due = moved !== null && valuesComputedFor.get(key) !== moved;
      if (!due && !rules.some((r) => collectTags(r).some((k) => changed.has(k)))) continue;
      if ((await computeProfileTagValue(tx, tenantId, t, now)) > 0) changed.add(t.key);
      if (moved !== null) recomputed.push([key, moved]);
    }
    for (const s of await loadSegmentDefs(tx, tenantId))
      if (
        s.object === 'profile' &&
        (isTimeDependent(s.rule) || collectTags(s.rule).some((k) => changed.has(k)))
      )
        await computeSegment(tx, tenantId, s, now);
  });
  for (const [key, day] of recomputed) valuesComputedFor.set(key, day);
  // Record tags and segments follow record writes (object-tags.ts); this full pass is the
  // safety net for a lost job or a rule edited meanwhile.
  await inTenant(db, tenantId, async (tx) => {
    const objects = (
      await sql<{
        object: string;
      }>`select object from cdp_tags where tenant_id = ${tenantId} and object <> 'profile'
        union select object from cdp_segments where tenant_id = ${tenantId} and object <> 'profile'`.execute(
        tx,
      )
    ).rows;
    for (const o of objects) await evaluateRecords(tx, tenantId, o.object, null, now, 'schedule');
  });
  // Coverage over time for the tags' charts: one snapshot an hour is plenty for a daily figure.
  const hour = Math.floor(+now / 3_600_000);
  if (coverageSnappedAt.get(tenantId) !== hour) {
    await inTenant(db, tenantId, (tx) => snapshotTagCoverage(tx, tenantId));
    coverageSnappedAt.set(tenantId, hour);
  }
}

/** Per process, tenant → the hour of its last coverage snapshot (a restart snapshots once more). */
const coverageSnappedAt = new Map<string, number>();

export const tickJob: JobHandler<TickPayload> = async (p, ctx) => {
  await maintainPartitions(ctx.db);
  await tenantTick(ctx.db, ctx.tenantId);
  await schedulePredictions(ctx.db, ctx.tenantId);
  await ctx.tx((tx) => scheduleTick(tx, ctx.tenantId, new Date(p.slot * 300_000 + 1000)));
};
