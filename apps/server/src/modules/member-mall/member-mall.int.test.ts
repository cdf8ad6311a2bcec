import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';
import { uniqueMobile } from '../../testing/fixtures.ts';
import {
  type Client,
  drainBackground,
  login,
  newTenantWithAdmin,
  useTestEnv,
} from '../../testing/harness.ts';
import { profileForPhone } from '../cdp/index.ts';
import { amountOff } from '../coupons/test-kit.ts';
import { earnPoints, enrolMember, getMemberSummary } from '../loyalty/index.ts';

const env = useTestEnv();

const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
};

let tenantId = '';
let slug = '';
let admin: Client;
let rootUnit = '';
let programId = '';
let cardToken = '';
let couponTemplate = '';
const inT = <T>(fn: (tx: Tx) => Promise<T>) => inTenant(env.database.db, tenantId, fn);

/** A program written into loyalty's tables (its admin API is loyalty's business, not under test). */
async function program(tx: Tx) {
  const id = newId();
  await sql`insert into loyalty_programs (tenant_id, id, name, unit_id, retention_percent)
    values (${tenantId}, ${id}, '臻享会员', ${rootUnit}, 80)`.execute(tx);
  for (const [rank, [name, threshold]] of [
    ['银卡', 0],
    ['金卡', 1000],
  ].entries())
    await sql`insert into loyalty_tiers (tenant_id, id, program_id, name, rank, threshold)
      values (${tenantId}, ${newId()}, ${id}, ${name}, ${rank}, ${threshold})`.execute(tx);
  return id;
}

/** A member of the program holding `points`. */
async function member(points: number, unitId = rootUnit) {
  return inT(async (tx) => {
    const p = (await profileForPhone(tx, tenantId, uniqueMobile(), 'test'))!;
    const m = await enrolMember(tx, tenantId, {
      programId,
      profileId: p.profileId,
      unitId,
      source: 'api',
      idempotencyKey: `t:${p.profileId}`,
    });
    if (points)
      await earnPoints(tx, tenantId, {
        memberId: m.memberId,
        points,
        reason: 'test',
        idempotencyKey: `t-earn:${m.memberId}`,
      });
    return m.memberId;
  });
}
const balance = (memberId: string) =>
  inT(async (tx) => (await getMemberSummary(tx, tenantId, memberId)).balance);

let ready: Promise<void> | null = null;
const setup = () =>
  (ready ??= (async () => {
    const t = await newTenantWithAdmin(env, 2);
    tenantId = t.tenantId;
    slug = t.seed.slug;
    admin = t.admin;
    await inT(async (tx) => {
      rootUnit = (await sql<{ id: string }>`select id from units where parent_id is null`.execute(tx))
        .rows[0]!.id;
      programId = await program(tx);
    });
    const s = await ok(admin.get('/member-mall/settings'));
    await ok(admin.patch('/member-mall/settings', { programId, version: s.version }));
    cardToken = s.cardUrl.split('/vip/')[1];
    couponTemplate = (await ok(admin.post('/coupon-templates', amountOff('积分兑换券')), 201)).id;
  })());

