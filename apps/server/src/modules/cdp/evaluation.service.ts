import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { emitEvents, type NewEvent } from '../../core/events/outbox.ts';
import { recordSource } from './record-source.ts';
import {
  aggregate,
  type CrmScope,
  compileRecordRule,
  counterKey,
  type EventRule,
  evaluate,
  type Rule,
  ruleQuery,
  type SubjectState,
  utcDay,
  windowStart,
} from './rules.ts';

/**
 * Applies tag and segment definitions to profiles: incrementally (the in-memory evaluator over
 * the profiles an event batch touched) or in batch (the SQL evaluator over every profile).
 * Segment entry and exit are domain events (`segment.entered` / `segment.exited`) for journeys.
 */
export interface TagDef {
  id: string;
  key: string;
  kind: string;
  object: string;
  rule: Rule | null;
  config: {
    scores?: { rule: Rule; points: number }[];
    metric?: Pick<EventRule, 'event' | 'where' | 'agg' | 'property' | 'withinDays'>;
  };
}
export interface SegmentDef {
  id: string;
  object: string;
  purpose: string;
  rule: Rule;
}

export async function loadTagDefs(tx: Tx, tenantId: string, object = 'profile'): Promise<TagDef[]> {
  return (
    await sql<TagDef>`select id, key, kind, object, rule, config from cdp_tags
      where tenant_id = ${tenantId} and object = ${object} and status = 'active' order by created_at, id`.execute(
      tx,
    )
  ).rows;
}
export async function loadSegmentDefs(tx: Tx, tenantId: string, object = 'profile'): Promise<SegmentDef[]> {
  return (
    await sql<SegmentDef>`select id, object, purpose, rule from cdp_segments
      where tenant_id = ${tenantId} and object = ${object} order by created_at, id`.execute(tx)
  ).rows;
}

export interface LoadedState extends SubjectState {
  id: string;
  withdrawn: Set<string>;
  segments: Set<string>;
  /** tag id → {value, kind} of tags currently set */
  tagRows: Map<string, unknown>;
}

/** `crmScope`: for a preview run for a person, the CRM records their rules may read (default all). */
export async function loadStates(
  tx: Tx,
  tenantId: string,
  ids: string[],
  crmScope?: CrmScope,
): Promise<Map<string, LoadedState>> {
  const scoped = (object: string) => (crmScope ? sql`and ${crmScope(object, sql`c.id`)}` : sql``);
  const out = new Map<string, LoadedState>();
  if (!ids.length) return out;
  const profiles = await sql<{
    id: string;
    traits: Record<string, unknown>;
  }>`select id, traits from cdp_profiles
    where tenant_id = ${tenantId} and id = any(${ids}::uuid[]) and merged_into is null`.execute(tx);
  for (const p of profiles.rows)
    out.set(p.id, {
      id: p.id,
      traits: p.traits,
      tags: new Map(),
      counters: new Map(),
      crm: { contact: [], customer: [] },
      withdrawn: new Set(),
      segments: new Set(),
      tagRows: new Map(),
    });
  const live = [...out.keys()];
  if (!live.length) return out;
  // One round trip for the five kinds of state: the event processor evaluates after every
  // batch, and on a busy machine each round trip waits for the CPU.
  const r = await sql<{
    tags: { subject_id: string; tag_id: string; key: string; value: unknown }[];
    counters: { profile_id: string; counter: string; day: string; n: number; total: number }[];
    links: { profile_id: string; object: string; rec: Record<string, unknown> }[];
    consents: { profile_id: string; purpose: string }[];
    members: { subject_id: string; segment_id: string }[];
  }>`select
    (select coalesce(json_agg(x), '[]') from (select st.subject_id, st.tag_id, t.key, st.value
      from cdp_subject_tags st join cdp_tags t on t.tenant_id = st.tenant_id and t.id = st.tag_id
      where st.tenant_id = ${tenantId} and st.subject_id = any(${live}::uuid[]) and t.object = 'profile') x) as tags,
    (select coalesce(json_agg(x order by x.day), '[]') from (select profile_id, counter, day::text as day, n, total
      from cdp_counters where tenant_id = ${tenantId} and profile_id = any(${live}::uuid[])) x) as counters,
    (select coalesce(json_agg(x), '[]') from (
      select l.profile_id, l.object, to_jsonb(c) as rec from cdp_profile_links l join contacts c on c.tenant_id = l.tenant_id and c.id = l.record_id
        where l.tenant_id = ${tenantId} and l.profile_id = any(${live}::uuid[]) and l.object = 'contact' and c.deleted_at is null
          ${scoped('contact')}
      union all
      select l.profile_id, l.object, to_jsonb(c) as rec from cdp_profile_links l join customers c on c.tenant_id = l.tenant_id and c.id = l.record_id
        where l.tenant_id = ${tenantId} and l.profile_id = any(${live}::uuid[]) and l.object = 'customer' and c.deleted_at is null
          ${scoped('customer')}) x) as links,
    (select coalesce(json_agg(x), '[]') from (select profile_id, purpose from cdp_consents
      where tenant_id = ${tenantId} and profile_id = any(${live}::uuid[]) and not granted) x) as consents,
    (select coalesce(json_agg(x), '[]') from (select subject_id, segment_id from cdp_segment_members
      where tenant_id = ${tenantId} and subject_id = any(${live}::uuid[])) x) as members`.execute(tx);
  // Counters come oldest day first: a windowed sum then adds its days in the order the tick's
  // SQL does (tagValueSql), so both give the same floating-point total.
  const { tags, counters, links, consents, members } = r.rows[0]!;
  for (const t of tags) {
    const s = out.get(t.subject_id)!;
    s.tags.set(t.key, t.value);
    s.tagRows.set(t.tag_id, t.value);
  }
  for (const c of counters) {
    const s = out.get(c.profile_id)!;
    let m = s.counters.get(c.counter);
    if (!m) {
      m = new Map();
      s.counters.set(c.counter, m);
    }
    m.set(c.day, { n: c.n, total: c.total });
  }
  for (const l of links) (out.get(l.profile_id)!.crm as any)[l.object].push(l.rec);
  for (const c of consents) out.get(c.profile_id)!.withdrawn.add(c.purpose);
  for (const m of members) out.get(m.subject_id)!.segments.add(m.segment_id);
  return out;
}

