import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { can, type Principal } from '../core/auth/principal.ts';
import { type RouteSpec, routeTable } from '../core/http/route.ts';
import {
  anonymous,
  countRows,
  createMany,
  listAll,
  marker,
  type TenantDirectory,
  tenantDirectory,
  uniqueMobile,
} from './fixtures.ts';
import { type Client, drainBackground, login, newTenant, type TestEnv, useTestEnv } from './harness.ts';
import { type Placement, parseProbeValue, probeKinds, type Side, type Thing } from './probe-kinds.ts';
import { classify, fillUrl, type RouteShape, routeAction, routeName, sampleBody } from './route-probe.ts';

/**
 * The matrix is generated from `routeTable`: every registered route is probed from the point
 * of view of a dealer manager (经销商店长, data scope unit_tree at dealer EC-D1) against
 * records in another tenant, a sibling dealer, a store below and the region above, plus the
 * admin and unauthenticated rows. A new route is covered without touching this file.
 */

type LocKey = 'other-tenant' | 'sibling-dealer' | 'store-below' | 'unit-above' | 'own-unit';
interface Loc {
  key: LocKey;
  allowed: boolean;
  tenant: 'A' | 'B';
  unitId: string;
  ownerId: string;
}
interface ProbeRecord {
  id: string;
  marker: string;
  phone: string | null;
}

const OBJECTS = ['customer', 'probe_thing'] as const;

interface World {
  A: TenantDirectory;
  B: TenantDirectory;
  adminA: Client;
  adminB: Client;
  /** 张伟, 经销商店长 at EC-D1: unit_tree scope, customer:* and probe_thing:*. */
  dealer: Client;
  locs: Loc[];
  /** Every id and marker of tenant B the world knows: none may ever reach a tenant-A caller. */
  foreignIds: string[];
  foreignMarkers: string[];
  /** Ids per kind of tenant B, for probing `:id` routes. */
  foreignIdsByKind: Record<string, string>;
  foreignObject: string;
  foreignField: string;
  /** The permissions of the dealer manager's role, to know which probes it can make. */
  dealerPermissions: string[];
}

