import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import { randomToken, sha256 } from '../../platform/auth/tokens.ts';
import type { Tx } from '../../platform/db/tenant-scope.ts';
import { conflict, invalid, notFound } from '../../platform/errors.ts';
import type { Locale } from '../../platform/i18n/locale.ts';
import { newId } from '../../platform/ids.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { can, type Principal } from '../../platform/permissions/principal.ts';
import { getRecord, recordCtx } from '../../records/record.service.ts';
import { toRecord } from '../../records/record-mapper.ts';
import { baseWhere, scopeWhere } from '../../records/record-sql.ts';
import { cdpFieldError, cdpProblem, ct } from './cdp.messages.ts';
import { ensureCounters } from './counters.ts';
import {
  computeSegment,
  computeTag,
  evaluateProfiles,
  loadStates,
  type SegmentDef,
  segmentMember,
  segmentSql,
  type TagDef,
} from './evaluation.service.ts';
import { forgetWriteKeys } from './ingest.ts';
import { maskTraits, maskValue, profileName } from './masking.ts';
import { evaluateRecords } from './object-tags.ts';
import { predictTag, validatePredictionConfig } from './prediction.service.ts';
import { lockTenantCdp } from './process.job.ts';
import { mergeRow } from './profile-list.ts';
import { crmLinks, profileTimeline, type TimelineKind } from './profile-timeline.ts';
import { recordSource } from './record-source.ts';
import {
  assertRuleVisibleTo,
  crmScopeFor,
  isPersonalProperty,
  type RuleAt,
  scopeFilterFor,
} from './rule-access.ts';
import { collectEventRules, collectTags, counterDef, type EventRule, type Rule, ruleQuery } from './rules.ts';
import type { Viewer } from './viewer.ts';

export const WRITE_KEY_PREFIX = 'wk_';

// ------------------------------------------------------------------ sources

const sourceOut = (r: any) => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  keyPrefix: r.key_prefix,
  enabled: r.enabled,
  createdAt: r.created_at,
  lastEventAt: r.last_event_at,
});

export async function listSources(tx: Tx, tenantId: string) {
  const r = await sql`select * from cdp_sources where tenant_id = ${tenantId} order by created_at`.execute(
    tx,
  );
  return { items: r.rows.map(sourceOut) };
}

export async function createSource(tx: Tx, actor: Actor, input: { name: string; kind: string }) {
  const id = newId();
  const key = `${WRITE_KEY_PREFIX}${randomToken(24)}`;
  const r = await sql`insert into cdp_sources (tenant_id, id, name, kind, key_prefix, key_hash, created_by)
    values (${actor.tenantId}, ${id}, ${input.name}, ${input.kind}, ${key.slice(0, 9)}, ${sha256(key)}, ${actor.actorId}) returning *`.execute(
    tx,
  );
  await writeAudit(tx, actor, {
    action: 'create',
    object: 'cdp_source',
    recordId: id,
    meta: { name: input.name, kind: input.kind },
  });
  await scheduleTick(tx, actor.tenantId);
  // The write key is shown once; only its hash is kept.
  return { ...sourceOut(r.rows[0]), writeKey: key };
}

export async function updateSource(
  tx: Tx,
  actor: Actor,
  id: string,
  input: { name?: string; enabled?: boolean },
) {
  const r =
    await sql`update cdp_sources set name = coalesce(${input.name ?? null}, name), enabled = coalesce(${input.enabled ?? null}, enabled),
    updated_at = now() where tenant_id = ${actor.tenantId} and id = ${id} returning *`.execute(tx);
  if (!r.rows[0]) throw notFound('source');
  await writeAudit(tx, actor, { action: 'update', object: 'cdp_source', recordId: id, meta: input });
  forgetWriteKeys();
  return sourceOut(r.rows[0]);
}

export async function rotateSourceKey(tx: Tx, actor: Actor, id: string) {
  const key = `${WRITE_KEY_PREFIX}${randomToken(24)}`;
  const r =
    await sql`update cdp_sources set key_prefix = ${key.slice(0, 9)}, key_hash = ${sha256(key)}, updated_at = now()
    where tenant_id = ${actor.tenantId} and id = ${id} returning *`.execute(tx);
  if (!r.rows[0]) throw notFound('source');
  await writeAudit(tx, actor, { action: 'cdp.rotate_key', object: 'cdp_source', recordId: id });
  forgetWriteKeys();
  return { ...sourceOut(r.rows[0]), writeKey: key };
}

/** Live debugger: the newest stored events and rejections of a source. */
export async function sourceDebug(tx: Tx, tenantId: string, id: string, sinceSeq = 0) {
  const exists = await sql`select 1 from cdp_sources where tenant_id = ${tenantId} and id = ${id}`.execute(
    tx,
  );
  if (!exists.rows.length) throw notFound('source');
  const events =
    await sql<any>`select id, type, event, message_id, user_id, anonymous_id, ts, received_at, raw from cdp_events
    where tenant_id = ${tenantId} and source_id = ${id} and received_at > now() - interval '7 days'
    order by received_at desc limit 50`.execute(tx);
  const errors = await sql<any>`select seq, at, type, message_id, reason, payload from cdp_debug
    where tenant_id = ${tenantId} and source_id = ${id} and seq > ${sinceSeq} order by seq desc limit 50`.execute(
    tx,
  );
  return {
    events: events.rows.map((e) => ({
      id: e.id,
      type: e.type,
      event: e.event,
      messageId: e.message_id,
      userId: e.user_id,
      anonymousId: e.anonymous_id,
      timestamp: e.ts,
      receivedAt: e.received_at,
      raw: e.raw,
    })),
    errors: errors.rows.map((e) => ({
      seq: e.seq,
      at: e.at,
      type: e.type,
      messageId: e.message_id,
      reason: e.reason,
      payload: e.payload,
    })),
  };
}

// ------------------------------------------------------------------ profiles

const PERSONAL_KINDS: Record<string, string> = {
  phone: 'phone',
  email: 'email',
  wechat_unionid: 'id',
  openid: 'id',
  wecom_external_userid: 'id',
};

/**
 * The 360 view (R1.3). Personal values are masked unless the viewer holds profile:unmask; CRM
 * links and the timeline's CRM part are read as the viewer (record scope and field masking).
 */
