/**
 * Cold start: time from spawning `node apps/server/src/main.ts start` until the first 200 of
 * GET / (the web app; GET /healthz when apps/web/dist is not built), against the baseline of
 * spawning a bare `node -e` http server until its first response, in the same run.
 *
 *   node bench/cold-start.bench.ts [--runs 3] [--customers 200000] [--skip-pg]
 *
 * Scenarios (median of --runs each):
 *   pglite-fresh     empty data dir: create PGlite cluster, migrate, seed the demo tenant
 *   pglite-existing  the data dir left by pglite-fresh, KEHU_SEED_DEMO=false
 *   pg-empty         empty PostgreSQL database: migrate, seed the demo tenant
 *   pg-existing      the migrated + seeded benchmark database (tenant bench<customers>), KEHU_SEED_DEMO=false
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  args,
  BENCH_DB,
  dropDatabase,
  ensureBenchTenant,
  ensureDatabase,
  fmt,
  freePort,
  int,
  NODE,
  pgVersion,
  printTable,
  REPO_ROOT,
  ratio,
  sleep,
  writeResult,
} from './lib.ts';

const HELP = 'node bench/cold-start.bench.ts [--runs 3] [--customers 200000] [--skip-pg]';
const MAIN = join(REPO_ROOT, 'apps/server/src/main.ts');
const BASELINE = `require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')`;
const TIMEOUT_MS = 180_000;

export interface ColdStartOptions {
  runs: number;
  customers: number;
  skipPg: boolean;
}

interface Spawned {
  ms: number;
  /** GET / answered 404 (web dist missing when the server started, e.g. mid-rebuild): timed on /healthz instead. */
  fellBack?: boolean;
  /** Kehu's own "ready in N ms" (open database → listening), when it printed one. */
  readyLogMs?: number;
}

