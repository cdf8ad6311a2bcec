import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { marker, tenantDirectory, uniqueMobile } from '../../testing/fixtures.ts';
import { type Client, getTestEnv, login, newTenant, type TestEnv } from '../../testing/harness.ts';

const masked = (phone: string) => `${phone.slice(0, 3)}****${phone.slice(-4)}`;
const text = (b: unknown) => (typeof b === 'string' ? b : JSON.stringify(b));

let env: TestEnv;
before(async () => {
  env = await getTestEnv();
});
after(() => env.close());

/** A tenant with one customer (and contact) in store EC-D1-S1 whose phone was changed once. */
async function world() {
  const seed = await newTenant(env, 0);
  const d = await tenantDirectory(env, seed);
  const admin = await login(env, seed.slug, 'admin');
  const first = uniqueMobile();
  const phone = uniqueMobile();
  const name = marker('客户');
  const created = await admin.post('/records/customer', {
    name,
    phone: first,
    email: `${name.toLowerCase()}@example.com`,
    address: '上海市浦东新区张江路88号',
    ownerId: d.user('sun.lei').id,
  });
  assert.equal(created.status, 201, text(created.body));
  const id = created.body.id as string;
  assert.equal((await admin.patch(`/records/customer/${id}`, { version: 1, phone })).status, 200);
  const contactPhone = uniqueMobile();
  const contact = await admin.post('/records/contact', {
    name: marker('联系人'),
    phone: contactPhone,
    customerId: id,
    ownerId: d.user('sun.lei').id,
  });
  assert.equal(contact.status, 201, text(contact.body));
  return { seed, d, admin, id, name, phone, first, contactPhone, contactId: contact.body.id as string };
}

/** Asserts no full phone number of the world appears anywhere in a response. */
function noPhone(where: string, body: unknown, w: { phone: string; first: string; contactPhone: string }) {
  const t = text(body);
  for (const p of [w.phone, w.first, w.contactPhone])
    assert.ok(!t.includes(p), `${where} contains the full phone ${p}`);
}