async function ok<T = any>(p: Promise<{ status: number; body: T }>, expect = [200, 201, 204]): Promise<T> {
  const r = await p;
  if (!expect.includes(r.status))
    throw new Error(`setup request failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function buildWorld(env: TestEnv): Promise<World> {
  const [seedA, seedB] = await Promise.all([newTenant(env, 10), newTenant(env, 10)]);
  const [A, B] = await Promise.all([tenantDirectory(env, seedA), tenantDirectory(env, seedB)]);
  const [adminA, adminB] = await Promise.all([
    login(env, seedA.slug, 'admin'),
    login(env, seedB.slug, 'admin'),
  ]);
  // Both tenants get a custom object of the same name: they share one physical table.
  for (const admin of [adminA, adminB])
    await ok(
      admin.post('/meta/objects', {
        apiName: 'probe_thing',
        label: { 'zh-CN': '探针', 'en-US': 'Probe thing' },
      }),
    );
  const dealerRole = (await ok(adminA.get('/admin/roles'))).items.find((r: any) => r.name === '经销商店长');
  const dealerPermissions = [...dealerRole.permissions, 'probe_thing:*'];
  await ok(adminA.patch(`/admin/roles/${dealerRole.id}`, { permissions: dealerPermissions }));
  const dealer = await login(env, seedA.slug, 'zhang.wei');

  // Things only tenant B has: an object, a field, a view, an API key.
  const foreignObject = 'probe_b_only';
  await ok(
    adminB.post('/meta/objects', { apiName: foreignObject, label: { 'zh-CN': '仅B', 'en-US': 'B only' } }),
  );
  const foreignField = (
    await ok(
      adminB.post(`/meta/objects/${foreignObject}/fields`, {
        apiName: 'secret_b',
        type: 'text',
        label: { 'zh-CN': '机密', 'en-US': 'Secret' },
      }),
    )
  ).apiName as string;
  await ok(
    adminB.post('/meta/objects/customer/fields', {
      apiName: 'b_only_flag',
      type: 'text',
      label: { 'zh-CN': 'B标记', 'en-US': 'B flag' },
    }),
  );
  const bView = await ok(
    adminB.post('/views', { object: 'customer', name: `view-${marker()}`, shared: true }),
  );
  const bKey = await ok(
    adminB.post('/admin/api-keys', { name: `key-${marker()}`, scopes: ['customer:read'] }),
  );
  const bCustomer = (await ok(adminB.get('/records/customer?limit=1'))).items[0];
  const bThing = await ok(adminB.post('/records/probe_thing', { name: marker('BT') }));
  const bImport = await ok(
    adminB.request(
      'POST',
      '/records/customer/imports?filename=b.csv',
      `客户名称,电话\n${marker('BI')},13800000000\n`,
      { 'content-type': 'text/csv' },
    ),
  );

  const locs: Loc[] = [
    {
      key: 'other-tenant',
      allowed: false,
      tenant: 'B',
      unitId: B.unit('EC-D1'),
      ownerId: B.user('zhang.wei').id,
    },
    {
      key: 'sibling-dealer',
      allowed: false,
      tenant: 'A',
      unitId: A.unit('EC-D2'),
      ownerId: A.user('liu.yang').id,
    },
    {
      key: 'store-below',
      allowed: true,
      tenant: 'A',
      unitId: A.unit('EC-D1-S1'),
      ownerId: A.user('sun.lei').id,
    },
    {
      key: 'unit-above',
      allowed: false,
      tenant: 'A',
      unitId: A.unit('EC'),
      ownerId: A.user('chen.zhiqiang').id,
    },
    { key: 'own-unit', allowed: true, tenant: 'A', unitId: A.unit('EC-D1'), ownerId: A.user('zhang.wei').id },
  ];
  const foreignIdsByKind: Record<string, string> = {
    unit: B.unit('EC-D1'),
    user: B.user('zhang.wei').id,
    role: B.role('经销商店长'),
    view: bView.id,
    apiKey: bKey.id,
    customer: bCustomer.id,
    customRecord: bThing.id,
    import: bImport.id,
  };
  return {
    A,
    B,
    adminA,
    adminB,
    dealer,
    locs,
    foreignIds: Object.values(foreignIdsByKind),
    foreignMarkers: [bCustomer.name, bThing.name, foreignField, 'c_b_only_flag', foreignObject],
    foreignIdsByKind,
    foreignObject,
    foreignField,
    dealerPermissions,
  };
}

/** Creates one record per (key × location) for an object, owned and placed as the location says. */
async function probeRecords(
  w: World,
  object: string,
  keys: string[],
  opts: { deleted?: boolean } = {},
): Promise<Map<string, Map<LocKey, ProbeRecord>>> {
  const out = new Map<string, Map<LocKey, ProbeRecord>>(keys.map((k) => [k, new Map()]));
  for (const tenant of ['A', 'B'] as const) {
    const admin = tenant === 'A' ? w.adminA : w.adminB;
    const plan: { key: string; loc: Loc; rec: ProbeRecord }[] = [];
    for (const key of keys)
      for (const loc of w.locs.filter((l) => l.tenant === tenant))
        plan.push({
          key,
          loc,
          rec: {
            id: '',
            marker: marker(`P${loc.key.slice(0, 3)}`),
            phone: object === 'customer' ? uniqueMobile() : null,
          },
        });
    const ids = await createMany(
      admin,
      object,
      plan.map((p) => ({
        name: p.rec.marker,
        ownerId: p.loc.ownerId,
        unitId: p.loc.unitId,
        ...(p.rec.phone ? { phone: p.rec.phone } : {}),
      })),
    );
    plan.forEach((p, i) => {
      p.rec.id = ids[i]!;
      out.get(p.key)!.set(p.loc.key, p.rec);
    });
    if (opts.deleted && ids.length)
      await ok(
        admin.post(`/records/${object}/bulk`, {
          op: 'delete',
          atomic: true,
          records: ids.map((id) => ({ id })),
        }),
      );
  }
  return out;
}

function bodyFor(route: RouteSpec, object: string): unknown {
  const url = route.url;
  if (route.method === 'PATCH') return sampleBody(route, { version: 1, name: `upd-${marker()}` });
  if (url.endsWith('/unmask')) return sampleBody(route, { field: object === 'customer' ? 'phone' : 'name' });
  return sampleBody(route);
}

const send = (c: Client, route: RouteSpec, url: string, body: unknown) =>
  route.method === 'GET' || route.method === 'DELETE'
    ? c.request(route.method, url)
    : c.request(route.method, url, body ?? {});

// `instance` echoes the request URL (which holds the probed id): everything else counts.
const text = (b: unknown) =>
  typeof b === 'string' ? b : JSON.stringify(b ?? '', (k, v) => (k === 'instance' ? undefined : v));

/** Answers compared across time: moments that tick on their own are not data. */
const VOLATILE = /^(now|asOf|generatedAt|serverTime|lastSeenAt|expiresAt|updatedAt)$/;
function normalize(b: unknown): unknown {
  if (Array.isArray(b)) return b.map(normalize);
  if (b && typeof b === 'object')
    return Object.fromEntries(
      Object.entries(b).flatMap(([k, v]) => (VOLATILE.test(k) ? [] : [[k, normalize(v)]])),
    );
  return b;
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `…${a.slice(Math.max(0, i - 120), i + 80)}… → …${b.slice(Math.max(0, i - 120), i + 80)}…`;
}

function assertNoLeak(where: string, body: unknown, needles: string[]) {
  const t = text(body);
  for (const n of needles) assert.ok(!t.includes(n), `${where} leaked ${n}`);
}

const shapes = () => routeTable.map((r) => ({ route: r, shape: classify(r) as RouteShape }));

const env = useTestEnv();

describe('permission matrix generated from the route table', () => {
  it('has a generated probe or a declared skip reason for every route', (t) => {
    assert.ok(
      routeTable.length > 30,
      `route table is filled when the server is built (${routeTable.length} routes)`,
    );
    const unprobeable = shapes().filter((s) => s.shape.kind === 'unprobeable');
    const skipped = shapes().filter((s) => s.shape.kind === 'skip');
    t.diagnostic(`routes: ${routeTable.length}; skipped: ${skipped.length}`);
    for (const s of skipped)
      t.diagnostic(`skip ${routeName(s.route)} — ${(s.shape as { reason: string }).reason}`);
    for (const s of shapes())
      t.diagnostic(`${s.shape.kind.padEnd(13)} ${routeAction(s.route).padEnd(7)} ${routeName(s.route)}`);
    assert.ok(
      skipped.length <= 10,
      `skips are for what truly cannot be probed; declare probe.params/query/body instead (${skipped.length})`,
    );
    assert.deepEqual(
      unprobeable.map((s) => `${routeName(s.route)}: ${(s.shape as { why: string }).why}`),
      [],
      'these routes need a probe generator or `probe: { skip: "reason" }` in their spec',
    );
  });

  it('answers 401 to an unauthenticated caller on every non-public route', async () => {
    const anon = anonymous(env);
    const failures: string[] = [];
    for (const route of routeTable) {
      if (route.permission === 'public') continue;
      const url = fillUrl(route, { object: 'customer', id: randomUUID(), field: 'name' });
      const res = route.rawBody
        ? await anon.request(route.method, url, '', { 'content-type': 'text/csv' })
        : await send(anon, route, url, sampleBody(route) ?? {});
      if (res.status !== 401 || res.body?.code !== 'unauthenticated')
        failures.push(`${routeName(route)} → ${res.status}`);
    }
    assert.deepEqual(failures, []);
    // A forged session cookie or API key is no better than none.
    const forged = anonymous(env);
    forged.cookie = `kehu_session=${randomUUID()}.forged`;
    assert.equal((await forged.get('/auth/me')).status, 401);
    const badKey = anonymous(env);
    badKey.bearer = `kh_${'0'.repeat(32)}_${'x'.repeat(43)}`;
    assert.equal((await badKey.get('/records/customer')).status, 401);
  });

  it('gives 404 (never 403, never data) for records of other tenants and units on every record item route, and serves in-scope ones', async () => {
    const w = await buildWorld(env);
    const itemRoutes = shapes().filter((s) => s.shape.kind === 'record-item');
    assert.ok(
      itemRoutes.length >= 6,
      'get, update, delete, restore, unmask and timeline are record item routes',
    );
    const matrix: string[] = [];
    const failures: string[] = [];
    for (const object of OBJECTS) {
      const keys = itemRoutes.map((s) => routeName(s.route));
      const live = await probeRecords(
        w,
        object,
        keys.filter((k) => !k.endsWith('/restore')),
      );
      const deleted = await probeRecords(
        w,
        object,
        keys.filter((k) => k.endsWith('/restore')),
        { deleted: true },
      );
      for (const { route, shape } of itemRoutes) {
        const key = routeName(route);
        const pool = (live.get(key) ?? deleted.get(key))!;
        const cells: string[] = [];
        for (const loc of w.locs) {
          const rec = pool.get(loc.key)!;
          const res = await send(
            w.dealer,
            route,
            fillUrl(route, { object, id: rec.id }),
            bodyFor(route, object),
          );
          const good = loc.allowed
            ? res.status >= 200 && res.status < 300
            : res.status === 404 && res.body?.code === 'not_found';
          if (!good)
            failures.push(`${object} ${key} @${loc.key}: ${res.status} ${text(res.body).slice(0, 200)}`);
          if (!loc.allowed) {
            assertNoLeak(`${key} @${loc.key}`, res.body, [rec.marker, ...(rec.phone ? [rec.phone] : [])]);
            if (rec.phone && res.status === 200) failures.push(`${key} @${loc.key} returned data`);
          }
          cells.push(`${loc.key}=${res.status}${good ? '✓' : '✗'}`);
        }
        matrix.push(
          `${object.padEnd(12)} ${(shape as { action: string }).action.padEnd(7)} ${key.padEnd(44)} ${cells.join('  ')}`,
        );
      }
    }
    console.log(
      `\nrecord item matrix (actor 经销商店长 @EC-D1; allowed: store-below, own-unit)\n${matrix.join('\n')}\n`,
    );
    assert.deepEqual(failures, []);
  });

  it('never includes out-of-scope records in lists, counts, cursor pages, unit narrowing or the recycle bin', async () => {
    const w = await buildWorld(env);
    const failures: string[] = [];
    for (const object of OBJECTS) {
      const live = (await probeRecords(w, object, ['live'])).get('live')!;
      const binned = (await probeRecords(w, object, ['binned'], { deleted: true })).get('binned')!;
      const forbidden = w.locs
        .filter((l) => !l.allowed)
        .flatMap((l) => [live.get(l.key)!, binned.get(l.key)!]);
      const needles = [
        ...forbidden.flatMap((r) => [r.id, r.marker, ...(r.phone ? [r.phone] : [])]),
        ...w.foreignIds,
      ];
      // Every list-shaped route, as registered.
      for (const { route } of shapes().filter((s) => s.shape.kind === 'record-list')) {
        for (const query of ['', '?deleted=true']) {
          const url = fillUrl(route, { object }) + (route.method === 'GET' ? query : '');
          const body =
            route.method === 'GET'
              ? undefined
              : { ...(sampleBody(route) as object), limit: 200, count: true, deleted: query !== '' };
          const res = await send(w.dealer, route, url, body);
          if (res.status < 200 || res.status >= 300)
            failures.push(`${routeName(route)}${query}: ${res.status}`);
          const t = text(res.body);
          for (const n of needles)
            if (t.includes(n)) failures.push(`${routeName(route)}${query} (${object}) leaked ${n}`);
        }
      }
      // Cursor pagination and count=true over the whole scope, live and recycle bin.
      const expected = await countRows(
        env,
        w.A.tenantId,
        object === 'customer' ? 'customers' : 'custom_records',
        sql`unit_id = any(${w.A.subtree('EC-D1')}::uuid[]) and deleted_at is null and ${object === 'customer' ? sql`true` : sql`object = ${object}`}`,
      );
      const all = await listAll(w.dealer, `/records/${object}`, 3);
      assert.equal(all.total, expected, `${object}: total counts exactly the records in scope`);
      assert.equal(all.items.length, expected, `${object}: pages hold exactly the records in scope`);
      assert.equal(
        new Set(all.items.map((r) => r.id)).size,
        all.items.length,
        `${object}: no record appears on two pages`,
      );
      for (const l of w.locs)
        assert.equal(
          all.items.some((r) => r.id === live.get(l.key)!.id),
          l.allowed,
          `${object} list @${l.key}`,
        );
      const bin = await listAll(w.dealer, `/records/${object}?deleted=true`, 2);
      for (const l of w.locs)
        assert.equal(
          bin.items.some((r) => r.id === binned.get(l.key)!.id),
          l.allowed,
          `${object} recycle bin @${l.key}`,
        );
      assert.equal(bin.total, bin.items.length);
      // Searching by a forbidden record's exact name or phone finds nothing, and counts nothing.
      for (const r of forbidden) {
        for (const q of [r.marker, ...(r.phone ? [r.phone] : [])]) {
          const res = await w.dealer.get(`/records/${object}?q=${encodeURIComponent(q)}&count=true`);
          assert.equal(res.status, 200);
          assert.equal(res.body.total, 0, `search for ${q} counts nothing`);
          assert.equal(res.body.items.length, 0);
        }
        const filtered = await w.dealer.post(`/records/${object}/query`, {
          filter: { field: 'id', op: 'eq', value: r.id },
          count: true,
        });
        assert.equal(filtered.body.total, 0, 'filtering by a forbidden id finds nothing');
      }
      // Narrowing to a unit intersects with the scope: a sibling or foreign unit gives nothing,
      // the region above gives only the caller's own subtree.
      for (const l of w.locs.filter((x) => !x.allowed)) {
        const res = await w.dealer.get(`/records/${object}?unit=${l.unitId}&count=true&limit=200`);
        assert.equal(res.status, 200);
        assert.equal(res.body.total, l.key === 'unit-above' ? expected : 0, `unit=${l.key}`);
        for (const n of needles) assert.ok(!text(res.body).includes(n), `unit=${l.key} leaked ${n}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('keeps creates and bulk operations inside the scope: out-of-scope targets are 422 or not_found rows, never stored or changed', async () => {
    const w = await buildWorld(env);
    const failures: string[] = [];
    for (const object of OBJECTS) {
      for (const loc of w.locs) {
        for (const placement of [
          { unitId: loc.unitId },
          { ownerId: loc.ownerId },
          { ownerId: loc.ownerId, unitId: loc.unitId },
        ]) {
          const name = marker('MA');
          const res = await w.dealer.post(`/records/${object}`, { name, ...placement });
          const stored =
            (await countRows(
              env,
              w.A.tenantId,
              object === 'customer' ? 'customers' : 'custom_records',
              sql`name = ${name}`,
            )) +
            (await countRows(
              env,
              w.B.tenantId,
              object === 'customer' ? 'customers' : 'custom_records',
              sql`name = ${name}`,
            ));
          if (loc.allowed) {
            if (res.status !== 201 || stored !== 1)
              failures.push(`create ${object} ${JSON.stringify(placement)} @${loc.key}: ${res.status}`);
          } else {
            const fields = (res.body?.errors ?? []).map((e: any) => e.field);
            if (
              res.status !== 422 ||
              stored !== 0 ||
              !fields.some((f: string) => f === 'unitId' || f === 'ownerId')
            )
              failures.push(
                `create ${object} ${JSON.stringify(placement)} @${loc.key}: ${res.status} stored=${stored} ${text(res.body).slice(0, 160)}`,
              );
          }
        }
      }
      // Bulk update and delete of out-of-scope ids: per-row not_found, atomic → 422, nothing changes.
      const recs = (await probeRecords(w, object, ['bulk'])).get('bulk')!;
      for (const loc of w.locs) {
        const rec = recs.get(loc.key)!;
        if (loc.allowed) continue;
        for (const op of ['update', 'delete'] as const) {
          const records = [{ id: rec.id, ...(op === 'update' ? { name: 'hijacked' } : {}) }];
          const lax = await w.dealer.post(`/records/${object}/bulk`, { op, atomic: false, records });
          if (
            lax.status !== 200 ||
            lax.body.results[0].ok !== false ||
            lax.body.results[0].code !== 'not_found'
          )
            failures.push(`bulk ${op} ${object} @${loc.key}: ${lax.status} ${text(lax.body).slice(0, 160)}`);
          const strict = await w.dealer.post(`/records/${object}/bulk`, {
            op,
            atomic: true,
            records: [...records, ...records],
          });
          if (strict.status !== 422 && strict.status !== 404)
            failures.push(`atomic bulk ${op} ${object} @${loc.key}: ${strict.status}`);
        }
        const owner = loc.tenant === 'A' ? w.adminA : w.adminB;
        const after = await owner.get(`/records/${object}/${rec.id}`);
        assert.equal(after.body.name, rec.marker, 'the record was not renamed');
        assert.equal(after.body.deletedAt, null, 'the record was not deleted');
        assert.equal(after.body.version, 1);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('answers 403 to a non-admin on every admin route, and 404 to an admin of tenant A probing ids of tenant B', async () => {
    const w = await buildWorld(env);
    const failures: string[] = [];
    const admin = shapes().filter((s) => s.shape.kind === 'admin');
    assert.ok(admin.length >= 15);
    const lines: string[] = [];
    for (const { route } of admin) {
      const params = { object: 'customer', id: randomUUID(), field: 'name' };
      const res = await send(w.dealer, route, fillUrl(route, params), sampleBody(route) ?? {});
      if (res.status !== 403 || res.body?.code !== 'forbidden')
        failures.push(`non-admin ${routeName(route)} → ${res.status}`);
      const cells = [`non-admin=${res.status}`];
      const urlParams = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]);
      if (urlParams.length) {
        // Fill every id param with each kind of tenant-B id; object/field params with B-only names.
        const body = sampleBody(route);
        if (body === null)
          failures.push(`${routeName(route)}: no valid body could be sampled; declare probe.skip`);
        for (const [kind, id] of Object.entries(w.foreignIdsByKind)) {
          if (!urlParams.includes('id') && kind !== 'unit') continue;
          const url = fillUrl(route, { id, object: w.foreignObject, field: w.foreignField });
          const r = await send(w.adminA, route, url, body ?? {});
          if (r.status !== 404)
            failures.push(
              `admin A ${routeName(route)} with B's ${kind} → ${r.status} ${text(r.body).slice(0, 160)}`,
            );
          assertNoLeak(routeName(route), r.body, w.foreignMarkers);
        }
        cells.push('adminA×B-ids=404');
      } else if (route.method === 'GET') {
        const r = await w.adminA.get(fillUrl(route, {}));
        if (r.status !== 200) failures.push(`admin A ${routeName(route)} → ${r.status}`);
        assertNoLeak(`admin A ${routeName(route)}`, r.body, [...w.foreignIds, ...w.foreignMarkers]);
        cells.push('adminA lists no B ids');
      }
      lines.push(`${routeAction(route).padEnd(7)} ${routeName(route).padEnd(46)} ${cells.join('  ')}`);
    }
    console.log(`\nadmin matrix\n${lines.join('\n')}\n`);
    // The B-only object is not even described to tenant A.
    assert.equal((await w.adminA.get(`/meta/objects/${w.foreignObject}`)).status, 404);
    assert.deepEqual(failures, []);
  });

  it('gives 404 for foreign ids on every other id route, and returns no foreign data from caller-only routes', async () => {
    const w = await buildWorld(env);
    const failures: string[] = [];
    for (const { route, shape } of shapes()) {
      if (shape.kind === 'foreign-id') {
        const body = sampleBody(route);
        if (body === null) {
          failures.push(`${routeName(route)}: no valid body could be sampled; declare probe.skip`);
          continue;
        }
        for (const caller of [w.adminA, w.dealer])
          for (const [kind, id] of Object.entries(w.foreignIdsByKind)) {
            const r = await send(caller, route, fillUrl(route, { id, object: 'customer' }), body);
            if (r.status !== 404) failures.push(`${routeName(route)} with B's ${kind} → ${r.status}`);
          }
      }
      if (shape.kind === 'metadata') {
        // Tenant B's own object and field do not exist for tenant A's callers.
        const r = await send(
          w.adminA,
          route,
          fillUrl(route, { object: w.foreignObject, field: w.foreignField }),
          sampleBody(route) ?? {},
        );
        if (r.status !== 404) failures.push(`admin A ${routeName(route)} on B's object → ${r.status}`);
        if (route.method === 'GET') {
          const own = await w.dealer.get(fillUrl(route, { object: 'customer', field: 'name' }));
          assertNoLeak(routeName(route), own.body, [...w.foreignIds, ...w.foreignMarkers]);
        }
      }
      if (shape.kind === 'self') {
        // Mutations run on a throwaway session (logout, password) so the matrix keeps its own.
        const caller = route.method === 'GET' ? w.dealer : await login(env, w.A.seed.slug, 'zhang.wei');
        const r = await send(caller, route, fillUrl(route, {}), sampleBody(route) ?? {});
        if (r.status >= 500) failures.push(`${routeName(route)} → ${r.status}`);
        assertNoLeak(routeName(route), r.body, [...w.foreignIds, ...w.foreignMarkers]);
      }
    }
    // Another user's private view in the same tenant is as invisible as a foreign one.
    const mine = await ok(w.adminA.post('/views', { object: 'customer', name: 'private', shared: false }));
    assert.equal((await w.dealer.patch(`/views/${mine.id}`, { name: 'taken' })).status, 404);
    assert.equal((await w.dealer.del(`/views/${mine.id}`)).status, 404);
    assert.ok(!text((await w.dealer.get('/views?object=customer')).body).includes(mine.id));
    assert.deepEqual(failures, []);
  });
});

/** Probe-kind sides: tenant A (the caller's) and tenant B (the other tenant). */
function sidesOf(w: World): { A: Side; B: Side } {
  return {
    A: { env, dir: w.A, admin: w.adminA, memo: new Map() },
    B: { env, dir: w.B, admin: w.adminB, memo: new Map() },
  };
}

type Where = 'other-tenant' | 'sibling-dealer' | 'unit-above' | 'own-unit';
function placement(w: World, where: Where): Placement {
  const loc = w.locs.find((l) => l.key === where)!;
  return { unitId: loc.unitId, ownerId: loc.ownerId };
}

/** `route` has the permission `perm` under the dealer manager's role (wildcards included). */
const dealerMay = (w: World, route: RouteSpec) =>
  typeof route.permission === 'string' &&
  (route.permission === 'authenticated' ||
    can({ permissions: w.dealerPermissions } as Principal, route.permission));

/** Fills `probe.params`/`probe.query` values; `pick` supplies the thing for each kind. */
async function resolveValues(
  spec: Record<string, string>,
  pick: (name: string, kind: string) => Promise<Thing>,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(spec)) {
    const p = parseProbeValue(v);
    if ('literal' in p) out[name] = p.literal;
    else {
      const t = await pick(name, p.kind);
      out[name] = p.field ? t.fields![p.field]! : t.id;
    }
  }
  return out;
}

const withQuery = (url: string, q: Record<string, string>) =>
  Object.keys(q).length ? `${url}?${new URLSearchParams(q)}` : url;

const ownedRoutes = () =>
  shapes().flatMap(({ route, shape }) => (shape.kind === 'owned' ? [{ route, shape }] : []));

describe('tenant-owned things named in the path or query', () => {
  it('gives 404 (never 403, never data) for the other tenant’s things and other units’ records on every declared route, and finds the caller’s own', async () => {
    const w = await buildWorld(env);
    const sides = sidesOf(w);
    const failures: string[] = [];
    const lines: string[] = [];
    // One shared thing per (place × kind): the probes must leave it unchanged.
    const sharedThings = new Map<string, Promise<{ thing: Thing; before: string }>>();
    const ownerOf = (where: Where) => (where === 'other-tenant' ? w.adminB : w.adminA);
    // What the thing's owner sees of it through every GET route naming only its kind.
    const view = async (where: Where, kind: string, thing: Thing) => {
      const parts: string[] = [];
      for (const { route, shape } of ownedRoutes()) {
        const ps = Object.entries(shape.params);
        if (
          route.method !== 'GET' ||
          !ps.length ||
          ps.some(([, v]) => v !== kind) ||
          Object.keys(shape.query).length
        )
          continue;
        const r = await ownerOf(where).get(
          fillUrl(route, Object.fromEntries(ps.map(([k]) => [k, thing.id]))),
        );
        parts.push(`${routeName(route)} ${r.status} ${text(normalize(r.body))}`);
      }
      return parts.join('\n');
    };
    const shared = async (where: Where, kind: string) => {
      const key = `${where}:${kind}`;
      if (!sharedThings.has(key)) {
        const k = probeKinds[kind]!;
        const made = (async () => {
          const thing =
            where === 'other-tenant'
              ? await k.create(sides.B, k.unitScoped ? placement(w, 'other-tenant') : undefined)
              : await k.create(sides.A, k.unitScoped ? placement(w, where) : undefined);
          return { thing, before: await view(where, kind, thing) };
        })();
        sharedThings.set(key, made);
      }
      return (await sharedThings.get(key)!).thing;
    };
    const make = (kind: string) =>
      probeKinds[kind]!.create(sides.A, probeKinds[kind]!.unitScoped ? placement(w, 'own-unit') : undefined);
    // Within one request, params naming the same kind (`kind.field`) name the same thing.
    let request = new Map<string, Promise<Thing>>();
    const fresh = (kind: string) => {
      if (!request.has(kind)) request.set(kind, make(kind));
      return request.get(kind)!;
    };
    const owned = ownedRoutes();
    assert.ok(owned.length >= 40, `declared routes: ${owned.length}`);
    for (const { route, shape } of owned) {
      const name = routeName(route);
      const spec = { ...shape.params, ...shape.query, ...shape.body };
      const kindParams = Object.entries(spec).filter(([, v]) => !v.startsWith('='));
      const unitScoped = kindParams.some(([, v]) => probeKinds[v.split('.')[0]!]?.unitScoped);
      // The body must be valid with the probed values in it (a body-level 422 would hide the id check).
      const placeholders = Object.fromEntries(
        Object.entries(shape.body).map(([k, v]) => [k, v.startsWith('=') ? v.slice(1) : randomUUID()]),
      );
      if (sampleBody(route, placeholders) === null) {
        failures.push(`${name}: no valid body could be sampled`);
        continue;
      }
      const call = async (c: Client, values: Record<string, string>) => {
        const pick = (m: Record<string, string>) =>
          Object.fromEntries(Object.keys(m).map((k) => [k, values[k]!]));
        const url = withQuery(
          fillUrl(route, { object: 'customer', ...pick(shape.params) }),
          pick(shape.query),
        );
        const body = sampleBody(route, pick(shape.body));
        if (body === null) throw new Error(`${name}: no valid body with ${JSON.stringify(pick(shape.body))}`);
        return send(c, route, url, body);
      };
      const cells: string[] = [];
      const places: Where[] = [
        'other-tenant',
        ...(unitScoped && dealerMay(w, route) ? (['sibling-dealer', 'unit-above'] as Where[]) : []),
      ];
      for (const where of places) {
        const caller = where === 'other-tenant' ? w.adminA : w.dealer;
        // One probed param at a time; the others name the caller's own things.
        for (const [param, v] of kindParams) {
          // Another unit's thing only matters for kinds the data scope confines (not the catalogue).
          if (where !== 'other-tenant' && !probeKinds[v.split('.')[0]!]?.unitScoped) continue;
          let probed: Thing | undefined;
          request = new Map();
          const values = await resolveValues(spec, async (n, kind) => {
            if (n !== param) return fresh(kind);
            probed = await shared(where, kind);
            return probed;
          });
          const r = await call(caller, values);
          // A thing in the path is 404; in the body, 404 or a field error; a query is a search
          // that finds nothing. Ids sent in a query or body may be echoed; nothing else may.
          const good =
            param in shape.params
              ? r.status === 404 && r.body?.code === 'not_found'
              : param in shape.body
                ? r.status === 404 || r.status === 422
                : r.status === 404 || (r.status >= 200 && r.status < 300);
          const leaked = [
            ...(param in shape.params ? [probed!.id] : []),
            probed!.marker,
            ...Object.values(probed!.fields ?? {}),
          ].filter((n) => text(r.body).includes(n));
          if (!good || leaked.length)
            failures.push(
              `${name} with ${param} of ${where} → ${r.status}${leaked.length ? ` leaked ${leaked.join(',')}` : ''} ${text(r.body).slice(0, 200)}`,
            );
          cells.push(`${param}@${where}=${r.status}${good && !leaked.length ? '✓' : '✗'}`);
        }
      }
      // The caller's own thing is found (after the probes, which must store nothing): the 404s
      // above are about tenancy and scope, not the probe.
      request = new Map();
      const own = await resolveValues(spec, (_, kind) => fresh(kind));
      const ownCaller = unitScoped && dealerMay(w, route) ? w.dealer : w.adminA;
      const mine = await call(ownCaller, own);
      cells.push(`own=${mine.status}`);
      if (mine.status === 404 || mine.status >= 500)
        failures.push(`${name} on the caller's own thing → ${mine.status} ${text(mine.body).slice(0, 200)}`);
      lines.push(`${routeAction(route).padEnd(7)} ${name.padEnd(48)} ${cells.join('  ')}`);
    }
    console.log(
      `\ntenant-owned things matrix (other tenant: admin of A; units: 经销商店长 @EC-D1)\n${lines.join('\n')}\n`,
    );
    // The probed things are as they were made: no probe changed another tenant's or unit's data.
    for (const [key, made] of sharedThings) {
      const [where, kind] = key.split(':') as [Where, string];
      const { thing, before } = await made;
      const now = await view(where, kind, thing);
      if (now !== before)
        failures.push(`${kind} of ${where} changed under the probes: ${firstDifference(before, now)}`);
    }
    assert.deepEqual(failures, []);
  });
});

/** Every tenant-wide read and caller-only read, as `route → normalised answer` (cursor pages followed). */
async function snapshot(c: Client): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const { route, shape } of shapes()) {
    if (route.method !== 'GET' || (shape.kind !== 'tenant-read' && shape.kind !== 'self')) continue;
    const literal = Object.fromEntries(
      Object.entries(route.probe?.params ?? {}).map(([k, v]) => [k, v.replace(/^=/, '')]),
    );
    const query = Object.fromEntries(
      Object.entries(route.probe?.query ?? {}).map(([k, v]) => [k, v.replace(/^=/, '')]),
    );
    const url = withQuery(fillUrl(route, literal), query);
    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const r: { status: number; body: any } = await c.get(
        cursor ? `${url}${url.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}` : url,
      );
      pages.push(`${r.status} ${text(normalize(r.body))}`);
      cursor = r.status === 200 && typeof r.body?.nextCursor === 'string' ? r.body.nextCursor : null;
    } while (cursor && pages.length < 20);
    out.set(routeName(route), pages.join('\n'));
  }
  return out;
}

