import { sql } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import type { DomainEvent } from '../../core/events/outbox.ts';
import { isUuid } from '../../core/ids.ts';
import type { Subscriber } from '../../engine/module.ts';
import {
  applyMembership,
  loadSegmentDefs,
  loadTagDefs,
  lockObjectTags,
  recordRuleQuery,
} from './evaluation.service.ts';

/**
 * Tags and segments over records of other objects (R2.2: a vehicle, a store …) follow record
 * writes: after commit, one job per dispatched batch of record events re-evaluates just the
 * records those events name, with the same SQL rules the tick uses over every record.
 *
 * Deliberately outside the write transaction: evaluating there serialised a tenant's writes
 * and made imports crawl. Here a batch of up to 200 events costs one job, and a tenant with no
 * object tags pays one cheap lookup per batch. The tick stays as the safety net.
 */
const RECORD_EVENTS = ['*.created', '*.bulk_created', '*.updated', '*.deleted', '*.restored'];
const CHUNK = 1000;

export const objectTagsSubscriber: Subscriber = {
  name: 'cdp-object-tags',
  patterns: RECORD_EVENTS,
  handleBatch: async (events, job) => {
    const byObject = recordIdsByObject(events);
    if (!byObject.size) return;
    await evaluateObjectEvents(job.db, events[0]!.tenantId, byObject);
  },
};

/** object → ids of records the events created, changed, deleted or restored. */
export function recordIdsByObject(events: DomainEvent[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const e of events) {
    const object = e.object ?? e.type.slice(0, e.type.lastIndexOf('.'));
    if (!object || object === 'profile' || object.startsWith('cdp_') || object === 'segment') continue;
    const p = e.payload as { id?: unknown; ids?: unknown };
    const ids = Array.isArray(p.ids) ? p.ids : [p.id ?? e.recordId];
    let set = out.get(object);
    for (const id of ids) {
      if (!isUuid(id)) continue;
      if (!set) {
        set = new Set();
        out.set(object, set);
      }
      set.add(id);
    }
  }
  return out;
}

async function evaluateObjectEvents(db: Db, tenantId: string, byObject: Map<string, Set<string>>) {
  const objects = await inTenant(db, tenantId, async (tx) =>
    objectsWithRules(tx, tenantId, [...byObject.keys()]),
  );
  for (const object of objects) {
    const ids = [...byObject.get(object)!];
    for (let i = 0; i < ids.length; i += CHUNK)
      await inTenant(db, tenantId, (tx) =>
        evaluateRecords(tx, tenantId, object, ids.slice(i, i + CHUNK), new Date(), 'record'),
      );
  }
}

/** The given objects that have rule-based tags or segments. */
async function objectsWithRules(tx: Tx, tenantId: string, objects: string[]): Promise<string[]> {
  return (
    await sql<{
      object: string;
    }>`select object from cdp_tags where tenant_id = ${tenantId} and object = any(${objects})
        and status = 'active' and kind <> 'manual'
      union select object from cdp_segments where tenant_id = ${tenantId} and object = any(${objects})`.execute(
      tx,
    )
  ).rows.map((r) => r.object);
}

/**
 * Re-evaluates the object's rule tags, then its segments (which may use those tags), on the
 * given records, or on every record when `ids` is null. Sets and unsets tags (reason
 * `rule:<kind>`) and writes membership with `segment.entered` / `segment.exited` events.
 */
export async function evaluateRecords(
  tx: Tx,
  tenantId: string,
  object: string,
  ids: string[] | null,
  now: Date,
  cause: string,
) {
  await lockObjectTags(tx, tenantId);
  const result = { set: 0, unset: 0, entered: 0, exited: 0 };
  const only = (column: ReturnType<typeof sql.ref>) =>
    ids ? sql`and ${column} = any(${ids}::uuid[])` : sql``;
  for (const tag of await loadTagDefs(tx, tenantId, object)) {
    if (tag.kind === 'manual' || !tag.rule) continue;
    const q = recordRuleQuery(object, tag.rule, tenantId, now);
    const r = await sql<{
      k: string;
    }>`with target as materialized (select id from (${q}) x where true ${only(sql.ref('x.id'))}),
        ins as (insert into cdp_subject_tags (tenant_id, tag_id, subject_id, value, reason)
          select ${tenantId}, ${tag.id}, id, 'true'::jsonb, ${`rule:${tag.kind}`} from target on conflict do nothing returning 1),
        del as (delete from cdp_subject_tags st where st.tenant_id = ${tenantId} and st.tag_id = ${tag.id} ${only(sql.ref('st.subject_id'))}
          and st.subject_id not in (select id from target) returning 1)
      select 'set' as k from ins union all select 'unset' from del`.execute(tx);
    for (const x of r.rows) result[x.k as 'set' | 'unset']++;
  }
  for (const seg of await loadSegmentDefs(tx, tenantId, object)) {
    const q = recordRuleQuery(object, seg.rule, tenantId, now);
    const r = await sql<{
      k: string;
      subject_id: string;
    }>`with target as materialized (select id from (${q}) x where true ${only(sql.ref('x.id'))}),
        cur as (select subject_id from cdp_segment_members m where m.tenant_id = ${tenantId} and m.segment_id = ${seg.id} ${only(sql.ref('m.subject_id'))})
      select 'in' as k, id as subject_id from target where id not in (select subject_id from cur)
      union all select 'out', subject_id from cur where subject_id not in (select id from target)`.execute(
      tx,
    );
    const enter = r.rows.filter((x) => x.k === 'in').map((x) => ({ seg: seg.id, subject: x.subject_id }));
    const exit = r.rows.filter((x) => x.k === 'out').map((x) => ({ seg: seg.id, subject: x.subject_id }));
    await applyMembership(tx, tenantId, enter, exit, now, cause);
    // The full pass also heals the running member count.
    if (!ids)
      await sql`update cdp_segments set computed_at = now(), member_count = (select count(*) from cdp_segment_members m
          where m.tenant_id = ${tenantId} and m.segment_id = ${seg.id}) where tenant_id = ${tenantId} and id = ${seg.id}`.execute(
        tx,
      );
    result.entered += enter.length;
    result.exited += exit.length;
  }
  return result;
}
