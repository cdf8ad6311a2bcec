import { z } from 'zod';
import { Id, list, Timestamp } from './common.ts';

/**
 * 优惠券 (issue 12): coupon templates (满减, 折扣, 兑换, 到店礼), one-time codes issued to CDP
 * profiles by journeys, campaigns, the API or in bulk to a segment, and redeemed once at a
 * store, over the API or on an order. Money is in minor units (分). The points mall (issue 13)
 * issues through the same `issueCoupon`, priced by `pointsCost`.
 */

export const COUPONS_PERMISSIONS = {
  read: 'coupons:read',
  /** Templates: create, change, pause; see every coupon of a template and its stats. */
  manage: 'coupons:manage',
  /** Issue coupons to a profile or a segment. */
  issue: 'coupons:issue',
  /** Look up and redeem a code at the store, reverse a redemption. */
  redeem: 'coupons:redeem',
} as const;

export const COUPON_KINDS = ['amount_off', 'percent_off', 'exchange', 'gift'] as const;
export type CouponKind = (typeof COUPON_KINDS)[number];
export const VALIDITY_KINDS = ['fixed', 'relative'] as const;
export const COUPON_SOURCES = ['journey', 'campaign', 'api', 'loyalty', 'fission', 'manual', 'bulk'] as const;
export const COUPON_STATUSES = ['active', 'redeemed', 'expired', 'voided'] as const;
export type CouponStatus = (typeof COUPON_STATUSES)[number];
export const REDEEM_CHANNELS = ['pos', 'api', 'order'] as const;

const Minor = z.number().int().min(0).max(1_000_000_000_00);
const Name = z.string().trim().min(1).max(80);

const TemplateFields = z.object({
  name: Name,
  kind: z.enum(COUPON_KINDS),
  description: z.string().trim().max(1000).optional(),
  /** 满减: spend at least this (net, minor units) … */
  thresholdMinor: Minor.optional(),
  /** … and this much is taken off. */
  amountMinor: Minor.optional(),
  /** 折扣: percent off (1–99) … */
  percentOff: z.number().int().min(1).max(99).optional(),
  /** … at most this much off (minor units). */
  maxDiscountMinor: Minor.optional(),
  /** 兑换: the product the coupon is exchanged for. */
  productId: z.uuid().optional(),
  /** 兑换 / 到店礼: what the customer receives, as shown to staff. */
  giftText: z.string().trim().max(200).optional(),
  validity: z.enum(VALIDITY_KINDS),
  validFrom: z.iso.datetime({ offset: true }).optional(),
  validTo: z.iso.datetime({ offset: true }).optional(),
  /** relative: the coupon is valid for this many days from issue. */
  validDays: z.number().int().min(1).max(3650).optional(),
  perProfileLimit: z.number().int().min(1).max(1000).default(1),
  /** Coupons that can ever be issued; none = unlimited. */
  totalStock: z.number().int().min(1).max(10_000_000).nullable().optional(),
  /** A refund returns the coupon to the customer (otherwise it is voided). */
  returnOnRefund: z.boolean().default(false),
  /** The points mall (issue 13) sells the coupon for this many points. */
  pointsCost: z.number().int().min(1).max(100_000_000).nullable().optional(),
  /** The unit that owns the template; its stores (the subtree) redeem it. Default: the caller's unit. */
  unitId: z.uuid().optional(),
});

export const CouponTemplateInput = TemplateFields.strict();
export type CouponTemplateInput = z.input<typeof CouponTemplateInput>;

export const CouponTemplatePatch = z
  .object({
    name: Name.optional(),
    description: z.string().trim().max(1000).optional(),
    giftText: z.string().trim().max(200).optional(),
    validTo: z.iso.datetime({ offset: true }).optional(),
    totalStock: z.number().int().min(1).max(10_000_000).nullable().optional(),
    perProfileLimit: z.number().int().min(1).max(1000).optional(),
    returnOnRefund: z.boolean().optional(),
    pointsCost: z.number().int().min(1).max(100_000_000).nullable().optional(),
    status: z.enum(['active', 'paused']).optional(),
  })
  .strict();
export type CouponTemplatePatch = z.infer<typeof CouponTemplatePatch>;