export async function profile360(tx: Tx, principal: Principal, actor: Actor, id: string, unmasked: boolean) {
  const tenantId = principal.tenantId;
  let p = (
    await sql<any>`select * from cdp_profiles where tenant_id = ${tenantId} and id = ${id}`.execute(tx)
  ).rows[0];
  if (!p) throw notFound('profile');
  if (p.merged_into)
    p = (
      await sql<any>`select * from cdp_profiles where tenant_id = ${tenantId} and id = ${p.canonical_id}`.execute(
        tx,
      )
    ).rows[0];
  const pid = p.id as string;
  const [identities, { tags, segments }, consents, merges] = [
    await sql<any>`select id, kind, namespace, value, first_seen_at, source from cdp_identities where tenant_id = ${tenantId} and profile_id = ${pid} order by kind, first_seen_at`.execute(
      tx,
    ),
    await subjectTagsOf(tx, tenantId, 'profile', pid),
    await sql<any>`select purpose, granted, source, at from cdp_consents where tenant_id = ${tenantId} and profile_id = ${pid}`.execute(
      tx,
    ),
    await sql<any>`select id, at, target_id, source_id, reason, evidence, split_at from cdp_merges
      where tenant_id = ${tenantId} and (target_id = ${pid} or source_id = ${pid}) order by at desc limit 100`.execute(
      tx,
    ),
  ];
  const links = await crmLinks(tx, principal, actor, pid);
  const timeline = await profileTimeline(tx, principal, actor, pid, { limit: 50, links });
  const { traits, masked } = maskTraits(p.traits, unmasked);
  return {
    id: pid,
    requestedId: id,
    traits,
    _masked: masked.map((k) => `traits.${k}`),
    firstSeenAt: p.first_seen_at,
    lastSeenAt: p.last_seen_at,
    identities: identities.rows.map((i) => ({
      id: i.id,
      kind: i.kind,
      namespace: i.namespace || null,
      value: !unmasked && PERSONAL_KINDS[i.kind] ? maskValue(PERSONAL_KINDS[i.kind]!, i.value) : i.value,
      firstSeenAt: i.first_seen_at,
    })),
    tags,
    segments,
    consents: consents.rows.map((c) => ({
      purpose: c.purpose,
      granted: c.granted,
      source: c.source,
      at: c.at,
    })),
    links,
    merges: merges.rows.map((m) => mergeRow(m, unmasked)),
    timeline: timeline.items,
    timelineNext: timeline.next,
  };
}

/** One page of a profile's timeline (a merged profile answers with its canonical one's). */
export async function profileTimelinePage(
  tx: Tx,
  principal: Principal,
  actor: Actor,
  id: string,
  q: { before?: string; kinds?: TimelineKind[]; limit: number },
) {
  const p = (
    await sql<{
      id: string;
      canonical_id: string | null;
      merged_into: string | null;
    }>`select id, canonical_id, merged_into from cdp_profiles where tenant_id = ${principal.tenantId} and id = ${id}`.execute(
      tx,
    )
  ).rows[0];
  if (!p) throw notFound('profile');
  return profileTimeline(tx, principal, actor, p.merged_into ? (p.canonical_id ?? p.id) : p.id, q);
}

// ------------------------------------------------------------------ event catalogue

/** How many of the newest events the catalogue samples: cheap on any table size, recent enough. */
const CATALOGUE_SAMPLE = 5000;

/**
 * Event names the tenant has actually received (from a sample of the newest events, 90 days),
 * so the segment builder offers them instead of free text.
 */
export async function eventNames(tx: Tx, tenantId: string) {
  const r = await sql<{
    event: string;
    n: number;
    last_at: Date;
  }>`select event, count(*)::int as n, max(ts) as last_at
    from (select event, ts from cdp_events where tenant_id = ${tenantId} and ts > now() - interval '90 days'
      order by ts desc limit ${CATALOGUE_SAMPLE}) x
    where event is not null group by event order by n desc, event limit 200`.execute(tx);
  return { items: r.rows.map((e) => ({ name: e.event, count: e.n, lastAt: e.last_at })) };
}

const PERSONAL_KEY = /phone|mobile|email|name|address|id_?number|openid|unionid/i;

/**
 * The top property keys of one event (newest 1000), with their JSON types and a few example values.
 * Without `personal` (profile:unmask), personal-looking keys are left out: a rule could not use them.
 */
export async function eventProperties(tx: Tx, tenantId: string, event: string, personal = true) {
  const r = await sql<{ key: string; types: string[]; n: number; examples: string[] | null }>`
    select j.key, array_agg(distinct jsonb_typeof(j.value)) as types, count(*)::int as n,
      (array_agg(distinct left(j.value #>> '{}', 60)) filter (where jsonb_typeof(j.value) in ('string', 'number', 'boolean')))[1:5] as examples
    from (select properties from cdp_events where tenant_id = ${tenantId} and event = ${event}
      order by ts desc limit 1000) x, jsonb_each(x.properties) j
    group by j.key order by n desc, j.key limit 50`.execute(tx);
  return {
    items: r.rows
      .filter((p) => personal || !isPersonalProperty(p.key))
      .map((p) => ({
        key: p.key,
        types: p.types,
        count: p.n,
        // Values of personal-looking keys are not sampled: this is a cdp:read view, unmasked nowhere.
        examples: PERSONAL_KEY.test(p.key) ? [] : (p.examples ?? []),
      })),
  };
}

export async function setConsent(tx: Tx, actor: Actor, profileId: string, purpose: string, granted: boolean) {
  const p =
    await sql`select 1 from cdp_profiles where tenant_id = ${actor.tenantId} and id = ${profileId} and merged_into is null`.execute(
      tx,
    );
  if (!p.rows.length) throw notFound('profile');
  await sql`insert into cdp_consents (tenant_id, profile_id, purpose, granted, source) values (${actor.tenantId}, ${profileId}, ${purpose}, ${granted}, 'kehu')
    on conflict (tenant_id, profile_id, purpose) do update set granted = excluded.granted, source = excluded.source, at = now()`.execute(
    tx,
  );
  await writeAudit(tx, actor, {
    action: 'cdp.consent',
    object: 'profile',
    recordId: profileId,
    meta: { purpose, granted },
  });
  await lockTenantCdp(tx, actor.tenantId);
  await evaluateProfiles(tx, actor.tenantId, [profileId], new Date());
}

// ------------------------------------------------------------------ tags

export interface TagInput {
  key: string;
  name: string;
  kind: TagDef['kind'];
  object?: string;
  groupId?: string | null;
  description?: string | null;
  rule?: Rule | null;
  config?: TagDef['config'];
}

function rulesOf(kind: string, rule: Rule | null | undefined, config: TagDef['config'] | undefined): Rule[] {
  const out: Rule[] = [];
  if (rule) out.push(rule);
  for (const s of config?.scores ?? []) out.push(s.rule);
  if (config?.metric) out.push({ ...config.metric, op: 'gte', value: 0 } as EventRule);
  if (kind === 'manual') return [];
  return out;
}

/** The rules a tag input holds, with their paths in the request body (for field errors). */
function tagRulesAt(input: Pick<TagInput, 'kind' | 'rule' | 'config'>): RuleAt[] {
  // A rule sent with a manual tag is stored with it, so it is checked like any other.
  const out: RuleAt[] = input.rule ? [{ rule: input.rule, path: 'rule' }] : [];
  if (input.kind === 'manual') return out;
  for (const [i, s] of (input.config?.scores ?? []).entries())
    out.push({ rule: s.rule, path: `config.scores.${i}.rule` });
  if (input.config?.metric)
    out.push({ rule: { ...input.config.metric, op: 'gte', value: 0 } as EventRule, path: 'config.metric' });
  return out;
}

/**
 * How many subjects of each listed tag the viewer may see: the stored coverage is tenant-wide,
 * so a viewer with a narrower data scope gets a count over their own subjects.
 */
