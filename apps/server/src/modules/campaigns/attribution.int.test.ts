import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';
import { drainBackground, login, newTenantWithAdmin, useTestEnv } from '../../testing/harness.ts';
import { shares } from './attribution.service.ts';
import { campaignBody } from './test-kit.ts';

const env = useTestEnv();
const DAY = 86_400_000;
const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
};

describe('campaign attribution', () => {
  it('shares credit by model: first, last, linear, position-based 40/20/40', () => {
    assert.deepEqual(shares('first_touch', 3), [1, 0, 0]);
    assert.deepEqual(shares('last_touch', 3), [0, 0, 1]);
    assert.deepEqual(shares('linear', 4), [0.25, 0.25, 0.25, 0.25]);
    assert.deepEqual(shares('position', 4), [0.4, 0.1, 0.1, 0.4]);
    assert.deepEqual(shares('position', 2), [0.5, 0.5]);
    assert.deepEqual(shares('position', 1), [1]);
  });

  it('attributes a paid order to the touches of its customer within the window, per campaign and channel', async () => {
    const { seed, admin, tenantId } = await newTenantWithAdmin(env, 1);
    const zhang = await login(env, seed.slug, 'zhang.wei');
    const a = await ok(zhang.post('/campaigns', campaignBody('春季车展')), 201);
    const b = await ok(zhang.post('/campaigns', campaignBody('到店保养节')), 201);
    await ok(zhang.post(`/campaigns/${a.id}/costs`, { item: '展位', amountMinor: 500_00 }), 201);
    const cust = await ok(
      admin.post('/records/customer', { name: '钱先生', kind: 'person', phone: '13800005678' }),
      201,
    );
    await drainBackground(env, tenantId);
    const q = <T>(fn: (tx: any) => Promise<T>) => inTenant(env.database.db, tenantId, fn);
    const profileId = await q(
      async (tx) =>
        (
          await sql<{
            id: string;
          }>`select profile_id as id from cdp_profile_links where tenant_id = ${tenantId}
            and object = 'customer' and record_id = ${cust.id}`.execute(tx)
        ).rows[0]!.id,
    );
    // Touches: A through the wechat link 10 days ago, A at the door 6 days ago, B 2 days ago; and one
    // of B 60 days ago, outside the 30-day window.
    const touch = (campaignId: string, daysAgo: number, utm: string | null) =>
      q((tx) =>
        sql`insert into campaign_registrations (tenant_id, id, campaign_id, phone, ticket, profile_id, utm_source, created_at)
          values (${tenantId}, ${newId()}, ${campaignId}, ${`1380000${String(daysAgo).padStart(4, '0')}`}, ${newId()},
            ${profileId}, ${utm}, ${new Date(Date.now() - daysAgo * DAY)})`.execute(tx),
      );
    await touch(a.id, 10, 'wechat');
    await touch(a.id, 6, null);
    await touch(b.id, 2, 'sms');
    await touch(b.id, 60, 'sms');
    const order = await ok(
      admin.post('/records/order', {
        name: 'SO-ATTR',
        customerId: cust.id,
        amount: { amount: 1000_00, currency: 'CNY' },
      }),
      201,
    );
    await ok(
      admin.post('/records/payment', {
        orderId: order.id,
        amount: { amount: 1000_00, currency: 'CNY' },
        paidAt: new Date().toISOString().slice(0, 10),
      }),
      201,
    );
    const get = (model: string) => ok(zhang.get(`/campaigns/attribution?model=${model}&windowDays=30`));
    const rev = (r: any, id: string, channel: string) =>
      r.rows.find((x: any) => x.campaignId === id && x.channel === channel)?.revenueMinor ?? 0;

    const first = await get('first_touch');
    assert.equal(first.ordersTouched, 1);
    assert.equal(first.revenueTouchedMinor, 1000_00);
    assert.equal(rev(first, a.id, 'wechat'), 1000_00);
    const last = await get('last_touch');
    assert.equal(rev(last, b.id, 'sms'), 1000_00);
    assert.equal(rev(last, a.id, 'wechat'), 0);
    const linear = await get('linear');
    // A third each (rounded per row to the fen).
    assert.equal(rev(linear, a.id, 'wechat'), 333_33);
    assert.equal(rev(linear, b.id, 'sms'), 333_33);
    const pos = await get('position');
    assert.equal(rev(pos, a.id, 'wechat'), 400_00);
    assert.equal(rev(pos, a.id, 'registration'), 200_00);
    assert.equal(rev(pos, b.id, 'sms'), 400_00);
    const ca = pos.campaigns.find((c: any) => c.campaignId === a.id);
    assert.deepEqual([ca.revenueMinor, ca.costMinor, ca.roi], [600_00, 500_00, 0.2]);

    // One campaign's view; bad input; another tenant sees none of it.
    const one = await ok(zhang.get(`/campaigns/attribution?model=linear&campaignId=${b.id}`));
    assert.deepEqual(
      one.campaigns.map((c: any) => c.campaignId),
      [b.id],
    );
    const bad = await zhang.get('/campaigns/attribution?model=magic&windowDays=0');
    assert.equal(bad.status, 422);
    const other = await newTenantWithAdmin(env, 1);
    assert.equal((await other.admin.get(`/campaigns/attribution?campaignId=${a.id}`)).status, 404);
    assert.equal((await other.admin.get(`/campaigns/${a.id}/funnel`)).status, 404);

    // The funnel: 4 registrations reached (none has a lead here), 0 leads.
    const f = await ok(zhang.get(`/campaigns/${a.id}/funnel`));
    assert.deepEqual(
      f.stages.map((s: any) => [s.key, s.count]),
      [
        ['prospect', 2],
        ['lead', 0],
        ['opportunity', 0],
        ['order', 0],
      ],
    );
    assert.equal(f.prospectsWithoutLead, 2);
  });
});