function compareSnapshots(
  who: string,
  before: Map<string, string>,
  after: Map<string, string>,
  needles: string[],
) {
  const failures: string[] = [];
  for (const [route, a] of before) {
    const b = after.get(route)!;
    if (a !== b) failures.push(`${who} ${route} changed: ${firstDifference(a, b)}`);
    const leaked = needles.filter((n) => b.includes(n));
    if (leaked.length) failures.push(`${who} ${route} leaked ${leaked.join(', ')}`);
  }
  return failures;
}

/** Calls every tenant-wide write (configuration, creates, previews) with a sampled body. */
async function writeEverything(c: Client): Promise<string[]> {
  const errors: string[] = [];
  for (const { route, shape } of shapes()) {
    if (shape.kind !== 'tenant-write') continue;
    const literal = Object.fromEntries(
      Object.entries(route.probe?.params ?? {}).map(([k, v]) => [k, v.replace(/^=/, '')]),
    );
    const r = await send(c, route, fillUrl(route, literal), sampleBody(route) ?? {});
    if (r.status >= 500 || r.status === 403 || r.status === 404)
      errors.push(`${routeName(route)} → ${r.status} ${text(r.body).slice(0, 160)}`);
  }
  return errors;
}

describe('configuration naming another tenant’s people', () => {
  it('refuses a lead assignment rule whose members are another tenant’s users, storing nothing', async () => {
    const w = await buildWorld(env);
    const name = marker('RULE');
    const res = await w.adminA.post('/leads/rules', {
      name,
      strategy: 'round_robin',
      members: [{ userId: w.A.user('zhang.wei').id }, { userId: w.B.user('zhang.wei').id }],
    });
    assert.equal(res.status, 422, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.errors.map((e: any) => e.field),
      ['members.1.userId'],
    );
    assert.ok(!text((await ok(w.adminA.get('/leads/rules'))).items).includes(name));
  });
});

