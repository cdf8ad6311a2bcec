import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  IdentityRuleList,
  ModelCard,
  ProfilePage,
  SegmentHistory,
  SegmentMembers,
  SegmentRecompute,
  SourceList,
  SourceWithKey,
  SubjectTags,
  TagCatalogue,
  TagGroup,
} from '@kehu/contracts/cdp';
import { sql } from 'kysely';
import type { z } from 'zod';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { drainBackground, useTestEnv } from '../../testing/harness.ts';
import { sendBatch, tenantWithSource } from './test-kit.ts';

const env = useTestEnv();

/**
 * The server checks its answers against the declared schemas in tests (KEHU_CHECK_RESPONSES);
 * this walks the CDP routes no other test reaches, and reads each answer with the contract the
 * web reads it with.
 */
const read = <S extends z.ZodType>(schema: S, r: { status: number; body: unknown }, status = 200) => {
  assert.equal(r.status, status, JSON.stringify(r.body));
  return schema.parse(r.body) as z.infer<S>;
};

describe('CDP contract', () => {
  it('answers sources, key rotation, identity rules, recompute, history and members in their declared shapes', async () => {
    const { admin, tenantId, source, key } = await tenantWithSource(env, 0);
    await sendBatch(env, key, [
      { type: 'identify', userId: 'c1', traits: { name: '王芳', phone: '13912345678', city: '上海' } },
      { type: 'track', userId: 'c1', event: 'Product Viewed', properties: { sku: 'P1' } },
    ]);
    await drainBackground(env, tenantId);

    const sources = read(SourceList, await admin.get('/cdp/sources'));
    assert.deepEqual(
      sources.items.map((s) => s.id),
      [source.id],
    );
    assert.equal('writeKey' in sources.items[0]!, false, 'a listed source never shows its key');
    const rotated = read(SourceWithKey, await admin.post(`/cdp/sources/${source.id}/rotate-key`));
    assert.notEqual(rotated.writeKey, key);

    const put = await admin.request('PUT', '/cdp/identity-rules/phone', {
      maxPerProfile: 2,
      priority: 61,
      blocked: ['+8613800000000'],
    });
    assert.equal(put.status, 204, JSON.stringify(put.body));
    const rules = read(IdentityRuleList, await admin.get('/cdp/identity-rules'));
    assert.deepEqual(
      rules.items.find((r) => r.kind === 'phone'),
      { kind: 'phone', maxPerProfile: 2, priority: 61, blocked: ['+8613800000000'] },
    );

    const seg = await admin.post('/cdp/segments', {
      name: '上海客户',
      rule: { trait: 'city', op: 'eq', value: '上海' },
    });
    assert.equal(seg.status, 201, JSON.stringify(seg.body));
    const recomputed = read(SegmentRecompute, await admin.post(`/cdp/segments/${seg.body.id}/recompute`));
    assert.equal(recomputed.members, 1);
    const history = read(SegmentHistory, await admin.get(`/cdp/segments/${seg.body.id}/history`));
    assert.equal(history.items.at(-1)?.members, 1);
    const members = read(SegmentMembers, await admin.get(`/cdp/segments/${seg.body.id}/members`));
    assert.equal(members.items.length, 1);

    const profiles = read(ProfilePage, await admin.get('/cdp/profiles?count=true'));
    assert.equal(profiles.total, 1);
    const tags = read(SubjectTags, await admin.get(`/cdp/subjects/profile/${profiles.items[0]!.id}/tags`));
    assert.deepEqual(
      tags.segments.map((s) => s.id),
      [seg.body.id],
    );
    read(TagCatalogue, await admin.get('/cdp/tags'));

    const csv = await admin.get(`/cdp/segments/${seg.body.id}/export`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    // fetch's text() drops the byte-order mark the export starts with.
    assert.match(String(csv.body), /^\uFEFF?id,name,phone,email,entered_at\n/);
  });

  it('gives a predicted tag without a model null metrics and distribution, also while its first training runs', async () => {
    const { admin, tenantId } = await tenantWithSource(env, 0);
    const created = await admin.post('/cdp/tags', {
      key: 'churn_risk',
      name: '流失风险',
      kind: 'predicted',
      config: { target: 'churn' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const untrained = read(ModelCard, await admin.get(`/cdp/tags/${created.body.id}/model`));
    assert.deepEqual([untrained.method, untrained.metrics, untrained.distribution], [null, null, null]);
    // What the retrain job writes first (prediction.service.ts predictTag), before it fits anything;
    // a training that then fails leaves the row so until the next retrain.
    await inTenant(env.database.db, tenantId, (tx) =>
      sql`insert into cdp_prediction_models (tenant_id, tag_id, method, model, attempted_at)
        values (${tenantId}, ${created.body.id}, 'pending', '{}'::jsonb, now())`.execute(tx),
    );
    const training = read(ModelCard, await admin.get(`/cdp/tags/${created.body.id}/model`));
    assert.deepEqual([training.method, training.metrics, training.distribution], [null, null, null]);
  });

  it('answers a tag group renamed with the same shape as one created or listed, its tag count included', async () => {
    const { admin } = await tenantWithSource(env, 0);
    const group = read(TagGroup, await admin.post('/cdp/tag-groups', { name: '人口属性' }), 201);
    const tag = await admin.post('/cdp/tags', {
      key: 'shanghai',
      name: '上海',
      kind: 'attribute',
      groupId: group.id,
      rule: { trait: 'city', op: 'eq', value: '上海' },
    });
    assert.equal(tag.status, 201, JSON.stringify(tag.body));
    const renamed = read(TagGroup, await admin.patch(`/cdp/tag-groups/${group.id}`, { name: '地域' }));
    assert.deepEqual(renamed, { id: group.id, name: '地域', description: null, tagCount: 1 });
  });
});
