/**
 * Runs every benchmark, one after the other (never in parallel: the machine has 2 cores).
 *
 *   node bench/run.ts                 modest sizes: 200k customers, 10 s of load, 200k import rows,
 *                                     CDP: 3 × 30k events, 100k profiles / 2M events
 *   node bench/run.ts --full          the issue's sizes: 1M customers, 15 s of load, 1M import rows,
 *                                     CDP: 3 × 100k events, 1M profiles / 20M events (long)
 *   node bench/run.ts --only api-list,cold-start,cdp-ingest
 *
 * Each benchmark prints its table and writes bench/results/<name>-<time>.json; this prints
 * a one-line summary per benchmark at the end and writes bench/results/summary-<time>.json.
 */
import { apiListOptions, runApiList } from './api-list.bench.ts';
import { cdpComputeOptions, runCdpCompute } from './cdp-compute.bench.ts';
import { cdpIngestOptions, runCdpIngest } from './cdp-ingest.bench.ts';
import { coldStartOptions, runColdStart } from './cold-start.bench.ts';
import { globalSearchOptions, runGlobalSearch } from './global-search.bench.ts';
import { importOptions, runImportBench } from './import.bench.ts';
import { args, fmt, pct, writeResult } from './lib.ts';
import { massPlanOptions, runMassPlan } from './mass-message-plan.bench.ts';
import { materialTrackingOptions, runMaterialTracking } from './material-tracking.bench.ts';
import { runWebLoad, WEB_BUDGETS_KB, webLoadOptions } from './web-load.bench.ts';
import { runWecomReconcile, wecomReconcileOptions } from './wecom-reconcile.bench.ts';

const v = args({
  full: { type: 'boolean', default: false },
  only: {
    type: 'string',
    default:
      'api-list,cold-start,import,cdp-ingest,cdp-compute,web-load,global-search,material-tracking,mass-message-plan,wecom-reconcile',
  },
});
if (v.help) {
  console.log(
    'node bench/run.ts [--full] [--only api-list,cold-start,import,cdp-ingest,cdp-compute,web-load,global-search,material-tracking,mass-message-plan,wecom-reconcile]',
  );
  process.exit(0);
}
const only = new Set(v.only.split(',').map((s) => s.trim()));
const full = v.full;
const customers = full ? '1000000' : '200000';
const lines: string[] = [];
const summary: Record<string, unknown> = { full };
const failures: string[] = [];

async function step(name: string, fn: () => Promise<void>) {
  if (!only.has(name)) return;
  console.log(`\n=== ${name} ===`);
  try {
    await fn();
  } catch (err) {
    failures.push(name);
    lines.push(`${name}: FAILED — ${(err as Error).message.split('\n')[0]}`);
    console.error(err);
  }
}

await step('api-list', async () => {
  const r = await runApiList(
    apiListOptions([
      '--customers',
      customers,
      '--duration',
      full ? '15' : '10',
      '--warmup',
      '3',
      '--rounds',
      full ? '2' : '1',
      '--decompose',
    ])!,
  );
  summary['api-list'] = r;
  lines.push(
    `api-list: Kehu ${fmt(r.kehu.rps, 0)} req/s vs bare ${fmt(r.bare.rps, 0)} (${pct(r.ratios.throughput)}, target >= 50 %); p99 ${fmt(r.kehu.p99, 0)} vs ${fmt(r.bare.p99, 0)} ms (${fmt(r.ratios.p99, 2)}x, target <= 3x); ${fmt(r.statementsPerRequest.kehu, 1)} SQL statements/request`,
  );
});

await step('cold-start', async () => {
  const r = await runColdStart(coldStartOptions(['--runs', full ? '5' : '3', '--customers', customers])!);
  summary['cold-start'] = r;
  lines.push(
    `cold-start: baseline ${fmt(r.baselineMs, 0)} ms; ${r.scenarios
      .filter((s) => s.name !== 'baseline')
      .map((s) => `${s.name} ${fmt(s.medianMs, 0)} ms (${fmt(s.ratio, 1)}x)`)
      .join(', ')}`,
  );
});

await step('import', async () => {
  const r = await runImportBench(importOptions(['--rows', full ? '1000000' : '200000'])!);
  summary.import = r;
  lines.push(
    `import: Kehu ${fmt(r.kehuRps, 0)} rows/s vs COPY ${fmt(r.copyRps, 0)} (${pct(r.ratio)}, target >= 25 %)`,
  );
});

