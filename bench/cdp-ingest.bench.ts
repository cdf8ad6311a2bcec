/**
 * CDP ingestion benchmark (issue 4):
 * 1. sustained events/s through `POST /v1/batch` (batches of 100, 4 concurrent clients) against a
 *    real `kehu start` process (API + workers, so identity resolution and rule evaluation run at
 *    the same time, as in production) vs `COPY` of the same events (same columns, raw payload
 *    included) into the same table of the same database in the same run (target ≥ 30 % of COPY).
 *    COPY runs only once Kehu has processed everything it was sent, so the two never share the
 *    machine; with `--rounds N` they alternate N times and the median ratio is reported;
 * 2. event-to-segment latency while ingesting at 50 % of the throughput just measured (target
 *    p99 < 1 s): each batch carries one probe event that makes a new person enter a segment; the
 *    latency is from the probe's HTTP 200 to the moment a reader sees the membership committed
 *    (polled every 20 ms). A probe that never shows up counts as infinitely late.
 *
 *   node bench/cdp-ingest.bench.ts [--events 100000] [--latency-seconds 20] [--rounds 2]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import {
  args,
  dropDatabase,
  ensureDatabase,
  fmt,
  freePort,
  int,
  pct,
  pgVersion,
  printTable,
  REPO_ROOT,
  ratio,
  sleep,
  writeResult,
} from './lib.ts';

export interface CdpIngestOptions {
  events: number;
  latencySeconds: number;
  rounds: number;
}

const DB = 'kehu_bench_cdp_ingest';
const BATCH = 100;
const CLIENTS = 4;
const POLL_MS = 20;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function startKehu(url: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'apps/server/src/main.ts'), 'start', '--no-seed', '--port', String(port)],
    {
      env: {
        ...process.env,
        DATABASE_URL: url,
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        KEHU_CDP_MAX_IN_FLIGHT: '64',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return child;
    } catch {}
    await sleep(100);
  }
  throw new Error('kehu did not start');
}

function makeEvent(i: number, run: string) {
  const user = `u${i % 20000}`;
  return {
    type: 'track',
    event: i % 10 === 0 ? 'Order Completed' : 'Product Viewed',
    userId: user,
    messageId: `${run}-${i}`,
    timestamp: new Date().toISOString(),
    properties: { sku: `P${i % 50}`, price: (i % 97) + 1, category: 'shoes' },
    context: { library: { name: 'bench', version: '1' }, ip: '127.0.0.1' },
  };
}

/** CPU ms used so far by a process (utime + stime from /proc; 0 where /proc is missing). */
function cpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * (1000 / 100);
  } catch {
    return 0;
  }
}

/**
 * CPU time used by Kehu, this process and the database's PostgreSQL backends between two calls:
 * a figure the other load on a shared box does not move, unlike events/s.
 */
async function cpuMeter(pool: pg.Pool, kehuPid: number) {
  const snap = async () => {
    const pids = (
      await pool.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database()')
    ).rows.map((r) => r.pid);
    const self = process.cpuUsage();
    return {
      pg: new Map(pids.map((p) => [p, cpuMs(p)])),
      kehu: cpuMs(kehuPid),
      self: (self.user + self.system) / 1000,
    };
  };
  const a = await snap();
  return async () => {
    const b = await snap();
    let pgMs = 0;
    for (const [pid, ms] of b.pg) pgMs += ms - (a.pg.get(pid) ?? 0);
    return { kehuMs: b.kehu - a.kehu, postgresMs: pgMs, clientMs: b.self - a.self };
  };
}

/** Waits until the event processor has taken every stored event off its queue. */
async function drained(pool: pg.Pool, tenantId: string, timeoutMs = 300_000): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const n = (
      await pool.query('select count(*)::int as n from cdp_pending where tenant_id = $1', [tenantId])
    ).rows[0].n;
    if (n === 0) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`${n} events still unprocessed`);
    await sleep(50);
  }
}