/** The value a rule-based tag takes on a subject, or undefined when it is not set. */
export function computeTag(def: TagDef, s: SubjectState, now: Date): unknown {
  switch (def.kind) {
    case 'manual':
    case 'predicted':
      return undefined;
    case 'score': {
      let points = 0;
      for (const x of def.config.scores ?? []) if (evaluate(x.rule, s, now)) points += x.points;
      return points > 0 ? points : undefined;
    }
    case 'metric': {
      if (!def.config.metric) return undefined;
      if (def.rule && !evaluate(def.rule, s, now)) return undefined;
      const v = aggregate(def.config.metric, s, now);
      return v > 0 ? v : undefined;
    }
    default:
      return def.rule && evaluate(def.rule, s, now) ? true : undefined;
  }
}

export function segmentMember(def: SegmentDef, s: LoadedState, now: Date): boolean {
  if (def.purpose === 'marketing' && s.withdrawn.has('marketing')) return false;
  return evaluate(def.rule, s, now);
}

export interface EvalOptions {
  tagIds?: Set<string>;
  segments?: boolean;
  tags?: TagDef[];
  segs?: SegmentDef[];
}

/** Incremental evaluation of the given profiles; writes tag and membership changes. */
export async function evaluateProfiles(
  tx: Tx,
  tenantId: string,
  ids: string[],
  now: Date,
  opts: EvalOptions = {},
): Promise<{ entered: number; exited: number; tagged: number }> {
  const result = { entered: 0, exited: 0, tagged: 0 };
  if (!ids.length) return result;
  const tags = opts.tags ?? (await loadTagDefs(tx, tenantId));
  const segs = opts.segments === false ? [] : (opts.segs ?? (await loadSegmentDefs(tx, tenantId)));
  if (!tags.length && !segs.length) return result;
  const states = await loadStates(tx, tenantId, ids);
  const setRows: ReturnType<typeof sql>[] = [];
  const unset: { tag: string; subject: string }[] = [];
  const enter: { seg: string; subject: string }[] = [];
  const exit: { seg: string; subject: string }[] = [];
  for (const s of states.values()) {
    for (const t of tags) {
      // Predicted tags are set by their model's scoring job (prediction.service.ts), not per event.
      if (t.kind === 'manual' || t.kind === 'predicted' || (opts.tagIds && !opts.tagIds.has(t.id))) continue;
      const v = computeTag(t, s, now);
      const had = s.tagRows.has(t.id);
      if (v === undefined) {
        if (had) {
          unset.push({ tag: t.id, subject: s.id });
          s.tags.delete(t.key);
        }
      } else if (!had || JSON.stringify(s.tagRows.get(t.id)) !== JSON.stringify(v)) {
        setRows.push(sql`(${tenantId}, ${t.id}, ${s.id}, ${JSON.stringify(v)}::jsonb, ${`rule:${t.kind}`})`);
        s.tags.set(t.key, v);
      }
    }
    for (const g of segs) {
      const inNow = segmentMember(g, s, now);
      const was = s.segments.has(g.id);
      if (inNow && !was) enter.push({ seg: g.id, subject: s.id });
      else if (!inNow && was) exit.push({ seg: g.id, subject: s.id });
    }
  }
  if (setRows.length) {
    await sql`insert into cdp_subject_tags (tenant_id, tag_id, subject_id, value, reason) values ${sql.join(setRows)}
      on conflict (tenant_id, tag_id, subject_id) do update set value = excluded.value, set_at = now(), reason = excluded.reason`.execute(
      tx,
    );
  }
  for (const u of unset)
    await sql`delete from cdp_subject_tags where tenant_id = ${tenantId} and tag_id = ${u.tag} and subject_id = ${u.subject}`.execute(
      tx,
    );
  result.tagged = setRows.length;
  await applyMembership(tx, tenantId, enter, exit, now, 'event');
  result.entered = enter.length;
  result.exited = exit.length;
  return result;
}

