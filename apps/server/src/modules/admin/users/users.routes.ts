import {
  ADMIN_PERMISSIONS,
  ColleagueList,
  PasswordReset,
  User,
  UserCreated,
  UserDirectoryQuery,
  UserInput,
  UserList,
  UserPatch,
} from '@kehu/contracts/admin';
import { sql } from 'kysely';
import { recordChange } from '../../../core/audit/change.ts';
import { bumpAuthzVersion } from '../../../core/auth/access-loader.ts';
import { clearAccount, signInKey } from '../../../core/auth/login-throttle.ts';
import { generatePassword, hashPassword, passwordPolicyOk } from '../../../core/auth/password.ts';
import type { Tx } from '../../../core/db/tenant-scope.ts';
import { conflict, invalid, notFound } from '../../../core/errors.ts';
import { type ApiRequest, defineRoute, idParam, type RouteSpec } from '../../../core/http/route.ts';
import { newId } from '../../../core/ids.ts';
import { assertWithinOwnGrant, ownRolesRefusal, rolesGrant, userGrant } from '../roles/grant-check.ts';

const tags = ['admin'];
interface UserRow {
  id: string;
  login: string;
  name: string;
  email: string | null;
  phone: string | null;
  unit_id: string;
  unit_name: string;
  status: string;
  locale: string;
  last_login_at: Date | null;
  throttled_until: Date | null;
  role_ids: string[];
  version: number;
}
const out = (u: UserRow) => ({
  id: u.id,
  login: u.login,
  name: u.name,
  email: u.email,
  phone: u.phone,
  unitId: u.unit_id,
  unitName: u.unit_name,
  status: u.status,
  locale: u.locale,
  lastLoginAt: u.last_login_at,
  // Sign-in back-off in force on the account (from any address), which an admin may clear.
  lockedUntil: u.throttled_until,
  roleIds: u.role_ids ?? [],
  version: u.version,
});