/** The public card page, as a phone browser would call it (cookie jar of one). */
class Phone {
  cookie = '';
  async call(method: string, path: string, body?: unknown) {
    const res = await fetch(`${env.baseUrl}/vip/${cardToken}${path}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!;
    const text = await res.text();
    return {
      status: res.status,
      body: (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text,
    };
  }
}

async function lastCode(phone: string): Promise<string> {
  return inT(async (tx) => {
    const r = await sql<{ body: string }>`select m.body from messaging_messages m
      join cdp_identities i on i.tenant_id = m.tenant_id and i.profile_id = m.profile_id and i.kind = 'phone'
      where i.value = ${`+86${phone}`} and m.channel = 'sms' order by m.created_at desc limit 1`.execute(tx);
    return /(\d{6})/.exec(r.rows[0]!.body)![1]!;
  });
}

async function signIn(phone: string, ref?: string) {
  const c = new Phone();
  // A second sign-in of the same phone in this test: its earlier code is older than the resend wait.
  await inT((tx) =>
    sql`update mall_card_codes set created_at = created_at - interval '2 minutes'
      where phone = ${`+86${phone}`}`.execute(tx),
  );
  await ok(c.call('POST', '/code', { phone }));
  const code = await lastCode(phone);
  const r = await c.call('POST', '/sign-in', { phone, code, ...(ref ? { ref } : {}) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { c, referral: r.body.referral as string | null };
}

describe('points mall', () => {
  it('refuses a coupon reward without a template and a stale version, with localised field errors', async () => {
    await setup();
    const bad = await admin.post('/member-mall/rewards', { name: '券', kind: 'coupon', pointsCost: 10 });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].field, 'couponTemplateId');
    const w = await ok(
      admin.post('/member-mall/rewards', { name: '保温杯', kind: 'gift', pointsCost: 300, stock: 2 }),
      201,
    );
    assert.deepEqual([w.stockTotal, w.stockLeft], [2, 2]);
    await ok(admin.patch(`/member-mall/rewards/${w.id}`, { stock: 5, version: w.version }));
    const stale = await admin.patch(`/member-mall/rewards/${w.id}`, { stock: 1, version: w.version });
    assert.equal(stale.status, 409);
    const now = await ok(admin.get(`/member-mall/rewards/${w.id}`));
    assert.deepEqual([now.stockTotal, now.stockLeft], [5, 5]);
  });

  it('sells the last 3 items to exactly 3 of 20 concurrent redeemers; the others keep their points', async () => {
    await setup();
    const w = await ok(
      admin.post('/member-mall/rewards', { name: '限量礼盒', kind: 'service', pointsCost: 100, stock: 3 }),
      201,
    );
    const members: string[] = [];
    for (let i = 0; i < 20; i++) members.push(await member(150));
    const results = await Promise.all(
      members.map((memberId, i) =>
        admin.post('/member-mall/redemptions', { memberId, rewardId: w.id, idempotencyKey: `race-${i}-key` }),
      ),
    );
    const won = results.filter((r) => r.status === 201);
    const lost = results.filter((r) => r.status !== 201);
    assert.equal(won.length, 3, JSON.stringify(results.map((r) => [r.status, r.body.reason])));
    for (const r of lost) {
      assert.equal(r.status, 409);
      assert.equal(r.body.reason, 'out_of_stock');
    }
    const after = await ok(admin.get(`/member-mall/rewards/${w.id}`));
    assert.equal(after.stockLeft, 0);
    assert.equal(after.redeemed, 3);
    const balances = await Promise.all(members.map(balance));
    assert.equal(balances.filter((b) => b === 50).length, 3);
    assert.equal(balances.filter((b) => b === 150).length, 17);
  });

  it('spends once per key, refuses too few points without touching stock, and cancels back into points and stock', async () => {
    await setup();
    const w = await ok(
      admin.post('/member-mall/rewards', {
        name: '按摩靠垫',
        kind: 'gift',
        pointsCost: 400,
        stock: 5,
        perMemberLimit: 3,
      }),
      201,
    );
    const rich = await member(1000);
    const poor = await member(100);
    const shipping = { name: '王芳', phone: '13900001111', address: '上海市徐汇区漕溪北路 1 号' };
    const noAddress = await admin.post('/member-mall/redemptions', {
      memberId: rich,
      rewardId: w.id,
      idempotencyKey: 'no-address-1',
    });
    assert.equal(noAddress.status, 422);
    const first = await ok(
      admin.post('/member-mall/redemptions', {
        memberId: rich,
        rewardId: w.id,
        idempotencyKey: 'gift-key-1',
        shipping,
      }),
      201,
    );
    const again = await ok(
      admin.post('/member-mall/redemptions', {
        memberId: rich,
        rewardId: w.id,
        idempotencyKey: 'gift-key-1',
        shipping,
      }),
      201,
    );
    assert.equal(again.id, first.id);
    assert.equal(first.status, 'pending_shipment');
    assert.equal(await balance(rich), 600);
    const broke = await admin.post('/member-mall/redemptions', {
      memberId: poor,
      rewardId: w.id,
      idempotencyKey: 'poor-key-1',
      shipping,
    });
    assert.equal(broke.status, 409);
    assert.equal((await ok(admin.get(`/member-mall/rewards/${w.id}`))).stockLeft, 4);
    // Ship needs a tracking number; cancel after shipping is refused; cancel before returns points.
    const noTracking = await admin.post(`/member-mall/redemptions/${first.id}/actions`, {
      action: 'ship',
      version: first.version,
    });
    assert.equal(noTracking.status, 422);
    const second = await ok(
      admin.post('/member-mall/redemptions', {
        memberId: rich,
        rewardId: w.id,
        idempotencyKey: 'gift-key-2',
        shipping,
      }),
      201,
    );
    const shipped = await ok(
      admin.post(`/member-mall/redemptions/${first.id}/actions`, {
        action: 'ship',
        version: first.version,
        trackingNo: 'SF1234567',
      }),
    );
    assert.equal(shipped.status, 'shipped');
    const late = await admin.post(`/member-mall/redemptions/${first.id}/actions`, {
      action: 'cancel',
      version: shipped.version,
    });
    assert.equal(late.status, 409);
    const cancelled = await ok(
      admin.post(`/member-mall/redemptions/${second.id}/actions`, {
        action: 'cancel',
        version: second.version,
        reason: '客户不要了',
      }),
    );
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(await balance(rich), 600);
    assert.equal((await ok(admin.get(`/member-mall/rewards/${w.id}`))).stockLeft, 4);
    const twice = await admin.post(`/member-mall/redemptions/${second.id}/actions`, {
      action: 'cancel',
      version: cancelled.version,
    });
    assert.equal(twice.status, 409);
  });

  it('cancels a coupon redemption once under two concurrent cancels (coupon voided, one refund), never a used one', async () => {
    await setup();
    const w = await ok(
      admin.post('/member-mall/rewards', {
        name: '取消测试券',
        kind: 'coupon',
        pointsCost: 80,
        couponTemplateId: couponTemplate,
        perMemberLimit: 5,
      }),
      201,
    );
    const m = await member(500);
    const redeem = (key: string) =>
      ok(admin.post('/member-mall/redemptions', { memberId: m, rewardId: w.id, idempotencyKey: key }), 201);
    const d = await redeem('void-key-1');
    assert.equal(d.status, 'issued');
    assert.equal(await balance(m), 420);
    const cancel = (x: { id: string; version: number }) =>
      admin.post(`/member-mall/redemptions/${x.id}/actions`, {
        action: 'cancel',
        version: x.version,
        reason: '误兑',
      });
    const both = await Promise.all([cancel(d), cancel(d)]);
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 409], JSON.stringify(both.map((r) => r.body)));
    assert.equal(both.find((r) => r.status === 200)!.body.status, 'cancelled');
    assert.equal(await balance(m), 500);
    const coupon = await ok(admin.get(`/coupons/lookup?code=${encodeURIComponent(d.couponCode)}`));
    assert.equal(coupon.status, 'voided');
    const voidedAgain = await ok(admin.post(`/coupons/${coupon.id}/void`, {}));
    assert.equal(voidedAgain.status, 'voided');
    await inT(async (tx) => {
      const ledger = await sql<{
        kind: string;
        n: number;
      }>`select l.kind, count(*)::int as n from loyalty_ledger l
        where l.member_id = ${m} group by l.kind order by l.kind`.execute(tx);
      assert.deepEqual(ledger.rows, [
        { kind: 'earn', n: 1 },
        { kind: 'reverse_spend', n: 1 },
        { kind: 'spend', n: 1 },
      ]);
      const audit = await sql<{ n: number }>`select count(*)::int as n from audit_log
        where object = 'coupon' and record_id = ${coupon.id} and meta->>'void' = 'mall_cancel'`.execute(tx);
      assert.equal(audit.rows[0]!.n, 1);
    });
    // A coupon used at the till cannot be cancelled: a clear 409, points and coupon untouched.
    const used = await redeem('void-key-2');
    await ok(admin.post('/coupons/redeem', { code: used.couponCode, orderAmountMinor: 150_00 }));
    const refused = await cancel(used);
    assert.equal(refused.status, 409);
    assert.match(refused.body.detail, new RegExp(`${used.couponCode}.*已于.*使用，不能取消兑换`));
    admin.locale = 'en-US';
    const refusedEn = await cancel(used);
    admin.locale = 'zh-CN';
    assert.match(refusedEn.body.detail, /was used on .*cannot be cancelled/);
    assert.equal(await balance(m), 420);
    assert.equal((await ok(admin.get(`/member-mall/redemptions/${used.id}`))).status, 'issued');
  });

  it('masks shipping addresses for people who cannot fulfil, and hides other tenants', async () => {
    await setup();
    const other = await newTenantWithAdmin(env, 0);
    const list = await ok(other.admin.get('/member-mall/redemptions'));
    assert.equal(list.total, 0);
    const mine = await ok(admin.get('/member-mall/redemptions?status=shipped'));
    assert.ok(mine.items.length >= 1);
    assert.equal(mine.items[0].shipping.phone, '13900001111');
    const ghost = await other.admin.get(`/member-mall/redemptions/${mine.items[0].id}`);
    assert.equal(ghost.status, 404);
  });
});

describe('member card page', () => {
  it('signs a new customer in by SMS code, enrols them, shows points, and redeems a coupon', async () => {
    await setup();
    const w = await ok(
      admin.post('/member-mall/rewards', {
        name: '满100减20券',
        kind: 'coupon',
        pointsCost: 50,
        couponTemplateId: couponTemplate,
      }),
      201,
    );
    const phone = uniqueMobile();
    const c = new Phone();
    const page = await c.call('GET', '');
    assert.equal(page.status, 200);
    assert.match(page.body, /获取验证码/);
    assert.equal((await c.call('POST', '/code', { phone: '12345' })).status, 422);
    await ok(c.call('POST', '/code', { phone }));
    const soon = await c.call('POST', '/code', { phone });
    assert.equal(soon.status, 409);
    assert.equal(soon.body.reason, 'code_too_soon');
    const code = await lastCode(phone);
    const wrong = await c.call('POST', '/sign-in', { phone, code: code === '000000' ? '111111' : '000000' });
    assert.equal(wrong.status, 422);
    assert.equal(wrong.body.errors[0].field, 'code');
    // Staff reading the message log never see a customer's sign-in code.
    const log = await ok(admin.get('/messaging/messages'));
    assert.ok(!JSON.stringify(log).includes(code), 'the sign-in code is not in the message log');
    await ok(c.call('POST', '/sign-in', { phone, code }));
    // The code is used up.
    assert.equal((await new Phone().call('POST', '/sign-in', { phone, code })).status, 409);
    const me = await ok(c.call('GET', '/me'));
    assert.equal(me.member.balance, 0);
    await inT((tx) =>
      earnPoints(tx, tenantId, {
        memberId: me.member.memberId,
        points: 80,
        reason: 'test',
        idempotencyKey: `card-${phone}`,
      }),
    );
    const shown = await c.call('GET', '');
    assert.match(shown.body, /data-testid="card-points">80</);
    const red = await ok(c.call('POST', '/redeem', { rewardId: w.id, idempotencyKey: 'card-redeem-1' }));
    assert.equal(red.status, 'issued');
    assert.match(red.couponCode, /^[A-Z2-9]{4}-/);
    const after = await ok(c.call('GET', '/me'));
    assert.equal(after.member.balance, 30);
    // The tier's benefits and the newest ledger lines (at most 20), in words.
    assert.deepEqual(
      after.ledger.map((l: { delta: number }) => l.delta),
      [-50, 80],
    );
    const card = (await c.call('GET', '')).body as string;
    assert.match(card, /data-testid="card-benefits"/);
    assert.match(card, /「银卡」会员权益/);
    const lines = card.match(/data-testid="card-ledger-line"/g) ?? [];
    assert.equal(lines.length, 2);
    assert.match(card, /积分商城兑换<\/span>\s*<b class="minus">−50<\/b>/);
    assert.match(card, /test<\/span>\s*<b class="plus">\+80<\/b>/);
    assert.equal(after.coupons.length, 1);
    assert.equal(after.history.length, 1);
    // Signed out: no member data.
    assert.equal((await new Phone().call('GET', '/me')).status, 401);
    assert.equal(
      (await new Phone().call('POST', '/redeem', { rewardId: w.id, idempotencyKey: 'anon-key-1' })).status,
      403,
    );

    // 提交服务工单 from the card: one ticket per key, for the member's profile in the member's unit.
    assert.match(card, /data-testid="card-ticket"/);
    const short = await c.call('POST', '/tickets', { description: '坏了', idempotencyKey: 'card-ticket-1' });
    assert.equal(short.status, 422);
    assert.equal(short.body.errors[0].field, 'description');
    const filed = await ok(
      c.call('POST', '/tickets', {
        description: '保养后仪表盘一直亮故障灯，请尽快安排检查',
        idempotencyKey: 'card-ticket-1',
      }),
    );
    const again = await ok(
      c.call('POST', '/tickets', {
        description: '保养后仪表盘一直亮故障灯，请尽快安排检查',
        idempotencyKey: 'card-ticket-1',
      }),
    );
    assert.equal(again.number, filed.number, 'a double tap files once');
    const ticket = await inT(
      async (tx) =>
        (
          await sql<any>`select t.channel, t.subject, t.profile_id, t.unit_id, m.profile_id as member_profile, m.unit_id as member_unit
            from service_tickets t join loyalty_members m on m.tenant_id = t.tenant_id and m.id = ${after.member.memberId}
            where t.number = ${filed.number}`.execute(tx)
        ).rows,
    );
    assert.equal(ticket.length, 1);
    assert.equal(ticket[0].channel, 'form');
    assert.match(ticket[0].subject, /^会员卡：保养后仪表盘/);
    assert.equal(ticket[0].profile_id, ticket[0].member_profile);
    assert.equal(ticket[0].unit_id, ticket[0].member_unit);
    assert.equal(
      (
        await new Phone().call('POST', '/tickets', {
          description: '没有登录也想提交',
          idempotencyKey: 'anon-ticket-1',
        })
      ).status,
      403,
    );
  });

  it('kills a code after five wrong attempts', async () => {
    await setup();
    const phone = uniqueMobile();
    const c = new Phone();
    await ok(c.call('POST', '/code', { phone }));
    const code = await lastCode(phone);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) await c.call('POST', '/sign-in', { phone, code: wrong });
    const r = await c.call('POST', '/sign-in', { phone, code });
    assert.equal(r.status, 409);
    assert.equal(r.body.reason, 'code_attempts');
  });
});

describe('referrals', () => {
  it('registers a new member through a link, refuses self-referral, and rewards both once on the first paid order', async () => {
    await setup();
    const aPhone = uniqueMobile();
    const a = await signIn(aPhone);
    const meA = await ok(a.c.call('GET', '/me'));
    const code = meA.referralCode as string;
    assert.match(meA.referralUrl, new RegExp(`ref=${code}$`));
    // Self: the same phone signing in again through its own link.
    const self = await signIn(aPhone, code);
    assert.equal(self.referral, 'self_referral');
    const bPhone = uniqueMobile();
    const b = await signIn(bPhone, code);
    assert.equal(b.referral, 'registered');
    const meB = await ok(b.c.call('GET', '/me'));
    const refs = await ok(admin.get('/member-mall/referrals'));
    assert.equal(refs.registered, 1);
    assert.equal(refs.refused, 1);
    // B pays a first order (a person customer with B's phone is B's profile).
    const zhang = await login(env, slug, 'zhang.wei');
    const cust = await ok(
      zhang.post('/records/customer', { name: '王小二', kind: 'person', phone: bPhone }),
      201,
    );
    const order = await ok(
      zhang.post('/records/order', {
        name: '首单',
        customerId: cust.id,
        amount: { amount: 10_000, currency: 'CNY' },
      }),
      201,
    );
    await drainBackground(env, tenantId);
    const pay = () =>
      zhang.post('/records/payment', {
        orderId: order.id,
        amount: { amount: 10_000, currency: 'CNY' },
        paidAt: new Date().toISOString().slice(0, 10),
      });
    await ok(pay(), 201);
    await drainBackground(env, tenantId);
    const a1 = (await ok(a.c.call('GET', '/me'))).member.balance;
    const b1 = (await ok(b.c.call('GET', '/me'))).member.balance;
    assert.ok(a1 >= 200, `referrer got ${a1}`);
    assert.ok(b1 - meB.member.balance >= 100, `referee got ${b1}`);
    // A second order is no second reward.
    const order2 = await ok(
      zhang.post('/records/order', {
        name: '二单',
        customerId: cust.id,
        amount: { amount: 5_000, currency: 'CNY' },
      }),
      201,
    );
    await ok(
      zhang.post('/records/payment', {
        orderId: order2.id,
        amount: { amount: 5_000, currency: 'CNY' },
        paidAt: new Date().toISOString().slice(0, 10),
      }),
      201,
    );
    await drainBackground(env, tenantId);
    assert.equal((await ok(a.c.call('GET', '/me'))).member.balance, a1);
    const done = await ok(admin.get('/member-mall/referrals'));
    assert.equal(done.rewarded, 1);
    // Analytics see the members, the paid orders and the redemption rate.
    const an = await ok(admin.get('/member-mall/analytics'));
    assert.ok(an.members >= 2, JSON.stringify(an));
    assert.ok(
      an.tiers.some((t: any) => t.buyers >= 1),
      JSON.stringify(an.tiers),
    );
  });
});
