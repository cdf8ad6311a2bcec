import { createSendTask } from '../../outreach/index.ts';
import type { ChannelAdapter } from '../types.ts';

/**
 * wecom_private: WeCom has no server-side 1:1 send, so the message becomes the staff member's task
 * with one-tap send in the chat sidebar (outreach's SOP task list; the task id is the message id).
 * "sent" here means handed to the staff member; the staff member's tap (task closed as sent) makes
 * it delivered — `outreach.send_task_closed`, see send-task.subscriber.ts.
 */
export const wecomPrivateChannel: ChannelAdapter = {
  kind: 'wecom_private',
  async send(tx, m) {
    if (!m.address) return { status: 'failed', retryable: false, error: 'no_address' };
    const text = [m.text, m.url].filter(Boolean).join('\n');
    const ok = await createSendTask(tx, m.tenantId, {
      messageId: m.messageId,
      externalUserid: m.address,
      content: text,
      dueAt: new Date(),
    });
    if (!ok) return { status: 'failed', retryable: false, error: 'staff_deleted' };
    return { status: 'sent', providerRef: m.messageId };
  },
};
