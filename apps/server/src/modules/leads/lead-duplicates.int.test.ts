import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tenantDirectory } from '../../testing/fixtures.ts';
import { login, newTenant, useTestEnv } from '../../testing/harness.ts';

/**
 * The 撞单 warning tells a salesperson that a matching customer or lead exists and who owns it
 * (name and unit), never the id or fields of a record outside their scope.
 */
const env = useTestEnv();

const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
};

describe('lead duplicates across scopes', () => {
  it('names the owner and unit of an out-of-scope match but not its id, name or owner id', async () => {
    const seed = await newTenant(env, 3);
    const d = await tenantDirectory(env, seed);
    const admin = await login(env, seed.slug, 'admin');
    const sun = d.user('sun.lei');
    const phone = `1391${String(Date.now()).slice(-7)}`;
    const cust = await ok(
      admin.post('/records/customer', { name: '杭州远航贸易有限公司', phone, ownerId: sun.id }),
      201,
    );
    const unitName = (await ok(admin.get(`/admin/units`))).items.find((u: any) => u.id === sun.unitId)?.name;
    assert.ok(unitName);

    // ma.chao, a salesperson at another dealer (own scope), types the same phone.
    const ma = await login(env, seed.slug, 'ma.chao');
    const dup = await ok(ma.get(`/leads/duplicates?phone=${phone}`));
    const text = JSON.stringify(dup);
    assert.ok(!text.includes(cust.id), 'no id of the out-of-scope customer');
    assert.ok(!text.includes(sun.id), 'no owner id');
    assert.ok(!text.includes('远航'), 'no field of it');
    assert.equal(dup.ownedByOther, true);
    assert.equal(dup.duplicate.object, 'customer');
    assert.equal(dup.duplicate.ownerName, '孙磊');
    assert.equal(dup.duplicate.ownerUnitName, unitName);
    assert.equal(dup.duplicate.visible, false);
    assert.equal(dup.duplicate.id, null);
    assert.equal(dup.duplicate.name, null);
    assert.equal(dup.duplicate.ownerId, null);

    // The lead page's warning for ma's own lead says the same, no more.
    const lead = await ok(ma.post('/records/lead', { name: '王经理', phone }), 201);
    const onPage = await ok(ma.get(`/leads/${lead.id}/duplicate`));
    assert.equal(onPage.duplicate.ownerName, '孙磊');
    assert.equal(onPage.duplicate.id, null);
    assert.ok(!JSON.stringify(onPage).includes(cust.id));

    // The owner sees the record itself.
    const own = await ok((await login(env, seed.slug, 'sun.lei')).get(`/leads/duplicates?phone=${phone}`));
    assert.equal(own.duplicate.id, cust.id);
    assert.equal(own.duplicate.name, '杭州远航贸易有限公司');
    assert.equal(own.duplicate.visible, true);
    assert.equal(own.ownedByOther, false);
  });

  it("keeps the matched record out of a lead's assignment history for a viewer outside its scope", async () => {
    const seed = await newTenant(env, 3);
    const d = await tenantDirectory(env, seed);
    const admin = await login(env, seed.slug, 'admin');
    const sun = d.user('sun.lei');
    const phone = `1392${String(Date.now()).slice(-7)}`;
    const cust = await ok(
      admin.post('/records/customer', { name: '宁波海曙商贸', phone, ownerId: sun.id }),
      201,
    );
    await ok(admin.post('/leads/channels', { code: 'hist-dup', name: '展会', channel: 'exhibition' }), 201);
    const lead = await ok(admin.post('/leads/intake', { state: 'hist-dup', name: '周经理', phone }), 201);

    // A role that reads every lead but no customer: the history says who and why, not which record.
    await ok(
      admin.post('/admin/roles', {
        name: '线索质检',
        permissions: ['lead:read'],
        dataScopes: { '*': 'tenant' },
        fieldAccess: {},
      }),
      201,
    );
    const roles = (await ok(admin.get('/admin/roles'))).items;
    const qc = d.user('zhou.xiaoyan');
    const roleId = roles.find((r: any) => r.name === '线索质检').id;
    await ok(admin.patch(`/admin/users/${qc.id}`, { roleIds: [roleId] }));
    const viewer = await login(env, seed.slug, 'zhou.xiaoyan');
    const history = await ok(viewer.get(`/leads/${lead.id}/assignments`));
    const dupEntry = history.items.find((a: any) => a.reason?.code === 'duplicate_owner');
    assert.ok(dupEntry, JSON.stringify(history));
    assert.equal(dupEntry.reason.owner, '孙磊');
    assert.ok(
      !JSON.stringify(history).includes(cust.id),
      `no id of the customer the viewer may not see: ${JSON.stringify(history)}`,
    );

    // Whoever may see the customer still gets the link.
    const mine = await ok(admin.get(`/leads/${lead.id}/assignments`));
    assert.equal(mine.items.find((a: any) => a.reason?.code === 'duplicate_owner').reason.id, cust.id);
  });
});
