/**
 * Import throughput: rows/s of a customers CSV through Kehu's import API (upload →
 * start → poll progress until done, the job running in Kehu's own worker) against `COPY` of
 * the same CSV bytes into a scratch table shaped like `customers` (same columns, defaults,
 * constraints and indexes) in the same database, in the same run.
 *
 *   node bench/import.bench.ts [--rows 200000] [--timeout 1800] [--keep]
 *
 * Each run starts from a fresh database `kehu_bench_import` (dropped and re-created), with
 * one tenant of 0 customers; the CSV is generated once (deterministic) and cached in
 * bench/results/. Target: Kehu >= 25 % of COPY's rows/s.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createReadStream, existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import {
  args,
  dropDatabase,
  ensureBenchTenant,
  ensureDatabase,
  fmt,
  freePort,
  int,
  NODE,
  pct,
  pgVersion,
  printTable,
  REPO_ROOT,
  RESULTS_DIR,
  ratio,
  signIn,
  sleep,
  writeResult,
} from './lib.ts';

const HELP = 'node bench/import.bench.ts [--rows 200000] [--timeout 1800] [--keep]';
const IMPORT_DB = 'kehu_bench_import';

/** CSV header (field apiNames, so the mapping is the identity) and the matching table columns. */
const CSV_FIELDS = [
  'name',
  'kind',
  'phone',
  'email',
  'industry',
  'level',
  'source',
  'region',
  'address',
  'website',
  'employees',
  'isKeyAccount',
] as const;
const COPY_COLUMNS = [
  'name',
  'kind',
  'phone',
  'email',
  'industry',
  'level',
  'source',
  'region',
  'address',
  'website',
  'employees',
  'is_key_account',
];

export interface ImportOptions {
  rows: number;
  timeoutSeconds: number;
  keep: boolean;
}

// ------------------------------------------------------------------ the CSV

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CITIES: [string, string, string[]][] = [
  ['上海', '上海市', ['310101', '310104', '310105', '310106', '310112', '310115']],
  ['杭州', '浙江省杭州市', ['330102', '330106', '330108', '330110']],
  ['广州', '广东省广州市', ['440103', '440104', '440106', '440113']],
  ['深圳', '广东省深圳市', ['440303', '440304', '440305', '440306']],
];
const BRANDS = [
  '恒瑞',
  '华信',
  '博远',
  '鼎盛',
  '宏达',
  '信诚',
  '瑞丰',
  '天成',
  '锦程',
  '汇通',
  '中泰',
  '新元',
  '金桥',
  '同创',
  '远景',
  '正和',
];
const TRADES: [string, string][] = [
  ['机械制造', 'manufacturing'],
  ['商贸', 'retail'],
  ['汽车服务', 'auto'],
  ['置业', 'real_estate'],
  ['家居', 'home_furnishing'],
  ['医疗器械', 'healthcare'],
  ['科技', 'it'],
  ['投资管理', 'finance'],
  ['教育科技', 'education'],
  ['物流', 'other'],
];
const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
];
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '涛',
  '明',
  '超',
  '霞',
];
const ROADS = [
  '人民路',
  '中山路',
  '解放路',
  '建设路',
  '和平路',
  '新华路',
  '长江路',
  '世纪大道',
  '科技路',
  '滨江大道',
];
const LEVELS = ['A', 'B', 'C', 'C', 'D'];
const SOURCES = ['website', 'referral', 'exhibition', 'wecom', 'ad', 'phone', 'walk_in', 'partner'];
const MOBILE = ['130', '135', '138', '139', '150', '158', '186', '188', '199'];

