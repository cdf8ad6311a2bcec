import type { Trigger } from '@kehu/contracts/journeys';
import { sql } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { enqueue, type JobHandler } from '../../core/jobs/queue.ts';
import type { Subscriber } from '../../engine/module.ts';
import {
  eventsSince,
  type FedEvent,
  profilesMatching,
  profilesOfRecords,
  profilesOfSegmentSubjects,
  propertiesMatch,
  type Rule,
} from '../cdp/index.ts';
import { loadVersions } from './definition.ts';
import { enrolProfiles, liveVersionsFor, wakeAdvance } from './enrol.service.ts';
import { localDay, nextLocalTime } from './local-time.ts';
import { tenantZone } from './steps.ts';

/** The indexed key of a trigger (journey_versions.trigger_key): what a subscriber looks up. */
export function triggerKey(t: Trigger): string | null {
  switch (t.kind) {
    case 'segment':
      return `${t.segmentId}:${t.on}`;
    case 'event':
      return t.event;
    case 'crm':
      return t.change;
    default:
      return null;
  }
}

async function enrolInto(
  tx: Tx,
  tenantId: string,
  kind: string,
  key: string | null,
  profileIds: string[],
  now: Date,
  ref: string | null,
  accept?: (t: Trigger) => boolean,
) {
  if (!profileIds.length) return 0;
  const keys = await liveVersionsFor(tx, tenantId, kind, key);
  if (!keys.length) return 0;
  const versions = await loadVersions(tx, tenantId, keys);
  let n = 0;
  for (const v of versions.values()) {
    if (accept && !accept(v.definition.trigger)) continue;
    n += await enrolProfiles(tx, tenantId, v, profileIds, now, ref);
  }
  return n;
}

/** Segment entry/exit (cdp outbox events): enrols, and counts segment goals. */
const segmentSubscriber: Subscriber = {
  name: 'journeys-segment',
  patterns: ['segment.entered', 'segment.exited'],
  handleBatch: async (events, job) => {
    const byTenant = Map.groupBy(events, (e) => e.tenantId);
    for (const [tenantId, list] of byTenant) {
      await inTenant(job.db, tenantId, async (tx) => {
        const now = new Date();
        const groups = Map.groupBy(list, (e) => {
          const p = e.payload as { segmentId: string };
          return `${p.segmentId}:${e.type === 'segment.entered' ? 'enter' : 'exit'}`;
        });
        for (const [key, evs] of groups) {
          const segmentId = key.slice(0, key.lastIndexOf(':'));
          // A record segment (vehicles 待保养) enrols the profiles of the records' owners.
          const bySubject = await profilesOfSegmentSubjects(
            tx,
            tenantId,
            segmentId,
            evs.map((e) => (e.payload as { subjectId: string }).subjectId),
          );
          const profiles = [...new Set([...bySubject.values()].flat())];
          await enrolInto(tx, tenantId, 'segment', key, profiles, now, evs[0]!.id);
          if (key.endsWith(':enter')) await convertGoal(tx, tenantId, { segmentId }, profiles, now);
        }
      });
    }
  },
};

/** CRM changes: a lead created, an opportunity's stage changed, an order paid. */
const crmSubscriber: Subscriber = {
  name: 'journeys-crm',
  patterns: ['lead.created', 'opportunity.stage_changed', 'order.payment_status_changed'],
  handleBatch: async (events, job) => {
    for (const e of events) {
      const p = e.payload as { id?: string; to?: string; status?: string };
      const change =
        e.type === 'order.payment_status_changed' ? (p.status === 'paid' ? 'order.paid' : null) : e.type;
      if (!change || !p.id) continue;
      const object = e.type.slice(0, e.type.indexOf('.'));
      await inTenant(job.db, e.tenantId, async (tx) => {
        const profile = (await profilesOfRecords(tx, e.tenantId, object, [p.id!])).get(p.id!);
        if (!profile) return;
        await enrolInto(
          tx,
          e.tenantId,
          'crm',
          change,
          [profile],
          new Date(),
          e.id,
          (t) => t.kind === 'crm' && (!t.stage || t.stage === p.to),
        );
      });
    }
  },
};

/**
 * Event triggers, waits for an event and event goals react to the CDP's `cdp.events_processed`
 * (one outbox event per processed batch of track events): the tenant's cursor scan runs then,
 * not on a timer. Publishing runs one scan to start the cursor.
 */
const eventsSubscriber: Subscriber = {
  name: 'journeys-events',
  patterns: ['cdp.events_processed'],
  handleBatch: async (events, job) => {
    for (const tenantId of new Set(events.map((e) => e.tenantId))) {
      const live = await inTenant(job.db, tenantId, (tx) => hasLiveJourneys(tx, tenantId));
      if (!live) continue;
      while ((await scanEvents(job.db, tenantId)) > 0) await job.heartbeat();
    }
  },
};

export const triggerSubscribers = [segmentSubscriber, crmSubscriber, eventsSubscriber];

