import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Actor } from '../audit/audit.ts';
import {
  API_KEY_PREFIX,
  principalFromApiKey,
  principalFromSession,
  SESSION_COOKIE,
} from '../auth/authenticate.ts';
import { can, type Principal } from '../auth/principal.ts';
import { RateLimiter } from '../auth/rate-limit.ts';
import { sha256 } from '../auth/tokens.ts';
import type { Database } from '../db/database.ts';
import { inTenant, type Tx } from '../db/tenant-scope.ts';
import { AppError, badRequest, conflict, forbidden, invalid, unauthenticated } from '../errors.ts';
import { type Locale, pickLocale } from '../i18n/locale.ts';
import { findUnstorableText } from './json-text.ts';
import { zodToFieldErrors } from './problem.ts';

/**
 * Every API route is declared through `defineRoute`, and `permission` is required: routes
 * cannot forget their guard. `public` routes are few and listed by the route-table test;
 * `authenticated` needs a session or key; anything else is a permission string (or a
 * function of the path params, for generic record routes) checked with `can()`.
 */
export type Permission = 'public' | 'authenticated' | string | ((params: any, body: any) => string);

export interface ApiRequest<B = any, Q = any, P = any> {
  body: B;
  query: Q;
  params: P;
  principal: Principal;
  locale: Locale;
  actor: Actor;
  database: Database;
  raw: FastifyRequest;
  /** Runs `fn` in a tenant transaction (RLS on) for the caller's tenant. */
  tx<T>(fn: (tx: Tx) => Promise<T>, opts?: { readOnly?: boolean }): Promise<T>;
}

export interface RouteSpec<B = any, Q = any, P = any> {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  permission: Permission;
  summary: string;
  tags: string[];
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  response?: z.ZodType;
  /**
   * Media types of the file this route streams instead of JSON (exports, error reports): OpenAPI
   * lists them as binary content, and there is no JSON response to declare.
   */
  file?: string[];
  /** HTTP status of a successful reply (default 200; 204 sends no body). */
  status?: number;
  bodyLimit?: number;
  /** Accept non-JSON bodies (uploads) as a Buffer. */
  rawBody?: boolean;
  /** For the permission-matrix and bad-input tests: how to build a probe request for this route. */
  probe?: RouteProbe;
  handler(req: ApiRequest<B, Q, P>, reply: FastifyReply): Promise<unknown>;
}

/**
 * How the generated security tests probe a route (apps/server/src/testing/route-probe.ts).
 * `params` and `query` name what each value is: a probe kind (a tenant-owned thing the tests
 * create in another tenant or unit, see testing/probe-kinds.ts), `kind.field` for one of its
 * values, or `=literal`.
 */
export interface RouteProbe {
  object?: string;
  /** Why the route cannot be probed at all (kept rare: the matrix lists every skip). */
  skip?: string;
  params?: Record<string, string>;
  query?: Record<string, string>;
  /** Body properties that name things (same syntax), merged into the body sampled from the schema. */
  body?: Record<string, string>;
  /** Why the bad-input test cannot send this route a malformed body. */
  badInput?: string;
  /** A valid body to start from when the schema is too rich to sample (a graph with rules across its parts). */
  sample?: Record<string, unknown>;
}

export const defineRoute = <B = any, Q = any, P = any>(spec: RouteSpec<B, Q, P>) => spec;

/** Every route ever registered, for OpenAPI and the permission-matrix test. */
export const routeTable: RouteSpec[] = [];

const apiKeyLimiter = new RateLimiter(600, 60_000);
const MUTATING = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

export async function authenticate(database: Database, req: FastifyRequest): Promise<Principal | null> {
  const auth = req.headers.authorization;
  if (auth?.startsWith(`Bearer ${API_KEY_PREFIX}`)) {
    const p = await principalFromApiKey(database.db, auth.slice(7).trim());
    if (p) apiKeyLimiter.hit(p.apiKeyId!);
    return p;
  }
  const cookie = req.cookies?.[SESSION_COOKIE];
  return cookie ? principalFromSession(database.db, cookie) : null;
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  // Before any schema: text PostgreSQL cannot store, or nesting that would exhaust the stack.
  const unstorable = findUnstorableText(value);
  if (unstorable) throw invalid([unstorable]);
  if (!schema) return value as T;
  const r = schema.safeParse(value ?? (where === 'body' ? {} : value));
  if (!r.success) {
    const errors = zodToFieldErrors(r.error);
    throw new AppError('validation', 422, {
      errors,
      detailKey: 'validation.fields',
      params: { count: errors.length },
    });
  }
  return r.data;
}

