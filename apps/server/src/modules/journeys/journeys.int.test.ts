import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JourneyDefinition } from '@kehu/contracts/journeys';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { type Client, drainBackground, loginAsRole, useTestEnv } from '../../testing/harness.ts';
import { sendBatch, tenantWithSource } from '../cdp/test-kit.ts';
import { advanceDue } from './advance.job.ts';
import { scanDates, scanEvents } from './triggers.ts';

const env = useTestEnv();
const DAY = 86_400_000;
const later = (ms: number) => new Date(Date.now() + ms);

type Node = JourneyDefinition['graph']['nodes'][number];
const n = (id: string, data: Node['data']): Node => ({ id, data, position: { x: 0, y: 0 } });
const edges = (...list: [string, string, string?][]) =>
  list.map(([source, target, h], i) => ({ id: `e${i}`, source, target, sourceHandle: h ?? 'next' }));

async function profileOf(tenantId: string, userId: string): Promise<string> {
  return inTenant(env.database.db, tenantId, async (tx) => {
    const r = await sql<{ id: string }>`select profile_id as id from cdp_identities
      where tenant_id = ${tenantId} and kind = 'user_id' and value = ${userId}`.execute(tx);
    assert.ok(r.rows[0], `no profile for ${userId}`);
    return r.rows[0]!.id;
  });
}

const q = <T>(tenantId: string, fn: (tx: any) => Promise<T>) => inTenant(env.database.db, tenantId, fn);
async function runs(tenantId: string, journeyId: string) {
  return q(
    tenantId,
    async (tx) =>
      (
        await sql<any>`select profile_id, version, status, step_id, entry, is_holdout, converted_at from journey_runs
        where tenant_id = ${tenantId} and journey_id = ${journeyId} order by entered_at, profile_id`.execute(
          tx,
        )
      ).rows,
  );
}
async function steps(tenantId: string, journeyId: string) {
  return q(
    tenantId,
    async (tx) =>
      (
        await sql<any>`select run_id, step_id, visit, outcome, reason from journey_steps
        where tenant_id = ${tenantId} and journey_id = ${journeyId} order by at, visit`.execute(tx)
      ).rows,
  );
}

async function publish(admin: Client, name: string, definition: JourneyDefinition) {
  const c = await admin.post('/journeys', { name, definition });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const p = await admin.post(`/journeys/${c.body.id}/publish`);
  assert.equal(p.status, 200, JSON.stringify(p.body));
  return c.body.id as string;
}

const setup = () => tenantWithSource(env, 2);

