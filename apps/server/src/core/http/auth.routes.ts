import { Me, PasswordChange, PasswordChanged, ProfilePatch, SignedIn, SignIn } from '@kehu/contracts/auth';
import { Ok } from '@kehu/contracts/common';
import { sql } from 'kysely';
import { bumpAuthzVersion } from '../auth/access-loader.ts';
import { changePassword, login, logout } from '../auth/auth.service.ts';
import { SESSION_COOKIE } from '../auth/authenticate.ts';
import { defineRoute, type RouteSpec } from './route.ts';

const tags = ['auth'];

export function authRoutes(opts: { sessionTtlHours: number; cookieSecure: boolean }): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/auth/login',
      permission: 'public',
      summary: 'Sign in with a password; sets the session cookie',
      tags,
      body: SignIn,
      response: SignedIn,
      handler: async (req, reply) => {
        const r = await login(
          req.database.db,
          {
            ...req.body,
            ip: req.raw.ip,
            userAgent: req.raw.headers['user-agent'],
            requestId: String(req.raw.id),
          },
          opts.sessionTtlHours,
        );
        reply.setCookie(SESSION_COOKIE, r.cookie, {
          httpOnly: true,
          sameSite: 'lax',
          secure: opts.cookieSecure,
          path: '/',
          expires: r.expiresAt,
        });
        return { csrfToken: r.csrfToken, tenantId: r.tenantId, userId: r.userId };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/auth/logout',
      permission: 'authenticated',
      summary: 'Sign out',
      tags,
      status: 204,
      handler: async (req, reply) => {
        if (req.principal.sessionId)
          await logout(
            req.database.db,
            req.principal.tenantId,
            req.principal.sessionId,
            req.principal.userId,
            req.raw.ip,
          );
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/auth/me',
      permission: 'authenticated',
      summary: 'The signed-in user, tenant, permissions and selectable units',
      tags,
      response: Me,
      handler: (req) =>
        req.tx(
          async (tx) => {
            const p = req.principal;
            const user = (
              await sql<{
                id: string;
                login: string;
                name: string;
                email: string | null;
                locale: string;
                unit_id: string;
                unit_name: string;
              }>`
                select u.id, u.login, u.name, u.email, u.locale, u.unit_id, un.name as unit_name from users u
                join units un on un.tenant_id = u.tenant_id and un.id = u.unit_id
                where u.tenant_id = ${p.tenantId} and u.id = ${p.userId}`.execute(tx)
            ).rows[0]!;
            const tenant = (
              await sql<{
                id: string;
                name: string;
                slug: string;
              }>`select id, name, slug from tenants where id = ${p.tenantId}`.execute(tx)
            ).rows[0]!;
            const tenantWide = (p.dataScopes['*'] ?? 'own') === 'tenant' || p.permissions.includes('*');
            const units = (
              await sql<{
                id: string;
                name: string;
                parent_id: string | null;
                type: string;
                path: string;
                depth: number;
              }>`
                select id, name, parent_id, type, path, depth from units where tenant_id = ${p.tenantId} and deleted_at is null
                and (${tenantWide} or id = any(${p.subtreeUnitIds}::uuid[])) order by path`.execute(tx)
            ).rows;
            return {
              user: {
                id: user.id,
                login: user.login,
                name: user.name,
                email: user.email,
                locale: user.locale,
                unitId: user.unit_id,
                unitName: user.unit_name,
              },
              tenant,
              permissions: p.permissions,
              dataScopes: p.dataScopes,
              units: units.map((u) => ({
                id: u.id,
                name: u.name,
                parentId: u.parent_id,
                type: u.type,
                path: u.path,
                depth: u.depth,
              })),
              csrfToken: p.csrfToken ?? null,
            };
          },
          { readOnly: true },
        ),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/auth/me',
      permission: 'authenticated',
      summary: 'Change own name or language',
      tags,
      body: ProfilePatch,
      response: Ok,
      handler: (req) =>
        req.tx(async (tx) => {
          const p = req.principal;
          await sql`update users set locale = coalesce(${req.body.locale ?? null}, locale), name = coalesce(${req.body.name ?? null}, name), updated_at = now()
            where tenant_id = ${p.tenantId} and id = ${p.userId}`.execute(tx);
          await bumpAuthzVersion(tx, p.tenantId);
          return { ok: true };
        }),
    }),
    defineRoute({
      method: 'POST',
      url: '/auth/password',
      permission: 'authenticated',
      summary:
        'Change own password: ends every other session of the user; this one gets a new cookie and CSRF token',
      tags,
      body: PasswordChange,
      response: PasswordChanged,
      handler: async (req, reply) => {
        const rotated = await changePassword(
          req.database.db,
          {
            tenantId: req.principal.tenantId,
            userId: req.principal.userId,
            sessionId: req.principal.sessionId,
            ip: req.raw.ip,
          },
          req.body.currentPassword,
          req.body.newPassword,
        );
        if (rotated)
          reply.setCookie(SESSION_COOKIE, rotated.cookie, {
            httpOnly: true,
            sameSite: 'lax',
            secure: opts.cookieSecure,
            path: '/',
            expires: rotated.expiresAt,
          });
        return { csrfToken: rotated?.csrfToken ?? null };
      },
    }),
  ];
}
