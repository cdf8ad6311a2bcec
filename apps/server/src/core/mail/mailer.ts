import { sql } from 'kysely';
import { createTransport, type Transporter } from 'nodemailer';
import type { Db } from '../db/database.ts';
import { inTenant } from '../db/tenant-scope.ts';
import { newId } from '../ids.ts';

/**
 * The one way Kehu sends mail. With `KEHU_SMTP_URL` (smtp:// or smtps://, set by the operator,
 * never by a tenant) mail goes out over SMTP; without it — the demo, a fresh install — it is
 * written to the tenant's mail outbox, which admins read on the users page, so a forgotten
 * password can still be reset. The variable is read at each send, like KEHU_OUTBOUND_ALLOW.
 */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** What the mail is about ('password_reset' …), kept with outbox copies. */
  kind: string;
  /** The user it is for, when it is for one: outbox readers must be allowed to manage them. */
  userId?: string;
}

const FROM_DEFAULT = 'Kehu <no-reply@kehu.invalid>';
let transport: { url: string; t: Transporter } | null = null;

function smtp(url: string): Transporter {
  if (transport?.url !== url) transport = { url, t: createTransport(url) };
  return transport.t;
}

export const mailMode = (): 'smtp' | 'outbox' => (process.env.KEHU_SMTP_URL?.trim() ? 'smtp' : 'outbox');

export async function sendMail(db: Db, tenantId: string, mail: Mail): Promise<void> {
  const url = process.env.KEHU_SMTP_URL?.trim();
  if (url) {
    await smtp(url).sendMail({
      from: process.env.KEHU_MAIL_FROM?.trim() || FROM_DEFAULT,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
    });
    return;
  }
  await inTenant(db, tenantId, (tx) =>
    sql`insert into mail_outbox (tenant_id, id, to_address, subject, body_text, kind, user_id)
      values (${tenantId}, ${newId()}, ${mail.to}, ${mail.subject}, ${mail.text}, ${mail.kind}, ${mail.userId ?? null})`.execute(
      tx,
    ),
  );
}

/**
 * Sends without making the caller wait: a request that may or may not send mail (forgot
 * password) must answer in the same time either way. Failures are logged, never thrown.
 */
export function sendMailLater(db: Db, tenantId: string, mail: Mail): Promise<void> {
  return sendMail(db, tenantId, mail).catch((err: Error) => {
    console.error(`mail to ${mail.to.replace(/^(.).*@/, '$1…@')} failed: ${err.message}`);
  });
}

/** Where users open Kehu, for links in mail: KEHU_PUBLIC_URL, else this server's own address. */
export function publicBaseUrl(): string {
  const configured = process.env.KEHU_PUBLIC_URL?.trim();
  if (configured) return configured.replace(/\/+$/, '');
  return `http://${process.env.HOST?.trim() || '127.0.0.1'}:${process.env.PORT?.trim() || '3000'}`;
}
