import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { drainBackground, newTenantWithAdmin, useTestEnv } from '../../testing/harness.ts';
import { segmentMembers } from './test-kit.ts';
import { tenantTick } from './tick.job.ts';

const env = useTestEnv();

const db = () => env.database.db;

async function tagged(tenantId: string, tagId: string) {
  return (
    await sql<{
      subject_id: string;
      reason: string;
    }>`select subject_id, reason from cdp_subject_tags where tenant_id = ${tenantId} and tag_id = ${tagId} order by subject_id`.execute(
      db(),
    )
  ).rows;
}
async function created(p: Promise<{ status: number; body: any }>) {
  const r = await p;
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

describe('tags and segments over standard objects (R2.2)', () => {
  it('tags leads by a standard field and a custom field on lead, and follows writes', async () => {
    const { seed, admin } = await newTenantWithAdmin(env, 0);
    await created(
      admin.post('/meta/objects/lead/fields', {
        apiName: 'fleet',
        type: 'number',
        label: { 'zh-CN': '车队规模', 'en-US': 'Fleet size' },
      }),
    );
    const a = await created(
      admin.post('/records/lead', { name: '甲', company: '杭州物流有限公司', c_fleet: 80 }),
    );
    const b = await created(
      admin.post('/records/lead', { name: '乙', company: '上海物流有限公司', c_fleet: 5 }),
    );
    const c = await created(
      admin.post('/records/lead', { name: '丙', company: '北京软件有限公司', c_fleet: 200 }),
    );
    const tag = await created(
      admin.post('/cdp/tags', {
        key: 'big_fleet_logistics',
        name: '大车队物流线索',
        kind: 'attribute',
        object: 'lead',
        rule: {
          and: [
            { trait: 'company', op: 'contains', value: '物流' },
            { trait: 'c_fleet', op: 'gte', value: 50 },
          ],
        },
      }),
    );
    // The backfill counts the object's records, not profiles.
    assert.equal(tag.backfill.total, 3);
    const preview = await admin.post('/cdp/tags/preview', { ...tag, key: 'p', groupId: null, config: {} });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.equal(preview.body.coverage, 1);
    await drainBackground(env, seed.tenantId);
    // One reason for record tags whoever computes them: the backfill …
    assert.deepEqual(await tagged(seed.tenantId, tag.id), [{ subject_id: a.id, reason: 'rule:attribute' }]);
    const after1 = await admin.get(`/cdp/tags/${tag.id}`);
    assert.equal(after1.body.coverage, 1);
    assert.deepEqual(after1.body.backfill, { status: 'done', total: 3, done: 3 });

    // … and a record write (the batch subscriber).
    const upd = await admin.patch(`/records/lead/${b.id}`, { version: b.version, c_fleet: 60 });
    assert.equal(upd.status, 200, JSON.stringify(upd.body));
    await drainBackground(env, seed.tenantId);
    assert.deepEqual(
      await tagged(seed.tenantId, tag.id),
      [
        { subject_id: a.id, reason: 'rule:attribute' },
        { subject_id: b.id, reason: 'rule:attribute' },
      ].sort((x, y) => (x.subject_id < y.subject_id ? -1 : 1)),
    );
    assert.equal(
      (await tagged(seed.tenantId, tag.id)).some((t) => t.subject_id === c.id),
      false,
    );

    // A manual tag on a lead: the lead must exist in the tenant.
    const manual = await created(
      admin.post('/cdp/tags', { key: 'vip_lead', name: '重点线索', kind: 'manual', object: 'lead' }),
    );
    assert.equal(
      (await admin.request('PUT', `/cdp/tags/${manual.id}/subjects/${c.id}`, { on: true })).status,
      204,
    );
    assert.equal(
      (await admin.request('PUT', `/cdp/tags/${manual.id}/subjects/${seed.tenantId}`, { on: true })).status,
      404,
    );
  });

  it('keeps a segment over opportunities by amount (in yuan) and a tag, on writes and the tick', async () => {
    const { seed, admin } = await newTenantWithAdmin(env, 0);
    const customer = await created(admin.post('/records/customer', { name: '华东客户', kind: 'company' }));
    const opp = (amountYuan: number, channel: string) =>
      created(
        admin.post('/records/opportunity', {
          name: `商机 ${amountYuan}`,
          customerId: customer.id,
          amount: { amount: amountYuan * 100, currency: 'CNY' },
          channel,
        }),
      );
    const big = await opp(500_000, 'partner');
    const small = await opp(20_000, 'partner');
    const direct = await opp(800_000, 'direct');
    const tag = await created(
      admin.post('/cdp/tags', {
        key: 'partner_deal',
        name: '渠道商机',
        kind: 'attribute',
        object: 'opportunity',
        rule: { trait: 'channel', op: 'eq', value: 'partner' },
      }),
    );
    const seg = await created(
      admin.post('/cdp/segments', {
        name: '大额渠道商机',
        object: 'opportunity',
        rule: {
          and: [
            { tag: 'partner_deal' },
            { trait: 'amount', op: 'gte', value: 100_000 },
            { trait: 'stage', op: 'eq', value: 'discovery' },
          ],
        },
      }),
    );
    await drainBackground(env, seed.tenantId);
    assert.deepEqual(
      (await tagged(seed.tenantId, tag.id)).map((t) => t.subject_id),
      [big.id, small.id].sort(),
    );
    // The segment was computed before the tag's backfill ran; the backfill brings it along.
    assert.deepEqual(await segmentMembers(admin, seg.id), [big.id]);
    assert.equal((await admin.get(`/cdp/segments/${seg.id}`)).body.memberCount, 1);
    const live = await admin.post('/cdp/segments/preview', {
      name: 'p',
      object: 'opportunity',
      rule: { trait: 'amount', op: 'gte', value: 100_000 },
    });
    assert.equal(live.body.count, 2);

    const upd = await admin.patch(`/records/opportunity/${direct.id}`, {
      version: direct.version,
      channel: 'partner',
    });
    assert.equal(upd.status, 200, JSON.stringify(upd.body));
    await drainBackground(env, seed.tenantId);
    assert.deepEqual(await segmentMembers(admin, seg.id), [big.id, direct.id].sort());
    await tenantTick(db(), seed.tenantId);
    assert.deepEqual(await segmentMembers(admin, seg.id), [big.id, direct.id].sort());
    // Event conditions on records count the events of the profiles linked through the customer
    // lookup (issue 9 §4): accepted now, where they used to be refused.
    const withEvents = await admin.post('/cdp/segments', {
      name: 'x',
      object: 'opportunity',
      rule: { event: 'Order Completed', withinDays: 7, op: 'gte', value: 1 },
    });
    assert.equal(withEvents.status, 201, JSON.stringify(withEvents.body));
  });

  it('edits a tag (rename, rule change → backfill, audit) and refuses deleting one still in use', async () => {
    const { seed, admin } = await newTenantWithAdmin(env, 0);
    const a = await created(admin.post('/records/lead', { name: '甲', company: '甲物流' }));
    const b = await created(admin.post('/records/lead', { name: '乙', company: '乙软件' }));
    const tag = await created(
      admin.post('/cdp/tags', {
        key: 'logistics',
        name: '物流',
        kind: 'attribute',
        object: 'lead',
        rule: { trait: 'company', op: 'contains', value: '物流' },
      }),
    );
    await drainBackground(env, seed.tenantId);
    assert.deepEqual(
      (await tagged(seed.tenantId, tag.id)).map((t) => t.subject_id),
      [a.id],
    );
    const jobsOf = async () =>
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from jobs where tenant_id = ${seed.tenantId} and queue = 'cdp:backfill'`.execute(
          db(),
        )
      ).rows[0]!.n;
    const jobsBefore = await jobsOf();

    // Sending the form back unchanged changes nothing and starts nothing.
    const same = await admin.patch(`/cdp/tags/${tag.id}`, {
      name: '物流',
      rule: { op: 'contains', value: '物流', trait: 'company' },
      config: {},
    });
    assert.equal(same.status, 200, JSON.stringify(same.body));
    assert.equal(await jobsOf(), jobsBefore);

    // Rename + rule change: a backfill job with progress re-evaluates every lead.
    const edited = await admin.patch(`/cdp/tags/${tag.id}`, {
      name: '软件行业',
      description: '公司名含“软件”',
      rule: { trait: 'company', op: 'contains', value: '软件' },
    });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.equal(edited.body.name, '软件行业');
    assert.equal(edited.body.key, 'logistics');
    assert.equal(edited.body.backfill.status, 'pending');
    assert.deepEqual(edited.body.lineage, ['trait:company']);
    assert.equal(await jobsOf(), jobsBefore + 1);
    await drainBackground(env, seed.tenantId);
    assert.deepEqual(
      (await tagged(seed.tenantId, tag.id)).map((t) => t.subject_id),
      [b.id],
    );
    assert.equal((await admin.get(`/cdp/tags/${tag.id}`)).body.backfill.status, 'done');
    const audit = (
      await sql<{
        changes: { field: string; from: unknown; to: unknown }[];
        meta: { recomputed: boolean };
      }>`select changes, meta from audit_log where tenant_id = ${seed.tenantId} and object = 'cdp_tag' and record_id = ${tag.id}
        and action = 'update' order by at`.execute(db())
    ).rows;
    assert.equal(audit.length, 1);
    assert.deepEqual(audit[0]!.changes.map((c) => c.field).sort(), ['description', 'name', 'rule']);
    assert.equal(audit[0]!.changes.find((c) => c.field === 'name')!.from, '物流');
    assert.equal(audit[0]!.meta.recomputed, true);

    // Key, kind and object are fixed.
    const keyChange = await admin.patch(`/cdp/tags/${tag.id}`, {
      key: 'other',
      kind: 'manual',
      object: 'profile',
    });
    assert.equal(keyChange.status, 200, JSON.stringify(keyChange.body));
    assert.deepEqual(
      [keyChange.body.key, keyChange.body.kind, keyChange.body.object],
      ['logistics', 'attribute', 'lead'],
    );

    // In use by a segment and a combined tag: 409 naming both, in the caller's language.
    const seg = await created(
      admin.post('/cdp/segments', { name: '软件线索', object: 'lead', rule: { tag: 'logistics' } }),
    );
    const combined = await created(
      admin.post('/cdp/tags', {
        key: 'software_named',
        name: '软件且有姓名',
        kind: 'combined',
        object: 'lead',
        rule: { and: [{ tag: 'logistics' }, { trait: 'name', op: 'exists' }] },
      }),
    );
    const refused = await admin.del(`/cdp/tags/${tag.id}`);
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.match(refused.body.detail, /软件行业/);
    assert.match(refused.body.detail, /分群「软件线索」/);
    assert.match(refused.body.detail, /标签「软件且有姓名」/);
    assert.deepEqual(
      refused.body.usedBy.map((u: { kind: string; id: string }) => `${u.kind}:${u.id}`).sort(),
      [`segment:${seg.id}`, `tag:${combined.id}`].sort(),
    );
    const en = await admin.request('DELETE', `/cdp/tags/${tag.id}`, undefined, {
      'accept-language': 'en-US',
    });
    assert.equal(en.status, 409);
    assert.match(en.body.detail, /is used by 2 tags or segments/);
    assert.equal((await admin.get(`/cdp/tags/${tag.id}`)).status, 200);

    assert.equal((await admin.del(`/cdp/segments/${seg.id}`)).status, 204);
    assert.equal((await admin.del(`/cdp/tags/${combined.id}`)).status, 204);
    assert.equal((await admin.del(`/cdp/tags/${tag.id}`)).status, 204);
    assert.deepEqual(await tagged(seed.tenantId, tag.id), []);
  });
});
