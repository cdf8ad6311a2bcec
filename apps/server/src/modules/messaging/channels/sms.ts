import { smsAccount } from '../sms-account.service.ts';
import type { ChannelAdapter } from '../types.ts';
import { beijingDate, callAliyun } from './aliyun-sms.ts';

/**
 * sms: Aliyun SendSms with the message id as OutId (receipts come back with it). Aliyun has no
 * idempotency key, so a retry first asks QuerySendDetails whether an SMS with this OutId already
 * left today (a crash between Aliyun's OK and our commit): then it is recorded, not sent again.
 * A template message sends its TemplateCode with its variables as TemplateParam; inline text goes
 * through the tenant's approved `${text}` template.
 */
export const smsChannel: ChannelAdapter = {
  kind: 'sms',
  async send(tx, m) {
    const account = await smsAccount(tx, m.tenantId);
    if (!account) return { status: 'failed', retryable: false, error: 'sms_not_configured' };
    if (!m.address) return { status: 'failed', retryable: false, error: 'no_address' };
    const phone = m.address.replace(/^\+86/, '');
    const templateCode = m.templateCode ?? account.textTemplate;
    if (!templateCode) return { status: 'failed', retryable: false, error: 'sms_no_template' };
    const params = m.templateCode ? (m.templateParams ?? {}) : { text: m.text };
    if ((m.attempt ?? 1) > 1) {
      const q = await callAliyun(account, 'QuerySendDetails', {
        PhoneNumber: phone,
        SendDate: beijingDate(new Date()),
        PageSize: '50',
        CurrentPage: '1',
      });
      if (q.ok) {
        const sent = (q.body.SmsSendDetailDTOs?.SmsSendDetailDTO ?? []).find(
          (d: any) => d.OutId === m.messageId,
        );
        if (sent) return { status: 'sent' };
      }
    }
    const r = await callAliyun(account, 'SendSms', {
      PhoneNumbers: phone,
      SignName: account.signName,
      TemplateCode: templateCode,
      TemplateParam: JSON.stringify(params),
      OutId: m.messageId,
    });
    if (r.ok) return { status: 'sent', providerRef: String(r.body.BizId ?? '') || undefined };
    return { status: 'failed', retryable: r.retryable, error: r.code };
  },
};
