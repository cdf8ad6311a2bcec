/**
 * Material tracking (issue 11): p50/p99 of opening a tracked link `/m/<token>` — token → tenant,
 * share and material lookup under RLS, one read per new visitor, the "正在看" notification, the
 * CDP `Material Opened` event, the HTML page — against a bare redirect route on the same server
 * (the cheapest thing a link can do), sequentially, same run. And material view → notification
 * row committed: from the start of each open to the sharing staff member's notification being
 * visible to another connection (target p99 < 1 s).
 *
 *   node bench/material-tracking.bench.ts [--opens 300]
 *
 * Runs on PostgreSQL (`kehu_bench`), tenant `materials` seeded once without customers.
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
  percentile,
  printTable,
  ratio,
  signIn,
  writeResult,
} from './lib.ts';

export const materialTrackingOptions = (argv?: string[]) =>
  args({ opens: { type: 'string', default: '300' } }, argv);

export interface MaterialTrackingResult {
  opens: number;
  redirect: { p50: number; p99: number };
  open: { p50: number; p99: number; ratioP99: number };
  notified: { p50: number; p99: number };
}

const SLUG = 'materials';
const UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0.47';

export async function runMaterialTracking(
  o: NonNullable<ReturnType<typeof materialTrackingOptions>>,
): Promise<MaterialTrackingResult> {
  const opens = int(o.opens as string, 'opens');
  // The per-address reader limit protects against scanners; this benchmark is one (set before the modules load).
  process.env.MATERIAL_READER_RATE_LIMIT = '100000000';
  await ensureDatabase(BENCH_DB);
  const url = dbUrl();
  const { openDatabase } = await import('../apps/server/src/core/db/database.ts');
  const { migrateAll, createApp } = await import('../apps/server/src/app.ts');
  const database = await openDatabase({ url, poolSize: 4 });
  await migrateAll(database.db);
  const pool = database.pool!;
  let tenantId = (await pool.query<{ id: string }>('select id from tenants where slug = $1', [SLUG])).rows[0]
    ?.id;
  if (!tenantId) {
    const { seedDemoTenant } = await import('../apps/server/src/seed/demo-data.ts');
    tenantId = (await seedDemoTenant(database, { customers: 0, slug: SLUG, password: DEMO_PASSWORD }))
      .tenantId;
  }
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    DB_POOL_SIZE: '4',
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const app = await createApp(config, database);
  // The baseline: a route that only answers with a redirect.
  app.get('/bench-redirect/:token', (_req, reply) => reply.redirect('/'));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  try {
    const hq = await signIn(base, SLUG, 'wang.jianguo');
    const call = async (path: string, body: unknown) => {
      const r = await fetch(`${base}/api/v1${path}`, {
        method: 'POST',
        headers: { cookie: hq.cookie, 'x-csrf-token': hq.csrf, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return r.json() as Promise<any>;
    };
    const m = await call('/materials', { kind: 'article', title: '基准测试文章', bodyHtml: '<p>正文</p>' });
    const share = await call(`/materials/${m.id}/share`, {});
    const staffId = (
      await pool.query<{ id: string }>(
        `select id from users where tenant_id = $1 and login = 'wang.jianguo'`,
        [tenantId],
      )
    ).rows[0]!.id;
    const timed = async (path: string) => {
      const t0 = performance.now();
      const r = await fetch(base + path, { headers: { 'user-agent': UA }, redirect: 'manual' });
      await r.arrayBuffer();
      if (r.status >= 400) throw new Error(`${path}: ${r.status}`);
      return performance.now() - t0;
    };
    // Warm both paths.
    for (let i = 0; i < 20; i++) {
      await timed(`/bench-redirect/${share.token}`);
      await timed(`/m/${share.token}`);
    }
    const redirect: number[] = [];
    const open: number[] = [];
    const notified: number[] = [];
    const count = async () =>
      (
        await pool.query<{ n: number }>(
          `select count(*)::int n from notifications where tenant_id = $1 and user_id = $2 and kind = 'material_reading'`,
          [tenantId, staffId],
        )
      ).rows[0]!.n;
    for (let i = 0; i < opens; i++) {
      redirect.push(await timed(`/bench-redirect/${share.token}`));
      // Each open without a cookie is a new reader: a read, an alert and a CDP event.
      const before = await count();
      const t0 = performance.now();
      const req = timed(`/m/${share.token}`);
      let seen = 0;
      while (!seen) if ((await count()) > before) seen = performance.now() - t0;
      open.push(await req);
      notified.push(seen);
    }
    const result: MaterialTrackingResult = {
      opens,
      redirect: { p50: percentile(redirect, 50), p99: percentile(redirect, 99) },
      open: {
        p50: percentile(open, 50),
        p99: percentile(open, 99),
        ratioP99: ratio(percentile(open, 99), percentile(redirect, 99)),
      },
      notified: { p50: percentile(notified, 50), p99: percentile(notified, 99) },
    };
    printTable('material tracking (ms)', [
      { what: 'bare redirect', p50: fmt(result.redirect.p50, 2), p99: fmt(result.redirect.p99, 2) },
      { what: 'tracked open /m/<token>', p50: fmt(result.open.p50, 2), p99: fmt(result.open.p99, 2) },
      {
        what: 'view → notification committed',
        p50: fmt(result.notified.p50, 2),
        p99: fmt(result.notified.p99, 2),
      },
    ]);
    console.log(`tracked open p99 is ${fmt(result.open.ratioP99, 1)}x the bare redirect`);
    writeResult('material-tracking', result);
    return result;
  } finally {
    await app.close();
    await database.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o = materialTrackingOptions();
  if (o.help) console.log('node bench/material-tracking.bench.ts [--opens 300]');
  else {
    await runMaterialTracking(o);
    process.exit(0);
  }
}
