import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { inTenant } from '../db/tenant-scope.ts';
import type { Locale } from '../i18n/locale.ts';
import { mergeRoles, type Principal, type RoleGrant } from './principal.ts';

interface CachedAccess {
  authzVersion: number;
  principal: Principal;
}

/**
 * Principals are cached per user and keyed by the tenant's authz_version, which every
 * change to roles, users, units or field metadata bumps: a permission change takes effect on
 * the very next request, in every process, at the cost of reading one integer per request.
 */
const cache = new Map<string, CachedAccess>();
const MAX_CACHE = 10_000;

export async function loadPrincipal(
  db: Db,
  tenantId: string,
  userId: string,
  authzVersion: number,
): Promise<Omit<Principal, 'kind'> | null> {
  const key = `${tenantId}:${userId}`;
  const hit = cache.get(key);
  if (hit && hit.authzVersion === authzVersion) return hit.principal;
  const principal = await inTenant(
    db,
    tenantId,
    async (tx) => {
      const user = (
        await sql<{ id: string; name: string; unit_id: string; locale: Locale; status: string }>`
          select id, name, unit_id, locale, status from users where tenant_id = ${tenantId} and id = ${userId}`.execute(
          tx,
        )
      ).rows[0];
      if (user?.status !== 'active') return null;
      const roles = (
        await sql<{
          permissions: string[];
          data_scopes: RoleGrant['dataScopes'];
          field_access: RoleGrant['fieldAccess'];
        }>`
          select r.permissions, r.data_scopes, r.field_access from user_roles ur
          join roles r on r.tenant_id = ur.tenant_id and r.id = ur.role_id
          where ur.tenant_id = ${tenantId} and ur.user_id = ${userId}`.execute(tx)
      ).rows;
      const unit = (
        await sql<{
          path: string;
        }>`select path from units where tenant_id = ${tenantId} and id = ${user.unit_id}`.execute(tx)
      ).rows[0];
      const subtree = unit
        ? (
            await sql<{
              id: string;
            }>`select id from units where tenant_id = ${tenantId} and path like ${`${unit.path}%`} and deleted_at is null`.execute(
              tx,
            )
          ).rows.map((r) => r.id)
        : [user.unit_id];
      const merged = mergeRoles(
        roles.map((r) => ({
          permissions: r.permissions,
          dataScopes: r.data_scopes,
          fieldAccess: r.field_access,
        })),
      );
      return {
        tenantId,
        userId,
        userName: user.name,
        unitId: user.unit_id,
        locale: user.locale,
        ...merged,
        subtreeUnitIds: subtree,
        authzVersion,
      } satisfies Omit<Principal, 'kind'>;
    },
    { readOnly: true },
  );
  if (principal) {
    if (cache.size >= MAX_CACHE) cache.clear();
    cache.set(key, { authzVersion, principal: principal as Principal });
  }
  return principal;
}

/** Call inside the transaction that changes roles, users, units or field metadata. */
export async function bumpAuthzVersion(tx: Db, tenantId: string): Promise<void> {
  await sql`update tenants set authz_version = authz_version + 1 where id = ${tenantId}`.execute(tx);
}
