import type { DemoContext } from '../../engine/module.ts';
import { register, sendRegistrationToCdp, withPublicCampaign } from './registration.service.ts';

const DAY = 86_400_000;
const NAMES = [
  '王磊',
  '李娜',
  '张伟',
  '刘洋',
  '陈静',
  '杨帆',
  '赵敏',
  '黄强',
  '周婷',
  '吴昊',
  '徐丽',
  '孙浩',
  '马俊',
  '朱琳',
];

/**
 * Two campaigns with their story (issue 12): a 车展 with a coupon for registrants, three channel
 * links, cost lines over budget lines, registrations through the links and some checked in at
 * the venue; a store 保养节 with costs and a few walk-in registrations.
 */
export async function seedCampaigns(ctx: DemoContext): Promise<void> {
  const admin = await ctx.signIn('admin');
  const iso = (d: number) => new Date(ctx.now + d * DAY).toISOString();
  const day = (d: number) => iso(d).slice(0, 10);
  const coupon = await admin<{ id: string }>('POST', '/coupon-templates', {
    name: '车展报名礼 满200减30',
    kind: 'amount_off',
    thresholdMinor: 200_00,
    amountMinor: 30_00,
    validity: 'relative',
    validDays: 60,
    perProfileLimit: 1,
  });
  const expo = await admin<{ id: string; registrationUrl: string }>('POST', '/campaigns', {
    name: '2026 春季新能源车展',
    kind: 'expo',
    description: '国家会展中心 8.1 馆：新车静态展示、试驾预约、现场订车礼。',
    startsAt: iso(-12),
    endsAt: iso(18),
    budgetMinor: 80_000_00,
    venue: '国家会展中心（上海）8.1 馆',
    formFields: [
      { key: 'name', label: '姓名', required: true },
      { key: 'city', label: '城市', required: false },
    ],
    consentPurposes: ['marketing', 'service'],
    couponTemplateId: coupon.id,
    status: 'published',
  });
  const store = await admin<{ id: string; registrationUrl: string }>('POST', '/campaigns', {
    name: '浦东店夏季保养节',
    kind: 'store_event',
    description: '到店保养工时 8 折，免费 36 项检测，到店礼一份。',
    startsAt: iso(-6),
    endsAt: iso(24),
    budgetMinor: 12_000_00,
    venue: '浦东新区张杨路店',
    formFields: [{ key: 'name', label: '姓名', required: true }],
    consentPurposes: ['marketing'],
    status: 'published',
  });
  for (const [id, item, amount, d] of [
    [expo.id, '展位搭建', 32_000_00, -14],
    [expo.id, '物料与礼品', 8_600_00, -13],
    [expo.id, '抖音信息流投放', 15_000_00, -10],
    [store.id, '到店礼品', 2_400_00, -7],
    [store.id, '朋友圈广告', 3_000_00, -6],
  ] as const)
    await admin('POST', `/campaigns/${id}/costs`, { item, amountMinor: amount, spentOn: day(d) });
  const links: Record<string, string[]> = { [expo.id]: [], [store.id]: [] };
  for (const [id, utmSource, utmMedium] of [
    [expo.id, 'wechat', 'social'],
    [expo.id, 'douyin', 'cpc'],
    [expo.id, 'sms', 'sms'],
    [store.id, 'wechat', 'social'],
  ] as const) {
    const l = await admin<{ code: string }>('POST', `/campaigns/${id}/links`, { utmSource, utmMedium });
    links[id]!.push(l.code);
  }
  // Registrations as the public page makes them (one per phone), some through a channel link.
  const people: { campaign: { id: string; registrationUrl: string }; n: number; offset: number }[] = [
    { campaign: expo, n: 14, offset: 0 },
    { campaign: store, n: 6, offset: 40 },
  ];
  for (const { campaign, n, offset } of people) {
    const token = new URL(campaign.registrationUrl).pathname.split('/').pop()!;
    const codes = links[campaign.id]!;
    for (let i = 0; i < n; i++) {
      const phone = `1391234${String(offset + i).padStart(4, '0')}`;
      const name = NAMES[(i + offset) % NAMES.length]!;
      const link = i % 4 === 3 ? undefined : codes[i % codes.length];
      const r = await withPublicCampaign(ctx.database, token, (tx, c) =>
        register(tx, c, 'zh-CN', {
          phone,
          fields: { name, ...(offset ? {} : { city: i % 2 ? '上海' : '苏州' }) },
          consents: ['marketing'],
          ...(link ? { link } : {}),
        }),
      );
      if (r) await sendRegistrationToCdp(ctx.database, r.campaign, r.value.registrationId, phone, name);
      if (i % 3 !== 2) await admin('POST', `/campaigns/${campaign.id}/check-ins`, { phone });
    }
  }
  await ctx.drain();
}
