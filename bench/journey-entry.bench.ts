/**
 * Journeys (issue 12): segment entry → first send. A live journey "segment entered → SMS → exit";
 * `segment.entered` outbox events go in, and the time until each SMS reaches the Aliyun SMS
 * simulator (its receive time) is measured through the real path: outbox dispatcher → journeys'
 * subscriber (enrol) → advance job (send step: messaging's guards, render, message row, delivery
 * job) → delivery job → SendSms over HTTP. Dispatcher, worker (concurrency 2) and the work
 * listener run in this process as in `kehu worker`.
 *
 * 1. Max load: a burst of --burst entries in one transaction; max rate = burst ÷ time to the last SMS.
 * 2. 50 % of that rate for --duration seconds, one entry per transaction, paced; latency per entry
 *    = SMS received − entry committed: p50 / p95 / p99 (goal p99 ≤ 1 s; Dittofeed recomputes
 *    segments every 120 s).
 * Baseline, same database and run: the bare cost of what an entry must write at least — one
 * transaction inserting the run row and the message row (as the application role, RLS on) —
 * at the same pace; the ratio is of p99s.
 *
 *   node bench/journey-entry.bench.ts [--burst 1000] [--duration 20]
 */
import { startSmsSimulator } from '../packages/sms-simulator/src/index.ts';
import { args, ensureDatabase, fmt, int, PG_SERVER, printTable, sleep, writeResult } from './lib.ts';

const o = args({ burst: { type: 'string', default: '1000' }, duration: { type: 'string', default: '20' } });
const burst = int(o!.burst as string, 'burst');
const duration = Math.min(int(o!.duration as string, 'duration'), 120);
const DB = process.env.BENCH_JOURNEYS_DB ?? 'kehu_bench_journeys';
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

const sim = await startSmsSimulator();
process.env.KEHU_OUTBOUND_ALLOW = new URL(sim.url).host;
process.env.KEHU_LOG_LEVEL ??= 'error';
await ensureDatabase(DB);
const { openDatabase } = await import('../apps/server/src/core/db/database.ts');
const { migrateAll } = await import('../apps/server/src/app.ts');
const { inTenant } = await import('../apps/server/src/core/db/tenant-scope.ts');
const { emitEvents } = await import('../apps/server/src/core/events/outbox.ts');
const { startDispatcher } = await import('../apps/server/src/core/events/dispatcher.ts');
const { startWorker } = await import('../apps/server/src/core/jobs/queue.ts');
const { listenForWork } = await import('../apps/server/src/core/events/work-listener.ts');
const { seedDemoTenant } = await import('../apps/server/src/seed/demo-data.ts');
const { sql } = await import('kysely');
const database = await openDatabase({ url: `${PG_SERVER}/${DB}`, poolSize: 20 });
await migrateAll(database.db);

const slug = `jentry${Date.now().toString(36)}`;
const tenantId = (await seedDemoTenant(database, { customers: 0, slug, password: 'kehu-demo-2026' }))
  .tenantId;
const tx = <T>(fn: (t: any) => Promise<T>) => inTenant(database.db, tenantId, fn);
const segmentId = crypto.randomUUID();
const journeyId = crypto.randomUUID();
const definition = {
  trigger: { kind: 'segment', segmentId, on: 'enter' },
  graph: {
    nodes: [
      { id: 'in', data: { kind: 'entry' } },
      {
        id: 'sms',
        data: {
          kind: 'send',
          channel: 'sms',
          purpose: 'service',
          content: { text: '{{name}}您好，保险即将到期' },
        },
      },
      { id: 'out', data: { kind: 'exit' } },
    ],
    edges: [
      { id: '1', source: 'in', target: 'sms' },
      { id: '2', source: 'sms', target: 'out' },
    ],
  },
};
const total = burst + Math.ceil(burst * duration) + 10;
// Profiles with a phone each (the simulator limits sends per number), the SMS account, the journey.
const profiles = await tx(async (t) => {
  await sql`insert into cdp_profiles (tenant_id, id, canonical_id, traits)
    select ${tenantId}, g.id, g.id, jsonb_build_object('name', '客户' || g.n, 'phone', (13000000000 + g.n)::text)
    from (select gen_random_uuid() as id, n from generate_series(1, ${total}) n) g`.execute(t);
  await sql`insert into journeys (tenant_id, id, name, status, live_version, trigger_kind, unit_id)
    values (${tenantId}, ${journeyId}, 'bench', 'live', 1, 'segment',
      (select unit_id from users where tenant_id = ${tenantId} limit 1))`.execute(t);
  await sql`insert into journey_versions (tenant_id, journey_id, version, status, definition, trigger_kind, trigger_key, published_at)
    values (${tenantId}, ${journeyId}, 1, 'published', ${JSON.stringify(definition)}::jsonb, 'segment',
      ${`${segmentId}:enter`}, now())`.execute(t);
  return (
    await sql<{ id: string; phone: string }>`select id, traits->>'phone' as phone from cdp_profiles
      where tenant_id = ${tenantId} order by traits->>'phone'`.execute(t)
  ).rows;
});
const accessKeyId = `LTAI${tenantId.slice(0, 8)}`;
const { putSmsAccount } = await import('../apps/server/src/modules/messaging/sms-account.service.ts');
await tx((t) =>
  putSmsAccount(
    t,
    { tenantId, actorId: null, actorKind: 'system' },
    {
      endpoint: sim.url,
      accessKeyId,
      accessKeySecret: 'bench-secret',
      signName: '示例集团',
      textTemplate: 'SMS_TEXT',
    },
    'zh-CN',
    'http://127.0.0.1',
  ),
);
sim.addAccount({
  accessKeyId,
  accessKeySecret: 'bench-secret',
  signNames: ['示例集团'],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Aliyun's template placeholder
  templates: { SMS_TEXT: '${text}' },
});