export async function applyMembership(
  tx: Tx,
  tenantId: string,
  enter: { seg: string; subject: string }[],
  exit: { seg: string; subject: string }[],
  now: Date,
  cause: string,
) {
  if (!enter.length && !exit.length) return;
  for (let i = 0; i < enter.length; i += 1000)
    await sql`insert into cdp_segment_members (tenant_id, segment_id, subject_id) values
      ${sql.join(enter.slice(i, i + 1000).map((e) => sql`(${tenantId}, ${e.seg}, ${e.subject})`))} on conflict do nothing`.execute(
      tx,
    );
  for (let i = 0; i < exit.length; i += 1000)
    await sql`delete from cdp_segment_members where tenant_id = ${tenantId} and (segment_id, subject_id) in
      (${sql.join(exit.slice(i, i + 1000).map((e) => sql`(${e.seg}::uuid, ${e.subject}::uuid)`))})`.execute(
      tx,
    );
  const delta = new Map<string, { in: number; out: number }>();
  for (const e of enter)
    delta.set(e.seg, { in: (delta.get(e.seg)?.in ?? 0) + 1, out: delta.get(e.seg)?.out ?? 0 });
  for (const e of exit)
    delta.set(e.seg, { in: delta.get(e.seg)?.in ?? 0, out: (delta.get(e.seg)?.out ?? 0) + 1 });
  const day = utcDay(now);
  for (const [seg, d] of delta) {
    const r = await sql<{
      member_count: number;
    }>`update cdp_segments set member_count = member_count + ${d.in - d.out}
      where tenant_id = ${tenantId} and id = ${seg} returning member_count`.execute(tx);
    await sql`insert into cdp_segment_history (tenant_id, segment_id, day, entered, exited, members)
      values (${tenantId}, ${seg}, ${day}::date, ${d.in}, ${d.out}, ${r.rows[0]?.member_count ?? 0})
      on conflict (tenant_id, segment_id, day) do update set entered = cdp_segment_history.entered + excluded.entered,
        exited = cdp_segment_history.exited + excluded.exited, members = excluded.members`.execute(tx);
  }
  const events: NewEvent[] = [
    ...enter.map((e) => ({
      type: 'segment.entered',
      object: 'segment',
      recordId: e.seg,
      payload: { segmentId: e.seg, subjectId: e.subject, cause },
    })),
    ...exit.map((e) => ({
      type: 'segment.exited',
      object: 'segment',
      recordId: e.seg,
      payload: { segmentId: e.seg, subjectId: e.subject, cause },
    })),
  ];
  for (let i = 0; i < events.length; i += 1000) await emitEvents(tx, tenantId, events.slice(i, i + 1000));
}

