import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { marker } from '../../testing/fixtures.ts';
import { type Client, getTestEnv, login, newTenant, type TestEnv } from '../../testing/harness.ts';
import { importFile } from './import/test-kit.ts';

let env: TestEnv;
before(async () => {
  env = await getTestEnv();
});
after(() => env.close());

const PROBLEM = 'application/problem+json';

async function tenantWithUniqueField(type = 'text') {
  const seed = await newTenant(env, 0);
  const admin = await login(env, seed.slug, 'admin');
  const f = await admin.post('/meta/objects/customer/fields', {
    apiName: 'member_no',
    type,
    unique: true,
    label: { 'zh-CN': '会员号', 'en-US': 'Member no.' },
  });
  assert.equal(f.status, 201, JSON.stringify(f.body));
  return { seed, admin };
}

const create = (c: Client, memberNo: unknown) =>
  c.post('/records/customer', { name: marker('会员'), c_member_no: memberNo });

const claims = (tenantId: string, field = 'c_member_no') =>
  inTenant(env.database.db, tenantId, async (tx) =>
    (
      await sql<{
        value_key: string;
        record_id: string;
      }>`select value_key, record_id from record_unique_values
        where tenant_id = ${tenantId} and field = ${field} order by value_key`.execute(tx)
    ).rows.map((r) => [r.value_key, r.record_id]),
  );

