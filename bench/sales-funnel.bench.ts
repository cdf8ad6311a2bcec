/**
 * Funnel dashboard benchmark: GET /api/v1/analytics/funnel (线索 → 客户 → 商机 → 订单 with
 * per-channel counts, every number compiled by the record engine with the viewer's scope)
 * and GET /api/v1/analytics/response-time, on `--leads` leads (default 1 000 000) and
 * `--activities` activities (default 5 000 000), against the hand-written SQL a developer
 * would write for the same numbers (one ROLLUP scan per table), in the same run.
 *
 *   node bench/sales-funnel.bench.ts [--leads 1000000] [--activities 5000000] [--runs 9] [--login wang.jianguo]
 *
 * Requests are sequential (this is a dashboard, not a hot path): the median and max latency of
 * `--runs` calls each. Rows are seeded with SQL directly (INSERT … SELECT generate_series) into
 * the leads module's tables, once, and reused. Needs the pinned Node and PostgreSQL (BENCH_PG).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import pg from 'pg';
import {
  args,
  BENCH_DIR,
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

const opt = args({
  leads: { type: 'string', default: '1000000' },
  activities: { type: 'string', default: '5000000' },
  runs: { type: 'string', default: '9' },
  login: { type: 'string', default: 'wang.jianguo' },
});
const DB = 'kehu_bench_sales';
const FROM = '2026-01-01';
const TO = '2027-01-01';

async function seed(c: pg.Client, tenantId: string, leads: number, activities: number) {
  const exists = (await c.query(`select to_regclass('leads') is not null as ok`)).rows[0].ok;
  if (!exists)
    throw new Error('the leads module tables are not installed (migration 0010): nothing to benchmark yet');
  const users = `with u as (select array_agg(id order by id) as ids, array_agg(unit_id order by id) as units from users where tenant_id = $1 and login <> 'admin')`;
  const haveL = (await c.query('select count(*)::int as n from leads where tenant_id = $1', [tenantId]))
    .rows[0].n as number;
  if (haveL < leads) {
    console.error(`seeding ${leads - haveL} leads …`);
    const t0 = performance.now();
    for (let from = haveL + 1; from <= leads; from += 250_000) {
      const to = Math.min(leads, from + 249_999);
      await c.query(
        `${users}
         insert into leads (tenant_id, id, owner_id, unit_id, name, company, channel, status, created_at, first_response_due_at, first_responded_at, created_by, updated_by)
         select $1, md5('lead' || g)::uuid, u.ids[1 + g % array_length(u.ids, 1)], u.units[1 + g % array_length(u.ids, 1)], '线索 ' || g, '公司 ' || (g % 50000),
           (array['website','referral','ad','wecom','exhibition'])[1 + g % 5], (array['new','working','converted','disqualified'])[1 + g % 4],
           timestamptz '2026-01-01' + make_interval(mins => (g * 7) % 480000),
           timestamptz '2026-01-01' + make_interval(mins => (g * 7) % 480000 + 30),
           case when g % 5 = 0 then null else timestamptz '2026-01-01' + make_interval(mins => (g * 7) % 480000 + (g * 13) % 600) end,
           u.ids[1], u.ids[1]
         from generate_series($2::int, $3::int) g, u`,
        [tenantId, from, to],
      );
      process.stderr.write(` ${to}`);
    }
    console.error(`\nleads seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const haveA = (await c.query('select count(*)::int as n from activities where tenant_id = $1', [tenantId]))
    .rows[0].n as number;
  if (haveA < activities) {
    console.error(`seeding ${activities - haveA} activities …`);
    const t0 = performance.now();
    for (let from = haveA + 1; from <= activities; from += 500_000) {
      const to = Math.min(activities, from + 499_999);
      await c.query(
        `${users}
         insert into activities (tenant_id, id, owner_id, unit_id, type, subject, occurred_at, lead_id, created_by, updated_by)
         select $1, md5('act' || g)::uuid, u.ids[1 + g % array_length(u.ids, 1)], u.units[1 + g % array_length(u.ids, 1)],
           (array['call','visit','wecom','email'])[1 + g % 4], '跟进 ' || g, timestamptz '2026-01-01' + make_interval(mins => (g * 3) % 480000),
           md5('lead' || (1 + g % $4::int))::uuid, u.ids[1], u.ids[1]
         from generate_series($2::int, $3::int) g, u`,
        [tenantId, from, to, leads],
      );
      process.stderr.write(` ${to}`);
    }
    console.error(`\nactivities seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  await c.query('analyze leads');
  await c.query('analyze activities');
}

/** The hand-written baseline: one ROLLUP scan per table gives the total and every channel. */
const BASELINE = [
  `select channel, count(*), grouping(channel) as g from leads where tenant_id = $1 and deleted_at is null and created_at >= $2 and created_at < $3 group by rollup(channel)`,
  `select source, count(*), grouping(source) as g from customers where tenant_id = $1 and deleted_at is null and created_at >= $2 and created_at < $3 group by rollup(source)`,
  `select channel, count(*), grouping(channel) as g from opportunities where tenant_id = $1 and deleted_at is null and created_at >= $2 and created_at < $3 group by rollup(channel)`,
  `select channel, count(*), grouping(channel) as g from orders where tenant_id = $1 and deleted_at is null and status <> 'cancelled' and created_at >= $2 and created_at < $3 group by rollup(channel)`,
];
const BASELINE_RT = `select width_bucket(extract(epoch from first_responded_at - created_at), array[300, 1800, 7200, 86400]::numeric[]) as b, count(*),
    count(*) filter (where first_responded_at - created_at <= interval '30 minutes') as within
  from leads where tenant_id = $1 and deleted_at is null and created_at >= $2 and created_at < $3 group by 1`;

