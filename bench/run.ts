/**
 * Runs every benchmark, one after the other (never in parallel: the machine has 2 cores).
 *
 *   node bench/run.ts                 modest sizes: 200k customers, 10 s of load, 200k import rows
 *   node bench/run.ts --full          the issue's sizes: 1M customers, 15 s of load, 1M import rows
 *   node bench/run.ts --only api-list,cold-start
 *
 * Each benchmark prints its table and writes bench/results/<name>-<time>.json; this prints
 * a one-line summary per benchmark at the end and writes bench/results/summary-<time>.json.
 */
import { apiListOptions, runApiList } from './api-list.bench.ts';
import { coldStartOptions, runColdStart } from './cold-start.bench.ts';
import { importOptions, runImportBench } from './import.bench.ts';
import { args, fmt, pct, writeResult } from './lib.ts';

const v = args({
  full: { type: 'boolean', default: false },
  only: { type: 'string', default: 'api-list,cold-start,import' },
});
if (v.help) {
  console.log('node bench/run.ts [--full] [--only api-list,cold-start,import]');
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

console.log('\n=== summary ===');
for (const l of lines) console.log(l);
const file = writeResult('summary', summary);
console.log(`\nwritten ${file}`);
if (failures.length) process.exitCode = 1;