async function scopedCoverage(
  tx: Tx,
  viewer: Viewer,
  tags: { id: string; object: string; coverage: number }[],
) {
  const out = new Map(tags.map((t) => [t.id, t.coverage]));
  for (const object of new Set(tags.map((t) => t.object))) {
    const scope = scopeFilterFor(viewer, object);
    if (scope.all) continue;
    const ids = tags.filter((t) => t.object === object).map((t) => t.id);
    for (const id of ids) out.set(id, 0);
    const r = await sql<{
      tag_id: string;
      n: number;
    }>`select st.tag_id, count(*)::int as n from cdp_subject_tags st
      where st.tenant_id = ${viewer.principal.tenantId} and st.tag_id = any(${ids}::uuid[]) and ${scope.where(sql`st.subject_id`)}
      group by st.tag_id`.execute(tx);
    for (const x of r.rows) out.set(x.tag_id, x.n);
  }
  return out;
}

function validateTag(input: TagInput, locale: Locale) {
  const rules = rulesOf(input.kind, input.rule, input.config);
  if (input.kind === 'score' && !input.config?.scores?.length)
    throw invalid([{ field: 'config.scores', code: 'required' }]);
  if (input.kind === 'metric' && !input.config?.metric)
    throw invalid([{ field: 'config.metric', code: 'required' }]);
  if (input.kind === 'predicted')
    validatePredictionConfig(input.config as Parameters<typeof validatePredictionConfig>[0]);
  if (!['manual', 'score', 'metric', 'predicted'].includes(input.kind) && !input.rule)
    throw invalid([{ field: 'rule', code: 'required' }]);
  if (input.object && input.object !== 'profile') {
    for (const r of rules)
      if (collectEventRules(r).length) throw invalid([cdpFieldError(locale, 'rule', 'events_on_records')]);
    if (input.kind !== 'manual' && !['attribute', 'combined', 'crm'].includes(input.kind))
      throw invalid([cdpFieldError(locale, 'kind', 'kind_on_records')]);
  }
  return rules;
}

const tagOut = (t: any) => ({
  id: t.id,
  key: t.key,
  name: t.name,
  kind: t.kind,
  object: t.object,
  groupId: t.group_id,
  description: t.description,
  ownerId: t.owner_id,
  ownerName: t.owner_name ?? null,
  rule: t.rule,
  config: t.config,
  lineage: t.lineage,
  coverage: t.coverage ?? 0,
  backfill: t.backfill_status
    ? { status: t.backfill_status, total: t.backfill_total, done: t.backfill_done }
    : null,
  createdAt: t.created_at,
});

/**
 * The tag catalogue: each tag with its owner, live coverage, backfill progress and lineage both
 * ways (what it is computed from, and which tags and segments use it); groups with their size.
 */
export async function listTags(tx: Tx, viewer: Viewer, object?: string) {
  const tenantId = viewer.principal.tenantId;
  const r = await sql<any>`select t.*, u.name as owner_name,
      (select count(*)::int from cdp_subject_tags st where st.tenant_id = t.tenant_id and st.tag_id = t.id) as coverage
    from cdp_tags t left join users u on u.tenant_id = t.tenant_id and u.id = t.owner_id
    where t.tenant_id = ${tenantId} ${object ? sql`and t.object = ${object}` : sql``} order by t.created_at`.execute(
    tx,
  );
  const groups = await sql<any>`select g.id, g.name, g.description,
      (select count(*)::int from cdp_tags t where t.tenant_id = g.tenant_id and t.group_id = g.id) as tag_count
    from cdp_tag_groups g where g.tenant_id = ${tenantId} order by g.name`.execute(tx);
  const segs = (
    await sql<{
      id: string;
      name: string;
      object: string;
      rule: Rule;
    }>`select id, name, object, rule from cdp_segments where tenant_id = ${tenantId}`.execute(tx)
  ).rows;
  const coverage = await scopedCoverage(tx, viewer, r.rows);
  const items = r.rows.map((t) => ({
    ...tagOut({ ...t, coverage: coverage.get(t.id) }),
    usedBy: usersOf(t, r.rows, segs),
  }));
  return {
    items,
    groups: groups.rows.map((g) => ({
      id: g.id,
      name: g.name,
      description: g.description,
      tagCount: g.tag_count,
    })),
  };
}

type UsedBy = { kind: 'tag' | 'segment'; id: string; name: string };

/** The tags (through their lineage) and segments (through their rule) of the same object using a tag. */
function usersOf(
  t: { id: string; key: string; object: string },
  tags: { id: string; name: string; object: string; lineage: string[] | null }[],
  segs: { id: string; name: string; object: string; rule: Rule }[],
): UsedBy[] {
  return [
    ...tags
      .filter((o) => o.id !== t.id && o.object === t.object && (o.lineage ?? []).includes(`tag:${t.key}`))
      .map((o) => ({ kind: 'tag' as const, id: o.id, name: o.name })),
    ...segs
      .filter((g) => g.object === t.object && collectTags(g.rule).includes(t.key))
      .map((g) => ({ kind: 'segment' as const, id: g.id, name: g.name })),
  ];
}

const groupConflict = (e: unknown, name: string) => {
  if ((e as { code?: string }).code === '23505') throw conflict('conflict.exists', { what: name });
  throw e;
};

export async function createTagGroup(
  tx: Tx,
  actor: Actor,
  input: { name: string; description?: string | null },
) {
  const id = newId();
  const dup =
    await sql`select 1 from cdp_tag_groups where tenant_id = ${actor.tenantId} and name = ${input.name}`.execute(
      tx,
    );
  if (dup.rows.length) groupConflict({ code: '23505' }, input.name);
  await sql`insert into cdp_tag_groups (tenant_id, id, name, description) values (${actor.tenantId}, ${id}, ${input.name}, ${input.description ?? null})`
    .execute(tx)
    .catch((e) => groupConflict(e, input.name));
  await writeAudit(tx, actor, {
    action: 'create',
    object: 'cdp_tag_group',
    recordId: id,
    meta: { name: input.name },
  });
  return { id, name: input.name, description: input.description ?? null, tagCount: 0 };
}

export async function updateTagGroup(
  tx: Tx,
  actor: Actor,
  id: string,
  input: { name?: string; description?: string | null },
) {
  if (input.name) {
    const dup =
      await sql`select 1 from cdp_tag_groups where tenant_id = ${actor.tenantId} and name = ${input.name} and id <> ${id}`.execute(
        tx,
      );
    if (dup.rows.length) groupConflict({ code: '23505' }, input.name);
  }
  const r = await sql<any>`update cdp_tag_groups set name = coalesce(${input.name ?? null}, name),
      description = ${input.description !== undefined ? sql`${input.description}` : sql`description`}
    where tenant_id = ${actor.tenantId} and id = ${id} returning id, name, description`.execute(tx);
  if (!r.rows[0]) throw notFound('tag_group');
  await writeAudit(tx, actor, { action: 'update', object: 'cdp_tag_group', recordId: id, meta: input });
  return r.rows[0];
}