describe('tenant-wide reads and writes', () => {
  it('answers every read for tenant A identically whatever tenant B or another unit does, and no write of A changes what B sees', async () => {
    const w = await buildWorld(env);
    const sides = sidesOf(w);
    const reads = shapes().filter(
      (s) => s.route.method === 'GET' && (s.shape.kind === 'tenant-read' || s.shape.kind === 'self'),
    );
    assert.ok(reads.length >= 30, `reads: ${reads.length}`);
    const failures: string[] = [];
    const drain = async () => {
      await drainBackground(env, w.A.tenantId);
      await drainBackground(env, w.B.tenantId);
    };
    await drain();
    const [a0, d0, b0] = [await snapshot(w.adminA), await snapshot(w.dealer), await snapshot(w.adminB)];
    const status = (m: Map<string, string>, k: string) => m.get(k)!.slice(0, 3);
    console.log(
      `\ntenant-wide reads (admin A / dealer)\n${[...a0.keys()].map((k) => `${k.padEnd(44)} ${status(a0, k)} / ${status(d0, k)}`).join('\n')}\n`,
    );
    // Tenant B makes one of everything and writes every configuration it has.
    const bThings: Thing[] = [];
    for (const [kind, k] of Object.entries(probeKinds))
      bThings.push(
        await k.create(sides.B, k.unitScoped ? placement(w, 'other-tenant') : undefined).catch((e) => {
          failures.push(`B ${kind}: ${e.message}`);
          return { id: randomUUID(), marker: randomUUID() };
        }),
      );
    failures.push(...(await writeEverything(w.adminB)).map((e) => `B ${e}`));
    await drain();
    const bNeedles = [
      ...bThings.flatMap((t) => [t.id, t.marker, ...Object.values(t.fields ?? {})]),
      ...w.foreignIds,
    ];
    failures.push(...compareSnapshots('admin A', a0, await snapshot(w.adminA), bNeedles));
    failures.push(...compareSnapshots('dealer', d0, await snapshot(w.dealer), bNeedles));
    // Tenant A puts records in the sibling dealer and the region above: the dealer's answers stay.
    const unitThings: Thing[] = [];
    for (const where of ['sibling-dealer', 'unit-above'] as const)
      for (const [, k] of Object.entries(probeKinds).filter(([, k]) => k.unitScoped))
        unitThings.push(await k.create(sides.A, placement(w, where)));
    await drain();
    failures.push(
      ...compareSnapshots(
        'dealer (after other units’ records)',
        d0,
        await snapshot(w.dealer),
        unitThings.flatMap((t) => [t.id, t.marker]),
      ),
    );
    // Tenant A writes every configuration it has: tenant B's answers stay.
    const b1 = await snapshot(w.adminB);
    failures.push(...(await writeEverything(w.adminA)).map((e) => `A ${e}`));
    await drain();
    failures.push(...compareSnapshots('admin B', b1, await snapshot(w.adminB), []));
    assert.ok(b0.size === b1.size);
    assert.deepEqual(failures, []);
  });
});

