import { sql } from 'kysely';
import { writeAudit } from '../audit/audit.ts';
import type { Db } from '../db/database.ts';
import { inTenant, type Tx } from '../db/tenant-scope.ts';
import { invalid, unauthenticated } from '../errors.ts';
import { newId } from '../ids.ts';
import {
  assertNotThrottled,
  passwordCheckBuckets,
  recordFailure,
  recordSuccess,
  signInBuckets,
} from './login-throttle.ts';
import { hashPassword, passwordPolicyOk, verifyPassword } from './password.ts';
import { RateLimiter } from './rate-limit.ts';
import { randomToken, sha256 } from './tokens.ts';

/** A burst guard per (address, account) in front of the database-backed back-off. */
const loginLimiter = new RateLimiter(10, 60_000);

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
  const buckets = signInBuckets(input.tenant, input.login, input.ip);
  // Checked before the tenant or user is looked up: known and unknown logins wait alike.
  await assertNotThrottled(db, buckets, input.ip);
  // The only lookup made before a tenant is known: the tenant's id by its public code.
  const tenant = (
    await sql<{ id: string }>`select id from tenants where slug = ${input.tenant.toLowerCase()}`.execute(db)
  ).rows[0];
  if (!tenant) {
    await verifyPassword(null, input.password);
    await recordFailure(db, buckets, input.ip);
    throw unauthenticated('auth.bad_credentials');
  }
  const result = await inTenant(db, tenant.id, async (tx) => {
    const user = (
      await sql<{
        id: string;
        password_hash: string | null;
        status: string;
      }>`
        select id, password_hash, status from users
        where tenant_id = ${tenant.id} and lower(login) = ${input.login.toLowerCase()}`.execute(tx)
    ).rows[0];
    const actor = {
      tenantId: tenant.id,
      actorId: user?.id ?? null,
      actorKind: 'user' as const,
      ip: input.ip,
      requestId: input.requestId,
    };
    // Unknown users still pay for one verification (a dummy hash), so timing tells nothing.
    const ok = await verifyPassword(user?.password_hash ?? null, input.password);
    if (!user || !ok) {
      await writeAudit(tx, actor, { action: 'login_failed', meta: { login: input.login } });
      // Failed attempts must be recorded even though the request fails: commit, then reject.
      return null;
    }
    if (user.status !== 'active') throw unauthenticated('auth.disabled');
    return openSession(tx, { ...input, tenantId: tenant.id, userId: user.id }, ttlHours);
  });
  if (!result) {
    await recordFailure(db, buckets, input.ip);
    throw unauthenticated('auth.bad_credentials');
  }
  await recordSuccess(db, buckets);
  return result;
}

/**
 * A signed-in session for a user whose identity was proven (a password, or a sign-in method such as
 * 企业微信扫码登录): the `sessions` row, last_login_at and the `login` audit entry, in the caller's
 * tenant transaction. Callers check the user is active first.
 */
export async function openSession(
  tx: Tx,
  input: {
    tenantId: string;
    userId: string;
    ip: string;
    userAgent?: string;
    requestId?: string;
    method?: string;
  },
  ttlHours: number,
): Promise<LoginResult> {
  const { tenantId, userId } = input;
  const sessionId = newId();
  const secret = randomToken();
  const csrfToken = randomToken(24);
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await sql`insert into sessions (tenant_id, id, token_hash, user_id, csrf_token, ip, user_agent, expires_at)
    values (${tenantId}, ${sessionId}, ${sha256(secret)}, ${userId}, ${csrfToken}, ${input.ip}, ${input.userAgent?.slice(0, 300) ?? null}, ${expiresAt})`.execute(
    tx,
  );
  await sql`update users set last_login_at = now() where tenant_id = ${tenantId} and id = ${userId}`.execute(
    tx,
  );
  await writeAudit(
    tx,
    { tenantId, actorId: userId, actorKind: 'user', ip: input.ip, requestId: input.requestId },
    input.method ? { action: 'login', meta: { method: input.method } } : { action: 'login' },
  );
  return { cookie: `${sessionId}.${secret}`, csrfToken, tenantId, userId, expiresAt };
}

export async function logout(db: Db, tenantId: string, sessionId: string, userId: string, ip?: string) {
  await inTenant(db, tenantId, async (tx) => {
    await sql`delete from sessions where tenant_id = ${tenantId} and id = ${sessionId}`.execute(tx);
    await writeAudit(tx, { tenantId, actorId: userId, actorKind: 'user', ip }, { action: 'logout' });
  });
}

/** The session that changed the password, under a new secret and CSRF token. */
export interface RotatedSession {
  cookie: string;
  csrfToken: string;
  expiresAt: Date;
}

/**
 * Changing one's password proves the current one, throttled per user like sign-in, and ends
 * every other session of the user: whoever else held one (a stolen cookie, a shared computer)
 * is out. The session making the change lives on under a new cookie secret and CSRF token, so
 * a copy of its old cookie is out too.
 */
export async function changePassword(
  db: Db,
  who: { tenantId: string; userId: string; sessionId?: string; ip?: string },
  current: string,
  next: string,
): Promise<RotatedSession | null> {
  const { tenantId, userId } = who;
  if (!passwordPolicyOk(next)) throw invalid([{ field: 'newPassword', code: 'password_policy' }]);
  const buckets = passwordCheckBuckets(tenantId, userId);
  await assertNotThrottled(db, buckets);
  const ok = await inTenant(db, tenantId, async (tx) => {
    const row = (
      await sql<{
        password_hash: string;
      }>`select password_hash from users where tenant_id = ${tenantId} and id = ${userId}`.execute(tx)
    ).rows[0];
    if (!row || !(await verifyPassword(row.password_hash, current))) return null;
    await sql`update users set password_hash = ${await hashPassword(next)}, password_changed_at = now() where tenant_id = ${tenantId} and id = ${userId}`.execute(
      tx,
    );
    const ended = await sql`delete from sessions where tenant_id = ${tenantId} and user_id = ${userId}
      and (${who.sessionId ?? null}::uuid is null or id <> ${who.sessionId ?? null}::uuid)`.execute(tx);
    let rotated: RotatedSession | null = null;
    if (who.sessionId) {
      const secret = randomToken();
      const csrfToken = randomToken(24);
      const row = (
        await sql<{
          expires_at: Date;
        }>`update sessions set token_hash = ${sha256(secret)}, csrf_token = ${csrfToken}
          where tenant_id = ${tenantId} and id = ${who.sessionId} returning expires_at`.execute(tx)
      ).rows[0];
      if (row)
        rotated = { cookie: `${who.sessionId}.${secret}`, csrfToken, expiresAt: new Date(row.expires_at) };
    }
    await writeAudit(
      tx,
      { tenantId, actorId: userId, actorKind: 'user', ip: who.ip },
      {
        action: 'password_reset',
        object: 'user',
        recordId: userId,
        meta: { self: true, endedSessions: Number(ended.numAffectedRows ?? 0) },
      },
    );
    return { rotated };
  });
  if (!ok) {
    await recordFailure(db, buckets);
    throw invalid([{ field: 'currentPassword', code: 'pattern', message: undefined }], 'auth.wrong_password');
  }
  await recordSuccess(db, buckets);
  return ok.rotated;
}
