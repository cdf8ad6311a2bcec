import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import { can } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { conflict, invalid, notFound } from '../../core/errors.ts';
import { emitEvent } from '../../core/events/outbox.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { canonical } from './canonical.ts';
import { cdpFieldError, cdpProblem, ct } from './cdp.messages.ts';
import { ensureCounters } from './counters.ts';
import { computeTag, evaluateProfiles, loadStates, type TagDef } from './evaluation.service.ts';
import { profileName } from './masking.ts';
import { validatePredictionConfig } from './prediction.service.ts';
import { lockTenantCdp } from './process.job.ts';
import { assertRuleVisibleTo, crmScopeFor, type RuleAt, scopeFilterFor } from './rule-access.ts';
import { collectEventRules, collectTags, counterDef, type EventRule, type Rule, ruleQuery } from './rules.ts';
import { subjectExists } from './subject-tags.service.ts';
import { startBackfill } from './tag-backfill.service.ts';
import type { Viewer } from './viewer.ts';

/** The tag catalogue (R2.1, R2.4): tags, their rules and lineage, preview, manual tagging. */

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
  await sql`delete from cdp_tag_history where tenant_id = ${actor.tenantId} and tag_id = ${id}`.execute(tx);
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

/**
 * Coverage over time: the daily snapshots the tick writes (snapshotTagCoverage), today's figure
 * live. Tenant-wide figures, so (like a segment's history) only a viewer who sees every subject
 * of the tag's object gets them.
 */
export async function tagHistory(tx: Tx, viewer: Viewer, id: string) {
  const tenantId = viewer.principal.tenantId;
  const t = (
    await sql<{
      object: string;
    }>`select object from cdp_tags where tenant_id = ${tenantId} and id = ${id}`.execute(tx)
  ).rows[0];
  if (!t) throw notFound('tag');
  if (!scopeFilterFor(viewer, t.object).all) return { items: [] };
  const r = await sql<{ day: string; members: number }>`select day::text as day, members from cdp_tag_history
    where tenant_id = ${tenantId} and tag_id = ${id} and day < current_date order by day desc limit 89`.execute(
    tx,
  );
  const today = await sql<{ day: string; members: number }>`select current_date::text as day,
      (select count(*)::int from cdp_subject_tags where tenant_id = ${tenantId} and tag_id = ${id}) as members`.execute(
    tx,
  );
  return { items: [...r.rows.reverse(), today.rows[0]!] };
}

/**
 * Today's coverage of every tag of the tenant, as a history row (the day's last snapshot wins):
 * one grouped count over the tag assignments, run by the tick.
 */
export async function snapshotTagCoverage(tx: Tx, tenantId: string) {
  await sql`insert into cdp_tag_history (tenant_id, tag_id, day, members)
    select t.tenant_id, t.id, current_date, coalesce(c.n, 0) from cdp_tags t
    left join (select tag_id, count(*)::int as n from cdp_subject_tags where tenant_id = ${tenantId} group by tag_id) c on c.tag_id = t.id
    where t.tenant_id = ${tenantId}
    on conflict (tenant_id, tag_id, day) do update set members = excluded.members`.execute(tx);
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
  // Connectors mirroring manual tags elsewhere (WeCom corp tags) follow this after commit.
  await emitEvent(tx, actor.tenantId, {
    type: on ? 'cdp_tag.applied' : 'cdp_tag.removed',
    object: 'cdp_tag',
    recordId: tagId,
    payload: { tagId, subjectId, object: t.object },
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
