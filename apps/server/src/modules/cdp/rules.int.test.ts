import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { inTenant } from '../../platform/db/tenant-scope.ts';
import { newId } from '../../platform/ids.ts';
import { getTestEnv, type TestEnv } from '../../testing/harness.ts';
import { ensureCounters } from './counters.ts';
import { loadStates } from './evaluation.service.ts';
import { processBatch } from './process.job.ts';
import { collectEventRules, counterDef, evaluate, type Rule, ruleQuery } from './rules.ts';

let env: TestEnv;
before(async () => {
  env = await getTestEnv();
});
after(async () => {
  await env?.close();
});

const NOW = new Date();
const DAY = 86_400_000;

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
const leaf = fc.oneof(traitCond, inCond, tagCond, eventCond);
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
});
