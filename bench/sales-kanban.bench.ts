/**
 * Sales kanban benchmark: the kanban API (per-stage count, sum and weighted sum over every
 * open opportunity in scope, plus the first 20 cards of each stage) and the generic list API
 * (page of 50) on a pipeline with `--opps` open opportunities (default 100 000), against bare
 * Fastify routes on a pg pool of the same size in the same run:
 *
 *   bare-select  the single indexed SELECT of a page (`order by id desc limit 51`)
 *   bare-kanban  the same SQL the kanban runs, hand-written (stage totals from the trigger-maintained
 *                `opportunity_stage_stats` + one LATERAL statement for the first page of every stage)
 *
 *   node bench/sales-kanban.bench.ts [--opps 100000] [--duration 10] [--connections 16] [--pool 10]
 *        [--login wang.jianguo]
 *
 * Target (issue 3): kanban and list p99 within 3× a bare indexed SELECT.
 * Each server runs in its own child process (this file with --serve), one at a time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import pg from 'pg';
import {
  args,
  ensureBenchTenant,
  ensureDatabase,
  fmt,
  int,
  NODE,
  pgVersion,
  printTable,
  ratio,
  signIn,
  writeResult,
} from './lib.ts';

const SELF = fileURLToPath(import.meta.url);
const opt = args({
  opps: { type: 'string', default: '100000' },
  duration: { type: 'string', default: '10' },
  warmup: { type: 'string', default: '2' },
  connections: { type: 'string', default: '16' },
  pool: { type: 'string', default: '10' },
  login: { type: 'string', default: 'wang.jianguo' },
  rounds: { type: 'string', default: '3' },
  serve: { type: 'string' },
  url: { type: 'string' },
  tenant: { type: 'string' },
  pipeline: { type: 'string' },
});
const DB = 'kehu_bench_sales';

// ------------------------------------------------------------------ child: one server
if (opt.serve) {
  const url = opt.url!;
  const poolSize = int(opt.pool, 'pool');
  let port = 0;
  if (opt.serve === 'kehu') {
    const { createApp } = await import('../apps/server/src/app.ts');
    const { loadConfig } = await import('../apps/server/src/core/config.ts');
    const { openDatabase } = await import('../apps/server/src/core/db/database.ts');
    const config = loadConfig({
      ...process.env,
      LOG_LEVEL: 'silent',
      DATABASE_URL: url,
      DB_POOL_SIZE: String(poolSize),
      PORT: '0',
      HOST: '127.0.0.1',
    });
    const database = await openDatabase({ url, poolSize });
    const app = await createApp(config, database);
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  } else {
    const pool = new pg.Pool({ connectionString: url, max: poolSize });
    const t = opt.tenant!;
    const p = opt.pipeline!;
    const app = Fastify({ logger: false });
    app.get('/select', async () => {
      const r = await pool.query(
        'select * from opportunities where tenant_id = $1 and deleted_at is null order by id desc limit 51',
        [t],
      );
      return { items: r.rows.slice(0, 50) };
    });
    app.get('/kanban', async () => {
      // The same two steps Kehu takes: stage totals from the trigger-maintained table, one page per stage.
      const stats = await pool.query(
        `select stage, sum(n)::int as n, sum(amount)::text as amount, round(sum(weighted))::text as weighted
         from opportunity_stage_stats where tenant_id = $1 and pipeline_id = $2 group by stage`,
        [t, p],
      );
      const cards = await pool.query(
        `select c.* from unnest($3::text[]) as s(stage) cross join lateral (
           select * from opportunities r where r.tenant_id = $1 and r.deleted_at is null and r.pipeline_id = $2 and r.stage = s.stage
           order by r.id desc limit 21) c`,
        [t, p, stats.rows.filter((r) => r.n > 0).map((r) => r.stage)],
      );
      const columns = stats.rows.map((r) => ({
        ...r,
        cards: cards.rows.filter((c) => c.stage === r.stage).slice(0, 20),
      }));
      return { columns };
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  }
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  process.on('SIGTERM', () => process.exit(0));
} else {
  await main();
}

async function seed(url: string, tenantId: string, n: number): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { DEFAULT_STAGES, DEFAULT_PIPELINE_NAME } = await import(
      '../apps/server/src/modules/sales/pipeline.defaults.ts'
    );
    const { newId } = await import('../apps/server/src/core/ids.ts');
    let p = (await c.query('select id from pipelines where tenant_id = $1 and is_default', [tenantId]))
      .rows[0]?.id as string | undefined;
    if (!p) {
      p = newId();
      await c.query(
        'insert into pipelines (tenant_id, id, name, is_default, stages) values ($1, $2, $3, true, $4)',
        [tenantId, p, JSON.stringify(DEFAULT_PIPELINE_NAME), JSON.stringify(DEFAULT_STAGES)],
      );
    }
    const have = (
      await c.query('select count(*)::int as n from opportunities where tenant_id = $1', [tenantId])
    ).rows[0].n as number;
    if (have >= n) {
      console.error(`opportunities present (${have}) — reusing them`);
      return p;
    }
    console.error(`seeding ${n - have} opportunities …`);
    const t0 = performance.now();
    // Owners: the tenant's salespeople; customers: the tenant's customers (round robin).
    await c.query(
      `with u as (select array_agg(id order by id) as ids, array_agg(unit_id order by id) as units from users where tenant_id = $1 and login not in ('admin')),
            cu as (select array_agg(id order by id) as ids from customers where tenant_id = $1)
       insert into opportunities (tenant_id, id, owner_id, unit_id, name, customer_id, amount, pipeline_id, stage, probability,
         expected_close_date, stage_entered_at, channel, created_by, updated_by)
       select $1, uuidv7_like(g), u.ids[1 + g % array_length(u.ids, 1)], u.units[1 + g % array_length(u.ids, 1)], '商机 ' || g,
         cu.ids[1 + g % array_length(cu.ids, 1)], jsonb_build_object('amount', 100000 + (g * 7919) % 50000000, 'currency', 'CNY'), $2,
         (array['discovery','solution','trust','closing'])[1 + g % 4], (array[10,30,60,80])[1 + g % 4],
         current_date + (g % 120), now(), (array['website','referral','ad','wecom'])[1 + g % 4], u.ids[1], u.ids[1]
       from generate_series($3::int, $4::int) g, u, cu`.replace(
        'uuidv7_like(g)',
        `(lpad(to_hex((extract(epoch from now())*1000)::bigint), 12, '0') || '7' || lpad(to_hex(g % 4096), 3, '0') || '8' || lpad(to_hex(g), 15, '0'))::uuid`,
      ),
      [tenantId, p, have + 1, n],
    );
    await c.query('analyze opportunities');
    console.error(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return p;
  } finally {
    await c.end();
  }
}

async function start(mode: string, extra: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(NODE, [SELF, '--serve', mode, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  const rl = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((res, rej) => {
    rl.once('line', (l) => res(JSON.parse(l).port));
    child.once('exit', (code) => rej(new Error(`server ${mode} exited ${code}`)));
  });
  return { child, port };
}

async function load(url: string, headers: Record<string, string>, duration: number, connections: number) {
  if (Number(opt.warmup) > 0) await autocannon({ url, headers, connections, duration: Number(opt.warmup) });
  const r = await autocannon({ url, headers, connections, duration });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

async function main() {
  const n = int(opt.opps, 'opps');
  const url = await ensureDatabase(DB);
  const tenant = await ensureBenchTenant(url, 2000);
  const pipeline = await seed(url, tenant.tenantId, n);
  const duration = int(opt.duration, 'duration');
  const connections = int(opt.connections, 'connections');
  const rows: Record<string, string | number>[] = [];
  const results: Record<string, any> = {};

  // Rounds alternate Kehu and the bare routes; the median of each figure is reported (the
  // machine is shared: a single pass mostly measures whatever else ran at that moment).
  const rounds = int(opt.rounds, 'rounds');
  const all: Record<string, any[]> = { kehuKanban: [], kehuList: [], bareSelect: [], bareKanban: [] };
  let open = 0;
  for (let round = 0; round < rounds; round++) {
    const kehu = await start('kehu', ['--url', url, '--pool', opt.pool]);
    const base = `http://127.0.0.1:${kehu.port}`;
    const s = await signIn(base, tenant.slug, opt.login);
    const h = { cookie: s.cookie };
    const check = await (await fetch(`${base}/api/v1/opportunities/kanban`, { headers: h })).json();
    open = check.columns.filter((c: any) => c.kind === 'open').reduce((a: number, c: any) => a + c.count, 0);
    if (round === 0)
      console.error(
        `kanban as ${opt.login}: ${open} open opportunities in scope, ${check.columns.map((c: any) => c.cards.length).join('/')} cards`,
      );
    all.kehuKanban!.push(await load(`${base}/api/v1/opportunities/kanban`, h, duration, connections));
    all.kehuList!.push(await load(`${base}/api/v1/records/opportunity?limit=50`, h, duration, connections));
    kehu.child.kill('SIGTERM');
    const bare = await start('bare', [
      '--url',
      url,
      '--pool',
      opt.pool,
      '--tenant',
      tenant.tenantId,
      '--pipeline',
      pipeline,
    ]);
    const bb = `http://127.0.0.1:${bare.port}`;
    all.bareSelect!.push(await load(`${bb}/select`, {}, duration, connections));
    all.bareKanban!.push(await load(`${bb}/kanban`, {}, duration, connections));
    bare.child.kill('SIGTERM');
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const [k, v] of Object.entries(all))
    results[k] = {
      rps: median(v.map((x) => x.rps)),
      p50: median(v.map((x) => x.p50)),
      p99: median(v.map((x) => x.p99)),
      non2xx: v.reduce((a, x) => a + x.non2xx, 0),
      rounds: v,
    };

  for (const [k, v] of Object.entries(results))
    rows.push({ route: k, 'req/s': v.rps, 'p50 ms': v.p50, 'p99 ms': v.p99, non2xx: v.non2xx });
  printTable(
    `sales kanban — ${open} open opportunities in scope of ${opt.login}, ${connections} connections, ${duration} s`,
    rows,
  );
  const ratios = {
    kanbanP99VsBareSelect: ratio(results.kehuKanban.p99, results.bareSelect.p99),
    kanbanP99VsBareKanbanSql: ratio(results.kehuKanban.p99, results.bareKanban.p99),
    listP99VsBareSelect: ratio(results.kehuList.p99, results.bareSelect.p99),
  };
  printTable(
    'ratios (target: ≤ 3× a bare indexed SELECT)',
    Object.entries(ratios).map(([k, v]) => ({ ratio: k, value: fmt(v, 2) })),
  );
  const file = writeResult('sales-kanban', {
    options: { opps: n, duration, connections, login: opt.login, rounds },
    postgres: await pgVersion(),
    openInScope: open,
    results,
    ratios,
  });
  console.error(`wrote ${file}`);
}
