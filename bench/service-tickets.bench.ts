/**
 * Service tickets at scale (issue 13): p50/p99 of the ticket queue's first page and of the SLA
 * breach scan at --tickets (default 1M, nearly all open), each against a bare SELECT on the same
 * database in the same run, under row-level security as the application role (inTenant):
 *
 *   list:   GET /api/v1/service/tickets?status=open&limit=50 (the page's default filter), as the
 *           administrator (tenant scope) and as 张伟 (经销商店长, his dealer's subtree)
 *           vs  select … from service_tickets where tenant_id = $1 order by created_at desc, id desc limit 50
 *   breach: GET /api/v1/service/tickets?status=open&breached=true&limit=50 (the 已超时 view) and
 *           GET /api/v1/service/stats (the page's counters from service_ticket_counts, decision 0069,
 *           plus the breached count; the grouped pass over every ticket it replaced is measured too)
 *           vs  select … where tenant_id = $1 and resolution_due_at < now() order by … limit 50
 *           and select count(*) … where <open, unresolved> and resolution_due_at < now()
 *
 * Tickets are generated with generate_series into a demo tenant (seeded once, reused: slug
 * `tickets<N>` in `kehu_bench`): spread over the tenant's units and handlers, created over 90 days,
 * 95 % open, resolution due over the next 30 days with about 2 % already breached.
 *
 *   node bench/service-tickets.bench.ts [--tickets 1000000] [--requests 200]
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

const o = args({
  tickets: { type: 'string', default: '1000000' },
  requests: { type: 'string', default: '200' },
});
const tickets = int(o.tickets as string, 'tickets');
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
const slug = `tickets${tickets}`;
let tenantId = (await pool.query<{ id: string }>('select id from tenants where slug = $1', [slug])).rows[0]
  ?.id;
if (!tenantId) {
  console.error(`seeding ${slug}: a demo tenant without customers, then ${tickets} generated tickets …`);
  const { seedDemoTenant } = await import('../apps/server/src/seed/demo-data.ts');
  tenantId = (await seedDemoTenant(database, { customers: 0, slug, password: DEMO_PASSWORD })).tenantId;
  const t0 = performance.now();
  await pool.query(
    `with units as (select array_agg(id order by path) as ids from units where tenant_id = $1),
       agents as (select array_agg(id order by login) as ids from users where tenant_id = $1 and status = 'active')
     insert into service_tickets (tenant_id, id, number, subject, category_key, priority, channel, status, unit_id,
       assignee_id, created_at, updated_at, last_activity_at, first_response_due_at, first_responded_at,
       resolution_due_at, resolved_at, closed_at)
     select $1, gen_random_uuid(), 'B' || lpad(n::text, 8, '0'), '工单 ' || n, 'general',
       (array['low','normal','normal','high','urgent'])[1 + n % 5], 'form',
       case when n % 20 = 0 then 'closed' else (array['new','assigned','in_progress','waiting_customer'])[1 + n % 4] end,
       u.ids[1 + n % cardinality(u.ids)], a.ids[1 + n % cardinality(a.ids)],
       c.at, c.at, c.at, c.at + interval '4 hours', c.at + interval '1 hour',
       now() + ((n % 1000) / 1000.0 * 30 - 0.6) * interval '1 day',
       case when n % 20 = 0 then c.at + interval '1 day' end, case when n % 20 = 0 then c.at + interval '1 day' end
     from generate_series(1, $2::int) n cross join units u cross join agents a
     cross join lateral (select now() - (n::float / $2) * interval '90 days' as at) c`,
    [tenantId, tickets],
  );
  // vacuum sets the visibility map, as autovacuum would on a live table: index-only scans need it.
  await pool.query('vacuum analyze service_tickets');
  console.error(`  ${tickets} tickets in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
const count = (
  await pool.query<{ n: number; open: number; breached: number }>(
    `select count(*)::int n, count(*) filter (where status <> 'closed')::int open,
       count(*) filter (where status <> 'closed' and resolution_due_at < now())::int breached
     from service_tickets where tenant_id = $1`,
    [tenantId],
  )
).rows[0]!;

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
const dealer = await signIn(base, slug, 'zhang.wei');

let lastRows = 0;
const get = (who: { cookie: string }, path: string) => async () => {
  const r = await fetch(`${base}/api/v1${path}`, { headers: { cookie: who.cookie } });
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  const body = (await r.json()) as { items?: unknown[]; breached?: number };
  lastRows = body.items?.length ?? body.breached ?? 0;
};
const bare = (q: (tid: string) => ReturnType<typeof sql>) => () =>
  inTenant(
    database.db,
    tenantId!,
    async (tx) => {
      const r = await q(tenantId!).execute(tx);
      lastRows = r.rows.length;
    },
    { readOnly: true },
  );
const few = Math.max(10, Math.floor(requests / 10));
const COLS = sql`id, number, subject, status, priority, unit_id, assignee_id, created_at, resolution_due_at`;
const rows: { case: string; p50: string; p99: string; 'p99 ratio': string; rows: number }[] = [];
const result: Record<string, { p50: number; p99: number; rows: number; ratioP99?: number }> = {};
// Counting scans (stats and its baseline) run a tenth as often: each reads the whole tenant.
const measure = async (name: string, fn: () => Promise<unknown>, baseline?: string, n = requests) => {
  const r = await timeSequential(n, fn);
  const ratio = baseline ? r.p99 / result[baseline]!.p99 : 1;
  result[name] = { ...r, rows: lastRows, ...(baseline ? { ratioP99: ratio } : {}) };
  rows.push({
    case: name,
    p50: fmt(r.p50, 2),
    p99: fmt(r.p99, 2),
    'p99 ratio': fmt(ratio, 2),
    rows: lastRows,
  });
};

await measure(
  'baseline: newest 50 (indexed, RLS)',
  bare(
    (t) =>
      sql`select ${COLS} from service_tickets where tenant_id = ${t} order by created_at desc, id desc limit 50`,
  ),
);
await measure(
  'admin: open tickets, first page',
  get(admin, '/service/tickets?status=open&limit=50'),
  'baseline: newest 50 (indexed, RLS)',
);
await measure(
  '张伟 (dealer subtree): open tickets, first page',
  get(dealer, '/service/tickets?status=open&limit=50'),
  'baseline: newest 50 (indexed, RLS)',
);
await measure(
  'baseline: resolution_due_at < now(), newest 50',
  bare(
    (t) => sql`select ${COLS} from service_tickets where tenant_id = ${t} and resolution_due_at < now()
    order by created_at desc, id desc limit 50`,
  ),
);
await measure(
  'admin: breached open tickets, first page',
  get(admin, '/service/tickets?status=open&breached=true&limit=50'),
  'baseline: resolution_due_at < now(), newest 50',
);
await measure(
  '张伟: breached open tickets, first page',
  get(dealer, '/service/tickets?status=open&breached=true&limit=50'),
  'baseline: resolution_due_at < now(), newest 50',
);
await measure(
  'baseline: count(*) open, unresolved, resolution_due_at < now()',
  bare(
    (t) => sql`select count(*) from service_tickets where tenant_id = ${t} and resolved_at is null
      and status in ('new', 'assigned', 'in_progress', 'waiting_customer', 'reopened') and resolution_due_at < now()`,
  ),
  undefined,
  few,
);
// What /service/stats read before decision 0069: one grouped pass over every ticket of the tenant.
await measure(
  'before 0069: grouped pass over all tickets (bare SQL)',
  bare(
    (t) => sql`select status, category_key, count(*)::int as n from service_tickets where tenant_id = ${t}
      group by status, category_key`,
  ),
  'baseline: count(*) open, unresolved, resolution_due_at < now()',
  few,
);
await measure(
  'admin: /service/stats (open, mine, breached counts)',
  get(admin, '/service/stats'),
  'baseline: count(*) open, unresolved, resolution_due_at < now()',
  few,
);
await measure(
  '张伟: /service/stats',
  get(dealer, '/service/stats'),
  'baseline: count(*) open, unresolved, resolution_due_at < now()',
  few,
);

await app.close();
await database.close();
printTable(
  `service tickets at ${count.n} tickets (${count.open} open, ${count.breached} breached; ${requests} sequential requests each, ms)`,
  rows,
);
console.log(`written ${writeResult('service-tickets', { tickets: count, requests, result })}`);
process.exit(0);
