import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anonymous, marker, tenantDirectory, uniqueMobile } from '../../testing/fixtures.ts';
import { drainBackground, login, loginAsRole, newTenant, useTestEnv } from '../../testing/harness.ts';
import { sendBatch, tenantWithSource } from '../cdp/test-kit.ts';

const env = useTestEnv();
const text = (b: unknown) => (typeof b === 'string' ? b : JSON.stringify(b));
const masked = (phone: string) => `${phone.slice(0, 3)}****${phone.slice(-4)}`;

/**
 * Tenant A: customer 甲 in store EC-D1-S1 (孙磊's), customer 乙 in SC-D1-S1 (郭敏's), a lead of 孙磊
 * whose company carries the marker; tenant B: a customer with the same marker name.
 */
async function world() {
  const m = marker('搜');
  const seedA = await newTenant(env, 0);
  const d = await tenantDirectory(env, seedA);
  const admin = await login(env, seedA.slug, 'admin');
  const created = async (c: typeof admin, object: string, body: Record<string, unknown>) => {
    const r = await c.post(`/records/${object}`, body);
    assert.equal(r.status, 201, text(r.body));
    return r.body.id as string;
  };
  const p1 = uniqueMobile();
  const p2 = uniqueMobile();
  const jia = await created(admin, 'customer', { name: `${m}甲`, phone: p1, ownerId: d.user('sun.lei').id });
  const yi = await created(admin, 'customer', { name: `${m}乙`, phone: p2, ownerId: d.user('guo.min').id });
  const lead = await created(admin, 'lead', {
    name: '钱多多',
    company: `${m}科技有限公司`,
    phone: uniqueMobile(),
    ownerId: d.user('sun.lei').id,
  });
  const seedB = await newTenant(env, 0);
  const adminB = await login(env, seedB.slug, 'admin');
  const other = await created(adminB, 'customer', { name: `${m}丙`, phone: p1 });
  return { m, seedA, admin, adminB, jia, yi, lead, other, p1, p2 };
}

const ids = (body: any, key: string): string[] =>
  body.groups.find((g: any) => g.key === key)?.hits.map((h: any) => h.id) ?? [];

