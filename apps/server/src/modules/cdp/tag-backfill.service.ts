import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { enqueue } from '../../core/jobs/queue.ts';
import { computeSegment, evaluateProfiles, type SegmentDef } from './evaluation.service.ts';
import { evaluateRecords } from './object-tags.ts';
import { predictTag } from './prediction.service.ts';
import { lockTenantCdp } from './process.job.ts';
import { recordSource } from './record-source.ts';
import { collectTags } from './rules.ts';

/** A tag's backfill job: (re)computes it over every subject with progress, then the segments using it. */

export async function startBackfill(tx: Tx, tenantId: string, tagId: string) {
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

export async function backfillTag(
  db: import('../../core/db/database.ts').Db,
  tenantId: string,
  tagId: string,
  heartbeat: () => Promise<void>,
) {
  const { inTenant } = await import('../../core/db/tenant-scope.ts');
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
