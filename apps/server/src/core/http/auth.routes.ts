import {
  Me,
  PasswordChange,
  PasswordChanged,
  PasswordResetConfirm,
  PasswordResetRequest,
  ProfilePatch,
  SignedIn,
  SignIn,
  SignInMethods,
  SignInMethodsQuery,
} from '@kehu/contracts/auth';
import { Ok } from '@kehu/contracts/common';
import type { FastifyReply } from 'fastify';
import { sql } from 'kysely';
import { bumpAuthzVersion } from '../auth/access-loader.ts';
import { changePassword, login, logout } from '../auth/auth.service.ts';
import { SESSION_COOKIE } from '../auth/authenticate.ts';
import { requestPasswordReset, resetPassword } from '../auth/password-reset.ts';
import { signInMethods } from '../auth/sign-in-methods.ts';
import { inTenant } from '../db/tenant-scope.ts';
import { publicBaseUrl } from '../mail/mailer.ts';
import { defineRoute, type RouteSpec } from './route.ts';

const tags = ['auth'];

export interface AuthRouteOptions {
  sessionTtlHours: number;
  cookieSecure: boolean;
  /** A demo install (KEHU_SEED_DEMO): the login page shows the demo accounts. */
  demo?: boolean;
}

let sessionOptions: AuthRouteOptions = { sessionTtlHours: 24 * 7, cookieSecure: false };

/**
 * Sets the session cookie exactly as `/auth/login` does; for sign-in methods that run their own
 * protocol outside these routes (core/auth/sign-in-methods.ts). Returns the session lifetime.
 */
export const sessionSettings = (): Readonly<AuthRouteOptions> => sessionOptions;
export function setSessionCookie(reply: FastifyReply, session: { cookie: string; expiresAt: Date }): void {
  reply.setCookie(SESSION_COOKIE, session.cookie, {
    httpOnly: true,
    sameSite: 'lax',
    secure: sessionOptions.cookieSecure,
    path: '/',
    expires: session.expiresAt,
  });
}

export function authRoutes(opts: AuthRouteOptions): RouteSpec[] {
  sessionOptions = opts;
  return [
    defineRoute({
      method: 'GET',
      url: '/auth/sign-in-methods',
      permission: 'public',
      summary:
        'Sign-in methods besides a password that this tenant offers (contributed by modules); demo flag',
      tags,
      query: SignInMethodsQuery,
      response: SignInMethods,
      handler: async (req) => {
        const slug = req.query.tenant.toLowerCase();
        const tenant = slug
          ? (await sql<{ id: string }>`select id from tenants where slug = ${slug}`.execute(req.database.db))
              .rows[0]
          : undefined;
        const all = signInMethods();
        const offered = tenant
          ? await inTenant(
              req.database.db,
              tenant.id,
              async (tx) => {
                const out = [];
                for (const m of all) if (!m.enabledFor || (await m.enabledFor(tx, tenant.id))) out.push(m);
                return out;
              },
              { readOnly: true },
            )
          : all.filter((m) => !m.enabledFor);
        return {
          items: offered.map((m) => ({
            key: m.key,
            label: m.label,
            startUrl: m.startUrl.replaceAll('{tenant}', encodeURIComponent(slug)),
            icon: m.icon ?? null,
          })),
          demo: !!opts.demo,
        };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/auth/password-reset',
      permission: 'public',
      summary:
        'Forgotten password: mails a one-time reset link (30 min) when the account has an email; same answer either way',
      tags,
      status: 202,
      body: PasswordResetRequest,
      response: Ok,
      handler: async (req) => {
        await requestPasswordReset(req.database.db, {
          tenant: req.body.tenant,
          login: req.body.login,
          ip: req.raw.ip,
          requestId: String(req.raw.id),
          publicUrl: publicBaseUrl(),
        });
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/auth/password-reset/confirm',
      permission: 'public',
      summary: 'Set a new password with a reset link; ends every session of the user',
      tags,
      body: PasswordResetConfirm,
      response: Ok,
      handler: async (req) => {
        await resetPassword(req.database.db, {
          tenant: req.body.tenant,
          token: req.body.token,
          newPassword: req.body.newPassword,
          ip: req.raw.ip,
          requestId: String(req.raw.id),
        });
        return { ok: true as const };
      },
    }),
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
