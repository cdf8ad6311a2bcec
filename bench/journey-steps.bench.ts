/**
 * Journeys (issue 12): steps executed per second when --profiles profiles enter a journey at once
 * (entry → update a field → random split → update a field → exit: five step executions per run,
 * each with its history row, through the real advance loop: SKIP LOCKED batches, one transaction
 * per batch) against inserting the same number of step rows into journey_steps with ONE SQL
 * statement from generate_series — the floor for writing that history. Same database, same run,
 * under RLS as the application role; the ratio is of medians over --rounds.
 *
 *   node bench/journey-steps.bench.ts [--profiles 100000] [--rounds 1]
 */
import { args, ensureDatabase, fmt, int, PG_SERVER, printTable, writeResult } from './lib.ts';

const o = args({ profiles: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '1' } });
const profiles = int(o!.profiles as string, 'profiles');
const rounds = Math.min(int(o!.rounds as string, 'rounds'), 5);
const DB = process.env.BENCH_JOURNEYS_DB ?? 'kehu_bench_journeys';
const STEPS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

await ensureDatabase(DB);
const { openDatabase } = await import('../apps/server/src/core/db/database.ts');
const { migrateAll } = await import('../apps/server/src/app.ts');
const { inTenant } = await import('../apps/server/src/core/db/tenant-scope.ts');
const { seedDemoTenant } = await import('../apps/server/src/seed/demo-data.ts');
const { compileVersion } = await import('../apps/server/src/modules/journeys/definition.ts');
const { enrolProfiles } = await import('../apps/server/src/modules/journeys/enrol.service.ts');
const { advanceDue } = await import('../apps/server/src/modules/journeys/advance.job.ts');
const { sql } = await import('kysely');
const database = await openDatabase({ url: `${PG_SERVER}/${DB}`, poolSize: 4 });
await migrateAll(database.db);

const definition = {
  trigger: { kind: 'manual' },
  graph: {
    nodes: [
      { id: 'in', data: { kind: 'entry' } },
      { id: 'fa', data: { kind: 'field', trait: 'seen', value: 1 } },
      {
        id: 'ab',
        data: {
          kind: 'random',
          variants: [
            { key: 'a', weight: 1 },
            { key: 'b', weight: 1 },
          ],
        },
      },
      { id: 'fb', data: { kind: 'field', trait: 'variant', value: 'x' } },
      { id: 'out', data: { kind: 'exit' } },
    ],
    edges: [
      { id: '1', source: 'in', target: 'fa' },
      { id: '2', source: 'fa', target: 'ab' },
      { id: '3', source: 'ab', target: 'fb', sourceHandle: 'a' },
      { id: '4', source: 'ab', target: 'fb', sourceHandle: 'b' },
      { id: '5', source: 'fb', target: 'out' },
    ],
  },
};

const engine: number[] = [];
const floor: number[] = [];
for (let r = 0; r < rounds; r++) {
  const slug = `journeys${Date.now().toString(36)}`;
  const tenantId = (await seedDemoTenant(database, { customers: 0, slug, password: 'kehu-demo-2026' }))
    .tenantId;
  const journeyId = crypto.randomUUID();
  const ids = await inTenant(database.db, tenantId, async (tx) => {
    await sql`insert into cdp_profiles (tenant_id, id, canonical_id)
      select ${tenantId}, g.id, g.id from (select gen_random_uuid() as id from generate_series(1, ${profiles})) g`.execute(
      tx,
    );
    await sql`insert into journeys (tenant_id, id, name, status, live_version, trigger_kind, unit_id)
      values (${tenantId}, ${journeyId}, 'bench', 'live', 1, 'manual', (select unit_id from users where tenant_id = ${tenantId} limit 1))`.execute(
      tx,
    );
    await sql`insert into journey_versions (tenant_id, journey_id, version, status, definition, trigger_kind, published_at)
      values (${tenantId}, ${journeyId}, 1, 'published', ${JSON.stringify(definition)}::jsonb, 'manual', now())`.execute(
      tx,
    );
    return (
      await sql<{ id: string }>`select id from cdp_profiles where tenant_id = ${tenantId}`.execute(tx)
    ).rows.map((x) => x.id);
  });
  const v = compileVersion(journeyId, 1, 'bench', definition, null);
  const t0 = performance.now();
  await inTenant(database.db, tenantId, (tx) => enrolProfiles(tx, tenantId, v, ids, new Date()));
  await advanceDue(database.db, tenantId, new Date());
  engine.push(performance.now() - t0);
  const done = await inTenant(database.db, tenantId, async (tx) =>
    Number(
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from journey_steps where tenant_id = ${tenantId}`.execute(tx)
      ).rows[0]!.n,
    ),
  );
  if (done !== profiles * STEPS) throw new Error(`expected ${profiles * STEPS} step rows, got ${done}`);

  const t1 = performance.now();
  await inTenant(database.db, tenantId, (tx) =>
    sql`insert into journey_steps (tenant_id, run_id, step_id, visit, journey_id, version, kind, outcome, at)
      select ${tenantId}, gen_random_uuid(), 'x' || (g % ${STEPS}), 1, ${journeyId}, 2, 'field', 'passed', now()
      from generate_series(1, ${profiles * STEPS}) g`.execute(tx),
  );
  floor.push(performance.now() - t1);
}
const e = median(engine);
const f = median(floor);
const result = {
  profiles,
  steps: profiles * STEPS,
  engineMs: e,
  insertMs: f,
  stepsPerSecond: (profiles * STEPS) / (e / 1000),
  floorStepsPerSecond: (profiles * STEPS) / (f / 1000),
  ratio: e / f,
  rounds: { engine, floor },
};
printTable('journey steps', [
  {
    profiles,
    steps: profiles * STEPS,
    'engine s': fmt(e / 1000, 2),
    'one INSERT s': fmt(f / 1000, 2),
    'steps/s': fmt(result.stepsPerSecond, 0),
    'floor steps/s': fmt(result.floorStepsPerSecond, 0),
    ratio: fmt(result.ratio, 1),
  },
]);
writeResult('journey-steps', result);
await database.close();
