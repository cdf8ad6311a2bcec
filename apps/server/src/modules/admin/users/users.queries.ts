import { sql } from 'kysely';
import type { Tx } from '../../../core/db/tenant-scope.ts';

export interface UserRow {
  id: string;
  login: string;
  name: string;
  email: string | null;
  phone: string | null;
  unit_id: string;
  unit_name: string | null;
  status: string;
  locale: string;
  last_login_at: Date | null;
  throttled_until: Date | null;
  role_ids: string[];
  version: number;
}

/**
 * Users with their unit's name, their role ids and the sign-in back-off in force on their account.
 * The back-off is keyed by a hash of tenant code and login (core/auth/login-throttle.ts), computed
 * here in SQL so one query answers for the whole list.
 */
export async function loadUsers(tx: Tx, tenantId: string, id?: string): Promise<UserRow[]> {
  return (
    await sql<UserRow>`select u.*, un.name as unit_name,
        coalesce((select array_agg(ur.role_id) from user_roles ur where ur.tenant_id = u.tenant_id and ur.user_id = u.id), '{}') as role_ids,
        (select max(lt.blocked_until) from login_throttle lt where lt.blocked_until > now()
          and lt.account_key = encode(sha256(convert_to(lower(t.slug) || E'\\n' || lower(u.login), 'UTF8')), 'hex')) as throttled_until
      from users u join tenants t on t.id = u.tenant_id
        left join units un on un.tenant_id = u.tenant_id and un.id = u.unit_id
      where u.tenant_id = ${tenantId} and (${id ?? null}::uuid is null or u.id = ${id ?? null}::uuid) order by u.created_at, u.login`.execute(
      tx,
    )
  ).rows;
}
