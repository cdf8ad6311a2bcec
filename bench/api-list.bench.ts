/**
 * API list benchmark: "list customers, filter by region, in my unit tree, page of 50" as a
 * dealer manager (经销商店长, data scope unit_tree) signed in with a session cookie, through
 * Kehu's real API, against a bare Fastify route running the equivalent indexed SELECT on a
 * pg pool of the same size — both on the same PostgreSQL database, in the same run.
 *
 *   node bench/api-list.bench.ts [--customers 200000] [--duration 10] [--warmup 3]
 *        [--connections 32] [--pool 20] [--rounds 1] [--decompose] [--login zhang.wei] [--region 310115]
 *
 * Targets: Kehu throughput >= 50 % of the bare route's, Kehu p99 <= 3x the bare p99.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import pg from 'pg';
import {
  args,
  BENCH_DB,
  BENCH_DIR,
  ensureBenchTenant,
  ensureDatabase,
  fmt,
  int,
  NODE,
  pct,
  pgVersion,
  printTable,
  ratio,
  signIn,
  writeResult,
} from './lib.ts';

const HELP = `node bench/api-list.bench.ts [--customers N] [--duration S] [--warmup S] [--connections N] [--pool N] [--rounds N] [--decompose] [--login L] [--region CODE]`;

export interface ApiListOptions {
  customers: number;
  duration: number;
  warmup: number;
  connections: number;
  pool: number;
  rounds: number;
  /** Also run `bare-tx`: the bare route plus Kehu's session lookup and RLS transaction round trips. */
  decompose: boolean;
  login: string;
  region: string;
}

