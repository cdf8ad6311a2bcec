import {
  checkGraph,
  type JourneyDefinition,
  type JourneyDetail,
  type JourneyInput,
  type JourneySummary,
  type ProfileRun,
} from '@kehu/contracts/journeys';
import { type RawBuilder, sql } from 'kysely';
import type { Actor } from '../../core/audit/audit.ts';
import { writeAudit } from '../../core/audit/audit.ts';
import { type Principal, rowScope } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { type FieldError, notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { enqueue } from '../../core/jobs/queue.ts';
import { assertRuleVisibleTo, liveProfiles, type RuleAt } from '../cdp/index.ts';
import { compileVersion } from './definition.ts';
import { enrolProfiles } from './enrol.service.ts';
import { jm } from './journeys.messages.ts';
import { PRUNE_QUEUE } from './prune.job.ts';
import { scheduleDateScan, scheduleEventScan, triggerKey } from './triggers.ts';

/** Journeys a person sees: by the unit that owns them (like the marketing records of outreach). */
function journeyScope(p: Principal): RawBuilder<unknown> {
  const s = rowScope(p, 'journey');
  if (s.unitIds === null) return sql`true`;
  if (s.ownerId) return sql`j.created_by = ${s.ownerId}`;
  return sql`j.unit_id = any(${s.unitIds}::uuid[])`;
}

async function journeyRow(tx: Tx, p: Principal, id: string) {
  const j = (
    await sql<any>`select * from journeys j where j.tenant_id = ${p.tenantId} and j.id = ${id} and ${journeyScope(p)}`.execute(
      tx,
    )
  ).rows[0];
  if (!j) throw notFound('journey');
  return j;
}

const summarySql = (p: Principal) => sql`select j.id, j.name, j.status, j.live_version as "liveVersion",
    (select version from journey_versions d where d.tenant_id = j.tenant_id and d.journey_id = j.id and d.status = 'draft') as "draftVersion",
    j.trigger_kind as "triggerKind", j.description,
    coalesce(c.entered, 0)::int as entered, coalesce(c.active, 0)::int as active, coalesce(c.converted, 0)::int as converted,
    j.updated_at as "updatedAt"
  from journeys j
  left join lateral (select count(*) as entered, count(*) filter (where status in ('active', 'waiting')) as active,
      count(*) filter (where converted_at is not null and not is_holdout) as converted
    from journey_runs r where r.tenant_id = j.tenant_id and r.journey_id = j.id) c on true
  where j.tenant_id = ${p.tenantId} and ${journeyScope(p)}`;

const toSummary = (r: any): JourneySummary => ({
  id: r.id,
  name: r.name,
  status: r.status,
  liveVersion: r.liveVersion,
  draftVersion: r.draftVersion,
  triggerKind: r.triggerKind,
  entered: r.entered,
  active: r.active,
  converted: r.converted,
  updatedAt: new Date(r.updatedAt).toISOString(),
});

export async function listJourneys(tx: Tx, p: Principal): Promise<JourneySummary[]> {
  const r = await sql<any>`${summarySql(p)} order by j.updated_at desc limit 500`.execute(tx);
  return r.rows.map(toSummary);
}

export async function getJourney(tx: Tx, p: Principal, id: string): Promise<JourneyDetail> {
  await journeyRow(tx, p, id);
  const s = (await sql<any>`${summarySql(p)} and j.id = ${id}`.execute(tx)).rows[0]!;
  const versions = (
    await sql<any>`select version, status, definition, published_at from journey_versions
      where tenant_id = ${p.tenantId} and journey_id = ${id} order by version desc`.execute(tx)
  ).rows.map((v) => ({
    version: v.version,
    status: v.status,
    definition: v.definition,
    publishedAt: v.published_at ? new Date(v.published_at).toISOString() : null,
  }));
  return {
    ...toSummary(s),
    description: s.description ?? null,
    versions: versions.map(({ definition: _d, ...v }) => v),
    draft: versions.find((v) => v.status === 'draft') ?? null,
    live: versions.find((v) => v.status === 'published') ?? null,
  };
}

export async function createJourney(
  tx: Tx,
  p: Principal,
  actor: Actor,
  input: JourneyInput,
): Promise<string> {
  const id = newId();
  await sql`insert into journeys (tenant_id, id, name, description, trigger_kind, unit_id, created_by)
    values (${p.tenantId}, ${id}, ${input.name}, ${input.description ?? null}, ${input.definition.trigger.kind}, ${p.unitId}, ${p.userId})`.execute(
    tx,
  );
  await putDraft(tx, p.tenantId, id, 1, input.definition);
  await writeAudit(tx, actor, {
    action: 'create',
    object: 'journey',
    recordId: id,
    meta: { name: input.name },
  });
  return id;
}

async function putDraft(
  tx: Tx,
  tenantId: string,
  journeyId: string,
  version: number,
  def: JourneyDefinition,
) {
  await sql`insert into journey_versions (tenant_id, journey_id, version, status, definition, trigger_kind, trigger_key)
    values (${tenantId}, ${journeyId}, ${version}, 'draft', ${JSON.stringify(def)}::jsonb, ${def.trigger.kind}, ${triggerKey(def.trigger)})
    on conflict (tenant_id, journey_id, version) do update set definition = excluded.definition,
      trigger_kind = excluded.trigger_kind, trigger_key = excluded.trigger_key
      where journey_versions.status = 'draft'`.execute(tx);
}

/** Saves the draft: edits the open draft, or opens a new one after the live version (which never changes). */
export async function saveDraft(tx: Tx, p: Principal, actor: Actor, id: string, input: JourneyInput) {
  await journeyRow(tx, p, id);
  await sql`select 1 from journeys where tenant_id = ${p.tenantId} and id = ${id} for update`.execute(tx);
  const v = (
    await sql<{
      draft: number | null;
      max: number;
    }>`select max(version) filter (where status = 'draft') as draft,
      coalesce(max(version), 0) as max from journey_versions where tenant_id = ${p.tenantId} and journey_id = ${id}`.execute(
      tx,
    )
  ).rows[0]!;
  await putDraft(tx, p.tenantId, id, v.draft ?? v.max + 1, input.definition);
  await sql`update journeys set name = ${input.name}, description = ${input.description ?? null}, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx, actor, { action: 'update', object: 'journey', recordId: id, meta: { draft: true } });
}

/** Field errors for a definition: the graph's issues on `definition.graph.nodes.<i>` (the canvas marks those nodes). */
export function definitionErrors(def: JourneyDefinition, locale: Locale): FieldError[] {
  const index = new Map(def.graph.nodes.map((n, i) => [n.id, i]));
  const errors: FieldError[] = checkGraph(def.graph).map((i) => ({
    field:
      i.nodeId !== undefined && index.has(i.nodeId)
        ? `definition.graph.nodes.${index.get(i.nodeId)}`
        : 'definition.graph',
    code: `journeys.${i.code}`,
    params: { nodeId: i.nodeId, handle: i.handle },
    message: jm.text(locale, `issue_${i.code}`, { handle: i.handle ?? '' }),
  }));
  if (def.goal && (def.goal.kind === 'event' ? !def.goal.event : !def.goal.segmentId))
    errors.push({ field: 'definition.goal', code: 'journeys.goal', message: jm.text(locale, 'issue_goal') });
  return errors;
}

/**
 * Publishes the draft as the live version. The rule: runs already inside a journey finish on the
 * version they entered (a published version is immutable, so nobody is moved mid-step); only new
 * entries use the new version. The publisher's view bounds every rule in it (conditions are
 * evaluated with their CRM scope later; personal fields they do not read in full are refused now).
 */
export async function publishJourney(
  tx: Tx,
  p: Principal,
  actor: Actor,
  id: string,
  locale: Locale,
  now = new Date(),
) {
  await journeyRow(tx, p, id);
  await sql`select 1 from journeys where tenant_id = ${p.tenantId} and id = ${id} for update`.execute(tx);
  const d = (
    await sql<{ version: number; definition: unknown }>`select version, definition from journey_versions
      where tenant_id = ${p.tenantId} and journey_id = ${id} and status = 'draft'`.execute(tx)
  ).rows[0];
  if (!d) throw jm.problem('conflict', locale, 'no_draft');
  const def = compileVersion(id, d.version, '', d.definition, p.userId).definition;
  const errors = definitionErrors(def, locale);
  if (errors.length)
    throw jm.problem('validation', locale, 'graph_invalid', { count: errors.length }, errors);
  const rules: RuleAt[] = def.graph.nodes.flatMap((n, i) =>
    n.data.kind === 'condition' ? [{ rule: n.data.rule, path: `definition.graph.nodes.${i}.data.rule` }] : [],
  );
  if (rules.length) await assertRuleVisibleTo(tx, { principal: p, actor }, 'profile', rules, locale);
  await sql`update journey_versions set status = 'archived' where tenant_id = ${p.tenantId} and journey_id = ${id} and status = 'published'`.execute(
    tx,
  );
  await sql`update journey_versions set status = 'published', published_at = ${now}, published_by = ${p.userId}
    where tenant_id = ${p.tenantId} and journey_id = ${id} and version = ${d.version}`.execute(tx);
  await sql`update journeys set status = 'live', live_version = ${d.version}, trigger_kind = ${def.trigger.kind}, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'journey.publish',
    object: 'journey',
    recordId: id,
    meta: { version: d.version },
  });
  await scheduleEventScan(tx, p.tenantId);
  await enqueue(tx, p.tenantId, PRUNE_QUEUE, {}, { runAt: new Date(+now + 86_400_000), dedupeKey: 'first' });
  if (def.trigger.kind === 'date') await scheduleDateScan(tx, p.tenantId, now);
  return d.version;
}

