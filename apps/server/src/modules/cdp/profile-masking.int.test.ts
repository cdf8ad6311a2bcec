import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drainBackground, loginAsRole, useTestEnv } from '../../testing/harness.ts';
import { sendBatch, tenantWithSource } from './test-kit.ts';

/** A profile's personal traits look the same wherever people are listed (masking.ts). */
const env = useTestEnv();

const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
};

describe('profile masking', () => {
  it('masks the name on the 360 view, the profile list, segment members and the export alike', async () => {
    const { seed, admin, key, tenantId } = await tenantWithSource(env, 1);
    await sendBatch(env, key, [
      {
        type: 'identify',
        userId: 'm1',
        traits: { name: '欧阳娜娜', phone: '13912348888', email: 'nana@example.com', plan: 'gold' },
      },
    ]);
    await drainBackground(env, tenantId);
    const seg = await ok(
      admin.post('/cdp/segments', { name: '金卡', rule: { trait: 'plan', op: 'eq', value: 'gold' } }),
      201,
    );
    await drainBackground(env, tenantId);
    const analyst = await loginAsRole(env, seed, '数据分析师');
    const masked = '欧***';

    const list = (await ok(analyst.get('/cdp/profiles'))).items;
    assert.equal(list[0].name, masked, 'profile list name');
    assert.equal(list[0].traits.name, masked, 'profile list traits');
    assert.equal(list[0].traits.phone, '139****8888');
    const p360 = await ok(analyst.get(`/cdp/profiles/${list[0].id}`));
    assert.equal(p360.traits.name, masked, '360 view');
    const members = (await ok(analyst.get(`/cdp/segments/${seg.id}/members`))).items;
    assert.equal(members[0].name, masked, 'segment members');
    assert.equal(members[0].phone, '139****8888');
    assert.equal(members[0].email, 'n***@example.com');
    const csv = await analyst.get(`/cdp/segments/${seg.id}/export`);
    assert.equal(csv.status, 200);
    assert.ok(String(csv.body).includes(masked), 'export');
    assert.ok(!String(csv.body).includes('欧阳娜娜'), 'no full name in the export');
    // The masked name is not found by prefix either (that would read it back a character at a time);
    // typed whole, it finds the person, as a phone typed whole does.
    assert.equal((await ok(analyst.get(`/cdp/profiles?q=${encodeURIComponent('欧阳')}`))).items.length, 0);
    assert.equal(
      (await ok(analyst.get(`/cdp/profiles?q=${encodeURIComponent('欧阳娜娜')}`))).items.length,
      1,
    );

    // Whoever may unmask sees the name in full in the list, members and export.
    assert.equal((await ok(admin.get('/cdp/profiles'))).items[0].name, '欧阳娜娜');
    assert.equal((await ok(admin.get(`/cdp/segments/${seg.id}/members`))).items[0].name, '欧阳娜娜');
    assert.ok(String((await admin.get(`/cdp/segments/${seg.id}/export`)).body).includes('欧阳娜娜'));
    assert.equal((await ok(admin.get(`/cdp/profiles?q=${encodeURIComponent('欧阳')}`))).items.length, 1);
  });
});
