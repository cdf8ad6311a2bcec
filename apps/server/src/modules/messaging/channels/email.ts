import { isIP } from 'node:net';
import { sql } from 'kysely';
import { createTransport } from 'nodemailer';
import { publicBaseUrl } from '../../../core/mail/mailer.ts';
import { emailAccount, SmtpRefused, vetSmtpHost } from '../email/email-account.service.ts';
import { emailHtml } from '../email/layout.ts';
import { mt } from '../messaging.messages.ts';
import { signedMessageToken } from '../public-token.ts';
import type { ChannelAdapter } from '../types.ts';

const addressOf = (from: string) => (from.match(/<\s*([^>\s]+)\s*>/)?.[1] ?? from).trim();

/** Marks an address undeliverable after a hard bounce (the guard skips it from then on). */
export async function markUndeliverable(
  tx: Parameters<ChannelAdapter['send']>[0],
  tenantId: string,
  address: string,
  reason: string,
  messageId: string | null,
): Promise<void> {
  await sql`insert into messaging_undeliverable (tenant_id, channel, address, reason, message_id)
    values (${tenantId}, 'email', ${address.trim().toLowerCase()}, ${reason}, ${messageId})
    on conflict (tenant_id, channel, address) do update set reason = excluded.reason, at = now(),
      message_id = excluded.message_id`.execute(tx);
}

/**
 * email: SMTP with the tenant's account (nodemailer), to the host vetted like any outbound target.
 * Message-ID is the message id, so a receiving system sees one message however often we try;
 * SMTP has no idempotency key, so the adapter is `atMostOnce` (the delivery job commits a marker
 * before the call and never calls again when a crash left the outcome unknown). Marketing mail
 * carries the per-recipient unsubscribe link and RFC 8058 one-click headers, and an open pixel.
 * RCPT refused with 5xx is a hard bounce (address undeliverable); 4xx is soft and retried.
 */
export const emailChannel: ChannelAdapter = {
  kind: 'email',
  atMostOnce: true,
  async send(tx, m) {
    const acc = await emailAccount(tx, m.tenantId);
    if (!acc) return { status: 'failed', retryable: false, error: 'email_not_configured' };
    if (!m.address) return { status: 'failed', retryable: false, error: 'no_address' };
    let pinned: string;
    try {
      pinned = await vetSmtpHost(acc.host, acc.port, acc.security);
    } catch (err) {
      if (!(err instanceof SmtpRefused)) throw err;
      return { status: 'failed', retryable: err.code === 'dns_failed', error: err.code };
    }
    const base = publicBaseUrl();
    const marketing = m.purpose === 'marketing';
    const unsubscribeUrl = `${base}/u/${signedMessageToken('unsubscribe', m.tenantId, m.messageId)}`;
    const subject = m.subject ?? '';
    const html = emailHtml({
      subject,
      text: m.text,
      button: m.url ? { label: mt('zh-CN', 'open_button'), url: m.url } : null,
      footer: marketing
        ? { lead: mt('zh-CN', 'footer'), label: mt('zh-CN', 'footer_link'), url: unsubscribeUrl }
        : null,
      pixelUrl: `${base}/k/o/${signedMessageToken('open', m.tenantId, m.messageId)}`,
    });
    const text = [m.text, m.url, marketing ? `${mt('zh-CN', 'footer')} ${unsubscribeUrl}` : null]
      .filter(Boolean)
      .join('\n\n');
    const from = addressOf(acc.from);
    const transport = createTransport({
      host: pinned,
      port: acc.port,
      secure: acc.security === 'tls',
      requireTLS: acc.security === 'starttls',
      ignoreTLS: acc.security === 'none',
      // The connection goes to the vetted address; the certificate is checked against the name.
      tls: isIP(acc.host) ? {} : { servername: acc.host },
      auth: acc.user ? { user: acc.user, pass: acc.password ?? '' } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    try {
      await transport.sendMail({
        from: acc.from,
        to: m.address,
        subject,
        text,
        html,
        messageId: `<${m.messageId}@${from.split('@')[1] ?? 'kehu.invalid'}>`,
        envelope: { from: acc.bounceAddress ?? from, to: m.address },
        headers: {
          'X-Kehu-Message-Id': m.messageId,
          ...(marketing
            ? {
                'List-Unsubscribe': `<${unsubscribeUrl}>`,
                'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
              }
            : {}),
        },
      });
      return { status: 'sent', providerRef: m.messageId };
    } catch (err: any) {
      const code = Number(err?.responseCode) || 0;
      if (code >= 500 && err?.command === 'RCPT TO') {
        await markUndeliverable(tx, m.tenantId, m.address, `smtp_${code}`, m.messageId);
        await sql`update messaging_messages set bounced_at = now() where tenant_id = ${m.tenantId} and id = ${m.messageId}`.execute(
          tx,
        );
        return { status: 'failed', retryable: false, error: `bounced_hard:${code}` };
      }
      if (code >= 400 && code < 500)
        return { status: 'failed', retryable: true, error: `bounced_soft:${code}` };
      if (code >= 500) return { status: 'failed', retryable: false, error: `smtp_${code}` };
      return { status: 'failed', retryable: true, error: 'smtp_connect_failed' };
    } finally {
      transport.close();
    }
  },
};