/** A deterministic customers CSV of `rows` rows (about 150 bytes a row), written once and cached. */
export async function customersCsv(rows: number): Promise<string> {
  const file = join(RESULTS_DIR, `customers-${rows}.csv`);
  if (existsSync(file)) return file;
  const r = mulberry32(2026);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    let buf = `${CSV_FIELDS.join(',')}\n`;
    for (let i = 0; i < rows; i++) {
      const [city, prefix, regions] = pick(CITIES);
      const company = r() < 0.7;
      const [trade, industry] = pick(TRADES);
      const brand = pick(BRANDS);
      const name = company
        ? `${city}${brand}${trade}有限公司${i}`
        : `${pick(SURNAMES)}${pick(GIVEN)}${pick(GIVEN)}`;
      const phone = `${pick(MOBILE)}${String(Math.floor(r() * 1e8)).padStart(8, '0')}`;
      const email = r() < 0.5 ? `c${i}@example${i % 97}.com` : '';
      const website = company && r() < 0.4 ? `https://www.c${i}.example.com` : '';
      const row = [
        name,
        company ? 'company' : 'person',
        phone,
        email,
        company ? industry : '',
        pick(LEVELS),
        pick(SOURCES),
        pick(regions),
        `${prefix}${pick(ROADS)}${1 + Math.floor(r() * 999)}号`,
        website,
        company ? String(3 + Math.floor(r() * 2000)) : '',
        r() < 0.1 ? 'true' : 'false',
      ];
      buf += `${row.join(',')}\n`;
      if (buf.length > 1 << 20) {
        await fh.write(buf);
        buf = '';
      }
    }
    await fh.write(buf);
  } finally {
    await fh.close();
  }
  renameSync(tmp, file);
  return file;
}

// ------------------------------------------------------------------ COPY baseline

/**
 * COPY of the CSV into `bench_copy_customers` (LIKE customers INCLUDING ALL: the same
 * columns, defaults, NOT NULLs and indexes). Columns the CSV lacks come from defaults the way
 * Kehu fills them: tenant, owner, unit of the importing user and a time-ordered id (Kehu's ids
 * are UUIDv7, so the primary key grows at its right edge in both cases).
 */
async function copyBaseline(
  url: string,
  csv: string,
  tenantId: string,
  ownerId: string,
  unitId: string,
): Promise<{ seconds: number; rows: number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('drop table if exists bench_copy_customers');
    await c.query('create table bench_copy_customers (like customers including all)');
    await c.query(`alter table bench_copy_customers
      alter column tenant_id set default '${tenantId}',
      alter column owner_id set default '${ownerId}',
      alter column unit_id set default '${unitId}',
      alter column created_by set default '${ownerId}',
      alter column updated_by set default '${ownerId}',
      alter column id set default (lpad(to_hex((extract(epoch from clock_timestamp()) * 1000)::bigint), 12, '0') || substr(md5(random()::text), 1, 20))::uuid`);
    await c.query('checkpoint');
    const started = performance.now();
    const stream = c.query(
      copyStreams.from(
        `copy bench_copy_customers (${COPY_COLUMNS.join(', ')}) from stdin with (format csv, header true)`,
      ),
    );
    await pipeline(createReadStream(csv), stream);
    const seconds = (performance.now() - started) / 1000;
    const n = (await c.query<{ n: number }>('select count(*)::int as n from bench_copy_customers')).rows[0]!
      .n;
    await c.query('drop table bench_copy_customers');
    await c.query('checkpoint');
    return { seconds, rows: n };
  } finally {
    await c.end();
  }
}

// ------------------------------------------------------------------ Kehu import

interface ImportRun {
  seconds: number;
  uploadSeconds: number;
  jobSeconds: number;
  status: Record<string, unknown>;
  progress: { t: number; processed: number }[];
}

async function startKehu(url: string): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  const port = await freePort();
  let out = '';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    KEHU_SEED_DEMO: 'false',
    KEHU_ROLE: 'all',
  };
  delete env.DATA_DIR;
  const child = spawn(NODE, [join(REPO_ROOT, 'apps/server/src/main.ts'), 'start'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Kehu exited:\n${out.slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`Kehu did not start:\n${out.slice(-3000)}`);
    try {
      if ((await fetch(`${base}/healthz`)).status === 200) break;
    } catch {
      // not yet
    }
    await sleep(50);
  }
  return { child, base, output: () => out };
}

