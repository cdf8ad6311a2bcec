import { sql } from 'kysely';
import { writeAudit } from '../audit/audit.ts';
import type { Db } from '../db/database.ts';
import { inTenant, type Tx } from '../db/tenant-scope.ts';
import { invalid } from '../errors.ts';
import type { Locale } from '../i18n/locale.ts';
import { isUuid, newId } from '../ids.ts';
import { type Mail, sendMailLater } from '../mail/mailer.ts';
import { clearAccount, signInKey } from './login-throttle.ts';
import { hashPassword, passwordPolicyOk } from './password.ts';
import { RateLimiter } from './rate-limit.ts';
import { randomToken, safeEqualHex, sha256 } from './tokens.ts';

/**
 * Forgotten passwords: a one-time link (`<id>.<secret>`, only the secret's hash kept), valid 30
 * minutes, used once; using it sets a new password under the usual policy and ends every session
 * of the user. Asking for one answers the same whether or not the account exists or has an
 * email; the mail is sent after the answer, so the SMTP round trip does not tell either (what
 * remains is one row insert, well inside the noise of a request).
 */
export const RESET_TTL_MINUTES = 30;

// Per account: a few mails per quarter hour is enough for a person and useless for flooding.
const perAccount = new RateLimiter(3, 15 * 60_000);
// Per address: caps probing many accounts from one place.
const perAddress = new RateLimiter(20, 60 * 60_000);
// Confirming: secrets are 256 bits, so this only stops noise.
const confirmPerAddress = new RateLimiter(30, 15 * 60_000);

export interface ResetLink {
  url: string;
  mail: Mail;
}

interface UserRow {
  id: string;
  login: string;
  name: string;
  email: string | null;
  locale: Locale;
  status: string;
}

const findTenant = async (db: Db, slug: string) =>
  (
    await sql<{
      id: string;
      slug: string;
    }>`select id, slug from tenants where slug = ${slug.toLowerCase()}`.execute(db)
  ).rows[0];

/** Makes a link for `user` inside the caller's transaction; the caller sends `mail` after commit. */
export async function issueResetLink(
  tx: Tx,
  opts: {
    tenantId: string;
    tenantSlug: string;
    user: UserRow & { email: string };
    requestedBy: string | null;
    publicUrl: string;
  },
): Promise<ResetLink> {
  const id = newId();
  const secret = randomToken();
  await sql`insert into password_reset_tokens (tenant_id, id, user_id, token_hash, requested_by, expires_at)
    values (${opts.tenantId}, ${id}, ${opts.user.id}, ${sha256(secret)}, ${opts.requestedBy},
      now() + make_interval(mins => ${RESET_TTL_MINUTES}))`.execute(tx);
  const url = `${opts.publicUrl.replace(/\/+$/, '')}/reset-password?tenant=${encodeURIComponent(opts.tenantSlug)}&token=${id}.${secret}`;
  return { url, mail: resetMail(opts.user, url) };
}

function resetMail(user: UserRow & { email: string }, url: string): Mail {
  const zh = user.locale !== 'en-US';
  return {
    to: user.email,
    kind: 'password_reset',
    userId: user.id,
    subject: zh ? '客户 Kehu：重置密码' : 'Kehu: reset your password',
    text: zh
      ? `${user.name}，您好：\n\n请在 ${RESET_TTL_MINUTES} 分钟内打开下面的链接设置新密码（账号 ${user.login}）：\n\n${url}\n\n链接只能使用一次。如果不是您本人申请，请忽略本邮件，您的密码不会改变。`
      : `Hello ${user.name},\n\nOpen this link within ${RESET_TTL_MINUTES} minutes to set a new password for ${user.login}:\n\n${url}\n\nThe link works once. If you did not ask for it, ignore this mail; your password stays as it is.`,
  };
}

