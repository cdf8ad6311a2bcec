import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import type { DemoContext } from '../../engine/module.ts';
import { settleOrder } from './earn-rules.service.ts';
import { earnPoints, spendPoints } from './points.service.ts';

/**
 * 「臻享会员」: the brand program with three tiers; the demo's person customers become members
 * at the store that serves them, their paid orders earn points under the program's rules (so
 * the ledger shows the rule), some spend and get event points.
 */
export async function seedLoyalty(ctx: DemoContext): Promise<void> {
  const admin = await ctx.signIn('admin');
  const program = await admin<{ id: string }>('POST', '/loyalty/programs', {
    name: '臻享会员',
    memberPrefix: 'ZX',
    pointsPerYuan: 1,
    channelMultipliers: { 线上商城: 1.5, 小程序: 1.2 },
    categoryMultipliers: { 配件: 2 },
    perOrderCap: 200_000,
    expiryDays: 730,
    tierWindowDays: 365,
    retentionPercent: 80,
    adjustApprovalThreshold: 2000,
    eventRules: [{ event: 'Review Submitted', points: 50, perDay: 1 }],
    tiers: [
      { name: '普卡会员', threshold: 0, freeServices: ['免费洗车 1 次/年'] },
      {
        name: '金卡会员',
        threshold: 3000,
        discountPercent: 5,
        freeServices: ['免费洗车 4 次/年', '免费检测'],
        birthdayPoints: 200,
      },
      {
        name: '钻石会员',
        threshold: 10000,
        discountPercent: 10,
        freeServices: ['免费洗车 12 次/年', '免费检测', '专属服务顾问', '机场接送'],
        birthdayPoints: 800,
      },
    ],
  });
  const people = await inTenant(
    ctx.database.db,
    ctx.tenantId,
    async (tx) =>
      (
        await sql<{
          profile_id: string;
          unit_id: string;
          customer_id: string;
        }>`select l.profile_id, c.unit_id, c.id as customer_id
        from cdp_profile_links l join customers c on c.tenant_id = l.tenant_id and c.id = l.record_id
        where l.tenant_id = ${ctx.tenantId} and l.object = 'customer' and c.deleted_at is null
        order by c.created_at, c.id limit 40`.execute(tx)
      ).rows,
  );
  const members: string[] = [];
  for (const p of people) {
    const m = await admin<{ memberId: string }>('POST', '/loyalty/members', {
      programId: program.id,
      profileId: p.profile_id,
      unitId: p.unit_id,
      source: 'pos',
      idempotencyKey: `demo:${p.profile_id}`,
    });
    members.push(m.memberId);
  }
  // A few members buy through the API as a store would: the paid receipts earn points under the rules.
  const buys: [number, number, string][] = [
    [0, 4_280_00, '线上商城'],
    [1, 1_680_00, '门店'],
    [2, 12_800_00, '小程序'],
    [3, 680_00, '线上商城'],
    [5, 3_200_00, '门店'],
  ];
  for (const [i, amount, channel] of buys) {
    const p = people[i];
    if (!p) continue;
    const order = await admin<{ id: string }>('POST', '/records/order', {
      name: `会员订单-${i + 1}`,
      customerId: p.customer_id,
      amount: { amount, currency: 'CNY' },
      channel,
    });
    await admin('POST', '/records/payment', {
      orderId: order.id,
      amount: { amount, currency: 'CNY' },
      paidAt: new Date(ctx.now).toISOString().slice(0, 10),
    });
  }
  await ctx.drain();
  await inTenant(ctx.database.db, ctx.tenantId, async (tx) => {
    const orders = (
      await sql<{ id: string }>`select o.id from orders o
        where o.tenant_id = ${ctx.tenantId} and o.customer_id = any(${people.map((p) => p.customer_id)}::uuid[])
          and coalesce((o.paid_amount->>'amount')::bigint, 0) > 0`.execute(tx)
    ).rows;
    for (const o of orders) await settleOrder(tx, ctx.tenantId, o.id, 'demo');
    // Everyday activity: sign-up gifts, reviews, a few redemptions.
    for (const [i, memberId] of members.entries()) {
      await earnPoints(
        tx,
        ctx.tenantId,
        { memberId, points: 200, reason: '入会礼', idempotencyKey: `demo:welcome:${memberId}` },
        { qualifying: 0 },
      );
      if (i % 3 === 0)
        await earnPoints(tx, ctx.tenantId, {
          memberId,
          points: 50,
          reason: '行为「Review Submitted」得积分',
          idempotencyKey: `demo:review:${memberId}`,
          expiresAt: new Date(ctx.now + (10 + i) * 86_400_000),
        });
      if (i % 4 === 1)
        await spendPoints(tx, ctx.tenantId, {
          memberId,
          points: 150,
          reason: '积分兑换 洗车券',
          idempotencyKey: `demo:spend:${memberId}`,
        });
      if (i % 5 === 2)
        await earnPoints(
          tx,
          ctx.tenantId,
          {
            memberId,
            points: 1200 + i * 300,
            reason: '老客户积分迁移',
            idempotencyKey: `demo:migrate:${memberId}`,
          },
          { kind: 'adjust' },
        );
    }
  });
  await ctx.drain();
}
