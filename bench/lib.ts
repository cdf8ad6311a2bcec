/**
 * Shared helpers for the benchmarks: arguments, the benchmark database, seeding once,
 * sign-in, result tables and JSON files. Every benchmark reports ratios against a baseline
 * measured in the same run (ARCHITECTURE.md §7): absolute times on a shared 2-core box are noise.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(BENCH_DIR, '..');
export const RESULTS_DIR = join(BENCH_DIR, 'results');
export const NODE = process.execPath;
export const DEMO_PASSWORD = 'kehu-demo-2026';

/** PostgreSQL server the benchmarks use (BENCH_PG, default the local trust-auth server). */
export const PG_SERVER = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432';
export const BENCH_DB = process.env.BENCH_DB ?? 'kehu_bench';
export const dbUrl = (name = BENCH_DB) => `${PG_SERVER}/${name}`;

export type Options = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;

/** Parses `--name value` options; unknown options are an error so typos do not go unnoticed. */
export function args<T extends Options>(options: T, argv = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: { ...options, help: { type: 'boolean' } },
    allowPositionals: false,
  });
  return values as unknown as { [K in keyof T]: T[K]['type'] extends 'boolean' ? boolean : string } & {
    help?: boolean;
  };
}

export const int = (s: string, name: string): number => {
  const n = Number(s.replace(/_/g, ''));
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: expected a number, got ${s}`);
  return Math.floor(n);
};

export function machine() {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export async function pgVersion(url = dbUrl('postgres')): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ v: string }>("select current_setting('server_version') as v");
    return r.rows[0]!.v;
  } finally {
    await c.end();
  }
}

/** Creates database `name` on the benchmark server unless it exists. */
export async function ensureDatabase(name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
  const c = new pg.Client({ connectionString: dbUrl('postgres') });
  await c.connect();
  try {
    const r = await c.query('select 1 from pg_database where datname = $1', [name]);
    if (r.rowCount === 0) await c.query(`create database ${name}`);
  } finally {
    await c.end();
  }
  return dbUrl(name);
}

export async function dropDatabase(name: string): Promise<void> {
  if (name === BENCH_DB || !/^kehu_bench_[a-z0-9_]+$/.test(name)) throw new Error(`refusing to drop ${name}`);
  const c = new pg.Client({ connectionString: dbUrl('postgres') });
  await c.connect();
  try {
    await c.query(`drop database if exists ${name} with (force)`);
  } finally {
    await c.end();
  }
}

export interface BenchTenant {
  slug: string;
  tenantId: string;
  customers: number;
  seededNow: boolean;
  seedSeconds?: number;
}

/**
 * A tenant with exactly `customers` customers in the benchmark database, seeded once and
 * reused by later runs (slug `bench<N>`; the seed is one transaction, so a tenant that
 * exists is complete). Migrates first, like `kehu start` would.
 */
export async function ensureBenchTenant(
  url: string,
  customers: number,
  log = (m: string) => console.error(m),
): Promise<BenchTenant> {
  const { openDatabase } = await import('../apps/server/src/core/db/database.ts');
  const { migrateAll: migrate } = await import('../apps/server/src/app.ts');
  const database = await openDatabase({ url, poolSize: 2 });
  try {
    await migrate(database.db);
    const slug = `bench${customers}`;
    const pool = database.pool!;
    const t = await pool.query<{ id: string }>('select id from tenants where slug = $1', [slug]);
    if (t.rows[0]) {
      const n = await pool.query<{ n: number }>(
        'select count(*)::int as n from customers where tenant_id = $1',
        [t.rows[0].id],
      );
      log(`tenant ${slug} present (${n.rows[0]!.n} customers) — reusing it`);
      return { slug, tenantId: t.rows[0].id, customers: n.rows[0]!.n, seededNow: false };
    }
    log(`seeding tenant ${slug} with ${customers} customers (once; reused by later runs) …`);
    const { seedDemoTenant } = await import('../apps/server/src/seed/demo-data.ts');
    const started = performance.now();
    let last = -1;
    const r = await seedDemoTenant(database, {
      customers,
      slug,
      password: DEMO_PASSWORD,
      onProgress: (done, all) => {
        const pct = all ? Math.floor((done / all) * 10) * 10 : 100;
        if (pct !== last) process.stderr.write(`  ${pct}%`);
        last = pct;
      },
    });
    process.stderr.write('\n');
    // Statistics for every table, the small ones too (users, units: below autovacuum's
    // 50-row threshold they would otherwise never be analysed and get sequential-ish plans).
    await pool.query('analyze');
    const seedSeconds = (performance.now() - started) / 1000;
    log(`seeded ${customers} customers in ${seedSeconds.toFixed(1)} s`);
    return { slug, tenantId: r.tenantId, customers, seededNow: true, seedSeconds };
  } finally {
    await database.close();
  }
}

/** Signs in through the API and returns the session cookie and CSRF token. */
export async function signIn(baseUrl: string, tenant: string, login: string, password = DEMO_PASSWORD) {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant, login, password }),
  });
  if (res.status !== 200) throw new Error(`login ${login}@${tenant}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { csrfToken: string };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  if (!cookie) throw new Error('login: no session cookie');
  return { cookie, csrf: body.csrfToken };
}

/** Nearest-rank percentile (p in 0–100) of unsorted samples. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** Calls `fn` n times one after another, after up to 20 unmeasured warm-up calls: p50 and p99 in ms. */
export async function timeSequential(
  n: number,
  fn: () => Promise<unknown>,
): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < Math.min(20, n); i++) await fn();
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return { p50: percentile(xs, 50), p99: percentile(xs, 99) };
}

export const ratio = (x: number, base: number) => (base > 0 ? x / base : Number.NaN);
export const fmt = (n: number, digits = 1) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '—';
export const pct = (n: number) => (Number.isFinite(n) ? `${(n * 100).toFixed(0)} %` : '—');

/** Prints rows as an aligned plain-text table (CJK-safe enough for our ASCII labels). */
export function printTable(title: string, rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]!);
  const cell = (v: string | number | undefined) =>
    typeof v === 'number' ? fmt(v, Number.isInteger(v) ? 0 : 1) : (v ?? '');
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(cell(r[c])).length)));
  const line = (vals: string[]) =>
    vals.map((v, i) => (i === 0 ? v.padEnd(width[i]!) : v.padStart(width[i]!))).join('  ');
  console.log(`\n${title}`);
  console.log(line(cols));
  console.log(width.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(cols.map((c) => String(cell(r[c])))));
}

/** Writes `bench/results/<name>-<timestamp>.json` and `<name>-latest.json`; returns the path. */
export function writeResult(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const body = `${JSON.stringify({ benchmark: name, at: new Date().toISOString(), machine: machine(), ...(data as object) }, null, 2)}\n`;
  const file = join(RESULTS_DIR, `${name}-${stamp}.json`);
  writeFileSync(file, body);
  writeFileSync(join(RESULTS_DIR, `${name}-latest.json`), body);
  return file;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1 (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}
