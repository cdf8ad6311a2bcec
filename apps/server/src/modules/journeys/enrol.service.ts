import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { enqueue } from '../../core/jobs/queue.ts';
import type { CompiledVersion } from './definition.ts';

export const ADVANCE_QUEUE = 'journeys:advance';

/** Wakes a worker to advance due runs now (or at `at`). */
export async function wakeAdvance(tx: Tx, tenantId: string, at?: Date) {
  if (!at) return enqueue(tx, tenantId, ADVANCE_QUEUE, {});
  // One wake per second of the future: many runs waiting until the same time share it.
  return enqueue(tx, tenantId, ADVANCE_QUEUE, {}, { runAt: at, dedupeKey: `at:${Math.ceil(+at / 1000)}` });
}

/**
 * Enrols profiles into a journey's version (the live one for new entries; runs already inside
 * stay on theirs). The re-entry policy is applied in the same statement that inserts, so two
 * triggers racing for one profile make one run: the (journey, profile, entry) key decides.
 * Never two live runs of one journey per profile. A holdout share is drawn deterministically
 * per (profile, journey, entry) and kept out of every step but still measured against the goal.
 */
export async function enrolProfiles(
  tx: Tx,
  tenantId: string,
  v: CompiledVersion,
  profileIds: string[],
  now: Date,
  triggerRef: string | null = null,
): Promise<number> {
  if (!profileIds.length) return 0;
  const d = v.definition;
  const policy = d.reentry;
  const reentry =
    policy.policy === 'never'
      ? sql`prev.n is null`
      : policy.policy === 'after'
        ? sql`(prev.n is null or prev.last_entered <= ${now}::timestamptz - make_interval(days => ${policy.days}))`
        : sql`true`;
  const goalUntil = d.goal ? new Date(+now + d.goal.windowDays * 86_400_000) : null;
  const r = await sql<{
    id: string;
  }>`insert into journey_runs (tenant_id, id, journey_id, version, profile_id, entry,
      status, step_id, visit, next_run_at, is_holdout, entered_at, goal_until, trigger_ref)
    select ${tenantId}, gen_random_uuid(), ${v.journeyId}, ${v.version}, p.id, coalesce(prev.n, 0) + 1,
      case when h.holdout then 'holdout' else 'active' end, case when h.holdout then null else ${v.entryId} end, 1,
      case when h.holdout then null else ${now}::timestamptz end, h.holdout, ${now}, ${goalUntil}, ${triggerRef}
    from (select distinct unnest(${profileIds}::uuid[]) as id) p
    -- Earlier runs of these profiles, aggregated once and hash-joined: a per-profile lateral
    -- lookup planned as a scan turns a 100k-profile entry into 100k scans.
    left join (select r.profile_id, max(entry) as n, max(entered_at) as last_entered,
        bool_or(status in ('active', 'waiting')) as live
      from journey_runs r where r.tenant_id = ${tenantId} and r.journey_id = ${v.journeyId}
        and r.profile_id = any(${profileIds}::uuid[])
      group by r.profile_id) prev on prev.profile_id = p.id
    cross join lateral (select (abs(hashtext(p.id::text || ${v.journeyId}::text || (coalesce(prev.n, 0) + 1)::text)) % 100)
      < ${d.holdoutPercent} as holdout) h
    where not coalesce(prev.live, false) and ${reentry}
    on conflict do nothing
    returning id`.execute(tx);
  if (r.rows.length) await wakeAdvance(tx, tenantId);
  return r.rows.length;
}

/** The live (published) version of each journey whose trigger is `kind` with `key`. */
export async function liveVersionsFor(tx: Tx, tenantId: string, kind: string, key: string | null) {
  const r = await sql<{
    journey_id: string;
    version: number;
  }>`select v.journey_id, v.version from journey_versions v
    join journeys j on j.tenant_id = v.tenant_id and j.id = v.journey_id and j.status = 'live'
    where v.tenant_id = ${tenantId} and v.status = 'published' and v.trigger_kind = ${kind}
      ${key === null ? sql`` : sql`and v.trigger_key = ${key}`}`.execute(tx);
  return r.rows.map((x) => ({ journeyId: x.journey_id, version: x.version }));
}
