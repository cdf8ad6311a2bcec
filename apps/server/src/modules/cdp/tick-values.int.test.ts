import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';
import { drainBackground, useTestEnv } from '../../testing/harness.ts';
import { ensureCounters } from './counters.ts';
import {
  computeProfileTagValue,
  computeTag,
  evaluateProfiles,
  loadStates,
  type TagDef,
  tagValueSql,
  valueTagRules,
} from './evaluation.service.ts';
import { processBatch } from './process.job.ts';
import { collectEventRules, counterDef, DATE_OPS, type EventRule, type Rule, zoneDay } from './rules.ts';
import { sendBatch, tenantWithSource } from './test-kit.ts';
import { tenantTick } from './tick.job.ts';

/**
 * Metric and score tag values recomputed by the tick in SQL equal what the per-event evaluator
 * computes for the same profile at the same `now`, and follow the days passing: values shrink
 * as orders leave the window, segments on them lose people, tags built on them follow.
 */
const env = useTestEnv();

const NOW = new Date();
const DAY = 86_400_000;
const isoDay = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

// ---------------------------------------------------------------- random tags and profiles

const eventCond = fc
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
    value: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(0.3)),
  })
  .map((r) => {
    const out: Record<string, unknown> = { ...r };
    if (out.where === undefined) delete out.where;
    return out as unknown as EventRule;
  });
const leaf: fc.Arbitrary<Rule> = fc.oneof(
  eventCond,
  eventCond,
  fc.record({
    trait: fc.constantFrom('plan', 'age'),
    op: fc.constantFrom('eq', 'gte', 'exists'),
    value: fc.oneof(fc.constantFrom('gold', 'silver'), fc.integer({ min: 0, max: 5 })),
  }) as fc.Arbitrary<Rule>,
  fc.record({ tag: fc.constantFrom('t0', 't1'), op: fc.constantFrom('has', 'notHas') }) as fc.Arbitrary<Rule>,
  fc.record({
    trait: fc.constant('due'),
    op: fc.constantFrom(...DATE_OPS),
    days: fc.integer({ min: 0, max: 8 }),
  }) as fc.Arbitrary<Rule>,
);
const ruleArb: fc.Arbitrary<Rule> = fc.oneof(
  leaf,
  fc.array(leaf, { minLength: 1, maxLength: 3 }).map((and) => ({ and })),
  fc.array(leaf, { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
  leaf.map((not) => ({ not })),
);
const metricTag = fc
  .record({
    metric: fc.record({
      event: fc.constantFrom('View', 'Order'),
      where: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 3 },
        {
          arbitrary: fc.tuple(
            fc.record({
              prop: fc.constant('sku'),
              op: fc.constantFrom('eq', 'ne'),
              value: fc.constantFrom('P0', 'P1'),
            }),
          ),
          weight: 1,
        },
      ),
      withinDays: fc.integer({ min: 1, max: 12 }),
      agg: fc.constantFrom('count', 'sum'),
      property: fc.constant('price'),
    }),
    rule: fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: ruleArb, weight: 1 }),
  })
  .map(({ metric, rule }) => {
    const m: Record<string, unknown> = { ...metric };
    if (m.where === undefined) delete m.where;
    return { kind: 'metric', rule, config: { metric: m as TagDef['config']['metric'] } };
  });
const scoreTag = fc
  .array(
    fc.record({
      rule: ruleArb,
      points: fc.oneof(fc.integer({ min: -5, max: 20 }), fc.constantFrom(0.1, 0.2, 2.5)),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((scores) => ({ kind: 'score', rule: null, config: { scores } }));

/** Prices include fractions (totals that depend on the order of addition), refunds and junk. */
const profileArb = fc.record({
  traits: fc.record(
    {
      plan: fc.constantFrom('gold', 'silver'),
      age: fc.integer({ min: 0, max: 6 }),
      due: fc.integer({ min: -12, max: 12 }).map((k) => isoDay(zoneDay(NOW) + k)),
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
          price: fc.oneof(
            fc.integer({ min: 0, max: 20 }),
            fc.constantFrom(0.1, 0.2, 0.7, 19.9, 1e-9, -5, 'n/a'),
          ),
        },
        { requiredKeys: [] },
      ),
    }),
    { maxLength: 8 },
  ),
});
type Profile = typeof profileArb extends fc.Arbitrary<infer T> ? T : never;

