import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { countRows, marker } from '../../testing/fixtures.ts';
import { type Client, getTestEnv, login, newTenant, type TestEnv } from '../../testing/harness.ts';
import { fillUrl, routeName, sampleBody } from '../../testing/route-probe.ts';
import type { Locale } from '../i18n/locale.ts';
import { t } from '../i18n/messages.ts';
import { formatBytes } from './problem.ts';
import { type RouteSpec, routeTable } from './route.ts';

/**
 * Generated from `routeTable`: every route with a JSON body gets a body of the wrong types and
 * one over its size limit. The answer is problem+json in the caller's language naming the
 * field, and nothing is stored. A route that cannot be probed says why in `probe.badInput`.
 */

let env: TestEnv;
before(async () => {
  env = await getTestEnv();
});
after(() => env.close());

const bodyRoutes = () => routeTable.filter((r) => r.body && !r.rawBody && !r.probe?.badInput);
const DEFAULT_LIMIT = 1024 * 1024;

/** A value of another type than the schema asks for. */
function wrongValue(s: any): unknown {
  const type = Array.isArray(s?.type) ? s.type.find((x: string) => x !== 'null') : s?.type;
  switch (type) {
    case 'string':
      return 12345;
    case 'number':
    case 'integer':
      return 'not-a-number';
    case 'boolean':
      return 'not-a-boolean';
    case 'array':
      return 'not-an-array';
    case 'object':
      return 'not-an-object';
    default:
      return undefined;
  }
}

/**
 * A body whose first typed property has the wrong type (the rest valid where the schema could
 * be sampled), or a body of the wrong type altogether when no property has a fixed type.
 */
function malformed(route: RouteSpec): { body: unknown; field: string | null } {
  const js = z.toJSONSchema(route.body!, { io: 'input', unrepresentable: 'any' }) as any;
  const props: Record<string, any> = js.properties ?? {};
  const order = [...(js.required ?? []), ...Object.keys(props)];
  const base = sampleBody(route);
  for (const key of order) {
    const bad = wrongValue(props[key]);
    if (bad === undefined) continue;
    return { body: { ...(base && typeof base === 'object' ? base : {}), [key]: bad }, field: key };
  }
  // Record bodies are checked field by field against the object's metadata by the record engine.
  if (route.url.includes('/records/:object')) return { body: { name: { not: 'text' } }, field: 'name' };
  return { body: [1, 2, 3], field: null };
}

const filled = (route: RouteSpec) =>
  fillUrl(route, {
    ...Object.fromEntries(
      [...route.url.matchAll(/:(\w+)/g)].map((m) => [
        m[1]!,
        m[1] === 'formKey' ? 'probe-form' : randomUUID(),
      ]),
    ),
    object: 'customer',
    field: 'name',
    ...Object.fromEntries(
      Object.entries(route.probe?.params ?? {})
        .filter(([, v]) => v.startsWith('='))
        .map(([k, v]) => [k, v.slice(1)]),
    ),
  });

const isProblem = (res: { headers: Headers }) =>
  res.headers.get('content-type')?.split(';')[0] === 'application/problem+json';

