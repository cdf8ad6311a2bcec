import type { Tx } from '../../core/db/tenant-scope.ts';
import { type FieldError, invalid } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { channelAdapter } from './channels/index.ts';
import { emailAccount } from './email/email-account.service.ts';
import { mt } from './messaging.messages.ts';
import { getSettings } from './settings.service.ts';
import { smsAccount } from './sms-account.service.ts';
import type { RenderedMessage } from './types.ts';

/**
 * The settings page's test button: one message straight through the channel adapter to the address
 * the admin typed (or the webhook endpoint) — no profile, no guards, nothing in the message log.
 */
export async function testSend(
  tx: Tx,
  tenantId: string,
  input: { channel: 'sms' | 'email' | 'webhook'; to?: string },
  locale: Locale,
): Promise<{ ok: boolean; error: string | null }> {
  const fail = (field: string, code: string): never => {
    throw invalid([{ field, code, message: mt(locale, code) } satisfies FieldError]);
  };
  if (input.channel === 'email' && !(await emailAccount(tx, tenantId)))
    fail('channel', 'email_not_configured');
  if (input.channel === 'sms' && !(await smsAccount(tx, tenantId))) fail('channel', 'sms_not_configured');
  if (input.channel === 'webhook' && !(await getSettings(tx, tenantId)).webhookUrl)
    fail('channel', 'webhook_not_configured');
  if (input.channel !== 'webhook' && !input.to) fail('to', 'test_to_required');
  if (input.channel === 'email' && !/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(input.to!))
    fail('to', 'test_to_required');
  if (input.channel === 'sms' && !/^(\+?86)?1\d{10}$/.test(input.to!)) fail('to', 'test_to_required');
  const id = newId();
  const msg: RenderedMessage = {
    messageId: id,
    tenantId,
    profileId: id,
    channel: input.channel,
    purpose: 'service',
    address: input.to ?? null,
    ownerUserId: null,
    subject: mt(locale, 'test_subject'),
    text: mt(locale, input.channel === 'sms' ? 'test_sms' : 'test_body'),
    url: null,
    idempotencyKey: `test:${id}`,
    source: { kind: 'manual', id: 'test' },
  };
  const r = await channelAdapter(input.channel)!.send(tx, msg);
  return r.status === 'sent' ? { ok: true, error: null } : { ok: false, error: r.error };
}