/** A group is deleted only when empty: its tags would otherwise silently lose their grouping. */
export async function deleteTagGroup(tx: Tx, actor: Actor, id: string) {
  const g = (
    await sql<{
      name: string;
      n: number;
    }>`select g.name, (select count(*)::int from cdp_tags t where t.tenant_id = g.tenant_id and t.group_id = g.id) as n
      from cdp_tag_groups g where g.tenant_id = ${actor.tenantId} and g.id = ${id}`.execute(tx)
  ).rows[0];
  if (!g) throw notFound('tag_group');
  if (g.n > 0) throw conflict('conflict.in_use', { what: g.name });
  await sql`delete from cdp_tag_groups where tenant_id = ${actor.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'delete',
    object: 'cdp_tag_group',
    recordId: id,
    meta: { name: g.name },
  });
}

/** Lineage: which traits, events, tags and CRM fields a tag is computed from. */
function lineageOf(rules: Rule[]) {
  const out = new Set<string>();
  const walk = (r: Rule) => {
    if ('and' in r) r.and.forEach(walk);
    else if ('or' in r) r.or.forEach(walk);
    else if ('not' in r) walk(r.not);
    else if ('event' in r) out.add(`event:${r.event}`);
    else if ('tag' in r) out.add(`tag:${r.tag}`);
    else if ('crm' in r) out.add(`crm:${r.crm}.${r.field}`);
    else out.add(`trait:${r.trait}`);
  };
  rules.forEach(walk);
  return [...out];
}

async function checkGroup(tx: Tx, tenantId: string, groupId: string | null | undefined) {
  if (!groupId) return;
  const r = await sql`select 1 from cdp_tag_groups where tenant_id = ${tenantId} and id = ${groupId}`.execute(
    tx,
  );
  if (!r.rows.length) throw invalid([{ field: 'groupId', code: 'option', params: { value: groupId } }]);
}

export async function createTag(tx: Tx, viewer: Viewer, input: TagInput, locale: Locale = 'zh-CN') {
  const actor = viewer.actor;
  const rules = validateTag(input, locale);
  const object = input.object ?? 'profile';
  await assertRuleVisibleTo(tx, viewer, object, tagRulesAt(input), locale);
  await checkGroup(tx, actor.tenantId, input.groupId);
  const id = newId();
  try {
    await sql`insert into cdp_tags (tenant_id, id, object, key, name, kind, group_id, description, owner_id, rule, config, lineage)
      values (${actor.tenantId}, ${id}, ${object}, ${input.key}, ${input.name}, ${input.kind}, ${input.groupId ?? null}, ${input.description ?? null},
        ${actor.actorId}, ${input.rule ? JSON.stringify(input.rule) : null}::jsonb, ${JSON.stringify(input.config ?? {})}::jsonb,
        ${JSON.stringify(lineageOf(rules))}::jsonb)`.execute(tx);
  } catch (e) {
    if ((e as { code?: string }).code === '23505')
      throw conflict('conflict.unique', {}, [{ field: 'key', code: 'unique' }]);
    throw e;
  }
  await lockTenantCdp(tx, actor.tenantId);
  await ensureCounters(
    tx,
    actor.tenantId,
    rules.flatMap((r) => collectEventRules(r).map(counterDef)),
  );
  await writeAudit(tx, actor, {
    action: 'create',
    object: 'cdp_tag',
    recordId: id,
    meta: { key: input.key, kind: input.kind },
  });
  if (input.kind !== 'manual') await startBackfill(tx, actor.tenantId, id);
  return getTag(tx, viewer, id);
}

/** Key order-independent JSON, to tell a rule or config really changed from one sent back as is. */
const canonical = (v: unknown): string =>
  JSON.stringify(v ?? null, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => (p < q ? -1 : 1)))
      : x,
  );

/**
 * Edits what a tag says and how it is computed (key, kind and object stay). A changed rule or
 * config starts a backfill job (progress bar) that re-evaluates every subject; the audit entry
 * lists the changed fields.
 */
export async function updateTag(
  tx: Tx,
  viewer: Viewer,
  id: string,
  input: Partial<TagInput>,
  locale: Locale = 'zh-CN',
) {
  const actor = viewer.actor;
  const cur = (
    await sql<any>`select * from cdp_tags where tenant_id = ${actor.tenantId} and id = ${id} for update`.execute(
      tx,
    )
  ).rows[0];
  if (!cur) throw notFound('tag');
  const next: TagInput = {
    key: cur.key,
    name: input.name ?? cur.name,
    kind: cur.kind,
    object: cur.object,
    groupId: input.groupId !== undefined ? input.groupId : cur.group_id,
    description: input.description !== undefined ? input.description : cur.description,
    rule: input.rule !== undefined ? input.rule : cur.rule,
    config: input.config ?? cur.config,
  };
  const rules = validateTag(next, locale);
  if (input.groupId !== undefined) await checkGroup(tx, actor.tenantId, next.groupId);
  const before = {
    name: cur.name,
    groupId: cur.group_id,
    description: cur.description,
    rule: cur.rule,
    config: cur.config ?? {},
  };
  const after = {
    name: next.name,
    groupId: next.groupId ?? null,
    description: next.description ?? null,
    rule: next.rule ?? null,
    config: next.config ?? {},
  };
  const changes = (Object.keys(before) as (keyof typeof before)[])
    .filter((f) => canonical(before[f]) !== canonical(after[f]))
    .map((f) => ({ field: f, from: before[f] ?? null, to: after[f] ?? null }));
  if (!changes.length) return getTag(tx, viewer, id);
  // The saved rule is evaluated by the system for everyone: whoever changes it must see its fields.
  if (changes.some((c) => c.field === 'rule' || c.field === 'config'))
    await assertRuleVisibleTo(tx, viewer, cur.object, tagRulesAt(next), locale);
  await sql`update cdp_tags set name = ${next.name}, group_id = ${next.groupId ?? null}, description = ${next.description ?? null},
    rule = ${next.rule ? JSON.stringify(next.rule) : null}::jsonb, config = ${JSON.stringify(next.config ?? {})}::jsonb,
    lineage = ${JSON.stringify(lineageOf(rules))}::jsonb, updated_at = now() where tenant_id = ${actor.tenantId} and id = ${id}`.execute(
    tx,
  );
  const recompute = changes.some((c) => c.field === 'rule' || c.field === 'config');
  if (recompute) {
    await lockTenantCdp(tx, actor.tenantId);
    await ensureCounters(
      tx,
      actor.tenantId,
      rules.flatMap((r) => collectEventRules(r).map(counterDef)),
    );
  }
  await writeAudit(tx, actor, {
    action: 'update',
    object: 'cdp_tag',
    recordId: id,
    changes,
    meta: { key: cur.key, name: next.name, recomputed: recompute },
  });
  if (recompute && cur.kind !== 'manual') await startBackfill(tx, actor.tenantId, id);
  return getTag(tx, viewer, id);
}

/**
 * A tag other tags or segments are computed from is not deleted: they would silently stop
 * matching. The 409 names them so the user knows what to change first.
 */
export async function deleteTag(tx: Tx, actor: Actor, id: string, locale: Locale = 'zh-CN') {
  const t = (
    await sql<{
      id: string;
      key: string;
      name: string;
      object: string;
    }>`select id, key, name, object from cdp_tags where tenant_id = ${actor.tenantId} and id = ${id} for update`.execute(
      tx,
    )
  ).rows[0];
  if (!t) throw notFound('tag');
  const tags = (
    await sql<{
      id: string;
      name: string;
      object: string;
      lineage: string[] | null;
    }>`select id, name, object, lineage from cdp_tags where tenant_id = ${actor.tenantId} and object = ${t.object}`.execute(
      tx,
    )
  ).rows;
  const segs = (
    await sql<{
      id: string;
      name: string;
      object: string;
      rule: Rule;
    }>`select id, name, object, rule from cdp_segments where tenant_id = ${actor.tenantId} and object = ${t.object}`.execute(
      tx,
    )
  ).rows;
  const usedBy = usersOf(t, tags, segs);
  if (usedBy.length)
    throw cdpProblem(
      'conflict',
      locale,
      'tag_in_use',
      {
        name: t.name,
        n: usedBy.length,
        list: usedBy
          .map((u) => ct(locale, u.kind === 'tag' ? 'used_by_tag' : 'used_by_segment', { name: u.name }))
          .join(locale === 'en-US' ? ', ' : '、'),
      },
      { usedBy },
    );
  await sql`delete from cdp_tags where tenant_id = ${actor.tenantId} and id = ${id}`.execute(tx);
  await sql`delete from cdp_subject_tags where tenant_id = ${actor.tenantId} and tag_id = ${id}`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'delete',
    object: 'cdp_tag',
    recordId: id,
    meta: { key: t.key, name: t.name },
  });
}

export async function getTag(tx: Tx, viewer: Viewer, id: string) {
  const tenantId = viewer.principal.tenantId;
  const r = await sql<any>`select t.*, u.name as owner_name,
      (select count(*)::int from cdp_subject_tags st where st.tenant_id = t.tenant_id and st.tag_id = t.id) as coverage
    from cdp_tags t left join users u on u.tenant_id = t.tenant_id and u.id = t.owner_id where t.tenant_id = ${tenantId} and t.id = ${id}`.execute(
    tx,
  );
  if (!r.rows[0]) throw notFound('tag');
  const coverage = await scopedCoverage(tx, viewer, r.rows);
  return tagOut({ ...r.rows[0], coverage: coverage.get(id) });
}

async function startBackfill(tx: Tx, tenantId: string, tagId: string) {
  const jobId = await enqueue(tx, tenantId, 'cdp:backfill', { tagId });
  const object = (
    await sql<{
      object: string;
    }>`select object from cdp_tags where tenant_id = ${tenantId} and id = ${tagId}`.execute(tx)
  ).rows[0]!.object;
  // The progress bar counts the subjects the job goes through: profiles, or the object's records.
  const src = object === 'profile' ? null : recordSource(object);
  const total = src
    ? sql`(select count(*)::int from ${src.table} where ${src.where(tenantId)})`
    : sql`(select count(*)::int from cdp_profiles where tenant_id = ${tenantId} and merged_into is null)`;
  await sql`update cdp_tags set backfill_job = ${jobId}, backfill_status = 'pending', backfill_done = 0,
    backfill_total = ${total} where tenant_id = ${tenantId} and id = ${tagId}`.execute(tx);
}

async function subjectExists(tx: Tx, tenantId: string, object: string, id: string): Promise<boolean> {
  if (object === 'profile')
    return (
      (await sql`select 1 from cdp_profiles where tenant_id = ${tenantId} and id = ${id}`.execute(tx)).rows
        .length > 0
    );
  const src = recordSource(object);
  return (
    (await sql`select 1 from ${src.table} where ${src.where(tenantId)} and r.id = ${id}`.execute(tx)).rows
      .length > 0
  );
}

export async function setManualTag(
  tx: Tx,
  actor: Actor,
  tagId: string,
  subjectId: string,
  on: boolean,
  value: unknown,
  locale: Locale = 'zh-CN',
) {
  const t = (
    await sql<any>`select kind, object from cdp_tags where tenant_id = ${actor.tenantId} and id = ${tagId}`.execute(
      tx,
    )
  ).rows[0];
  if (!t) throw notFound('tag');
  if (t.kind !== 'manual') throw cdpProblem('conflict', locale, 'tag_not_manual');
  // Only the tenant's own subjects carry its tags: another tenant's id is as unknown as a made-up one.
  if (!(await subjectExists(tx, actor.tenantId, t.object, subjectId))) throw notFound('profile');
  if (on)
    await sql`insert into cdp_subject_tags (tenant_id, tag_id, subject_id, value, set_by, reason)
      values (${actor.tenantId}, ${tagId}, ${subjectId}, ${JSON.stringify(value ?? true)}::jsonb, ${actor.actorId}, 'manual')
      on conflict (tenant_id, tag_id, subject_id) do update set value = excluded.value, set_at = now(), set_by = excluded.set_by`.execute(
      tx,
    );
  else
    await sql`delete from cdp_subject_tags where tenant_id = ${actor.tenantId} and tag_id = ${tagId} and subject_id = ${subjectId}`.execute(
      tx,
    );
  await writeAudit(tx, actor, {
    action: on ? 'cdp.tag' : 'cdp.untag',
    object: 'profile',
    recordId: subjectId,
    meta: { tagId },
  });
  await lockTenantCdp(tx, actor.tenantId);
  await evaluateProfiles(tx, actor.tenantId, [subjectId], new Date());
}

/** Preview before saving: the tag's value on a sample of profiles, and an estimated coverage. */
export async function previewTag(
  tx: Tx,
  viewer: Viewer,
  input: TagInput,
  locale: Locale = 'zh-CN',
  sample = 20,
) {
  const tenantId = viewer.principal.tenantId;
  const rules = validateTag(input, locale);
  const object = input.object ?? 'profile';
  await assertRuleVisibleTo(tx, viewer, object, tagRulesAt(input), locale);
  const scope = scopeFilterFor(viewer, object);
  if (object !== 'profile') {
    const { recordRuleQuery } = await import('./evaluation.service.ts');
    if (!input.rule) return { coverage: null, sampled: null, samples: [] };
    const q = recordRuleQuery(object, input.rule, tenantId, new Date());
    const n = await sql<{
      n: number;
    }>`select count(*)::int as n from (${q}) x where ${scope.where(sql`x.id`)}`.execute(tx);
    return { coverage: n.rows[0]!.n, sampled: null, samples: [] };
  }
  // Counters for new conditions do not exist yet: preview uses the SQL evaluator for boolean
  // rules, and the in-memory one on sampled profiles only when all counters are defined.
  const defs = rules.flatMap((r) => collectEventRules(r).map(counterDef));
  const known = defs.length
    ? (
        await sql<{
          counter: string;
        }>`select counter from cdp_counter_defs where tenant_id = ${tenantId} and counter = any(${defs.map((d) => d.key)})`.execute(
          tx,
        )
      ).rows.length
    : 0;
  const now = new Date();
  const ids = (
    await sql<{
      id: string;
    }>`select p.id from cdp_profiles p where p.tenant_id = ${tenantId} and p.merged_into is null
      and ${scope.where(sql`p.id`)} order by p.last_seen_at desc limit ${sample}`.execute(tx)
  ).rows.map((r) => r.id);
  let coverage: number | null = null;
  if (input.rule && input.kind !== 'score' && input.kind !== 'metric') {
    const n = await ruleQuery(input.rule, tenantId, now, {
      countOnly: true,
      crmScope: crmScopeFor(viewer),
    }).execute(tx);
    coverage = n.rows[0]!.n ?? 0;
  }
  const unmasked = can(viewer.principal, 'profile:unmask');
  const samples: { profileId: string; name: unknown; value: unknown }[] = [];
  if (known === new Set(defs.map((d) => d.key)).size) {
    const states = await loadStates(tx, tenantId, ids, crmScopeFor(viewer));
    const def: TagDef = {
      id: 'preview',
      key: input.key,
      kind: input.kind,
      object,
      rule: input.rule ?? null,
      config: input.config ?? {},
    };
    for (const s of states.values())
      samples.push({
        profileId: s.id,
        name: profileName(s.traits, unmasked),
        value: computeTag(def, s, now) ?? null,
      });
  }
  return { coverage, sampled: ids.length, samples };
}

export async function backfillTag(
  db: import('../../platform/db/database.ts').Db,
  tenantId: string,
  tagId: string,
  heartbeat: () => Promise<void>,
) {
  const { inTenant } = await import('../../platform/db/tenant-scope.ts');
  const tag = await inTenant(db, tenantId, async (tx) => {
    const t = (
      await sql<any>`select * from cdp_tags where tenant_id = ${tenantId} and id = ${tagId}`.execute(tx)
    ).rows[0];
    if (t)
      await sql`update cdp_tags set backfill_status = 'running' where tenant_id = ${tenantId} and id = ${tagId}`.execute(
        tx,
      );
    return t;
  });
  if (!tag) return;
  if (tag.kind === 'predicted') {
    await predictTag(db, tenantId, tagId, heartbeat);
    return;
  }
  if (tag.object !== 'profile') {
    // The same pass record writes trigger: the object's tags, then its segments (which may use them).
    await inTenant(db, tenantId, async (tx) => {
      await evaluateRecords(tx, tenantId, tag.object, null, new Date(), 'tag');
      await sql`update cdp_tags set backfill_status = 'done', backfill_done = backfill_total where tenant_id = ${tenantId} and id = ${tagId}`.execute(
        tx,
      );
    });
    return;
  }
  let cursor = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const done = await inTenant(db, tenantId, async (tx) => {
      await lockTenantCdp(tx, tenantId);
      const ids = (
        await sql<{
          id: string;
        }>`select id from cdp_profiles where tenant_id = ${tenantId} and merged_into is null and id > ${cursor}
          order by id limit 500`.execute(tx)
      ).rows.map((r) => r.id);
      if (!ids.length) {
        await sql`update cdp_tags set backfill_status = 'done', backfill_done = greatest(backfill_done, coalesce(backfill_total, 0))
          where tenant_id = ${tenantId} and id = ${tagId}`.execute(tx);
        return true;
      }
      cursor = ids[ids.length - 1]!;
      await evaluateProfiles(tx, tenantId, ids, new Date(), { tagIds: new Set([tagId]) });
      await sql`update cdp_tags set backfill_done = backfill_done + ${ids.length} where tenant_id = ${tenantId} and id = ${tagId}`.execute(
        tx,
      );
      return false;
    });
    if (done) break;
    await heartbeat();
  }
  // Segments that use the tag follow it.
  await inTenant(db, tenantId, async (tx) => {
    const segs = (
      await sql<SegmentDef>`select id, object, purpose, rule from cdp_segments where tenant_id = ${tenantId}`.execute(
        tx,
      )
    ).rows;
    for (const s of segs)
      if (collectTags(s.rule).includes(tag.key)) await computeSegment(tx, tenantId, s, new Date(), 'tag');
  });
}

// ------------------------------------------------------------------ segments

export interface SegmentInput {
  name: string;
  description?: string | null;
  object?: string;
  purpose?: 'analytics' | 'marketing' | 'service';
  rule: Rule;
}

const segOut = (s: any) => ({
  id: s.id,
  name: s.name,
  description: s.description,
  object: s.object,
  purpose: s.purpose,
  rule: s.rule,
  ownerId: s.owner_id,
  memberCount: s.member_count,
  computedAt: s.computed_at,
  createdAt: s.created_at,
});

/**
 * Member counts as a viewer sees them: the stored count is tenant-wide (membership is computed
 * by the system); a viewer with a narrower data scope gets the count of their own subjects.
 */
async function withScopedCounts(tx: Tx, viewer: Viewer, rows: any[]) {
  const out = rows.map(segOut);
  for (const object of new Set(out.map((g) => g.object as string))) {
    const scope = scopeFilterFor(viewer, object);
    if (scope.all) continue;
    const mine = out.filter((g) => g.object === object);
    const r = await sql<{
      segment_id: string;
      n: number;
    }>`select m.segment_id, count(*)::int as n from cdp_segment_members m
      where m.tenant_id = ${viewer.principal.tenantId} and m.segment_id = any(${mine.map((g) => g.id)}::uuid[])
        and ${scope.where(sql`m.subject_id`)} group by m.segment_id`.execute(tx);
    const n = new Map(r.rows.map((x) => [x.segment_id, x.n]));
    for (const g of mine) g.memberCount = n.get(g.id) ?? 0;
  }
  return out;
}

export async function listSegments(tx: Tx, viewer: Viewer) {
  const r =
    await sql`select * from cdp_segments where tenant_id = ${viewer.principal.tenantId} order by created_at`.execute(
      tx,
    );
  return { items: await withScopedCounts(tx, viewer, r.rows) };
}

/** A segment as stored (its member count tenant-wide): for the service's own use. */
async function segmentRow(tx: Tx, tenantId: string, id: string) {
  const r = await sql<any>`select * from cdp_segments where tenant_id = ${tenantId} and id = ${id}`.execute(
    tx,
  );
  if (!r.rows[0]) throw notFound('segment');
  return segOut(r.rows[0]);
}

/** A segment as the viewer sees it (member count over their data scope). */
export async function getSegment(tx: Tx, viewer: Viewer, id: string) {
  const r =
    await sql<any>`select * from cdp_segments where tenant_id = ${viewer.principal.tenantId} and id = ${id}`.execute(
      tx,
    );
  if (!r.rows[0]) throw notFound('segment');
  return (await withScopedCounts(tx, viewer, r.rows))[0]!;
}

async function checkSegment(tx: Tx, viewer: Viewer, input: SegmentInput, locale: Locale) {
  const object = input.object ?? 'profile';
  if (object !== 'profile' && collectEventRules(input.rule).length)
    throw invalid([cdpFieldError(locale, 'rule', 'events_on_records')]);
  await assertRuleVisibleTo(tx, viewer, object, [{ rule: input.rule, path: 'rule' }], locale);
}

export async function createSegment(tx: Tx, viewer: Viewer, input: SegmentInput, locale: Locale = 'zh-CN') {
  const actor = viewer.actor;
  await checkSegment(tx, viewer, input, locale);
  const id = newId();
  await sql`insert into cdp_segments (tenant_id, id, object, name, description, purpose, rule, owner_id)
    values (${actor.tenantId}, ${id}, ${input.object ?? 'profile'}, ${input.name}, ${input.description ?? null}, ${input.purpose ?? 'analytics'},
      ${JSON.stringify(input.rule)}::jsonb, ${actor.actorId})`.execute(tx);
  await lockTenantCdp(tx, actor.tenantId);
  await ensureCounters(tx, actor.tenantId, collectEventRules(input.rule).map(counterDef));
  await computeSegment(
    tx,
    actor.tenantId,
    { id, object: input.object ?? 'profile', purpose: input.purpose ?? 'analytics', rule: input.rule },
    new Date(),
    'created',
  );
  await writeAudit(tx, actor, {
    action: 'create',
    object: 'cdp_segment',
    recordId: id,
    meta: { name: input.name },
  });
  await scheduleTick(tx, actor.tenantId);
  return getSegment(tx, viewer, id);
}

export async function updateSegment(
  tx: Tx,
  viewer: Viewer,
  id: string,
  input: Partial<SegmentInput>,
  locale: Locale = 'zh-CN',
) {
  const actor = viewer.actor;
  const cur = await segmentRow(tx, actor.tenantId, id);
  const next = { ...cur, ...input, object: cur.object } as SegmentInput & { id: string };
  // A rule sent back unchanged was checked when it was saved; a changed one is checked for its editor.
  if (canonical(cur.rule) !== canonical(next.rule)) await checkSegment(tx, viewer, next, locale);
  await sql`update cdp_segments set name = ${next.name}, description = ${next.description ?? null}, purpose = ${next.purpose ?? 'analytics'},
    rule = ${JSON.stringify(next.rule)}::jsonb, updated_at = now() where tenant_id = ${actor.tenantId} and id = ${id}`.execute(
    tx,
  );
  await lockTenantCdp(tx, actor.tenantId);
  await ensureCounters(tx, actor.tenantId, collectEventRules(next.rule).map(counterDef));
  await computeSegment(
    tx,
    actor.tenantId,
    { id, object: cur.object, purpose: next.purpose ?? 'analytics', rule: next.rule },
    new Date(),
    'updated',
  );
  await writeAudit(tx, actor, {
    action: 'update',
    object: 'cdp_segment',
    recordId: id,
    changes: (['name', 'description', 'purpose', 'rule'] as const)
      .filter((f) => canonical(cur[f]) !== canonical(next[f]))
      .map((f) => ({ field: f, from: cur[f] ?? null, to: next[f] ?? null })),
    meta: { name: next.name },
  });
  return getSegment(tx, viewer, id);
}

export async function deleteSegment(tx: Tx, actor: Actor, id: string) {
  const r =
    await sql`delete from cdp_segments where tenant_id = ${actor.tenantId} and id = ${id} returning id`.execute(
      tx,
    );
  if (!r.rows.length) throw notFound('segment');
  await sql`delete from cdp_segment_members where tenant_id = ${actor.tenantId} and segment_id = ${id}`.execute(
    tx,
  );
  await sql`delete from cdp_segment_history where tenant_id = ${actor.tenantId} and segment_id = ${id}`.execute(
    tx,
  );
  await writeAudit(tx, actor, { action: 'delete', object: 'cdp_segment', recordId: id });
}

/** Live count while editing: the SQL evaluator over the subjects in the viewer's scope, nothing stored. */
export async function previewSegment(tx: Tx, viewer: Viewer, input: SegmentInput, locale: Locale = 'zh-CN') {
  const tenantId = viewer.principal.tenantId;
  await checkSegment(tx, viewer, input, locale);
  const object = input.object ?? 'profile';
  const scope = scopeFilterFor(viewer, object);
  const q = segmentSql(
    { object, purpose: input.purpose ?? 'analytics', rule: input.rule },
    tenantId,
    new Date(),
    crmScopeFor(viewer),
  );
  const n = await sql<{
    n: number;
  }>`select count(*)::int as n from (${q}) x where ${scope.where(sql`x.id`)}`.execute(tx);
  // Out of what the segment selects from, as far as the viewer sees it: profiles, or the object's records.
  const src = object === 'profile' ? null : recordSource(object);
  const total = await sql<{ n: number }>`select count(*)::int as n from ${
    src
      ? sql`(select r.id from ${src.table} where ${src.where(tenantId)}) x`
      : sql`(select p.id from cdp_profiles p where p.tenant_id = ${tenantId} and p.merged_into is null) x`
  } where ${scope.where(sql`x.id`)}`.execute(tx);
  return { count: n.rows[0]!.n, total: total.rows[0]!.n };
}

/**
 * Daily entries, exits and sizes are tenant-wide figures: only a viewer who sees every subject
 * of the segment's object gets them.
 */
export async function segmentHistory(tx: Tx, viewer: Viewer, id: string) {
  const tenantId = viewer.principal.tenantId;
  const seg = await segmentRow(tx, tenantId, id);
  if (!scopeFilterFor(viewer, seg.object).all) return { items: [] };
  const r = await sql<any>`select day::text as day, entered, exited, members from cdp_segment_history
    where tenant_id = ${tenantId} and segment_id = ${id} order by day desc limit 90`.execute(tx);
  return { items: r.rows.reverse() };
}

/**
 * A segment's members as the viewer sees them: only subjects in their data scope; profiles with
 * their personal values masked unless `unmasked`, records with the name the record lists show.
 */
export async function segmentMembers(tx: Tx, viewer: Viewer, id: string, limit: number, unmasked: boolean) {
  const tenantId = viewer.principal.tenantId;
  const seg = await segmentRow(tx, tenantId, id);
  const scope = scopeFilterFor(viewer, seg.object);
  if (seg.object !== 'profile') {
    const r = await sql<any>`select m.subject_id, m.entered_at from cdp_segment_members m
      where m.tenant_id = ${tenantId} and m.segment_id = ${id} and ${scope.where(sql`m.subject_id`)}
      order by m.entered_at desc, m.subject_id limit ${limit}`.execute(tx);
    const names = await recordNames(
      tx,
      viewer,
      seg.object,
      r.rows.map((m) => m.subject_id),
    );
    return {
      items: r.rows.map((m) => ({
        id: m.subject_id,
        name: names.get(m.subject_id) ?? null,
        visible: names.has(m.subject_id),
        enteredAt: m.entered_at,
      })),
    };
  }
  const r = await sql<any>`select p.id, p.traits, m.entered_at from cdp_segment_members m
    join cdp_profiles p on p.tenant_id = m.tenant_id and p.id = m.subject_id
    where m.tenant_id = ${tenantId} and m.segment_id = ${id} and ${scope.where(sql`m.subject_id`)}
    order by m.entered_at desc, p.id limit ${limit}`.execute(tx);
  return {
    items: r.rows.map((m) => {
      const { traits } = maskTraits(m.traits, unmasked);
      return {
        id: m.id,
        name: profileName(m.traits, unmasked),
        phone: traits.phone ?? null,
        email: traits.email ?? null,
        enteredAt: m.entered_at,
      };
    }),
  };
}

/** Export (CSV) of a segment's members in the viewer's scope, masked unless they may unmask; audited. */
export async function exportSegment(tx: Tx, viewer: Viewer, id: string, unmasked: boolean) {
  const actor = viewer.actor;
  const seg = await segmentRow(tx, actor.tenantId, id);
  const { items } = await segmentMembers(tx, viewer, id, 100_000, unmasked);
  const esc = (v: unknown) => {
    let s = v === null || v === undefined ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`; // formula injection
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = [
    'id,name,phone,email,entered_at',
    ...items.map((m: any) =>
      [m.id, m.name, m.phone, m.email, new Date(m.enteredAt).toISOString()].map(esc).join(','),
    ),
  ];
  await writeAudit(tx, actor, {
    action: 'export',
    object: 'cdp_segment',
    recordId: id,
    meta: { rows: items.length, masked: !unmasked, name: seg.name },
  });
  return `\uFEFF${lines.join('\n')}\n`;
}

