import {
  ADMIN_PERMISSIONS,
  ColleagueList,
  OutboxMailList,
  PasswordReset,
  ResetLinkSent,
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
import { issueResetLink, loadUserForReset } from '../../../core/auth/password-reset.ts';
import type { TypedTx } from '../../../core/db/tenant-scope.ts';
import { AppError, conflict, invalid, notFound } from '../../../core/errors.ts';
import { type ApiRequest, defineRoute, idParam, type RouteSpec } from '../../../core/http/route.ts';
import { newId } from '../../../core/ids.ts';
import { mailMode, publicBaseUrl, sendMail } from '../../../core/mail/mailer.ts';
import { assertWithinOwnGrant, ownRolesRefusal, rolesGrant, userGrant } from '../roles/grant-check.ts';
import { loadUsers, type UserRow } from './users.queries.ts';

const tags = ['admin'];
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

async function checkUnitAndRoles(
  db: TypedTx,
  tenantId: string,
  unitId: string | undefined,
  roleIds: string[] | undefined,
) {
  if (unitId) {
    const u = await db
      .selectFrom('units')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', unitId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!u) throw invalid([{ field: 'unitId', code: 'lookup_missing' }]);
  }
  if (roleIds?.length) {
    const found = await db
      .selectFrom('roles')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', roleIds)
      .execute();
    if (found.length !== new Set(roleIds).size) throw invalid([{ field: 'roleIds', code: 'lookup_missing' }]);
  }
}

async function setRoles(db: TypedTx, tenantId: string, userId: string, roleIds: string[]) {
  await db.deleteFrom('user_roles').where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();
  const rows = [...new Set(roleIds)].map((role_id) => ({ tenant_id: tenantId, user_id: userId, role_id }));
  if (rows.length) await db.insertInto('user_roles').values(rows).execute();
}

/** Editing, disabling or resetting a user is for those who hold at least what the user holds. */
async function assertMayManage(tx: TypedTx, req: ApiRequest, user: { id: string; unit_id: string }) {
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
      req.tx(async (tx: TypedTx) => {
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
        const exists = await tx
          .selectFrom('users')
          .select('id')
          .where('tenant_id', '=', t)
          .where((eb) => eb(eb.fn('lower', ['login']), '=', b.login.toLowerCase()))
          .executeTakeFirst();
        if (exists)
          throw conflict('conflict.exists', { what: b.login }, [{ field: 'login', code: 'unique' }]);
        const password = b.password ?? generatePassword();
        const id = newId();
        await tx
          .insertInto('users')
          .values({
            tenant_id: t,
            id,
            login: b.login,
            name: b.name,
            email: b.email ?? null,
            phone: b.phone ?? null,
            unit_id: b.unitId,
            password_hash: await hashPassword(password),
            locale: b.locale ?? 'zh-CN',
          })
          .execute();
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
      req.tx(async (tx: TypedTx) => {
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
        await tx
          .updateTable('users')
          // Only what the request names, so a concurrent change to another field survives.
          .set((eb) => ({
            ...(b.name !== undefined && { name: b.name }),
            ...(b.email !== undefined && { email: b.email }),
            ...(b.phone !== undefined && { phone: b.phone }),
            ...(b.unitId !== undefined && { unit_id: b.unitId }),
            ...(b.status !== undefined && { status: b.status }),
            ...(b.locale !== undefined && { locale: b.locale }),
            version: eb('version', '+', 1),
            updated_at: sql<Date>`now()`,
          }))
          .where('tenant_id', '=', t)
          .where('id', '=', cur.id)
          .execute();
        if (b.roleIds) await setRoles(tx, t, cur.id, b.roleIds);
        // Disabling a user ends their sessions at once.
        if (b.status === 'disabled') await endSessions(tx, t, cur.id);
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
      req.tx(async (tx: TypedTx) => {
        const t = req.principal.tenantId;
        const [cur] = await loadUsers(tx, t, req.params.id);
        if (!cur) throw notFound('user');
        await assertMayManage(tx, req, cur);
        const password = generatePassword();
        await tx
          .updateTable('users')
          .set({
            password_hash: await hashPassword(password),
            failed_logins: 0,
            locked_until: null,
            password_changed_at: sql<Date>`now()`,
          })
          .where('tenant_id', '=', t)
          .where('id', '=', cur.id)
          .execute();
        await endSessions(tx, t, cur.id);
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
    url: '/admin/users/:id/send-reset-link',
    permission: ADMIN_PERMISSIONS.users,
    summary: 'Mail the user a one-time link (30 min) to set a new password themself',
    tags,
    params: idParam,
    response: ResetLinkSent,
    handler: async (req) => {
      const t = req.principal.tenantId;
      const link = await req.tx(async (tx: TypedTx) => {
        const [cur] = await loadUsers(tx, t, req.params.id);
        if (!cur) throw notFound('user');
        await assertMayManage(tx, req, cur);
        const user = await loadUserForReset(tx, t, { id: cur.id });
        if (!user?.email)
          throw new AppError('validation', 422, {
            detailKey: 'auth.no_email',
            errors: [{ field: 'email', code: 'required' }],
          });
        const made = await issueResetLink(tx, {
          tenantId: t,
          tenantSlug: await tenantCode(tx, t),
          user: { ...user, email: user.email },
          requestedBy: req.principal.userId,
          publicUrl: publicBaseUrl(),
        });
        await recordChange(tx, req.actor, 'user.reset_link_sent', {
          action: 'password_reset_link',
          object: 'user',
          recordId: cur.id,
          meta: { via: mailMode() },
        });
        return made;
      });
      await sendMail(req.database.db, t, link.mail);
      return { to: link.mail.to, via: mailMode() };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/admin/mail-outbox',
    permission: ADMIN_PERMISSIONS.users,
    summary:
      'Mail kept in the outbox because no SMTP server is configured (newest first, 50): only mail for users the caller may manage',
    tags,
    response: OutboxMailList,
    handler: (req) =>
      req.tx(
        async (tx: TypedTx) => {
          const rows = (
            await sql<{
              id: string;
              to_address: string;
              subject: string;
              body_text: string;
              kind: string;
              user_id: string | null;
              created_at: Date;
            }>`select id, to_address, subject, body_text, kind, user_id, created_at from mail_outbox
              where tenant_id = ${req.principal.tenantId} order by created_at desc limit 50`.execute(tx)
          ).rows;
          // A reset link is the account: an admin who may not reset a user's password (a superior)
          // must not read the link that user asked for either.
          const may = new Map<string, boolean>();
          for (const id of new Set(rows.map((r) => r.user_id).filter((x): x is string => !!x))) {
            const [u] = await loadUsers(tx, req.principal.tenantId, id);
            may.set(
              id,
              !!u &&
                (await assertMayManage(tx, req, u).then(
                  () => true,
                  () => false,
                )),
            );
          }
          return {
            items: rows
              .filter((r) => r.user_id === null || may.get(r.user_id))
              .map((r) => ({
                id: r.id,
                to: r.to_address,
                subject: r.subject,
                text: r.body_text,
                kind: r.kind,
                createdAt: r.created_at,
              })),
          };
        },
        { readOnly: true },
      ),
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
      req.tx(async (tx: TypedTx) => {
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

const tenantCode = async (db: TypedTx, tenantId: string) =>
  (await db.selectFrom('tenants').select('slug').where('id', '=', tenantId).executeTakeFirstOrThrow()).slug;

const endSessions = (db: TypedTx, tenantId: string, userId: string) =>
  db.deleteFrom('sessions').where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();

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
          const db = tx as TypedTx;
          let search = db
            .selectFrom('users as u')
            .innerJoin('units as un', (join) =>
              join.onRef('un.tenant_id', '=', 'u.tenant_id').onRef('un.id', '=', 'u.unit_id'),
            )
            .select(['u.id', 'u.name', 'u.login', 'u.unit_id', 'un.name as unit_name'])
            .where('u.tenant_id', '=', p.tenantId)
            .where('u.status', '=', 'active');
          if (!tenantWide)
            search = search.where((eb) =>
              eb.or([
                eb('u.id', '=', p.userId),
                ...(p.subtreeUnitIds.length ? [eb('u.unit_id', 'in', p.subtreeUnitIds)] : []),
              ]),
            );
          if (term)
            search = search.where((eb) => eb.or([eb('u.name', 'ilike', term), eb('u.login', 'ilike', term)]));
          if (ids.length) search = search.where('u.id', 'in', ids);
          const rows = await search.orderBy('u.name').limit(req.query.limit).execute();
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
