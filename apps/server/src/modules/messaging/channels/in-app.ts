import { notify } from '../../notifications/index.ts';
import type { ChannelAdapter } from '../types.ts';

const firstLine = (t: string) => (t.split('\n')[0] ?? t).slice(0, 120);

/** in_app: a notification to the customer's owner (staff), e.g. "call 王先生 today". */
export const inAppChannel: ChannelAdapter = {
  kind: 'in_app',
  async send(tx, m) {
    if (!m.ownerUserId) return { status: 'failed', retryable: false, error: 'no_owner' };
    const title = m.subject ?? firstLine(m.text);
    const ids = await notify(tx, m.tenantId, {
      userIds: [m.ownerUserId],
      kind: 'messaging.message',
      title: { 'zh-CN': title, 'en-US': title },
      body: { 'zh-CN': m.text, 'en-US': m.text },
      link: m.url ?? `/cdp/profiles/${m.profileId}`,
      object: 'profile',
      recordId: m.profileId,
      data: { messageId: m.messageId, source: m.source },
    });
    // notify() skips disabled users: the owner left, nobody will read it.
    if (!ids.length) return { status: 'failed', retryable: false, error: 'owner_inactive' };
    return { status: 'sent', providerRef: ids[0], delivered: true };
  },
};