/** The SQL selecting a segment's subjects (profiles, or records of another object). */
export function segmentSql(
  def: { object: string; purpose: string; rule: Rule },
  tenantId: string,
  now: Date,
  crmScope?: CrmScope,
) {
  if (def.object === 'profile')
    return ruleQuery(def.rule, tenantId, now, {
      excludeWithdrawn: def.purpose === 'marketing' ? 'marketing' : undefined,
      crmScope,
    });
  return recordRuleQuery(def.object, def.rule, tenantId, now);
}

/**
 * Records of an object (standard, custom, or custom fields on a standard one) matching a
 * field/tag rule (R2.2); `now` is the day relative-date conditions count from.
 */
export function recordRuleQuery(object: string, rule: Rule, tenantId: string, now: Date) {
  const src = recordSource(object);
  return sql<{
    id: string;
  }>`select r.id from ${src.table} where ${src.where(tenantId)} and ${compileRecordRule(rule, src.data, sql`r.id`, object, now)}`;
}

/** Tags worth true when their rule holds (not scores, metrics, models or manual ones). */
export const isBooleanRuleTag = (t: TagDef) =>
  !!t.rule && !['manual', 'predicted', 'score', 'metric'].includes(t.kind);

/**
 * Batch (SQL) recomputation of a boolean rule tag over every profile, as the tick does for rules
 * that change with time alone. Returns how many profiles gained or lost it.
 */
export async function computeProfileTag(tx: Tx, tenantId: string, tag: TagDef, now: Date): Promise<number> {
  const q = ruleQuery(tag.rule!, tenantId, now);
  const r = await sql<{
    n: number;
  }>`with target as materialized (select id from (${q}) x),
      ins as (insert into cdp_subject_tags (tenant_id, tag_id, subject_id, value, reason)
        select ${tenantId}, ${tag.id}, id, 'true'::jsonb, ${`rule:${tag.kind}`} from target on conflict do nothing returning 1),
      del as (delete from cdp_subject_tags st where st.tenant_id = ${tenantId} and st.tag_id = ${tag.id}
        and st.subject_id not in (select id from target) returning 1)
    select ((select count(*) from ins) + (select count(*) from del))::int as n`.execute(tx);
  return r.rows[0]!.n;
}

/** Tags worth a number (metric, score) rather than true. */
export const isValueTag = (t: TagDef) => t.kind === 'metric' || t.kind === 'score';

/** The rules a value tag reads (what `computeTag` evaluates), its metric as an event condition. */
export function valueTagRules(t: TagDef): Rule[] {
  if (t.kind === 'score') return (t.config.scores ?? []).map((x) => x.rule);
  const out: Rule[] = t.rule ? [t.rule] : [];
  if (t.config.metric) out.push({ ...t.config.metric, op: 'gte', value: 0 } as EventRule);
  return out;
}

/**
 * SQL for `computeTag` of a metric or score tag over every live profile: `(id, value jsonb)` for
 * each profile where the tag is set. A metric reads the same daily counters as the per-event
 * evaluator (one grouped scan of its counter), summed oldest day first like `loadStates` orders
 * them, so fractional totals come out to the same double; a score adds each condition's points
 * in configuration order (one `ruleQuery` per condition).
 */
export function tagValueSql(tag: TagDef, tenantId: string, now: Date) {
  type Row = { id: string; value: unknown };
  if (tag.kind === 'metric' && tag.config.metric) {
    const m = tag.config.metric;
    const col = sql.ref(m.agg === 'sum' ? 'c.total' : 'c.n');
    const gate = tag.rule
      ? sql`and m.id in (select id from (${ruleQuery(tag.rule, tenantId, now)}) r)`
      : sql``;
    return sql<Row>`select m.id, to_jsonb(m.v) as value from (
        select c.profile_id as id, sum(${col} order by c.day) as v from cdp_counters c
        where c.tenant_id = ${tenantId} and c.counter = ${counterKey(m)} and c.day >= ${utcDay(windowStart(now, m.withinDays))}::date
        group by c.profile_id) m
      join cdp_profiles p on p.tenant_id = ${tenantId} and p.id = m.id and p.merged_into is null
      where m.v > 0 ${gate}`;
  }
  const scores = tag.kind === 'score' ? (tag.config.scores ?? []) : [];
  if (!scores.length) return sql<Row>`select null::uuid as id, null::jsonb as value where false`;
  const hits = sql.join(
    scores.map(
      (x, i) =>
        sql`select id, ${i}::int as i, ${x.points}::float8 as pts from (${ruleQuery(x.rule, tenantId, now)}) q${sql.raw(String(i))}`,
    ),
    sql` union all `,
  );
  return sql<Row>`select s.id, to_jsonb(s.v) as value from (
      select h.id, sum(h.pts order by h.i) as v from (${hits}) h group by h.id) s
    where s.v > 0`;
}