export async function loadUserForReset(tx: Tx, tenantId: string, where: { id?: string; login?: string }) {
  return (
    await sql<UserRow>`select id, login, name, email, locale, status from users
      where tenant_id = ${tenantId} and ${where.id ? sql`id = ${where.id}` : sql`lower(login) = ${(where.login ?? '').toLowerCase()}`}`.execute(
      tx,
    )
  ).rows[0];
}

/** The forgot-password form. Never tells whether the account exists. */
export async function requestPasswordReset(
  db: Db,
  input: { tenant: string; login: string; ip: string; requestId?: string; publicUrl: string },
): Promise<void> {
  perAddress.hit(input.ip);
  perAccount.hit(`${input.tenant.toLowerCase()}|${input.login.toLowerCase()}`);
  const tenant = await findTenant(db, input.tenant);
  if (!tenant) return;
  const link = await inTenant(db, tenant.id, async (tx) => {
    const user = await loadUserForReset(tx, tenant.id, { login: input.login });
    if (user?.status !== 'active' || !user.email) return null;
    const made = await issueResetLink(tx, {
      tenantId: tenant.id,
      tenantSlug: tenant.slug,
      user: { ...user, email: user.email },
      requestedBy: null,
      publicUrl: input.publicUrl,
    });
    await writeAudit(
      tx,
      { tenantId: tenant.id, actorId: user.id, actorKind: 'user', ip: input.ip, requestId: input.requestId },
      { action: 'password_reset_requested', object: 'user', recordId: user.id, meta: { self: true } },
    );
    return made;
  });
  if (link) void sendMailLater(db, tenant.id, link.mail);
}

/** Sets a new password with a reset link; ends every session of the user. */
export async function resetPassword(
  db: Db,
  input: { tenant: string; token: string; newPassword: string; ip: string; requestId?: string },
): Promise<void> {
  confirmPerAddress.hit(input.ip);
  if (!passwordPolicyOk(input.newPassword))
    throw invalid([{ field: 'newPassword', code: 'password_policy' }]);
  const bad = () => invalid([{ field: 'token', code: 'reset_token' }], 'reset_token');
  const [id, secret] = input.token.split('.');
  if (!id || !secret || !isUuid(id)) throw bad();
  const tenant = await findTenant(db, input.tenant);
  if (!tenant) throw bad();
  const ok = await inTenant(db, tenant.id, async (tx) => {
    const row = (
      await sql<{ user_id: string; token_hash: string; live: boolean }>`
        select user_id, token_hash, (used_at is null and expires_at > now()) as live
        from password_reset_tokens where tenant_id = ${tenant.id} and id = ${id} for update`.execute(tx)
    ).rows[0];
    if (!row || !safeEqualHex(row.token_hash, sha256(secret)) || !row.live) return false;
    const user = await loadUserForReset(tx, tenant.id, { id: row.user_id });
    if (user?.status !== 'active') return false;
    await sql`update users set password_hash = ${await hashPassword(input.newPassword)}, password_changed_at = now()
      where tenant_id = ${tenant.id} and id = ${user.id}`.execute(tx);
    // This link and every other open link of the user are spent.
    await sql`update password_reset_tokens set used_at = now()
      where tenant_id = ${tenant.id} and user_id = ${user.id} and used_at is null`.execute(tx);
    const ended =
      await sql`delete from sessions where tenant_id = ${tenant.id} and user_id = ${user.id}`.execute(tx);
    await writeAudit(
      tx,
      { tenantId: tenant.id, actorId: user.id, actorKind: 'user', ip: input.ip, requestId: input.requestId },
      {
        action: 'password_reset',
        object: 'user',
        recordId: user.id,
        meta: { via: 'reset_link', endedSessions: Number(ended.numAffectedRows ?? 0) },
      },
    );
    return user.login;
  });
  if (!ok) throw bad();
  // Whoever proves the mailbox is past the sign-in back-off of the account.
  await clearAccount(db, signInKey(tenant.slug, ok));
}
