/**
 * Global search (issue 9 §1): p50/p99 of `GET /api/v1/search` at --customers (default 1M) against
 * the single indexed SELECT it is built on, measured in the same run on the same database:
 *
 *   select id, name from customers where tenant_id = $1 and deleted_at is null
 *     and name collate "C" >= $2 and name collate "C" < $3 order by name collate "C" limit 10
 *
 * run under row-level security as the application role (inTenant), like every Kehu read. (The
 * issue's `name like 'x%'` is the same question; under RLS `like` is not leakproof and would not
 * be an index range, which is why the search and this baseline both use the range form.)
 *
 * The search runs every source the caller may read — customers, contacts, leads, opportunities,
 * orders, quotes, contracts (a handful of index lookups each) — through the real HTTP stack
 * (session cookie, route, JSON), sequentially, so each figure is one request at a time.
 * Customers are generated with generate_series into a demo tenant (seeded once, reused:
 * slug `search<N>` in `kehu_bench`); 1 in 20 belongs to 赵静 (销售顾问, own scope).
 *
 *   node bench/global-search.bench.ts [--customers 1000000] [--requests 300]
 */
import { loadConfig } from '../apps/server/src/core/config.ts';
import {
  args,
  BENCH_DB,
  DEMO_PASSWORD,
  dbUrl,
  ensureDatabase,
  fmt,
  int,
  printTable,
  signIn,
  timeSequential,
  writeResult,
} from './lib.ts';

export const globalSearchOptions = (argv?: string[]) =>
  args(
    {
      customers: { type: 'string', default: '1000000' },
      requests: { type: 'string', default: '300' },
    },
    argv,
  );

export interface GlobalSearchResult {
  customers: number;
  requests: number;
  baseline: { p50: number; p99: number };
  scenarios: { name: string; p50: number; p99: number; ratioP99: number; hits: number }[];
  containsMiss: { p50: number; p99: number; requests: number };
}