// ------------------------------------------------------------------ identity rules

export async function getIdentityRules(tx: Tx, tenantId: string) {
  const { loadIdentityRules } = await import('./identity.service.ts');
  const m = await loadIdentityRules(tx, tenantId);
  return { items: [...m.values()].sort((a, b) => b.priority - a.priority) };
}

export async function putIdentityRule(
  tx: Tx,
  actor: Actor,
  kind: string,
  r: { maxPerProfile: number; priority: number; blocked: string[] },
) {
  await sql`insert into cdp_identity_rules (tenant_id, kind, max_per_profile, priority, blocked)
    values (${actor.tenantId}, ${kind}, ${r.maxPerProfile}, ${r.priority}, ${r.blocked})
    on conflict (tenant_id, kind) do update set max_per_profile = excluded.max_per_profile, priority = excluded.priority, blocked = excluded.blocked`.execute(
    tx,
  );
  await writeAudit(tx, actor, { action: 'update', object: 'cdp_identity_rule', meta: { kind, ...r } });
}

// ------------------------------------------------------------------ schedule

/** One scheduled `cdp:tick` per tenant and 5-minute slot: partitions, retention, time-based exits. */
export async function scheduleTick(tx: Tx, tenantId: string, from = new Date()) {
  const slot = Math.floor(+from / 300_000) + 1;
  await enqueue(
    tx,
    tenantId,
    'cdp:tick',
    { slot },
    { runAt: new Date(slot * 300_000), dedupeKey: `tick:${slot}` },
  );
}

