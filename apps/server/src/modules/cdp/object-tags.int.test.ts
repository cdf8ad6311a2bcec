import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { type Client, drainBackground, newTenantWithAdmin, useTestEnv } from '../../testing/harness.ts';
import { segmentMembers } from './test-kit.ts';
import { tenantTick } from './tick.job.ts';

const env = useTestEnv();

/** A tenant with a custom object `vehicle`, a tag and two segments over it (R2.2). */
async function setup() {
  const { seed, admin } = await newTenantWithAdmin(env, 2);
  const obj = await admin.post('/meta/objects', {
    apiName: 'vehicle',
    label: { 'zh-CN': '车辆', 'en-US': 'Vehicle' },
    pluralLabel: { 'zh-CN': '车辆', 'en-US': 'Vehicles' },
  });
  assert.equal(obj.status, 201, JSON.stringify(obj.body));
  for (const [apiName, type, zh, en] of [
    ['mileage', 'number', '里程', 'Mileage'],
    ['city', 'text', '城市', 'City'],
  ] as const) {
    const f = await admin.post('/meta/objects/vehicle/fields', {
      apiName,
      type,
      label: { 'zh-CN': zh, 'en-US': en },
    });
    assert.equal(f.status, 201, JSON.stringify(f.body));
  }
  const tag = await admin.post('/cdp/tags', {
    key: 'high_mileage',
    name: '高里程',
    kind: 'attribute',
    object: 'vehicle',
    rule: { trait: 'c_mileage', op: 'gte', value: 100000 },
  });
  assert.equal(tag.status, 201, JSON.stringify(tag.body));
  const seg = await admin.post('/cdp/segments', {
    name: '上海高里程车辆',
    object: 'vehicle',
    rule: { and: [{ tag: 'high_mileage' }, { trait: 'c_city', op: 'eq', value: '上海' }] },
  });
  assert.equal(seg.status, 201, JSON.stringify(seg.body));
  await drainBackground(env, seed.tenantId);
  return { seed, admin, tenantId: seed.tenantId, tagId: tag.body.id as string, segId: seg.body.id as string };
}

const db = () => env.database.db;
async function tagOf(tenantId: string, tagId: string, subject: string) {
  return (
    await sql<{
      reason: string;
    }>`select reason from cdp_subject_tags where tenant_id = ${tenantId} and tag_id = ${tagId} and subject_id = ${subject}`.execute(
      db(),
    )
  ).rows[0];
}
async function segmentEvents(tenantId: string, subject: string) {
  return (
    await sql<{ type: string; cause: string }>`select type, payload->>'cause' as cause from outbox
      where tenant_id = ${tenantId} and type like 'segment.%' and payload->>'subjectId' = ${subject} order by created_at, id`.execute(
      db(),
    )
  ).rows;
}
async function createVehicle(admin: Client, name: string, mileage: number, city: string) {
  const r = await admin.post('/records/vehicle', { name, c_mileage: mileage, c_city: city });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body as { id: string; version: number };
}

