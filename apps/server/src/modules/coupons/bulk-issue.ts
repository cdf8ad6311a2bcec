import type { BulkIssue } from '@kehu/contracts/coupons';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { AppError } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { enqueue, type JobContext } from '../../core/jobs/queue.ts';
import { couponProblem } from './coupons.messages.ts';
import { issueCoupon } from './issue.service.ts';
import { templateViewer } from './template-access.ts';
import { loadVisibleTemplate } from './templates.service.ts';

export const BULK_QUEUE = 'coupons:bulk-issue';
const CHUNK = 200;
const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);

const toBulk = (r: any): BulkIssue => ({
  id: r.id,
  templateId: r.template_id,
  segmentId: r.segment_id,
  status: r.status,
  total: r.total,
  issued: r.issued,
  skipped: r.skipped,
  createdAt: iso(r.created_at)!,
  finishedAt: iso(r.finished_at),
});

/** Issues a template to every member of a profile segment, as a job whose progress the caller polls. */
export async function startBulkIssue(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  templateId: string,
  segmentId: string,
): Promise<BulkIssue> {
  const v = await templateViewer(tx, p);
  await loadVisibleTemplate(tx, v, templateId);
  const seg = (
    await sql`select 1 from cdp_segments where tenant_id = ${p.tenantId} and id = ${segmentId} and object = 'profile'`.execute(
      tx,
    )
  ).rows[0];
  if (!seg) throw couponProblem('not_found', locale, 'segment_unknown');
  const id = newId();
  await sql`insert into coupon_bulk_issues (tenant_id, id, template_id, segment_id, created_by)
    values (${p.tenantId}, ${id}, ${templateId}, ${segmentId}, ${p.userId})`.execute(tx);
  await enqueue(tx, p.tenantId, BULK_QUEUE, { bulkId: id });
  await writeAudit(tx as any, actor, {
    action: 'create',
    object: 'coupon_bulk_issue',
    recordId: id,
    meta: { templateId, segmentId },
  });
  return getBulkIssue(tx, p, id);
}

export async function getBulkIssue(tx: Tx, p: Principal, id: string): Promise<BulkIssue> {
  const v = await templateViewer(tx, p);
  const r = (
    await sql<any>`select * from coupon_bulk_issues where tenant_id = ${p.tenantId} and id = ${id}`.execute(
      tx,
    )
  ).rows[0];
  if (!r)
    throw new AppError('not_found', 404, { detailKey: 'not_found', params: { what: 'coupon_bulk_issue' } });
  await loadVisibleTemplate(tx, v, r.template_id);
  return toBulk(r);
}

/**
 * Walks the segment's members in id order, a chunk per transaction; each coupon's idempotency
 * key is the bulk id and the profile, so a retried job never issues twice. A profile over its
 * limit, or stock running out, counts as skipped (the rest are still tried: stock may be the
 * only reason, and it is cheap to check).
 */
export async function bulkIssueJob(payload: { bulkId: string }, job: JobContext): Promise<void> {
  const b = await job.tx(
    async (tx) =>
      (
        await sql<any>`select * from coupon_bulk_issues where tenant_id = ${job.tenantId} and id = ${payload.bulkId}`.execute(
          tx,
        )
      ).rows[0],
  );
  if (!b || b.status === 'done') return;
  await job.tx(async (tx) => {
    await sql`update coupon_bulk_issues set status = 'running', total = (select count(*)::int from cdp_segment_members
        where tenant_id = ${job.tenantId} and segment_id = ${b.segment_id})
      where tenant_id = ${job.tenantId} and id = ${b.id}`.execute(tx);
  });
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const done = await job.tx(async (tx) => {
      const members = (
        await sql<{ subject_id: string }>`select subject_id from cdp_segment_members
          where tenant_id = ${job.tenantId} and segment_id = ${b.segment_id} and subject_id > ${after}
          order by subject_id limit ${CHUNK}`.execute(tx)
      ).rows;
      let issued = 0;
      let skipped = 0;
      for (const m of members) {
        const key = `bulk:${b.id}:${m.subject_id}`;
        const fresh = (
          await sql`select 1 from coupons where tenant_id = ${job.tenantId} and idempotency_key = ${key}`.execute(
            tx,
          )
        ).rows.length;
        if (fresh) continue;
        try {
          await issueCoupon(tx, job.tenantId, {
            templateId: b.template_id,
            profileId: m.subject_id,
            idempotencyKey: key,
            source: { kind: 'bulk', id: b.id },
          });
          issued++;
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          skipped++;
        }
      }
      await sql`update coupon_bulk_issues set issued = issued + ${issued}, skipped = skipped + ${skipped}
        where tenant_id = ${job.tenantId} and id = ${b.id}`.execute(tx);
      if (members.length) after = members[members.length - 1]!.subject_id;
      return members.length < CHUNK;
    });
    if (done) break;
    await job.heartbeat();
  }
  await job.tx(async (tx) => {
    await sql`update coupon_bulk_issues set status = 'done', finished_at = now()
      where tenant_id = ${job.tenantId} and id = ${b.id}`.execute(tx);
  });
}
