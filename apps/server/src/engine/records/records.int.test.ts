import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { countRows, createMany, listAll, marker, uniqueMobile } from '../../testing/fixtures.ts';
import { getTestEnv, login, newTenant, type TestEnv } from '../../testing/harness.ts';

let env: TestEnv;
before(async () => {
  env = await getTestEnv();
});
after(() => env.close());

const PROBLEM = 'application/problem+json';
const ctype = (h: Headers) => h.get('content-type')?.split(';')[0];
const DAY = 86_400_000;

async function adminOf(customers = 0) {
  const seed = await newTenant(env, customers);
  return { seed, admin: await login(env, seed.slug, 'admin') };
}

describe('records API', () => {
  it('creates, reads, updates, soft-deletes and restores a record', async () => {
    const { admin } = await adminOf();
    const name = marker('上海');
    const created = await admin.post('/records/customer', {
      name,
      phone: '+86 138 0013 8000',
      level: 'A',
      annualRevenue: { amount: 1_000_000, currency: 'CNY' },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.version, 1);
    assert.equal(created.body.phone, '13800138000', 'phones are stored normalised');
    assert.equal(created.body.kind, 'company', 'defaults apply');
    const id = created.body.id;
    assert.equal((await admin.get(`/records/customer/${id}`)).body.name, name);
    const updated = await admin.patch(`/records/customer/${id}`, { version: 1, level: 'B', remark: '跟进' });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.version, 2);
    assert.equal(updated.body.level, 'B');
    assert.equal((await admin.del(`/records/customer/${id}`)).status, 204);
    const live = await admin.get(`/records/customer?q=${name}&count=true`);
    assert.equal(live.body.total, 0, 'a deleted record leaves the list');
    const bin = await admin.get(`/records/customer?q=${name}&deleted=true`);
    assert.deepEqual(
      bin.body.items.map((r: any) => r.id),
      [id],
    );
    assert.ok(bin.body.items[0].deletedAt);
    assert.equal(
      (await admin.patch(`/records/customer/${id}`, { version: 3, level: 'C' })).status,
      404,
      'a deleted record cannot be edited',
    );
    const restored = await admin.post(`/records/customer/${id}/restore`);
    assert.equal(restored.status, 200);
    assert.equal(restored.body.deletedAt, null);
    assert.equal((await admin.get(`/records/customer?q=${name}&count=true`)).body.total, 1);
    assert.equal(
      (await admin.post(`/records/customer/${id}/restore`)).status,
      404,
      'restoring a live record is not found',
    );
    const timeline = await admin.get(`/records/customer/${id}/timeline`);
    assert.deepEqual(
      timeline.body.items.map((i: any) => i.action),
      ['restore', 'delete', 'update', 'create'],
    );
  });

  it('answers validation errors as problem+json with messages in zh-CN or en-US per Accept-Language', async () => {
    const { admin } = await adminOf();
    const body = { name: '', phone: '12345', email: 'nope', kind: 'alien', employees: -3 };
    const zh = await admin.post('/records/customer', body);
    assert.equal(zh.status, 422);
    assert.equal(ctype(zh.headers), PROBLEM);
    assert.equal(zh.body.code, 'validation');
    assert.equal(zh.body.title, '输入有误');
    assert.equal(zh.body.detail, '5 个字段有误');
    const byField = Object.fromEntries(zh.body.errors.map((e: any) => [e.field, e]));
    assert.equal(byField.name.code, 'required');
    assert.equal(byField.name.message, '必填');
    assert.equal(byField.phone.message, '请输入有效的中国大陆手机号或座机号');
    assert.equal(byField.email.code, 'email_format');
    assert.equal(byField.kind.message, '“alien”不是可选值');
    assert.equal(byField.employees.message, '不能小于 0');
    admin.locale = 'en-US';
    const en = await admin.post('/records/customer', body);
    assert.equal(en.body.title, 'Invalid input');
    assert.equal(en.body.detail, '5 field(s) are invalid');
    assert.equal(
      en.body.errors.find((e: any) => e.field === 'phone').message,
      'Enter a valid mainland China mobile or landline number',
    );
    const unknown = await admin.post('/records/customer', { name: 'x', nonsense: 1 });
    assert.equal(unknown.body.errors[0].code, 'unknown_field');
    assert.equal(unknown.body.errors[0].message, 'Unknown field');
  });

  it('lets exactly one of two concurrent PATCHes with the same version win; the other gets 409', async () => {
    const { admin } = await adminOf();
    const id = (await admin.post('/records/customer', { name: marker('并发') })).body.id;
    for (let round = 0; round < 3; round++) {
      const version = (await admin.get(`/records/customer/${id}`)).body.version;
      const results = await Promise.all([
        admin.patch(`/records/customer/${id}`, { version, remark: `a${round}` }),
        admin.patch(`/records/customer/${id}`, { version, remark: `b${round}` }),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 409], `round ${round}`);
      const loser = results.find((r) => r.status === 409)!;
      assert.equal(loser.body.code, 'conflict');
      assert.equal(ctype(loser.headers), PROBLEM);
      const winner = results.find((r) => r.status === 200)!;
      const now = (await admin.get(`/records/customer/${id}`)).body;
      assert.equal(now.version, version + 1);
      assert.equal(now.remark, winner.body.remark);
    }
  });

  it('bulk-creates 1000 rows atomically: one bad row → 422 naming it and nothing stored', async () => {
    const { seed, admin } = await adminOf();
    const tag = marker('B');
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      name: `${tag}-${i}`,
      phone: i === 517 ? 'not a phone' : undefined,
    }));
    const res = await admin.post('/records/customer/bulk', { op: 'create', atomic: true, records: rows });
    assert.equal(res.status, 422);
    assert.equal(ctype(res.headers), PROBLEM);
    assert.deepEqual(
      res.body.errors.map((e: any) => [e.field, e.code]),
      [['records[517].phone', 'phone_format']],
    );
    assert.equal(await countRows(env, seed.tenantId, 'customers', sql`name like ${`${tag}-%`}`), 0);
    const good = await admin.post('/records/customer/bulk', {
      op: 'create',
      atomic: true,
      records: rows.map((r, i) => (i === 517 ? { name: r.name } : r)),
    });
    assert.equal(good.status, 200);
    assert.equal(good.body.results.length, 1000);
    assert.equal(await countRows(env, seed.tenantId, 'customers', sql`name like ${`${tag}-%`}`), 1000);
  });

  it('bulk-creates non-atomically with per-row results, and refuses more than 1000 rows', async () => {
    const { seed, admin } = await adminOf();
    const tag = marker('N');
    const res = await admin.post('/records/customer/bulk', {
      op: 'create',
      atomic: false,
      records: [{ name: `${tag}-0` }, { name: `${tag}-1`, email: 'bad' }, { name: `${tag}-2` }],
    });
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.results.map((r: any) => r.ok),
      [true, false, true],
    );
    assert.equal(res.body.results[1].errors[0].field, 'email');
    assert.equal(await countRows(env, seed.tenantId, 'customers', sql`name like ${`${tag}-%`}`), 2);
    const tooMany = await admin.post('/records/customer/bulk', {
      op: 'create',
      records: Array.from({ length: 1001 }, (_, i) => ({ name: `${tag}-x${i}` })),
    });
    assert.equal(tooMany.status, 422);
    assert.equal(tooMany.body.errors[0].field, 'records');
    assert.equal(await countRows(env, seed.tenantId, 'customers', sql`name like ${`${tag}-x%`}`), 0);
  });

  it('filters with eq, in, contains, between, isEmpty and relative dates', async () => {
    const { admin } = await adminOf();
    const now = Date.now();
    const data = [
      {
        name: '杭州西湖贸易',
        industry: 'retail',
        employees: 10,
        lastContactedAt: new Date(now - 2 * DAY).toISOString(),
        remark: 'vip',
      },
      {
        name: '杭州滨江科技',
        industry: 'it',
        employees: 50,
        lastContactedAt: new Date(now - 40 * DAY).toISOString(),
      },
      {
        name: '上海浦东制造',
        industry: 'manufacturing',
        employees: 200,
        lastContactedAt: new Date(now).toISOString(),
      },
      { name: '广州天河零售', industry: 'retail', employees: null, remark: 'later' },
      {
        name: '深圳南山信息',
        industry: 'it',
        employees: 120,
        lastContactedAt: new Date(now - 400 * DAY).toISOString(),
      },
    ];
    const ids = await createMany(admin, 'customer', data);
    const byName = new Map(data.map((d, i) => [d.name, ids[i]]));
    const q = async (filter: unknown) => {
      const r = await admin.post('/records/customer/query', { filter, limit: 200 });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.items.map((x: any) => x.name).sort();
    };
    assert.deepEqual(await q({ field: 'industry', op: 'eq', value: 'retail' }), [
      '广州天河零售',
      '杭州西湖贸易',
    ]);
    assert.deepEqual(await q({ field: 'industry', op: 'in', value: ['it', 'manufacturing'] }), [
      '上海浦东制造',
      '杭州滨江科技',
      '深圳南山信息',
    ]);
    assert.deepEqual(await q({ field: 'name', op: 'contains', value: '杭州' }), [
      '杭州滨江科技',
      '杭州西湖贸易',
    ]);
    assert.deepEqual(await q({ field: 'employees', op: 'between', value: [10, 120] }), [
      '杭州滨江科技',
      '杭州西湖贸易',
      '深圳南山信息',
    ]);
    assert.deepEqual(await q({ field: 'employees', op: 'isEmpty' }), ['广州天河零售']);
    assert.deepEqual(await q({ field: 'lastContactedAt', op: 'inLastDays', value: 7 }), [
      '上海浦东制造',
      '杭州西湖贸易',
    ]);
    assert.deepEqual(await q({ field: 'lastContactedAt', op: 'today' }), ['上海浦东制造']);
    assert.deepEqual(
      await q({
        and: [{ field: 'industry', op: 'eq', value: 'retail' }, { not: { field: 'remark', op: 'isEmpty' } }],
      }),
      ['广州天河零售', '杭州西湖贸易'],
    );
    assert.deepEqual(
      await q({
        or: [
          { field: 'employees', op: 'gt', value: 150 },
          { field: 'remark', op: 'eq', value: 'later' },
        ],
      }),
      ['上海浦东制造', '广州天河零售'],
    );
    // The same filter as a GET query parameter.
    const get = await admin.get(
      `/records/customer?filter=${encodeURIComponent(JSON.stringify({ field: 'industry', op: 'eq', value: 'it' }))}&count=true`,
    );
    assert.equal(get.body.total, 2);
    assert.ok(
      get.body.items.every((r: any) =>
        [byName.get('杭州滨江科技'), byName.get('深圳南山信息')].includes(r.id),
      ),
    );
    const bad = await admin.post('/records/customer/query', {
      filter: { field: 'employees', op: 'contains', value: '1' },
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].code, 'bad_op');
  });

  it('returns each record exactly once across cursor pages for any sort, with nulls and ties', async () => {
    const { admin } = await adminOf();
    const tag = marker('S');
    const rows = Array.from({ length: 37 }, (_, i) => ({
      name: `${tag}-${String(i % 9).padStart(2, '0')}-${i}`,
      employees: i % 5 === 0 ? null : i % 4,
      annualRevenue: i % 3 ? { amount: (i % 6) * 100, currency: 'CNY' } : null,
    }));
    const ids = await createMany(admin, 'customer', rows);
    for (const sort of ['employees', '-employees', 'name', '-name', 'annualRevenue', '-createdAt', 'id']) {
      const { items, total, pages } = await listAll(admin, `/records/customer?q=${tag}&sort=${sort}`, 4);
      assert.equal(total, 37, sort);
      assert.equal(items.length, 37, sort);
      assert.equal(new Set(items.map((r) => r.id)).size, 37, `${sort}: no duplicates`);
      assert.deepEqual(new Set(items.map((r) => r.id)), new Set(ids), `${sort}: no record missing`);
      assert.equal(pages, 10, sort);
      const key = sort.replace('-', '');
      const vals = items.map((r) => (key === 'annualRevenue' ? (r[key]?.amount ?? null) : r[key]));
      const nonNull = vals.filter((v) => v !== null);
      const sorted = [...nonNull].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      if (sort.startsWith('-')) sorted.reverse();
      assert.deepEqual(nonNull, sorted, `${sort}: ordered`);
      assert.ok(
        vals.slice(nonNull.length).every((v) => v === null),
        `${sort}: nulls last`,
      );
    }
    const badCursor = await admin.get('/records/customer?cursor=garbage');
    assert.equal(badCursor.status, 400);
    assert.equal(badCursor.body.code, 'bad_request');
  });

  it('creates a custom field, writes and filters by it, and reports a unique collision on the field', async () => {
    const { admin } = await adminOf();
    const f = await admin.post('/meta/objects/customer/fields', {
      apiName: 'member_no',
      type: 'text',
      unique: true,
      label: { 'zh-CN': '会员号', 'en-US': 'Member no.' },
    });
    assert.equal(f.status, 201);
    assert.equal(f.body.apiName, 'c_member_no');
    const desc = await admin.get('/meta/objects/customer');
    assert.ok(desc.body.fields.some((x: any) => x.apiName === 'c_member_no' && x.isCustom && x.unique));
    const a = await admin.post('/records/customer', { name: marker('会员'), c_member_no: 'VIP-001' });
    assert.equal(a.status, 201);
    assert.equal(a.body.c_member_no, 'VIP-001');
    await admin.post('/records/customer', { name: marker('会员'), c_member_no: 'VIP-002' });
    const found = await admin.post('/records/customer/query', {
      filter: { field: 'c_member_no', op: 'eq', value: 'VIP-001' },
      count: true,
    });
    assert.equal(found.body.total, 1);
    assert.equal(found.body.items[0].id, a.body.id);
    const sorted = await admin.get('/records/customer?sort=-c_member_no&limit=2');
    assert.deepEqual(
      sorted.body.items.map((r: any) => r.c_member_no),
      ['VIP-002', 'VIP-001'],
    );
    const dup = await admin.post('/records/customer', { name: marker('重复'), c_member_no: 'VIP-001' });
    assert.ok([409, 422].includes(dup.status));
    assert.equal(ctype(dup.headers), PROBLEM);
    assert.deepEqual(
      dup.body.errors.map((e: any) => [e.field, e.code]),
      [['c_member_no', 'unique']],
    );
    const dupPatch = await admin.patch(`/records/customer/${a.body.id}`, {
      version: 1,
      c_member_no: 'VIP-002',
    });
    assert.ok([409, 422].includes(dupPatch.status));
    // Writing the record's own value again is not a collision.
    assert.equal(
      (
        await admin.patch(`/records/customer/${a.body.id}`, {
          version: 1,
          c_member_no: 'VIP-001',
          remark: 'same',
        })
      ).status,
      200,
    );
  });

  it('runs a custom object through the same create, list, read, update, delete and restore API', async () => {
    const { admin, seed } = await adminOf();
    const obj = await admin.post('/meta/objects', {
      apiName: 'vehicle',
      label: { 'zh-CN': '车辆', 'en-US': 'Vehicle' },
    });
    assert.equal(obj.status, 201);
    assert.equal(
      (
        await admin.post('/meta/objects/vehicle/fields', {
          apiName: 'vin',
          type: 'text',
          required: true,
          label: { 'zh-CN': '车架号', 'en-US': 'VIN' },
        })
      ).status,
      201,
    );
    assert.equal(
      (
        await admin.post('/meta/objects/vehicle/fields', {
          apiName: 'price',
          type: 'currency',
          label: { 'zh-CN': '价格', 'en-US': 'Price' },
        })
      ).status,
      201,
    );
    const missing = await admin.post('/records/vehicle', { name: '问界 M9' });
    assert.equal(missing.status, 422);
    assert.equal(missing.body.errors[0].field, 'c_vin');
    const car = await admin.post('/records/vehicle', {
      name: '问界 M9',
      c_vin: 'LSVAM4187C2184847',
      c_price: { amount: 46_980_000, currency: 'CNY' },
    });
    assert.equal(car.status, 201);
    const id = car.body.id;
    const list = await admin.get('/records/vehicle?count=true');
    assert.equal(list.body.total, 1);
    assert.equal(list.body.items[0].c_vin, 'LSVAM4187C2184847');
    const upd = await admin.patch(`/records/vehicle/${id}`, { version: 1, name: '问界 M9 2026' });
    assert.equal(upd.body.version, 2);
    assert.equal(upd.body.c_price.amount, 46_980_000, 'untouched custom values survive an update');
    assert.equal(
      (await admin.get('/meta/objects')).body.items.some((o: any) => o.apiName === 'vehicle' && o.isCustom),
      true,
    );
    assert.equal((await admin.del(`/records/vehicle/${id}`)).status, 204);
    assert.equal((await admin.get('/records/vehicle?count=true')).body.total, 0);
    assert.equal((await admin.post(`/records/vehicle/${id}/restore`)).status, 200);
    // A custom object's records are not reachable as another object sharing the table.
    assert.equal((await admin.get(`/records/customer/${id}`)).status, 404);
    assert.equal((await admin.del('/meta/objects/vehicle')).status, 204);
    assert.equal((await admin.get('/records/vehicle')).status, 404);
    assert.equal(
      await countRows(env, seed.tenantId, 'custom_records', sql`object = 'vehicle'`),
      1,
      'deleting the object keeps its data',
    );
  });

  it('replays an Idempotency-Key with the first response and stores one record', async () => {
    const { seed, admin } = await adminOf();
    const name = marker('幂等');
    const key = `create-${marker('k')}`;
    const first = await admin.post('/records/customer', { name }, { 'idempotency-key': key });
    assert.equal(first.status, 201);
    const again = await admin.post('/records/customer', { name }, { 'idempotency-key': key });
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replay'), 'true');
    assert.deepEqual(again.body, first.body);
    assert.equal(await countRows(env, seed.tenantId, 'customers', sql`name = ${name}`), 1);
    const other = await admin.post('/records/customer', { name: `${name}-2` }, { 'idempotency-key': key });
    assert.equal(other.status, 422);
    assert.equal(await countRows(env, seed.tenantId, 'customers', sql`name = ${`${name}-2`}`), 0);
    // A failed attempt does not consume its key.
    const failKey = `${key}-fail`;
    assert.equal(
      (await admin.post('/records/customer', { name: '' }, { 'idempotency-key': failKey })).status,
      422,
    );
  });

  it('answers an oversize JSON body with 413 and malformed JSON with 400, both as problems', async () => {
    const { admin } = await adminOf();
    const big = await admin.request(
      'POST',
      '/records/customer',
      JSON.stringify({ name: 'x', remark: 'x'.repeat(1_200_000) }),
      { 'content-type': 'application/json' },
    );
    assert.equal(big.status, 413);
    assert.equal(ctype(big.headers), PROBLEM);
    assert.equal(big.body.code, 'payload_too_large');
    const broken = await admin.request('POST', '/records/customer', '{"name": "x",', {
      'content-type': 'application/json',
    });
    assert.equal(broken.status, 400);
    assert.equal(ctype(broken.headers), PROBLEM);
    assert.equal(broken.body.code, 'bad_request');
    assert.equal(broken.body.detail, '请求体不是有效的 JSON');
  });

  it('keeps phones unique per record only where a field says so, and finds a record by any phone spelling', async () => {
    const { admin } = await adminOf();
    const phone = uniqueMobile();
    await createMany(admin, 'customer', [
      { name: marker('甲'), phone },
      { name: marker('乙'), phone },
    ]);
    const found = await admin.get(`/records/customer?q=${encodeURIComponent(`0086-${phone}`)}&count=true`);
    assert.equal(found.body.total, 2);
  });
});