/** Recomputes a segment; the figures returned are the viewer's (tenant-wide only for tenant scope). */
export async function manualRecompute(tx: Tx, viewer: Viewer, segmentId: string) {
  const tenantId = viewer.principal.tenantId;
  const seg = await segmentRow(tx, tenantId, segmentId);
  await lockTenantCdp(tx, tenantId);
  const r = await computeSegment(
    tx,
    tenantId,
    { id: seg.id, object: seg.object, purpose: seg.purpose, rule: seg.rule },
    new Date(),
    'manual',
  );
  if (scopeFilterFor(viewer, seg.object).all) return r;
  return { entered: null, exited: null, members: (await getSegment(tx, viewer, segmentId)).memberCount };
}

export { segmentMember };

// ------------------------------------------------------------------ records' tags (R2.2)

/**
 * Display names of records as the viewer sees them in record lists: the record engine's scope
 * predicate and field masking. Records outside the viewer's scope (or object) are left out.
 */
export async function recordNames(
  tx: Tx,
  viewer: Viewer,
  object: string,
  ids: string[],
): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  if (!ids.length || !can(viewer.principal, `${object}:read`)) return out;
  const ctx = await recordCtx(tx, viewer.principal, viewer.actor, object);
  const rows = (
    await sql<any>`select r.* from ${sql.table(ctx.obj.table)} as r
      where ${baseWhere(ctx.obj, viewer.principal.tenantId)} and ${scopeWhere(viewer.principal, ctx.obj)}
        and r.id = any(${ids}::uuid[])`.execute(tx)
  ).rows;
  for (const row of rows) {
    const rec = toRecord(ctx.obj, row, ctx.access);
    const name = rec[ctx.obj.nameField];
    out.set(row.id, name === null || name === undefined ? null : String(name));
  }
  return out;
}

