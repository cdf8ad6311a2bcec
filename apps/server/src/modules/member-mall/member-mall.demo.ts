import { inTenant } from '../../core/db/tenant-scope.ts';
import type { DemoContext } from '../../engine/module.ts';
import { referralCodeOf, registerReferral } from './referrals.service.ts';

const REWARDS = [
  { name: '满200减30 到店券', kind: 'coupon', pointsCost: 300, description: '全场通用，领取后 30 天内有效' },
  {
    name: '品牌保温杯',
    kind: 'gift',
    pointsCost: 1200,
    stock: 40,
    description: '316 不锈钢 500ml，包邮到家',
  },
  {
    name: '定制帆布袋',
    kind: 'gift',
    pointsCost: 600,
    stock: 3,
    perMemberLimit: 2,
    description: '限量款，数量有限',
  },
  {
    name: '门店免费深度清洁',
    kind: 'service',
    pointsCost: 800,
    stock: 20,
    description: '到店出示兑换记录即可',
  },
  { name: '生日双倍积分卡', kind: 'service', pointsCost: 200, description: '生日月消费积分翻倍' },
] as const;

/**
 * The mall's part of the demo: five rewards, the card page on the tenant's program (when loyalty
 * made one), a few redemptions by members with points (one shipped, one cancelled) and a few
 * referrals, so the mall, the redemption list and member analytics open with data.
 */
export async function seedMemberMall(ctx: DemoContext): Promise<void> {
  const admin = await ctx.signIn('admin');
  let templates = (await admin<{ items: Array<{ id: string }> }>('GET', '/coupon-templates')).items;
  if (!templates.length)
    templates = [
      await admin('POST', '/coupon-templates', {
        name: '积分兑换 满200减30',
        kind: 'amount_off',
        thresholdMinor: 200_00,
        amountMinor: 30_00,
        validity: 'relative',
        validDays: 30,
        perProfileLimit: 100,
      }),
    ];
  const rewards: Array<{ id: string; kind: string; pointsCost: number }> = [];
  for (const r of REWARDS)
    rewards.push(
      await admin('POST', '/member-mall/rewards', {
        ...r,
        ...(r.kind === 'coupon' ? { couponTemplateId: templates[0]!.id } : {}),
      }),
    );
  const programs = (await admin<{ items: Array<{ id: string; name: string }> }>('GET', '/loyalty/programs'))
    .items;
  const program = programs.find((p) => p.name.includes('臻享')) ?? programs[0];
  if (!program) return;
  const s = await admin<{ version: number }>('GET', '/member-mall/settings');
  await admin('PATCH', '/member-mall/settings', { programId: program.id, version: s.version });
  const members = (
    await admin<{ items: Array<{ id: string; profileId: string; balance: number }> }>(
      'GET',
      `/loyalty/members?programId=${program.id}&limit=60`,
    )
  ).items;
  const shipping = { name: '陈静', phone: '13800138000', address: '上海市静安区南京西路 1266 号' };
  let n = 0;
  for (const m of members) {
    const w = rewards.find((x) => x.pointsCost <= m.balance && (n % 2 === 0 || x.kind !== 'coupon'));
    if (!w) continue;
    const red = await admin<{ id: string; version: number }>('POST', '/member-mall/redemptions', {
      memberId: m.id,
      rewardId: w.id,
      idempotencyKey: `demo-redeem-${m.id}`,
      ...(w.kind === 'gift' ? { shipping } : {}),
    });
    if (w.kind === 'gift' && n === 1)
      await admin('POST', `/member-mall/redemptions/${red.id}/actions`, {
        action: 'ship',
        version: red.version,
        trackingNo: 'SF1402857731',
      });
    if (w.kind !== 'coupon' && n === 3)
      await admin('POST', `/member-mall/redemptions/${red.id}/actions`, {
        action: 'cancel',
        version: red.version,
        reason: '会员改选其他礼品',
      });
    if (++n >= 8) break;
  }
  // 老带新: the first members brought in a few of the later ones.
  await inTenant(ctx.database.db, ctx.tenantId, async (tx) => {
    for (let i = 0; i + 5 < members.length && i < 3; i++) {
      const code = await referralCodeOf(tx, ctx.tenantId, members[i]!.id, members[i]!.profileId);
      await registerReferral(tx, ctx.tenantId, {
        code,
        refereeProfileId: members[i + 5]!.profileId,
        refereeMemberId: members[i + 5]!.id,
        newMember: true,
      });
    }
  });
  await ctx.drain();
}