export async function runCdpIngest(o: CdpIngestOptions) {
  await dropDatabase(DB).catch(() => {});
  const url = await ensureDatabase(DB);
  const { openDatabase } = await import('../apps/server/src/core/db/database.ts');
  const { migrateAll: migrate } = await import('../apps/server/src/app.ts');
  const database = await openDatabase({ url, poolSize: 4 });
  await migrate(database.db);
  const pool = database.pool!;
  pool.on('error', () => {});
  const tenantId = randomUUID();
  const sourceId = randomUUID();
  const writeKey = `wk_bench_${randomUUID()}`;
  await pool.query('insert into tenants (id, slug, name) values ($1, $2, $3)', [
    tenantId,
    `cdpbench${Date.now()}`,
    'CDP bench',
  ]);
  await pool.query(
    `insert into cdp_sources (tenant_id, id, name, kind, key_prefix, key_hash) values ($1, $2, 'bench', 'server', 'wk_bench', $3)`,
    [tenantId, sourceId, sha256(writeKey)],
  );
  const copyTenant = randomUUID();
  await pool.query('insert into tenants (id, slug, name) values ($1, $2, $3)', [
    copyTenant,
    `cdpcopy${Date.now()}`,
    'CDP copy',
  ]);
  const port = await freePort();
  const kehu = await startKehu(url, port);
  const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
  const post = async (batch: unknown[]) => {
    for (;;) {
      const r = await fetch(`http://127.0.0.1:${port}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: JSON.stringify({ batch, sentAt: new Date().toISOString() }),
      });
      await r.arrayBuffer();
      if (r.status === 200) return;
      if (r.status !== 429) throw new Error(`ingest ${r.status}`);
      await sleep(50);
    }
  };

  // ---- 1. /v1/batch with 4 clients, then COPY of the same rows, alternating
  const rounds: {
    httpSeconds: number;
    httpRate: number;
    drainSeconds: number;
    processedRate: number;
    copySeconds: number;
    copyRate: number;
    ratio: number;
    cpuPer1000: { kehu: Record<string, number>; copy: Record<string, number> };
  }[] = [];
  const per1000 = (c: Record<string, number>) =>
    Object.fromEntries(Object.entries(c).map(([k, v]) => [k, (v / o.events) * 1000]));
  const total = (c: Record<string, number>) => Object.values(c).reduce((x, y) => x + y, 0);
  for (let round = 0; round < o.rounds; round++) {
    const run = `r${round}x${Date.now()}`;
    let next = 0;
    const kehuCpu = await cpuMeter(pool, kehu.pid!);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (;;) {
          const start = next;
          if (start >= o.events) return;
          next += BATCH;
          await post(
            Array.from({ length: Math.min(BATCH, o.events - start) }, (_, k) => makeEvent(start + k, run)),
          );
        }
      }),
    );
    const httpSeconds = (performance.now() - t0) / 1000;
    const drainSeconds = (await drained(pool, tenantId)) / 1000;
    const kehuUsed = await kehuCpu();

    // Baseline: the same events, the same columns (the raw payload too), the same table.
    const now = new Date().toISOString();
    const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
    function* rows() {
      for (let i = 0; i < o.events; i++) {
        const e = makeEvent(i, `copy${run}`);
        const raw = { ...e, receivedAt: now };
        yield `${copyTenant}\t${randomUUID()}\t${now}\t${sourceId}\t${e.messageId}\ttrack\t${e.event}\t${e.userId}\tuser_id\t${e.userId}\t${esc(JSON.stringify(e.properties))}\t${esc(JSON.stringify(raw))}\n`;
      }
    }
    const client = await pool.connect();
    const copyCpu = await cpuMeter(pool, kehu.pid!);
    const c0 = performance.now();
    await pipeline(
      Readable.from(rows()),
      client.query(
        copyStreams.from(
          'copy cdp_events (tenant_id, id, ts, source_id, message_id, type, event, user_id, ident_kind, ident, properties, raw) from stdin',
        ),
      ),
    );
    const copySeconds = (performance.now() - c0) / 1000;
    const copyUsed = await copyCpu();
    client.release();
    const r = {
      httpSeconds,
      httpRate: o.events / httpSeconds,
      drainSeconds,
      processedRate: o.events / (httpSeconds + drainSeconds),
      copySeconds,
      copyRate: o.events / copySeconds,
      ratio: 0,
      // Kehu: requests and their processing (identity, counters, rules) until drained.
      cpuPer1000: { kehu: per1000(kehuUsed), copy: per1000(copyUsed) },
    };
    r.ratio = ratio(r.httpRate, r.copyRate);
    rounds.push(r);
    console.error(
      `round ${round + 1}: /v1/batch ${fmt(r.httpRate, 0)} ev/s (processed ${fmt(drainSeconds, 1)} s later), COPY ${fmt(r.copyRate, 0)} ev/s, ${pct(r.ratio)}; CPU ms per 1000 events: Kehu ${fmt(total(r.cpuPer1000.kehu), 0)} ${JSON.stringify(Object.fromEntries(Object.entries(r.cpuPer1000.kehu).map(([k, v]) => [k, Math.round(v)])))}, COPY ${fmt(total(r.cpuPer1000.copy), 0)}`,
    );
  }
  const stored = (
    await pool.query('select count(*)::int as n from cdp_events where tenant_id = $1', [tenantId])
  ).rows[0].n;
  const httpRate = median(rounds.map((r) => r.httpRate));
  const copyRate = median(rounds.map((r) => r.copyRate));
  const ratioToCopy = median(rounds.map((r) => r.ratio));
  const cpuKehu = median(rounds.map((r) => total(r.cpuPer1000.kehu)));
  const cpuCopy = median(rounds.map((r) => total(r.cpuPer1000.copy)));

  // ---- 2. latency at 50 % of the measured rate: each probe event makes a new person enter a segment
  const { inTenant } = await import('../apps/server/src/core/db/tenant-scope.ts');
  const { createSegment } = await import('../apps/server/src/modules/cdp/segments.service.ts');
  const { systemViewer } = await import('../apps/server/src/modules/cdp/viewer.ts');
  const seg = await inTenant(database.db, tenantId, (tx) =>
    createSegment(tx, systemViewer(tenantId), {
      name: 'Pinged',
      rule: { event: 'Ping', withinDays: 1, op: 'gte', value: 1 },
    }),
  );
  const target = httpRate * 0.5;
  const acks = new Map<string, number>();
  const seen = new Map<string, number>();
  const lrun = `l${Date.now()}`;
  let sent = 0;
  let polling = true;
  const poller = (async () => {
    const c = await pool.connect();
    try {
      let since = new Date(0);
      while (polling) {
        const r = await c.query<{ value: string; at: Date }>(
          `select i.value, m.entered_at as at from cdp_segment_members m
            join cdp_identities i on i.tenant_id = m.tenant_id and i.profile_id = m.subject_id and i.kind = 'user_id'
            where m.tenant_id = $1 and m.segment_id = $2 and m.entered_at > $3`,
          [tenantId, seg.id, since],
        );
        const at = Date.now();
        for (const row of r.rows) {
          if (!seen.has(row.value)) seen.set(row.value, at);
          // Rows become visible at commit, after their clock-time entered_at: look back 5 s.
          const back = new Date(+row.at - 5000);
          if (back > since) since = back;
        }
        await sleep(POLL_MS);
      }
    } finally {
      c.release();
    }
  })();
  const l0 = performance.now();
  const deadline = l0 + o.latencySeconds * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      let probe = 0;
      while (performance.now() < deadline) {
        const due = l0 + ((sent + BATCH) / target) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const start = sent;
        sent += BATCH;
        const batch: Record<string, unknown>[] = Array.from({ length: BATCH - 1 }, (_, k) =>
          makeEvent(start + k, lrun),
        );
        const probeUser = `probe-${c}-${probe++}`;
        batch.push({ type: 'track', event: 'Ping', userId: probeUser, messageId: `${lrun}-${probeUser}` });
        await post(batch);
        acks.set(probeUser, Date.now());
      }
    }),
  );
  const sentRate = sent / ((performance.now() - l0) / 1000);
  const graceEnd = Date.now() + 5000;
  while (seen.size < acks.size && Date.now() < graceEnd) await sleep(100);
  polling = false;
  await poller;
  const lat = [...acks].map(([u, ack]) => (seen.has(u) ? seen.get(u)! - ack : Number.POSITIVE_INFINITY));
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? Number.NaN;
  const exited = new Promise((r) => kehu.once('exit', r));
  kehu.kill('SIGTERM');
  await exited;
  await database.close();

  const result = {
    options: { ...o, batch: BATCH, clients: CLIENTS, pollMs: POLL_MS },
    postgres: await pgVersion(),
    rounds,
    ingest: { eventsPerSecond: httpRate, stored },
    copy: { eventsPerSecond: copyRate },
    ratioToCopy,
    cpuMsPer1000Events: { kehu: cpuKehu, copy: cpuCopy, ratio: ratio(cpuCopy, cpuKehu) },
    latency: {
      targetRate: target,
      sentRate,
      probes: acks.size,
      entered: seen.size,
      p50ms: q(0.5),
      p99ms: q(0.99),
      maxms: lat[lat.length - 1],
    },
  };
  printTable('CDP ingestion', [
    {
      what: `/v1/batch (100/batch, 4 clients; median of ${o.rounds})`,
      'events/s': fmt(httpRate, 0),
      detail: `processed ${fmt(median(rounds.map((r) => r.processedRate)), 0)} ev/s end to end`,
    },
    { what: 'COPY same rows, same table', 'events/s': fmt(copyRate, 0), detail: '' },
    {
      what: 'ratio ingest/COPY (target ≥ 30 %)',
      'events/s': pct(ratioToCopy),
      detail: rounds.map((r) => pct(r.ratio)).join(', '),
    },
    {
      what: 'CPU ms per 1000 events (all processes)',
      'events/s': `${fmt(cpuKehu, 0)} vs ${fmt(cpuCopy, 0)}`,
      detail: `COPY/Kehu ${pct(ratio(cpuCopy, cpuKehu))}`,
    },
    {
      what: `event→segment latency at ${fmt(sentRate, 0)} ev/s`,
      'events/s': `p50 ${fmt(q(0.5), 0)} ms`,
      detail: `p99 ${fmt(q(0.99), 0)} ms, max ${fmt(lat[lat.length - 1] ?? Number.NaN, 0)} ms; ${seen.size}/${acks.size} probes`,
    },
  ]);
  console.log(writeResult('cdp-ingest', result));
  await dropDatabase(DB).catch(() => {});
  return result;
}

export function cdpIngestOptions(argv = process.argv.slice(2)): CdpIngestOptions | null {
  const v = args(
    {
      events: { type: 'string', default: '100000' },
      'latency-seconds': { type: 'string', default: '20' },
      rounds: { type: 'string', default: '2' },
    },
    argv,
  );
  if (v.help) return null;
  const events = int(v.events, 'events');
  if (events < BATCH || events > 2_000_000) throw new Error('--events: 100..2,000,000');
  return {
    events,
    latencySeconds: Math.min(int(v['latency-seconds'], 'latency-seconds'), 120),
    rounds: Math.max(1, Math.min(int(v.rounds, 'rounds'), 5)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o = cdpIngestOptions();
  if (!o) console.log('node bench/cdp-ingest.bench.ts [--events 100000] [--latency-seconds 20] [--rounds 2]');
  else await runCdpIngest(o);
}
