import { sql } from 'kysely';
import { writeAudit } from '../audit/audit.ts';
import type { Db } from '../db/database.ts';
import { inTenant } from '../db/tenant-scope.ts';
import { AppError, invalid, unauthenticated } from '../errors.ts';
import { newId } from '../ids.ts';
import { hashPassword, passwordPolicyOk, verifyPassword } from './password.ts';
import { RateLimiter } from './rate-limit.ts';
import { randomToken, sha256 } from './tokens.ts';

const loginLimiter = new RateLimiter(10, 60_000);
/** After this many consecutive failures the account locks, doubling each time (back-off). */
const LOCK_AFTER = 5;
const BASE_LOCK_MINUTES = 15;

export interface LoginInput {
  tenant: string;
  login: string;
  password: string;
  ip: string;
  userAgent?: string;
  requestId?: string;
}

export interface LoginResult {
  cookie: string;
  csrfToken: string;
  tenantId: string;
  userId: string;
  expiresAt: Date;
}

export async function login(db: Db, input: LoginInput, ttlHours: number): Promise<LoginResult> {
  loginLimiter.hit(`${input.ip}|${input.tenant.toLowerCase()}|${input.login.toLowerCase()}`);
  // The only lookup made before a tenant is known: the tenant's id by its public code.
  const tenant = (
    await sql<{ id: string }>`select id from tenants where slug = ${input.tenant.toLowerCase()}`.execute(db)
  ).rows[0];
  if (!tenant) {
    await verifyPassword(null, input.password);
    throw unauthenticated('auth.bad_credentials');
  }
  return inTenant(db, tenant.id, async (tx) => {
    const user = (
      await sql<{
        id: string;
        password_hash: string | null;
        status: string;
        failed_logins: number;
        locked_until: Date | null;
      }>`
        select id, password_hash, status, failed_logins, locked_until from users
        where tenant_id = ${tenant.id} and lower(login) = ${input.login.toLowerCase()} for update`.execute(tx)
    ).rows[0];
    const actor = {
      tenantId: tenant.id,
      actorId: user?.id ?? null,
      actorKind: 'user' as const,
      ip: input.ip,
      requestId: input.requestId,
    };
    if (user?.locked_until && new Date(user.locked_until) > new Date()) {
      const minutes = Math.ceil((new Date(user.locked_until).getTime() - Date.now()) / 60_000);
      throw new AppError('unauthenticated', 401, { detailKey: 'auth.locked', params: { minutes } });
    }
    const ok = await verifyPassword(user?.password_hash ?? null, input.password);
    if (!user || !ok) {
      if (user) {
        const failures = user.failed_logins + 1;
        const lockMinutes =
          failures >= LOCK_AFTER ? BASE_LOCK_MINUTES * 2 ** Math.min(failures - LOCK_AFTER, 6) : 0;
        await sql`update users set failed_logins = ${failures},
          locked_until = ${lockMinutes ? new Date(Date.now() + lockMinutes * 60_000) : null}
          where tenant_id = ${tenant.id} and id = ${user.id}`.execute(tx);
      }
      await writeAudit(tx, actor, { action: 'login_failed', meta: { login: input.login } });
      // Failed attempts must be recorded even though the request fails: commit, then reject.
      return null;
    }
    if (user.status !== 'active') throw unauthenticated('auth.disabled');
    const sessionId = newId();
    const secret = randomToken();
    const csrfToken = randomToken(24);
    const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
    await sql`insert into sessions (tenant_id, id, token_hash, user_id, csrf_token, ip, user_agent, expires_at)
      values (${tenant.id}, ${sessionId}, ${sha256(secret)}, ${user.id}, ${csrfToken}, ${input.ip}, ${input.userAgent?.slice(0, 300) ?? null}, ${expiresAt})`.execute(
      tx,
    );
    await sql`update users set failed_logins = 0, locked_until = null, last_login_at = now() where tenant_id = ${tenant.id} and id = ${user.id}`.execute(
      tx,
    );
    await writeAudit(tx, actor, { action: 'login' });
    return { cookie: `${sessionId}.${secret}`, csrfToken, tenantId: tenant.id, userId: user.id, expiresAt };
  }).then((r) => {
    if (!r) throw unauthenticated('auth.bad_credentials');
    return r;
  });
}

export async function logout(db: Db, tenantId: string, sessionId: string, userId: string, ip?: string) {
  await inTenant(db, tenantId, async (tx) => {
    await sql`delete from sessions where tenant_id = ${tenantId} and id = ${sessionId}`.execute(tx);
    await writeAudit(tx, { tenantId, actorId: userId, actorKind: 'user', ip }, { action: 'logout' });
  });
}

export async function changePassword(
  db: Db,
  tenantId: string,
  userId: string,
  current: string,
  next: string,
) {
  if (!passwordPolicyOk(next)) throw invalid([{ field: 'newPassword', code: 'password_policy' }]);
  await inTenant(db, tenantId, async (tx) => {
    const row = (
      await sql<{
        password_hash: string;
      }>`select password_hash from users where tenant_id = ${tenantId} and id = ${userId}`.execute(tx)
    ).rows[0];
    if (!row || !(await verifyPassword(row.password_hash, current)))
      throw invalid(
        [{ field: 'currentPassword', code: 'pattern', message: undefined }],
        'auth.wrong_password',
      );
    await sql`update users set password_hash = ${await hashPassword(next)}, password_changed_at = now() where tenant_id = ${tenantId} and id = ${userId}`.execute(
      tx,
    );
    await writeAudit(
      tx,
      { tenantId, actorId: userId, actorKind: 'user' },
      { action: 'password_reset', object: 'user', recordId: userId, meta: { self: true } },
    );
  });
}
