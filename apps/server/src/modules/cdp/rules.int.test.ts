import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';
import { getTestEnv, type TestEnv } from '../../testing/harness.ts';
import { ensureCounters } from './counters.ts';
import { loadStates } from './evaluation.service.ts';
import { processBatch } from './process.job.ts';
import {
  collectEventRules,
  counterDef,
  DATE_OPS,
  evaluate,
  type Rule,
  ruleQuery,
  valueDay,
  valueDaySql,
  zoneDay,
} from './rules.ts';

let env: TestEnv;
before(async () => {
  env = await getTestEnv();
});
after(async () => {
  await env?.close();
});

const NOW = new Date();
const DAY = 86_400_000;

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
/** A day (days since 1970-01-01) as YYYY-MM-DD. */
const isoDay = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
/** An instant written as local time at an offset, the way clients and PostgreSQL print them. */
function atOffset(t: number, offsetMin: number, style: 'colon' | 'plain' | 'hours') {
  const local = new Date(t + offsetMin * 60_000).toISOString().slice(0, 19);
  if (offsetMin === 0 && style === 'colon') return `${local}Z`;
  const sign = offsetMin < 0 ? '-' : '+';
  const [h, m] = [Math.floor(Math.abs(offsetMin) / 60), Math.abs(offsetMin) % 60];
  if (style === 'hours' && m === 0) return `${local}${sign}${pad(h)}`;
  return style === 'plain' ? `${local}${sign}${pad(h)}${pad(m)}` : `${local}${sign}${pad(h)}:${pad(m)}`;
}
/** Dates around today's edges in every written form, and values that are not dates at all. */
const dateValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -9, max: 9 }).map((k) => isoDay(zoneDay(NOW) + k)),
  fc
    .record({
      k: fc.integer({ min: -9, max: 9 }),
      minute: fc.integer({ min: -1440, max: 1440 }),
      offset: fc.constantFrom(0, 480, -300, 330, 840, -720),
      style: fc.constantFrom('colon', 'plain', 'hours') as fc.Arbitrary<'colon' | 'plain' | 'hours'>,
    })
    .map(({ k, minute, offset, style }) => atOffset(+NOW + k * DAY + minute * 60_000, offset, style)),
  fc
    .record({
      k: fc.integer({ min: -3, max: 3 }),
      sep: fc.constantFrom('T', ' '),
      hm: fc.constantFrom('00:00', '23:59:59.5'),
    })
    .map(({ k, sep, hm }) => `${isoDay(zoneDay(NOW) + k)}${sep}${hm}`),
  fc.constantFrom(
    '2025-02-30',
    '2024-02-29',
    '0000-01-01',
    '2025-13-01',
    '2025-01-01T24:00Z',
    '9999-12-31T23:59:59+14:00',
    '2025-1-1',
    'soon',
    20250101,
    true,
  ),
);
const value = fc.oneof(fc.constantFrom('gold', 'silver', 'x'), fc.integer({ min: -2, max: 5 }), fc.boolean());
const traitCond: fc.Arbitrary<Rule> = fc.record({
  trait: fc.constantFrom('plan', 'age', 'vip', 'missing'),
  op: fc.constantFrom('eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists', 'notExists'),
  value,
}) as fc.Arbitrary<Rule>;
const inCond: fc.Arbitrary<Rule> = fc.record({
  trait: fc.constantFrom('plan', 'age'),
  op: fc.constant('in'),
  value: fc.array(value, { minLength: 1, maxLength: 3 }),
}) as fc.Arbitrary<Rule>;
const dateCond: fc.Arbitrary<Rule> = fc.record({
  trait: fc.constantFrom('due', 'due', 'plan', 'missing'),
  op: fc.constantFrom(...DATE_OPS),
  days: fc.integer({ min: 0, max: 8 }),
}) as fc.Arbitrary<Rule>;
const tagCond: fc.Arbitrary<Rule> = fc.record({
  tag: fc.constantFrom('t0', 't1'),
  op: fc.constantFrom('has', 'notHas'),
}) as fc.Arbitrary<Rule>;
const eventCond: fc.Arbitrary<Rule> = fc
  .record({
    event: fc.constantFrom('View', 'Order'),
    where: fc.option(
      fc.array(
        fc.record({
          prop: fc.constantFrom('sku', 'price'),
          op: fc.constantFrom('eq', 'gte', 'ne'),
          value: fc.oneof(fc.constantFrom('P0', 'P1'), fc.integer({ min: 0, max: 30 })),
        }),
        { maxLength: 1 },
      ),
      { nil: undefined },
    ),
    withinDays: fc.integer({ min: 1, max: 12 }),
    agg: fc.constantFrom('count', 'sum'),
    property: fc.constant('price'),
    op: fc.constantFrom('gte', 'gt', 'lte', 'lt', 'eq'),
    value: fc.integer({ min: 0, max: 40 }),
  })
  .map((r) => {
    const out: Record<string, unknown> = { ...r };
    if (out.where === undefined) delete out.where;
    return out as unknown as Rule;
  });
