import { CDP_PERMISSIONS } from '@kehu/contracts/cdp';
import type { RecommendQuery, Script } from '@kehu/contracts/scripts';
import { sql } from 'kysely';
import type { Actor } from '../../core/audit/audit.ts';
import { can, type Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { getRecord, listRecords, recordCtx } from '../../engine/records/record.service.ts';
import { scriptViewer, visibleWhere } from './script-access.ts';
import { scriptColumns, toScript } from './scripts.service.ts';

/** Stage keys that end a deal: a won or lost opportunity has nothing left to say. */
async function closedStages(tx: Tx, tenantId: string): Promise<Set<string>> {
  const rows = (
    await sql<{ stages: { key: string; kind?: string }[] }>`select stages from pipelines
      where tenant_id = ${tenantId} and deleted_at is null`.execute(tx)
  ).rows;
  const keys = new Set(['won', 'lost']);
  for (const r of rows) for (const s of r.stages) if (s.kind === 'won' || s.kind === 'lost') keys.add(s.key);
  return keys;
}

/** What the caller may know about the customer: open stages and profile tag keys. */
async function context(tx: Tx, p: Principal, actor: Actor, q: RecommendQuery) {
  const stages = new Set<string>();
  let customerId = q.customerId ?? null;
  const closed = await closedStages(tx, p.tenantId);
  if (q.opportunityId) {
    // Through the record engine: an opportunity outside the caller's scope is a 404.
    const opp = await getRecord(await recordCtx(tx, p, actor, 'opportunity'), q.opportunityId);
    if (typeof opp.stage === 'string') stages.add(opp.stage);
    customerId ??= typeof opp.customerId === 'string' ? opp.customerId : null;
  }
  if (q.customerId) {
    await getRecord(await recordCtx(tx, p, actor, 'customer'), q.customerId);
    if (!q.opportunityId && can(p, 'opportunity:read')) {
      const opps = await listRecords(await recordCtx(tx, p, actor, 'opportunity'), {
        filter: { field: 'customerId', op: 'eq', value: q.customerId },
        limit: 50,
      });
      for (const o of opps.items)
        if (typeof o.stage === 'string' && !closed.has(o.stage)) stages.add(o.stage);
    }
  }
  // Profiles are the CDP's: their tags are read only by those who may read the CDP.
  const tags = new Set<string>();
  if (can(p, CDP_PERMISSIONS.read)) {
    let profileId = q.profileId ?? null;
    if (profileId) {
      const found =
        await sql`select 1 from cdp_profiles where tenant_id = ${p.tenantId} and id = ${profileId}`.execute(
          tx,
        );
      if (found.rows.length === 0) throw notFound('profile');
    } else if (customerId) {
      profileId =
        (
          await sql<{ profile_id: string }>`select profile_id from cdp_profile_links
            where tenant_id = ${p.tenantId} and object = 'customer' and record_id = ${customerId}`.execute(tx)
        ).rows[0]?.profile_id ?? null;
    }
    if (profileId) {
      const rows = (
        await sql<{ key: string }>`select t.key from cdp_subject_tags st
          join cdp_tags t on t.tenant_id = st.tenant_id and t.id = st.tag_id
          where st.tenant_id = ${p.tenantId} and st.subject_id = ${profileId} and t.object = 'profile'`.execute(
          tx,
        )
      ).rows;
      for (const r of rows) tags.add(r.key);
    }
  } else if (q.profileId) {
    throw notFound('profile');
  }
  return { stages: [...stages], tags: [...tags] };
}

/**
 * R5.4: scripts for this customer now — those written for their open opportunity's stage and
 * for their tags first, then the most used. Only what the caller sees, and only what the caller
 * may know about the customer, goes into the choice.
 */
export async function recommendScripts(
  tx: Tx,
  p: Principal,
  actor: Actor,
  q: RecommendQuery,
): Promise<{ items: Script[] }> {
  const v = await scriptViewer(tx, p);
  const { stages, tags } = await context(tx, p, actor, q);
  const limit = q.limit ?? 10;
  const rows = (
    await sql<any>`select ${scriptColumns(p.userId)},
        (case when s.stages && ${stages}::text[] then 2 else 0 end
          + cardinality(array(select unnest(s.tags) intersect select unnest(${tags}::text[])))) as score,
        array(select 'stage:' || x from unnest(s.stages) x where x = any(${stages}::text[])
          union all select 'tag:' || x from unnest(s.tags) x where x = any(${tags}::text[])) as reasons
      from scripts s
      where s.tenant_id = ${p.tenantId} and s.enabled and ${visibleWhere(v)}
      order by score desc, s.use_count desc, s.updated_at desc, s.id
      limit ${limit}`.execute(tx)
  ).rows;
  return {
    items: rows.map((r) => ({
      ...toScript(v, r),
      reasons: r.reasons.length > 0 ? r.reasons : ['popular'],
    })),
  };
}
