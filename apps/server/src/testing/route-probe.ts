import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { RouteSpec } from '../core/http/route.ts';

/**
 * Route classification for the permission-matrix test. Every route in `routeTable` falls into
 * one shape the matrix knows how to probe, or declares `probe: { skip }`; anything else is
 * reported as unprobeable so a new route can never slip past the matrix silently.
 */
export type RouteShape =
  | { kind: 'public' }
  | { kind: 'skip'; reason: string }
  /** `/records/:object/:id[/<verb>]`: one record, decided by the row scope. */
  | { kind: 'record-item'; action: string }
  /** `GET /records/:object[/<literal>]` or a POST whose body accepts `{}` (query): lists. */
  | { kind: 'record-list' }
  | { kind: 'record-create' }
  | { kind: 'record-bulk' }
  /** Routes guarded by an `admin:*` permission. */
  | { kind: 'admin'; params: string[] }
  /** `authenticated` routes without path params: they act on the caller only. */
  | { kind: 'self' }
  /** Other routes with an id of something tenant-owned (views, imports …). */
  | { kind: 'foreign-id'; params: string[] }
  /** `/meta/objects/:object[/fields/:field]` readable with `<object>:read`. */
  | { kind: 'metadata' }
  /**
   * Routes whose path or query names a tenant-owned thing (`probe.params` / `probe.query`): the
   * matrix creates that thing in the other tenant (and, for unit-scoped kinds, in a sibling and
   * a parent unit) and expects 404 for it, and not 404 for the caller's own.
   */
  | {
      kind: 'owned';
      params: Record<string, string>;
      query: Record<string, string>;
      body: Record<string, string>;
    }
  /** Tenant-wide reads without a thing in the path (lists, configuration, figures). */
  | { kind: 'tenant-read' }
  /** Tenant-wide writes without a thing in the path (configuration, creates, previews). */
  | { kind: 'tenant-write' }
  | { kind: 'unprobeable'; why: string };

export const API_PREFIX = '/api/v1';
const KNOWN_PARAMS = new Set(['object', 'id', 'field']);

export const pathParams = (url: string) => [...url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
export const localUrl = (r: RouteSpec) =>
  r.url.startsWith(API_PREFIX) ? r.url.slice(API_PREFIX.length) : r.url;
export const routeName = (r: RouteSpec) => `${r.method} ${localUrl(r)}`;

/** The action a route performs, for the matrix columns (read, list, create, update, delete). */
export function routeAction(r: RouteSpec): string {
  const url = localUrl(r);
  if (r.method === 'GET') return pathParams(url).includes('id') || /\/:field$/.test(url) ? 'read' : 'list';
  if (r.method === 'DELETE') return 'delete';
  if (/\/restore$/.test(url)) return 'delete';
  if (r.method === 'PATCH' || r.method === 'PUT') return 'update';
  if (/\/query$/.test(url)) return 'list';
  if (/\/unmask$/.test(url)) return 'read';
  return pathParams(url).includes('id') ? 'update' : 'create';
}

export function classify(r: RouteSpec): RouteShape {
  if (r.probe?.skip) return { kind: 'skip', reason: r.probe.skip };
  if (r.permission === 'public') return { kind: 'public' };
  const url = localUrl(r);
  const params = pathParams(url);
  const declared = r.probe?.params ?? {};
  const query = r.probe?.query ?? {};
  const body = r.probe?.body ?? {};
  const names = (m: Record<string, string>) => Object.values(m).some((v) => !v.startsWith('='));
  if (typeof r.permission === 'string' && !r.permission.startsWith('admin:')) {
    if (names(declared) || names(query) || names(body))
      return { kind: 'owned', params: declared, query, body };
    if (params.every((p) => p in declared) && r.permission !== 'authenticated' && !r.rawBody)
      return { kind: r.method === 'GET' ? 'tenant-read' : 'tenant-write' };
  }
  const unknown = params.filter((p) => !KNOWN_PARAMS.has(p) && !(p in declared));
  if (unknown.length)
    return { kind: 'unprobeable', why: `path params the matrix cannot fill: ${unknown.join(', ')}` };
  if (typeof r.permission === 'string' && r.permission.startsWith('admin:')) return { kind: 'admin', params };
  if (r.rawBody) return { kind: 'unprobeable', why: 'raw (upload) body' };
  if (url.startsWith('/records/:object')) {
    if (/^\/records\/:object\/:id(\/[a-z-]+)?$/.test(url))
      return { kind: 'record-item', action: routeAction(r) };
    if (url === '/records/:object' && r.method === 'POST') return { kind: 'record-create' };
    if (url === '/records/:object/bulk' && r.method === 'POST') return { kind: 'record-bulk' };
    if (
      /^\/records\/:object(\/[a-z-]+)?$/.test(url) &&
      (r.method === 'GET' || (r.method === 'POST' && acceptsEmpty(r.body)))
    )
      return { kind: 'record-list' };
    if (params.includes('id')) return { kind: 'foreign-id', params };
    return { kind: 'unprobeable', why: 'record route of an unknown shape' };
  }
  if (url.startsWith('/meta/objects/:object')) return { kind: 'metadata' };
  if (r.permission === 'authenticated' && params.length === 0) return { kind: 'self' };
  if (params.includes('id')) return { kind: 'foreign-id', params };
  if (typeof r.permission === 'function')
    return { kind: 'unprobeable', why: 'permission computed from params on a non-record route' };
  return { kind: 'unprobeable', why: 'no probe generator for this shape' };
}

const acceptsEmpty = (s: z.ZodType | undefined) => !s || s.safeParse({}).success;

/**
 * A small valid body for a route, sampled from its zod schema (required properties only),
 * with `overrides` merged in; null when no valid body could be built. An override key may be a
 * path into the body (`lines.0.productId`, `rule.tag`, `members.0.userId`): ids nested in bodies
 * are probed like top-level ones. A missing container on the way is sampled from its schema
 * (a quote line gets its quantity); when that does not validate, the top-level property is
 * rebuilt from the overrides alone (a rule becomes `{tag: …}`).
 */
export function sampleBody(r: RouteSpec, overrides: Record<string, unknown> = {}): unknown {
  if (!r.body) return Object.keys(overrides).length ? overrides : undefined;
  const tries: unknown[] = [];
  const flat = Object.entries(overrides).filter(([k]) => !k.includes('.'));
  const nested = Object.entries(overrides).filter(([k]) => k.includes('.'));
  const withOverrides = (base: Record<string, unknown>, schemaAt?: (path: string[]) => unknown) => {
    const out = structuredClone({ ...base, ...Object.fromEntries(flat) });
    for (const [k, v] of nested) setPath(out, k.split('.'), v, schemaAt);
    return out;
  };
  if (r.probe?.sample) tries.push(withOverrides(r.probe.sample));
  try {
    const js = z.toJSONSchema(r.body, { io: 'input', unrepresentable: 'any' }) as any;
    const sampled = sample(js, js);
    const schemaAt = (path: string[]) => {
      const s = schemaOf(js, path);
      return s === undefined ? undefined : sample(s, js);
    };
    if (isPlainObject(sampled)) {
      tries.push(withOverrides(sampled, schemaAt));
      const fresh = { ...sampled };
      for (const [k] of nested) delete fresh[k.split('.')[0]!];
      tries.push(withOverrides(fresh));
    } else tries.push(sampled);
  } catch {
    // fall through to {}
  }
  tries.push(withOverrides({}), {});
  for (const t of tries) if (r.body.safeParse(t).success) return t;
  return null;
}

/** Sets `value` at `path`, making containers on the way (from `schemaAt` when given). */
function setPath(
  target: Record<string, any>,
  path: string[],
  value: unknown,
  schemaAt?: (path: string[]) => unknown,
) {
  let cur: any = target;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    if (cur[k] === null || typeof cur[k] !== 'object') {
      const made = schemaAt?.(path.slice(0, i + 1));
      cur[k] = made !== null && typeof made === 'object' ? made : /^\d+$/.test(path[i + 1]!) ? [] : {};
    }
    cur = cur[k];
  }
  cur[path[path.length - 1]!] = value;
}

