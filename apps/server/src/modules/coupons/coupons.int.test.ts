import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { enqueue } from '../../core/jobs/queue.ts';
import {
  type Client,
  drainBackground,
  login,
  newTenantWithAdmin,
  useTestEnv,
} from '../../testing/harness.ts';
import { sendBatch, tenantWithSource } from '../cdp/test-kit.ts';
import { CODE_ALPHABET } from './coupon-code.ts';
import { amountOff } from './test-kit.ts';

const env = useTestEnv();

const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
};

let t: Awaited<ReturnType<typeof tenantWithSource>>;
let as: (who: string) => Promise<Client>;
const profiles: string[] = [];

async function profileIds(tenantId: string, userIds: string[]): Promise<string[]> {
  return inTenant(env.database.db, tenantId, async (tx) => {
    const out: string[] = [];
    for (const u of userIds) {
      const r = await sql<{ id: string }>`select profile_id as id from cdp_identities
        where tenant_id = ${tenantId} and kind = 'user_id' and value = ${u}`.execute(tx);
      out.push(r.rows[0]!.id);
    }
    return out;
  });
}

let ready: Promise<void> | null = null;
/** One tenant for the file (made inside the first test: the harness opens there). */
const setup = () =>
  (ready ??= (async () => {
    t = await tenantWithSource(env, 5);
    as = (who) => login(env, t.seed.slug, who);
    const users = ['cp-u1', 'cp-u2', 'cp-u3', 'cp-u4'];
    await sendBatch(
      env,
      t.key,
      users.map((u) => ({ type: 'identify', userId: u, traits: { name: `券客户${u}`, city: '券城' } })),
    );
    await drainBackground(env, t.tenantId);
    profiles.push(...(await profileIds(t.tenantId, users)));
  })());

