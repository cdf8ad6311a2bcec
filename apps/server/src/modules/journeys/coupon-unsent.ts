import { sql } from 'kysely';
import type { Subscriber } from '../../engine/module.ts';
import { couponByKey, voidCoupon } from '../coupons/index.ts';
import { stepKey } from './advance.job.ts';

/**
 * A send step issues its coupon when messaging's guards let the message go, which for a message
 * deferred to the end of quiet hours is before delivery. If delivery then drops it (consent
 * withdrawn meanwhile, address gone …, `message.skipped`), the customer never got the code: the
 * coupon issued under the step's key is voided, so it neither counts as issued nor can be used.
 */
export const couponUnsentSubscriber: Subscriber = {
  name: 'journeys-coupon-unsent',
  pattern: 'message.skipped',
  handle: async (event, job) => {
    const p = event.payload as { messageId?: string; source?: { kind?: string } };
    if (!p.messageId || p.source?.kind !== 'journey') return;
    await job.tx(async (tx) => {
      const step = (
        await sql<{
          run_id: string;
          step_id: string;
          visit: number;
        }>`select run_id, step_id, visit from journey_steps
          where tenant_id = ${event.tenantId} and message_id = ${p.messageId}`.execute(tx)
      ).rows[0];
      const coupon =
        step && (await couponByKey(tx, event.tenantId, stepKey(step.run_id, step.step_id, step.visit)));
      if (!coupon) return;
      await voidCoupon(tx, event.tenantId, {
        couponId: coupon.couponId,
        reason: 'message_not_sent',
        actor: { tenantId: event.tenantId, actorId: null, actorKind: 'system' },
      });
    });
  },
};
