import { sql } from 'kysely';
import { emitEvents } from '../../core/events/outbox.ts';
import type { JobContext } from '../../core/jobs/queue.ts';

const BATCH = 1000;

/**
 * Marks the tenant's coupons whose validity has ended (enqueued per hour slot by each issue),
 * in batches, and tells journeys (`coupon.expired`). Idempotent: a marked coupon is skipped.
 */
export async function expireJob(_payload: { slot: number }, job: JobContext): Promise<void> {
  for (;;) {
    const n = await job.tx(async (tx) => {
      const rows = (
        await sql<{
          id: string;
          template_id: string;
          profile_id: string;
        }>`update coupons set expired_at = now()
          where tenant_id = ${job.tenantId} and id in (
            select id from coupons where tenant_id = ${job.tenantId} and expires_at <= now()
              and redeemed_at is null and voided_at is null and expired_at is null
            limit ${BATCH} for update skip locked)
          returning id, template_id, profile_id`.execute(tx)
      ).rows;
      await emitEvents(
        tx,
        job.tenantId,
        rows.map((r) => ({
          type: 'coupon.expired',
          object: 'coupon',
          recordId: r.id,
          payload: { couponId: r.id, templateId: r.template_id, profileId: r.profile_id },
        })),
      );
      return rows.length;
    });
    if (n < BATCH) return;
    await job.heartbeat();
  }
}
