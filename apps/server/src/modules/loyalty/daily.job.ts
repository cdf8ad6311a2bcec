import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { AppError } from '../../core/errors.ts';
import { enqueue, type JobContext } from '../../core/jobs/queue.ts';
import { issueCoupon } from '../coupons/index.ts';
import { lt } from './loyalty.messages.ts';
import { earnPoints, expireDue, lockMember } from './points.service.ts';
import { reviewTier } from './tiers.service.ts';

export const DAILY_QUEUE = 'loyalty:daily';
const DAY = 86_400_000;
// 02:00 in China (UTC+8, no daylight saving) is 18:00 UTC the day before.
const RUN_HOUR_UTC = 18;

/** The next daily run of the tenant (deduplicated per day, so every program creation may call it). */
export async function scheduleDaily(tx: Tx, tenantId: string, after = new Date()) {
  const at = new Date(
    Date.UTC(after.getUTCFullYear(), after.getUTCMonth(), after.getUTCDate(), RUN_HOUR_UTC),
  );
  if (+at <= +after) at.setTime(+at + DAY);
  await enqueue(
    tx,
    tenantId,
    DAILY_QUEUE,
    {},
    { runAt: at, dedupeKey: `daily:${at.toISOString().slice(0, 10)}` },
  );
}

const BATCH = 200;

/**
 * Expiry, tier reviews and birthday gifts, one member per transaction. Durable and idempotent:
 * each step is keyed by a condition (a lot still open and due, a review date passed, a gift
 * year not yet recorded), so a run killed half-way and retried finishes the rest and repeats
 * nothing.
 */
export async function dailyJob(_payload: unknown, job: JobContext): Promise<void> {
  await expireAll(job);
  await reviewAll(job);
  await birthdays(job);
  await job.tx((tx) => scheduleDaily(tx, job.tenantId, new Date(Date.now() + 60_000)));
}

type Runner = Pick<JobContext, 'tx' | 'tenantId'> & { heartbeat?: () => Promise<void> };

export async function expireAll(job: Runner): Promise<number> {
  let n = 0;
  for (;;) {
    const ids = await job.tx(async (tx) =>
      (
        await sql<{ member_id: string }>`select distinct member_id from loyalty_lots
          where tenant_id = ${job.tenantId} and remaining > 0 and expires_at <= now() limit ${BATCH}`.execute(
          tx,
        )
      ).rows.map((r) => r.member_id),
    );
    for (const id of ids)
      await job.tx(async (tx) => {
        const m = await lockMember(tx, job.tenantId, id);
        if (await expireDue(tx, job.tenantId, m)) n++;
      });
    if (ids.length < BATCH) return n;
    await job.heartbeat?.();
  }
}

export async function reviewAll(job: Runner): Promise<number> {
  let n = 0;
  for (;;) {
    const ids = await job.tx(async (tx) =>
      (
        await sql<{ id: string }>`select id from loyalty_members
          where tenant_id = ${job.tenantId} and tier_review_at <= now() order by tier_review_at limit ${BATCH}`.execute(
          tx,
        )
      ).rows.map((r) => r.id),
    );
    for (const id of ids)
      await job.tx(async (tx) => {
        await lockMember(tx, job.tenantId, id);
        const due = (
          await sql`select 1 from loyalty_members where tenant_id = ${job.tenantId} and id = ${id}
            and tier_review_at <= now()`.execute(tx)
        ).rows.length;
        if (due) {
          await reviewTier(tx, job.tenantId, id);
          n++;
        }
      });
    if (ids.length < BATCH) return n;
    await job.heartbeat?.();
  }
}

/** Month-day in China of a `birthday` trait written as YYYY-MM-DD or MM-DD. */
export async function birthdays(job: Runner, now = new Date()): Promise<number> {
  const china = new Date(+now + 8 * 3_600_000);
  const year = china.getUTCFullYear();
  const md = `${String(china.getUTCMonth() + 1).padStart(2, '0')}-${String(china.getUTCDate()).padStart(2, '0')}`;
  const due = await job.tx(
    async (tx) =>
      (
        await sql<{
          id: string;
          profile_id: string;
          birthday_points: number | null;
          birthday_coupon_template_id: string | null;
        }>`select m.id, m.profile_id, t.birthday_points, t.birthday_coupon_template_id
          from loyalty_members m
          join loyalty_tiers t on t.tenant_id = m.tenant_id and t.id = m.tier_id
          join cdp_profiles p on p.tenant_id = m.tenant_id and p.id = m.profile_id
          where m.tenant_id = ${job.tenantId} and (t.birthday_points is not null or t.birthday_coupon_template_id is not null)
            and right(p.traits->>'birthday', 5) = ${md}
            and (m.birthday_gift_year is null or m.birthday_gift_year < ${year})`.execute(tx)
      ).rows,
  );
  let n = 0;
  for (const m of due)
    await job.tx(async (tx) => {
      await lockMember(tx, job.tenantId, m.id);
      const claimed = await sql`update loyalty_members set birthday_gift_year = ${year}
        where tenant_id = ${job.tenantId} and id = ${m.id}
          and (birthday_gift_year is null or birthday_gift_year < ${year}) returning id`.execute(tx);
      if (!claimed.rows.length) return;
      if (m.birthday_points)
        await earnPoints(
          tx,
          job.tenantId,
          {
            memberId: m.id,
            points: m.birthday_points,
            reason: lt('zh-CN', 'reason_birthday', { year }),
            idempotencyKey: `loyalty:birthday:${m.id}:${year}`,
          },
          { qualifying: 0 },
        );
      if (m.birthday_coupon_template_id)
        try {
          await issueCoupon(tx, job.tenantId, {
            templateId: m.birthday_coupon_template_id,
            profileId: m.profile_id,
            idempotencyKey: `loyalty:birthday:${m.id}:${year}`,
            source: { kind: 'loyalty', id: m.id },
          });
        } catch (e) {
          // Out of stock or paused: the points (if any) still go out; issueCoupon writes nothing before it refuses.
          if (!(e instanceof AppError)) throw e;
        }
      n++;
    });
  return n;
}
