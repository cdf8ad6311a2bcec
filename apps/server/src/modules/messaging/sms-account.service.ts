import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import { isSealed, open, seal } from '../../core/crypto/secret-box.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { invalid } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { outboundFieldError } from '../../core/net/outbound.messages.ts';
import { checkOutboundUrl } from '../../core/net/outbound-url.ts';

export const ALIYUN_SMS_ENDPOINT = 'https://dysmsapi.aliyuncs.com';

export interface SmsAccount {
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  textTemplate: string | null;
}

const aad = (tenantId: string) => `messaging_settings.sms:${tenantId}`;
const hash = (token: string) => createHash('sha256').update(token).digest('base64url');

export async function smsAccount(tx: Tx, tenantId: string): Promise<SmsAccount | null> {
  const r = (
    await sql<any>`select sms_endpoint, sms_access_key_id, sms_access_key_secret, sms_sign_name, sms_text_template
      from messaging_settings where tenant_id = ${tenantId}`.execute(tx)
  ).rows[0];
  if (!r?.sms_access_key_id || !r.sms_access_key_secret) return null;
  return {
    endpoint: r.sms_endpoint ?? ALIYUN_SMS_ENDPOINT,
    accessKeyId: r.sms_access_key_id,
    accessKeySecret: isSealed(r.sms_access_key_secret)
      ? open(r.sms_access_key_secret, aad(tenantId))
      : r.sms_access_key_secret,
    signName: r.sms_sign_name ?? '',
    textTemplate: r.sms_text_template ?? null,
  };
}

/** What the settings page shows: never the secret. */
export async function readSmsAccount(tx: Tx, tenantId: string) {
  const r = (
    await sql<any>`select sms_endpoint, sms_access_key_id, sms_sign_name, sms_text_template, sms_report_token_hash
      from messaging_settings where tenant_id = ${tenantId}`.execute(tx)
  ).rows[0];
  return {
    endpoint: r?.sms_endpoint ?? ALIYUN_SMS_ENDPOINT,
    accessKeyId: r?.sms_access_key_id ?? null,
    signName: r?.sms_sign_name ?? null,
    textTemplate: r?.sms_text_template ?? null,
    configured: Boolean(r?.sms_access_key_id),
    receiptUrlSet: Boolean(r?.sms_report_token_hash),
  };
}

/**
 * Saves the credentials (the secret sealed; it is never shown again) and issues a new receipt
 * token: the receipt URL (`/hooks/sms/aliyun/<token>`, to enter in Aliyun's console) is returned once.
 * The token starts with the tenant id so the receipt opens that tenant's transaction (RLS on).
 */
export async function putSmsAccount(
  tx: Tx,
  actor: Actor,
  input: {
    endpoint?: string | null;
    accessKeyId: string;
    accessKeySecret: string;
    signName: string;
    textTemplate?: string | null;
  },
  locale: Locale,
  publicUrl: string,
) {
  const endpoint = input.endpoint || ALIYUN_SMS_ENDPOINT;
  const refused = checkOutboundUrl(endpoint);
  if (refused) throw invalid([outboundFieldError(locale, 'endpoint', refused)]);
  const token =
    Buffer.from(actor.tenantId.replaceAll('-', ''), 'hex').toString('base64url') +
    randomBytes(16).toString('base64url');
  await sql`insert into messaging_settings (tenant_id) values (${actor.tenantId}) on conflict (tenant_id) do nothing`.execute(
    tx,
  );
  await sql`update messaging_settings set sms_endpoint = ${endpoint}, sms_access_key_id = ${input.accessKeyId},
      sms_access_key_secret = ${seal(input.accessKeySecret, aad(actor.tenantId))}, sms_sign_name = ${input.signName},
      sms_text_template = ${input.textTemplate ?? null}, sms_report_token_hash = ${hash(token)}
    where tenant_id = ${actor.tenantId}`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'update',
    object: 'messaging_sms_account',
    recordId: actor.tenantId,
  });
  const receiptPath = `/hooks/sms/aliyun/${token}`;
  return {
    ...(await readSmsAccount(tx, actor.tenantId)),
    receiptUrl: `${publicUrl}${receiptPath}`,
    receiptPath,
  };
}

export function tenantOfReceiptToken(token: string): string | null {
  if (!/^[A-Za-z0-9_-]{44}$/.test(token)) return null;
  const hex = Buffer.from(token.slice(0, 22), 'base64url').toString('hex');
  if (hex.length !== 32) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export async function receiptTokenValid(tx: Tx, tenantId: string, token: string): Promise<boolean> {
  const r = (
    await sql<{ h: string | null }>`select sms_report_token_hash as h from messaging_settings
      where tenant_id = ${tenantId}`.execute(tx)
  ).rows[0];
  if (!r?.h) return false;
  const a = Buffer.from(r.h);
  const b = Buffer.from(hash(token));
  return a.length === b.length && timingSafeEqual(a, b);
}