/** Marks the goal met for live goal windows of these profiles; runs that exit on goal end here. */
export async function convertGoal(
  tx: Tx,
  tenantId: string,
  what: { segmentId: string } | { event: FedEvent },
  profileIds: string[],
  now: Date,
) {
  if (!profileIds.length) return 0;
  const match =
    'segmentId' in what
      ? sql`v.definition->'goal'->>'kind' = 'segment' and v.definition->'goal'->>'segmentId' = ${what.segmentId}`
      : sql`v.definition->'goal'->>'kind' = 'event' and v.definition->'goal'->>'event' = ${what.event.event}`;
  const candidates = (
    await sql<{
      id: string;
      goal: { where?: { prop: string; op: string; value?: unknown }[]; exitOnGoal?: boolean };
      holdout: boolean;
      status: string;
    }>`
      select r.id, v.definition->'goal' as goal, r.is_holdout as holdout, r.status from journey_runs r
      join journey_versions v on v.tenant_id = r.tenant_id and v.journey_id = r.journey_id and v.version = r.version
      where r.tenant_id = ${tenantId} and r.profile_id = any(${profileIds}::uuid[]) and r.goal_until is not null
        and r.converted_at is null and r.goal_until >= ${now} and r.entered_at <= ${now} and ${match}`.execute(
      tx,
    )
  ).rows.filter(
    (c) => !('event' in what) || propertiesMatch(what.event.properties, (c.goal.where ?? []) as never),
  );
  for (const c of candidates) {
    const exit = c.goal.exitOnGoal !== false && (c.status === 'active' || c.status === 'waiting');
    await sql`update journey_runs set converted_at = ${now}
        ${exit ? sql`, status = 'converted', next_run_at = null, finished_at = ${now}` : sql``}
      where tenant_id = ${tenantId} and id = ${c.id}`.execute(tx);
  }
  return candidates.length;
}

// ---------------------------------------------------------------- event scan

export const EVENTS_QUEUE = 'journeys:events';
const EVENT_SCAN_EVERY_MS = 5_000;
const CURSOR = 'events';

/**
 * Reads CDP events ingested since the tenant's cursor, for the event names that live journeys
 * trigger on, wait for or count as a goal; enrols, resumes waits and counts goals; moves the
 * cursor. A crash before commit re-reads the same events: enrolment and goals are idempotent
 * (the live-run rule), a resumed wait is resumed once (its waiting_for flag).
 */
export async function scanEvents(db: Db, tenantId: string, now = new Date(), limit = 2000): Promise<number> {
  return inTenant(db, tenantId, async (tx) => {
    const names = (
      await sql<{ name: string }>`select distinct x.name from journey_versions v
        join journeys j on j.tenant_id = v.tenant_id and j.id = v.journey_id
        cross join lateral (select v.trigger_key as name where v.trigger_kind = 'event' and j.status = 'live'
          union all select v.definition->'goal'->>'event' where v.definition->'goal'->>'kind' = 'event'
          union all select n->'data'->>'event' from jsonb_array_elements(v.definition->'graph'->'nodes') n
            where n->'data'->>'kind' = 'wait' and n->'data'->>'mode' = 'event') x
        where v.tenant_id = ${tenantId} and v.status <> 'draft' and x.name is not null`.execute(tx)
    ).rows.map((r) => r.name);
    const cur = (
      await sql<{
        value: string;
      }>`select value from journey_cursors where tenant_id = ${tenantId} and name = ${CURSOR}
        for update`.execute(tx)
    ).rows[0]?.value;
    const [receivedAt, id] = cur
      ? cur.split('|')
      : [new Date(+now - 60_000).toISOString(), '00000000-0000-0000-0000-000000000000'];
    const events = await eventsSince(tx, tenantId, names, { receivedAt: receivedAt!, id: id! }, limit);
    for (const e of events) await onEvent(tx, tenantId, e, now);
    const last = events.at(-1);
    const next = last ? `${last.receivedAt}|${last.id}` : (cur ?? `${receivedAt}|${id}`);
    await sql`insert into journey_cursors (tenant_id, name, value) values (${tenantId}, ${CURSOR}, ${next})
      on conflict (tenant_id, name) do update set value = excluded.value`.execute(tx);
    return events.length;
  });
}

async function onEvent(tx: Tx, tenantId: string, e: FedEvent, now: Date) {
  await enrolInto(
    tx,
    tenantId,
    'event',
    e.event,
    [e.profileId],
    now,
    e.id,
    (t) => t.kind === 'event' && propertiesMatch(e.properties, t.where as never),
  );
  // Runs waiting for this event (since their wait began) go on through the `event` branch now.
  const waiting = (
    await sql<{ id: string; waiting_for: { where: never[] } }>`select id, waiting_for from journey_runs
      where tenant_id = ${tenantId} and profile_id = ${e.profileId} and status = 'waiting'
        and waiting_for->>'event' = ${e.event} and not coalesce((waiting_for->>'hit')::boolean, false)
        and (waiting_for->>'since')::timestamptz <= ${e.ts}::timestamptz
      for update skip locked`.execute(tx)
  ).rows.filter((r) => propertiesMatch(e.properties, r.waiting_for.where ?? []));
  if (waiting.length) {
    await sql`update journey_runs set waiting_for = waiting_for || '{"hit": true}'::jsonb, next_run_at = ${now}
      where tenant_id = ${tenantId} and id = any(${waiting.map((w) => w.id)}::uuid[])`.execute(tx);
    await wakeAdvance(tx, tenantId);
  }
  await convertGoal(tx, tenantId, { event: e }, [e.profileId], now);
}