async function kehuImport(base: string, slug: string, csv: string, o: ImportOptions): Promise<ImportRun> {
  const s = await signIn(base, slug, 'admin');
  const headers = { cookie: s.cookie, 'x-csrf-token': s.csrf };
  const size = statSync(csv).size;
  const started = performance.now();
  const up = await fetch(`${base}/api/v1/records/customer/imports?filename=customers.csv`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'text/csv', 'content-length': String(size) },
    body: Readable.toWeb(createReadStream(csv)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const upBody = (await up.json()) as { id: string; headers: string[]; totalRows: number | null };
  if (up.status !== 201) throw new Error(`upload: ${up.status} ${JSON.stringify(upBody).slice(0, 500)}`);
  const uploaded = performance.now();
  const mapping = Object.fromEntries(upBody.headers.map((h) => [h, h]));
  const st = await fetch(`${base}/api/v1/records/customer/imports/${upBody.id}/start`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ mapping, mode: 'create' }),
  });
  if (st.status !== 202) throw new Error(`start: ${st.status} ${(await st.text()).slice(0, 500)}`);
  await st.arrayBuffer();
  const progress: ImportRun['progress'] = [];
  const deadline = started + o.timeoutSeconds * 1000;
  let last = -1;
  for (;;) {
    await sleep(200);
    const res = await fetch(`${base}/api/v1/records/customer/imports/${upBody.id}`, { headers });
    const status = (await res.json()) as { status: string; processedRows: number; totalRows: number | null };
    if (res.status !== 200)
      throw new Error(`progress: ${res.status} ${JSON.stringify(status).slice(0, 300)}`);
    const t = (performance.now() - started) / 1000;
    progress.push({ t: Math.round(t * 10) / 10, processed: status.processedRows });
    const pctDone = Math.floor((status.processedRows / (status.totalRows || o.rows)) * 10);
    if (pctDone !== last) process.stderr.write(`  ${pctDone * 10}%`);
    last = pctDone;
    if (status.status === 'done' || status.status === 'failed') {
      process.stderr.write('\n');
      const finished = performance.now();
      return {
        seconds: (finished - started) / 1000,
        uploadSeconds: (uploaded - started) / 1000,
        jobSeconds: (finished - uploaded) / 1000,
        status,
        progress,
      };
    }
    if (performance.now() > deadline)
      throw new Error(`import not done after ${o.timeoutSeconds} s: ${JSON.stringify(status)}`);
  }
}

