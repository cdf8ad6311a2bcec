import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { drainBackground, login, loginAsRole, newTenant, useTestEnv } from '../../testing/harness.ts';
import { predictTag, schedulePredictions } from './prediction.service.ts';
import { FEATURE_KEYS, featureSql, REASON_PREFIX, type StoredReason, toRow } from './prediction-features.ts';

const env = useTestEnv();

const DAY = 86_400_000;
const HORIZON = 90;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Person {
  user: string;
  /** engagement before the cut-off (drives churn) and now (drives today's risk) */
  before: number;
  now: number;
  churned: boolean;
}

/**
 * A synthetic tenant history with a known pattern: a person's engagement sets how many events
 * they had in the 30 days before the cut-off T0 = now − 90 days, and low engagement makes
 * churn (no event at all in [T0, now)) likely. Retained people carry on with a new engagement
 * level, which should set today's churn risk.
 */
async function seedHistory(tenantId: string, n: number, seed: number, now: number): Promise<Person[]> {
  const r = rng(seed);
  const t0 = now - HORIZON * DAY;
  const source = randomUUID();
  const people: Person[] = [];
  const ev: { user: string; ts: number; event: string; total?: number }[] = [];
  const at = (from: number, to: number) => from + r() * (to - from);
  for (let i = 0; i < n; i++) {
    const user = `s${seed}-u${i}`;
    const u = r();
    const churned = r() < 1 / (1 + Math.exp(-(2 - 7 * u)));
    const u2 = Math.min(1, Math.max(0, u + (r() - 0.5) * 0.6));
    people.push({ user, before: u, now: u2, churned });
    for (let k = 0, m = 3 + Math.floor(r() * 3); k < m; k++)
      ev.push({ user, ts: at(t0 - 180 * DAY, t0 - 90 * DAY), event: 'Page Viewed' });
    for (let k = 0, m = 1 + Math.floor(r() * 3); k < m; k++)
      ev.push({ user, ts: at(t0 - 90 * DAY, t0 - 30 * DAY), event: 'Page Viewed' });
    for (let k = 0, m = Math.floor(u * 9 * (0.5 + r())); k < m; k++)
      ev.push({ user, ts: at(t0 - 30 * DAY, t0 - 1000), event: k % 3 ? 'Page Viewed' : 'Product Viewed' });
    if (r() < 0.6)
      ev.push({
        user,
        ts: at(t0 - 180 * DAY, t0 - 1000),
        event: 'Order Completed',
        total: 100 + Math.round(r() * 500),
      });
    if (!churned) {
      for (let k = 0, m = 1 + Math.floor(r() * 3); k < m; k++)
        ev.push({ user, ts: at(t0, now - 30 * DAY), event: 'Page Viewed' });
      for (let k = 0, m = Math.floor(u2 * 9 * (0.5 + r())); k < m; k++)
        ev.push({
          user,
          ts: at(now - 30 * DAY, now - 60_000),
          event: k % 3 ? 'Page Viewed' : 'Product Viewed',
        });
      if (r() < 0.3 + 0.5 * u2)
        ev.push({
          user,
          ts: at(t0, now - 60_000),
          event: 'Order Completed',
          total: 100 + Math.round(r() * 500),
        });
    }
  }
  await inTenant(env.database.db, tenantId, async (tx) => {
    const ids = people.map(() => randomUUID());
    const firstSeen = people.map(() => new Date(t0 - 200 * DAY).toISOString());
    await sql`insert into cdp_profiles (tenant_id, id, canonical_id, first_seen_at)
      select ${tenantId}, id, id, f from unnest(${ids}::uuid[], ${firstSeen}::timestamptz[]) as x(id, f)`.execute(
      tx,
    );
    await sql`insert into cdp_identities (tenant_id, id, kind, value, profile_id, origin_profile_id)
      select ${tenantId}, gen_random_uuid(), 'user_id', v, p, p from unnest(${people.map((p) => p.user)}::text[], ${ids}::uuid[]) as x(v, p)`.execute(
      tx,
    );
    for (let i = 0; i < ev.length; i += 5000) {
      const c = ev.slice(i, i + 5000);
      await sql`insert into cdp_events (tenant_id, id, ts, source_id, message_id, type, event, user_id, ident_kind, ident, properties, raw)
        select ${tenantId}, gen_random_uuid(), ts, ${source}, gen_random_uuid()::text, 'track', e, u, 'user_id', u,
          case when t is null then '{}'::jsonb else jsonb_build_object('total', t) end, '{}'::jsonb
        from unnest(${c.map((e) => new Date(e.ts).toISOString())}::timestamptz[], ${c.map((e) => e.event)}::text[],
          ${c.map((e) => e.user)}::text[], ${c.map((e) => e.total ?? null)}::float8[]) as x(ts, e, u, t)`.execute(
        tx,
      );
    }
  });
  return people;
}