async function loadUsers(tx: Tx, tenantId: string, id?: string): Promise<UserRow[]> {
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

async function checkUnitAndRoles(
  tx: Tx,
  tenantId: string,
  unitId: string | undefined,
  roleIds: string[] | undefined,
) {
  if (unitId) {
    const u = (
      await sql`select 1 from units where tenant_id = ${tenantId} and id = ${unitId} and deleted_at is null`.execute(
        tx,
      )
    ).rows[0];
    if (!u) throw invalid([{ field: 'unitId', code: 'lookup_missing' }]);
  }
  if (roleIds?.length) {
    const n = (
      await sql<{
        n: number;
      }>`select count(*)::int n from roles where tenant_id = ${tenantId} and id = any(${roleIds}::uuid[])`.execute(
        tx,
      )
    ).rows[0]!.n;
    if (n !== new Set(roleIds).size) throw invalid([{ field: 'roleIds', code: 'lookup_missing' }]);
  }
}

async function setRoles(tx: Tx, tenantId: string, userId: string, roleIds: string[]) {
  await sql`delete from user_roles where tenant_id = ${tenantId} and user_id = ${userId}`.execute(tx);
  for (const r of new Set(roleIds))
    await sql`insert into user_roles (tenant_id, user_id, role_id) values (${tenantId}, ${userId}, ${r})`.execute(
      tx,
    );
}

/** Editing, disabling or resetting a user is for those who hold at least what the user holds. */
async function assertMayManage(tx: Tx, req: ApiRequest, user: { id: string; unit_id: string }) {
  const t = req.principal.tenantId;
  const held = await userGrant(tx, t, user.id);
  await assertWithinOwnGrant(tx, req.principal, req.locale, held, 'grant.superior_user', user.unit_id);
}

const sameSet = (a: string[], b: string[]) => {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
};

export const userRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/admin/users',
    permission: ADMIN_PERMISSIONS.users,
    summary: 'List users',
    tags,
    response: UserList,
    handler: (req) =>
      req.tx(async (tx) => ({ items: (await loadUsers(tx, req.principal.tenantId)).map(out) }), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/admin/users',
    permission: ADMIN_PERMISSIONS.users,
    summary: 'Create a user (a generated one-time password is returned if none is given)',
    tags,
    status: 201,
    body: UserInput,
    response: UserCreated,
    handler: (req) =>
      req.tx(async (tx) => {
        const t = req.principal.tenantId;
        const b = req.body;
        if (b.password !== undefined && !passwordPolicyOk(b.password))
          throw invalid([{ field: 'password', code: 'password_policy' }]);
        await checkUnitAndRoles(tx, t, b.unitId, b.roleIds);
        await assertWithinOwnGrant(
          tx,
          req.principal,
          req.locale,
          await rolesGrant(tx, t, b.roleIds),
          'grant.exceeds',
          b.unitId,
        );
        const exists = (
          await sql`select 1 from users where tenant_id = ${t} and lower(login) = ${b.login.toLowerCase()}`.execute(
            tx,
          )
        ).rows[0];
        if (exists)
          throw conflict('conflict.exists', { what: b.login }, [{ field: 'login', code: 'unique' }]);
        const password = b.password ?? generatePassword();
        const id = newId();
        await sql`insert into users (tenant_id, id, login, name, email, phone, unit_id, password_hash, locale)
          values (${t}, ${id}, ${b.login}, ${b.name}, ${b.email ?? null}, ${b.phone ?? null}, ${b.unitId}, ${await hashPassword(password)}, ${b.locale ?? 'zh-CN'})`.execute(
          tx,
        );
        await setRoles(tx, t, id, b.roleIds);
        await recordChange(tx, req.actor, 'user.created', {
          action: 'create',
          object: 'user',
          recordId: id,
          meta: { login: b.login, unitId: b.unitId, roleIds: b.roleIds },
        });
        await bumpAuthzVersion(tx, t);
        const [u] = await loadUsers(tx, t, id);
        return { ...out(u!), ...(b.password ? {} : { password }) };
      }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/admin/users/:id',
    permission: ADMIN_PERMISSIONS.users,
    summary: 'Change a user: unit, roles, status (disable), name',
    tags,
    params: idParam,
    body: UserPatch,
    response: User,
    handler: (req) =>
      req.tx(async (tx) => {
        const t = req.principal.tenantId;
        const [cur] = await loadUsers(tx, t, req.params.id);
        if (!cur) throw notFound('user');
        const b = req.body;
        await checkUnitAndRoles(tx, t, b.unitId, b.roleIds);
        await assertMayManage(tx, req, cur);
        if (b.roleIds && cur.id === req.principal.userId && !sameSet(b.roleIds, cur.role_ids ?? []))
          throw ownRolesRefusal();
        if (b.roleIds || b.unitId) {
          const next = b.roleIds ? await rolesGrant(tx, t, b.roleIds) : await userGrant(tx, t, cur.id);
          await assertWithinOwnGrant(
            tx,
            req.principal,
            req.locale,
            next,
            'grant.exceeds',
            b.unitId ?? cur.unit_id,
          );
        }
        await sql`update users set name = coalesce(${b.name ?? null}, name), email = ${b.email === undefined ? cur.email : b.email},
          phone = ${b.phone === undefined ? cur.phone : b.phone}, unit_id = coalesce(${b.unitId ?? null}, unit_id),
          status = coalesce(${b.status ?? null}, status), locale = coalesce(${b.locale ?? null}, locale), version = version + 1, updated_at = now()
          where tenant_id = ${t} and id = ${cur.id}`.execute(tx);
        if (b.roleIds) await setRoles(tx, t, cur.id, b.roleIds);
        // Disabling a user ends their sessions at once.
        if (b.status === 'disabled')
          await sql`delete from sessions where tenant_id = ${t} and user_id = ${cur.id}`.execute(tx);
        const changes = Object.entries(b).map(([field, to]) => ({
          field,
          from: (out(cur) as any)[field] ?? null,
          to,
        }));
        await recordChange(tx, req.actor, 'user.updated', {
          action: b.roleIds || b.status ? 'permission_change' : 'update',
          object: 'user',
          recordId: cur.id,
          changes,
        });
        await bumpAuthzVersion(tx, t);
        const [u] = await loadUsers(tx, t, cur.id);
        return out(u!);
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/admin/users/:id/reset-password',
    permission: ADMIN_PERMISSIONS.users,
    summary: 'Reset a password to a new one-time password (shown once)',
    tags,
    params: idParam,
    response: PasswordReset,
    handler: (req) =>
      req.tx(async (tx) => {
        const t = req.principal.tenantId;
        const [cur] = await loadUsers(tx, t, req.params.id);
        if (!cur) throw notFound('user');
        await assertMayManage(tx, req, cur);
        const password = generatePassword();
        await sql`update users set password_hash = ${await hashPassword(password)}, failed_logins = 0, locked_until = null, password_changed_at = now()
          where tenant_id = ${t} and id = ${cur.id}`.execute(tx);
        await sql`delete from sessions where tenant_id = ${t} and user_id = ${cur.id}`.execute(tx);
        await clearAccount(tx, signInKey(await tenantCode(tx, t), cur.login));
        await recordChange(tx, req.actor, 'user.password_reset', {
          action: 'password_reset',
          object: 'user',
          recordId: cur.id,
        });
        return { password };
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/admin/users/:id/unlock',
    permission: ADMIN_PERMISSIONS.users,
    summary: 'End the sign-in back-off of a user (from every address)',
    tags,
    status: 204,
    params: idParam,
    handler: (req) =>
      req.tx(async (tx) => {
        const t = req.principal.tenantId;
        const [cur] = await loadUsers(tx, t, req.params.id);
        if (!cur) throw notFound('user');
        const cleared = await clearAccount(tx, signInKey(await tenantCode(tx, t), cur.login));
        await recordChange(tx, req.actor, 'user.unlocked', {
          action: 'sign_in_unlock',
          object: 'user',
          recordId: cur.id,
          meta: { cleared },
        });
      }),
  }),
];

const tenantCode = async (tx: Tx, tenantId: string) =>
  (await sql<{ slug: string }>`select slug from tenants where id = ${tenantId}`.execute(tx)).rows[0]!.slug;

/**
 * The people picker for everyone (owner fields, user filters): names and units of active users
 * the caller can see — their subtree, or the whole tenant with tenant-wide scope. No contact data.
 */
export const userDirectoryRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/users',
    permission: 'authenticated',
    summary: 'Find colleagues by name or login (for owner pickers)',
    tags: ['users'],
    query: UserDirectoryQuery,
    response: ColleagueList,
    handler: (req) =>
      req.tx(
        async (tx) => {
          const p = req.principal;
          const tenantWide = p.permissions.includes('*') || (p.dataScopes['*'] ?? 'own') === 'tenant';
          const ids = (req.query.ids ?? '').split(',').filter((s) => /^[0-9a-f-]{36}$/i.test(s));
          const term = req.query.q?.trim()
            ? `%${req.query.q.trim().replace(/[\\%_]/g, (m) => `\\${m}`)}%`
            : null;
          const rows = (
            await sql<{ id: string; name: string; login: string; unit_id: string; unit_name: string }>`
              select u.id, u.name, u.login, u.unit_id, un.name as unit_name from users u
              join units un on un.tenant_id = u.tenant_id and un.id = u.unit_id
              where u.tenant_id = ${p.tenantId} and u.status = 'active'
                and (${tenantWide} or u.unit_id = any(${p.subtreeUnitIds}::uuid[]) or u.id = ${p.userId})
                and (${term}::text is null or u.name ilike ${term} or u.login ilike ${term})
                and (${ids.length === 0} or u.id = any(${ids}::uuid[]))
              order by u.name limit ${req.query.limit}`.execute(tx)
          ).rows;
          return {
            items: rows.map((r) => ({
              id: r.id,
              name: r.name,
              login: r.login,
              unitId: r.unit_id,
              unitName: r.unit_name,
            })),
          };
        },
        { readOnly: true },
      ),
  }),
];