export async function runImportBench(o: ImportOptions) {
  console.error(`generating ${o.rows} CSV rows (cached after the first run) …`);
  const csv = await customersCsv(o.rows);
  const bytes = statSync(csv).size;
  await dropDatabase(IMPORT_DB);
  const url = await ensureDatabase(IMPORT_DB);
  const tenant = await ensureBenchTenant(url, 0);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const admin = (
    await c.query<{ id: string; unit_id: string }>(
      "select id, unit_id from users where tenant_id = $1 and login = 'admin'",
      [tenant.tenantId],
    )
  ).rows[0]!;
  await c.end();

  console.error(
    `COPY of ${o.rows} rows (${(bytes / 2 ** 20).toFixed(0)} MiB) into a scratch table like customers …`,
  );
  const copy = await copyBaseline(url, csv, tenant.tenantId, admin.id, admin.unit_id);
  if (copy.rows !== o.rows) throw new Error(`COPY loaded ${copy.rows} rows, expected ${o.rows}`);

  console.error(`Kehu import of the same ${o.rows} rows (upload → start → poll) …`);
  const kehu = await startKehu(url);
  let run: ImportRun;
  try {
    run = await kehuImport(kehu.base, tenant.slug, csv, o);
  } catch (err) {
    const log = join(RESULTS_DIR, `import-kehu-${Date.now()}.log`);
    writeFileSync(log, kehu.output());
    const out = kehu.output();
    const at = out.search(/error/i);
    console.error(`Kehu's output (whole: ${log}):\n${out.slice(Math.max(0, at - 200), at + 1500)}`);
    throw err;
  } finally {
    const exited = new Promise((r) => kehu.child.once('exit', r));
    kehu.child.kill('SIGTERM');
    const t = setTimeout(() => kehu.child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(t);
  }
  const c2 = new pg.Client({ connectionString: url });
  await c2.connect();
  const imported = (
    await c2.query<{ n: number }>('select count(*)::int as n from customers where tenant_id = $1', [
      tenant.tenantId,
    ])
  ).rows[0]!.n;
  const audit = (
    await c2
      .query<{ n: number }>('select count(*)::int as n from audit_log where tenant_id = $1', [
        tenant.tenantId,
      ])
      .catch(() => ({ rows: [{ n: -1 }] }))
  ).rows[0]!.n;
  const dbSize = (
    await c2.query<{ s: string }>('select pg_size_pretty(pg_database_size(current_database())) as s')
  ).rows[0]!.s;
  await c2.end();
  if (!o.keep) await dropDatabase(IMPORT_DB);

  const copyRps = copy.rows / copy.seconds;
  const kehuRps = imported / run.seconds;
  const jobRps = imported / run.jobSeconds;
  const r = ratio(kehuRps, copyRps);
  const met = r >= 0.25 && run.status.status === 'done' && imported === o.rows;
  printTable(
    `import — ${o.rows.toLocaleString('en-US')} customers, ${(bytes / 2 ** 20).toFixed(0)} MiB CSV`,
    [
      {
        path: 'COPY into table like customers (baseline)',
        seconds: copy.seconds,
        'rows/s': Math.round(copyRps),
        rows: copy.rows,
        'vs COPY': '100 %',
      },
      {
        path: 'Kehu import, end to end',
        seconds: run.seconds,
        'rows/s': Math.round(kehuRps),
        rows: imported,
        'vs COPY': pct(r),
      },
      { path: '  of which upload', seconds: run.uploadSeconds, 'rows/s': '', rows: '', 'vs COPY': '' },
      {
        path: '  of which job (start → done)',
        seconds: run.jobSeconds,
        'rows/s': Math.round(jobRps),
        rows: '',
        'vs COPY': pct(ratio(jobRps, copyRps)),
      },
    ],
  );
  console.log(
    `status ${String(run.status.status)}, created ${String(run.status.created)}, failed ${String(run.status.failed)}; target >= 25 % of COPY: ${met ? 'met' : 'NOT met'}`,
  );
  const file = writeResult('import', {
    options: o,
    postgres: await pgVersion(),
    csv: { rows: o.rows, bytes },
    copy: { ...copy, rowsPerSecond: copyRps },
    kehu: {
      ...run,
      imported,
      auditRows: audit,
      rowsPerSecond: kehuRps,
      jobRowsPerSecond: jobRps,
      databaseSizeAfter: dbSize,
    },
    ratio: r,
    target: 0.25,
    met,
  });
  console.log(`\nwritten ${file} (${fmt(r * 100, 0)} % of COPY)`);
  return { copyRps, kehuRps, jobRps, ratio: r, met };
}

export function importOptions(argv = process.argv.slice(2)): ImportOptions | null {
  const v = args(
    {
      rows: { type: 'string', default: '200000' },
      timeout: { type: 'string', default: '1800' },
      keep: { type: 'boolean', default: false },
    },
    argv,
  );
  if (v.help) return null;
  const rows = int(v.rows, 'rows');
  if (rows < 1 || rows > 5_000_000) throw new Error('--rows: 1..5,000,000');
  return { rows, timeoutSeconds: Math.min(int(v.timeout, 'timeout'), 3600), keep: v.keep };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o = importOptions();
  if (!o) console.log(HELP);
  else await runImportBench(o);
}