describe('journeys', () => {
  it('refuses to publish a graph with a dangling branch and marks the step', async () => {
    const { admin } = await setup();
    const c = await admin.post('/journeys', {
      name: '坏的旅程',
      definition: {
        trigger: { kind: 'manual' },
        graph: {
          nodes: [
            n('in', { kind: 'entry' }),
            n('split', { kind: 'condition', rule: { trait: 'city', op: 'eq', value: '上海' } }),
            n('out', { kind: 'exit' }),
            n('lost', { kind: 'exit' }),
          ],
          edges: edges(['in', 'split'], ['split', 'out', 'yes']),
        },
      },
    });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const p = await admin.post(`/journeys/${c.body.id}/publish`);
    assert.equal(p.status, 422);
    const fields = (p.body.errors as { field: string; code: string }[])
      .map((e) => `${e.field} ${e.code}`)
      .sort();
    assert.deepEqual(fields, [
      'definition.graph.nodes.1 journeys.missing_branch',
      'definition.graph.nodes.3 journeys.unreachable',
    ]);
    // A loop without a wait would spin forever.
    const loop = await admin.request('PUT', `/journeys/${c.body.id}/draft`, {
      name: '循环',
      definition: {
        trigger: { kind: 'manual' },
        graph: {
          nodes: [
            n('in', { kind: 'entry' }),
            n('split', { kind: 'condition', rule: { trait: 'city', op: 'eq', value: '上海' } }),
            n('out', { kind: 'exit' }),
          ],
          edges: edges(['in', 'split'], ['split', 'out', 'yes'], ['split', 'split', 'no']),
        },
      },
    });
    assert.equal(loop.status, 200, JSON.stringify(loop.body));
    const again = await admin.post(`/journeys/${c.body.id}/publish`);
    assert.deepEqual(
      (again.body.errors as { field: string; code: string }[]).map((e) => e.code),
      ['journeys.cycle_without_wait'],
    );
  });

  it('enters on segment entry, waits three days without sleeping, and keeps runs on their version when a new one is published', async () => {
    const { admin, key, tenantId } = await setup();
    const seg = await admin.post('/cdp/segments', {
      name: '上海客户',
      rule: { trait: 'city', op: 'eq', value: '上海' },
    });
    assert.equal(seg.status, 201, JSON.stringify(seg.body));
    const def = (wait: number): JourneyDefinition => ({
      trigger: { kind: 'segment', segmentId: seg.body.id, on: 'enter' },
      graph: {
        nodes: [
          n('in', { kind: 'entry' }),
          n('wait', { kind: 'wait', mode: 'duration', duration: { amount: wait, unit: 'days' } }),
          n('out', { kind: 'exit' }),
        ],
        edges: edges(['in', 'wait'], ['wait', 'out']),
      },
      goal: null,
      reentry: { policy: 'never' },
      holdoutPercent: 0,
    });
    const id = await publish(admin, '上海欢迎', def(3));
    await sendBatch(env, key, [{ type: 'identify', userId: 'a1', traits: { city: '上海' } }]);
    await drainBackground(env, tenantId);
    const a1 = await profileOf(tenantId, 'a1');
    let r = await runs(tenantId, id);
    assert.deepEqual(
      r.map((x) => [x.profile_id, x.version, x.status, x.step_id]),
      [[a1, 1, 'waiting', 'wait']],
    );

    // Version 2 waits 10 days; a1 stays on version 1's 3 days.
    const saved = await admin.request('PUT', `/journeys/${id}/draft`, {
      name: '上海欢迎',
      definition: def(10),
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal((await admin.post(`/journeys/${id}/publish`)).status, 200);
    await sendBatch(env, key, [{ type: 'identify', userId: 'a2', traits: { city: '上海' } }]);
    await drainBackground(env, tenantId);
    const a2 = await profileOf(tenantId, 'a2');

    await advanceDue(env.database.db, tenantId, later(3 * DAY + 60_000));
    r = await runs(tenantId, id);
    const byProfile = new Map(r.map((x) => [x.profile_id, x]));
    assert.equal(byProfile.get(a1).status, 'done');
    assert.equal(byProfile.get(a1).version, 1);
    assert.equal(byProfile.get(a2).status, 'waiting');
    assert.equal(byProfile.get(a2).version, 2);
    await advanceDue(env.database.db, tenantId, later(10 * DAY + 60_000));
    assert.equal((await runs(tenantId, id)).find((x) => x.profile_id === a2).status, 'done');
    // One history row per step execution, each once.
    const s = await steps(tenantId, id);
    assert.equal(s.length, 6);

    // Never re-enters: leaving and re-entering the segment makes no second run.
    await sendBatch(env, key, [{ type: 'identify', userId: 'a1', traits: { city: '北京' } }]);
    await drainBackground(env, tenantId);
    await sendBatch(env, key, [{ type: 'identify', userId: 'a1', traits: { city: '上海' } }]);
    await drainBackground(env, tenantId);
    assert.equal((await runs(tenantId, id)).filter((x) => x.profile_id === a1).length, 1);
  });

  it('enters on an event with a property filter, waits for an event or a timeout, and counts the goal', async () => {
    const { admin, key, tenantId } = await setup();
    const id = await publish(admin, '试驾跟进', {
      trigger: {
        kind: 'event',
        event: 'Test Drive Booked',
        where: [{ prop: 'model', op: 'eq', value: 'X5' }],
      },
      graph: {
        nodes: [
          n('in', { kind: 'entry' }),
          n('w', {
            kind: 'wait',
            mode: 'event',
            event: 'Showroom Visited',
            where: [],
            timeout: { amount: 2, unit: 'days' },
          }),
          n('came', { kind: 'exit' }),
          n('tag', { kind: 'field', trait: 'no_show', value: true }),
          n('out', { kind: 'exit' }),
        ],
        edges: edges(['in', 'w'], ['w', 'came', 'event'], ['w', 'tag', 'timeout'], ['tag', 'out']),
      },
      goal: { kind: 'event', event: 'Order Placed', where: [], windowDays: 30, exitOnGoal: true },
      reentry: { policy: 'always' },
      holdoutPercent: 0,
    });
    await sendBatch(env, key, [
      { type: 'identify', userId: 'b1', traits: { name: 'b1' } },
      { type: 'identify', userId: 'b2', traits: { name: 'b2' } },
      { type: 'identify', userId: 'b3', traits: { name: 'b3' } },
      { type: 'track', userId: 'b1', event: 'Test Drive Booked', properties: { model: 'X5' } },
      { type: 'track', userId: 'b2', event: 'Test Drive Booked', properties: { model: 'X5' } },
      { type: 'track', userId: 'b3', event: 'Test Drive Booked', properties: { model: 'X3' } },
    ]);
    await drainBackground(env, tenantId);
    await scanEvents(env.database.db, tenantId);
    await drainBackground(env, tenantId);
    const [b1, b2] = [await profileOf(tenantId, 'b1'), await profileOf(tenantId, 'b2')];
    let r = await runs(tenantId, id);
    assert.deepEqual(r.map((x) => x.profile_id).sort(), [b1, b2].sort(), 'X3 does not pass the filter');
    assert.ok(r.every((x) => x.status === 'waiting'));

    await sendBatch(env, key, [{ type: 'track', userId: 'b1', event: 'Showroom Visited', properties: {} }]);
    await drainBackground(env, tenantId);
    await scanEvents(env.database.db, tenantId);
    await drainBackground(env, tenantId);
    await advanceDue(env.database.db, tenantId, later(2 * DAY + 60_000));
    r = await runs(tenantId, id);
    const s = await steps(tenantId, id);
    const path = (pid: string) => {
      const run = r.find((x) => x.profile_id === pid);
      assert.equal(run.status, 'done');
      return s.filter((x) => x.step_id !== 'in').map((x) => x.step_id);
    };
    void path;
    const visited = async (pid: string) =>
      q(tenantId, async (tx) =>
        (
          await sql<{
            step_id: string;
          }>`select s.step_id from journey_steps s join journey_runs r on r.tenant_id = s.tenant_id and r.id = s.run_id
            where r.tenant_id = ${tenantId} and r.journey_id = ${id} and r.profile_id = ${pid} order by s.visit`.execute(
            tx,
          )
        ).rows.map((x) => x.step_id),
      );
    assert.deepEqual(await visited(b1), ['in', 'w', 'came']);
    assert.deepEqual(await visited(b2), ['in', 'w', 'tag', 'out']);

    // The goal: b2 orders within the window (a new entry first: reentry always).
    await sendBatch(env, key, [
      { type: 'track', userId: 'b2', event: 'Test Drive Booked', properties: { model: 'X5' } },
    ]);
    await drainBackground(env, tenantId);
    await scanEvents(env.database.db, tenantId);
    await sendBatch(env, key, [{ type: 'track', userId: 'b2', event: 'Order Placed', properties: {} }]);
    await drainBackground(env, tenantId);
    await scanEvents(env.database.db, tenantId);
    r = await runs(tenantId, id);
    const b2runs = r.filter((x) => x.profile_id === b2);
    assert.equal(b2runs.length, 2);
    assert.equal(b2runs.find((x) => x.entry === 2).status, 'converted');
    const a = await admin.get(`/journeys/${id}/analytics`);
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.equal(a.body.entered, 3);
    assert.ok(a.body.treatment.converted >= 1);
  });

  it('splits by the CDP rule and at random, tags, updates a field, gives the owner a task, and sends with the step key', async () => {
    const { admin, key, tenantId } = await setup();
    const tag = await admin.post('/cdp/tags', { key: 'journey_vip', name: '旅程VIP', kind: 'manual' });
    assert.equal(tag.status, 201, JSON.stringify(tag.body));
    {
      const id = await publish(admin, '分流', {
        trigger: { kind: 'manual' },
        graph: {
          nodes: [
            n('in', { kind: 'entry' }),
            n('vip', { kind: 'condition', rule: { trait: 'level', op: 'eq', value: 'gold' } }),
            n('tag', { kind: 'tag', tagId: tag.body.id, action: 'add' }),
            n('ab', {
              kind: 'random',
              variants: [
                { key: 'a', weight: 50 },
                { key: 'b', weight: 50 },
              ],
            }),
            n('sms', {
              kind: 'send',
              channel: 'sms',
              purpose: 'marketing',
              content: { text: '您好' },
              onSkip: 'exit',
            }),
            n('mark', { kind: 'field', trait: 'journey_seen', value: 'yes' }),
            n('out', { kind: 'exit' }),
          ],
          edges: edges(
            ['in', 'vip'],
            ['vip', 'tag', 'yes'],
            ['vip', 'ab', 'no'],
            ['tag', 'out'],
            ['ab', 'sms', 'a'],
            ['ab', 'sms', 'b'],
            ['sms', 'mark'],
            ['mark', 'out'],
          ),
        },
        goal: null,
        reentry: { policy: 'never' },
        holdoutPercent: 0,
      });
      await sendBatch(env, key, [
        { type: 'identify', userId: 'c1', traits: { level: 'gold' } },
        { type: 'identify', userId: 'c2', traits: { level: 'silver' } },
        { type: 'identify', userId: 'c3', traits: { level: 'silver' } },
      ]);
      await drainBackground(env, tenantId);
      const [c1, c2, c3] = [
        await profileOf(tenantId, 'c1'),
        await profileOf(tenantId, 'c2'),
        await profileOf(tenantId, 'c3'),
      ];
      // c2 and c3 belong to a customer (the in-app message goes to its owner); c3 withdrew marketing consent.
      await q(tenantId, (tx) =>
        sql`with c as (insert into customers (tenant_id, id, owner_id, unit_id, name, kind)
            select ${tenantId}, gen_random_uuid(), u.id, u.unit_id, 'j' || p.id, 'person'
            from unnest(${[c2, c3]}::uuid[]) p(id)
            cross join (select id, unit_id from users where tenant_id = ${tenantId} and status = 'active' limit 1) u
            returning id, name)
          insert into cdp_profile_links (tenant_id, object, record_id, profile_id)
          select ${tenantId}, 'customer', c.id, substr(c.name, 2)::uuid from c`.execute(tx),
      );
      assert.equal(
        (await admin.request('PUT', `/cdp/profiles/${c3}/consents/marketing`, { granted: false })).status,
        204,
      );
      const e = await admin.post(`/journeys/${id}/enrol`, { profileIds: [c1, c2, c3] });
      assert.equal(e.status, 200, JSON.stringify(e.body));
      assert.deepEqual(e.body, { entered: 3, skipped: 0 });
      await drainBackground(env, tenantId);
      const dbg = JSON.stringify(await steps(tenantId, id));
      const r = await runs(tenantId, id);
      assert.deepEqual(
        r.map((x) => [x.profile_id, x.status]).sort(),
        [
          [c1, 'done'],
          // Messaging skips both (c2: no in-app address for it here; c3: no consent); onSkip exit ends the runs.
          [c2, 'exited'],
          [c3, 'exited'],
        ].sort(),
        dbg,
      );
      const traits = await q(
        tenantId,
        async (tx) =>
          (
            await sql<any>`select id, traits from cdp_profiles where tenant_id = ${tenantId} and id = any(${[c1, c2, c3]}::uuid[])`.execute(
              tx,
            )
          ).rows,
      );
      assert.deepEqual(
        traits.map((t) => t.traits.journey_seen ?? null),
        [null, null, null],
        'the field step after a skipped send with onSkip exit never runs',
      );
      const tagged = await q(
        tenantId,
        async (tx) =>
          (
            await sql<any>`select subject_id from cdp_subject_tags where tenant_id = ${tenantId} and tag_id = ${tag.body.id}`.execute(
              tx,
            )
          ).rows,
      );
      assert.deepEqual(
        tagged.map((t) => t.subject_id),
        [c1],
      );
      // Sends carry runId:stepId:visit as their idempotency key and the journey as source.
      const sent = await q(
        tenantId,
        async (tx) =>
          (
            await sql<any>`select idempotency_key, source_id, step_id, status, reason from messaging_messages
            where tenant_id = ${tenantId} order by status`.execute(tx)
          ).rows,
      );
      assert.equal(sent.length, 2);
      for (const m of sent) {
        assert.match(m.idempotency_key, /^[0-9a-f-]{36}:sms:4$/);
        assert.deepEqual([m.source_id, m.step_id], [id, 'sms']);
      }
      assert.deepEqual(sent.map((m) => m.reason).sort(), ['no_address', 'no_consent']);
      // What was skipped and why is visible on the profile.
      const pr = await admin.get(`/journeys/profiles/${c3}/runs`);
      assert.equal(pr.status, 200, JSON.stringify(pr.body));
      const sms = pr.body.items[0].steps.find((s: any) => s.stepId === 'sms');
      assert.deepEqual([sms.outcome, sms.reason], ['skipped', 'no_consent']);
      const an = await admin.get(`/journeys/${id}/analytics`);
      const st = an.body.steps.find((s: any) => s.stepId === 'sms');
      assert.deepEqual([st.sent, st.skipped, st.skipReasons], [0, 2, { no_address: 1, no_consent: 1 }]);
    }
  });

  it('enters profiles whose date is 30 days ahead in the daily scan, once a day', async () => {
    const { admin, key, tenantId } = await setup();
    const day = (d: number) => new Date(Date.now() + d * DAY + 8 * 3_600_000).toISOString().slice(0, 10);
    const id = await publish(admin, '保险到期提醒', {
      trigger: { kind: 'date', field: { trait: 'insurance_expiry' }, offsetDays: -30, yearly: false },
      graph: { nodes: [n('in', { kind: 'entry' }), n('out', { kind: 'exit' })], edges: edges(['in', 'out']) },
      goal: null,
      reentry: { policy: 'after', days: 300 },
      holdoutPercent: 0,
    });
    await sendBatch(env, key, [
      { type: 'identify', userId: 'd1', traits: { insurance_expiry: day(30) } },
      { type: 'identify', userId: 'd2', traits: { insurance_expiry: day(31) } },
      { type: 'identify', userId: 'd3', traits: { insurance_expiry: day(29) } },
    ]);
    await drainBackground(env, tenantId);
    const now = new Date();
    assert.equal(await scanDates(env.database.db, tenantId, now), 1);
    assert.equal(await scanDates(env.database.db, tenantId, now), 0, 'a day is scanned once');
    const r = await runs(tenantId, id);
    assert.deepEqual(
      r.map((x) => x.profile_id),
      [await profileOf(tenantId, 'd1')],
    );
  });

  it('enters on a CRM change: a lead created for a known phone', async () => {
    const { admin, key, tenantId } = await setup();
    const def = (await import('./test-kit.ts')).simpleDefinition();
    const id = await publish(admin, '新线索欢迎', {
      ...def,
      trigger: { kind: 'crm', change: 'lead.created' },
    });
    const phone = `139${String(Date.now()).slice(-8)}`;
    await sendBatch(env, key, [{ type: 'identify', userId: 'l1', traits: { phone } }]);
    await drainBackground(env, tenantId);
    const lead = await admin.post('/records/lead', { name: '线索客户', phone });
    assert.equal(lead.status, 201, JSON.stringify(lead.body));
    await drainBackground(env, tenantId);
    const r = await runs(tenantId, id);
    assert.deepEqual(
      r.map((x) => [x.profile_id, x.status]),
      [[await profileOf(tenantId, 'l1'), 'waiting']],
    );
  });

  it('keeps a holdout out of every step and measures uplift against it', async () => {
    const { admin, key, tenantId } = await setup();
    const msgs = Array.from({ length: 60 }, (_, i) => ({
      type: 'identify',
      userId: `h${i}`,
      traits: { n: i },
    }));
    await sendBatch(env, key, msgs);
    await drainBackground(env, tenantId);
    const ids = await q(tenantId, async (tx) =>
      (
        await sql<{
          id: string;
        }>`select id from cdp_profiles where tenant_id = ${tenantId} and merged_into is null`.execute(tx)
      ).rows.map((x) => x.id),
    );
    const def = (await import('./test-kit.ts')).simpleDefinition();
    const id = await publish(admin, '对照组', {
      ...def,
      goal: { kind: 'event', event: 'Converted', where: [], windowDays: 30, exitOnGoal: true },
      holdoutPercent: 50,
    });
    assert.equal((await admin.post(`/journeys/${id}/enrol`, { profileIds: ids })).body.entered, ids.length);
    await drainBackground(env, tenantId);
    const r = await runs(tenantId, id);
    const hold = r.filter((x) => x.is_holdout);
    assert.ok(hold.length > 10 && hold.length < 50, `holdout ${hold.length} of ${r.length}`);
    assert.ok(hold.every((x) => x.status === 'holdout'));
    const s = await steps(tenantId, id);
    assert.equal(new Set(s.map((x) => x.run_id)).size, r.length - hold.length, 'holdout runs take no step');
    const a = await admin.get(`/journeys/${id}/analytics`);
    assert.equal(a.body.holdout.n, hold.length);
    assert.ok(
      a.body.uplift && a.body.uplift.low <= a.body.uplift.value && a.body.uplift.value <= a.body.uplift.high,
    );
  });

  it('refuses a condition on personal data its author does not read in full', async () => {
    const { seed, tenantId } = await setup();
    // A regional manager allowed to design journeys, without profile:unmask.
    await q(tenantId, async (tx) => {
      await sql`update roles set permissions = array_append(permissions, 'journeys:manage')
        where tenant_id = ${tenantId} and name = '区域经理'`.execute(tx);
      await sql`update tenants set authz_version = authz_version + 1 where id = ${tenantId}`.execute(tx);
    });
    const manager = await loginAsRole(env, seed, '区域经理');
    const def = (await import('./test-kit.ts')).simpleDefinition();
    const c = await manager.post('/journeys', {
      name: '按手机号分流',
      definition: {
        ...def,
        graph: {
          nodes: [
            n('in', { kind: 'entry' }),
            n('split', { kind: 'condition', rule: { trait: 'phone', op: 'contains', value: '1380' } }),
            n('out', { kind: 'exit' }),
          ],
          edges: edges(['in', 'split'], ['split', 'out', 'yes'], ['split', 'out', 'no']),
        },
      },
    });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const p = await manager.post(`/journeys/${c.body.id}/publish`);
    assert.equal(p.status, 422, JSON.stringify(p.body));
    assert.deepEqual(
      p.body.errors.map((e: { field: string }) => e.field),
      ['definition.graph.nodes.1.data.rule.trait'],
    );
  });

  it('a run that fails rolls back alone: the batch goes on, the run is retried with backoff', async () => {
    const { admin, key, tenantId } = await setup();
    await sendBatch(env, key, [
      { type: 'identify', userId: 'f1', traits: { city: '杭州' } },
      { type: 'identify', userId: 'f2', traits: { city: '杭州' } },
    ]);
    await drainBackground(env, tenantId);
    const [p1, p2] = [await profileOf(tenantId, 'f1'), await profileOf(tenantId, 'f2')];
    const def: JourneyDefinition = {
      trigger: { kind: 'manual' },
      graph: {
        nodes: [
          n('in', { kind: 'entry' }),
          n('f', { kind: 'field', trait: 'seen', value: 1 }),
          n('out', { kind: 'exit' }),
        ],
        edges: edges(['in', 'f'], ['f', 'out']),
      },
      goal: null,
      reentry: { policy: 'never' },
      holdoutPercent: 0,
    };
    const id = await publish(admin, '批量', def);
    const e = await admin.post(`/journeys/${id}/enrol`, { profileIds: [p1, p2] });
    assert.equal(e.status, 200, JSON.stringify(e.body));
    // One run points at a version that does not exist: its advance throws.
    await q(tenantId, (tx) =>
      sql`update journey_runs set version = 99 where tenant_id = ${tenantId} and journey_id = ${id} and profile_id = ${p2}`.execute(
        tx,
      ),
    );
    await advanceDue(env.database.db, tenantId);
    const after = await q(
      tenantId,
      async (tx) =>
        (
          await sql<any>`select profile_id, status, attempts, last_error is not null as failed from journey_runs
            where tenant_id = ${tenantId} and journey_id = ${id}`.execute(tx)
        ).rows,
    );
    const by = new Map(after.map((r: any) => [r.profile_id, r]));
    assert.deepEqual([by.get(p1).status, by.get(p1).attempts], ['done', 0]);
    assert.deepEqual([by.get(p2).status, by.get(p2).attempts, by.get(p2).failed], ['active', 1, true]);
    assert.equal((await steps(tenantId, id)).filter((s: any) => s.step_id === 'f').length, 1);
  });

  it('lets only marketers design journeys and hides other units’ journeys', async () => {
    const { admin, seed } = await setup();
    const sales = await loginAsRole(env, seed, '销售顾问');
    const def = (await import('./test-kit.ts')).simpleDefinition();
    assert.equal((await sales.post('/journeys', { name: 'x', definition: def })).status, 403);
    assert.equal((await sales.get('/journeys')).status, 403);
    const id = await publish(admin, '总部旅程', def);
    assert.equal((await admin.get(`/journeys/${id}`)).status, 200);
    const bad = await admin.post('/journeys', { name: '', definition: { trigger: { kind: 'nope' } } });
    assert.equal(bad.status, 422);
  });
});