describe('bad input on every route with a body', () => {
  it('answers a body of the wrong types with 422 problem+json naming the field, in the caller’s language, storing nothing', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const routes = bodyRoutes();
    assert.ok(routes.length >= 60, `routes with a body: ${routes.length}`);
    const stored = async () =>
      (await countRows(env, seed.tenantId, 'audit_log')) + (await countRows(env, seed.tenantId, 'outbox'));
    const before = await stored();
    const failures: string[] = [];
    for (const route of routes) {
      const { body, field } = malformed(route);
      for (const locale of ['zh-CN', 'en-US'] as Locale[]) {
        admin.locale = locale;
        const res = await admin.request(route.method, filled(route), body);
        const errors: any[] = res.body?.errors ?? [];
        const problems = [
          res.status !== 422 && `status ${res.status}`,
          !isProblem(res) && `content-type ${res.headers.get('content-type')}`,
          res.body?.code !== 'validation' && `code ${res.body?.code}`,
          res.body?.title !== t(locale, 'title.validation') && `title ${res.body?.title}`,
          !errors.length && 'no field errors',
          field &&
            !errors.some((e) => e.field === field || e.field?.startsWith(`${field}.`)) &&
            `no error for ${field}`,
          errors.some((e) => !e.message) && 'an error without a message',
        ].filter(Boolean);
        if (problems.length)
          failures.push(
            `${routeName(route)} [${locale}] ${problems.join('; ')} ${JSON.stringify(res.body).slice(0, 160)}`,
          );
      }
    }
    admin.locale = 'zh-CN';
    const whole = routes.filter((r) => malformed(r).field === null).map(routeName);
    console.log(
      `\n${routes.length} routes with a body; the body as a whole had the wrong type for: ${whole.join(', ') || 'none'}\n`,
    );
    assert.deepEqual(failures, []);
    assert.equal(await stored(), before, 'no audit entry and no event: nothing was written');
  });

  it('answers unparseable JSON with 400 and a body over the route’s limit with 413, both problem+json', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const failures: string[] = [];
    const before = await countRows(env, seed.tenantId, 'audit_log');
    for (const route of bodyRoutes()) {
      const url = filled(route);
      const broken = await admin.request(route.method, url, '{"name": ', {
        'content-type': 'application/json',
      });
      if (broken.status !== 400 || !isProblem(broken) || broken.body?.code !== 'bad_request')
        failures.push(`${routeName(route)} broken JSON → ${broken.status}`);
      const limit = route.bodyLimit ?? DEFAULT_LIMIT;
      const oversize = await sendOversize(admin, route.method, url, limit);
      if (oversize.status !== 413 || !oversize.problem || oversize.code !== 'payload_too_large')
        failures.push(`${routeName(route)} oversize → ${oversize.status} ${oversize.code}`);
      // The message names the route's real limit ("1 MB", "32 kB"), not a placeholder.
      const expected = t('zh-CN', 'payload_too_large', { limit: formatBytes(limit, 'zh-CN') });
      if (oversize.status === 413 && oversize.detail !== expected)
        failures.push(`${routeName(route)} oversize detail “${oversize.detail}” ≠ “${expected}”`);
    }
    assert.deepEqual(failures, []);
    assert.equal(await countRows(env, seed.tenantId, 'audit_log'), before);
  });
});

describe('bad query strings', () => {
  it('answers a query parameter of the wrong type with 422 naming it, on every route with a numeric or boolean parameter', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const failures: string[] = [];
    let probed = 0;
    for (const route of routeTable) {
      if (!route.query || route.probe?.badInput) continue;
      const js = z.toJSONSchema(route.query, { io: 'input', unrepresentable: 'any' }) as any;
      const key = Object.keys(js.properties ?? {}).find((k) =>
        ['number', 'integer', 'boolean'].includes(js.properties[k].type),
      );
      if (!key) continue;
      probed++;
      const url = `${filled(route)}?${key}=not-a-${js.properties[key].type}`;
      const res = await admin.request(
        route.method,
        url,
        route.method === 'GET' ? undefined : sampleBody(route),
      );
      if (res.status !== 422 || !isProblem(res) || !res.body.errors?.some((e: any) => e.field === key))
        failures.push(
          `${routeName(route)} ?${key} → ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`,
        );
    }
    assert.ok(probed >= 10, `routes with a typed query parameter: ${probed}`);
    assert.deepEqual(failures, []);
  });
});

/** The first property the body schema types as a string, to carry the bad text. */
function firstStringProperty(route: RouteSpec): string | null {
  const js = z.toJSONSchema(route.body!, { io: 'input', unrepresentable: 'any' }) as any;
  const props: Record<string, any> = js.properties ?? {};
  const isString = (p: any) => p?.type === 'string' || p?.anyOf?.some((x: any) => x?.type === 'string');
  return [...(js.required ?? []), ...Object.keys(props)].find((k) => isString(props[k])) ?? null;
}

const nested = (levels: number, leaf: unknown) => {
  let node = leaf;
  for (let i = 0; i < levels; i++) node = { not: node };
  return node;
};