describe('function permissions', () => {
  it('answers 403 on every route to a user whose role lacks exactly the permission the route names', async () => {
    const w = await buildWorld(env);
    const named = shapes().filter(
      (s) =>
        typeof s.route.permission === 'string' &&
        s.route.permission !== 'public' &&
        s.route.permission !== 'authenticated',
    );
    const perms = [...new Set(named.map((s) => s.route.permission as string))].sort();
    assert.ok(
      perms.includes('cdp:manage') && perms.includes('profile:unmask') && perms.includes('segment:export'),
    );
    const failures: string[] = [];
    const lines: string[] = [];
    const password = 'Probe-pass-2026!';
    for (const perm of perms) {
      const role = await ok(
        w.adminA.post('/admin/roles', {
          name: `lacks ${perm} ${marker()}`,
          permissions: perms.filter((p) => p !== perm),
          dataScopes: { '*': 'tenant' },
        }),
      );
      const loginName = `lacks.${marker().toLowerCase()}`;
      await ok(
        w.adminA.post('/admin/users', {
          login: loginName,
          name: loginName,
          unitId: w.A.unit('HQ'),
          roleIds: [role.id],
          password,
        }),
      );
      const c = await login(env, w.A.seed.slug, loginName, password);
      const routes = named.filter((s) => s.route.permission === perm);
      for (const { route } of routes) {
        const url = fillUrl(route, { object: 'customer', id: randomUUID(), field: 'name' });
        const r = route.rawBody
          ? await c.request(route.method, url, 'a,b\n', { 'content-type': 'text/csv' })
          : await send(c, route, url, sampleBody(route) ?? {});
        if (r.status !== 403 || r.body?.code !== 'forbidden')
          failures.push(`${routeName(route)} without ${perm} → ${r.status}`);
      }
      lines.push(`${perm.padEnd(20)} ${routes.length} route(s) → 403`);
    }
    console.log(`\nfunction permissions (role holding every other permission)\n${lines.join('\n')}\n`);
    assert.deepEqual(failures, []);
  });

  it('audits every unmasked profile view and every segment export', async () => {
    const w = await buildWorld(env);
    const sides = sidesOf(w);
    const profile = await probeKinds.cdp_profile!.create(sides.A);
    const segment = await probeKinds.cdp_segment!.create(sides.A);
    const unmasked = await w.adminA.post(`/cdp/profiles/${profile.id}/unmask`);
    assert.equal(unmasked.status, 200);
    assert.ok(text(unmasked.body).includes(profile.fields!.phone!.slice(-4)));
    const exported = await w.adminA.get(`/cdp/segments/${segment.id}/export`);
    assert.equal(exported.status, 200);
    const audit = async (action: string, recordId: string) =>
      (await ok(w.adminA.get(`/admin/audit?action=${action}&recordId=${recordId}`))).items.length;
    assert.equal(await audit('unmask', profile.id), 1);
    assert.equal(await audit('export', segment.id), 1);
    // Tenant B's audit shows neither.
    assert.ok(!text(await ok(w.adminB.get('/admin/audit?limit=200'))).includes(profile.id));
  });
});

