import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { inTenant } from '../db/tenant-scope.ts';
import { isUuid } from '../ids.ts';
import { loadPrincipal } from './access-loader.ts';
import type { Principal } from './principal.ts';
import { hexToUuid, safeEqualHex, sha256 } from './tokens.ts';

export const SESSION_COOKIE = 'kehu_session';
export const API_KEY_PREFIX = 'kh_';

/** Session cookie value: `<session id>.<secret>`; only sha256(secret) is stored. */
export async function principalFromSession(db: Db, cookie: string): Promise<Principal | null> {
  const [id, secret] = cookie.split('.');
  if (!isUuid(id) || !secret) return null;
  const row = (
    await sql<{
      tenant_id: string;
      user_id: string;
      token_hash: string;
      csrf_token: string;
      expires_at: Date;
      last_seen_at: Date;
      authz_version: number;
    }>`
      select s.tenant_id, s.user_id, s.token_hash, s.csrf_token, s.expires_at, s.last_seen_at, t.authz_version
      from sessions s join tenants t on t.id = s.tenant_id where s.id = ${id}`.execute(db)
  ).rows[0];
  if (!row || !safeEqualHex(row.token_hash, sha256(secret)) || new Date(row.expires_at) < new Date())
    return null;
  const base = await loadPrincipal(db, row.tenant_id, row.user_id, row.authz_version);
  if (!base) return null;
  if (Date.now() - new Date(row.last_seen_at).getTime() > 60_000) {
    await inTenant(db, row.tenant_id, (tx) =>
      sql`update sessions set last_seen_at = now() where tenant_id = ${row.tenant_id} and id = ${id}`.execute(
        tx,
      ),
    );
  }
  return { ...base, kind: 'user', sessionId: id, csrfToken: row.csrf_token };
}

const lastUsedWritten = new Map<string, number>();

/** API key: `kh_<key id hex>_<secret>`; stored hashed, scoped, tied to the user who made it. */
export async function principalFromApiKey(db: Db, key: string): Promise<Principal | null> {
  const m = /^kh_([0-9a-f]{32})_([A-Za-z0-9_-]{20,})$/.exec(key);
  const id = m ? hexToUuid(m[1]!) : null;
  if (!m || !id) return null;
  const row = (
    await sql<{
      tenant_id: string;
      user_id: string;
      key_hash: string;
      scopes: string[];
      revoked_at: Date | null;
      authz_version: number;
    }>`
      select k.tenant_id, k.user_id, k.key_hash, k.scopes, k.revoked_at, t.authz_version
      from api_keys k join tenants t on t.id = k.tenant_id where k.id = ${id}`.execute(db)
  ).rows[0];
  if (!row || row.revoked_at || !safeEqualHex(row.key_hash, sha256(m[2]!))) return null;
  const base = await loadPrincipal(db, row.tenant_id, row.user_id, row.authz_version);
  if (!base) return null;
  const now = Date.now();
  if (now - (lastUsedWritten.get(id) ?? 0) > 60_000) {
    lastUsedWritten.set(id, now);
    await inTenant(db, row.tenant_id, (tx) =>
      sql`update api_keys set last_used_at = now() where tenant_id = ${row.tenant_id} and id = ${id}`.execute(
        tx,
      ),
    );
  }
  return { ...base, kind: 'api_key', apiKeyId: id, apiScopes: row.scopes };
}
