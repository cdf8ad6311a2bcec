import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { uniqueMobile } from '../../testing/fixtures.ts';
import {
  type Client,
  drainBackground,
  login,
  newTenantWithAdmin,
  useTestEnv,
} from '../../testing/harness.ts';
import { orderPoints } from './earn-rules.service.ts';
import { threeTiers } from './test-kit.ts';

const env = useTestEnv();

const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
};
const cny = (amount: number) => ({ amount, currency: 'CNY' });

let tenantId = '';
let slug = '';
let as: (who: string) => Promise<Client>;
let programId = '';

let ready: Promise<void> | null = null;
const setup = () =>
  (ready ??= (async () => {
    const t = await newTenantWithAdmin(env, 0);
    tenantId = t.tenantId;
    slug = t.seed.slug;
    as = (who) => login(env, slug, who);
    const hq = await as('wang.jianguo');
    const p = await ok(
      hq.post(
        '/loyalty/programs',
        threeTiers('臻享会员', { channelMultipliers: { 线上商城: 1.5 }, adjustApprovalThreshold: 1000 }),
      ),
      201,
    );
    programId = p.id;
  })());

/** A person customer with a phone (linked to a CDP profile by the CDP), enrolled by the salesperson. */
async function member(sales: Client, name: string) {
  const phone = uniqueMobile();
  const c = await ok(sales.post('/records/customer', { name, kind: 'person', phone }), 201);
  await drainBackground(env, tenantId);
  const profileId = await inTenant(env.database.db, tenantId, async (tx) => {
    return (
      await sql<{ profile_id: string }>`select profile_id from cdp_profile_links
        where object = 'customer' and record_id = ${c.id}`.execute(tx)
    ).rows[0]!.profile_id;
  });
  const m = await ok(
    sales.post('/loyalty/members', { programId, profileId, idempotencyKey: `enrol-${c.id}` }),
  );
  return {
    customerId: c.id as string,
    profileId,
    memberId: m.memberId as string,
    memberNo: m.memberNo as string,
  };
}

