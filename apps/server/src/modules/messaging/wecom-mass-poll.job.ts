import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { emitEvents } from '../../core/events/outbox.ts';
import { enqueue, type JobContext } from '../../core/jobs/queue.ts';
import { massTemplateOutcome } from '../outreach/index.ts';

export const WECOM_MASS_POLL_QUEUE = 'messaging:wecom-mass-poll';
/** WeCom's answer changes when the staff member confirms: read every 10 minutes for 3 days, like 群发. */
const EVERY_MS = 10 * 60_000;
const FOR_MS = 3 * 86_400_000;

export interface WecomMassPollPayload {
  messageId: string;
  until: string;
  round: number;
}

/** After a wecom_mass template is created: read its result later (in the delivery's transaction). */
export async function scheduleWecomMassPoll(tx: Tx, tenantId: string, messageId: string, now = Date.now()) {
  const payload: WecomMassPollPayload = { messageId, until: new Date(now + FOR_MS).toISOString(), round: 1 };
  await enqueue(tx, tenantId, WECOM_MASS_POLL_QUEUE, payload, {
    runAt: new Date(now + EVERY_MS),
    dedupeKey: `wm:${messageId}:1`,
    maxAttempts: 3,
  });
}

/**
 * Reads get_groupmsg_send_result for a sent wecom_mass message: the staff member confirmed and it
 * reached the customer → `delivered` (message.delivered); not a friend any more / over WeCom's limit
 * → `failed` with that error (message.failed); not yet → read again in 10 minutes, for 3 days.
 */
export async function wecomMassPollJob(p: WecomMassPollPayload, ctx: JobContext): Promise<void> {
  await ctx.tx(async (tx) => {
    const m = (
      await sql<any>`select * from messaging_messages where tenant_id = ${ctx.tenantId} and id = ${p.messageId}
        for update`.execute(tx)
    ).rows[0];
    if (m?.status !== 'sent' || !m.provider_ref || !m.address) return;
    const outcome = await massTemplateOutcome(tx, ctx.tenantId, {
      msgid: m.provider_ref,
      externalUserid: m.address,
    });
    const source = { kind: m.source_kind, id: m.source_id, ...(m.step_id ? { stepId: m.step_id } : {}) };
    const payload = { messageId: m.id, profileId: m.profile_id, channel: m.channel, source };
    if (outcome === 'sent') {
      await sql`update messaging_messages set status = 'delivered', delivered_at = now()
        where tenant_id = ${ctx.tenantId} and id = ${m.id}`.execute(tx);
      await emitEvents(tx, ctx.tenantId, [
        { type: 'message.delivered', object: 'message', recordId: m.id, payload },
      ]);
    } else if (outcome === 'not_friend' || outcome === 'over_limit') {
      await sql`update messaging_messages set status = 'failed', error = ${outcome}
        where tenant_id = ${ctx.tenantId} and id = ${m.id}`.execute(tx);
      await emitEvents(tx, ctx.tenantId, [
        {
          type: 'message.failed',
          object: 'message',
          recordId: m.id,
          payload: { ...payload, reason: outcome },
        },
      ]);
    } else if (outcome === 'waiting' && Date.now() + EVERY_MS < Date.parse(p.until)) {
      await enqueue(
        tx,
        ctx.tenantId,
        WECOM_MASS_POLL_QUEUE,
        { ...p, round: p.round + 1 },
        { runAt: new Date(Date.now() + EVERY_MS), dedupeKey: `wm:${m.id}:${p.round + 1}`, maxAttempts: 3 },
      );
    }
  });
}