/** A tenant whose events went through the event processor, with the value tags defined. */
async function world(specs: Pick<TagDef, 'kind' | 'rule' | 'config'>[], profiles: Profile[]) {
  const tenantId = newId();
  const db = env.database.db;
  await sql`insert into tenants (id, slug, name) values (${tenantId}, ${`tv-${tenantId}`}, 'tick values')`.execute(
    db,
  );
  const sourceId = newId();
  const defs: TagDef[] = specs.map((s, i) => ({ ...s, id: newId(), key: `v${i}`, object: 'profile' }));
  await inTenant(db, tenantId, async (tx) => {
    await sql`insert into cdp_sources (tenant_id, id, name, kind, key_prefix, key_hash) values (${tenantId}, ${sourceId}, 's', 'server', 'wk', ${newId()})`.execute(
      tx,
    );
    // Counters exist before the events, as when a tag is created: the processor keeps them.
    await ensureCounters(
      tx,
      tenantId,
      defs.flatMap((d) => valueTagRules(d).flatMap((r) => collectEventRules(r).map(counterDef))),
    );
    for (const key of ['t0', 't1'])
      await sql`insert into cdp_tags (tenant_id, id, key, name, kind) values (${tenantId}, ${newId()}, ${key}, ${key}, 'manual')`.execute(
        tx,
      );
    for (const d of defs)
      await sql`insert into cdp_tags (tenant_id, id, key, name, kind, rule, config)
        values (${tenantId}, ${d.id}, ${d.key}, ${d.key}, ${d.kind}, ${d.rule ? JSON.stringify(d.rule) : null}::jsonb,
          ${JSON.stringify(d.config)}::jsonb)`.execute(tx);
    for (const [i, p] of profiles.entries()) {
      const evs = [
        { type: 'identify', event: null, ts: new Date(+NOW - 15 * DAY), props: p.traits, mid: `id-${i}` },
        ...p.events.map((e, j) => ({
          type: 'track',
          event: e.event,
          ts: new Date(+NOW - e.daysAgo * DAY - 1000),
          props: e.props,
          mid: `e-${i}-${j}`,
        })),
      ];
      for (const e of evs) {
        const id = newId();
        await sql`insert into cdp_events (tenant_id, id, ts, source_id, message_id, type, event, user_id, ident_kind, ident, properties, raw)
          values (${tenantId}, ${id}, ${e.ts}, ${sourceId}, ${e.mid}, ${e.type}, ${e.event}, ${`u${i}`}, 'user_id', ${`u${i}`},
            ${JSON.stringify(e.props)}::jsonb, ${JSON.stringify({ type: e.type, event: e.event, userId: `u${i}`, messageId: e.mid, ...(e.type === 'identify' ? { traits: e.props } : { properties: e.props }) })}::jsonb)`.execute(
          tx,
        );
        await sql`insert into cdp_pending (tenant_id, event_id, ts) values (${tenantId}, ${id}, ${e.ts})`.execute(
          tx,
        );
      }
    }
  });
  while ((await processBatch(db, tenantId, NOW)) > 0);
  await inTenant(db, tenantId, async (tx) => {
    for (const [i, p] of profiles.entries())
      for (const t of p.tags)
        await sql`insert into cdp_subject_tags (tenant_id, tag_id, subject_id, reason)
          select ${tenantId}, t.id, i.profile_id, 'manual' from cdp_tags t
          join cdp_identities i on i.tenant_id = t.tenant_id and i.kind = 'user_id' and i.value = ${`u${i}`}
          where t.tenant_id = ${tenantId} and t.key = ${t}`.execute(tx);
  });
  return { tenantId, defs };
}

const storedValues = async (tx: any, tenantId: string, tagId: string) =>
  (
    await sql<{
      subject_id: string;
      value: unknown;
      set_at: Date;
      reason: string;
    }>`select subject_id, value, set_at, reason from cdp_subject_tags where tenant_id = ${tenantId} and tag_id = ${tagId}
      order by subject_id`.execute(tx)
  ).rows;

