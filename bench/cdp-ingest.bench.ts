/**
 * CDP ingestion benchmark (issue 4):
 * 1. sustained events/s through `POST /v1/batch` (batches of 100, 4 concurrent clients) against a
 *    real `kehu start` process (API + workers, so identity resolution and rule evaluation run at
 *    the same time, as in production) vs `COPY` of the same events into the same table of the same
 *    database in the same run (target ≥ 30 % of COPY);
 * 2. event-to-segment latency (HTTP 200 → segment membership row) while ingesting at 50 % of the
 *    throughput just measured (target p99 < 1 s).
 *
 *   node bench/cdp-ingest.bench.ts [--events 100000] [--latency-seconds 20]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import {
  args,
  dbUrl,
  dropDatabase,
  ensureDatabase,
  fmt,
  freePort,
  int,
  machine,
  pct,
  printTable,
  REPO_ROOT,
  ratio,
  sleep,
  writeResult,
} from './lib.ts';

const opts = args({
  events: { type: 'string', default: '100000' },
  'latency-seconds': { type: 'string', default: '20' },
});
const EVENTS = int(opts.events, 'events');
const LAT_SECONDS = int(opts['latency-seconds'], 'latency-seconds');
const DB = 'kehu_bench_cdp_ingest';
const BATCH = 100;
const CLIENTS = 4;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

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

async function main() {
  await dropDatabase(DB).catch(() => {});
  const url = await ensureDatabase(DB);
  const { openDatabase } = await import('../apps/server/src/platform/db/database.ts');
  const { migrate } = await import('../apps/server/src/platform/db/migrate.ts');
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

  // ---- 1. /v1/batch, 4 clients
  const run = `r${Date.now()}`;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (;;) {
        const start = next;
        if (start >= EVENTS) return;
        next += BATCH;
        await post(
          Array.from({ length: Math.min(BATCH, EVENTS - start) }, (_, k) => makeEvent(start + k, run)),
        );
      }
    }),
  );
  const httpSeconds = (performance.now() - t0) / 1000;
  const httpRate = EVENTS / httpSeconds;
  const stored = (
    await pool.query('select count(*)::int as n from cdp_events where tenant_id = $1', [tenantId])
  ).rows[0].n;

  // ---- baseline: COPY of the same events (same columns, same table) for another tenant
  const copyTenant = randomUUID();
  await pool.query('insert into tenants (id, slug, name) values ($1, $2, $3)', [
    copyTenant,
    `cdpcopy${Date.now()}`,
    'CDP copy',
  ]);
  const now = new Date().toISOString();
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
  function* rows() {
    for (let i = 0; i < EVENTS; i++) {
      const e = makeEvent(i, `copy${run}`);
      yield `${copyTenant}\t${randomUUID()}\t${now}\t${sourceId}\t${e.messageId}\ttrack\t${e.event}\t${e.userId}\tuser_id\t${e.userId}\t${esc(JSON.stringify(e.properties))}\t${esc(JSON.stringify(e))}\n`;
    }
  }
  const client = await pool.connect();
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
  client.release();
  const copyRate = EVENTS / copySeconds;

  // ---- 2. latency at 50 % of the measured rate: each probe event makes a new user enter a segment
  await pool.query('delete from cdp_pending where tenant_id = $1', [tenantId]);
  const { inTenant } = await import('../apps/server/src/platform/db/tenant-scope.ts');
  const { createSegment } = await import('../apps/server/src/modules/cdp/cdp.service.ts');
  const seg = await inTenant(database.db, tenantId, (tx) =>
    createSegment(
      tx,
      { tenantId, actorId: null, actorKind: 'system' },
      { name: 'Pinged', rule: { event: 'Ping', withinDays: 1, op: 'gte', value: 1 } },
    ),
  );
  const target = httpRate * 0.5;
  const acks = new Map<string, number>();
  const lrun = `l${Date.now()}`;
  let sent = 0;
  const l0 = performance.now();
  const deadline = l0 + LAT_SECONDS * 1000;
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
  await sleep(5000);
  const entered = await pool.query<{ value: string; at: Date }>(
    `select i.value, m.entered_at as at from cdp_segment_members m
      join cdp_identities i on i.tenant_id = m.tenant_id and i.profile_id = m.subject_id and i.kind = 'user_id'
      where m.tenant_id = $1 and m.segment_id = $2 and i.value like 'probe-%'`,
    [tenantId, seg.id],
  );
  const lat = entered.rows.map((r) => +r.at - acks.get(r.value)!).sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? Number.NaN;
  kehu.kill('SIGTERM');
  await database.close();

  const result = {
    machine: machine(),
    options: { events: EVENTS, batch: BATCH, clients: CLIENTS, latencySeconds: LAT_SECONDS },
    ingest: { seconds: httpSeconds, eventsPerSecond: httpRate, stored },
    copy: { seconds: copySeconds, eventsPerSecond: copyRate },
    ratioToCopy: ratio(httpRate, copyRate),
    latency: {
      targetRate: target,
      probes: acks.size,
      entered: lat.length,
      p50ms: q(0.5),
      p99ms: q(0.99),
      maxms: lat[lat.length - 1],
    },
  };
  printTable('CDP ingestion', [
    {
      what: '/v1/batch (100/batch, 4 clients)',
      'events/s': fmt(httpRate, 0),
      stored,
      seconds: fmt(httpSeconds),
    },
    { what: 'COPY same events', 'events/s': fmt(copyRate, 0), stored: EVENTS, seconds: fmt(copySeconds) },
    {
      what: 'ratio ingest/COPY (target ≥ 30 %)',
      'events/s': pct(result.ratioToCopy),
      stored: '',
      seconds: '',
    },
    {
      what: `event→segment latency at ${fmt(target, 0)} ev/s`,
      'events/s': `p50 ${fmt(q(0.5), 0)} ms`,
      stored: `p99 ${fmt(q(0.99), 0)} ms`,
      seconds: `${lat.length}/${acks.size} probes`,
    },
  ]);
  console.log(writeResult('cdp-ingest', result));
  await dropDatabase(DB).catch(() => {});
  void dbUrl;
}

await main();