const leaf = fc.oneof(traitCond, inCond, tagCond, eventCond, dateCond);
const ruleArb: fc.Arbitrary<Rule> = fc.letrec<{ rule: Rule }>((tie) => ({
  rule: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('rule'), { minLength: 1, maxLength: 3 }).map((and) => ({ and })),
    fc.array(tie('rule'), { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
    tie('rule').map((not) => ({ not })),
  ),
})).rule;

const profileArb = fc.record({
  traits: fc.record(
    {
      plan: fc.constantFrom('gold', 'silver', 'golden'),
      age: fc.integer({ min: -1, max: 6 }),
      vip: fc.boolean(),
      due: dateValue,
    },
    { requiredKeys: [] },
  ),
  tags: fc.subarray(['t0', 't1']),
  events: fc.array(
    fc.record({
      event: fc.constantFrom('View', 'Order'),
      daysAgo: fc.integer({ min: 0, max: 14 }),
      props: fc.record(
        {
          sku: fc.constantFrom('P0', 'P1', 'P2'),
          price: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant('n/a')),
        },
        { requiredKeys: [] },
      ),
    }),
    { maxLength: 6 },
  ),
});

async function world(
  rules: Rule[],
  profiles: (typeof profileArb extends fc.Arbitrary<infer T> ? T : never)[],
) {
  const tenantId = newId();
  const db = env.database.db;
  await sql`insert into tenants (id, slug, name) values (${tenantId}, ${`rules-${tenantId}`}, 'rules')`.execute(
    db,
  );
  const sourceId = newId();
  await inTenant(db, tenantId, async (tx) => {
    await sql`insert into cdp_sources (tenant_id, id, name, kind, key_prefix, key_hash) values (${tenantId}, ${sourceId}, 's', 'server', 'wk', ${newId()})`.execute(
      tx,
    );
    // Counters exist before the events: the in-memory side sees only what the processor counted.
    await ensureCounters(
      tx,
      tenantId,
      rules.flatMap((r) => collectEventRules(r).map(counterDef)),
    );
    const tagIds = { t0: newId(), t1: newId() };
    for (const [key, id] of Object.entries(tagIds))
      await sql`insert into cdp_tags (tenant_id, id, key, name, kind) values (${tenantId}, ${id}, ${key}, ${key}, 'manual')`.execute(
        tx,
      );
    let n = 0;
    for (const [i, p] of profiles.entries()) {
      const identify = { type: 'identify', userId: `u${i}`, traits: p.traits, messageId: `id-${i}` };
      const evs = [
        { ...identify, ts: new Date(+NOW - 15 * DAY), event: null, props: p.traits },
        ...p.events.map((e, j) => ({
          type: 'track',
          userId: `u${i}`,
          event: e.event,
          messageId: `e-${i}-${j}`,
          ts: new Date(+NOW - e.daysAgo * DAY - 1000),
          props: e.props,
        })),
      ];
      for (const e of evs) {
        const id = newId();
        await sql`insert into cdp_events (tenant_id, id, ts, source_id, message_id, type, event, user_id, ident_kind, ident, properties, raw)
          values (${tenantId}, ${id}, ${e.ts}, ${sourceId}, ${e.messageId}, ${e.type}, ${e.event}, ${`u${i}`}, 'user_id', ${`u${i}`},
            ${JSON.stringify(e.props)}::jsonb, ${JSON.stringify({ ...e, properties: e.props })}::jsonb)`.execute(
          tx,
        );
        await sql`insert into cdp_pending (tenant_id, event_id, ts) values (${tenantId}, ${id}, ${e.ts})`.execute(
          tx,
        );
        n++;
      }
    }
    return n;
  });
  while ((await processBatch(db, tenantId, NOW)) > 0);
  await inTenant(db, tenantId, async (tx) => {
    const ids = new Map(
      (
        await sql<{
          value: string;
          profile_id: string;
        }>`select value, profile_id from cdp_identities where tenant_id = ${tenantId} and kind = 'user_id'`.execute(
          tx,
        )
      ).rows.map((r) => [r.value, r.profile_id]),
    );
    for (const [i, p] of profiles.entries())
      for (const t of p.tags)
        await sql`insert into cdp_subject_tags (tenant_id, tag_id, subject_id, reason)
          select ${tenantId}, id, ${ids.get(`u${i}`)!}, 'manual' from cdp_tags where tenant_id = ${tenantId} and key = ${t}`.execute(
          tx,
        );
  });
  return tenantId;
}

