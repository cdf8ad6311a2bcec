/**
 * CDP computation benchmark (issue 4):
 * 1. batch segment computation of a 3-condition segment (trait AND windowed event count AND
 *    windowed event sum) by Kehu's SQL evaluator vs the hand-written SQL a DBA would write for
 *    the same question, same database, same run (target ≤ 1.5× the baseline). The size is
 *    1M profiles / 20M events; the default here (100k / 2M) fits the 2-core CI box in minutes.
 * 2. identity resolution throughput: identify calls/s through the event processor when 30 % of
 *    them merge two existing profiles (anonymous browsing, then sign-in).
 *
 *   node bench/cdp-compute.bench.ts [--profiles 100000] [--events 2000000] [--identifies 20000] [--rounds 3]
 */
import { randomUUID } from 'node:crypto';
import {
  args,
  dropDatabase,
  ensureDatabase,
  fmt,
  int,
  machine,
  printTable,
  ratio,
  writeResult,
} from './lib.ts';

export interface CdpComputeOptions {
  profiles: number;
  events: number;
  identifies: number;
  rounds: number;
}

export function cdpComputeOptions(argv = process.argv.slice(2)): CdpComputeOptions | null {
  const o = args(
    {
      profiles: { type: 'string', default: '100000' },
      events: { type: 'string', default: '2000000' },
      identifies: { type: 'string', default: '20000' },
      rounds: { type: 'string', default: '3' },
    },
    argv,
  );
  if (o.help) return null;
  return {
    profiles: Math.max(1, int(o.profiles, 'profiles')),
    events: int(o.events, 'events'),
    identifies: int(o.identifies, 'identifies'),
    rounds: Math.max(1, int(o.rounds, 'rounds')),
  };
}

