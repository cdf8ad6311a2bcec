import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { anonymous } from '../../testing/fixtures.ts';
import { getTestEnv, login, newTenant, type TestEnv } from '../../testing/harness.ts';
import { routeTable } from './route.ts';

let env: TestEnv;
before(async () => {
  env = await getTestEnv();
});
after(() => env.close());

const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

describe('API contract', () => {
  it('publishes OpenAPI 3.1 listing every route of the route table with its permission', async () => {
    {
      const path = '/api/docs/openapi.json';
      const res = await anonymous(env).get(path);
      assert.equal(res.status, 200);
      assert.equal(res.body.openapi, '3.1.0');
      const missing = routeTable
        .filter((r) => !res.body.paths[openApiPath(r.url)]?.[r.method.toLowerCase()])
        .map((r) => `${r.method} ${r.url}`);
      assert.deepEqual(missing, [], `${path} documents every route`);
      const operations = Object.values(res.body.paths).flatMap((p: any) => Object.values(p)) as any[];
      assert.equal(operations.length, routeTable.length, 'and nothing else');
      assert.equal(
        new Set(operations.map((o) => o.operationId)).size,
        operations.length,
        'operation ids are unique',
      );
      for (const op of operations) {
        assert.ok(op['x-permission'], `${op.operationId} declares its permission`);
        assert.ok(op.responses['4XX'], `${op.operationId} documents its problems`);
      }
      const login = res.body.paths['/api/v1/auth/login'].post;
      assert.deepEqual(login.security, [], 'the public sign-in needs no credentials');
      assert.ok(
        res.body.paths['/api/v1/records/{object}'].get.parameters.some(
          (p: any) => p.name === 'filter' && p.in === 'query',
        ),
      );
      assert.ok(res.body.components.schemas.Problem);
      assert.equal(
        Object.keys(res.body.components.schemas).some((k) => k.startsWith('Record_')),
        false,
        'no tenant objects without a sign-in',
      );
    }
  });

  it('serves an interactive reference at /api/docs that loads only same-origin files, none inline', async () => {
    const res = await anonymous(env).get('/api/docs', { accept: 'text/html' });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/, 'no inline or foreign script is allowed');
    assert.match(csp, /frame-ancestors 'none'/);
    const html: string = res.body;
    assert.ok(html.includes('/api/docs/openapi.json'), 'the page points at the JSON document');
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'every script is a file');
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')));
    for (const asset of assets.filter((a) => !a.startsWith('data:'))) {
      assert.ok(asset.startsWith('/api/docs/'), `${asset} comes from this server`);
      const file = await anonymous(env).get(asset);
      assert.equal(file.status, 200, asset);
      assert.match(file.headers.get('cache-control') ?? '', /immutable/, `${asset} is versioned`);
      assert.doesNotMatch(
        String(file.body),
        /fonts\.googleapis|cdn\.jsdelivr|unpkg\.com/,
        `${asset} loads nothing remote`,
      );
    }
    const stale = await anonymous(env).get(
      assets.find((a) => a.endsWith('.js'))!.replace(/ui\/[^/]+/, 'ui/old'),
    );
    assert.equal(stale.status, 404, 'an asset of another version is not served');
    assert.match(stale.headers.get('content-type') ?? '', /problem\+json/);
    const other = await anonymous(env).get(
      assets.find((a) => a.endsWith('.js'))!.replace(/[^/]+$/, 'package.json'),
    );
    assert.equal(other.status, 404, 'only the reference files are served from the package');
  });

  it("describes the signed-in tenant's objects, custom ones included, and no other tenant's", async () => {
    const a = await newTenant(env, 0);
    const b = await newTenant(env, 0);
    const adminA = await login(env, a.slug, 'admin');
    const adminB = await login(env, b.slug, 'admin');
    assert.equal(
      (
        await adminA.post('/meta/objects', {
          apiName: 'warranty',
          label: { 'zh-CN': '质保', 'en-US': 'Warranty' },
        })
      ).status,
      201,
    );
    assert.equal(
      (
        await adminA.post('/meta/objects/warranty/fields', {
          apiName: 'ends_on',
          type: 'date',
          required: true,
          label: { 'zh-CN': '截止日期', 'en-US': 'Ends on' },
        })
      ).status,
      201,
    );
    const docA = (await adminA.get('/api/docs/openapi.json')).body;
    const w = docA.components.schemas.Record_warranty;
    assert.ok(w, 'the custom object is described');
    assert.equal(w.title, 'Warranty');
    assert.deepEqual(w.properties.c_ends_on.format, 'date');
    assert.ok(w.required.includes('c_ends_on'));
    assert.ok(docA.components.schemas.Record_customer.properties.phone);
    const docB = (await adminB.get('/api/docs/openapi.json')).body;
    assert.equal(docB.components.schemas.Record_warranty, undefined);
    assert.ok(docB.components.schemas.Record_customer);
    const key = (await adminA.post('/admin/api-keys', { name: 'docs', scopes: ['customer:read'] })).body.key;
    const viaKey = anonymous(env);
    viaKey.bearer = key;
    assert.ok(
      (await viaKey.get('/api/docs/openapi.json')).body.components.schemas.Record_warranty,
      'API keys get the tenant description too',
    );
  });

  it('answers /healthz while the process is up and /readyz when the database is migrated', async () => {
    const health = await anonymous(env).get('/healthz');
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok' });
    const ready = await anonymous(env).get('/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: 'ready', database: true, pendingMigrations: 0 });
  });

  it('answers unknown API paths with a 404 problem, never the web app', async () => {
    const res = await anonymous(env).get('/api/v1/nope');
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('content-type')?.split(';')[0], 'application/problem+json');
    assert.ok(res.headers.get('x-request-id'));
  });
});