describe('rule evaluators', () => {
  it('agree: the SQL evaluator over all profiles and the in-memory one over each profile select the same profiles', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(ruleArb, { minLength: 1, maxLength: 3 }),
        fc.array(profileArb, { minLength: 1, maxLength: 6 }),
        async (rules, profiles) => {
          const tenantId = await world(rules, profiles);
          await inTenant(env.database.db, tenantId, async (tx) => {
            const all = (
              await sql<{
                id: string;
              }>`select id from cdp_profiles where tenant_id = ${tenantId} and merged_into is null`.execute(
                tx,
              )
            ).rows.map((r) => r.id);
            const states = await loadStates(tx, tenantId, all);
            for (const rule of rules) {
              const bySql = new Set(
                (await ruleQuery(rule, tenantId, NOW).execute(tx)).rows.map((r) => r.id!),
              );
              const inMemory = new Set(
                [...states.values()].filter((s) => evaluate(rule, s, NOW)).map((s) => s.id),
              );
              assert.deepEqual([...inMemory].sort(), [...bySql].sort(), `rule ${JSON.stringify(rule)}`);
            }
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('agree on the calendar day of any text, and read timestamptz as PostgreSQL prints it', async () => {
    const text = fc.oneof(
      dateValue.filter((v): v is string => typeof v === 'string'),
      fc
        .record({
          y: fc.integer({ min: 0, max: 9999 }),
          m: fc.integer({ min: 0, max: 13 }),
          d: fc.integer({ min: 0, max: 32 }),
          h: fc.integer({ min: 0, max: 25 }),
          offset: fc.integer({ min: -900, max: 900 }),
        })
        .map(
          ({ y, m, d, h, offset }) =>
            `${pad(y, 4)}-${pad(m)}-${pad(d)}T${pad(h)}:30:00${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`,
        ),
      fc.string({ maxLength: 12 }),
    );
    const db = env.database.db;
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 20 }), async (list) => {
        const r = await sql<{ day: number | null }>`select ${valueDaySql(sql`x.v`)} as day
          from jsonb_array_elements(${JSON.stringify(list)}::jsonb) with ordinality as x(v, i) order by x.i`.execute(
          db,
        );
        assert.deepEqual(
          r.rows.map((x) => x.day),
          list.map(valueDay),
          JSON.stringify(list),
        );
      }),
      { numRuns: 60 },
    );
    // Whatever the session's zone, a stored instant lands on its day in the rule zone.
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -3 * 365 * 1440, max: 3 * 365 * 1440 }),
        fc.constantFrom('UTC', 'Asia/Shanghai', 'America/New_York', 'Asia/Kolkata'),
        async (minutes, zone) => {
          const t = new Date(+NOW + minutes * 60_000);
          const printed = await db.transaction().execute(async (tx) => {
            await sql`select set_config('TimeZone', ${zone}, true)`.execute(tx);
            return (
              await sql<{
                v: string;
              }>`select to_jsonb(${t.toISOString()}::timestamptz) #>> '{}' as v`.execute(tx)
            ).rows[0]!.v;
          });
          assert.equal(valueDay(printed), zoneDay(t), `${printed} (${zone})`);
        },
      ),
      { numRuns: 40 },
    );
  });
});