describe('field masking', () => {
  for (const [role, loginName] of [
    ['客服专员', 'zhou.xiaoyan'],
    ['总部销售经理', 'wang.jianguo'],
  ] as const) {
    it(`never gives a ${role} the full phone in list, detail, search, filter, timeline or metadata`, async () => {
      const w = await world();
      const c = await login(env, w.seed.slug, loginName);
      const list = await c.get('/records/customer?limit=200');
      assert.equal(list.status, 200);
      noPhone('list', list.body, w);
      const row = list.body.items.find((r: any) => r.id === w.id);
      assert.equal(row.phone, masked(w.phone));
      assert.ok(row._masked.includes('phone'));
      const detail = await c.get(`/records/customer/${w.id}`);
      assert.equal(detail.body.phone, masked(w.phone));
      noPhone('detail', detail.body, w);
      // Someone who knows the number finds the record, still masked: by q (any spelling) and by eq.
      for (const q of [w.phone, `+86 ${w.phone.slice(0, 3)}-${w.phone.slice(3, 7)}-${w.phone.slice(7)}`]) {
        const found = await c.get(`/records/customer?q=${encodeURIComponent(q)}`);
        assert.deepEqual(
          found.body.items.map((r: any) => r.id),
          [w.id],
          `q=${q}`,
        );
        noPhone('search', found.body, w);
      }
      const eq = await c.post('/records/customer/query', {
        filter: { field: 'phone', op: 'eq', value: w.phone },
      });
      assert.deepEqual(
        eq.body.items.map((r: any) => r.id),
        [w.id],
      );
      noPhone('filter', eq.body, w);
      // Probing a masked value digit by digit is not allowed, nor is sorting by it.
      for (const op of ['contains', 'startsWith', 'gt']) {
        const probe = await c.post('/records/customer/query', {
          filter: { field: 'phone', op, value: w.phone.slice(0, 5) },
        });
        assert.equal(probe.status, 422, op);
        assert.equal(probe.body.errors[0].code, 'masked_op');
      }
      assert.equal((await c.get('/records/customer?sort=phone')).status, 422);
      const timeline = await c.get(`/records/customer/${w.id}/timeline`);
      assert.equal(timeline.status, 200);
      const change = timeline.body.items
        .flatMap((i: any) => i.changes)
        .find((ch: any) => ch.field === 'phone' && ch.from);
      assert.deepEqual(change, { field: 'phone', from: masked(w.first), to: masked(w.phone) });
      noPhone('timeline', timeline.body, w);
      const contacts = await c.get(
        `/records/contact?filter=${encodeURIComponent(JSON.stringify({ field: 'customerId', op: 'eq', value: w.id }))}`,
      );
      assert.equal(contacts.body.items[0].phone, masked(w.contactPhone));
      noPhone('contacts', contacts.body, w);
      const meta = await c.get('/meta/objects/customer');
      assert.equal(meta.body.fields.find((f: any) => f.apiName === 'phone').access, 'masked');
      assert.equal(meta.body.fields.find((f: any) => f.apiName === 'phone').sortable, false);
      noPhone('metadata', meta.body, w);
      noPhone('openapi', (await c.get('/api/docs/openapi.json')).body, w);
    });
  }

  it('finds a record by a masked name only in full, so a partial search cannot read the name back', async () => {
    const w = await world();
    const role = (await w.admin.get('/admin/roles')).body.items.find((r: any) => r.name === '客服专员');
    const patched = await w.admin.patch(`/admin/roles/${role.id}`, {
      fieldAccess: { ...role.fieldAccess, customer: { ...role.fieldAccess?.customer, name: 'masked' } },
    });
    assert.equal(patched.status, 200, text(patched.body));
    const c = await login(env, w.seed.slug, 'zhou.xiaoyan');
    const ids = async (q: string) =>
      (await c.get(`/records/customer?q=${encodeURIComponent(q)}&limit=200`)).body.items.map(
        (r: any) => r.id,
      );
    assert.deepEqual(await ids(w.name), [w.id], 'the whole name finds it');
    for (const part of [w.name.slice(0, -1), w.name.slice(1), w.name.slice(2, -2)])
      assert.ok(!(await ids(part)).includes(w.id), `a part of a masked name (${part}) finds nothing`);
    const global = await c.get(`/search?q=${encodeURIComponent(w.name.slice(0, -1))}`);
    assert.ok(!text(global.body).includes(w.id), 'nor does the global search');
  });

  it('never shows the full phone in the audit log to 总部销售经理 (admin:audit, phone masked)', async () => {
    const w = await world();
    const c = await login(env, w.seed.slug, 'wang.jianguo');
    const byRecord = await c.get(`/admin/audit?recordId=${w.id}`);
    assert.equal(byRecord.status, 200);
    assert.ok(byRecord.body.items.length >= 2);
    const update = byRecord.body.items.find((a: any) => a.action === 'update');
    assert.deepEqual(
      update.changes.find((ch: any) => ch.field === 'phone'),
      { field: 'phone', from: masked(w.first), to: masked(w.phone) },
    );
    noPhone('audit by record', byRecord.body, w);
    let cursor: string | null = null;
    do {
      const page: { body: any } = await c.get(`/admin/audit?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      noPhone('audit page', page.body, w);
      cursor = page.body.nextCursor;
    } while (cursor);
  });

  it('does not echo stored values in error responses to a masked viewer', async () => {
    const w = await world();
    const c = await login(env, w.seed.slug, 'wang.jianguo');
    // A unique personal custom field: the collision names the field, never the value it collided with.
    const admin = w.admin;
    const field = await admin.post('/meta/objects/customer/fields', {
      apiName: 'backup_mobile',
      type: 'phone',
      unique: true,
      label: { 'zh-CN': '备用手机', 'en-US': 'Backup mobile' },
      classification: 'confidential',
      personalKind: 'phone',
    });
    assert.equal(field.status, 201);
    assert.equal(
      (await admin.patch(`/records/customer/${w.id}`, { version: 2, c_backup_mobile: w.phone })).status,
      200,
    );
    const dup = await c.post('/records/customer', { name: marker('dup'), c_backup_mobile: w.phone });
    assert.ok([409, 422].includes(dup.status), text(dup.body));
    assert.ok(dup.body.errors.some((e: any) => e.field === 'c_backup_mobile' && e.code === 'unique'));
    const dupText = text(dup.body).replaceAll(`"instance":"/api/v1/records/customer"`, '');
    assert.ok(!dupText.includes(w.phone), 'the conflict does not repeat the number');
    assert.ok(!dupText.includes(w.name), 'the conflict does not name the other record');
    // Validation errors and stale-version conflicts do not carry the stored record either.
    const bad = await c.patch(`/records/customer/${w.id}`, {
      version: 3,
      email: 'not-an-email',
      employees: -1,
    });
    assert.equal(bad.status, 422);
    noPhone('validation error', bad.body, w);
    const stale = await c.patch(`/records/customer/${w.id}`, { version: 1, remark: 'x' });
    assert.equal(stale.status, 409);
    noPhone('conflict', stale.body, w);
    // Sending the masked value back unchanged keeps the stored number.
    const roundTrip = await c.patch(`/records/customer/${w.id}`, {
      version: 3,
      phone: masked(w.phone),
      remark: 'round trip',
    });
    assert.equal(roundTrip.status, 200, text(roundTrip.body));
    assert.equal((await admin.get(`/records/customer/${w.id}`)).body.phone, w.phone);
  });

  it('keeps a personal custom field masked after an admin renames it', async () => {
    const w = await world();
    const created = await w.admin.post('/meta/objects/customer/fields', {
      apiName: 'id_card',
      type: 'text',
      label: { 'zh-CN': '身份证号', 'en-US': 'ID card' },
      classification: 'confidential',
      personalKind: 'id_number',
    });
    assert.equal(created.status, 201);
    const idNo = '310101199001011234';
    assert.equal(
      (await w.admin.patch(`/records/customer/${w.id}`, { version: 2, c_id_card: idNo })).status,
      200,
    );
    const renamed = await w.admin.patch('/meta/objects/customer/fields/c_id_card', {
      label: { 'zh-CN': '证件号码', 'en-US': 'ID number' },
    });
    assert.equal(renamed.status, 200);
    const c = await login(env, w.seed.slug, 'zhou.xiaoyan');
    const rec = await c.get(`/records/customer/${w.id}`);
    assert.equal(rec.body.c_id_card, '3101**********1234');
    const meta = await c.get('/meta/objects/customer');
    const f = meta.body.fields.find((x: any) => x.apiName === 'c_id_card');
    assert.equal(f.classification, 'confidential');
    assert.equal(f.personalKind, 'id_number');
    assert.equal(f.access, 'masked');
  });

  it('never gives 数据分析师 the phone at all (hidden), nor lets it filter, sort or search by it', async () => {
    const w = await world();
    const c = await login(env, w.seed.slug, 'li.siyuan');
    const list = await c.get('/records/customer?limit=200');
    assert.equal(list.status, 200);
    const row = list.body.items.find((r: any) => r.id === w.id);
    assert.ok(row, 'the analyst sees the record (tenant scope)');
    assert.equal('phone' in row, false);
    assert.equal('address' in row, false);
    noPhone('analyst list', list.body, w);
    const detail = await c.get(`/records/customer/${w.id}`);
    assert.equal('phone' in detail.body, false);
    noPhone('analyst detail', detail.body, w);
    const contact = await c.get(`/records/contact/${w.contactId}`);
    assert.equal('phone' in contact.body, false);
    for (const op of ['eq', 'isEmpty', 'contains']) {
      const r = await c.post('/records/customer/query', { filter: { field: 'phone', op, value: w.phone } });
      assert.equal(r.status, 422, op);
      assert.equal(r.body.errors[0].code, 'hidden_field');
    }
    const sorted = await c.get('/records/customer?sort=-phone');
    assert.equal(sorted.status, 422);
    assert.equal(sorted.body.errors[0].code, 'hidden_field');
    const search = await c.get(`/records/customer?q=${w.phone}&count=true`);
    assert.equal(search.body.total, 0, 'a hidden phone is not searchable: its existence is not revealed');
    const timeline = await c.get(`/records/customer/${w.id}/timeline`);
    assert.ok(!timeline.body.items.some((i: any) => i.changes.some((ch: any) => ch.field === 'phone')));
    noPhone('analyst timeline', timeline.body, w);
    const meta = await c.get('/meta/objects/customer');
    assert.equal(
      meta.body.fields.some((f: any) => f.apiName === 'phone'),
      false,
    );
    assert.ok(!meta.body.listColumns.includes('phone'));
    const docs = await c.get('/api/docs/openapi.json');
    assert.equal('phone' in docs.body.components.schemas.Record_customer.properties, false);
    const exp = await c.get('/records/customer/export?format=csv');
    if (exp.status === 200) noPhone('analyst export', exp.body, w);
    const writeAttempt = await c.post(`/records/customer/${w.id}/unmask`, { field: 'phone' });
    assert.equal(writeAttempt.status, 403);
  });

  it('unmasks only with <object>:unmask, returning the full value and writing an unmask audit row', async () => {
    const w = await world();
    const cs = await login(env, w.seed.slug, 'zhou.xiaoyan');
    const denied = await cs.post(`/records/customer/${w.id}/unmask`, { field: 'phone' });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.code, 'forbidden');
    noPhone('denied unmask', denied.body, w);
    const mgr: Client = await login(env, w.seed.slug, 'wang.jianguo');
    const res = await mgr.post(`/records/customer/${w.id}/unmask`, { field: 'phone' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { value: w.phone });
    const audit = await mgr.get(`/admin/audit?recordId=${w.id}&action=unmask`);
    assert.equal(audit.body.items.length, 1);
    assert.equal(audit.body.items[0].actor.id, w.d.user('wang.jianguo').id);
    assert.deepEqual(audit.body.items[0].meta, { field: 'phone' });
    noPhone('unmask audit', audit.body, w);
    // Unmasking does not change what the next read shows.
    assert.equal((await mgr.get(`/records/customer/${w.id}`)).body.phone, masked(w.phone));
  });
});