export function registerRoutes(
  app: FastifyInstance,
  database: Database,
  routes: RouteSpec[],
  prefix = '/api/v1',
) {
  for (const spec of routes) {
    if (!spec.permission) throw new Error(`route ${spec.method} ${spec.url} declares no permission`);
    routeTable.push({ ...spec, url: prefix + spec.url });
    app.route({
      method: spec.method,
      url: prefix + spec.url,
      bodyLimit: spec.bodyLimit,
      config: { rawBody: spec.rawBody ?? false },
      handler: async (request, reply) => {
        const principal = spec.permission === 'public' ? null : await authenticate(database, request);
        if (spec.permission !== 'public') {
          if (!principal) throw unauthenticated();
          if (
            principal.kind === 'user' &&
            MUTATING.has(spec.method) &&
            request.headers['x-csrf-token'] !== principal.csrfToken
          ) {
            throw new AppError('forbidden', 403, { detailKey: 'auth.csrf' });
          }
          const params = request.params as Record<string, string>;
          const needed =
            typeof spec.permission === 'function' ? spec.permission(params, request.body) : spec.permission;
          if (needed !== 'authenticated' && !can(principal, needed)) {
            if (principal.kind === 'api_key' && can({ ...principal, apiScopes: undefined }, needed))
              throw new AppError('forbidden', 403, { detailKey: 'auth.scope', params: { scope: needed } });
            throw forbidden(needed);
          }
        }
        const locale = pickLocale(request.headers['accept-language'], principal?.locale ?? 'zh-CN');
        const actor: Actor = {
          tenantId: principal?.tenantId ?? '',
          actorId: principal?.userId ?? null,
          actorKind: principal?.kind ?? 'system',
          ip: request.ip,
          requestId: String(request.id),
        };
        const input: ApiRequest = {
          params: parse(spec.params, request.params, 'params'),
          query: parse(spec.query, request.query, 'query'),
          body: spec.rawBody ? request.body : parse(spec.body, request.body, 'body'),
          // Messages built deep in services read principal.locale: it must be the request's language.
          principal: (principal && principal.locale !== locale
            ? { ...principal, locale }
            : principal) as Principal,
          locale,
          actor,
          database,
          raw: request,
          tx: (fn, opts) => inTenant(database.db, principal!.tenantId, fn, opts),
        };
        const idemKey = request.headers['idempotency-key'];
        if (spec.method === 'POST' && principal && typeof idemKey === 'string' && idemKey.length > 0) {
          return withIdempotency(input, String(idemKey), spec, reply);
        }
        const result = await spec.handler(input, reply);
        return send(reply, spec, result);
      },
    });
  }
}

/**
 * Tests run with KEHU_CHECK_RESPONSES=1 (testing/harness.ts): every response is checked against
 * the route's declared schema in its wire form, so the schemas OpenAPI publishes and the web's
 * types come from cannot drift from what the server sends. Production does not pay for it.
 */
function checkResponse(spec: RouteSpec, result: unknown) {
  if (!spec.response || result === undefined) return;
  const wire = JSON.parse(JSON.stringify(result));
  const r = spec.response.safeParse(wire);
  if (!r.success)
    throw new Error(
      `response of ${spec.method} ${spec.url} does not match its declared schema: ${r.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')}`,
    );
}

function send(reply: FastifyReply, spec: RouteSpec, result: unknown) {
  if (reply.sent) return reply;
  if (process.env.KEHU_CHECK_RESPONSES === '1') checkResponse(spec, result);
  if (spec.status === 204) return reply.status(204).send();
  if (spec.status) reply.status(spec.status);
  return result;
}

/**
 * Idempotency-Key: the first request with a key stores its response; a retry with the same
 * key and body gets that response again, a retry with a different body gets 422, and a retry
 * while the first is still running gets 409.
 */
async function withIdempotency(input: ApiRequest, key: string, spec: RouteSpec, reply: FastifyReply) {
  if (key.length > 200) throw badRequest('bad_request.body');
  const principalId = input.principal.apiKeyId ?? input.principal.userId;
  const requestHash = sha256(`${input.raw.url}\n${JSON.stringify(input.body ?? null)}`);
  const existing = await input.tx(async (tx) => {
    const row = (
      await sql<{ request_hash: string; status_code: number | null; response: unknown }>`
        select request_hash, status_code, response from idempotency_keys
        where tenant_id = ${input.principal.tenantId} and principal = ${principalId} and key = ${key}`.execute(
        tx,
      )
    ).rows[0];
    if (!row) {
      await sql`insert into idempotency_keys (tenant_id, principal, key, request_hash)
        values (${input.principal.tenantId}, ${principalId}, ${key}, ${requestHash})`.execute(tx);
    }
    return row;
  });
  if (existing) {
    if (existing.request_hash !== requestHash)
      throw new AppError('validation', 422, {
        detailKey: 'conflict.idempotency',
        errors: [{ field: 'Idempotency-Key', code: 'unique' }],
      });
    if (existing.status_code === null) throw conflict('conflict.idempotency');
    reply.header('idempotent-replay', 'true');
    return reply.status(existing.status_code).send(existing.response ?? undefined);
  }
  try {
    const result = await spec.handler(input, reply);
    const status = spec.status ?? 200;
    await input.tx((tx) =>
      sql`update idempotency_keys set status_code = ${status}, response = ${JSON.stringify(result ?? null)}::jsonb
        where tenant_id = ${input.principal.tenantId} and principal = ${principalId} and key = ${key}`.execute(
        tx,
      ),
    );
    return send(reply, spec, result);
  } catch (err) {
    // A failed attempt does not consume the key: the client may retry it.
    await input.tx((tx) =>
      sql`delete from idempotency_keys where tenant_id = ${input.principal.tenantId} and principal = ${principalId} and key = ${key}`.execute(
        tx,
      ),
    );
    throw err;
  }
}

export const idParam = z.object({ id: z.uuid() });