const DB = 'kehu_bench_cdp_compute';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function runCdpCompute(o: CdpComputeOptions) {
  const { profiles: PROFILES, events: EVENTS, identifies: IDENTIFIES, rounds: ROUNDS } = o;
  await dropDatabase(DB).catch(() => {});
  const url = await ensureDatabase(DB);
  const { openDatabase } = await import('../apps/server/src/core/db/database.ts');
  const { migrateAll: migrate } = await import('../apps/server/src/app.ts');
  const { inTenant } = await import('../apps/server/src/core/db/tenant-scope.ts');
  const { ruleQuery } = await import('../apps/server/src/modules/cdp/rules.ts');
  const { computeSegment } = await import('../apps/server/src/modules/cdp/evaluation.service.ts');
  const { processBatch } = await import('../apps/server/src/modules/cdp/process.job.ts');
  const database = await openDatabase({ url, poolSize: 4 });
  await migrate(database.db);
  const pool = database.pool!;
  pool.on('error', () => {});
  const tenantId = randomUUID();
  const sourceId = randomUUID();
  await pool.query('insert into tenants (id, slug, name) values ($1, $2, $3)', [
    tenantId,
    `cdpc${Date.now()}`,
    'CDP compute',
  ]);
  await pool.query(
    `insert into cdp_sources (tenant_id, id, name, kind, key_prefix, key_hash) values ($1, $2, 's', 'server', 'x', $3)`,
    [tenantId, sourceId, randomUUID()],
  );

  // ---- data: profiles with one user_id identity each, events spread over 120 days
  const g0 = performance.now();
  await pool.query(
    `insert into cdp_profiles (tenant_id, id, canonical_id, traits)
     select $1, id, id, jsonb_build_object('plan', (array['gold','silver','bronze'])[1 + n % 3], 'age', 18 + n % 50)
     from (select n, gen_random_uuid() as id from generate_series(1, $2) n) x`,
    [tenantId, PROFILES],
  );
  await pool.query(
    `insert into cdp_identities (tenant_id, id, kind, value, profile_id, origin_profile_id)
     select $1, gen_random_uuid(), 'user_id', 'u' || row_number() over (order by id), id, id from cdp_profiles where tenant_id = $1`,
    [tenantId],
  );
  await pool.query(
    `insert into cdp_events (tenant_id, id, ts, source_id, message_id, type, event, user_id, ident_kind, ident, properties, raw)
     select $1, gen_random_uuid(), now() - (n % 120) * interval '1 day' - (n % 86400) * interval '1 second', $2, 'm' || n, 'track',
       case when (n / 7) % 5 = 0 then 'Order Completed' else 'Product Viewed' end, 'u' || (1 + (n::bigint * 7919) % $4), 'user_id', 'u' || (1 + (n::bigint * 7919) % $4),
       jsonb_build_object('sku', 'P' || n % 40, 'total', n % 300), '{}'::jsonb
     from generate_series(1, $3) n`,
    [tenantId, sourceId, EVENTS, PROFILES],
  );
  await pool.query('analyze');
  const genSeconds = (performance.now() - g0) / 1000;

  const rule = {
    and: [
      { trait: 'plan', op: 'eq' as const, value: 'gold' },
      { event: 'Product Viewed', withinDays: 30, op: 'gte' as const, value: 3 },
      {
        event: 'Order Completed',
        withinDays: 90,
        agg: 'sum' as const,
        property: 'total',
        op: 'gte' as const,
        value: 300,
      },
    ],
  };
  const now = new Date();
  const handSql = `
    with v as (select ident from cdp_events where tenant_id = $1 and event = 'Product Viewed' and ts >= $2
               group by ident having count(*) >= 3),
         o as (select ident from cdp_events where tenant_id = $1 and event = 'Order Completed' and ts >= $3
               group by ident having sum((properties->>'total')::numeric) >= 300)
    select count(*)::int as n from cdp_profiles p
      join cdp_identities i on i.tenant_id = p.tenant_id and i.profile_id = p.id and i.kind = 'user_id'
      join v on v.ident = i.value join o on o.ident = i.value
    where p.tenant_id = $1 and p.merged_into is null and p.traits->>'plan' = 'gold'`;
  const { windowStart } = await import('../apps/server/src/modules/cdp/rules.ts');
  const kehuTimes: number[] = [];
  const handTimes: number[] = [];
  let kehuCount = 0;
  let handCount = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t1 = performance.now();
    kehuCount = await inTenant(database.db, tenantId, async (tx) => {
      const { sql } = await import('kysely');
      const q = ruleQuery(rule, tenantId, now);
      return (await sql<{ n: number }>`select count(*)::int as n from (${q}) x`.execute(tx)).rows[0]!.n;
    });
    kehuTimes.push(performance.now() - t1);
    const t2 = performance.now();
    handCount = (await pool.query(handSql, [tenantId, windowStart(now, 30), windowStart(now, 90)])).rows[0].n;
    handTimes.push(performance.now() - t2);
  }
  // The full segment computation (diff with stored members, write entries, emit events) once.
  const segId = randomUUID();
  await pool.query(`insert into cdp_segments (tenant_id, id, name, rule) values ($1, $2, 'bench', $3)`, [
    tenantId,
    segId,
    JSON.stringify(rule),
  ]);
  const t3 = performance.now();
  const full = await inTenant(database.db, tenantId, (tx) =>
    computeSegment(tx, tenantId, { id: segId, object: 'profile', purpose: 'analytics', rule }, now, 'bench'),
  );
  const fullMs = performance.now() - t3;

  // ---- identify throughput: 30 % sign-ins that merge an anonymous profile into a known user
  const anonCount = Math.round(IDENTIFIES * 0.3);
  const insertEvents = async (
    rows: { type: string; userId: string | null; anon: string | null; traits: object }[],
    tag: string,
  ) => {
    for (let i = 0; i < rows.length; i += 2000) {
      const chunk = rows.slice(i, i + 2000);
      await pool.query(
        `with v as (select * from unnest($3::text[], $4::text[], $5::text[], $6::jsonb[]) as v(type, user_id, anon, traits)),
         e as (insert into cdp_events (tenant_id, id, ts, source_id, message_id, type, user_id, anonymous_id, ident_kind, ident, properties, raw)
           select $1, gen_random_uuid(), now(), $2, $7 || gen_random_uuid(), type, user_id, anon,
             case when user_id is null then 'anonymous_id' else 'user_id' end, coalesce(user_id, anon), traits,
             jsonb_build_object('type', type, 'userId', user_id, 'anonymousId', anon, 'traits', traits) from v returning id, ts)
         insert into cdp_pending (tenant_id, event_id, ts) select $1, id, ts from e`,
        [
          tenantId,
          sourceId,
          chunk.map((r) => r.type),
          chunk.map((r) => r.userId),
          chunk.map((r) => r.anon),
          chunk.map((r) => JSON.stringify(r.traits)),
          tag,
        ],
      );
    }
  };
  // Anonymous visitors first (not timed): each becomes a profile.
  await insertEvents(
    Array.from({ length: anonCount }, (_, i) => ({
      type: 'page',
      userId: null,
      anon: `anon-${i}`,
      traits: {},
    })),
    'pre',
  );
  while ((await processBatch(database.db, tenantId)) > 0);
  const mergesBefore = (
    await pool.query('select count(*)::int as n from cdp_merges where tenant_id = $1', [tenantId])
  ).rows[0].n;
  // Then the identify calls: 30 % sign in with a known user id from a known anonymous id (merge),
  // 70 % identify new users with phone and email (resolution without merge).
  await insertEvents(
    Array.from({ length: IDENTIFIES }, (_, i) =>
      i % 10 < 3
        ? {
            type: 'identify',
            userId: `u${1 + (i % PROFILES)}`,
            anon: `anon-${Math.floor(i / 10) * 3 + (i % 10)}`,
            traits: { plan: 'gold' },
          }
        : {
            type: 'identify',
            userId: `new-${i}`,
            anon: `anon-new-${i}`,
            traits: { phone: `139${String(10_000_000 + i).slice(-8)}`, email: `n${i}@example.com` },
          },
    ),
    'idf',
  );
  const t4 = performance.now();
  while ((await processBatch(database.db, tenantId)) > 0);
  const idSeconds = (performance.now() - t4) / 1000;
  const merges =
    (await pool.query('select count(*)::int as n from cdp_merges where tenant_id = $1', [tenantId])).rows[0]
      .n - mergesBefore;
  const left = (
    await pool.query('select count(*)::int as n from cdp_pending where tenant_id = $1', [tenantId])
  ).rows[0].n;
  if (left) console.error(`${left} events left unprocessed`);
  console.error(
    (
      await pool.query(`select kind, count(*)::int from cdp_identities where tenant_id = $1 group by 1`, [
        tenantId,
      ])
    ).rows,
  );
  await database.close();

  const result = {
    machine: machine(),
    options: { profiles: PROFILES, events: EVENTS, identifies: IDENTIFIES, rounds: ROUNDS },
    generateSeconds: genSeconds,
    segment: {
      kehuMs: kehuTimes,
      handSqlMs: handTimes,
      kehuMedianMs: median(kehuTimes),
      handMedianMs: median(handTimes),
      ratio: ratio(median(kehuTimes), median(handTimes)),
      kehuCount,
      handCount,
      fullComputeMs: fullMs,
      members: full.members,
    },
    identify: { calls: IDENTIFIES, merges, seconds: idSeconds, perSecond: IDENTIFIES / idSeconds },
  };
  printTable(`CDP computation (${PROFILES.toLocaleString()} profiles, ${EVENTS.toLocaleString()} events)`, [
    { what: '3-condition segment, Kehu SQL evaluator', ms: fmt(median(kehuTimes), 0), count: kehuCount },
    { what: 'same question, hand-written SQL', ms: fmt(median(handTimes), 0), count: handCount },
    { what: 'ratio (target ≤ 1.5×)', ms: `${fmt(result.segment.ratio, 2)}×`, count: '' },
    { what: 'full computeSegment (diff + write members + events)', ms: fmt(fullMs, 0), count: full.members },
    {
      what: `identify calls/s (${merges} merges of ${IDENTIFIES})`,
      ms: fmt(result.identify.perSecond, 0),
      count: '',
    },
  ]);
  if (kehuCount !== handCount)
    console.error(`count mismatch: Kehu ${kehuCount} vs hand-written ${handCount}`);
  console.log(writeResult('cdp-compute', result));
  await dropDatabase(DB).catch(() => {});
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o = cdpComputeOptions();
  if (!o)
    console.log(
      'node bench/cdp-compute.bench.ts [--profiles 100000] [--events 2000000] [--identifies 20000] [--rounds 3]',
    );
  else await runCdpCompute(o);
}
