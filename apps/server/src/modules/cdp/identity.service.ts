import { sql } from 'kysely';
import type { Actor } from '../../core/audit/audit.ts';
import { writeAudit } from '../../core/audit/audit.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { conflict, notFound } from '../../core/errors.ts';
import { emitEvents } from '../../core/events/outbox.ts';
import { newId } from '../../core/ids.ts';
import { recomputeCounters } from './counters.ts';
import {
  type Identity,
  type IdentityRule,
  identityKey,
  type KindCounts,
  orderIdentities,
  planResolution,
  type ResolutionStore,
  rulesMap,
} from './identity.ts';

export async function loadIdentityRules(tx: Tx, tenantId: string): Promise<Map<string, IdentityRule>> {
  const rows = (
    await sql<{ kind: string; max_per_profile: number; priority: number; blocked: string[] }>`
      select kind, max_per_profile, priority, blocked from cdp_identity_rules where tenant_id = ${tenantId}`.execute(
      tx,
    )
  ).rows;
  return rulesMap(
    rows.map((r) => ({
      kind: r.kind,
      maxPerProfile: r.max_per_profile,
      priority: r.priority,
      blocked: r.blocked,
    })),
  );
}

export interface Resolution {
  profileId: string | null;
  /** Profiles merged away by this message (they are no longer live). */
  mergedAway: string[];
  created: string[];
}

function dbStore(tx: Tx, tenantId: string): ResolutionStore {
  return {
    async owners(list) {
      const r = await sql<{ kind: string; namespace: string; value: string; profile_id: string }>`
        select i.kind, i.namespace, i.value, i.profile_id from cdp_identities i
        join unnest(${list.map((x) => x.kind)}::text[], ${list.map((x) => x.namespace)}::text[], ${list.map((x) => x.value)}::text[]) as q(kind, namespace, value)
          on i.kind = q.kind and i.namespace = q.namespace and i.value = q.value
        where i.tenant_id = ${tenantId}`.execute(tx);
      return new Map(r.rows.map((x) => [identityKey(x), x.profile_id]));
    },
    async counts(ps) {
      const r = await sql<{
        profile_id: string;
        kind: string;
        n: number;
      }>`select profile_id, kind, count(*)::int as n from cdp_identities
        where tenant_id = ${tenantId} and profile_id = any(${ps}::uuid[]) group by profile_id, kind`.execute(
        tx,
      );
      const out = new Map<string, KindCounts>(ps.map((p) => [p, new Map()]));
      for (const x of r.rows) out.get(x.profile_id)!.set(x.kind, x.n);
      return out;
    },
    async splitForbidden(target, others) {
      const r = await sql<{
        other: string;
      }>`select case when target_id = ${target} then source_id else target_id end as other
        from cdp_merges where tenant_id = ${tenantId} and split_at is not null
          and ((target_id = ${target} and source_id = any(${others}::uuid[])) or (source_id = ${target} and target_id = any(${others}::uuid[])))`.execute(
        tx,
      );
      return new Set(r.rows.map((x) => x.other));
    },
  };
}

async function createProfile(tx: Tx, tenantId: string, at: Date): Promise<string> {
  const id = newId();
  await sql`insert into cdp_profiles (tenant_id, id, canonical_id, first_seen_at, last_seen_at)
    values (${tenantId}, ${id}, ${id}, ${at}, ${at})`.execute(tx);
  return id;
}

async function attach(tx: Tx, tenantId: string, profileId: string, ids: Identity[], source: string | null) {
  if (!ids.length) return;
  await sql`insert into cdp_identities (tenant_id, id, kind, namespace, value, profile_id, origin_profile_id, source)
    values ${sql.join(ids.map((i) => sql`(${tenantId}, ${newId()}, ${i.kind}, ${i.namespace}, ${i.value}, ${profileId}, ${profileId}, ${source})`))}
    on conflict do nothing`.execute(tx);
}

/**
 * Resolves one message's identities to a profile, merging and attaching per the One ID rules
 * (identity.ts). Runs under the tenant's CDP processing lock, so resolutions never interleave.
 */