await step('cdp-ingest', async () => {
  const r = await runCdpIngest(
    cdpIngestOptions([
      '--events',
      full ? '100000' : '30000',
      '--rounds',
      '3',
      '--latency-seconds',
      full ? '20' : '10',
    ])!,
  );
  summary['cdp-ingest'] = r;
  lines.push(
    `cdp-ingest: /v1/batch ${fmt(r.ingest.eventsPerSecond, 0)} ev/s vs COPY ${fmt(r.copy.eventsPerSecond, 0)} (${pct(r.ratioToCopy)}, target >= 30 %); event->segment p50 ${fmt(r.latency.p50ms, 0)} ms, p99 ${fmt(r.latency.p99ms, 0)} ms at ${fmt(r.latency.sentRate, 0)} ev/s (target p99 < 1 s); ${r.latency.entered}/${r.latency.probes} probes`,
  );
});

await step('cdp-compute', async () => {
  const r = await runCdpCompute(
    cdpComputeOptions(
      full
        ? ['--profiles', '1000000', '--events', '20000000', '--identifies', '20000', '--rounds', '3']
        : ['--profiles', '100000', '--events', '2000000', '--identifies', '10000', '--rounds', '3'],
    )!,
  );
  summary['cdp-compute'] = r;
  lines.push(
    `cdp-compute: 3-condition segment ${fmt(r.segment.kehuMedianMs, 0)} ms vs hand-written SQL ${fmt(r.segment.handMedianMs, 0)} ms (${fmt(r.segment.ratio, 2)}x, target <= 1.5x); identify ${fmt(r.identify.perSecond, 0)} calls/s with ${r.identify.merges} merges of ${r.identify.calls}`,
  );
});

await step('web-load', async () => {
  const r = await runWebLoad(webLoadOptions(['--rounds', full ? '5' : '3'])!);
  summary['web-load'] = r;
  const at = (name: string) => r.scenarios.find((s) => s.scenario === name)!;
  lines.push(
    `web-load: login ${fmt(at('login').jsGzipKB, 0)} KB gzip JS (budget ${WEB_BUDGETS_KB.login}), ${fmt(at('login').ms, 0)} ms = ${fmt(at('login').ratio, 1)}x baseline; first list ${fmt(at('list').jsGzipKB, 0)} KB (budget ${WEB_BUDGETS_KB.list}), ${fmt(at('list').ms, 0)} ms = ${fmt(at('list').ratio, 1)}x`,
  );
});

await step('wecom-reconcile', async () => {
  const r = await runWecomReconcile(wecomReconcileOptions(['--contacts', full ? '100000' : '20000'])!);
  summary['wecom-reconcile'] = r;
  lines.push(
    `wecom-reconcile: ${r.contacts} contacts / ${r.staff} staff, full walk ${fmt(r.full.ms, 0)} ms vs rate-limit bound ${fmt(r.full.boundMs, 0)} ms (${fmt(r.full.ratio, 2)}x, target <= 1.5x); rerun added ${r.rerun.added}`,
  );
});

await step('mass-message-plan', async () => {
  const r = await runMassPlan(massPlanOptions(['--customers', '100000', '--staff', '50'])!);
  summary['mass-message-plan'] = r;
  lines.push(
    `mass-message-plan: ${r.customers} customers / ${r.staff} staff planned in ${fmt(r.planMs, 0)} ms vs one INSERT ${fmt(r.insertMs, 0)} ms (${fmt(r.ratio, 2)}x)`,
  );
});

await step('global-search', async () => {
  const r = await runGlobalSearch(
    globalSearchOptions(['--customers', customers, '--requests', full ? '300' : '200'])!,
  );
  summary['global-search'] = r;
  const worst = r.scenarios.reduce((a, b) => (b.ratioP99 > a.ratioP99 ? b : a));
  lines.push(
    `global-search: at ${r.customers} customers p99 ${r.scenarios.map((s) => fmt(s.p99, 0)).join('/')} ms vs indexed SELECT ${fmt(r.baseline.p99, 1)} ms (worst ${fmt(worst.ratioP99, 1)}x: ${worst.name}); no-match scan p99 ${fmt(r.containsMiss.p99, 0)} ms`,
  );
});

await step('material-tracking', async () => {
  const r = await runMaterialTracking(materialTrackingOptions(['--opens', full ? '1000' : '300'])!);
  summary['material-tracking'] = r;
  lines.push(
    `material-tracking: open p99 ${fmt(r.open.p99, 1)} ms vs bare redirect ${fmt(r.redirect.p99, 1)} ms (${fmt(r.open.ratioP99, 1)}x); view → notification p99 ${fmt(r.notified.p99, 1)} ms (target < 1000)`,
  );
});

console.log('\n=== summary ===');
for (const l of lines) console.log(l);
const file = writeResult('summary', summary);
console.log(`\nwritten ${file}`);
if (failures.length) process.exitCode = 1;
