import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { drainBackground, getTestEnv, login, newTenant, type TestEnv } from '../../testing/harness.ts';
import { zoneDay } from './rules.ts';
import { tenantTick } from './tick.job.ts';

let env: TestEnv;
before(async () => {
  env = await getTestEnv();
});
after(async () => {
  await env?.close();
});

const DAY = 86_400_000;
/** The calendar day `k` days from today in the rule zone, as YYYY-MM-DD. */
const dayFromToday = (k: number) => new Date((zoneDay(new Date()) + k) * DAY).toISOString().slice(0, 10);

async function setup() {
  const seed = await newTenant(env, 1);
  const admin = await login(env, seed.slug, 'admin');
  return { admin, tenantId: seed.tenantId as string };
}

async function outbox(tenantId: string, type: string, subject: string) {
  return (
    await sql<{
      cause: string;
    }>`select payload->>'cause' as cause from outbox where tenant_id = ${tenantId} and type = ${type}
      and payload->>'subjectId' = ${subject} order by created_at, id`.execute(env.database.db)
  ).rows.map((r) => r.cause);
}

describe('relative-date rules', () => {
  it('a vehicle enters "insurance due within 30 days" as the days pass and leaves once the policy has expired', async () => {
    const { admin, tenantId } = await setup();
    assert.equal(
      (
        await admin.post('/meta/objects', {
          apiName: 'vehicle',
          label: { 'zh-CN': '车辆', 'en-US': 'Vehicle' },
          pluralLabel: { 'zh-CN': '车辆', 'en-US': 'Vehicles' },
        })
      ).status,
      201,
    );
    assert.equal(
      (
        await admin.post('/meta/objects/vehicle/fields', {
          apiName: 'insurance_expiry',
          type: 'date',
          label: { 'zh-CN': '保险到期日', 'en-US': 'Insurance expiry' },
        })
      ).status,
      201,
    );
    const car = await admin.post('/records/vehicle', {
      name: '沪A·12345',
      c_insurance_expiry: dayFromToday(35),
    });
    assert.equal(car.status, 201, JSON.stringify(car.body));
    const rule = { trait: 'c_insurance_expiry', op: 'withinNext', days: 30 };
    const tag = await admin.post('/cdp/tags', {
      key: 'insurance_due_30d',
      name: '保险 30 天内到期',
      kind: 'attribute',
      object: 'vehicle',
      rule,
    });
    assert.equal(tag.status, 201, JSON.stringify(tag.body));
    const seg = await admin.post('/cdp/segments', {
      name: '待续保',
      object: 'vehicle',
      rule: { tag: 'insurance_due_30d' },
    });
    assert.equal(seg.status, 201, JSON.stringify(seg.body));
    await drainBackground(env, tenantId);
    const tagged = async () =>
      (await admin.get(`/cdp/subjects/vehicle/${car.body.id}/tags`)).body.tags.map(
        (t: { key: string }) => t.key,
      );
    const members = async () => (await admin.get(`/cdp/segments/${seg.body.id}`)).body.memberCount;
    assert.deepEqual(await tagged(), []);
    assert.equal(await members(), 0);

    // Five days on, the policy is 30 days out: the daily tick tags it and the segment takes it in.
    await tenantTick(env.database.db, tenantId, new Date(Date.now() + 5 * DAY));
    assert.deepEqual(await tagged(), ['insurance_due_30d']);
    assert.equal(await members(), 1);
    assert.deepEqual(await outbox(tenantId, 'segment.entered', car.body.id), ['schedule']);

    // The day after it expired it is no longer "due within 30 days".
    await tenantTick(env.database.db, tenantId, new Date(Date.now() + 36 * DAY));
    assert.deepEqual(await tagged(), []);
    assert.equal(await members(), 0);
    assert.deepEqual(await outbox(tenantId, 'segment.exited', car.body.id), ['schedule']);

    // A record write is evaluated at once: renewed a year on, then due again next week.
    const renewed = await admin.patch(`/records/vehicle/${car.body.id}`, {
      version: car.body.version,
      c_insurance_expiry: dayFromToday(7),
    });
    assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
    await drainBackground(env, tenantId);
    assert.deepEqual(await tagged(), ['insurance_due_30d']);
  });

  it('a profile gains a tag and enters segments on a trait date as the day comes closer, without any event', async () => {
    const { admin, tenantId } = await setup();
    const src = (await admin.post('/cdp/sources', { name: 'S', kind: 'server' })).body;
    const send = (batch: unknown[]) =>
      fetch(`${env.baseUrl}/v1/batch`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${src.writeKey}:`).toString('base64')}`,
        },
        body: JSON.stringify({ batch }),
      });
    const seg = await admin.post('/cdp/segments', {
      name: '一周内续约',
      rule: { trait: 'renewal_at', op: 'withinNext', days: 7 },
    });
    assert.equal(seg.status, 201, JSON.stringify(seg.body));
    const lapsed = await admin.post('/cdp/segments', {
      name: '注册超过 90 天',
      rule: { trait: 'signed_up', op: 'moreThanDaysAgo', days: 90 },
    });
    const tag = await admin.post('/cdp/tags', {
      key: 'renewal_soon',
      name: '一周内续约',
      kind: 'attribute',
      rule: { trait: 'renewal_at', op: 'withinNext', days: 7 },
    });
    assert.equal(tag.status, 201, JSON.stringify(tag.body));
    const byTag = await admin.post('/cdp/segments', { name: '续约提醒', rule: { tag: 'renewal_soon' } });
    const res = await send([
      {
        type: 'identify',
        userId: 'd1',
        messageId: 'i1',
        // A date-time with an offset counts by its day in Asia/Shanghai.
        traits: { renewal_at: `${dayFromToday(10)}T09:00:00+08:00`, signed_up: dayFromToday(-85) },
      },
    ]);
    assert.equal(res.status, 200);
    await drainBackground(env, tenantId);
    const count = async (id: string) => (await admin.get(`/cdp/segments/${id}`)).body.memberCount;
    const coverage = async () => (await admin.get(`/cdp/tags/${tag.body.id}`)).body.coverage;
    assert.equal(await count(seg.body.id), 0);
    assert.equal(await count(lapsed.body.id), 0);
    assert.equal(await coverage(), 0);
    assert.equal(await count(byTag.body.id), 0);
    await tenantTick(env.database.db, tenantId, new Date(Date.now() + 6 * DAY));
    assert.equal(await count(seg.body.id), 1);
    assert.equal(await count(lapsed.body.id), 1);
    assert.equal(await coverage(), 1);
    assert.equal(await count(byTag.body.id), 1, 'a segment on the tag follows it');
    await tenantTick(env.database.db, tenantId, new Date(Date.now() + 11 * DAY));
    assert.equal(await count(seg.body.id), 0, 'the renewal day has passed');
    assert.equal(await coverage(), 0);
    assert.equal(await count(byTag.body.id), 0);
  });

  it('rejects a relative-date condition without whole days between 0 and 3650', async () => {
    const { admin } = await setup();
    for (const days of [-1, 3651, 1.5, '7', undefined]) {
      const r = await admin.post('/cdp/segments/preview', {
        name: 'x',
        rule: { trait: 'due', op: 'withinNext', days },
      });
      assert.equal(r.status, 422, `days ${days}`);
      assert.ok(
        r.body.errors.every((e: { field: string }) => e.field.startsWith('rule')),
        JSON.stringify(r.body),
      );
    }
    const r = await admin.post('/cdp/segments/preview', {
      name: 'x',
      rule: { crm: 'customer', field: 'createdAt', op: 'withinLast', days: 30 },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.count, 0);
  });
});
