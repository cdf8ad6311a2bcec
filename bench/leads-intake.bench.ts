/**
 * Lead intake: leads/s through the public web-form endpoint — validation, dedupe against
 * leads and customers, scoring, rule assignment, audit, outbox and the notify job — against a
 * plain INSERT of the same rows into a scratch table shaped like `leads` (same columns,
 * defaults and indexes), same concurrency, same database, same run. Also the latency from
 * the start of each intake request to the assignee's in-app notification row (p50/p99;
 * target p99 < 1 s), the notify job running in Kehu's own worker.
 *
 *   node bench/leads-intake.bench.ts [--customers 200000] [--leads 3000] [--concurrency 16]
 *
 * The tenant `leadbench` in database `kehu_bench_leads` is seeded once with the demo
 * generator and reused; every run adds a fresh form and rule and sends new leads, about 10 %
 * of them with the phone of an existing customer (those follow the customer's owner: 撞单).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import {
  args,
  DEMO_PASSWORD,
  ensureDatabase,
  fmt,
  freePort,
  int,
  NODE,
  pct,
  pgVersion,
  printTable,
  REPO_ROOT,
  ratio,
  signIn,
  sleep,
  writeResult,
} from './lib.ts';

const DB = process.env.BENCH_LEADS_DB ?? 'kehu_bench_leads';
const SLUG = 'leadbench';

const o = args({
  customers: { type: 'string', default: '200000' },
  leads: { type: 'string', default: '3000' },
  concurrency: { type: 'string', default: '16' },
  help: { type: 'boolean' },
});
if (o.help) {
  console.log('node bench/leads-intake.bench.ts [--customers 200000] [--leads 3000] [--concurrency 16]');
  process.exit(0);
}
const CUSTOMERS = int(o.customers as string, 'customers');
const LEADS = int(o.leads as string, 'leads');
const CONC = Math.min(256, int(o.concurrency as string, 'concurrency'));

async function ensureTenant(url: string): Promise<string> {
  const { openDatabase } = await import('../apps/server/src/core/db/database.ts');
  const { migrateAll: migrate } = await import('../apps/server/src/app.ts');
  const database = await openDatabase({ url, poolSize: 2 });
  try {
    await migrate(database.db);
    const t = await database.pool!.query<{ id: string }>('select id from tenants where slug = $1', [SLUG]);
    if (t.rows[0]) return t.rows[0].id;
    console.error(`seeding ${SLUG} with ${CUSTOMERS} customers (once) …`);
    const { seedDemoTenant } = await import('../apps/server/src/seed/demo-data.ts');
    const r = await seedDemoTenant(database, { customers: CUSTOMERS, slug: SLUG, password: DEMO_PASSWORD });
    await database.pool!.query('analyze');
    return r.tenantId;
  } finally {
    await database.close();
  }
}

async function startKehu(url: string): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  let out = '';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    KEHU_SEED_DEMO: 'false',
    DB_POOL_SIZE: '20',
    // The per-IP form limit protects against scripts; this benchmark is one.
    LEADS_FORM_RATE_LIMIT: '100000000',
  };
  delete env.DATA_DIR;
  const child = spawn(NODE, [join(REPO_ROOT, 'apps/server/src/main.ts'), 'start'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Kehu exited:\n${out.slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`Kehu did not start:\n${out.slice(-3000)}`);
    try {
      if ((await fetch(`${base}/healthz`)).status === 200) break;
    } catch {}
    await sleep(50);
  }
  return { child, base };
}

interface Row {
  name: string;
  phone: string;
  company: string;
  region: string;
  need: string;
}

function makeRows(existingPhones: string[], run: number): Row[] {
  const regions = ['310101', '310115', '330106', '330203', '440106', '440305', '320102'];
  const needs = ['urgent', 'clear', 'vague', 'none'];
  const rows: Row[] = [];
  for (let i = 0; i < LEADS; i++) {
    const dup = i % 10 === 0 && existingPhones.length > 0;
    rows.push({
      name: `客户${run}-${i}`,
      phone: dup
        ? existingPhones[i % existingPhones.length]!
        : `17${String(run % 100).padStart(2, '0')}${String(i).padStart(7, '0')}`,
      company: `基准测试${run}号${i}有限公司`,
      region: regions[i % regions.length]!,
      need: needs[i % needs.length]!,
    });
  }
  return rows;
}

async function runPool<T>(items: T[], conc: number, fn: (t: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: conc }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        await fn(items[i]!, i);
      }
    }),
  );
}

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

const url = await ensureDatabase(DB);
const tenantId = await ensureTenant(url);
const pool = new pg.Pool({ connectionString: url, max: CONC + 2 });
const customers = (
  await pool.query<{ n: number }>('select count(*)::int as n from customers where tenant_id = $1', [tenantId])
).rows[0]!.n;
const phones = (
  await pool.query<{ phone: string }>(
    'select phone from customers where tenant_id = $1 and phone is not null order by id limit 500',
    [tenantId],
  )
).rows.map((r) => r.phone);
const run = Math.floor(Date.now() / 1000) % 100000;
const rows = makeRows(phones, run);

const { child, base } = await startKehu(url);
try {
  const s = await signIn(base, SLUG, 'wang.jianguo');
  const h = { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' };
  const users = (
    (await (await fetch(`${base}/api/v1/users?limit=100`, { headers: h })).json()) as {
      items: { id: string; login: string }[];
    }
  ).items;
  const members = users
    .filter((u) => ['sun.lei', 'zhao.jing', 'xu.ming', 'guo.min', 'he.jun', 'luo.jia'].includes(u.login))
    .map((u) => ({ userId: u.id }));
  const rule = await fetch(`${base}/api/v1/leads/rules`, {
    method: 'POST',
    headers: h,
    body: JSON.stringify({
      name: `bench ${run}`,
      conditions: { regionPrefixes: ['31', '33', '44', '32'] },
      strategy: 'round_robin',
      members,
      position: -run,
    }),
  });
  if (rule.status !== 201) throw new Error(`rule: ${rule.status} ${await rule.text()}`);
  const form = (await (
    await fetch(`${base}/api/v1/leads/forms`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({
        name: `bench ${run}`,
        fields: ['name', 'phone', 'company', 'region', 'need'].map((f) => ({ field: f })),
      }),
    })
  ).json()) as { formKey: string };

  // Warm-up (JIT, metadata caches, connections): 50 leads, not measured.
  await runPool(makeRows([], run + 50000).slice(0, 50), CONC, async (r) => {
    await fetch(`${base}/api/v1/public/forms/${form.formKey}/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...r, phone: `16${r.phone.slice(2)}` }),
    });
  });

  // ---- Kehu: the public form endpoint
  const sentAt = new Map<string, number>();
  const answeredAt = new Map<string, number>();
  const latency: number[] = [];
  let failures = 0;
  const k0 = performance.now();
  await runPool(rows, CONC, async (r, i) => {
    const t = Date.now();
    const t0 = performance.now();
    const res = await fetch(`${base}/api/v1/public/forms/${form.formKey}/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(r),
    });
    await res.arrayBuffer();
    latency.push(performance.now() - t0);
    if (res.status !== 201) failures++;
    sentAt.set(r.name, t);
    answeredAt.set(r.name, Date.now());
    void i;
  });
  const kehuSeconds = (performance.now() - k0) / 1000;

  // ---- intake → notification: wait for the worker to notify every assignee
  const names = rows.map((r) => r.name);
  let notified: { name: string; at: Date }[] = [];
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    notified = (
      await pool.query<{ name: string; at: Date }>(
        `select l.name, n.created_at as at from notifications n join leads l on l.tenant_id = n.tenant_id and l.id = n.record_id
         where n.tenant_id = $1 and n.kind = 'lead.assigned' and l.name = any($2::text[])`,
        [tenantId, names],
      )
    ).rows;
    if (notified.length >= rows.length - failures) break;
    await sleep(500);
  }
  // The notification row is written in the intake transaction: it becomes visible at commit,
  // which is before the 201 is sent. `created_at` is the transaction's start (now()), so the
  // visible-at time is bounded by the response time: take the later of the two.
  const notifyLatency = notified.map(
    (n) => Math.max(n.at.getTime(), answeredAt.get(n.name)!) - sentAt.get(n.name)!,
  );
  const dupes = (
    await pool.query<{ n: number }>(
      `select count(*)::int as n from leads where tenant_id = $1 and name = any($2::text[]) and duplicate_of_id is not null`,
      [tenantId, names],
    )
  ).rows[0]!.n;

  // ---- baseline: plain INSERT of the same rows into a table shaped like leads
  await pool.query('drop table if exists bench_leads_plain');
  await pool.query(
    'create table bench_leads_plain (like leads including defaults including indexes including generated)',
  );
  const b0 = performance.now();
  await runPool(rows, CONC, async (r) => {
    await pool.query(
      `insert into bench_leads_plain (tenant_id, id, owner_id, unit_id, name, phone, company, region, need, channel)
       values ($1, gen_random_uuid(), $2, $2, $3, $4, $5, $6, $7, 'web_form')`,
      [tenantId, members[0]!.userId, r.name, r.phone, r.company, r.region, r.need],
    );
  });
  const baseSeconds = (performance.now() - b0) / 1000;
  await pool.query('drop table bench_leads_plain');

  const kehuRate = rows.length / kehuSeconds;
  const baseRate = rows.length / baseSeconds;
  printTable(`Lead intake — ${rows.length} leads, concurrency ${CONC}, tenant with ${customers} customers`, [
    {
      path: 'Kehu public form (dedupe+score+assign+audit+outbox)',
      'leads/s': kehuRate,
      'p50 ms': q(latency, 50),
      'p99 ms': q(latency, 99),
      failures,
    },
    {
      path: 'plain INSERT (same rows, same concurrency)',
      'leads/s': baseRate,
      'p50 ms': Number.NaN,
      'p99 ms': Number.NaN,
      failures: 0,
    },
  ]);
  printTable('Intake → assignee notification', [
    {
      notified: notified.length,
      'p50 ms': q(notifyLatency, 50),
      'p99 ms': q(notifyLatency, 99),
      'max ms': Math.max(...notifyLatency),
      'target p99': '< 1000',
    },
  ]);
  console.log(
    `\nKehu / plain INSERT: ${pct(ratio(kehuRate, baseRate))}; duplicates flagged: ${dupes} of ${rows.filter((_, i) => i % 10 === 0).length} planted`,
  );
  const file = writeResult('leads-intake', {
    postgres: await pgVersion(),
    options: { customers, leads: rows.length, concurrency: CONC },
    kehu: {
      seconds: kehuSeconds,
      leadsPerSecond: kehuRate,
      p50: q(latency, 50),
      p99: q(latency, 99),
      failures,
    },
    baseline: { seconds: baseSeconds, leadsPerSecond: baseRate },
    ratio: ratio(kehuRate, baseRate),
    notification: {
      count: notified.length,
      p50: q(notifyLatency, 50),
      p99: q(notifyLatency, 99),
      max: Math.max(...notifyLatency),
    },
    duplicatesFlagged: dupes,
  });
  console.log(`wrote ${file} (${fmt(kehuSeconds)} s Kehu, ${fmt(baseSeconds)} s baseline)`);
} finally {
  child.kill('SIGTERM');
  await pool.end();
}