/**
 * Batch (SQL) recomputation of a metric or score tag over every profile, as the tick does when
 * its windows move on: writes only values that changed (set_at and reason as the event path
 * writes them) and removes the tag where it no longer holds. Returns how many rows changed.
 */
export async function computeProfileTagValue(
  tx: Tx,
  tenantId: string,
  tag: TagDef,
  now: Date,
): Promise<number> {
  const r = await sql<{
    n: number;
  }>`with target as materialized (select id, value from (${tagValueSql(tag, tenantId, now)}) x),
      up as (insert into cdp_subject_tags (tenant_id, tag_id, subject_id, value, reason)
        select ${tenantId}, ${tag.id}, t.id, t.value, ${`rule:${tag.kind}`} from target t
        where not exists (select 1 from cdp_subject_tags st where st.tenant_id = ${tenantId} and st.tag_id = ${tag.id}
          and st.subject_id = t.id and st.value = t.value)
        on conflict (tenant_id, tag_id, subject_id) do update set value = excluded.value, set_at = now(), reason = excluded.reason
        returning 1),
      del as (delete from cdp_subject_tags st where st.tenant_id = ${tenantId} and st.tag_id = ${tag.id}
        and st.subject_id not in (select id from target) returning 1)
    select ((select count(*) from up) + (select count(*) from del))::int as n`.execute(tx);
  return r.rows[0]!.n;
}

/**
 * Record tag and segment writers of one tenant take turns (real time, the tick, tag backfills,
 * a segment computed when it is saved): each then reads what the one before it committed.
 */
export async function lockObjectTags(tx: Tx, tenantId: string) {
  await sql`select pg_advisory_xact_lock(hashtext(${`cdp-objects:${tenantId}`}))`.execute(tx);
}

/** Batch (SQL) recomputation of one segment: diff against the stored members, emit changes. */
export async function computeSegment(
  tx: Tx,
  tenantId: string,
  seg: SegmentDef,
  now: Date,
  cause = 'schedule',
) {
  // A record segment saved while its tags' backfill runs in another worker: without taking turns
  // each would miss the other (the segment read no tags yet, the backfill saw no segment yet).
  if (seg.object !== 'profile') await lockObjectTags(tx, tenantId);
  const q = segmentSql(seg, tenantId, now);
  const r = await sql<{
    k: string;
    subject_id: string;
  }>`with target as materialized (select id from (${q}) x),
      cur as (select subject_id from cdp_segment_members where tenant_id = ${tenantId} and segment_id = ${seg.id})
    select 'in' as k, id as subject_id from target where id not in (select subject_id from cur)
    union all select 'out', subject_id from cur where subject_id not in (select id from target)`.execute(tx);
  const enter = r.rows.filter((x) => x.k === 'in').map((x) => ({ seg: seg.id, subject: x.subject_id }));
  const exit = r.rows.filter((x) => x.k === 'out').map((x) => ({ seg: seg.id, subject: x.subject_id }));
  await applyMembership(tx, tenantId, enter, exit, now, cause);
  const count = await sql<{
    n: number;
  }>`select count(*)::int as n from cdp_segment_members where tenant_id = ${tenantId} and segment_id = ${seg.id}`.execute(
    tx,
  );
  await sql`update cdp_segments set member_count = ${count.rows[0]!.n}, computed_at = now() where tenant_id = ${tenantId} and id = ${seg.id}`.execute(
    tx,
  );
  return { entered: enter.length, exited: exit.length, members: count.rows[0]!.n };
}