export async function setJourneyStatus(
  tx: Tx,
  p: Principal,
  actor: Actor,
  id: string,
  status: 'paused' | 'live' | 'archived',
  locale: Locale,
) {
  const j = await journeyRow(tx, p, id);
  if (status === 'live' && !j.live_version) throw jm.problem('conflict', locale, 'not_live');
  await sql`update journeys set status = ${status}, updated_at = now() where tenant_id = ${p.tenantId} and id = ${id}`.execute(
    tx,
  );
  await writeAudit(tx, actor, { action: `journey.${status}`, object: 'journey', recordId: id });
}

/** Manual or API enrolment into the live version. */
export async function enrolManually(
  tx: Tx,
  p: Principal,
  actor: Actor,
  id: string,
  profileIds: string[],
  locale: Locale,
  now = new Date(),
) {
  const j = await journeyRow(tx, p, id);
  if (j.status !== 'live' || !j.live_version) throw jm.problem('conflict', locale, 'not_live');
  const v = (
    await sql<{
      definition: unknown;
      published_by: string | null;
    }>`select definition, published_by from journey_versions
      where tenant_id = ${p.tenantId} and journey_id = ${id} and version = ${j.live_version}`.execute(tx)
  ).rows[0]!;
  const live = await liveProfiles(tx, p.tenantId, profileIds);
  const c = compileVersion(id, j.live_version, j.name, v.definition, v.published_by);
  const entered = await enrolProfiles(tx, p.tenantId, c, live, now, `manual:${p.userId}`);
  await writeAudit(tx, actor, {
    action: 'journey.enrol',
    object: 'journey',
    recordId: id,
    meta: { entered, asked: profileIds.length },
  });
  return { entered, skipped: profileIds.length - entered };
}