/**
 * The tags and segments of one subject: a profile, or a record read through the record engine
 * as the viewer (no read permission on the object, out of scope and unknown all look the same: 404).
 */
export async function subjectTags(tx: Tx, viewer: Viewer, object: string, id: string) {
  const tenantId = viewer.principal.tenantId;
  if (object === 'profile') {
    if (!(await subjectExists(tx, tenantId, 'profile', id))) throw notFound('profile');
  } else {
    if (!can(viewer.principal, `${object}:read`)) throw notFound(object);
    await getRecord(await recordCtx(tx, viewer.principal, viewer.actor, object), id);
  }
  return { object, id, ...(await subjectTagsOf(tx, tenantId, object, id)) };
}

/** A subject's tags (when, by whom, why) and segments: one reader for profiles and records. */
async function subjectTagsOf(tx: Tx, tenantId: string, object: string, id: string) {
  const tags = await sql<any>`select t.id, t.key, t.name, t.kind, t.description, g.name as group_name,
      st.value, st.set_at, st.set_by, u.name as set_by_name, st.reason
    from cdp_subject_tags st join cdp_tags t on t.tenant_id = st.tenant_id and t.id = st.tag_id
    left join cdp_tag_groups g on g.tenant_id = t.tenant_id and g.id = t.group_id
    left join users u on u.tenant_id = st.tenant_id and u.id = st.set_by
    where st.tenant_id = ${tenantId} and st.subject_id = ${id} and t.object = ${object}
    order by st.set_at desc, t.name`.execute(tx);
  const segments = await sql<any>`select s.id, s.name, s.purpose, m.entered_at
    from cdp_segment_members m join cdp_segments s on s.tenant_id = m.tenant_id and s.id = m.segment_id
    where m.tenant_id = ${tenantId} and m.subject_id = ${id} and s.object = ${object} order by s.name`.execute(
    tx,
  );
  return {
    tags: tags.rows.map((t) => ({
      id: t.id as string,
      key: t.key as string,
      name: t.name as string,
      kind: t.kind as string,
      description: t.description as string | null,
      groupName: t.group_name as string | null,
      value: t.value,
      setAt: t.set_at,
      setBy: t.set_by as string | null,
      setByName: t.set_by_name as string | null,
      reason: t.reason,
    })),
    segments: segments.rows.map((s) => ({
      id: s.id as string,
      name: s.name as string,
      purpose: s.purpose as string,
      enteredAt: s.entered_at,
    })),
  };
}