/** Spawns `argv`, polls `path` every 5 ms, returns the time to the first 200, then stops the process. */
async function timeToFirst200(argv: string[], env: NodeJS.ProcessEnv, path: string): Promise<Spawned> {
  const port = await freePort();
  let output = '';
  const started = performance.now();
  const child: ChildProcess = spawn(NODE, argv, {
    cwd: REPO_ROOT,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => {
    output += d;
  });
  child.stderr!.on('data', (d) => {
    output += d;
  });
  let exited = false;
  let fellBack = false;
  child.once('exit', () => {
    exited = true;
  });
  try {
    for (;;) {
      if (exited) throw new Error(`process exited before answering:\n${output.slice(-2000)}`);
      if (performance.now() - started > TIMEOUT_MS)
        throw new Error(`no 200 within ${TIMEOUT_MS} ms:\n${output.slice(-2000)}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        await res.arrayBuffer();
        if (res.status === 200) break;
        if (res.status === 404 && path === '/') {
          // Listening, but started without the web build (someone rebuilding apps/web/dist):
          // time this run on /healthz, which Kehu registers before anything else, and say so.
          const health = await fetch(`http://127.0.0.1:${port}/healthz`);
          await health.arrayBuffer();
          if (health.status === 200) {
            fellBack = true;
            break;
          }
        }
      } catch {
        // not listening yet
      }
      await sleep(5);
    }
    const ms = performance.now() - started;
    const m = /ready in (\d+) ms/.exec(output);
    return { ms, readyLogMs: m ? Number(m[1]) : undefined, ...(fellBack ? { fellBack } : {}) };
  } finally {
    if (!exited) {
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await done;
      clearTimeout(t);
    }
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function runColdStart(o: ColdStartOptions) {
  const webBuilt = existsSync(join(REPO_ROOT, 'apps/web/dist/index.html'));
  const path = webBuilt ? '/' : '/healthz';
  const base: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', KEHU_ROLE: 'all' };
  delete base.DATABASE_URL;
  delete base.DATA_DIR;
  delete base.KEHU_SEED_DEMO;
  const kehu = [MAIN, 'start'];

  type Scenario = { name: string; what: string; runs: Spawned[]; errors: string[] };
  const scenarios: Scenario[] = [];
  const add = (name: string, what: string) => {
    const s: Scenario = { name, what, runs: [], errors: [] };
    scenarios.push(s);
    return s;
  };
  /** One failed start is recorded and the benchmark goes on with the other scenarios. */
  const attempt = async (s: Scenario, fn: () => Promise<Spawned>) => {
    try {
      s.runs.push(await fn());
    } catch (err) {
      const msg = (err as Error).message;
      s.errors.push(msg.slice(0, 2000));
      console.error(`${s.name}: ${msg.split('\n')[0]}`);
    }
  };
  const baseline = add('baseline', 'bare `node -e` http server');
  const pgliteFresh = add('pglite-fresh', 'PGlite, empty data dir (migrate + seed demo)');
  const pgliteExisting = add('pglite-existing', 'PGlite, existing data dir, KEHU_SEED_DEMO=false');
  const pgEmpty = o.skipPg ? null : add('pg-empty', 'PostgreSQL, empty database (migrate + seed demo)');
  const pgExisting = o.skipPg
    ? null
    : add(
        'pg-existing',
        `PostgreSQL, migrated + ${o.customers.toLocaleString('en-US')} customers, KEHU_SEED_DEMO=false`,
      );

  let existingUrl = '';
  if (pgExisting) {
    existingUrl = await ensureDatabase(BENCH_DB);
    await ensureBenchTenant(existingUrl, o.customers);
  }

  const dirs: string[] = [];
  try {
    for (let i = 0; i < o.runs; i++) {
      console.error(`run ${i + 1}/${o.runs} …`);
      // Interleaved, so a noisy moment on a shared machine hits every scenario alike.
      baseline.runs.push(await timeToFirst200(['-e', BASELINE], base, path));
      const dir = mkdtempSync(join(tmpdir(), 'kehu-cold-'));
      dirs.push(dir);
      await attempt(pgliteFresh, () => timeToFirst200(kehu, { ...base, DATA_DIR: join(dir, 'data') }, path));
      await attempt(pgliteExisting, () =>
        timeToFirst200(kehu, { ...base, DATA_DIR: join(dir, 'data'), KEHU_SEED_DEMO: 'false' }, path),
      );
      if (pgEmpty) {
        const name = `kehu_bench_cold_${process.pid}_${i}`;
        const url = await ensureDatabase(name);
        try {
          await attempt(pgEmpty, () => timeToFirst200(kehu, { ...base, DATABASE_URL: url }, path));
        } finally {
          await dropDatabase(name);
        }
      }
      if (pgExisting)
        await attempt(pgExisting, () =>
          timeToFirst200(kehu, { ...base, DATABASE_URL: existingUrl, KEHU_SEED_DEMO: 'false' }, path),
        );
    }
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }

  const baseMs = median(baseline.runs.map((r) => r.ms));
  const summary = scenarios.map((s) => {
    const ms = s.runs.length ? median(s.runs.map((r) => r.ms)) : Number.NaN;
    const ready = s.runs.map((r) => r.readyLogMs).filter((x): x is number => x !== undefined);
    return {
      name: s.name,
      what: s.what,
      medianMs: ms,
      runsMs: s.runs.map((r) => Math.round(r.ms)),
      readyLogMs: ready.length ? median(ready) : null,
      ratio: ratio(ms, baseMs),
      healthzFallbacks: s.runs.filter((r) => r.fellBack).length,
      failures: s.errors,
    };
  });
  printTable(
    `cold-start — spawn → first 200 of GET ${path}, median of ${o.runs}`,
    summary.map((s) => ({
      scenario: s.name,
      'median ms': s.medianMs,
      'x baseline': `${fmt(s.ratio, 1)}x`,
      "Kehu's own ready ms": s.readyLogMs ?? '',
      runs: s.runsMs.join(' / ') + (s.healthzFallbacks ? ` (${s.healthzFallbacks} on /healthz)` : ''),
      failed: s.failures.length,
    })),
  );
  const file = writeResult('cold-start', {
    options: o,
    path,
    webBuilt,
    postgres: o.skipPg ? null : await pgVersion(),
    baselineMs: baseMs,
    scenarios: summary,
  });
  console.log(`\nwritten ${file}`);
  return { baselineMs: baseMs, scenarios: summary };
}

export function coldStartOptions(argv = process.argv.slice(2)): ColdStartOptions | null {
  const v = args(
    {
      runs: { type: 'string', default: '3' },
      customers: { type: 'string', default: '200000' },
      'skip-pg': { type: 'boolean', default: false },
    },
    argv,
  );
  if (v.help) return null;
  return {
    runs: Math.min(Math.max(int(v.runs, 'runs'), 1), 10),
    customers: int(v.customers, 'customers'),
    skipPg: v['skip-pg'],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o = coldStartOptions();
  if (!o) console.log(HELP);
  else await runColdStart(o);
}