/** One scan (at publish, to start the cursor; later scans follow `cdp.events_processed`). */
export const eventsJob: JobHandler<{ now?: string }> = async (payload, ctx) => {
  const now = payload.now ? new Date(payload.now) : new Date();
  while ((await scanEvents(ctx.db, ctx.tenantId, now)) > 0) await ctx.heartbeat();
};

export async function scheduleEventScan(tx: Tx, tenantId: string, at = new Date()) {
  const slot = Math.ceil(+at / EVENT_SCAN_EVERY_MS);
  await enqueue(
    tx,
    tenantId,
    EVENTS_QUEUE,
    {},
    { runAt: new Date(slot * EVENT_SCAN_EVERY_MS), dedupeKey: `s:${slot}`, maxAttempts: 3 },
  );
}

const hasLiveJourneys = async (tx: Tx, tenantId: string) =>
  (await sql`select 1 from journeys where tenant_id = ${tenantId} and status = 'live' limit 1`.execute(tx))
    .rows.length > 0;

// ---------------------------------------------------------------- date scan

export const DATES_QUEUE = 'journeys:dates';
const SCAN_HOUR = 9;

/** The rule "the date field is exactly `offsetDays` from today" — in the CDP's one rule language. */
export function dateRule(t: Extract<Trigger, { kind: 'date' }>): Rule {
  // Entering 30 days before the date = the date is exactly 30 days ahead.
  const ahead = -t.offsetDays;
  const cond = (op: 'moreThanDaysAhead' | 'moreThanDaysAgo', days: number) =>
    'trait' in t.field
      ? { trait: t.field.trait, op, days }
      : { crm: t.field.crm, field: t.field.field, op, days };
  if (ahead > 0)
    return { and: [cond('moreThanDaysAhead', ahead - 1), { not: cond('moreThanDaysAhead', ahead) }] } as Rule;
  if (ahead < 0)
    return { and: [cond('moreThanDaysAgo', -ahead - 1), { not: cond('moreThanDaysAgo', -ahead) }] } as Rule;
  return 'trait' in t.field
    ? ({ trait: t.field.trait, op: 'withinNext', days: 0 } as Rule)
    : ({ crm: t.field.crm, field: t.field.field, op: 'withinNext', days: 0 } as Rule);
}

/**
 * The daily scan of date triggers, once per local day of the tenant: profiles whose date field
 * is the trigger's offset from today enter (the re-entry policy keeps yesterday's from entering
 * twice). Yearly dates (birthdays) compare month and day.
 */
export async function scanDates(db: Db, tenantId: string, now = new Date()): Promise<number> {
  return inTenant(db, tenantId, async (tx) => {
    const zone = await tenantZone(tx, tenantId);
    const day = localDay(zone, now);
    const done =
      await sql`insert into journey_cursors (tenant_id, name, value) values (${tenantId}, ${`dates:${day}`}, 'done')
      on conflict do nothing returning 1`.execute(tx);
    if (!done.rows.length) return 0;
    const keys = await liveVersionsFor(tx, tenantId, 'date', null);
    let n = 0;
    for (const v of (await loadVersions(tx, tenantId, keys)).values()) {
      const t = v.definition.trigger;
      if (t.kind !== 'date') continue;
      let ids: string[];
      if (t.yearly && 'trait' in t.field) {
        const target = localDay(zone, new Date(+now - t.offsetDays * 86_400_000)).slice(5);
        ids = await profilesMatching(
          tx,
          tenantId,
          { trait: t.field.trait, op: 'contains', value: `-${target}` } as Rule,
          null,
          now,
        );
      } else ids = await profilesMatching(tx, tenantId, dateRule(t), null, now);
      for (let i = 0; i < ids.length; i += 1000)
        n += await enrolProfiles(tx, tenantId, v, ids.slice(i, i + 1000), now, `dates:${day}`);
    }
    return n;
  });
}

export const datesJob: JobHandler<{ now?: string }> = async (payload, ctx) => {
  const now = payload.now ? new Date(payload.now) : new Date();
  await scanDates(ctx.db, ctx.tenantId, now);
  await ctx.tx(async (tx) => scheduleDateScan(tx, ctx.tenantId, now));
};

export async function scheduleDateScan(tx: Tx, tenantId: string, now = new Date()) {
  const at = nextLocalTime(await tenantZone(tx, tenantId), SCAN_HOUR, 0, [], now);
  await enqueue(tx, tenantId, DATES_QUEUE, {}, { runAt: at, dedupeKey: `d:${+at}`, maxAttempts: 3 });
}