/** The JSON schema at a path of the body (array indexes read `items`; unions their first fit). */
function schemaOf(root: any, path: string[]): any {
  let s = root;
  for (const seg of path) {
    s = deref(s, root);
    for (const k of ['anyOf', 'oneOf', 'allOf'])
      if (Array.isArray(s?.[k]))
        s =
          s[k]
            .map((x: any) => deref(x, root))
            .find((x: any) => (/^\d+$/.test(seg) ? x?.items : x?.properties?.[seg])) ?? s;
    s = /^\d+$/.test(seg) ? s?.items : s?.properties?.[seg];
    if (s === undefined) return undefined;
  }
  return deref(s, root);
}

function deref(s: any, root: any): any {
  if (!s?.$ref) return s;
  let target = root;
  for (const p of String(s.$ref).replace(/^#\//, '').split('/')) target = target?.[p];
  return target;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function sample(s: any, root: any, depth = 0): unknown {
  if (depth > 6 || s === true || s === undefined) return null;
  if (s.$ref) {
    const path = String(s.$ref).replace(/^#\//, '').split('/');
    let target = root;
    for (const p of path) target = target?.[p];
    return sample(target, root, depth + 1);
  }
  if (s.const !== undefined) return s.const;
  if (s.default !== undefined) return s.default;
  if (Array.isArray(s.enum)) return s.enum[0];
  for (const k of ['anyOf', 'oneOf', 'allOf'])
    if (Array.isArray(s[k])) return sample(s[k][0], root, depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of s.required ?? []) out[key] = sample(s.properties?.[key] ?? {}, root, depth + 1);
      return out;
    }
    case 'array':
      return s.minItems
        ? Array.from({ length: s.minItems }, () => sample(s.items ?? {}, root, depth + 1))
        : [];
    case 'string':
      if (s.format === 'uuid') return randomUUID();
      if (s.format === 'email') return 'probe@example.com';
      if (s.format === 'date') return '2026-01-01';
      if (s.format === 'date-time') return '2026-01-01T00:00:00Z';
      return 'x'.repeat(Math.max(s.minLength ?? 1, 2));
    case 'integer':
    case 'number':
      return s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return {};
  }
}

/** The URL of a route with its params filled in. */
export function fillUrl(r: RouteSpec, values: Record<string, string>): string {
  return localUrl(r).replace(/:(\w+)/g, (_, p: string) => encodeURIComponent(values[p] ?? `missing-${p}`));
}
