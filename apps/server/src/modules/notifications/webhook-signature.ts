import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks (https://www.standardwebhooks.com): receivers verify with any of its
 * libraries. The secret is `whsec_` + base64 of random bytes; the key is those bytes.
 */
const PREFIX = 'whsec_';

export const newWebhookSecret = (): string => `${PREFIX}${randomBytes(32).toString('base64')}`;

/** The `webhook-*` headers for one attempt; `id` stays the same across retries so receivers can dedupe. */
export function webhookHeaders(secret: string, id: string, body: string, now = new Date()) {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}

/** Associated data of a webhook's sealed secret: it opens only on its own row. */
export const webhookSecretAad = (id: string) => `notification_webhooks:${id}`;
