import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { countRows } from '../../testing/fixtures.ts';
import { type Client, getTestEnv, login, newTenant, type TestEnv } from '../../testing/harness.ts';
import { fillUrl, routeName, sampleBody } from '../../testing/route-probe.ts';
import type { Locale } from '../i18n/locale.ts';
import { t } from '../i18n/messages.ts';
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

async function sendOversize(c: Client, method: string, url: string, limit: number) {
  const body = JSON.stringify({ name: 'x'.repeat(limit + 1024) });
  const res = await c.request(method, url, body, { 'content-type': 'application/json' });
  return { status: res.status, problem: isProblem(res), code: res.body?.code };
}