describe('mass assignment', () => {
  const stored = (env: TestEnv, d: TenantDirectory, name: string) =>
    countRows(env, d.tenantId, 'customers', sql`name = ${name}`);

  it('rejects tenantId, id, createdAt, version and out-of-scope owner or unit on create with field errors, storing nothing', async () => {
    const seed = await newTenant(env, 0);
    const other = await newTenant(env, 0);
    const [d, o] = await Promise.all([tenantDirectory(env, seed), tenantDirectory(env, other)]);
    const dealer = await login(env, seed.slug, 'zhang.wei');
    const cases: [string, Record<string, unknown>][] = [
      ['tenantId', { tenantId: other.tenantId }],
      ['id', { id: randomUUID() }],
      ['createdAt', { createdAt: '2020-01-01T00:00:00Z' }],
      ['createdBy', { createdBy: d.user('admin').id }],
      ['version', { version: 7 }],
      ['ownerId', { ownerId: d.user('liu.yang').id }],
      ['ownerId', { ownerId: o.user('zhang.wei').id }],
      ['unitId', { unitId: d.unit('HQ') }],
      ['unitId', { unitId: o.unit('EC-D1') }],
    ];
    for (const [field, extra] of cases) {
      const name = marker('MA');
      const res = await dealer.post('/records/customer', { name, ...extra });
      assert.equal(res.status, 422, `${field}: ${JSON.stringify(res.body)}`);
      assert.equal(res.headers.get('content-type')?.split(';')[0], 'application/problem+json');
      assert.ok(
        res.body.errors.some((e: any) => e.field === field && e.message),
        `${field} has a field error: ${JSON.stringify(res.body.errors)}`,
      );
      assert.equal(await stored(env, d, name), 0);
      assert.equal(await stored(env, o, name), 0);
    }
  });

  it('rejects the same tampering on update and leaves the record unchanged', async () => {
    const seed = await newTenant(env, 0);
    const other = await newTenant(env, 0);
    const [d, o] = await Promise.all([tenantDirectory(env, seed), tenantDirectory(env, other)]);
    const dealer = await login(env, seed.slug, 'zhang.wei');
    const created = await dealer.post('/records/customer', { name: marker('UP') });
    assert.equal(created.status, 201);
    const id = created.body.id;
    const cases: [string, Record<string, unknown>][] = [
      ['tenantId', { tenantId: other.tenantId }],
      ['id', { id: randomUUID() }],
      ['createdAt', { createdAt: '2020-01-01T00:00:00Z' }],
      ['updatedBy', { updatedBy: d.user('admin').id }],
      ['ownerId', { ownerId: d.user('liu.yang').id }],
      ['ownerId', { ownerId: o.user('zhang.wei').id }],
      ['unitId', { unitId: d.unit('EC') }],
    ];
    for (const [field, extra] of cases) {
      const res = await dealer.patch(`/records/customer/${id}`, { version: 1, name: 'renamed', ...extra });
      assert.equal(res.status, 422, `${field}: ${JSON.stringify(res.body)}`);
      assert.ok(
        res.body.errors.some((e: any) => e.field === field),
        `${field}: ${JSON.stringify(res.body.errors)}`,
      );
    }
    // A forged version is a stale version (409), a non-integer one a validation error.
    assert.equal(
      (await dealer.patch(`/records/customer/${id}`, { version: 99, name: 'renamed' })).status,
      409,
    );
    const badVersion = await dealer.patch(`/records/customer/${id}`, { version: 'latest', name: 'renamed' });
    assert.equal(badVersion.status, 422);
    assert.equal(badVersion.body.errors[0].field, 'version');
    const after = await dealer.get(`/records/customer/${id}`);
    assert.equal(after.body.version, 1);
    assert.equal(after.body.name, created.body.name);
    assert.equal(after.body.unitId, created.body.unitId);
  });

  it('does not let a 销售顾问 (scope own) create a record owned by a colleague or placed in another unit', async () => {
    const seed = await newTenant(env, 0);
    const d = await tenantDirectory(env, seed);
    const consultant = await login(env, seed.slug, 'sun.lei');
    for (const extra of [
      { ownerId: d.user('zhao.jing').id },
      { ownerId: d.user('zhao.jing').id, unitId: d.unit('EC-D1-S1') },
      { unitId: d.unit('EC-D1-S2') },
    ]) {
      const name = marker('OWN');
      const res = await consultant.post('/records/customer', { name, ...extra });
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.ok(
        res.body.errors.some(
          (e: any) => ['ownerId', 'unitId'].includes(e.field) && e.code === 'out_of_scope',
        ),
      );
      assert.equal(await stored(env, d, name), 0);
      const bulk = await consultant.post('/records/customer/bulk', {
        op: 'create',
        atomic: true,
        records: [{ name, ...extra }],
      });
      assert.equal(bulk.status, 422);
      assert.equal(await stored(env, d, name), 0);
    }
    const own = await consultant.post('/records/customer', {
      name: marker('OWN'),
      ownerId: d.user('sun.lei').id,
    });
    assert.equal(own.status, 201);
    assert.equal(own.body.ownerId, d.user('sun.lei').id);
    assert.equal(own.body.unitId, d.unit('EC-D1-S1'));
  });
});