export async function resolveIdentities(
  tx: Tx,
  tenantId: string,
  rules: Map<string, IdentityRule>,
  ids: Identity[],
  evidence: { reason: string; messageId?: string; source?: string | null; at?: Date; actor?: Actor },
): Promise<Resolution> {
  const ordered = orderIdentities(rules, ids);
  const res: Resolution = { profileId: null, mergedAway: [], created: [] };
  if (!ordered.length) return res;
  const plan = await planResolution(rules, dbStore(tx, tenantId), ordered);
  const at = evidence.at ?? new Date();
  let target = plan.target;
  if (!target) {
    target = await createProfile(tx, tenantId, at);
    res.created.push(target);
  }
  for (const m of plan.merges) {
    await mergeProfiles(tx, tenantId, target, m.source, evidence.reason, {
      identity: m.evidence,
      messageId: evidence.messageId ?? null,
      message: ordered,
    });
    res.mergedAway.push(m.source);
  }
  await attach(tx, tenantId, target, plan.attach, evidence.source ?? null);
  if (plan.overflow.length) {
    const q = await createProfile(tx, tenantId, at);
    res.created.push(q);
    await attach(tx, tenantId, q, plan.overflow, evidence.source ?? null);
  }
  res.profileId = target;
  return res;
}

export async function ownerOf(tx: Tx, tenantId: string, i: Identity): Promise<string | null> {
  return (await dbStore(tx, tenantId).owners([i])).get(identityKey(i)) ?? null;
}

/** Moves everything of `source` into `target` and records the merge with its evidence. */
export async function mergeProfiles(
  tx: Tx,
  tenantId: string,
  target: string,
  source: string,
  reason: string,
  evidence: { identity: Identity; messageId: string | null; message?: Identity[] },
): Promise<string> {
  const mergeId = newId();
  const ev = JSON.stringify({
    identity: evidence.identity,
    messageId: evidence.messageId,
    message: evidence.message ?? [],
  });
  // One statement (data-modifying CTEs see one snapshot and touch disjoint rows): identities,
  // CRM links, the merge record with its evidence, traits (the target's own win), the merged-away
  // subtree's canonical id, counters, tags, consents (a withdrawal on either side wins: PIPL
  // consent must hold for both persons' data) and the source's segment memberships.
  const left = await sql<{ segment_id: string }>`with
    src as (select traits, first_seen_at, last_seen_at from cdp_profiles where tenant_id = ${tenantId} and id = ${source}),
    tgt as (select traits from cdp_profiles where tenant_id = ${tenantId} and id = ${target}),
    moved as (update cdp_identities set profile_id = ${target} where tenant_id = ${tenantId} and profile_id = ${source} returning id),
    links as (update cdp_profile_links set profile_id = ${target} where tenant_id = ${tenantId} and profile_id = ${source} returning object, record_id),
    m as (insert into cdp_merges (tenant_id, id, target_id, source_id, reason, evidence, moved_identities, source_traits, target_traits)
      select ${tenantId}, ${mergeId}, ${target}, ${source}, ${reason},
        ${ev}::jsonb || jsonb_build_object('links', coalesce((select jsonb_agg(jsonb_build_object('object', object, 'record_id', record_id)) from links), '[]'::jsonb)),
        coalesce((select array_agg(id) from moved), '{}'::uuid[]), coalesce((select traits from src), '{}'::jsonb), coalesce((select traits from tgt), '{}'::jsonb)),
    up as (update cdp_profiles t set traits = s.traits || t.traits, first_seen_at = least(t.first_seen_at, s.first_seen_at),
        last_seen_at = greatest(t.last_seen_at, s.last_seen_at), updated_at = now()
      from src s where t.tenant_id = ${tenantId} and t.id = ${target}),
    can as (update cdp_profiles set merged_into = case when id = ${source} then ${target}::uuid else merged_into end,
        canonical_id = ${target}, updated_at = now()
      where tenant_id = ${tenantId} and canonical_id = ${source}),
    c_in as (insert into cdp_counters (tenant_id, profile_id, counter, day, n, total)
      select tenant_id, ${target}, counter, day, n, total from cdp_counters where tenant_id = ${tenantId} and profile_id = ${source}
      on conflict (tenant_id, profile_id, counter, day) do update set n = cdp_counters.n + excluded.n, total = cdp_counters.total + excluded.total),
    c_out as (delete from cdp_counters where tenant_id = ${tenantId} and profile_id = ${source}),
    t_in as (insert into cdp_subject_tags (tenant_id, tag_id, subject_id, value, set_at, set_by, reason)
      select tenant_id, tag_id, ${target}, value, set_at, set_by, reason from cdp_subject_tags where tenant_id = ${tenantId} and subject_id = ${source}
      on conflict do nothing),
    t_out as (delete from cdp_subject_tags where tenant_id = ${tenantId} and subject_id = ${source}),
    k_in as (insert into cdp_consents (tenant_id, profile_id, purpose, granted, source, at)
      select tenant_id, ${target}, purpose, granted, source, at from cdp_consents where tenant_id = ${tenantId} and profile_id = ${source}
      on conflict (tenant_id, profile_id, purpose) do update set granted = cdp_consents.granted and excluded.granted),
    k_out as (delete from cdp_consents where tenant_id = ${tenantId} and profile_id = ${source})
    delete from cdp_segment_members where tenant_id = ${tenantId} and subject_id = ${source} returning segment_id`.execute(
    tx,
  );
  await emitEvents(tx, tenantId, [
    {
      type: 'profile.merged',
      object: 'profile',
      recordId: target,
      payload: { mergeId, target, source, reason },
    },
    ...left.rows.map((r) => ({
      type: 'segment.exited',
      object: 'segment',
      recordId: r.segment_id,
      payload: { segmentId: r.segment_id, profileId: source, reason: 'merged', into: target },
    })),
  ]);
  return mergeId;
}