async function tagsOf(tenantId: string, tagId: string) {
  return inTenant(
    env.database.db,
    tenantId,
    async (tx) =>
      (
        await sql<{
          user: string;
          value: string;
          reason: string;
          pid: string;
        }>`select i.value as user, st.value #>> '{}' as value, st.reason, st.subject_id as pid
        from cdp_subject_tags st join cdp_identities i on i.tenant_id = st.tenant_id and i.profile_id = st.subject_id
        where st.tenant_id = ${tenantId} and st.tag_id = ${tagId}`.execute(tx)
      ).rows,
  );
}

describe('predicted tags (churn, repurchase)', () => {
  let tenantId: string;
  let admin: Awaited<ReturnType<typeof login>>;
  let seed: Awaited<ReturnType<typeof newTenant>>;
  let people: Person[];
  let churnTag: string;
  const now = Date.now();

  before(async () => {
    seed = await newTenant(env, 1);
    tenantId = seed.tenantId;
    admin = await login(env, seed.slug, 'admin');
    people = await seedHistory(tenantId, 1000, 11, now);
  });

  it('trains on history, ranks held-out churners higher and tags today’s population with bands', async () => {
    const created = await admin.post('/cdp/tags', {
      key: 'churn_risk',
      name: '流失风险',
      kind: 'predicted',
      config: { target: 'churn', horizonDays: HORIZON, bands: { high: 0.5, mid: 0.25 } },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    churnTag = created.body.id;
    assert.equal(created.body.backfill.status, 'pending');
    const seg = await admin.post('/cdp/segments', {
      name: 'High churn risk',
      rule: { tag: 'churn_risk', op: 'eq', value: 'high' },
    });
    assert.equal(seg.status, 201, JSON.stringify(seg.body));
    await drainBackground(env, tenantId);

    const tag = (await admin.get(`/cdp/tags/${churnTag}`)).body;
    assert.equal(tag.backfill.status, 'done');
    const card = (await admin.get(`/cdp/tags/${churnTag}/model`)).body;
    assert.equal(card.method, 'model', JSON.stringify(card));
    assert.equal(card.metrics.labelled, 1000, 'everyone was active in the 90 days before the cut-off');
    assert.equal(card.metrics.trainSize + card.metrics.holdoutSize, 1000);
    assert.ok(card.metrics.auc > 0.7, `holdout AUC ${card.metrics.auc}`);
    const churners = people.filter((p) => p.churned).length;
    assert.equal(card.metrics.baseRate, churners / 1000);
    assert.equal(card.features.length, FEATURE_KEYS.length);
    assert.ok(
      card.features.every((f: { label: string }) => /[\u4e00-\u9fa5]/.test(f.label)),
      'zh-CN labels',
    );
    console.log(
      `# churn holdout AUC ${card.metrics.auc.toFixed(3)}, accuracy ${card.metrics.accuracy.toFixed(3)}, base rate ${card.metrics.baseRate}`,
    );

    // Today's population: the people still active (the retained ones).
    const rows = await tagsOf(tenantId, churnTag);
    const retained = people.filter((p) => !p.churned);
    assert.equal(rows.length, retained.length);
    assert.equal(tag.coverage, retained.length);
    const sum = card.distribution.high + card.distribution.mid + card.distribution.low;
    assert.equal(sum, retained.length);
    // Today's risk follows today's engagement.
    const pOf = new Map(
      rows.map((r) => [r.user, (JSON.parse(r.reason.slice(REASON_PREFIX.length)) as StoredReason).p]),
    );
    const mean = (xs: Person[]) => xs.reduce((s, p) => s + pOf.get(p.user)!, 0) / xs.length;
    const fading = retained.filter((p) => p.now < 0.25);
    const busy = retained.filter((p) => p.now > 0.75);
    assert.ok(mean(fading) > mean(busy) + 0.1, `fading ${mean(fading)} vs busy ${mean(busy)}`);
    for (const r of rows) {
      const why = JSON.parse(r.reason.slice(REASON_PREFIX.length)) as StoredReason;
      assert.equal(why.c.length, 3);
      assert.equal(why.b, r.value);
    }

    // Segments over the band follow the scoring.
    const s = (await admin.get(`/cdp/segments/${seg.body.id}`)).body;
    assert.equal(s.memberCount, card.distribution.high);
    assert.ok(card.distribution.high > 0);
  });

  it('explains a profile’s band in the reader’s language on the 360 profile', async () => {
    const rows = await tagsOf(tenantId, churnTag);
    const high = rows.find((r) => r.value === 'high')!;
    admin.locale = 'zh-CN';
    const zh = (await admin.get(`/cdp/profiles/${high.pid}`)).body;
    const tzh = zh.tags.find((t: { key: string }) => t.key === 'churn_risk');
    assert.equal(tzh.value, 'high');
    assert.match(tzh.reason, /^流失风险高（概率 \d+%）：.+ \([+−]\d\.\d\d\)；.+；.+$/);
    admin.locale = 'en-US';
    const en = (await admin.get(`/cdp/profiles/${high.pid}`)).body;
    const ten = en.tags.find((t: { key: string }) => t.key === 'churn_risk');
    assert.match(ten.reason, /^High churn risk \(\d+%\): .+ \([+−]\d\.\d\d\); .+; .+$/);
    const card = (await admin.get(`/cdp/tags/${churnTag}/model`)).body;
    assert.ok(
      card.features.every((f: { label: string }) => /^[A-Z]/.test(f.label)),
      'en-US labels',
    );
    admin.locale = 'zh-CN';
  });

  it('never leaks: features read only before the cut-off, labels only after it', async () => {
    const t0 = new Date(now - HORIZON * DAY);
    const cfg = { target: 'churn' as const, horizonDays: HORIZON, bands: { high: 0.5, mid: 0.25 } };
    const load = () =>
      inTenant(
        env.database.db,
        tenantId,
        async (tx) =>
          new Map(
            (await featureSql(tenantId, cfg, t0, { labelUntil: new Date(now) }).execute(tx)).rows
              .map(toRow)
              .map((r) => [r.pid, r]),
          ),
      );
    const beforeRows = await load();
    const rows = await tagsOf(tenantId, churnTag);
    const pidOf = new Map(rows.map((r) => [r.user, r.pid]));
    const all = await inTenant(
      env.database.db,
      tenantId,
      async (tx) =>
        (
          await sql<{
            value: string;
            pid: string;
          }>`select value, profile_id as pid from cdp_identities where tenant_id = ${tenantId}`.execute(tx)
        ).rows,
    );
    const pid = new Map(all.map((r) => [r.value, r.pid]));
    const churner = people.find((p) => p.churned)!;
    const stayer = people.find((p) => !p.churned && pidOf.has(p.user))!;
    const add = (user: string, ts: number) =>
      inTenant(env.database.db, tenantId, (tx) =>
        sql`insert into cdp_events (tenant_id, id, ts, source_id, message_id, type, event, user_id, ident_kind, ident, raw)
          values (${tenantId}, gen_random_uuid(), ${new Date(ts)}, gen_random_uuid(), gen_random_uuid()::text, 'track', 'Page Viewed', ${user}, 'user_id', ${user}, '{}')`.execute(
          tx,
        ),
      );
    // An event after the cut-off changes the churner's label, never its features …
    await add(churner.user, +t0 + DAY);
    // … and one just before it changes the stayer's features, never its label.
    await add(stayer.user, +t0 - 3_600_000);
    const afterRows = await load();
    const c0 = beforeRows.get(pid.get(churner.user)!)!;
    const c1 = afterRows.get(pid.get(churner.user)!)!;
    assert.deepEqual(c1.raw, c0.raw);
    assert.equal(c0.label, 1);
    assert.equal(c1.label, 0);
    const s0 = beforeRows.get(pid.get(stayer.user)!)!;
    const s1 = afterRows.get(pid.get(stayer.user)!)!;
    assert.equal(s1.label, s0.label);
    const e30 = FEATURE_KEYS.indexOf('events_30d');
    assert.equal(s1.raw[e30], s0.raw[e30]! + 1);
    assert.ok(s1.raw[FEATURE_KEYS.indexOf('days_since_event')]! < 0.05);
  });

  it('scores repurchase propensity for past buyers, retrains on demand and daily', async () => {
    const created = await admin.post('/cdp/tags', {
      key: 'repurchase',
      name: '复购倾向',
      kind: 'predicted',
      config: { target: 'repurchase', horizonDays: HORIZON, bands: { high: 0.6, mid: 0.3 } },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await drainBackground(env, tenantId);
    const card = (await admin.get(`/cdp/tags/${created.body.id}/model`)).body;
    assert.ok(card.metrics.labelled > 200 && card.metrics.labelled < 1000, JSON.stringify(card.metrics));
    assert.equal(card.method, 'model');
    console.log(
      `# repurchase holdout AUC ${card.metrics.auc?.toFixed(3)}, base rate ${card.metrics.baseRate?.toFixed(3)}`,
    );
    assert.ok(card.scored > 0);

    const analyst = await loginAsRole(env, seed, '数据分析师');
    assert.equal((await analyst.get(`/cdp/tags/${created.body.id}/model`)).status, 200);
    assert.equal((await analyst.post(`/cdp/tags/${created.body.id}/retrain`)).status, 403);
    const again = await admin.post(`/cdp/tags/${created.body.id}/retrain`);
    assert.equal(again.status, 202, JSON.stringify(again.body));
    assert.equal((await admin.get(`/cdp/tags/${created.body.id}`)).body.backfill.status, 'pending');
    await drainBackground(env, tenantId);
    const card2 = (await admin.get(`/cdp/tags/${created.body.id}/model`)).body;
    assert.ok(new Date(card2.trainedAt) > new Date(card.trainedAt));

    // A manual tag's retrain is refused; a non-predicted tag has no model card.
    const manual = await admin.post('/cdp/tags', { key: 'vip_manual', name: 'VIP', kind: 'manual' });
    assert.equal((await admin.get(`/cdp/tags/${manual.body.id}/model`)).status, 409);
    // Bad configs are refused.
    const bad = await admin.post('/cdp/tags', {
      key: 'bad_pred',
      name: 'x',
      kind: 'predicted',
      config: { target: 'churn', bands: { high: 0.2, mid: 0.5 } },
    });
    assert.equal(bad.status, 422);
    assert.equal((await admin.post('/cdp/tags', { key: 'bad2', name: 'x', kind: 'predicted' })).status, 422);

    // The tick enqueues a retrain once the last attempt is a day old.
    await schedulePredictions(env.database.db, tenantId, new Date(now + 2 * DAY));
    const jobs = await inTenant(
      env.database.db,
      tenantId,
      async (tx) =>
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from jobs where tenant_id = ${tenantId} and queue = 'cdp:backfill'
          and status = 'pending' and dedupe_key like 'predict:%'`.execute(tx)
        ).rows[0]!.n,
    );
    assert.equal(jobs, 2, 'both predicted tags');
    await drainBackground(env, tenantId);
  });

  it('falls back to the heuristic on a tiny tenant and keeps tenants apart', async () => {
    const bigBefore = (await tagsOf(tenantId, churnTag)).length;
    const small = await newTenant(env, 1);
    const other = await login(env, small.slug, 'admin');
    const few = await seedHistory(small.tenantId, 40, 23, now);
    const t = await other.post('/cdp/tags', {
      key: 'churn_risk',
      name: '流失风险',
      kind: 'predicted',
      config: { target: 'churn' },
    });
    assert.equal(t.status, 201, JSON.stringify(t.body));
    await drainBackground(env, small.tenantId);
    const card = (await other.get(`/cdp/tags/${t.body.id}/model`)).body;
    assert.equal(card.method, 'heuristic');
    assert.equal(card.fallbackReason, 'too_few');
    assert.equal(card.metrics.labelled, 40, 'only this tenant’s profiles');
    assert.equal(card.metrics.auc, null);
    const rows = await tagsOf(small.tenantId, t.body.id);
    assert.equal(rows.length, few.filter((p) => !p.churned).length);
    other.locale = 'en-US';
    const p = (await other.get(`/cdp/profiles/${rows[0]!.pid}`)).body;
    assert.match(
      p.tags.find((x: { key: string }) => x.key === 'churn_risk').reason,
      /churn risk \(\d+%\) \(heuristic\): /,
    );
    // The big tenant's tag and model are untouched and invisible from here.
    assert.equal((await other.get(`/cdp/tags/${churnTag}/model`)).status, 404);
    assert.equal((await admin.get(`/cdp/tags/${t.body.id}/model`)).status, 404);
    assert.equal((await tagsOf(tenantId, churnTag)).length, bigBefore);
  });

  it('scores 1,000 profiles in one pass (timing printed, not asserted)', async () => {
    const started = performance.now();
    const r = await predictTag(env.database.db, tenantId, churnTag);
    console.log(
      `# retrain + rescore of ${r?.metrics.labelled} labelled / ${Object.values(r!.bands).reduce((a, b) => a + b, 0)} scored: ${Math.round(performance.now() - started)} ms`,
    );
    assert.equal(r?.method, 'model');
  });
});