const received = (phones: string[]) => {
  const at = new Map<string, number>();
  for (const p of phones) {
    const m = sim.messagesTo(p)[0];
    if (m) at.set(p, +m.sentAt);
  }
  return at;
};
const enter = (list: { id: string }[]) =>
  tx((t) =>
    emitEvents(
      t,
      tenantId,
      list.map((p) => ({
        type: 'segment.entered',
        object: 'segment',
        recordId: segmentId,
        payload: { segmentId, subjectId: p.id },
      })),
    ),
  );

const abort = new AbortController();
const log = { info: () => {}, warn: () => {}, error: (o: object, m?: string) => console.error(m, o) };
const background = [
  startDispatcher(database.db, log, abort.signal),
  startWorker(database.db, log, abort.signal, { concurrency: 2 }),
  // As `kehu worker` does: committed events and jobs wake the dispatcher and workers (NOTIFY kehu_work).
  listenForWork(database, log, abort.signal),
];

// 1. Max load: one burst.
const burstSet = profiles.slice(0, burst);
const t0 = Date.now();
let burstMs = 0;
await enter(burstSet);
for (;;) {
  const got = received(burstSet.map((p) => p.phone));
  if (got.size === burst) {
    burstMs = Math.max(...got.values()) - t0;
    break;
  }
  if (Date.now() - t0 > 300_000) throw new Error(`burst: ${got.size}/${burst} after 300 s`);
  await sleep(100);
}
const maxRate = burst / (burstMs / 1000);
const rate = maxRate / 2;

// 2. Half of it, paced, one entry per transaction.
const paced = profiles.slice(burst, burst + Math.floor(rate * duration));
const committed = new Map<string, number>();
const start = Date.now();
for (let i = 0; i < paced.length; i++) {
  const due = start + (i * 1000) / rate;
  if (due > Date.now()) await sleep(due - Date.now());
  await enter([paced[i]!]);
  committed.set(paced[i]!.phone, Date.now());
}
const lat: number[] = [];
for (const deadline = Date.now() + 60_000; ; ) {
  const got = received(paced.map((p) => p.phone));
  if (got.size === paced.length || Date.now() > deadline) {
    for (const [phone, at] of got) lat.push(at - committed.get(phone)!);
    break;
  }
  await sleep(200);
}
abort.abort();
await Promise.allSettled(background);

// Baseline: the run row and the message row an entry writes at least, one transaction each, same pace.
const base: number[] = [];
const rest = profiles.slice(burst + paced.length);
const n = Math.min(rest.length, paced.length);
const bstart = Date.now();
for (let i = 0; i < n; i++) {
  const due = bstart + (i * 1000) / rate;
  if (due > Date.now()) await sleep(due - Date.now());
  const p = rest[i]!;
  const b0 = performance.now();
  await tx(async (t) => {
    const runId = crypto.randomUUID();
    await sql`insert into journey_runs (tenant_id, id, journey_id, version, profile_id, entry, status, step_id, entered_at)
      values (${tenantId}, ${runId}, ${journeyId}, 99, ${p.id}, 1, 'done', 'out', now())`.execute(t);
    await sql`insert into messaging_messages (tenant_id, id, idempotency_key, profile_id, channel, purpose, source_kind,
        source_id, step_id, status, address, body)
      values (${tenantId}, ${crypto.randomUUID()}, ${`base:${runId}`}, ${p.id}, 'sms', 'service', 'journey', ${journeyId},
        'sms', 'queued', ${p.phone}, '您好，保险即将到期')`.execute(t);
  });
  base.push(performance.now() - b0);
}
await sim.close();
await database.close();

const result = {
  burst,
  burstMs,
  maxRatePerSec: maxRate,
  pacedRatePerSec: rate,
  paced: paced.length,
  received: lat.length,
  p50Ms: pct(lat, 50),
  p95Ms: pct(lat, 95),
  p99Ms: pct(lat, 99),
  baselineP50Ms: pct(base, 50),
  baselineP99Ms: pct(base, 99),
  ratioP99: pct(lat, 99) / pct(base, 99),
};
printTable('segment entry → first send', [
  {
    'max /s': fmt(maxRate, 0),
    'at 50 % /s': fmt(rate, 0),
    entries: `${lat.length}/${paced.length}`,
    'p50 ms': fmt(result.p50Ms, 0),
    'p95 ms': fmt(result.p95Ms, 0),
    'p99 ms': fmt(result.p99Ms, 0),
    'baseline p99 ms': fmt(result.baselineP99Ms, 1),
    'ratio p99': fmt(result.ratioP99, 0),
  },
]);
writeResult('journey-entry', result);
if (lat.length < paced.length) process.exitCode = 1;