/** A profile's journeys and each step it took, with what was skipped and why (R13.1: visible per profile). */
export async function runsOfProfile(tx: Tx, p: Principal, profileId: string): Promise<ProfileRun[]> {
  // An unknown (or another tenant's) profile is a 404, never an empty list that confirms nothing.
  if (!(await liveProfiles(tx, p.tenantId, [profileId])).length) throw notFound('profile');
  return runsOfProfiles(tx, p, [profileId]);
}

/** The runs of these profiles in journeys the caller may see, newest first, each with its steps. */
export async function runsOfProfiles(tx: Tx, p: Principal, profileIds: string[]): Promise<ProfileRun[]> {
  if (!profileIds.length) return [];
  const runs = (
    await sql<any>`select r.id, r.journey_id, j.name, r.version, r.status, r.step_id, r.entered_at from journey_runs r
      join journeys j on j.tenant_id = r.tenant_id and j.id = r.journey_id
      where r.tenant_id = ${p.tenantId} and r.profile_id = any(${profileIds}::uuid[]) and ${journeyScope(p)}
      order by r.entered_at desc limit 50`.execute(tx)
  ).rows;
  if (!runs.length) return [];
  const steps = (
    await sql<any>`select run_id, step_id, kind, visit, outcome, reason, at from journey_steps
      where tenant_id = ${p.tenantId} and run_id = any(${runs.map((r) => r.id)}::uuid[]) order by visit`.execute(
      tx,
    )
  ).rows;
  const byRun = Map.groupBy(steps, (s) => s.run_id as string);
  return runs.map((r) => ({
    runId: r.id,
    journeyId: r.journey_id,
    journeyName: r.name,
    version: r.version,
    status: r.status,
    stepId: r.step_id,
    enteredAt: new Date(r.entered_at).toISOString(),
    steps: (byRun.get(r.id) ?? []).map((s) => ({
      stepId: s.step_id,
      kind: s.kind,
      visit: s.visit,
      outcome: s.outcome,
      reason: s.reason,
      at: new Date(s.at).toISOString(),
    })),
  }));
}