describe('coupons: issue', () => {
  it('issues human-typeable unique codes, idempotently, within stock and the per-profile limit', async () => {
    await setup();
    const zhang = await as('zhang.wei');
    const tpl = await ok(
      zhang.post('/coupon-templates', { ...amountOff('到店满100减20'), perProfileLimit: 1, totalStock: 2 }),
      201,
    );
    assert.equal(tpl.canManage, true);
    const first = await ok(
      zhang.post(`/coupon-templates/${tpl.id}/issue`, { profileId: profiles[0], idempotencyKey: 'k1' }),
      201,
    );
    assert.match(first.code, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    for (const ch of first.code.replace(/-/g, '')) assert.ok(CODE_ALPHABET.includes(ch), ch);
    // The same key: the same coupon, not a second one.
    const again = await ok(
      zhang.post(`/coupon-templates/${tpl.id}/issue`, { profileId: profiles[0], idempotencyKey: 'k1' }),
      201,
    );
    assert.equal(again.couponId, first.couponId);
    const limit = await zhang.post(`/coupon-templates/${tpl.id}/issue`, {
      profileId: profiles[0],
      idempotencyKey: 'k2',
    });
    assert.equal(limit.status, 409);
    assert.equal(limit.body.reason, 'profile_limit');
    await ok(
      zhang.post(`/coupon-templates/${tpl.id}/issue`, { profileId: profiles[1], idempotencyKey: 'k3' }),
      201,
    );
    const out = await zhang.post(`/coupon-templates/${tpl.id}/issue`, {
      profileId: profiles[2],
      idempotencyKey: 'k4',
    });
    assert.equal(out.status, 409);
    assert.equal(out.body.reason, 'out_of_stock');
    assert.equal((await ok(zhang.get(`/coupon-templates/${tpl.id}`))).issuedCount, 2);
    // A kind without what it needs, and a unit above the caller, are field errors.
    const bad = await zhang.post('/coupon-templates', {
      name: 'x',
      kind: 'percent_off',
      validity: 'relative',
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.errors.map((e: any) => e.field).sort(), ['percentOff', 'validDays']);
    const unknown = await zhang.post(`/coupon-templates/${tpl.id}/issue`, {
      profileId: '00000000-0000-4000-8000-000000000000',
      idempotencyKey: 'k5',
    });
    assert.equal(unknown.status, 404);
    // A salesperson redeems but does not issue.
    const sun = await as('sun.lei');
    assert.equal(
      (await sun.post(`/coupon-templates/${tpl.id}/issue`, { profileId: profiles[3], idempotencyKey: 'k6' }))
        .status,
      403,
    );
  });
});

describe('coupons: redeem', () => {
  it('32 concurrent redeemers: exactly one wins, the others get a localised 409', async () => {
    await setup();
    const zhang = await as('zhang.wei');
    const tpl = await ok(zhang.post('/coupon-templates', amountOff('并发券')), 201);
    const c = await ok(
      zhang.post(`/coupon-templates/${tpl.id}/issue`, { profileId: profiles[0], idempotencyKey: 'race' }),
      201,
    );
    const clerks = await Promise.all(Array.from({ length: 4 }, () => as('sun.lei')));
    clerks[1]!.locale = 'en-US';
    const results = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        clerks[i % 4]!.post('/coupons/redeem', {
          code: c.code.toLowerCase().replace(/-/g, ' '),
          orderAmountMinor: 150_00,
        }),
      ),
    );
    const won = results.filter((r) => r.status === 200);
    const lost = results.filter((r) => r.status === 409);
    assert.equal(won.length, 1, JSON.stringify(results.map((r) => r.status)));
    assert.equal(lost.length, 31);
    assert.equal(won[0]!.body.discountMinor, 20_00);
    for (const r of lost) assert.equal(r.body.reason, 'already_redeemed');
    assert.ok(
      results.some((r, i) => i % 4 === 1 && r.status === 409 && /already redeemed/.test(r.body.detail)),
    );
    assert.ok(results.some((r, i) => i % 4 !== 1 && r.status === 409 && /已于/.test(r.body.detail)));
    const stats = await ok(zhang.get(`/coupon-templates/${tpl.id}/stats`));
    assert.equal(stats.redeemed, 1);
    assert.equal(stats.discountMinor, 20_00);
    assert.equal(stats.orderValueMinor, 150_00);
  });

  it('checks the threshold, computes 折扣 with its cap, and keeps sibling dealers and other tenants out', async () => {
    await setup();
    const zhang = await as('zhang.wei');
    const sun = await as('sun.lei');
    const a = await ok(zhang.post('/coupon-templates', amountOff('门槛券')), 201);
    const ca = await ok(
      zhang.post(`/coupon-templates/${a.id}/issue`, { profileId: profiles[1], idempotencyKey: 'thr' }),
      201,
    );
    const low = await sun.post('/coupons/redeem', { code: ca.code, orderAmountMinor: 99_99 });
    assert.equal(low.status, 422);
    assert.equal(low.body.errors[0].field, 'orderAmountMinor');
    const pct = await ok(
      zhang.post('/coupon-templates', {
        name: '八折券',
        kind: 'percent_off',
        percentOff: 20,
        maxDiscountMinor: 50_00,
        validity: 'relative',
        validDays: 7,
      }),
      201,
    );
    const cp = await ok(
      zhang.post(`/coupon-templates/${pct.id}/issue`, { profileId: profiles[1], idempotencyKey: 'pct' }),
      201,
    );
    const seen = await ok(sun.get(`/coupons/lookup?code=${cp.code}`));
    assert.equal(seen.benefit, '8折，最多减50元');
    assert.equal(seen.status, 'active');
    // Another dealer's staff, another tenant: the code does not exist for them.
    assert.equal((await (await as('wu.haitao')).get(`/coupons/lookup?code=${cp.code}`)).status, 404);
    assert.equal(
      (await (await as('wu.haitao')).post('/coupons/redeem', { code: cp.code, orderAmountMinor: 1 })).status,
      404,
    );
    const other = await newTenantWithAdmin(env, 1);
    assert.equal((await other.admin.get(`/coupons/lookup?code=${cp.code}`)).status, 404);
    assert.equal((await other.admin.get(`/coupon-templates/${pct.id}`)).status, 404);
    const r = await ok(sun.post('/coupons/redeem', { code: cp.code, orderAmountMinor: 1000_00 }));
    assert.equal(r.discountMinor, 50_00);
  });

  it('against an order, reads the net amount from sales for the threshold and the discount', async () => {
    await setup();
    const zhang = await as('zhang.wei');
    const sun = await as('sun.lei');
    const tpl = await ok(zhang.post('/coupon-templates', amountOff('订单满减')), 201);
    const issue = async (key: string) =>
      (
        await ok(
          zhang.post(`/coupon-templates/${tpl.id}/issue`, { profileId: profiles[1], idempotencyKey: key }),
          201,
        )
      ).code as string;
    const cust = (await ok(sun.post('/records/customer', { name: '订单客户', kind: 'person' }), 201)).id;
    const order = async (minor: number) =>
      (
        await ok(
          sun.post('/records/order', {
            name: `SO-${minor}`,
            customerId: cust,
            amount: { amount: minor, currency: 'CNY' },
          }),
          201,
        )
      ).id as string;
    const small = await order(80_00);
    const big = await order(150_00);
    const c1 = await issue('ord-1');
    // The till's figure does not count: the order's ¥80 is below the ¥100 threshold.
    const low = await sun.post('/coupons/redeem', { code: c1, orderId: small, orderAmountMinor: 500_00 });
    assert.equal(low.status, 422, JSON.stringify(low.body));
    assert.equal(low.body.errors[0].field, 'orderId');
    assert.equal(low.body.errors[0].code, 'below_threshold');
    const missing = await sun.post('/coupons/redeem', {
      code: c1,
      orderId: '00000000-0000-4000-8000-000000000001',
    });
    assert.equal(missing.status, 422);
    assert.equal(missing.body.errors[0].code, 'order_not_found');
    const r = await ok(sun.post('/coupons/redeem', { code: c1, orderId: big, orderAmountMinor: 1 }));
    assert.equal(r.discountMinor, 20_00);
    assert.equal(r.orderAmountMinor, 150_00);
  });

  it('a refund returns the coupon when the template says so, otherwise voids it', async () => {
    await setup();
    const zhang = await as('zhang.wei');
    const sun = await as('sun.lei');
    const back = await ok(
      zhang.post('/coupon-templates', { ...amountOff('可退券'), returnOnRefund: true }),
      201,
    );
    const gone = await ok(zhang.post('/coupon-templates', amountOff('不可退券')), 201);
    const cb = await ok(
      zhang.post(`/coupon-templates/${back.id}/issue`, { profileId: profiles[2], idempotencyKey: 'rb' }),
      201,
    );
    const cg = await ok(
      zhang.post(`/coupon-templates/${gone.id}/issue`, { profileId: profiles[2], idempotencyKey: 'rg' }),
      201,
    );
    await ok(sun.post('/coupons/redeem', { code: cb.code, orderAmountMinor: 200_00 }));
    await ok(sun.post('/coupons/redeem', { code: cg.code, orderAmountMinor: 200_00 }));
    assert.equal(
      (await ok(sun.post(`/coupons/${cb.couponId}/reverse`, { reason: 'refund' }))).status,
      'active',
    );
    assert.equal(
      (await ok(sun.post(`/coupons/${cg.couponId}/reverse`, { reason: 'refund' }))).status,
      'voided',
    );
    assert.equal((await sun.post(`/coupons/${cg.couponId}/reverse`, {})).status, 409);
    assert.equal(
      (await sun.post('/coupons/redeem', { code: cg.code, orderAmountMinor: 200_00 })).body.reason,
      'coupon_voided',
    );
    // The returned coupon redeems again; stats count the kept redemption only.
    await ok(sun.post('/coupons/redeem', { code: cb.code, orderAmountMinor: 300_00 }));
    const stats = await ok(zhang.get(`/coupon-templates/${back.id}/stats`));
    assert.equal(stats.redeemed, 1);
    assert.equal(stats.orderValueMinor, 300_00);
  });

  it('expires coupons past their end in the expiry job, tells the CDP, and refuses them at the till', async () => {
    await setup();
    const zhang = await as('zhang.wei');
    const sun = await as('sun.lei');
    const tpl = await ok(zhang.post('/coupon-templates', amountOff('过期券')), 201);
    const c = await ok(
      zhang.post(`/coupon-templates/${tpl.id}/issue`, { profileId: profiles[3], idempotencyKey: 'exp' }),
      201,
    );
    await inTenant(env.database.db, t.tenantId, async (tx) => {
      await sql`update coupons set expires_at = now() - interval '1 minute' where tenant_id = ${t.tenantId} and id = ${c.couponId}`.execute(
        tx,
      );
      await enqueue(tx, t.tenantId, 'coupons:expire', { slot: 0 });
    });
    await drainBackground(env, t.tenantId);
    const r = await sun.post('/coupons/redeem', { code: c.code, orderAmountMinor: 500_00 });
    assert.equal(r.status, 409);
    assert.equal(r.body.reason, 'coupon_expired');
    const rows = await inTenant(env.database.db, t.tenantId, async (tx) => ({
      expired: (
        await sql<any>`select expired_at from coupons where tenant_id = ${t.tenantId} and id = ${c.couponId}`.execute(
          tx,
        )
      ).rows[0].expired_at,
      events: (
        await sql<any>`select count(*)::int as n from outbox where tenant_id = ${t.tenantId} and type = 'coupon.expired' and record_id = ${c.couponId}`.execute(
          tx,
        )
      ).rows[0].n,
      cdp: (
        await sql<any>`select count(*)::int as n from cdp_events where tenant_id = ${t.tenantId} and event = 'Coupon Issued' and user_id = 'cp-u4'`.execute(
          tx,
        )
      ).rows[0].n,
    }));
    assert.ok(rows.expired);
    assert.equal(rows.events, 1);
    assert.ok(rows.cdp >= 1);
  });

  it('issues to a segment as a job with progress', async () => {
    await setup();
    const zhang = await as('zhang.wei');
    const tpl = await ok(zhang.post('/coupon-templates', amountOff('分群券')), 201);
    const seg = await ok(
      t.admin.post('/cdp/segments', { name: '券城客户', rule: { trait: 'city', op: 'eq', value: '券城' } }),
      201,
    );
    await drainBackground(env, t.tenantId);
    const b = await ok(zhang.post(`/coupon-templates/${tpl.id}/bulk-issues`, { segmentId: seg.id }), 202);
    assert.equal(b.status, 'queued');
    await drainBackground(env, t.tenantId);
    const done = await ok(zhang.get(`/coupon-bulk-issues/${b.id}`));
    assert.equal(done.status, 'done');
    assert.equal(done.total, 4);
    assert.equal(done.issued, 4);
    const list = await ok(zhang.get(`/coupons?templateId=${tpl.id}`));
    assert.equal(list.items.length, 4);
    assert.ok(list.items.every((c: any) => c.source.kind === 'bulk'));
  });
});