describe('global search', () => {
  it('finds customers by name prefix and containing, and leads by company, each hit with its page', async () => {
    const w = await world();
    const byPrefix = await w.admin.get(`/search?q=${encodeURIComponent(w.m)}`);
    assert.equal(byPrefix.status, 200, text(byPrefix.body));
    assert.deepEqual(ids(byPrefix.body, 'customer').sort(), [w.jia, w.yi].sort());
    assert.deepEqual(ids(byPrefix.body, 'lead'), [w.lead]);
    const hit = byPrefix.body.groups
      .find((g: any) => g.key === 'customer')
      .hits.find((h: any) => h.id === w.jia);
    assert.deepEqual(
      { title: hit.title, url: hit.url, object: hit.object },
      { title: `${w.m}甲`, url: `/o/customer/${w.jia}`, object: 'customer' },
    );
    assert.equal(byPrefix.body.groups.find((g: any) => g.key === 'lead').hits[0].url, `/leads/${w.lead}`);
    // Group labels come in both languages; customers come before leads.
    const keys = byPrefix.body.groups.map((g: any) => g.key);
    assert.ok(keys.indexOf('customer') < keys.indexOf('lead'));
    assert.equal(byPrefix.body.groups[0].label['en-US'], 'Customers');

    const inside = await w.admin.get(`/search?q=${encodeURIComponent(`${w.m.slice(3)}甲`)}`);
    assert.deepEqual(ids(inside.body, 'customer'), [w.jia], 'containing');
    const company = await w.admin.get(`/search?q=${encodeURIComponent('科技有限')}&limit=20`);
    assert.ok(ids(company.body, 'lead').includes(w.lead), 'lead by part of its company');

    const one = await w.admin.get(`/search?q=${encodeURIComponent(w.m)}&limit=1`);
    const g = one.body.groups.find((x: any) => x.key === 'customer');
    assert.equal(g.hits.length, 1);
    assert.equal(g.more, true);
    assert.equal(g.moreUrl, `/o/customer?q=${encodeURIComponent(w.m)}`);
  });

  it("never finds another tenant's records", async () => {
    const w = await world();
    const a = await w.admin.get(`/search?q=${encodeURIComponent(w.m)}`);
    assert.ok(!text(a.body).includes(w.other));
    assert.ok(!text(a.body).includes('丙'));
    const byPhone = await w.admin.get(`/search?q=${w.p1}`);
    assert.deepEqual(ids(byPhone.body, 'customer'), [w.jia], 'the same phone in tenant B stays there');
    const b = await w.adminB.get(`/search?q=${encodeURIComponent(w.m)}`);
    assert.deepEqual(ids(b.body, 'customer'), [w.other]);
    assert.deepEqual(ids(b.body, 'lead'), []);
  });

  it("never finds records outside the caller's data scope", async () => {
    const w = await world();
    // 孙磊 sees his own records; 周晓燕 (客服专员, 华东 and below) sees 华东's.
    for (const who of ['sun.lei', 'zhou.xiaoyan']) {
      const c = await login(env, w.seedA.slug, who);
      const r = await c.get(`/search?q=${encodeURIComponent(w.m)}`);
      assert.equal(r.status, 200);
      assert.deepEqual(ids(r.body, 'customer'), [w.jia], who);
      assert.ok(!text(r.body).includes(w.yi), `${who} never sees 乙`);
      assert.deepEqual(ids((await c.get(`/search?q=${w.p2}`)).body, 'customer'), [], `${who}: 乙 by phone`);
    }
    const zhao = await login(env, w.seedA.slug, 'zhao.jing');
    const r = await zhao.get(`/search?q=${encodeURIComponent(w.m)}`);
    assert.deepEqual(r.body.groups, [], "孙磊's customers are not 赵静's, though they share a store");
  });

  it('lets a role that sees phones masked find by the whole phone, shown masked; part of it finds nothing', async () => {
    const w = await world();
    const service = await login(env, w.seedA.slug, 'zhou.xiaoyan');
    for (const q of [w.p1, `+86 ${w.p1.slice(0, 3)} ${w.p1.slice(3, 7)} ${w.p1.slice(7)}`]) {
      const r = await service.get(`/search?q=${encodeURIComponent(q)}`);
      assert.equal(r.status, 200);
      assert.deepEqual(ids(r.body, 'customer'), [w.jia], q);
      const hit = r.body.groups.find((g: any) => g.key === 'customer').hits[0];
      assert.ok(hit.subtitle.includes(masked(w.p1)), hit.subtitle);
      // The term itself comes back only where the caller typed it (q, moreUrl), never in a hit.
      const hits = r.body.groups.flatMap((g: any) => g.hits);
      assert.ok(!text(hits).includes(w.p1), `the full phone never comes back: ${text(hits)}`);
    }
    for (const part of [w.p1.slice(0, 7), w.p1.slice(3), w.p1.slice(0, 10)]) {
      const r = await service.get(`/search?q=${part}`);
      assert.equal(r.status, 200);
      assert.deepEqual(ids(r.body, 'customer'), [], `part ${part}`);
    }
    // Who sees the phone in full sees it in full.
    const admin = await w.admin.get(`/search?q=${w.p1}`);
    assert.ok(admin.body.groups[0].hits[0].subtitle.includes(w.p1));
  });

  it('never spells out in a subtitle a linked name the caller sees masked', async () => {
    const w = await world();
    const d = await tenantDirectory(env, w.seedA);
    const contact = await w.admin.post('/records/contact', {
      name: `${w.m}联系人`,
      customerId: w.jia,
      phone: uniqueMobile(),
      ownerId: d.user('sun.lei').id,
    });
    assert.equal(contact.status, 201, text(contact.body));
    const role = (await w.admin.get('/admin/roles')).body.items.find((r: any) => r.name === '销售顾问');
    const patched = await w.admin.patch(`/admin/roles/${role.id}`, {
      fieldAccess: { ...role.fieldAccess, customer: { ...role.fieldAccess?.customer, name: 'masked' } },
    });
    assert.equal(patched.status, 200, text(patched.body));
    const sun = await login(env, w.seedA.slug, 'sun.lei');
    const r = await sun.get(`/search?q=${encodeURIComponent(`${w.m}联系人`)}`);
    assert.equal(r.status, 200, text(r.body));
    const hit = r.body.groups
      .find((g: any) => g.key === 'contact')
      ?.hits.find((h: any) => h.id === contact.body.id);
    assert.ok(hit, text(r.body));
    assert.ok(!text(hit).includes(`${w.m}甲`), `the customer's masked name stays masked: ${hit.subtitle}`);
    // The contact's own page says the same.
    const page = await sun.get(`/records/contact/${contact.body.id}`);
    assert.ok(!text(page.body).includes(`${w.m}甲`), text(page.body._display));
  });

  it('refuses malformed queries with field errors and anonymous callers', async () => {
    const w = await world();
    for (const [qs, field] of [
      ['', 'q'],
      ['q=', 'q'],
      [`q=${'x'.repeat(101)}`, 'q'],
      ['q=a&limit=0', 'limit'],
      ['q=a&limit=21', 'limit'],
      ['q=a&limit=many', 'limit'],
    ]) {
      const r = await w.admin.get(`/search?${qs}`);
      assert.equal(r.status, 422, qs);
      assert.match(String(r.headers.get('content-type')), /application\/problem\+json/);
      assert.ok(
        r.body.errors.some((e: any) => e.field === field),
        `${qs}: ${text(r.body)}`,
      );
    }
    assert.equal((await anonymous(env).get('/search?q=a')).status, 401);
    // Wildcards are text: `%` finds nothing rather than everything.
    const pct = await w.admin.get(`/search?q=${encodeURIComponent('%')}`);
    assert.equal(pct.status, 200);
    assert.deepEqual(pct.body.groups, []);
  });

  it('finds CDP profiles by a whole identity, masked for a role that may not unmask, and only for CDP readers', async () => {
    const { seed, admin, key, tenantId } = await tenantWithSource(env, 0);
    const phone = uniqueMobile();
    const name = `${marker('档')}欧阳`;
    await sendBatch(env, key, [{ type: 'identify', userId: marker('u'), traits: { name, phone } }]);
    await drainBackground(env, tenantId);
    const profiles = (b: any) => b.groups.find((g: any) => g.key === 'profile')?.hits ?? [];

    const full = await admin.get(`/search?q=${phone}`);
    assert.equal(full.status, 200);
    assert.equal(profiles(full.body).length, 1);
    assert.equal(profiles(full.body)[0].title, name);
    assert.match(profiles(full.body)[0].url, /^\/cdp\/profiles\/[0-9a-f-]{36}$/);
    // By name prefix for whoever sees names in full.
    assert.equal(
      profiles((await admin.get(`/search?q=${encodeURIComponent(name.slice(0, 4))}`)).body).length,
      1,
    );

    const analyst = await loginAsRole(env, seed, '数据分析师');
    const masked = await analyst.get(`/search?q=${phone}`);
    assert.equal(profiles(masked.body).length, 1);
    const hit = profiles(masked.body)[0];
    assert.notEqual(hit.title, name, 'the name is masked');
    assert.ok(!text(hit).includes(phone), `no full phone: ${text(hit)}`);
    assert.equal(
      profiles((await analyst.get(`/search?q=${encodeURIComponent(name.slice(0, 4))}`)).body).length,
      0,
      'a masked name is not found by its start',
    );

    const seller = await loginAsRole(env, seed, '销售顾问');
    assert.equal(
      profiles((await seller.get(`/search?q=${phone}`)).body).length,
      0,
      'no cdp:read, no profiles',
    );
  });
});
