import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Client, drainBackground, login, loginAsRole, useTestEnv } from '../../testing/harness.ts';
import { sendBatch, tenantWithSource } from './test-kit.ts';

/**
 * Rules see what their author sees (rule-access.ts): a rule may only compare fields its author
 * reads in full, and every count or member list is the viewer's data scope.
 */
const env = useTestEnv();

const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
};

/** Gives a seeded role more permissions, through the role editor's API. */
async function grant(admin: Client, role: string, extra: string[]) {
  const roles = (await ok(admin.get('/admin/roles'))).items;
  const r = roles.find((x: { name: string }) => x.name === role);
  await ok(admin.patch(`/admin/roles/${r.id}`, { permissions: [...r.permissions, ...extra] }));
}

const countOf = async (c: Client, object: string) =>
  (await ok(c.get(`/records/${object}?limit=1&count=true`))).total as number;

describe('rules see what their author sees', () => {
  it('refuses the digit-by-digit phone attack on its first call, for records, CRM conditions and traits', async () => {
    const { seed, admin, key, tenantId } = await tenantWithSource(env, 5);
    const phone = '18830412345';
    await ok(admin.post('/records/customer', { name: '目标客户', phone }), 201);
    await sendBatch(env, key, [{ type: 'identify', userId: 'p1', traits: { name: '李雷', phone } }]);
    await drainBackground(env, tenantId);
    const analyst = await loginAsRole(env, seed, '数据分析师');

    // Over customers, whose phone the analyst's role hides.
    const overRecords = await analyst.post('/cdp/segments/preview', {
      name: 'x',
      object: 'customer',
      rule: { trait: 'phone', op: 'contains', value: '1883041' },
    });
    assert.equal(overRecords.status, 422, JSON.stringify(overRecords.body));
    assert.match(overRecords.headers.get('content-type') ?? '', /problem\+json/);
    const err = overRecords.body.errors[0];
    assert.equal(err.field, 'rule.trait');
    assert.equal(err.code, 'cdp.rule_field_access');
    assert.match(err.message, /需要完整查看「.+」的权限/);

    // The same through a profile rule's CRM condition, nested: the path names the condition.
    const crm = await analyst.post('/cdp/segments/preview', {
      name: 'x',
      rule: {
        and: [
          { trait: 'plan', op: 'exists' },
          { crm: 'customer', field: 'phone', op: 'contains', value: '188' },
        ],
      },
    });
    assert.equal(crm.status, 422, JSON.stringify(crm.body));
    assert.equal(crm.body.errors[0].field, 'rule.and.1.field');

    // A tag preview is the same oracle.
    const tag = await analyst.post('/cdp/tags/preview', {
      key: 'probe',
      name: 'probe',
      kind: 'attribute',
      object: 'customer',
      rule: { trait: 'phone', op: 'contains', value: '1883041' },
    });
    assert.equal(tag.status, 422, JSON.stringify(tag.body));

    // Masked is not enough either: the 总部销售经理 sees customer phones masked.
    const manager = await loginAsRole(env, seed, '总部销售经理');
    const masked = await manager.post('/cdp/segments/preview', {
      name: 'x',
      object: 'customer',
      rule: { trait: 'phone', op: 'contains', value: '1883041' },
    });
    assert.equal(masked.status, 422, JSON.stringify(masked.body));
    // … and saving it is refused as well: the system would evaluate it for everyone.
    const saved = await manager.post('/cdp/segments', {
      name: '手机号段',
      object: 'customer',
      rule: { trait: 'phone', op: 'contains', value: '1883041' },
    });
    assert.equal(saved.status, 422, JSON.stringify(saved.body));

    // Someone who reads phones in full may still use them.
    const full = await ok(
      admin.post('/cdp/segments/preview', {
        name: 'x',
        object: 'customer',
        rule: { trait: 'phone', op: 'contains', value: '1883041' },
      }),
    );
    assert.equal(full.count, 1);
  });

  it('refuses a personal trait without profile:unmask, in the caller’s language, on preview, save and update', async () => {
    const { seed, admin, key, tenantId } = await tenantWithSource(env, 2);
    await sendBatch(env, key, [
      { type: 'identify', userId: 'p1', traits: { name: '韩梅梅', phone: '13912340002', plan: 'gold' } },
    ]);
    await drainBackground(env, tenantId);
    await grant(admin, '数据分析师', ['cdp:manage']);
    const analyst = await loginAsRole(env, seed, '数据分析师');
    const rule = {
      or: [
        { trait: 'plan', op: 'eq', value: 'gold' },
        { trait: 'phone', op: 'contains', value: '139' },
      ],
    };

    const zh = await analyst.post('/cdp/segments/preview', { name: 'x', rule });
    assert.equal(zh.status, 422, JSON.stringify(zh.body));
    assert.deepEqual(
      zh.body.errors.map((e: any) => [e.field, e.message]),
      [['rule.or.1.trait', '需要完整查看「手机」的权限']],
    );
    analyst.locale = 'en-US';
    const en = await analyst.post('/cdp/segments/preview', { name: 'x', rule });
    assert.equal(en.status, 422);
    assert.equal(en.body.errors[0].message, 'You need full access to “Phone” to filter on it');

    // Score rules and event property filters of a tag are checked too, each at its own path.
    const score = await analyst.post('/cdp/tags', {
      key: 'score_probe',
      name: 'score',
      kind: 'score',
      config: {
        scores: [
          { rule: { trait: 'plan', op: 'eq', value: 'gold' }, points: 1 },
          { rule: { trait: 'name', op: 'contains', value: '韩' }, points: 1 },
          {
            rule: {
              event: 'Signed Up',
              where: [{ prop: 'email', op: 'contains', value: '@' }],
              withinDays: 7,
              op: 'gte',
              value: 1,
            },
            points: 1,
          },
        ],
      },
    });
    assert.equal(score.status, 422, JSON.stringify(score.body));
    assert.deepEqual(
      score.body.errors.map((e: any) => e.field),
      ['config.scores.1.rule.trait', 'config.scores.2.rule.where.0.prop'],
    );

    // A segment on harmless traits saves; changing its rule to a personal trait does not.
    const seg = await ok(
      analyst.post('/cdp/segments', { name: '金卡', rule: { trait: 'plan', op: 'eq', value: 'gold' } }),
      201,
    );
    const upd = await analyst.patch(`/cdp/segments/${seg.id}`, { rule });
    assert.equal(upd.status, 422, JSON.stringify(upd.body));
    // Renaming a segment someone else built on a personal trait is not a new oracle: it saves.
    const byAdmin = await ok(admin.post('/cdp/segments', { name: '139 号段', rule }), 201);
    await ok(analyst.patch(`/cdp/segments/${byAdmin.id}`, { name: '139 号段（旧）', rule: byAdmin.rule }));
    // The administrator (profile:unmask) previews the same rule.
    assert.equal((await ok(admin.post('/cdp/segments/preview', { name: 'x', rule }))).count, 1);
  });

  it('counts, lists and exports only the viewer’s own customers for a salesperson with own scope', async () => {
    const { seed, admin, tenantId } = await tenantWithSource(env, 40);
    await grant(admin, '销售顾问', ['cdp:read', 'segment:export']);
    const sales = await login(env, seed.slug, 'sun.lei');
    const own = await countOf(sales, 'customer');
    const all = await countOf(admin, 'customer');
    assert.ok(own > 0 && own < all, `own ${own} of ${all}`);
    const everyone = { trait: 'name', op: 'exists' };

    const mine = await ok(
      sales.post('/cdp/segments/preview', { name: 'x', object: 'customer', rule: everyone }),
    );
    assert.deepEqual(mine, { count: own, total: own });
    const theirs = await ok(
      admin.post('/cdp/segments/preview', { name: 'x', object: 'customer', rule: everyone }),
    );
    assert.deepEqual(theirs, { count: all, total: all });
    const tagPreview = await ok(
      sales.post('/cdp/tags/preview', {
        key: 'x',
        name: 'x',
        kind: 'attribute',
        object: 'customer',
        rule: everyone,
      }),
    );
    assert.equal(tagPreview.coverage, own);

    // A saved segment is computed tenant-wide; every read of it is the reader's scope.
    const seg = await ok(
      admin.post('/cdp/segments', { name: '全部客户', object: 'customer', rule: everyone }),
      201,
    );
    await ok(
      admin.post('/cdp/tags', {
        key: 'every_customer',
        name: '全部',
        kind: 'attribute',
        object: 'customer',
        rule: everyone,
      }),
      201,
    );
    await drainBackground(env, tenantId);
    assert.equal(seg.memberCount, all);
    assert.equal((await ok(sales.get(`/cdp/segments/${seg.id}`))).memberCount, own);
    assert.equal(
      (await ok(sales.get('/cdp/segments'))).items.find((s: any) => s.id === seg.id).memberCount,
      own,
    );
    const tags = (await ok(sales.get('/cdp/tags?object=customer'))).items;
    assert.equal(tags.find((t: any) => t.key === 'every_customer').coverage, own);
    const ownIds = new Set(
      (await ok(sales.get('/records/customer?limit=200'))).items.map((c: { id: string }) => c.id),
    );
    const members = (await ok(sales.get(`/cdp/segments/${seg.id}/members?limit=500`))).items;
    assert.equal(members.length, own);
    assert.ok(members.every((m: { id: string }) => ownIds.has(m.id)));
    const csv = await sales.get(`/cdp/segments/${seg.id}/export`);
    assert.equal(csv.status, 200);
    const rows = String(csv.body).trim().split('\n').slice(1);
    assert.equal(rows.length, own);
    assert.ok(rows.every((line) => ownIds.has(line.split(',')[0]!)));
    assert.deepEqual((await ok(sales.get(`/cdp/segments/${seg.id}/history`))).items, []);
    assert.ok((await ok(admin.get(`/cdp/segments/${seg.id}/history`))).items.length > 0);
  });

  it('evaluates a profile rule’s CRM condition only over the CRM records the viewer may see', async () => {
    const { seed, admin, key, tenantId } = await tenantWithSource(env, 2);
    await grant(admin, '销售顾问', ['cdp:read']);
    const sales = await login(env, seed.slug, 'sun.lei');
    await ok(sales.post('/records/contact', { name: '孙磊的联系人', phone: '13912347001' }), 201);
    await ok(admin.post('/records/contact', { name: '别人的联系人', phone: '13912347002' }), 201);
    await sendBatch(env, key, [
      { type: 'identify', userId: 'a', traits: { phone: '13912347001', plan: 'gold' } },
      { type: 'identify', userId: 'b', traits: { phone: '13912347002', plan: 'gold' } },
    ]);
    await drainBackground(env, tenantId);
    const rule = { crm: 'contact', field: 'name', op: 'contains', value: '联系人' };
    assert.equal((await ok(admin.post('/cdp/segments/preview', { name: 'x', rule }))).count, 2);
    assert.equal((await ok(sales.post('/cdp/segments/preview', { name: 'x', rule }))).count, 1);
    const tag = await ok(sales.post('/cdp/tags/preview', { key: 'x', name: 'x', kind: 'crm', rule }));
    assert.equal(tag.coverage, 1);
    assert.equal(tag.samples.filter((s: { value: unknown }) => s.value === true).length, 1);
  });

  it('does not offer personal event properties to a rule builder who may not use them', async () => {
    const { seed, admin, key, tenantId } = await tenantWithSource(env, 1);
    await sendBatch(env, key, [
      {
        type: 'track',
        userId: 'e1',
        event: 'Signed Up',
        properties: { email: 'a@example.com', plan: 'gold' },
      },
    ]);
    await drainBackground(env, tenantId);
    const keys = async (c: Client) =>
      (await ok(c.get('/cdp/event-properties?event=Signed%20Up'))).items
        .map((p: { key: string }) => p.key)
        .sort();
    assert.deepEqual(await keys(admin), ['email', 'plan']);
    assert.deepEqual(await keys(await loginAsRole(env, seed, '数据分析师')), ['plan']);
  });

  it('refuses a rule naming a tag the tenant does not have', async () => {
    const { admin } = await tenantWithSource(env, 1);
    const r = await admin.post('/cdp/segments/preview', { name: 'x', rule: { tag: 'no_such_tag' } });
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.errors[0].field, 'rule.tag');
  });
});