interface Load {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

interface ServerStats {
  requests: number;
  queries: number;
  cpuMs: number;
  listSql: { text: string; values: unknown[] } | null;
}

interface Server {
  child: ChildProcess;
  port: number;
  lines: string[];
}

async function startServer(mode: 'kehu' | 'bare' | 'bare-tx', extra: string[]): Promise<Server> {
  const child = spawn(NODE, [`${BENCH_DIR}/api-list.server.ts`, mode, ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const rl = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    rl.on('line', (line) => {
      lines.push(line);
      if (lines.length === 1) {
        try {
          resolve((JSON.parse(line) as { port: number }).port);
        } catch (err) {
          reject(err);
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
  return { child, port, lines };
}

/** Stops the server and returns its statement counters. */
async function stopServer(s: Server): Promise<ServerStats | null> {
  if (s.child.exitCode === null) {
    const exited = new Promise((r) => s.child.once('exit', r));
    s.child.kill('SIGTERM');
    const t = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  }
  const last = s.lines[s.lines.length - 1];
  try {
    return s.lines.length > 1 && last ? (JSON.parse(last) as ServerStats) : null;
  } catch {
    return null;
  }
}

async function load(url: string, headers: Record<string, string>, o: ApiListOptions): Promise<Load> {
  const run = (duration: number) =>
    autocannon({ url, headers, connections: o.connections, duration, timeout: 10 });
  if (o.warmup > 0) await run(o.warmup);
  const r = await run(o.duration);
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    mean: r.latency.average,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function combine(runs: Load[]): Load {
  if (runs.length === 1) return runs[0]!;
  const k = Object.keys(runs[0]!) as (keyof Load)[];
  return Object.fromEntries(k.map((key) => [key, median(runs.map((r) => r[key]))])) as unknown as Load;
}

/** EXPLAIN ANALYZE of both statements, the record engine's (as captured from the server) as the app role under RLS. */
async function explain(
  url: string,
  tenantId: string,
  region: string,
  units: string[],
  kehuSql: ServerStats['listSql'],
): Promise<{ bare: string; kehu: string }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const bareSql = `explain (analyze, buffers, costs off) select * from customers
      where tenant_id = $1 and deleted_at is null and region = $2 and unit_id = any($3::uuid[]) order by id desc limit 51`;
    await c.query(bareSql.replace('explain (analyze, buffers, costs off) ', ''), [tenantId, region, units]);
    const bare = (await c.query(bareSql, [tenantId, region, units])).rows
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    await c.query('begin read only');
    await c.query(`select set_config('role', 'kehu_app', true), set_config('app.tenant_id', $1, true)`, [
      tenantId,
    ]);
    let kehu = '(not captured)';
    if (kehuSql) {
      // Twice: the first run warms the caches the same way the bare statement's did.
      await c.query(kehuSql.text, kehuSql.values);
      kehu = (await c.query(`explain (analyze, buffers, costs off) ${kehuSql.text}`, kehuSql.values)).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
    }
    await c.query('rollback');
    return { bare, kehu };
  } finally {
    await c.end();
  }
}

export async function runApiList(o: ApiListOptions) {
  const url = await ensureDatabase(BENCH_DB);
  const tenant = await ensureBenchTenant(url, o.customers);

  // The signed-in user's unit tree, resolved the way the permission loader does.
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const user = (
    await c.query<{ id: string; unit_id: string; path: string; role: string }>(
      `select u.id, u.unit_id, un.path, r.name as role from users u join units un on un.tenant_id = u.tenant_id and un.id = u.unit_id
       join user_roles ur on ur.tenant_id = u.tenant_id and ur.user_id = u.id join roles r on r.tenant_id = u.tenant_id and r.id = ur.role_id
       where u.tenant_id = $1 and u.login = $2`,
      [tenant.tenantId, o.login],
    )
  ).rows[0];
  if (!user) throw new Error(`no user ${o.login} in ${tenant.slug}`);
  const units = (
    await c.query<{ id: string }>(
      'select id from units where tenant_id = $1 and path like $2 and deleted_at is null',
      [tenant.tenantId, `${user.path}%`],
    )
  ).rows.map((r) => r.id);
  const matching = (
    await c.query<{ n: number }>(
      'select count(*)::int as n from customers where tenant_id = $1 and deleted_at is null and region = $2 and unit_id = any($3::uuid[])',
      [tenant.tenantId, o.region, units],
    )
  ).rows[0]!.n;
  await c.end();
  console.error(
    `user ${o.login} (${user.role}), ${units.length} units in scope, ${matching} customers match region ${o.region}`,
  );
  if (matching < 51) throw new Error(`only ${matching} customers match: pick another --region`);

  const filter = JSON.stringify({ field: 'region', op: 'eq', value: o.region });
  const kehuPath = `/api/v1/records/customer?filter=${encodeURIComponent(filter)}&limit=50`;
  const barePath = `/customers?region=${o.region}`;
  const common = ['--url', url, '--pool', String(o.pool)];

  const bareRuns: Load[] = [];
  const kehuRuns: Load[] = [];
  let firstBareId = '';
  const stats: { bare: ServerStats[]; kehu: ServerStats[]; bareTx: ServerStats[] } = {
    bare: [],
    kehu: [],
    bareTx: [],
  };
  const bareTxRuns: Load[] = [];
  for (let round = 0; round < o.rounds; round++) {
    // Baseline first, then Kehu; each alone on the machine.
    {
      const s = await startServer('bare', [
        ...common,
        '--tenant',
        tenant.tenantId,
        '--units',
        units.join(','),
      ]);
      try {
        const base = `http://127.0.0.1:${s.port}`;
        const page = (await (await fetch(base + barePath)).json()) as { items: { id: string }[] };
        if (page.items.length !== 50) throw new Error(`bare route returned ${page.items.length} rows`);
        console.error(
          `round ${round + 1}/${o.rounds}: bare route, ${o.connections} connections, ${o.warmup} s warm-up + ${o.duration} s …`,
        );
        bareRuns.push(await load(base + barePath, {}, o));
        firstBareId = page.items[0]!.id;
      } finally {
        const st = await stopServer(s);
        if (st) stats.bare.push(st);
      }
    }
    if (o.decompose) {
      const s = await startServer('bare-tx', [
        ...common,
        '--tenant',
        tenant.tenantId,
        '--units',
        units.join(','),
      ]);
      try {
        const base = `http://127.0.0.1:${s.port}`;
        const page = (await (await fetch(base + barePath)).json()) as { items: { id: string }[] };
        if (page.items.length !== 50 || page.items[0]!.id !== firstBareId)
          throw new Error('bare-tx route disagrees with the bare route');
        console.error(`round ${round + 1}/${o.rounds}: bare route + session lookup + RLS transaction …`);
        bareTxRuns.push(await load(base + barePath, {}, o));
      } finally {
        const st = await stopServer(s);
        if (st) stats.bareTx.push(st);
      }
    }
    {
      const s = await startServer('kehu', common);
      try {
        const base = `http://127.0.0.1:${s.port}`;
        const session = await signIn(base, tenant.slug, o.login);
        const res = await fetch(base + kehuPath, { headers: { cookie: session.cookie } });
        const page = (await res.json()) as { items: { id: string }[] };
        if (res.status !== 200 || page.items?.length !== 50)
          throw new Error(`Kehu list returned ${res.status}: ${JSON.stringify(page).slice(0, 300)}`);
        if (page.items[0]!.id !== firstBareId)
          throw new Error('Kehu and the bare route disagree on the first row');
        console.error(
          `round ${round + 1}/${o.rounds}: Kehu API, ${o.connections} connections, ${o.warmup} s warm-up + ${o.duration} s …`,
        );
        kehuRuns.push(await load(base + kehuPath, { cookie: session.cookie }, o));
      } finally {
        const st = await stopServer(s);
        if (st) stats.kehu.push(st);
      }
    }
  }
  const perRequest = (xs: ServerStats[]) => {
    const q = xs.reduce((a, x) => a + x.queries, 0);
    const r = xs.reduce((a, x) => a + x.requests, 0);
    return r ? q / r : Number.NaN;
  };
  const statements = { bare: perRequest(stats.bare), kehu: perRequest(stats.kehu) };
  const cpuPerRequest = (xs: ServerStats[]) => {
    const ms = xs.reduce((a, x) => a + x.cpuMs, 0);
    const r = xs.reduce((a, x) => a + x.requests, 0);
    return r ? (ms * 1000) / r : Number.NaN;
  };
  const cpuUs = {
    bare: cpuPerRequest(stats.bare),
    kehu: cpuPerRequest(stats.kehu),
    bareTx: cpuPerRequest(stats.bareTx),
  };
  const bareTx = bareTxRuns.length ? combine(bareTxRuns) : null;
  const plans = await explain(url, tenant.tenantId, o.region, units, stats.kehu[0]?.listSql ?? null);
  const bare = combine(bareRuns);
  const kehu = combine(kehuRuns);
  const throughputRatio = ratio(kehu.rps, bare.rps);
  const p99Ratio = ratio(kehu.p99, bare.p99);
  const p50Ratio = ratio(kehu.p50, bare.p50);
  const targets = { throughputAtLeast: 0.5, p99AtMost: 3 };
  const met = {
    throughput: throughputRatio >= targets.throughputAtLeast,
    p99: p99Ratio <= targets.p99AtMost,
  };

  printTable(
    `api-list — ${tenant.customers.toLocaleString('en-US')} customers, ${o.connections} connections, ${o.duration} s, pool ${o.pool}`,
    [
      {
        server: 'bare Fastify + SELECT (baseline)',
        'req/s': bare.rps,
        'p50 ms': bare.p50,
        'p99 ms': bare.p99,
        requests: bare.requests,
        'non-2xx': bare.non2xx,
        errors: bare.errors,
      },
      ...(bareTx
        ? [
            {
              server: 'bare + session + RLS tx (decomposition)',
              'req/s': bareTx.rps,
              'p50 ms': bareTx.p50,
              'p99 ms': bareTx.p99,
              requests: bareTx.requests,
              'non-2xx': bareTx.non2xx,
              errors: bareTx.errors,
            },
          ]
        : []),
      {
        server: 'Kehu API (session, RLS tx)',
        'req/s': kehu.rps,
        'p50 ms': kehu.p50,
        'p99 ms': kehu.p99,
        requests: kehu.requests,
        'non-2xx': kehu.non2xx,
        errors: kehu.errors,
      },
    ],
  );
  printTable('ratios (Kehu / bare)', [
    {
      metric: 'throughput',
      ratio: pct(throughputRatio),
      target: '>= 50 %',
      met: met.throughput ? 'yes' : 'NO',
    },
    { metric: 'p99 latency', ratio: `${fmt(p99Ratio, 2)}x`, target: '<= 3x', met: met.p99 ? 'yes' : 'NO' },
    { metric: 'p50 latency', ratio: `${fmt(p50Ratio, 2)}x`, target: '', met: '' },
    {
      metric: 'SQL statements / request',
      ratio: `${fmt(statements.kehu, 2)} vs ${fmt(statements.bare, 2)}`,
      target: '',
      met: '',
    },
    ...(bareTx
      ? [
          {
            metric: 'bare + session + RLS tx throughput',
            ratio: pct(ratio(bareTx.rps, bare.rps)),
            target: '',
            met: '',
          },
        ]
      : []),
    {
      metric: 'server CPU µs / request',
      ratio: `${fmt(cpuUs.kehu, 0)} vs ${fmt(cpuUs.bare, 0)} (${fmt(ratio(cpuUs.kehu, cpuUs.bare), 2)}x)`,
      target: '',
      met: '',
    },
  ]);
  const file = writeResult('api-list', {
    options: o,
    postgres: await pgVersion(),
    tenant: {
      slug: tenant.slug,
      customers: tenant.customers,
      seededNow: tenant.seededNow,
      seedSeconds: tenant.seedSeconds,
    },
    scenario: {
      login: o.login,
      role: user.role,
      scopeUnits: units.length,
      region: o.region,
      matchingRows: matching,
      kehuPath,
      barePath,
    },
    bare,
    kehu,
    bareTx,
    rounds: { bare: bareRuns, kehu: kehuRuns, bareTx: bareTxRuns },
    ratios: { throughput: throughputRatio, p99: p99Ratio, p50: p50Ratio },
    statementsPerRequest: statements,
    serverCpuMicrosPerRequest: cpuUs,
    kehuListSql: stats.kehu[0]?.listSql?.text ?? null,
    targets,
    met,
    plans,
  });
  console.log(`\nwritten ${file}`);
  return {
    bare,
    kehu,
    ratios: { throughput: throughputRatio, p99: p99Ratio, p50: p50Ratio },
    statementsPerRequest: statements,
    serverCpuMicrosPerRequest: cpuUs,
    met,
  };
}

export function apiListOptions(argv = process.argv.slice(2)): ApiListOptions | null {
  const v = args(
    {
      customers: { type: 'string', default: '200000' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '32' },
      pool: { type: 'string', default: '20' },
      rounds: { type: 'string', default: '1' },
      decompose: { type: 'boolean', default: false },
      login: { type: 'string', default: 'zhang.wei' },
      region: { type: 'string', default: '310115' },
    },
    argv,
  );
  if (v.help) return null;
  const duration = int(v.duration, 'duration');
  if (duration < 1 || duration > 120) throw new Error('--duration: 1..120 s');
  const connections = int(v.connections, 'connections');
  if (connections < 1 || connections > 256) throw new Error('--connections: 1..256');
  return {
    customers: int(v.customers, 'customers'),
    duration,
    warmup: Math.min(int(v.warmup, 'warmup'), 30),
    connections,
    pool: int(v.pool, 'pool'),
    rounds: Math.min(Math.max(int(v.rounds, 'rounds'), 1), 5),
    decompose: v.decompose,
    login: v.login,
    region: v.region,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o = apiListOptions();
  if (!o) console.log(HELP);
  else await runApiList(o);
}