export const CouponTemplate = z.object({
  id: Id,
  name: z.string(),
  kind: z.enum(COUPON_KINDS),
  description: z.string().nullable(),
  thresholdMinor: z.number().nullable(),
  amountMinor: z.number().nullable(),
  percentOff: z.number().nullable(),
  maxDiscountMinor: z.number().nullable(),
  productId: z.string().nullable(),
  giftText: z.string().nullable(),
  validity: z.enum(VALIDITY_KINDS),
  validFrom: Timestamp.nullable(),
  validTo: Timestamp.nullable(),
  validDays: z.number().nullable(),
  perProfileLimit: z.number(),
  totalStock: z.number().nullable(),
  issuedCount: z.number(),
  returnOnRefund: z.boolean(),
  pointsCost: z.number().nullable(),
  status: z.enum(['active', 'paused']),
  unitId: z.string(),
  unitName: z.string().nullable(),
  canManage: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type CouponTemplate = z.infer<typeof CouponTemplate>;
export const CouponTemplateList = list(CouponTemplate);

export const CouponTemplateStats = z.object({
  templateId: Id,
  issued: z.number(),
  redeemed: z.number(),
  expired: z.number(),
  voided: z.number(),
  /** redeemed / issued, 0–1. */
  redemptionRate: z.number(),
  /** The discount given on redemptions (minor units). */
  discountMinor: z.number(),
  /** Net order value of the redemptions (minor units). */
  orderValueMinor: z.number(),
  byDay: z.array(z.object({ day: z.string(), issued: z.number(), redeemed: z.number() })),
});
export type CouponTemplateStats = z.infer<typeof CouponTemplateStats>;

export const Coupon = z.object({
  id: Id,
  templateId: Id,
  templateName: z.string(),
  kind: z.enum(COUPON_KINDS),
  /** XXXX-XXXX-XXXX; shown in full to the coupon's managers and at redemption. */
  code: z.string(),
  profileId: Id,
  status: z.enum(COUPON_STATUSES),
  issuedAt: Timestamp,
  validFrom: Timestamp.nullable(),
  expiresAt: Timestamp.nullable(),
  redeemedAt: Timestamp.nullable(),
  redeemedChannel: z.enum(REDEEM_CHANNELS).nullable(),
  discountMinor: z.number().nullable(),
  orderAmountMinor: z.number().nullable(),
  source: z.object({ kind: z.string(), id: z.string() }),
  /** What the customer gets, in words, for the store staff. */
  benefit: z.string(),
});
export type Coupon = z.infer<typeof Coupon>;
export const CouponList = list(Coupon);

export const CouponsQuery = z
  .object({
    templateId: z.uuid().optional(),
    profileId: z.uuid().optional(),
    status: z.enum(COUPON_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const IssueInput = z
  .object({
    profileId: z.uuid(),
    /** Same key → the same coupon, never a second one. */
    idempotencyKey: z.string().trim().min(1).max(200),
  })
  .strict();

export const BulkIssueInput = z
  .object({
    segmentId: z.uuid(),
  })
  .strict();
export const BulkIssue = z.object({
  id: Id,
  templateId: Id,
  segmentId: Id,
  status: z.enum(['queued', 'running', 'done', 'failed']),
  total: z.number().nullable(),
  issued: z.number(),
  skipped: z.number(),
  createdAt: Timestamp,
  finishedAt: Timestamp.nullable(),
});
export type BulkIssue = z.infer<typeof BulkIssue>;

/** A code as people type it: spaces, dashes and lower case are forgiven. */
export const CouponCode = z
  .string()
  .trim()
  .min(4)
  .max(40)
  .transform((s) => s.toUpperCase().replace(/[\s-]/g, ''));

export const RedeemInput = z
  .object({
    code: CouponCode,
    channel: z.enum(REDEEM_CHANNELS).default('pos'),
    /** Net amount of the purchase (minor units): 满减 checks the threshold, 折扣 computes the discount. */
    orderAmountMinor: Minor.optional(),
    /** A sales order the coupon is applied to. */
    orderId: z.uuid().optional(),
  })
  .strict();
export type RedeemInput = z.input<typeof RedeemInput>;

export const ReverseInput = z
  .object({
    reason: z.enum(['refund', 'mistake']).default('refund'),
  })
  .strict();

export const LookupQuery = z.object({ code: CouponCode }).strict();