describe('metric and score values on schedule', () => {
  it('agree: the SQL recompute and the per-event evaluator give every profile the same value at the same now', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(metricTag, scoreTag), { minLength: 1, maxLength: 3 }),
        fc.array(profileArb, { minLength: 1, maxLength: 6 }),
        fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 16 })),
        async (specs, profiles, daysLater) => {
          const { tenantId, defs } = await world(specs, profiles);
          const now = new Date(+NOW + daysLater * DAY);
          await inTenant(env.database.db, tenantId, async (tx) => {
            const ids = (
              await sql<{
                id: string;
              }>`select id from cdp_profiles where tenant_id = ${tenantId} and merged_into is null`.execute(
                tx,
              )
            ).rows.map((r) => r.id);
            const states = await loadStates(tx, tenantId, ids);
            for (const def of defs) {
              const bySql = new Map(
                (await tagValueSql(def, tenantId, now).execute(tx)).rows.map((r) => [r.id, r.value]),
              );
              const inMemory = new Map<string, unknown>();
              for (const s of states.values()) {
                const v = computeTag(def, s, now);
                if (v !== undefined) inMemory.set(s.id, v);
              }
              const sorted = (m: Map<string, unknown>) => [...m].sort(([a], [b]) => a.localeCompare(b));
              assert.deepEqual(
                sorted(bySql),
                sorted(inMemory),
                `tag ${JSON.stringify(def)} at +${daysLater} d`,
              );
              // Written by the tick, the event path at the same now finds nothing to change.
              await computeProfileTagValue(tx, tenantId, def, now);
              const written = await storedValues(tx, tenantId, def.id);
              assert.deepEqual(
                written.map((r) => [r.subject_id, r.value]),
                sorted(inMemory),
              );
              await evaluateProfiles(tx, tenantId, ids, now, { tags: [def], segments: false });
              assert.deepEqual(await storedValues(tx, tenantId, def.id), written);
              assert.equal(
                await computeProfileTagValue(tx, tenantId, def, now),
                0,
                'a second run changes nothing',
              );
            }
          });
        },
      ),
      {
        numRuns: 30,
        // Adding 0.1, 0.2, 0.7 oldest day first makes 1, newest first 0.9999999999999999.
        examples: [
          [
            [
              {
                kind: 'metric',
                rule: null,
                config: { metric: { event: 'Order', withinDays: 12, agg: 'sum', property: 'price' } },
              },
            ],
            [
              {
                traits: {},
                tags: [],
                events: [
                  { event: 'Order', daysAgo: 1, props: { price: 0.7 } },
                  { event: 'Order', daysAgo: 3, props: { price: 0.1 } },
                  { event: 'Order', daysAgo: 2, props: { price: 0.2 } },
                ],
              },
            ],
            0,
          ],
        ],
      },
    );
  });

  it('lowers “order total last 90 days” as orders leave the window; segments and tags on it follow, with exit events', async () => {
    const { admin, tenantId, key } = await tenantWithSource(env, 1, { name: 'Shop', kind: 'server' });
    const tag = async (body: Record<string, unknown>) => {
      const r = await admin.post('/cdp/tags', body);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body;
    };
    await tag({
      key: 'order_total_90d',
      name: '近 90 天订单金额',
      kind: 'metric',
      config: { metric: { event: 'Order Completed', withinDays: 90, agg: 'sum', property: 'total' } },
    });
    await tag({
      key: 'engagement',
      name: '活跃度',
      kind: 'score',
      config: {
        scores: [
          { rule: { event: 'Order Completed', withinDays: 30, op: 'gte', value: 1 }, points: 10 },
          { rule: { trait: 'plan', op: 'eq', value: 'gold' }, points: 5 },
        ],
      },
    });
    await tag({
      key: 'big_recent_buyer',
      name: '近期大客户',
      kind: 'combined',
      rule: {
        and: [
          { tag: 'order_total_90d', op: 'gte', value: 1000 },
          { trait: 'plan', op: 'eq', value: 'gold' },
        ],
      },
    });
    const seg = (
      await admin.post('/cdp/segments', {
        name: '高价值（近 90 天 ≥ 3000）',
        rule: { tag: 'order_total_90d', op: 'gte', value: 3000 },
      })
    ).body;
    const ago = (days: number) => new Date(+NOW - days * DAY).toISOString();
    await sendBatch(env, key, [
      { type: 'identify', userId: 'buyer', traits: { plan: 'gold' } },
      {
        type: 'track',
        userId: 'buyer',
        event: 'Order Completed',
        properties: { total: 3000 },
        timestamp: ago(60),
      },
      {
        type: 'track',
        userId: 'buyer',
        event: 'Order Completed',
        properties: { total: 680 },
        timestamp: ago(10),
      },
      { type: 'identify', userId: 'steady', traits: { plan: 'silver' } },
      {
        type: 'track',
        userId: 'steady',
        event: 'Order Completed',
        properties: { total: 19.9 },
        timestamp: ago(1),
      },
    ]);
    await drainBackground(env, tenantId);

    const tagsOf = (user: string) =>
      inTenant(env.database.db, tenantId, async (tx) => {
        const rows = (
          await sql<{
            key: string;
            value: unknown;
            set_at: Date;
            reason: string;
          }>`select t.key, st.value, st.set_at, st.reason from cdp_subject_tags st
            join cdp_tags t on t.tenant_id = st.tenant_id and t.id = st.tag_id
            join cdp_identities i on i.tenant_id = st.tenant_id and i.profile_id = st.subject_id and i.kind = 'user_id'
            where st.tenant_id = ${tenantId} and i.value = ${user}`.execute(tx)
        ).rows;
        return Object.fromEntries(rows.map((r) => [r.key, r]));
      });
    const values = async (user: string) =>
      Object.fromEntries(Object.entries(await tagsOf(user)).map(([k, r]) => [k, r.value]));
    const members = async () => (await admin.get(`/cdp/segments/${seg.id}`)).body.memberCount;
    const exits = async () =>
      (
        await sql<{
          cause: string;
        }>`select payload->>'cause' as cause from outbox where tenant_id = ${tenantId} and type = 'segment.exited'`.execute(
          env.database.db,
        )
      ).rows.map((r) => r.cause);

    assert.deepEqual(await values('buyer'), {
      order_total_90d: 3680,
      engagement: 15,
      big_recent_buyer: true,
    });
    assert.deepEqual(await values('steady'), { order_total_90d: 19.9, engagement: 10 });
    assert.equal(await members(), 1);
    const before = await tagsOf('buyer');

    // Same day: nothing to change, nothing rewritten.
    await tenantTick(env.database.db, tenantId, NOW);
    assert.deepEqual(await tagsOf('buyer'), before);

    // 31 days on, the 3,000 order is 91 days old and the 680 one 41: out of the score's 30 days.
    await tenantTick(env.database.db, tenantId, new Date(+NOW + 31 * DAY));
    const later = await tagsOf('buyer');
    assert.deepEqual(
      await values('buyer'),
      { order_total_90d: 680, engagement: 5 },
      '680 < 1000: not a big buyer',
    );
    assert.equal(later.order_total_90d!.reason, 'rule:metric');
    assert.ok(
      +later.order_total_90d!.set_at > +before.order_total_90d!.set_at,
      'set_at moves with the value',
    );
    assert.equal(await members(), 0, '680 < 3000: the buyer left the segment');
    assert.deepEqual(await exits(), ['schedule']);
    assert.deepEqual(await values('steady'), { order_total_90d: 19.9 });

    // 81 days on, the 680 order has left too: no order total, and the tag built on it goes.
    await tenantTick(env.database.db, tenantId, new Date(+NOW + 81 * DAY));
    assert.deepEqual(await values('buyer'), { engagement: 5 });
    assert.equal(
      +(await tagsOf('buyer')).engagement!.set_at,
      +later.engagement!.set_at,
      'an unchanged score is not rewritten',
    );
    assert.deepEqual(await values('steady'), { order_total_90d: 19.9 }, 'not yet 90 days');
    await tenantTick(env.database.db, tenantId, new Date(+NOW + 95 * DAY));
    assert.deepEqual(await values('steady'), {});
  });

  it('recomputes values once per day, not at every 5-minute tick', async () => {
    const { admin, tenantId, key } = await tenantWithSource(env, 1, { name: 'Shop', kind: 'server' });
    const r = await admin.post('/cdp/tags', {
      key: 'orders_7d',
      name: '近 7 天订单数',
      kind: 'metric',
      config: { metric: { event: 'Order Completed', withinDays: 7, agg: 'count' } },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    await sendBatch(env, key, [
      {
        type: 'track',
        userId: 'b',
        event: 'Order Completed',
        timestamp: new Date(+NOW - 2 * DAY).toISOString(),
      },
      { type: 'track', userId: 'b', event: 'Order Completed' },
    ]);
    await drainBackground(env, tenantId);
    const value = async () =>
      (
        await sql<{
          value: unknown;
        }>`select st.value from cdp_subject_tags st where st.tenant_id = ${tenantId} and st.tag_id = ${r.body.id}`.execute(
          env.database.db,
        )
      ).rows[0]?.value;
    assert.equal(await value(), 2);
    // A day later the value is recomputed; a second tick that same day reads nothing again.
    const day = Math.floor(+NOW / DAY) * DAY;
    await tenantTick(env.database.db, tenantId, new Date(day + DAY + 60_000));
    assert.equal(await value(), 2);
    await sql`update cdp_subject_tags set value = '99' where tenant_id = ${tenantId} and tag_id = ${r.body.id}`.execute(
      env.database.db,
    );
    await tenantTick(env.database.db, tenantId, new Date(day + DAY + 360_000));
    assert.equal(await value(), 99, 'same day: not recomputed');
    // Six days after the older order it has left the window.
    await tenantTick(env.database.db, tenantId, new Date(day + 5 * DAY + 60_000));
    assert.equal(await value(), 1);
  });
});