describe('loyalty: program settings', () => {
  it('validates tiers with localised field errors and guards edits with the version', async () => {
    await setup();
    const hq = await as('wang.jianguo');
    const bad = await hq.post('/loyalty/programs', {
      ...threeTiers('坏计划'),
      tiers: [
        { name: '银卡', threshold: 10 },
        { name: '金卡', threshold: 5 },
      ],
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(
      bad.body.errors.map((e: any) => e.field),
      ['tiers.0.threshold', 'tiers.1.threshold'],
    );
    assert.match(bad.body.errors[0].message, /最低等级/);
    const en = await hq.request(
      'POST',
      '/loyalty/programs',
      { ...threeTiers('x'), tiers: [{ name: 'a', threshold: 3 }] },
      {
        'accept-language': 'en-US',
      },
    );
    assert.match(en.body.errors[0].message, /lowest tier/);
    const p = await ok(hq.get(`/loyalty/programs/${programId}`));
    assert.deepEqual(
      p.tiers.map((t: any) => [t.name, t.threshold]),
      [
        ['银卡', 0],
        ['金卡', 1000],
        ['黑金', 5000],
      ],
    );
    const changed = await ok(
      hq.patch(`/loyalty/programs/${programId}`, { version: p.version, perDayCap: 100000 }),
    );
    assert.equal(changed.perDayCap, 100000);
    const stale = await hq.patch(`/loyalty/programs/${programId}`, { version: p.version, perDayCap: 5 });
    assert.equal(stale.status, 409);
    // A store manager reads the brand program but may not change it.
    const store = await as('zhang.wei');
    assert.equal((await store.get(`/loyalty/programs/${programId}`)).status, 200);
    assert.equal(
      (await store.patch(`/loyalty/programs/${programId}`, { version: changed.version })).status,
      403,
    );
  });
});

describe('loyalty: points from orders', () => {
  it('earns on the net paid amount with the channel multiplier, upgrades at once, reverses a refund', async () => {
    await setup();
    const sales = await as('sun.lei');
    const m = await member(sales, '王会员');
    const manager = await as('zhang.wei');
    const order = await ok(
      manager.post('/records/order', {
        name: '保养套餐订单',
        customerId: m.customerId,
        amount: cny(100_000),
        channel: '线上商城',
      }),
      201,
    );
    const pay1 = await ok(
      manager.post('/records/payment', { orderId: order.id, amount: cny(60_000), paidAt: '2026-12-01' }),
      201,
    );
    await drainBackground(env, tenantId);
    let d = await ok(sales.get(`/loyalty/members/${m.memberId}`));
    assert.equal(d.summary.balance, 900, `600 yuan paid × 1 × 1.5: ${d.ledger[0]?.rule}`);
    assert.match(d.ledger[0].rule, /600.*线上商城.*1\.5 = 900/);
    assert.equal(d.summary.tier.name, '银卡');
    await ok(
      manager.post('/records/payment', { orderId: order.id, amount: cny(40_000), paidAt: '2026-12-02' }),
      201,
    );
    await drainBackground(env, tenantId);
    d = await ok(sales.get(`/loyalty/members/${m.memberId}`));
    assert.equal(d.summary.balance, 1500);
    assert.equal(d.summary.tier.name, '金卡', 'upgraded the moment the order qualified');
    assert.deepEqual(
      d.tierHistory.map((h: any) => h.reason),
      ['upgrade', 'enrolled'],
    );
    // The refund of the first receipt takes its 900 points back; the tier waits for the review.
    const gone = await manager.request('DELETE', `/records/payment/${pay1.id}`);
    assert.ok(gone.status < 300, JSON.stringify(gone.body));
    await drainBackground(env, tenantId);
    d = await ok(sales.get(`/loyalty/members/${m.memberId}`));
    assert.equal(d.summary.balance, 600);
    assert.equal(d.ledger[0].kind, 'reverse_earn');
    assert.equal(d.ledger[0].delta, -900);
    assert.equal(d.summary.tier.name, '金卡');
    assert.deepEqual(
      d.ledger.map((l: any) => l.balanceAfter),
      [600, 1500, 900],
      'running balance, newest first',
    );
    // CDP traits follow the member.
    const traits = await inTenant(env.database.db, tenantId, async (tx) => {
      return (
        await sql<{ traits: any }>`select traits from cdp_profiles where id = ${m.profileId}`.execute(tx)
      ).rows[0]!.traits;
    });
    assert.equal(traits.loyalty_points, 600);
    assert.equal(traits.loyalty_tier, '金卡');
  });

  it('weighs category multipliers by line amount and applies the per-order cap', () => {
    const rule = orderPoints(
      'zh-CN',
      {
        points_per_yuan: '2',
        channel_multipliers: {},
        category_multipliers: { 配件: 3 },
        per_order_cap: 2000,
      },
      {
        paidMinor: 100_000,
        channel: null,
        categories: [
          { category: '配件', netMinor: 30_000 },
          { category: '保养', netMinor: 70_000 },
        ],
      },
    );
    // 1000 yuan × 2 × (0.3 × 3 + 0.7 × 1) = 3200, capped at 2000.
    assert.equal(rule.points, 2000);
    assert.match(rule.rule, /配件.*单笔上限 2000/);
  });
});

describe('loyalty: members, scope and adjustments', () => {
  it('shows members to their unit and the units above only; other stores get 404', async () => {
    await setup();
    const sales = await as('sun.lei');
    const m = await member(sales, '李会员');
    assert.equal((await (await as('zhang.wei')).get(`/loyalty/members/${m.memberId}`)).status, 200);
    assert.equal((await (await as('liu.yang')).get(`/loyalty/members/${m.memberId}`)).status, 404);
    const list = await ok((await as('liu.yang')).get('/loyalty/members'));
    assert.ok(!list.items.some((x: any) => x.id === m.memberId));
    const mine = await ok(sales.get(`/loyalty/members?q=${m.memberNo}`));
    assert.equal(mine.items.length, 1);
    assert.match(mine.items[0].phone, /\*{4}/, 'phones are masked for a salesperson');
    // Enrolling the same profile again returns the membership.
    const again = await ok(
      sales.post('/loyalty/members', { programId, profileId: m.profileId, idempotencyKey: 'another-key' }),
    );
    assert.deepEqual([again.memberId, again.created], [m.memberId, false]);
  });

  it('applies small adjustments at once and sends large ones through approval', async () => {
    await setup();
    const m = await member(await as('sun.lei'), '赵会员');
    assert.equal(
      (
        await (
          await as('sun.lei')
        ).post(`/loyalty/members/${m.memberId}/adjustments`, {
          points: 10,
          reason: '补录',
          idempotencyKey: 'a0',
        })
      ).status,
      403,
    );
    const manager = await as('zhang.wei');
    const small = await ok(
      manager.post(`/loyalty/members/${m.memberId}/adjustments`, {
        points: 100,
        reason: '活动补发',
        idempotencyKey: 'a1',
      }),
      201,
    );
    assert.equal(small.status, 'applied');
    const over = await manager.post(`/loyalty/members/${m.memberId}/adjustments`, {
      points: -500,
      reason: '扣减',
      idempotencyKey: 'a2',
    });
    assert.equal(over.status, 409);
    assert.equal(over.body.reason, 'loyalty.insufficient_points');
    const big = await ok(
      manager.post(`/loyalty/members/${m.memberId}/adjustments`, {
        points: 5000,
        reason: '大客户补偿',
        idempotencyKey: 'a3',
      }),
      201,
    );
    assert.equal(big.status, 'pending');
    assert.ok(big.approvalRequestId);
    let d = await ok(manager.get(`/loyalty/members/${m.memberId}`));
    assert.equal(d.summary.balance, 100);
    await ok((await as('chen.zhiqiang')).post(`/approvals/${big.approvalRequestId}/approve`, {}));
    d = await ok(manager.get(`/loyalty/members/${m.memberId}`));
    assert.equal(d.summary.balance, 5100);
    assert.equal(d.adjustments[0].status, 'applied');
    assert.equal(d.summary.tier.name, '银卡', 'manual points do not count for the tier');
    const bad = await manager.post(`/loyalty/members/${m.memberId}/adjustments`, { points: 0, reason: 'x' });
    assert.equal(bad.status, 422);
  });

  it('imports members from CSV, once, and reports bad rows', async () => {
    await setup();
    const sales = await as('sun.lei');
    const phone = uniqueMobile();
    await ok(sales.post('/records/customer', { name: '导入会员', kind: 'person', phone }), 201);
    await drainBackground(env, tenantId);
    const hq = await as('wang.jianguo');
    const csv = `mobile,unit_code,points\n${phone},EC-D1-S1,300\n13000000000,,\n`;
    const dry = await ok(hq.post('/loyalty/members/import', { programId, csv, dryRun: true }));
    assert.deepEqual([dry.rows, dry.enrolled, dry.errors.length], [2, 0, 1]);
    const r = await ok(hq.post('/loyalty/members/import', { programId, csv }));
    assert.deepEqual([r.enrolled, r.errors[0].row], [1, 3]);
    const again = await ok(hq.post('/loyalty/members/import', { programId, csv }));
    assert.deepEqual([again.enrolled, again.existing], [0, 1]);
    const found = await ok(sales.get(`/loyalty/members?q=${encodeURIComponent(`+86${phone}`)}`));
    assert.equal(found.items[0]?.balance ?? 300, 300);
  });
});
