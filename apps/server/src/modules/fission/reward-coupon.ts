import { sql } from 'kysely';
import type { Database } from '../../core/db/database.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { AppError } from '../../core/errors.ts';
import { enqueue, type JobContext } from '../../core/jobs/queue.ts';
import { profileOfIdentity } from '../cdp/index.ts';
import { issueCoupon } from '../coupons/index.ts';
import { notify } from '../notifications/index.ts';
import type { RewardIssuer } from './reward.ts';

export const COUPON_QUEUE = 'fission:coupon';
/** The participant's browser as a CDP identity (the join page sends it; a later add merges it). */
export const participantAnonymousId = (visitor: string) => `fission-visitor:${visitor}`;
const MAX_TRIES = 20;

/**
 * The `coupon` reward (contributed to fission's own `fission-reward` point): the reward row is
 * marked `pending` and a job issues the campaign's coupon template to the participant's CDP
 * profile through coupons' `issueCoupon` — idempotency key per campaign and participant, so a
 * retried job or a replayed add never issues twice. The profile comes from the join page's
 * identify (their browser), which the CDP processes asynchronously: the job waits for it.
 */
export const couponRewardIssuer: RewardIssuer = {
  type: 'coupon',
  async issue(tx: Tx, r) {
    await sql`update fission_rewards set coupon_status = 'pending'
      where tenant_id = ${r.tenantId} and id = ${r.rewardId}`.execute(tx);
    await enqueue(tx, r.tenantId, COUPON_QUEUE, { rewardId: r.rewardId, tries: 0 }, { maxAttempts: 8 });
  },
};

export async function couponRewardJob(payload: { rewardId: string; tries: number }, job: JobContext) {
  const t = job.tenantId;
  const w = await job.tx(
    async (tx) =>
      (
        await sql<any>`select w.id, w.campaign_id, w.participant_id, w.coupon_status, p.visitor, p.name,
            k.coupon_template_id, k.created_by, k.name as campaign
          from fission_rewards w
          join fission_participants p on p.tenant_id = w.tenant_id and p.id = w.participant_id
          join fission_campaigns k on k.tenant_id = w.tenant_id and k.id = w.campaign_id
          where w.tenant_id = ${t} and w.id = ${payload.rewardId}`.execute(tx)
      ).rows[0],
    { readOnly: true },
  );
  if (w?.coupon_status !== 'pending') return;
  const profileId = await profileOfIdentity({ db: job.db } as Database, t, {
    kind: 'anonymous_id',
    value: participantAnonymousId(w.visitor),
  });
  if (!profileId && payload.tries < MAX_TRIES) {
    await job.tx((tx) =>
      enqueue(
        tx,
        t,
        COUPON_QUEUE,
        { ...payload, tries: payload.tries + 1 },
        { runAt: new Date(Date.now() + (payload.tries < 3 ? 0 : 2 ** Math.min(payload.tries, 6) * 1000)) },
      ),
    );
    return;
  }
  await job.tx(async (tx) => {
    const locked = (
      await sql`select 1 from fission_rewards where tenant_id = ${t} and id = ${w.id} and coupon_status = 'pending'
        for update`.execute(tx)
    ).rows[0];
    if (!locked) return;
    let error: string | null = profileId ? null : 'profile_unknown';
    if (profileId && w.coupon_template_id) {
      try {
        const c = await issueCoupon(tx, t, {
          templateId: w.coupon_template_id,
          profileId,
          idempotencyKey: `fission:${w.campaign_id}:${w.participant_id}`,
          source: { kind: 'fission', id: w.campaign_id },
        });
        await sql`update fission_rewards set coupon_status = 'issued', coupon_id = ${c.couponId}, coupon_code = ${c.code},
            coupon_expires_at = ${c.expiresAt}::timestamptz, coupon_error = null
          where tenant_id = ${t} and id = ${w.id}`.execute(tx);
        return;
      } catch (e) {
        // Out of stock, over the per-person limit, paused or ended: the reward stands without a coupon.
        if (!(e instanceof AppError)) throw e;
        error = String(e.extra?.reason ?? e.detailKey ?? e.code);
      }
    } else if (!w.coupon_template_id) error = 'template_unset';
    await sql`update fission_rewards set coupon_status = 'failed', coupon_error = ${error}
      where tenant_id = ${t} and id = ${w.id}`.execute(tx);
    await notify(tx, t, {
      userIds: [w.created_by].filter(Boolean),
      kind: 'fission_coupon_failed',
      title: {
        'zh-CN': `「${w.campaign}」：${w.name} 的奖励券未能发放（${error}），请人工处理`,
        'en-US': `"${w.campaign}": the reward coupon of ${w.name} could not be issued (${error}); please handle it`,
      },
      link: `/fission/${w.campaign_id}`,
      data: { campaignId: w.campaign_id, participantId: w.participant_id, rewardId: w.id },
    });
  });
}
