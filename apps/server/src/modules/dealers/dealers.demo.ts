import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import type { DemoCall, DemoContext } from '../../engine/module.ts';

async function approveAll(approver: DemoCall, recordId: string) {
  const inbox = await approver<any>('GET', '/approvals');
  const items = (inbox.items ?? inbox) as { id: string; recordId: string }[];
  for (const r of items.filter((x) => x.recordId === recordId))
    await approver('POST', `/approvals/${r.id}/approve`, { comment: '同意' });
}

/**
 * The dealer story on first start (small): HQ stock and minimum quantities, credit for two
 * dealers, a tier discount and a dealer's fixed price, 满减 / 满折 / 买赠 / 特价 promotions, two
 * rebate rules and low-stock thresholds, a payment;
 * 张伟 (EC-D1) orders — one received, using part of his expense pool, one awaiting approval, a
 * draft in his cart — his stock count raises a low-stock alert, the receipt accrues rebates, and
 * this month's statement waits for his confirmation.
 */
export async function seedDealers(ctx: DemoContext) {
  const units = await inTenant(ctx.database.db, ctx.tenantId, async (tx) =>
    Object.fromEntries(
      (
        await sql<{
          code: string;
          id: string;
        }>`select code, id from units where tenant_id = ${ctx.tenantId}`.execute(tx)
      ).rows.map((r) => [r.code, r.id]),
    ),
  );
  const d1 = units['EC-D1'];
  const d2 = units['EC-D2'];
  if (!d1 || !d2) return;
  const hq = await ctx.signIn('wang.jianguo');
  // HQ lists the catalogue's goods (not its services) for dealer ordering: stock and MOQ.
  const cat = ((await hq<any>('GET', '/records/product?limit=50')).items as any[])
    .filter((p) => p.category !== 'service' && p.listPrice?.amount > 0)
    .map((p) => ({
      productId: p.id as string,
      name: p.name as string,
      listPrice: p.listPrice.amount as number,
    }))
    // The cheapest first: the story's orders are a dealer's everyday restocking.
    .sort((a, b) => a.listPrice - b.listPrice);
  if (cat.length < 2) return;
  for (const [i, p] of cat.entries())
    await hq('PUT', `/dealers/products/${p.productId}`, {
      onHand: 2_000 - i * 100,
      minOrderQty: i === 0 ? 5 : 1,
    });
  await hq('PATCH', `/dealers/accounts/${d1}`, { creditLimit: 1_000_000_00, tier: 'A' });
  await hq('PATCH', `/dealers/accounts/${d2}`, { creditLimit: 500_000_00, tier: 'B' });
  const today = new Date(ctx.now + 8 * 3600_000).toISOString().slice(0, 10);
  const year = today.slice(0, 4);
  await hq('POST', '/dealers/price-policies', {
    name: `${year} A 级经销商价`,
    tier: 'A',
    discountPercent: 85,
    validFrom: `${year}-01-01`,
  });
  await hq('POST', '/dealers/price-policies', {
    name: `${year} 浦东经销商特价`,
    dealerUnitId: d1,
    discountPercent: 82,
    validFrom: `${year}-01-01`,
    lines: [{ productId: cat[0].productId, price: Math.max(1, Math.round(cat[0].listPrice * 0.75)) }],
  });
  const reduce = await hq<any>('POST', '/dealers/promotions', {
    name: '订货满 100 元减 10 元',
    kind: 'full_reduction',
    threshold: 100_00,
    reduction: 10_00,
    startsOn: `${year}-01-01`,
    endsOn: `${year}-12-31`,
  });
  await hq('POST', '/dealers/promotions', {
    name: `买 10 件${cat[1].name}赠 1 件`,
    kind: 'gift',
    threshold: 10,
    productId: cat[1].productId,
    giftProductId: cat[1].productId,
    giftQty: 1,
    startsOn: `${year}-01-01`,
    endsOn: `${year}-12-31`,
  });
  await hq('POST', '/dealers/promotions', {
    name: '订货满 2000 元打 95 折',
    kind: 'percent_off',
    threshold: 2_000_00,
    percent: 95,
    startsOn: `${year}-01-01`,
    endsOn: `${year}-12-31`,
  });
  await hq('POST', '/dealers/promotions', {
    name: `${cat[0].name} 满 20 件特价`,
    kind: 'special_price',
    threshold: 20,
    productId: cat[0].productId,
    specialPrice: Math.max(1, Math.round(cat[0].listPrice * 0.7)),
    dealerUnitId: d1,
    startsOn: `${year}-01-01`,
    endsOn: `${year}-12-31`,
  });
  // Rebates: a quarterly volume rule for every dealer and a per-unit rule on the cheapest product.
  await hq('POST', '/dealers/rebate-rules', {
    name: '季度进货满 1 万元返 2%',
    basis: 'volume',
    periodKind: 'quarter',
    threshold: 10_000_00,
    percent: 2,
    startsOn: `${year}-01-01`,
  });
  await hq('POST', '/dealers/rebate-rules', {
    name: `${cat[0].name} 每件返 1 元`,
    basis: 'product',
    periodKind: 'month',
    productId: cat[0].productId,
    perUnit: 1_00,
    startsOn: `${year}-01-01`,
  });
  // Low-stock thresholds on the two everyday products (the dealer's count below raises an alert).
  for (const p of cat.slice(0, 2))
    await hq('PUT', `/dealers/products/${p.productId}/threshold`, { minQty: 10 });
  await hq('POST', `/dealers/accounts/${d1}/entries`, {
    kind: 'payment',
    amount: 5_000_00,
    ref: '银行转账 回款',
    idempotencyKey: 'demo-payment-1',
  });

  const zhang = await ctx.signIn('zhang.wei');
  const chen = await ctx.signIn('chen.zhiqiang');
  const account = await zhang<any>('GET', `/dealers/accounts/${d1}`);
  const first = await zhang<any>('POST', '/dealers/orders', {
    lines: [
      { productId: cat[0].productId, quantity: 20 },
      { productId: cat[1].productId, quantity: 10 },
    ],
    promotionIds: [reduce.id],
    poolDeduction: Math.min(account.poolBalance, 20_00),
    note: '月初备货',
  });
  await zhang('POST', `/dealers/orders/${first.id}/submit`, {});
  await approveAll(chen, first.id);
  await hq('POST', `/dealers/orders/${first.id}/ship`, {});
  await zhang('POST', `/dealers/orders/${first.id}/receive`, {});
  // 张伟 counts his store room: the gift product ran low after a week of sell-out.
  await zhang('POST', '/dealers/channel-stock/reports', {
    counts: [{ productId: cat[1].productId, quantity: 4 }],
    sellOut: [{ productId: cat[0].productId, quantity: 6 }],
    idempotencyKey: 'demo-stock-count-1',
  });
  await ctx.drain();

  const second = await zhang<any>('POST', '/dealers/orders', {
    lines: [{ productId: cat[1].productId, quantity: 6 }],
    note: '门店补货',
  });
  await zhang('POST', `/dealers/orders/${second.id}/submit`, {});
  await zhang('POST', '/dealers/orders', {
    lines: [{ productId: cat[0].productId, quantity: 5 }],
    note: '购物车',
  });

  await hq('POST', '/dealers/statements', { dealerUnitId: d1, period: today.slice(0, 7) });
}