describe('tags and segments over records follow record writes (R2.2)', () => {
  it('sets tags and membership on create, and follows update, delete and restore with events', async () => {
    const { admin, tenantId, tagId, segId } = await setup();
    const a = await createVehicle(admin, '沪A12345', 120000, '上海');
    const b = await createVehicle(admin, '京B54321', 150000, '北京');
    const c = await createVehicle(admin, '沪C00001', 3000, '上海');
    await drainBackground(env, tenantId);
    assert.equal((await tagOf(tenantId, tagId, a.id))?.reason, 'rule:attribute');
    assert.ok(await tagOf(tenantId, tagId, b.id));
    assert.equal(await tagOf(tenantId, tagId, c.id), undefined);
    assert.deepEqual(await segmentMembers(admin, segId), [a.id]);
    assert.equal((await admin.get(`/cdp/segments/${segId}`)).body.memberCount, 1);
    assert.deepEqual(await segmentEvents(tenantId, a.id), [{ type: 'segment.entered', cause: 'record' }]);

    // The rule no longer matches: the tag goes, the record exits with an event.
    const upd = await admin.patch(`/records/vehicle/${a.id}`, { version: a.version, c_mileage: 90000 });
    assert.equal(upd.status, 200, JSON.stringify(upd.body));
    // A record that now matches enters.
    const updC = await admin.patch(`/records/vehicle/${c.id}`, { version: c.version, c_mileage: 200000 });
    assert.equal(updC.status, 200, JSON.stringify(updC.body));
    await drainBackground(env, tenantId);
    assert.equal(await tagOf(tenantId, tagId, a.id), undefined);
    assert.ok(await tagOf(tenantId, tagId, c.id));
    assert.deepEqual(await segmentMembers(admin, segId), [c.id]);
    assert.deepEqual(
      (await segmentEvents(tenantId, a.id)).map((e) => e.type),
      ['segment.entered', 'segment.exited'],
    );
    assert.equal((await admin.get(`/cdp/segments/${segId}`)).body.memberCount, 1);

    assert.equal((await admin.del(`/records/vehicle/${c.id}`)).status, 204);
    await drainBackground(env, tenantId);
    assert.deepEqual(await segmentMembers(admin, segId), []);
    assert.equal(await tagOf(tenantId, tagId, c.id), undefined);
    assert.equal((await admin.post(`/records/vehicle/${c.id}/restore`)).status, 200);
    await drainBackground(env, tenantId);
    assert.deepEqual(await segmentMembers(admin, segId), [c.id]);
    assert.deepEqual(
      (await segmentEvents(tenantId, c.id)).map((e) => e.type),
      ['segment.entered', 'segment.exited', 'segment.entered'],
    );

    // The tick (safety net) agrees and changes nothing.
    await tenantTick(db(), tenantId);
    assert.deepEqual(await segmentMembers(admin, segId), [c.id]);
    assert.equal((await segmentEvents(tenantId, c.id)).length, 3);
    assert.equal((await admin.get(`/cdp/segments/${segId}`)).body.memberCount, 1);
  });

  it('follows bulk creates, updates and deletes in one job per dispatched batch', async () => {
    const { admin, tenantId, tagId, segId } = await setup();
    const records = Array.from({ length: 30 }, (_, i) => ({
      name: `沪D${String(i).padStart(5, '0')}`,
      c_mileage: i % 2 ? 100000 + i : 1000 + i,
      c_city: '上海',
    }));
    const created = await admin.post('/records/vehicle/bulk', { op: 'create', records });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const ids: string[] = created.body.results.map((r: { id: string }) => r.id);
    await drainBackground(env, tenantId);
    const odd = ids.filter((_, i) => i % 2);
    assert.deepEqual(await segmentMembers(admin, segId), [...odd].sort());
    const tagged = await sql<{
      n: number;
    }>`select count(*)::int as n from cdp_subject_tags where tenant_id = ${tenantId} and tag_id = ${tagId}`.execute(
      db(),
    );
    assert.equal(tagged.rows[0]!.n, 15);
    const jobs = await sql<{ n: number }>`select count(*)::int as n from jobs
      where tenant_id = ${tenantId} and queue = 'event:cdp-object-tags'`.execute(db());
    assert.ok(jobs.rows[0]!.n <= 4, `jobs: ${jobs.rows[0]!.n}`);

    const moved = await admin.post('/records/vehicle/bulk', {
      op: 'update',
      records: odd.slice(0, 5).map((id) => ({ id, c_city: '杭州' })),
    });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    const gone = await admin.post('/records/vehicle/bulk', {
      op: 'delete',
      records: odd.slice(5, 10).map((id) => ({ id })),
    });
    assert.equal(gone.status, 200, JSON.stringify(gone.body));
    await drainBackground(env, tenantId);
    assert.deepEqual(await segmentMembers(admin, segId), odd.slice(10).sort());
    assert.equal((await admin.get(`/cdp/segments/${segId}`)).body.memberCount, 5);
    const exited = await sql<{ n: number }>`select count(*)::int as n from outbox
      where tenant_id = ${tenantId} and type = 'segment.exited' and payload->>'segmentId' = ${segId}`.execute(
      db(),
    );
    assert.equal(exited.rows[0]!.n, 10);
  });

  it('keeps tenants apart', async () => {
    const one = await setup();
    const two = await setup();
    const a = await createVehicle(one.admin, '沪E11111', 300000, '上海');
    const b = await createVehicle(two.admin, '沪E22222', 300000, '上海');
    await drainBackground(env, one.tenantId);
    await drainBackground(env, two.tenantId);
    assert.deepEqual(await segmentMembers(one.admin, one.segId), [a.id]);
    assert.deepEqual(await segmentMembers(two.admin, two.segId), [b.id]);
    const cross = await sql<{ n: number }>`select count(*)::int as n from cdp_subject_tags
      where (tenant_id = ${one.tenantId} and subject_id = ${b.id}) or (tenant_id = ${two.tenantId} and subject_id = ${a.id})`.execute(
      db(),
    );
    assert.equal(cross.rows[0]!.n, 0);
    // Tenant two cannot read tenant one's segment.
    assert.equal((await two.admin.get(`/cdp/segments/${one.segId}/members`)).status, 404);
  });
});
