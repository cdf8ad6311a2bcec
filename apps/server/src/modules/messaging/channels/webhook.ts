import { guardedFetch, OutboundError } from '../../../core/net/outbound-url.ts';
import { webhookHeaders } from '../../notifications/index.ts';
import { getSettings } from '../settings.service.ts';
import type { ChannelAdapter } from '../types.ts';

/**
 * webhook: the rendered message to the tenant's endpoint (its own SMS gateway, a CDP, a bot),
 * signed like Kehu's notification webhooks (Standard Webhooks; `webhook-id` is the message id, the
 * same on every retry) and sent through the outbound guard. No redirects are followed. 2xx is
 * delivered; 408/429/5xx and network errors are retried; any other answer is final.
 */
export const webhookChannel: ChannelAdapter = {
  kind: 'webhook',
  async send(tx, m) {
    const s = await getSettings(tx, m.tenantId);
    if (!s.webhookUrl || !s.webhookSecret)
      return { status: 'failed', retryable: false, error: 'no_endpoint' };
    const body = JSON.stringify({
      type: 'message',
      messageId: m.messageId,
      tenantId: m.tenantId,
      profileId: m.profileId,
      channel: m.channel,
      purpose: m.purpose,
      subject: m.subject,
      text: m.text,
      url: m.url,
      source: m.source,
    });
    try {
      const res = await guardedFetch(
        s.webhookUrl,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Kehu-Messaging/1',
            'idempotency-key': m.idempotencyKey,
            ...webhookHeaders(s.webhookSecret, m.messageId, body),
          },
          body,
        },
        { maxRedirects: 0, maxResponseBytes: 64 * 1024 },
      );
      if (res.status >= 200 && res.status < 300) return { status: 'sent', delivered: true };
      const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
      return { status: 'failed', retryable, error: `http_${res.status}` };
    } catch (err) {
      if (!(err instanceof OutboundError)) throw err;
      const retryable = err.code === 'timeout' || err.code === 'connect_failed' || err.code === 'dns_failed';
      return { status: 'failed', retryable, error: err.code };
    }
  },
};
