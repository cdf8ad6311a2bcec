import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { login, newTenantWithAdmin, useTestEnv } from '../../../testing/harness.ts';

const env = useTestEnv();

describe('organisation settings', () => {
  it('lets an administrator rename the organisation and set its time zone, audited', async () => {
    const { seed, admin } = await newTenantWithAdmin(env, 0);
    const { seed: other, admin: otherAdmin } = await newTenantWithAdmin(env, 0);
    const before = await admin.get('/admin/organisation');
    assert.equal(before.status, 200);
    assert.deepEqual(before.body, { name: before.body.name, slug: seed.slug, timeZone: 'Asia/Shanghai' });

    const changed = await admin.patch('/admin/organisation', {
      timeZone: 'Europe/Berlin',
      name: '  华东汽车集团 ',
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.timeZone, 'Europe/Berlin');
    assert.equal(changed.body.name, '华东汽车集团');
    assert.equal(
      (await otherAdmin.get('/admin/organisation')).body.timeZone,
      'Asia/Shanghai',
      'one tenant only',
    );
    assert.equal((await otherAdmin.get('/admin/organisation')).body.slug, other.slug);

    const audit = await admin.get('/admin/audit?action=organisation_update');
    assert.equal(audit.status, 200);
    const row = audit.body.items.find((a: any) => a.action === 'organisation_update');
    assert.ok(row, 'the change is in the audit log');
    assert.deepEqual(
      row.changes.find((c: any) => c.field === 'timeZone'),
      { field: 'timeZone', from: 'Asia/Shanghai', to: 'Europe/Berlin' },
    );
  });

  it('refuses an unknown zone with a localised field error and keeps what was stored', async () => {
    const { admin } = await newTenantWithAdmin(env, 0);
    const bad = await admin.patch('/admin/organisation', { timeZone: 'Mars/Olympus' });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].field, 'timeZone');
    assert.match(bad.body.errors[0].message, /未知的时区/);
    admin.locale = 'en-US';
    const en = await admin.patch('/admin/organisation', { timeZone: 'Mars/Olympus' });
    assert.match(en.body.errors[0].message, /Unknown time zone "Mars\/Olympus"/);
    const empty = await admin.patch('/admin/organisation', { name: '   ' });
    assert.equal(empty.status, 422);
    assert.equal(empty.body.errors[0].field, 'name');
    assert.equal((await admin.get('/admin/organisation')).body.timeZone, 'Asia/Shanghai');
    assert.equal((await admin.patch('/admin/organisation', { timeZone: 'UTC' })).body.timeZone, 'UTC');
  });

  it('is closed to people without the right', async () => {
    const { seed } = await newTenantWithAdmin(env, 0);
    const seller = await login(env, seed.slug, 'sun.lei');
    assert.equal((await seller.get('/admin/organisation')).status, 403);
    assert.equal((await seller.patch('/admin/organisation', { timeZone: 'UTC' })).status, 403);
  });
});
