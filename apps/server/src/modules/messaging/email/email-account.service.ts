import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../../core/audit/audit.ts';
import { isSealed, open, seal } from '../../../core/crypto/secret-box.ts';
import type { Tx } from '../../../core/db/tenant-scope.ts';
import { type FieldError, invalid } from '../../../core/errors.ts';
import type { Locale } from '../../../core/i18n/locale.ts';
import { normaliseHost } from '../../../core/net/outbound-allow.ts';
import { operatorAllowList } from '../../../core/net/outbound-url.ts';
import { isPublicAddress } from '../../../core/net/reserved-addresses.ts';
import { mt } from '../messaging.messages.ts';
import { tenantPrefix } from '../public-token.ts';

export type EmailSecurity = 'tls' | 'starttls' | 'none';

export interface EmailAccount {
  host: string;
  port: number;
  security: EmailSecurity;
  user: string | null;
  password: string | null;
  from: string;
  bounceAddress: string | null;
}

const aad = (tenantId: string) => `messaging_settings.email:${tenantId}`;
const hash = (token: string) => createHash('sha256').update(token).digest('base64url');
const SMTP_PORTS = new Set([25, 465, 587, 2525]);
const FROM_RE = /^(?:[^<>]{0,200}<\s*[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+\s*>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/;

export class SmtpRefused extends Error {
  readonly code:
    | 'smtp_host_refused'
    | 'smtp_port'
    | 'smtp_plain_refused'
    | 'smtp_host_invalid'
    | 'dns_failed';
  constructor(code: SmtpRefused['code']) {
    super(`smtp host refused: ${code}`);
    this.code = code;
  }
}

/**
 * The SMTP host a tenant typed is an outbound target like a webhook URL: resolved at send time,
 * every address public (or the host listed by the operator in KEHU_OUTBOUND_ALLOW), mail ports
 * only, encryption required; the connection is pinned to the checked address (servername kept
 * for the certificate), so a DNS answer that changes after the check is never used.
 */
export async function vetSmtpHost(
  host: string,
  port: number,
  security: EmailSecurity,
  resolve: (h: string) => Promise<string[]> = async (h) =>
    (await lookup(h, { all: true, verbatim: true })).map((a) => a.address),
): Promise<string> {
  const h = normaliseHost(host);
  if (!h || /[\s/@]/.test(h)) throw new SmtpRefused('smtp_host_invalid');
  let addresses: string[];
  if (isIP(h)) addresses = [h];
  else {
    try {
      addresses = await resolve(h);
    } catch {
      throw new SmtpRefused('dns_failed');
    }
    if (!addresses.length) throw new SmtpRefused('dns_failed');
  }
  const allow = operatorAllowList();
  if (allow.permits({ host: h, port, addresses })) return addresses[0]!;
  if (h === 'localhost' || h.endsWith('.localhost') || addresses.some((a) => !isPublicAddress(a)))
    throw new SmtpRefused('smtp_host_refused');
  if (!SMTP_PORTS.has(port) && port < 1024) throw new SmtpRefused('smtp_port');
  if (security === 'none') throw new SmtpRefused('smtp_plain_refused');
  return addresses[0]!;
}

/** What can be decided without DNS when the account is saved (literal and loopback hosts, ports). */
function checkOnSave(host: string, port: number, security: EmailSecurity): SmtpRefused['code'] | null {
  const h = normaliseHost(host);
  if (!h || /[\s/@]/.test(h)) return 'smtp_host_invalid';
  const allow = operatorAllowList();
  if (allow.permitsHost(h, port)) return null;
  if (isIP(h) && allow.permits({ host: h, port, addresses: [h] })) return null;
  if (h === 'localhost' || h.endsWith('.localhost') || (isIP(h) && !isPublicAddress(h)))
    return 'smtp_host_refused';
  if (!SMTP_PORTS.has(port) && port < 1024) return 'smtp_port';
  if (security === 'none' && !allow.mayPermitResolved(port)) return 'smtp_plain_refused';
  return null;
}

export async function emailAccount(tx: Tx, tenantId: string): Promise<EmailAccount | null> {
  const r = (
    await sql<any>`select email_host, email_port, email_security, email_user, email_password, email_from,
        email_bounce_address from messaging_settings where tenant_id = ${tenantId}`.execute(tx)
  ).rows[0];
  if (!r?.email_host || !r.email_from) return null;
  const pw: string | null = r.email_password ?? null;
  return {
    host: r.email_host,
    port: r.email_port,
    security: r.email_security,
    user: r.email_user,
    password: pw && isSealed(pw) ? open(pw, aad(tenantId)) : pw,
    from: r.email_from,
    bounceAddress: r.email_bounce_address,
  };
}

export async function readEmailAccount(tx: Tx, tenantId: string) {
  const r = (
    await sql<any>`select email_host, email_port, email_security, email_user, email_password, email_from,
        email_bounce_address, email_bounce_token_hash from messaging_settings where tenant_id = ${tenantId}`.execute(
      tx,
    )
  ).rows[0];
  return {
    host: r?.email_host ?? null,
    port: r?.email_port ?? null,
    security: (r?.email_security ?? 'starttls') as EmailSecurity,
    user: r?.email_user ?? null,
    from: r?.email_from ?? null,
    bounceAddress: r?.email_bounce_address ?? null,
    configured: Boolean(r?.email_host && r?.email_from),
    passwordSet: Boolean(r?.email_password),
    bounceHookSet: Boolean(r?.email_bounce_token_hash),
  };
}

/**
 * Saves the SMTP account (the password sealed, never shown again; omitted keeps the stored one)
 * and issues the bounce hook token: `/hooks/mail/bounce/<token>` is returned once — the operator
 * pipes the bounce mailbox into it (Postfix `pipe` to curl, or a provider's inbound route).
 */
export async function putEmailAccount(
  tx: Tx,
  actor: Actor,
  input: {
    host: string;
    port: number;
    security: EmailSecurity;
    user?: string | null;
    password?: string;
    from: string;
    bounceAddress?: string | null;
  },
  locale: Locale,
  publicUrl: string,
) {
  const errors: FieldError[] = [];
  const refused = checkOnSave(input.host, input.port, input.security);
  if (refused)
    errors.push({
      field: refused === 'smtp_port' ? 'port' : refused === 'smtp_plain_refused' ? 'security' : 'host',
      code: refused,
      message: mt(locale, refused),
    });
  if (!FROM_RE.test(input.from))
    errors.push({ field: 'from', code: 'from_invalid', message: mt(locale, 'from_invalid') });
  if (errors.length) throw invalid(errors);
  const token = tenantPrefix(actor.tenantId) + randomBytes(16).toString('base64url');
  await sql`insert into messaging_settings (tenant_id) values (${actor.tenantId}) on conflict (tenant_id) do nothing`.execute(
    tx,
  );
  await sql`update messaging_settings set email_host = ${input.host}, email_port = ${input.port},
      email_security = ${input.security}, email_user = ${input.user || null},
      email_password = ${input.password === undefined ? sql`email_password` : input.password ? seal(input.password, aad(actor.tenantId)) : null},
      email_from = ${input.from}, email_bounce_address = ${input.bounceAddress ?? null},
      email_bounce_token_hash = ${hash(token)}
    where tenant_id = ${actor.tenantId}`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'update',
    object: 'messaging_email_account',
    recordId: actor.tenantId,
  });
  const bounceHookPath = `/hooks/mail/bounce/${token}`;
  return {
    ...(await readEmailAccount(tx, actor.tenantId)),
    bounceHookUrl: `${publicUrl}${bounceHookPath}`,
    bounceHookPath,
  };
}

export async function bounceTokenValid(tx: Tx, tenantId: string, token: string): Promise<boolean> {
  const r = (
    await sql<{ h: string | null }>`select email_bounce_token_hash as h from messaging_settings
      where tenant_id = ${tenantId}`.execute(tx)
  ).rows[0];
  if (!r?.h) return false;
  const a = Buffer.from(r.h);
  const b = Buffer.from(hash(token));
  return a.length === b.length && timingSafeEqual(a, b);
}
