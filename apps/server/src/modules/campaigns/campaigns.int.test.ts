import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { drainBackground, login, newTenantWithAdmin, useTestEnv } from '../../testing/harness.ts';
import { amountOff } from '../coupons/test-kit.ts';
import { campaignBody } from './test-kit.ts';

const env = useTestEnv();

const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
};

const publicPost = (path: string, body: unknown, lang = 'zh-CN') =>
  fetch(`${env.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept-language': lang },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: (await r.json().catch(() => null)) as any }));

describe('campaigns', () => {
  it('registration on the public page → lead, profile with consent, coupon; once per phone; check-in once; report', async () => {
    const { seed, admin, tenantId } = await newTenantWithAdmin(env, 1);
    const as = (who: string) => login(env, seed.slug, who);
    const zhang = await as('zhang.wei');
    const tpl = await ok(zhang.post('/coupon-templates', amountOff('报名礼券')), 201);
    const c = await ok(
      zhang.post(
        '/campaigns',
        campaignBody('浦东店品鉴会', {
          kind: 'tasting',
          venue: '浦东店',
          couponTemplateId: tpl.id,
          consentPurposes: ['marketing', 'service'],
        }),
      ),
      201,
    );
    const path = new URL(c.registrationUrl).pathname;
    const page = await fetch(`${env.baseUrl}${path}`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /浦东店品鉴会/);
    assert.match(html, /我同意接收活动和优惠信息/);
    // The public page shows the activity, nothing of the tenant's people or ids.
    assert.ok(!html.includes(tenantId) && !html.includes(c.ownerId) && !html.includes(tpl.id));
    assert.equal((await fetch(`${env.baseUrl}/r/${'A'.repeat(44)}`)).status, 404);

    const link = await ok(
      zhang.post(`/campaigns/${c.id}/links`, { utmSource: 'wechat', utmMedium: 'social' }),
      201,
    );
    const hop = await fetch(`${env.baseUrl}${new URL(link.shortUrl).pathname}`, { redirect: 'manual' });
    assert.equal(hop.status, 302);
    assert.match(hop.headers.get('location')!, /utm_source=wechat&utm_medium=social&utm_campaign=/);

    const bad = await publicPost(`${path}/register`, { phone: '12345', fields: {} });
    assert.equal(bad.status, 422);
    const missing = await publicPost(`${path}/register`, { phone: '13912345678', fields: {} });
    assert.equal(missing.status, 422);
    assert.equal(missing.body.errors[0].field, 'fields.name');
    const reg = await publicPost(`${path}/register`, {
      phone: '13912345678',
      fields: { name: '李品鉴', city: 'ignored: not asked' },
      consents: ['marketing'],
      link: link.code,
    });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    assert.match(reg.body.qr, /^data:image\/png;base64,/);
    const dup = await publicPost(
      `${path}/register`,
      { phone: '13912345678', fields: { name: '又来' } },
      'en-US',
    );
    assert.equal(dup.status, 409);
    assert.equal(dup.body.reason, 'already_registered');
    assert.match(dup.body.detail, /already registered/);
    assert.ok(!JSON.stringify(dup.body).includes(reg.body.ticket));

    await drainBackground(env, tenantId);
    const regs = await ok(zhang.get(`/campaigns/${c.id}/registrations`));
    assert.equal(regs.items.length, 1);
    const r = regs.items[0];
    assert.ok(r.leadId && r.profileId && r.couponId, JSON.stringify(r));
    assert.deepEqual(r.fields, { name: '李品鉴' });
    assert.equal(r.utmSource, 'wechat');
    const facts = await inTenant(env.database.db, tenantId, async (tx) => ({
      consents: (
        await sql<any>`select purpose, granted from cdp_consents where tenant_id = ${tenantId} and profile_id = ${r.profileId}`.execute(
          tx,
        )
      ).rows,
      lead: (
        await sql<any>`select phone, owner_id from leads where tenant_id = ${tenantId} and id = ${r.leadId}`.execute(
          tx,
        )
      ).rows[0],
      events: (
        await sql<any>`select type from outbox where tenant_id = ${tenantId} and type like 'campaign.%'`.execute(
          tx,
        )
      ).rows.map((e: any) => e.type),
    }));
    assert.deepEqual(facts.consents, [{ purpose: 'marketing', granted: true }]);
    assert.equal(facts.lead.phone, '13912345678');
    assert.equal(facts.lead.owner_id, c.ownerId);
    assert.deepEqual(facts.events, ['campaign.registered']);

    // Check-in by the personal QR, once; a sibling dealer does not see the campaign.
    const sun = await as('sun.lei');
    assert.ok((await ok(sun.post(`/campaigns/${c.id}/check-ins`, { ticket: reg.body.ticket }))).checkedInAt);
    const twice = await sun.post(`/campaigns/${c.id}/check-ins`, { phone: '13912345678' });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.reason, 'already_checked_in');
    assert.equal((await sun.post(`/campaigns/${c.id}/check-ins`, { ticket: 'nobody-has-this' })).status, 404);
    const wu = await as('wu.haitao');
    assert.equal((await wu.get(`/campaigns/${c.id}`)).status, 404);
    assert.equal((await wu.post(`/campaigns/${c.id}/check-ins`, { ticket: reg.body.ticket })).status, 404);
    const other = await newTenantWithAdmin(env, 1);
    assert.equal((await other.admin.get(`/campaigns/${c.id}/report`)).status, 404);

    // The coupon from registration is redeemable at the store.
    const coupons = await ok(zhang.get(`/coupons?profileId=${r.profileId}`));
    assert.equal(coupons.items[0].source.kind, 'campaign');

    await ok(zhang.post(`/campaigns/${c.id}/costs`, { item: '场地', amountMinor: 3000_00 }), 201);
    await ok(zhang.post(`/campaigns/${c.id}/costs`, { item: '酒水', amountMinor: 1000_00 }), 201);
    const rep = await ok(admin.get(`/campaigns/${c.id}/report`));
    assert.equal(rep.registrations, 1);
    assert.equal(rep.checkedIn, 1);
    assert.equal(rep.leads, 1);
    assert.equal(rep.costMinor, 4000_00);
    assert.equal(rep.costPerLeadMinor, 4000_00);
    assert.equal(rep.roi, -1);
    assert.deepEqual(rep.byChannel, [{ source: 'wechat', registrations: 1, checkedIn: 1 }]);
    assert.equal((await ok(zhang.get(`/campaigns/${c.id}/links`))).items[0].clicks, 1);
    // A salesperson cannot manage; a dealer cannot place a campaign above itself.
    assert.equal((await sun.post('/campaigns', campaignBody('x'))).status, 403);
    const hq = (await ok(admin.get(`/campaigns/${c.id}`))).unitId;
    const above = await zhang.post('/campaigns', campaignBody('x', { unitId: hq }));
    assert.ok([201, 422].includes(above.status));
    // The register endpoint is rate limited per address.
    let limited = false;
    for (let i = 0; i < 15 && !limited; i++)
      limited = (await publicPost(`${path}/register`, { phone: '1', fields: {} })).status === 429;
    assert.ok(limited);
  });
});