describe('unique fields', () => {
  it('lets exactly one of 10 concurrent creates with the same value through; the others get 422 naming the field', async () => {
    const { seed, admin } = await tenantWithUniqueField();
    const results = await Promise.all(Array.from({ length: 10 }, () => create(admin, 'VIP-RACE')));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 422, 422, 422, 422, 422, 422, 422, 422, 422]);
    for (const r of results.filter((x) => x.status === 422)) {
      assert.equal(r.headers.get('content-type')?.split(';')[0], PROBLEM);
      assert.deepEqual(
        r.body.errors.map((e: any) => [e.field, e.code, e.message]),
        [['c_member_no', 'unique', '该值已存在']],
      );
    }
    const stored = await admin.post('/records/customer/query', {
      filter: { field: 'c_member_no', op: 'eq', value: 'VIP-RACE' },
      count: true,
    });
    assert.equal(stored.body.total, 1);
    assert.deepEqual(await claims(seed.tenantId), [['VIP-RACE', stored.body.items[0].id]]);
  });

  it('refuses an update to a taken value, frees a value on delete, and refuses restoring a record whose value was reused', async () => {
    const { seed, admin } = await tenantWithUniqueField();
    const a = await create(admin, 'A-1');
    const b = await create(admin, 'B-1');
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    admin.locale = 'en-US';
    const taken = await admin.patch(`/records/customer/${b.body.id}`, { version: 1, c_member_no: 'A-1' });
    assert.equal(taken.status, 422);
    assert.deepEqual(
      taken.body.errors.map((e: any) => [e.field, e.code, e.message]),
      [['c_member_no', 'unique', 'This value already exists']],
    );
    admin.locale = 'zh-CN';
    // Moving to a free value releases the old one at once.
    assert.equal(
      (await admin.patch(`/records/customer/${b.body.id}`, { version: 1, c_member_no: 'B-2' })).status,
      200,
    );
    assert.equal((await create(admin, 'B-1')).status, 201, 'the old value of an updated record is free');
    // Clearing the field releases its value too.
    assert.equal(
      (await admin.patch(`/records/customer/${b.body.id}`, { version: 2, c_member_no: null })).status,
      200,
    );
    assert.equal((await create(admin, 'B-2')).status, 201);

    assert.equal((await admin.del(`/records/customer/${a.body.id}`)).status, 204);
    const reuse = await create(admin, 'A-1');
    assert.equal(reuse.status, 201, 'a soft-deleted record releases its value');
    const restore = await admin.post(`/records/customer/${a.body.id}/restore`);
    assert.equal(restore.status, 409);
    assert.equal(restore.body.detail, '“会员号”的值已存在');
    assert.deepEqual(
      restore.body.errors.map((e: any) => [e.field, e.code]),
      [['c_member_no', 'unique']],
    );
    assert.equal((await admin.del(`/records/customer/${reuse.body.id}`)).status, 204);
    assert.equal(
      (await admin.post(`/records/customer/${a.body.id}/restore`)).status,
      200,
      'free again: restore works',
    );
    const keys = await claims(seed.tenantId);
    assert.deepEqual(
      keys.map(([k]) => k),
      ['A-1', 'B-1', 'B-2'],
    );
    assert.equal(keys[0]![1], a.body.id);
  });

  it('lets another tenant use the same value', async () => {
    const one = await tenantWithUniqueField();
    const two = await tenantWithUniqueField();
    assert.equal((await create(one.admin, 'SHARED-1')).status, 201);
    assert.equal((await create(two.admin, 'SHARED-1')).status, 201);
    assert.equal((await create(two.admin, 'SHARED-1')).status, 422);
  });

  it('reports bulk collisions per row when not atomic and rejects the whole batch when atomic', async () => {
    const { admin } = await tenantWithUniqueField();
    assert.equal((await create(admin, 'OLD-1')).status, 201);
    const rows = [
      { name: marker('批量'), c_member_no: 'NEW-1' },
      { name: marker('批量'), c_member_no: 'OLD-1' },
      { name: marker('批量'), c_member_no: 'NEW-1' },
      { name: marker('批量'), c_member_no: 'NEW-2' },
    ];
    const atomic = await admin.post('/records/customer/bulk', { op: 'create', atomic: true, records: rows });
    assert.equal(atomic.status, 422);
    assert.deepEqual(
      atomic.body.errors.map((e: any) => [e.field, e.code]),
      [['records[2].c_member_no', 'unique']],
      'the in-batch duplicate is named before anything is written',
    );
    const atomic2 = await admin.post('/records/customer/bulk', {
      op: 'create',
      atomic: true,
      records: [rows[0], rows[1]],
    });
    assert.equal(atomic2.status, 422);
    assert.deepEqual(
      atomic2.body.errors.map((e: any) => [e.field, e.code]),
      [['records[1].c_member_no', 'unique']],
    );
    const none = await admin.post('/records/customer/query', {
      filter: { field: 'c_member_no', op: 'eq', value: 'NEW-1' },
      count: true,
    });
    assert.equal(none.body.total, 0, 'an atomic batch that failed claims and stores nothing');
    const loose = await admin.post('/records/customer/bulk', { op: 'create', atomic: false, records: rows });
    assert.equal(loose.status, 200);
    assert.deepEqual(
      loose.body.results.map((r: any) => [r.ok, r.errors?.map((e: any) => `${e.field}:${e.code}`) ?? []]),
      [
        [true, []],
        [false, ['c_member_no:unique']],
        [false, ['c_member_no:unique']],
        [true, []],
      ],
    );
    // Bulk update: a swap onto a taken value fails per row, the rest go through.
    const ids = loose.body.results.filter((r: any) => r.ok).map((r: any) => r.id);
    const upd = await admin.post('/records/customer/bulk', {
      op: 'update',
      atomic: false,
      records: [
        { id: ids[0], c_member_no: 'OLD-1' },
        { id: ids[1], c_member_no: 'NEW-3' },
      ],
    });
    assert.equal(upd.status, 200);
    assert.deepEqual(
      upd.body.results.map((r: any) => [r.ok, r.errors?.map((e: any) => `${e.field}:${e.code}`) ?? []]),
      [
        [false, ['c_member_no:unique']],
        [true, []],
      ],
    );
    assert.equal((await create(admin, 'NEW-2')).status, 201, 'NEW-2 was released by the update to NEW-3');
    assert.equal(
      (await create(admin, 'NEW-1')).status,
      422,
      'NEW-1 stays with the record whose update failed',
    );
  });

  it('compares values the way the field stores them: numbers by value', async () => {
    const { admin } = await tenantWithUniqueField('number');
    assert.equal((await create(admin, 7)).status, 201);
    assert.equal((await create(admin, '7.0')).status, 422);
    assert.equal((await create(admin, 7.5)).status, 201);
  });

  it('guards standard unique fields too (a product code)', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const code = marker('P');
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        admin.post('/records/product', {
          name: `产品${i}`,
          code,
          listPrice: { amount: 10_000, currency: 'CNY' },
        }),
      ),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 422, 422, 422, 422]);
  });

  it('makes a field unique later only when existing records share no value, and then claims them', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const f = await admin.post('/meta/objects/customer/fields', {
      apiName: 'card_no',
      type: 'text',
      label: { 'zh-CN': '卡号', 'en-US': 'Card no.' },
    });
    assert.equal(f.status, 201);
    const mk = (v: string) => admin.post('/records/customer', { name: marker('卡'), c_card_no: v });
    const x1 = await mk('C-1');
    const x2 = await mk('C-1');
    await mk('C-2');
    const refused = await admin.patch('/meta/objects/customer/fields/c_card_no', { unique: true });
    assert.equal(refused.status, 409);
    assert.equal(refused.headers.get('content-type')?.split(';')[0], PROBLEM);
    assert.match(refused.body.detail, /已有 1 个值被多条记录重复使用.*“卡号”/);
    assert.equal(refused.body.errors[0].field, 'unique');
    admin.locale = 'en-US';
    const refusedEn = await admin.patch('/meta/objects/customer/fields/c_card_no', { unique: true });
    assert.match(refusedEn.body.detail, /1 value\(s\) are shared by more than one record.*"Card no\."/);
    admin.locale = 'zh-CN';
    const desc = await admin.get('/meta/objects/customer');
    assert.equal(
      desc.body.fields.find((x: any) => x.apiName === 'c_card_no').unique,
      false,
      'nothing changed',
    );

    assert.equal(
      (await admin.patch(`/records/customer/${x2.body.id}`, { version: 1, c_card_no: 'C-3' })).status,
      200,
    );
    assert.equal(
      (await admin.patch('/meta/objects/customer/fields/c_card_no', { unique: true })).status,
      200,
    );
    assert.deepEqual(
      (await claims(seed.tenantId, 'c_card_no')).map(([k]) => k),
      ['C-1', 'C-2', 'C-3'],
    );
    assert.equal((await mk('C-1')).status, 422);
    assert.equal((await mk('C-4')).status, 201);
    assert.equal(x1.status, 201);
    // Not unique any more: the claims go, duplicates are allowed again.
    assert.equal(
      (await admin.patch('/meta/objects/customer/fields/c_card_no', { unique: false })).status,
      200,
    );
    assert.deepEqual(await claims(seed.tenantId, 'c_card_no'), []);
    assert.equal((await mk('C-1')).status, 201);
  });

  it('refuses import rows whose value belongs to an existing record or an earlier row, per row', async () => {
    const { seed, admin } = await tenantWithUniqueField();
    assert.equal((await create(admin, 'IMP-1')).status, 201);
    const csv = '客户名称,会员号\n甲,IMP-1\n乙,IMP-2\n丙,IMP-2\n丁,IMP-3\n';
    const { upload, status } = await importFile(env, admin, { name: 'u.csv', body: csv });
    assert.equal(status.status, 'done');
    assert.equal(status.created, 2);
    assert.equal(status.failed, 2);
    const errors = await inTenant(env.database.db, seed.tenantId, async (tx) =>
      (
        await sql<{
          line: number;
          field: string;
          message: string;
        }>`select line, field, message from import_errors
          where tenant_id = ${seed.tenantId} and import_id = ${upload.id} order by line`.execute(tx)
      ).rows.map((r) => [r.line, r.field, r.message]),
    );
    assert.deepEqual(errors, [
      [2, 'c_member_no', '该值已存在'],
      [4, 'c_member_no', '该值已存在'],
    ]);
    assert.deepEqual(
      (await claims(seed.tenantId)).map(([k]) => k),
      ['IMP-1', 'IMP-2', 'IMP-3'],
    );
  });
});