describe('text PostgreSQL cannot store and nesting that would exhaust the stack', () => {
  it('answers NUL and lone surrogates in any body field, key or query with 422 naming the field, in the caller’s language, storing nothing', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const stored = async () =>
      (await countRows(env, seed.tenantId, 'audit_log')) + (await countRows(env, seed.tenantId, 'outbox'));
    const before = await stored();
    const failures: string[] = [];
    const expect = (
      what: string,
      res: { status: number; headers: Headers; body: any },
      field: string,
      code: string,
    ) => {
      const e = res.body?.errors?.find((x: any) => x.field === field && x.code === code);
      if (res.status !== 422 || !isProblem(res) || !e?.message)
        failures.push(`${what} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    };
    for (const route of bodyRoutes()) {
      const url = filled(route);
      const base = sampleBody(route);
      const obj = base && typeof base === 'object' && !Array.isArray(base) ? base : {};
      const key = firstStringProperty(route) ?? (route.url.includes('/records/:object') ? 'name' : null);
      if (key) {
        expect(
          `${routeName(route)} NUL in ${key}`,
          await admin.request(route.method, url, { ...obj, [key]: 'a\u0000b' }),
          key,
          'text_nul',
        );
        expect(
          `${routeName(route)} lone surrogate in ${key}`,
          await admin.request(route.method, url, { ...obj, [key]: `x${String.fromCharCode(0xd800)}y` }),
          key,
          'text_surrogate',
        );
      } else {
        expect(
          `${routeName(route)} NUL in a key`,
          await admin.request(route.method, url, { ...obj, 'k\u0000': 1 }),
          'k\u0000',
          'text_nul',
        );
      }
    }
    expect('GET ?q=NUL', await admin.get('/records/customer?q=%00'), 'q', 'text_nul');
    expect('GET /users?q=NUL', await admin.get('/users?q=a%00'), 'q', 'text_nul');
    admin.locale = 'en-US';
    const en = await admin.post('/records/customer', { name: marker('n'), description: 'a\u0000b' });
    const enError = en.body.errors?.[0];
    assert.equal(en.status, 422);
    assert.equal(enError?.message, 'Must not contain the NUL character (\\u0000)');
    assert.deepEqual(failures, []);
    assert.equal(await stored(), before, 'nothing was written');
  });

  it('refuses filters and rules nested beyond 20 levels, and 2,000-deep ones, with 422 naming the field', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const filterLeaf = { field: 'name', op: 'eq', value: 'x' };
    const ruleLeaf = { trait: 'plan', op: 'eq', value: 'gold' };
    const failures: string[] = [];
    for (const levels of [21, 2000]) {
      const probes: [string, Promise<{ status: number; headers: Headers; body: any }>, string][] = [
        [
          'records query',
          admin.post('/records/customer/query', { filter: nested(levels, filterLeaf) }),
          'filter',
        ],
        [
          'saved view',
          admin.post('/views', { object: 'customer', name: marker('v'), filter: nested(levels, filterLeaf) }),
          'filter',
        ],
        ['segment preview', admin.post('/cdp/segments/preview', { rule: nested(levels, ruleLeaf) }), 'rule'],
        ['tag preview', admin.post('/cdp/tags/preview', { rule: nested(levels, ruleLeaf) }), 'rule'],
      ];
      if (levels === 21)
        probes.push([
          'records list ?filter=',
          admin.get(
            `/records/customer?filter=${encodeURIComponent(JSON.stringify(nested(levels, filterLeaf)))}`,
          ),
          'filter',
        ]);
      for (const [what, pending, field] of probes) {
        const res = await pending;
        const e = res.body?.errors?.find((x: any) => x.field === field || x.field?.startsWith(`${field}.`));
        if (res.status !== 422 || !isProblem(res) || e?.code !== 'max_depth' || !e.message)
          failures.push(`${what} ×${levels} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      }
    }
    // Twenty levels are fine.
    const twenty = await admin.post('/cdp/segments/preview', {
      name: marker('s'),
      rule: nested(20, ruleLeaf),
    });
    if (twenty.status !== 200)
      failures.push(`20 levels → ${twenty.status} ${JSON.stringify(twenty.body).slice(0, 200)}`);
    assert.deepEqual(failures, []);
  });

  it('answers a directory or NUL path under the web app with 404 problem+json, not 500', async () => {
    for (const path of ['/assets/', '/assets//', '/%00', '/assets/%00']) {
      const res = await fetch(`${env.baseUrl}${path}`);
      assert.equal(res.status, 404, path);
      assert.ok(isProblem(res), path);
    }
  });
});

async function sendOversize(c: Client, method: string, url: string, limit: number) {
  const body = JSON.stringify({ name: 'x'.repeat(limit + 1024) });
  const res = await c.request(method, url, body, { 'content-type': 'application/json' });
  return { status: res.status, problem: isProblem(res), code: res.body?.code, detail: res.body?.detail };
}