export async function runGlobalSearch(
  o: NonNullable<ReturnType<typeof globalSearchOptions>>,
): Promise<GlobalSearchResult> {
  const customers = int(o.customers as string, 'customers');
  const requests = int(o.requests as string, 'requests');
  await ensureDatabase(BENCH_DB);
  const url = dbUrl();
  const { openDatabase } = await import('../apps/server/src/core/db/database.ts');
  const { migrateAll, createApp } = await import('../apps/server/src/app.ts');
  const { inTenant } = await import('../apps/server/src/core/db/tenant-scope.ts');
  const { sql } = await import('kysely');
  const database = await openDatabase({ url, poolSize: 4 });
  await migrateAll(database.db);
  const pool = database.pool!;
  const slug = `search${customers}`;
  let tenantId = (await pool.query<{ id: string }>('select id from tenants where slug = $1', [slug])).rows[0]
    ?.id;
  if (!tenantId) {
    console.error(`seeding ${slug}: a demo tenant without customers, then ${customers} generated ones …`);
    const { seedDemoTenant } = await import('../apps/server/src/seed/demo-data.ts');
    tenantId = (await seedDemoTenant(database, { customers: 0, slug, password: DEMO_PASSWORD })).tenantId;
    const who = await pool.query<{ login: string; id: string; unit_id: string }>(
      `select login, id, unit_id from users where tenant_id = $1 and login in ('admin', 'zhao.jing')`,
      [tenantId],
    );
    const admin = who.rows.find((r) => r.login === 'admin')!;
    const zhao = who.rows.find((r) => r.login === 'zhao.jing')!;
    const t0 = performance.now();
    // Company names from 40 brands × 8 kinds, numbered: prefixes from common (华为) to unique.
    await pool.query(
      `insert into customers (tenant_id, id, owner_id, unit_id, name, kind, phone, level, created_by, updated_by)
       select $1, gen_random_uuid(),
         case when n % 20 = 0 then $3::uuid else $2::uuid end,
         case when n % 20 = 0 then $5::uuid else $4::uuid end,
         (array['华为','腾讯','阿里','美的','格力','海尔','比亚迪','小米','京东','百度','网易','联想','万科','碧桂园','顺丰','中兴','蒙牛','伊利','安踏','李宁',
                'Acme','Globex','Initech','Umbrella','Stark','Wayne','Wonka','Hooli','Pied','Vandelay','苏宁','国美','长虹','海信','TCL','创维','方太','老板','九阳','苏泊尔'])[1 + n % 40]
           || (array['科技','贸易','电器','实业','家居','物流','食品','服饰'])[1 + (n / 40) % 8] || n,
         'company', '139' || lpad(n::text, 8, '0'),
         (array['A','B','C','D'])[1 + n % 4], $2::uuid, $2::uuid
       from generate_series(1, $6::int) n`,
      [tenantId, admin.id, zhao.id, admin.unit_id, zhao.unit_id, customers],
    );
    await pool.query('analyze customers');
    console.error(`  ${customers} customers in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const count = (
    await pool.query<{ n: number }>('select count(*)::int n from customers where tenant_id = $1', [tenantId])
  ).rows[0]!.n;

  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    DB_POOL_SIZE: '4',
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const app = await createApp(config, database);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const admin = await signIn(base, slug, 'admin');
  const zhao = await signIn(base, slug, 'zhao.jing');

  let lastHits = 0;
  const search = (who: { cookie: string }, q: string) => async () => {
    const r = await fetch(`${base}/api/v1/search?q=${encodeURIComponent(q)}&limit=5`, {
      headers: { cookie: who.cookie },
    });
    if (r.status !== 200) throw new Error(`search ${q}: ${r.status} ${await r.text()}`);
    const body = (await r.json()) as { groups: { hits: unknown[] }[] };
    lastHits = body.groups.reduce((s, g) => s + g.hits.length, 0);
  };
  const prefixEnd = (s: string) => s.slice(0, -1) + String.fromCodePoint(s.codePointAt(s.length - 1)! + 1);
  const baselineTerm = '华为科技1';
  const baseline = await timeSequential(requests, () =>
    inTenant(
      database.db,
      tenantId!,
      (tx) =>
        sql`select id, name from customers where tenant_id = ${tenantId} and deleted_at is null
          and name collate "C" >= ${baselineTerm} and name collate "C" < ${prefixEnd(baselineTerm)}
          order by name collate "C" limit 10`.execute(tx),
      { readOnly: true },
    ),
  );
  const scenarios: GlobalSearchResult['scenarios'] = [];
  const midPhone = `139${String(Math.floor(count / 2) + 7).padStart(8, '0')}`;
  for (const [name, who, q] of [
    ['admin: name prefix, common (华为科技1 …)', admin, baselineTerm],
    ['admin: whole name (美的实业123)', admin, '美的实业123'],
    [`admin: whole phone (${midPhone})`, admin, midPhone],
    ['admin: Latin prefix (Acme)', admin, 'Acme'],
    ['赵静 (own scope): name prefix (华为)', zhao, '华为'],
    ['赵静 (own scope): her customer by phone (13900000020)', zhao, '13900000020'],
  ] as const) {
    const r = await timeSequential(requests, search(who, q));
    scenarios.push({ name, ...r, ratioP99: r.p99 / baseline.p99, hits: lastHits });
  }
  // The worst case: a term found nowhere falls back to "name containing" over the newest 20,000.
  const missRequests = Math.max(20, Math.floor(requests / 5));
  const containsMiss = {
    ...(await timeSequential(missRequests, search(admin, '无此客户xyz'))),
    requests: missRequests,
  };

  await app.close();
  await database.close();
  printTable(`global search at ${count} customers (${requests} sequential requests each)`, [
    {
      case: 'baseline: indexed prefix SELECT, limit 10 (RLS)',
      p50: fmt(baseline.p50, 2),
      p99: fmt(baseline.p99, 2),
      'p99 ratio': '1.00',
      hits: 10,
    },
    ...scenarios.map((s) => ({
      case: s.name,
      p50: fmt(s.p50, 2),
      p99: fmt(s.p99, 2),
      'p99 ratio': fmt(s.ratioP99, 2),
      hits: s.hits,
    })),
    {
      case: `admin: no match anywhere (containing, newest 20k; ${missRequests} requests)`,
      p50: fmt(containsMiss.p50, 0),
      p99: fmt(containsMiss.p99, 0),
      'p99 ratio': fmt(containsMiss.p99 / baseline.p99, 0),
      hits: 0,
    },
  ]);
  const result: GlobalSearchResult = { customers: count, requests, baseline, scenarios, containsMiss };
  console.log(`written ${writeResult('global-search', result)}`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o = globalSearchOptions();
  if (o) {
    await runGlobalSearch(o);
    process.exit(0);
  }
}