/** Undoes a merge: the source profile gets back its identities, links and traits. */
export async function splitMerge(
  tx: Tx,
  actor: Actor,
  mergeId: string,
): Promise<{ target: string; source: string }> {
  const tenantId = actor.tenantId;
  const m = (
    await sql<{
      target_id: string;
      source_id: string;
      moved_identities: string[];
      source_traits: Record<string, unknown>;
      evidence: { links?: { object: string; record_id: string }[] };
      split_at: Date | null;
    }>`select target_id, source_id, moved_identities, source_traits, evidence, split_at from cdp_merges
      where tenant_id = ${tenantId} and id = ${mergeId} for update`.execute(tx)
  ).rows[0];
  if (!m) throw notFound('merge');
  if (m.split_at) throw conflict('cdp.merge_already_split');
  const src = (
    await sql<{
      merged_into: string | null;
      canonical_id: string;
    }>`select merged_into, canonical_id from cdp_profiles
      where tenant_id = ${tenantId} and id = ${m.source_id}`.execute(tx)
  ).rows[0];
  if (!src || src.merged_into !== m.target_id) throw conflict('cdp.merge_superseded');
  const root = src.canonical_id;
  await sql`update cdp_identities set profile_id = ${m.source_id}
    where tenant_id = ${tenantId} and id = any(${m.moved_identities}::uuid[])`.execute(tx);
  for (const l of m.evidence.links ?? [])
    await sql`update cdp_profile_links set profile_id = ${m.source_id}
      where tenant_id = ${tenantId} and object = ${l.object} and record_id = ${l.record_id}`.execute(tx);
  // The source and every profile merged into it before come back under the source.
  await sql`with recursive tree(id) as (
      select ${m.source_id}::uuid
      union all select p.id from cdp_profiles p join tree on p.merged_into = tree.id where p.tenant_id = ${tenantId})
    update cdp_profiles set canonical_id = ${m.source_id},
      merged_into = case when id = ${m.source_id} then null else merged_into end,
      traits = case when id = ${m.source_id} then ${JSON.stringify(m.source_traits)}::jsonb else traits end, updated_at = now()
    where tenant_id = ${tenantId} and id in (select id from tree)`.execute(tx);
  await sql`update cdp_merges set split_at = now(), split_by = ${actor.actorId} where tenant_id = ${tenantId} and id = ${mergeId}`.execute(
    tx,
  );
  await recomputeCounters(tx, tenantId, [root, m.source_id]);
  await writeAudit(tx, actor, {
    action: 'cdp.split',
    object: 'profile',
    recordId: m.source_id,
    meta: { mergeId, target: m.target_id, source: m.source_id },
  });
  await emitEvents(tx, tenantId, [
    {
      type: 'profile.split',
      object: 'profile',
      recordId: m.source_id,
      payload: { mergeId, target: root, source: m.source_id },
    },
  ]);
  return { target: root, source: m.source_id };
}

export const identityKeyOf = identityKey;
