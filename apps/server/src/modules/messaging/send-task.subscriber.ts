import { sql } from 'kysely';
import { emitEvents } from '../../core/events/outbox.ts';
import type { Subscriber } from '../../engine/module.ts';

/** A staff member closed a wecom_private task: tapped send → delivered; marked done without sending → failed. */
export const sendTaskSubscriber: Subscriber = {
  name: 'messaging-wecom-private-task',
  pattern: 'outreach.send_task_closed',
  handle: async (e, job) => {
    const p = e.payload as { taskId?: string; how?: string };
    if (!p.taskId) return;
    await job.tx(async (tx) => {
      const sent = p.how === 'sent';
      const m = (
        await sql<any>`update messaging_messages set status = ${sent ? 'delivered' : 'failed'},
            delivered_at = ${sent ? new Date() : null}, error = ${sent ? null : 'staff_did_not_send'}
          where tenant_id = ${e.tenantId} and id = ${p.taskId} and channel = 'wecom_private' and status = 'sent'
          returning id, profile_id, channel, source_kind, source_id, step_id`.execute(tx)
      ).rows[0];
      if (!m) return;
      const source = { kind: m.source_kind, id: m.source_id, ...(m.step_id ? { stepId: m.step_id } : {}) };
      await emitEvents(tx, e.tenantId, [
        {
          type: sent ? 'message.delivered' : 'message.failed',
          object: 'message',
          recordId: m.id,
          payload: {
            messageId: m.id,
            profileId: m.profile_id,
            channel: m.channel,
            source,
            ...(sent ? {} : { reason: 'staff_did_not_send' }),
          },
        },
      ]);
    });
  },
};
