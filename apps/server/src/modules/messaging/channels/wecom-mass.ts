import { sendMassTemplate } from '../../outreach/index.ts';
import type { ChannelAdapter } from '../types.ts';
import { scheduleWecomMassPoll } from '../wecom-mass-poll.job.ts';

/**
 * wecom_mass: a 企业群发 template (externalcontact/add_msg_template) for the customer, named to the
 * staff member who has them; they confirm it in their WeCom client. WeCom's msgid is the provider
 * reference. WeCom takes no idempotency key and cannot be asked "did this message already go"
 * (a template lists no recipients), so delivery is at most once: the delivery job commits a
 * "started" marker first, and a retry after a crash records the message instead of creating a second
 * template. WeCom's monthly cap per customer is a guard (`wecom_monthly_cap`, guards.ts).
 */
export const wecomMassChannel: ChannelAdapter = {
  kind: 'wecom_mass',
  atMostOnce: true,
  async send(tx, m) {
    if (!m.address) return { status: 'failed', retryable: false, error: 'no_address' };
    const text = [m.text, m.url].filter(Boolean).join('\n');
    const r = await sendMassTemplate(tx, m.tenantId, { externalUserid: m.address, text });
    if (!r.ok) return { status: 'failed', retryable: r.retryable, error: r.error };
    // The staff member confirms in WeCom later: its result is read on a schedule (wecom-mass-poll.job.ts).
    await scheduleWecomMassPoll(tx, m.tenantId, m.messageId);
    return { status: 'sent', providerRef: r.msgid };
  },
};
