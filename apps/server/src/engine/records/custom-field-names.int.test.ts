import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loginAsRole, newTenantWithAdmin, useTestEnv } from '../../testing/harness.ts';

const env = useTestEnv();
const label = (zh: string, en = zh) => ({ 'zh-CN': zh, 'en-US': en });

describe('custom field names, places and list columns', () => {
  it('names a field from its Chinese label in pinyin and numbers a name already taken', async () => {
    const { admin } = await newTenantWithAdmin(env, 0);
    const suggested = await admin.post('/meta/objects/customer/field-name', {
      label: '来源渠道',
      options: ['线上', '线下', '线上'],
    });
    assert.equal(suggested.status, 200);
    assert.deepEqual(suggested.body, {
      apiName: 'laiyuan_qudao',
      optionCodes: ['xianshang', 'xianxia', 'xianshang_2'],
    });
    const first = await admin.post('/meta/objects/customer/fields', {
      type: 'picklist',
      label: label('来源渠道', 'Source channel'),
      options: [
        { label: label('线上') },
        { label: label('线下') },
        { value: 'partner', label: label('渠道商') },
      ],
    });
    assert.equal(first.status, 201);
    assert.equal(first.body.apiName, 'c_laiyuan_qudao');
    const described = (await admin.get('/meta/objects/customer')).body;
    const field = described.fields.find((f: { apiName: string }) => f.apiName === 'c_laiyuan_qudao');
    assert.deepEqual(
      field.options.map((o: { value: string }) => o.value),
      ['xianshang', 'xianxia', 'partner'],
    );
    // The next field with the same label gets the next free name, and the proposal says so first.
    assert.equal(
      (await admin.post('/meta/objects/customer/field-name', { label: '来源渠道' })).body.apiName,
      'laiyuan_qudao_2',
    );
    const second = await admin.post('/meta/objects/customer/fields', {
      type: 'text',
      label: label('来源渠道'),
    });
    assert.equal(second.body.apiName, 'c_laiyuan_qudao_2');
    // A deleted field's name stays reserved.
    assert.equal((await admin.del('/meta/objects/customer/fields/c_laiyuan_qudao_2')).status, 204);
    const third = await admin.post('/meta/objects/customer/fields', {
      type: 'text',
      label: label('来源渠道'),
    });
    assert.equal(third.body.apiName, 'c_laiyuan_qudao_3');
  });

  it('refuses a typed API name that is taken or malformed, with the field named', async () => {
    const { admin } = await newTenantWithAdmin(env, 0);
    const made = await admin.post('/meta/objects/customer/fields', {
      apiName: 'qudao',
      type: 'text',
      label: label('渠道'),
    });
    assert.equal(made.body.apiName, 'c_qudao');
    const again = await admin.post('/meta/objects/customer/fields', {
      apiName: 'qudao',
      type: 'text',
      label: label('渠道二'),
    });
    assert.equal(again.status, 409);
    assert.equal(again.body.errors[0].field, 'apiName');
    const bad = await admin.post('/meta/objects/customer/fields', {
      apiName: '渠道',
      type: 'text',
      label: label('渠道三'),
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].field, 'apiName');
    const empty = await admin.post('/meta/objects/customer/field-name', { label: ' ' });
    assert.equal(empty.status, 422);
    assert.equal(empty.body.errors[0].field, 'label');
  });

  it('places a new field where the admin chose and adds it to the list columns in one step', async () => {
    const { admin } = await newTenantWithAdmin(env, 0);
    const before = (await admin.get('/meta/objects/customer')).body;
    const section = before.layout.sections[0];
    const after = section.fields[0];
    const made = await admin.post('/meta/objects/customer/fields', {
      type: 'text',
      label: label('重点行业', 'Key industry'),
      position: { section: section.key, after },
      addToListColumns: true,
    });
    assert.equal(made.status, 201);
    assert.equal(made.body.apiName, 'c_zhongdian_hangye');
    const described = (await admin.get('/meta/objects/customer')).body;
    const placed = described.layout.sections.find((s: { key: string }) => s.key === section.key).fields;
    assert.equal(placed[placed.indexOf(after) + 1], 'c_zhongdian_hangye');
    assert.equal(described.listColumns.at(-1), 'c_zhongdian_hangye');
    // Once the layout is saved, a field added without a position still shows (in the custom section).
    const later = await admin.post('/meta/objects/customer/fields', { type: 'text', label: label('备注二') });
    const layout = (await admin.get('/meta/objects/customer')).body.layout;
    assert.ok(
      layout.sections.some((s: { fields: string[] }) => s.fields.includes(later.body.apiName)),
      'the later field is on the form',
    );
    // "加入列表列" after creating: a PATCH with the list columns plus the field.
    const patched = await admin.patch('/meta/objects/customer', {
      listColumns: [...described.listColumns, later.body.apiName],
    });
    assert.equal(patched.status, 200);
    assert.equal((await admin.get('/meta/objects/customer')).body.listColumns.at(-1), later.body.apiName);
    const nowhere = await admin.post('/meta/objects/customer/fields', {
      type: 'text',
      label: label('无处'),
      position: { section: section.key, after: 'no_such_field' },
    });
    assert.equal(nowhere.status, 422);
    assert.equal(nowhere.body.errors[0].field, 'position.after');
  });

  it('lets only metadata admins ask for names', async () => {
    const { seed } = await newTenantWithAdmin(env, 0);
    const sales = await loginAsRole(env, seed, '总部销售经理');
    assert.equal((await sales.post('/meta/objects/customer/field-name', { label: '来源' })).status, 403);
  });
});