/** Runs the API call and its baseline alternately (the machine is shared: drift hits both alike). */
async function timePair(runs: number, a: () => Promise<unknown>, b: () => Promise<unknown>) {
  await a();
  await b();
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    await a();
    xs.push(performance.now() - t);
    t = performance.now();
    await b();
    ys.push(performance.now() - t);
  }
  const summary = (v: number[]) => {
    const s = [...v].sort((p, q) => p - q);
    return { median: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]!, runs: v };
  };
  return [summary(xs), summary(ys)] as const;
}

async function startKehu(url: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(NODE, [`${BENCH_DIR}/api-list.server.ts`, 'kehu', '--url', url, '--pool', '4'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((res, rej) => {
    rl.once('line', (l) => res(JSON.parse(l).port));
    child.once('exit', (code) => rej(new Error(`kehu exited ${code}`)));
  });
  return { child, port };
}

const leads = int(opt.leads, 'leads');
const activities = int(opt.activities, 'activities');
const runs = int(opt.runs, 'runs');
const url = await ensureDatabase(DB);
const tenant = await ensureBenchTenant(url, 2000);
const c = new pg.Client({ connectionString: url });
await c.connect();
await seed(c, tenant.tenantId, leads, activities);
const kehu = await startKehu(url);
const base = `http://127.0.0.1:${kehu.port}`;
const s = await signIn(base, tenant.slug, opt.login);
const get = async (path: string) => {
  const r = await fetch(`${base}${path}`, { headers: { cookie: s.cookie } });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json();
};
const q = `from=${FROM}&to=${TO}`;
const sample = await get(`/api/v1/analytics/funnel?${q}`);
const baseRows = [];
for (const b of BASELINE) baseRows.push(await c.query(b, [tenant.tenantId, FROM, TO]));
const totals = baseRows.map((r) => Number(r.rows.find((x) => x.g === 1)?.count ?? 0));
const api = sample.stages.map((x: any) => x.value);
console.error(`funnel as ${opt.login}: API ${api.join(' → ')}; hand-written SQL ${totals.join(' → ')}`);
if (JSON.stringify(api) !== JSON.stringify(totals))
  console.error('WARNING: the API and the baseline disagree');
const [funnelApi, funnelSql] = await timePair(
  runs,
  () => get(`/api/v1/analytics/funnel?${q}`),
  async () => {
    for (const b of BASELINE) await c.query(b, [tenant.tenantId, FROM, TO]);
  },
);
const [rtApi, rtSql] = await timePair(
  runs,
  () => get(`/api/v1/analytics/response-time?${q}`),
  () => c.query(BASELINE_RT, [tenant.tenantId, FROM, TO]),
);
kehu.child.kill('SIGTERM');
await c.end();
printTable(`sales funnel — ${leads} leads, ${activities} activities, sequential, ${runs} runs`, [
  { query: 'funnel API', 'median ms': funnelApi.median, 'max ms': funnelApi.max },
  { query: 'funnel hand-written SQL', 'median ms': funnelSql.median, 'max ms': funnelSql.max },
  { query: 'response-time API', 'median ms': rtApi.median, 'max ms': rtApi.max },
  { query: 'response-time SQL', 'median ms': rtSql.median, 'max ms': rtSql.max },
]);
const ratios = {
  funnel: ratio(funnelApi.median, funnelSql.median),
  responseTime: ratio(rtApi.median, rtSql.median),
};
console.log(
  `\nratios (API ÷ hand-written SQL, medians): funnel ${fmt(ratios.funnel, 2)}×, response time ${fmt(ratios.responseTime, 2)}×`,
);
writeResult('sales-funnel', {
  options: { leads, activities, runs, login: opt.login, from: FROM, to: TO },
  postgres: await pgVersion(),
  api,
  baseline: totals,
  funnelApi,
  funnelSql,
  rtApi,
  rtSql,
  ratios,
});
