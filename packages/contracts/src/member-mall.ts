import { z } from 'zod';

/** 积分商城 / 老带新 / 会员卡 / 会员分析 (apps/server/src/modules/member-mall, issue 13). */
export const MEMBER_MALL_PERMISSIONS = {
  read: 'member_mall:read',
  manage: 'member_mall:manage',
  fulfil: 'member_mall:fulfil',
} as const;

export const REWARD_KINDS = ['coupon', 'gift', 'service'] as const;
export const REDEMPTION_STATUSES = [
  'issued',
  'pending_service',
  'served',
  'pending_shipment',
  'shipped',
  'received',
  'cancelled',
] as const;
export type RedemptionStatus = (typeof REDEMPTION_STATUSES)[number];

const RewardFields = z.object({
  name: z.string().trim().min(1).max(60),
  description: z.string().trim().max(500).nullable().optional(),
  kind: z.enum(REWARD_KINDS),
  pointsCost: z.number().int().min(1).max(10_000_000),
  /** Coupon rewards: the coupon template issued on redemption. */
  couponTemplateId: z.uuid().nullable().optional(),
  /** Physical gifts and services: units in stock; null = not counted. */
  stock: z.number().int().min(0).max(10_000_000).nullable().optional(),
  perMemberLimit: z.number().int().min(1).max(1000).optional(),
  status: z.enum(['active', 'paused']).optional(),
  sort: z.number().int().min(0).max(9999).optional(),
});
export const RewardInput = RewardFields.strict();
export type RewardInput = z.infer<typeof RewardInput>;
/** `stock` here is the new number left in stock; `version` guards against a lost update. */
export const RewardPatch = RewardFields.omit({ kind: true })
  .partial()
  .extend({ version: z.number().int().min(1) })
  .strict();
export type RewardPatch = z.infer<typeof RewardPatch>;

export const Reward = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  kind: z.enum(REWARD_KINDS),
  pointsCost: z.number().int(),
  couponTemplateId: z.string().nullable(),
  stockTotal: z.number().int().nullable(),
  stockLeft: z.number().int().nullable(),
  perMemberLimit: z.number().int(),
  status: z.enum(['active', 'paused']),
  sort: z.number().int(),
  unitId: z.string(),
  redeemed: z.number().int(),
  version: z.number().int(),
  createdAt: z.string(),
});
export type Reward = z.infer<typeof Reward>;
export const RewardList = z.object({ items: z.array(Reward) });

export const ShippingAddress = z
  .object({
    name: z.string().trim().min(1).max(30),
    phone: z.string().trim().min(5).max(20),
    address: z.string().trim().min(5).max(200),
  })
  .strict();

export const RedeemInput = z
  .object({
    memberId: z.uuid(),
    rewardId: z.uuid(),
    idempotencyKey: z.string().trim().min(8).max(100),
    shipping: ShippingAddress.optional(),
  })
  .strict();
export type RedeemInput = z.infer<typeof RedeemInput>;

export const Redemption = z.object({
  id: z.string(),
  rewardId: z.string(),
  rewardName: z.string(),
  kind: z.enum(REWARD_KINDS),
  memberId: z.string(),
  memberNo: z.string().nullable(),
  points: z.number().int(),
  status: z.enum(REDEMPTION_STATUSES),
  channel: z.string(),
  couponCode: z.string().nullable(),
  /** Masked unless the caller may fulfil (the shipping address is needed to ship). */
  shipping: z.object({ name: z.string(), phone: z.string(), address: z.string() }).nullable(),
  trackingNo: z.string().nullable(),
  cancelReason: z.string().nullable(),
  unitId: z.string(),
  createdAt: z.string(),
  version: z.number().int(),
});
export type Redemption = z.infer<typeof Redemption>;
export const RedemptionList = z.object({ items: z.array(Redemption), total: z.number().int() });
export const RedemptionQuery = z
  .object({
    status: z.enum(REDEMPTION_STATUSES).optional(),
    rewardId: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(200).optional(),
    offset: z.coerce.number().int().min(0).max(100_000).optional(),
  })
  .strict();

export const RedemptionAction = z
  .object({
    action: z.enum(['ship', 'receive', 'serve', 'cancel']),
    version: z.number().int().min(1),
    trackingNo: z.string().trim().min(1).max(60).optional(),
    reason: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type RedemptionAction = z.infer<typeof RedemptionAction>;

export const MallSettings = z.object({
  programId: z.string().nullable(),
  cardUrl: z.string(),
  pointValueMinor: z.number(),
  referralEnabled: z.boolean(),
  referrerPoints: z.number().int(),
  refereePoints: z.number().int(),
  referrerCouponTemplateId: z.string().nullable(),
  refereeCouponTemplateId: z.string().nullable(),
  version: z.number().int(),
});
export type MallSettings = z.infer<typeof MallSettings>;
export const MallSettingsPatch = z
  .object({
    programId: z.uuid().nullable().optional(),
    pointValueMinor: z.number().min(0).max(10_000).optional(),
    referralEnabled: z.boolean().optional(),
    referrerPoints: z.number().int().min(0).max(1_000_000).optional(),
    refereePoints: z.number().int().min(0).max(1_000_000).optional(),
    referrerCouponTemplateId: z.uuid().nullable().optional(),
    refereeCouponTemplateId: z.uuid().nullable().optional(),
    version: z.number().int().min(1),
  })
  .strict();
export type MallSettingsPatch = z.infer<typeof MallSettingsPatch>;

export const Referral = z.object({
  id: z.string(),
  referrerMemberId: z.string(),
  refereeMemberId: z.string().nullable(),
  status: z.enum(['registered', 'rewarded', 'refused']),
  refusedReason: z.string().nullable(),
  createdAt: z.string(),
  rewardedAt: z.string().nullable(),
});
export const ReferralList = z.object({
  items: z.array(Referral),
  registered: z.number().int(),
  rewarded: z.number().int(),
  refused: z.number().int(),
});

export const MemberAnalytics = z.object({
  members: z.number().int(),
  activeMembers: z.number().int(),
  /** Outstanding points and their worth in yuan (points × point value). */
  outstandingPoints: z.number(),
  liabilityYuan: z.number(),
  redeemingMembers: z.number().int(),
  /** Share of members who redeemed at least once (0–1). */
  redemptionRate: z.number(),
  pointsRedeemed: z.number(),
  tiers: z.array(
    z.object({
      tier: z.string(),
      members: z.number().int(),
      buyers: z.number().int(),
      repeatBuyers: z.number().int(),
      repurchaseRate: z.number(),
      /** Average paid revenue per member of the tier (yuan). */
      ltv: z.number(),
    }),
  ),
  migration: z.array(z.object({ from: z.string(), to: z.string(), members: z.number().int() })),
});
export type MemberAnalytics = z.infer<typeof MemberAnalytics>;
