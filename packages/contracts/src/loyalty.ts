import { z } from 'zod';
import { Id, list, Timestamp } from './common.ts';

/**
 * 会员与积分 (issue 13, R7.1–R7.3): programs with tiers and earn rules, members linked to the
 * One ID profile and enrolled at a unit (B2B2C), and points kept as an append-only ledger with
 * lots. Money in minor units (分); points are whole numbers.
 */

export const LOYALTY_PERMISSIONS = {
  /** Members, their points and tiers, within the caller's units. */
  read: 'loyalty:read',
  /** Programs: tiers, earn rules, expiry, multipliers. */
  manage: 'loyalty:manage',
  /** Enrol customers (POS/API/import). */
  enrol: 'loyalty:enrol',
  /** Manual points adjustments (above the program's threshold through approval) and transfers. */
  adjust: 'loyalty:adjust',
} as const;

export const ENROL_SOURCES = ['card_page', 'wecom', 'pos', 'api', 'import', 'referral'] as const;
export const LEDGER_KINDS = [
  'earn',
  'spend',
  'reverse_spend',
  'reverse_earn',
  'expire',
  'adjust',
  'transfer_in',
  'transfer_out',
] as const;
export const TIER_BASES = ['points', 'spend'] as const;

const Name = z.string().trim().min(1).max(60);
const Multiplier = z.number().min(0).max(10);
const Multipliers = z.record(z.string().trim().min(1).max(64), Multiplier);

export const TierInput = z
  .object({
    /** An existing tier's id (kept, members stay on it); none = a new tier. */
    id: z.uuid().optional(),
    name: Name,
    /** Qualifying points (or yuan of spend) in the window; the first tier's is 0. */
    threshold: z.number().int().min(0).max(1_000_000_000),
    discountPercent: z.number().int().min(0).max(99).nullable().optional(),
    freeServices: z.array(z.string().trim().min(1).max(60)).max(20).default([]),
    birthdayPoints: z.number().int().min(1).max(1_000_000).nullable().optional(),
    birthdayCouponTemplateId: z.uuid().nullable().optional(),
  })
  .strict();
export type TierInput = z.input<typeof TierInput>;

export const EventRule = z
  .object({
    /** A CDP event name (`Review Submitted`, `Store Visit` …). */
    event: z.string().trim().min(1).max(100),
    points: z.number().int().min(1).max(1_000_000),
    /** At most this many awards per member and day; none = no limit. */
    perDay: z.number().int().min(1).max(100).nullable().optional(),
  })
  .strict();

// No defaults here: a PATCH must not reset what it does not name (createProgram fills them in).
const ProgramFields = z.object({
  name: Name,
  /** The brand unit running the program (default: the caller's); members enrol at it or below. */
  unitId: z.uuid().optional(),
  status: z.enum(['active', 'paused']).optional(),
  memberPrefix: z
    .string()
    .trim()
    .regex(/^[A-Z]{1,4}$/)
    .optional(),
  pointsPerYuan: z.number().min(0).max(100).optional(),
  channelMultipliers: Multipliers.optional(),
  categoryMultipliers: Multipliers.optional(),
  perOrderCap: z.number().int().min(1).max(100_000_000).nullable().optional(),
  perDayCap: z.number().int().min(1).max(100_000_000).nullable().optional(),
  eventRules: z.array(EventRule).max(50).optional(),
  /** Points expire this many days after they are earned; none = never. */
  expiryDays: z.number().int().min(1).max(3650).nullable().optional(),
  tierBasis: z.enum(TIER_BASES).optional(),
  tierWindowDays: z.number().int().min(30).max(1095).optional(),
  /** At the review, a member keeps the tier with at least this share of its threshold. */
  retentionPercent: z.number().int().min(0).max(100).optional(),
  allowTransfer: z.boolean().optional(),
  /** Enrol a customer automatically when they add a staff member on WeCom. */
  autoEnrolWecom: z.boolean().optional(),
  /** Manual adjustments of more points than this go through approval. */
  adjustApprovalThreshold: z.number().int().min(0).max(100_000_000).optional(),
  /** What one point is worth in 分, for the points liability. */
  pointValueMinor: z.number().min(0).max(10_000).optional(),
  tiers: z.array(TierInput).min(1).max(10),
});

export const ProgramInput = ProgramFields.strict();
export type ProgramInput = z.input<typeof ProgramInput>;
export const ProgramPatch = ProgramFields.partial().extend({ version: z.number().int() }).strict();
export type ProgramPatch = z.input<typeof ProgramPatch>;

export const Tier = z.object({
  id: Id,
  name: z.string(),
  rank: z.number(),
  threshold: z.number(),
  discountPercent: z.number().nullable(),
  freeServices: z.array(z.string()),
  birthdayPoints: z.number().nullable(),
  birthdayCouponTemplateId: z.string().nullable(),
  members: z.number(),
});
export type Tier = z.infer<typeof Tier>;

export const Program = z.object({
  id: Id,
  name: z.string(),
  unitId: Id,
  unitName: z.string().nullable(),
  status: z.enum(['active', 'paused']),
  memberPrefix: z.string(),
  pointsPerYuan: z.number(),
  channelMultipliers: z.record(z.string(), z.number()),
  categoryMultipliers: z.record(z.string(), z.number()),
  perOrderCap: z.number().nullable(),
  perDayCap: z.number().nullable(),
  eventRules: z.array(
    z.object({ event: z.string(), points: z.number(), perDay: z.number().nullable().optional() }),
  ),
  expiryDays: z.number().nullable(),
  tierBasis: z.enum(TIER_BASES),
  tierWindowDays: z.number(),
  retentionPercent: z.number(),
  allowTransfer: z.boolean(),
  autoEnrolWecom: z.boolean(),
  adjustApprovalThreshold: z.number(),
  pointValueMinor: z.number(),
  tiers: z.array(Tier),
  members: z.number(),
  canManage: z.boolean(),
  version: z.number(),
});
export type Program = z.infer<typeof Program>;
export const ProgramList = list(Program);

export const EnrolInput = z
  .object({
    programId: z.uuid(),
    profileId: z.uuid(),
    /** The enrolling store (default: the caller's unit). */
    unitId: z.uuid().optional(),
    source: z.enum(['pos', 'api']).default('pos'),
    idempotencyKey: z.string().trim().min(1).max(200),
  })
  .strict();
export type EnrolInput = z.input<typeof EnrolInput>;
export const EnrolResult = z.object({ memberId: Id, memberNo: z.string(), created: z.boolean() });

export const MemberRow = z.object({
  id: Id,
  memberNo: z.string(),
  programId: Id,
  profileId: Id,
  name: z.string().nullable(),
  phone: z.string().nullable(),
  unitId: Id,
  unitName: z.string().nullable(),
  tierId: Id,
  tierName: z.string(),
  tierRank: z.number(),
  balance: z.number(),
  source: z.string(),
  enrolledAt: Timestamp,
});
export type MemberRow = z.infer<typeof MemberRow>;
export const MemberPage = z.object({ items: z.array(MemberRow), nextCursor: z.string().nullable() });

export const MembersQuery = z
  .object({
    programId: z.uuid().optional(),
    tierId: z.uuid().optional(),
    /** Members enrolled at this unit or below it. */
    unitId: z.uuid().optional(),
    q: z.string().trim().max(60).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const LedgerEntry = z.object({
  id: Id,
  kind: z.enum(LEDGER_KINDS),
  delta: z.number(),
  balanceAfter: z.number(),
  reason: z.string(),
  rule: z.string().nullable(),
  refObject: z.string().nullable(),
  refId: z.string().nullable(),
  expiresAt: Timestamp.nullable(),
  createdAt: Timestamp,
});
export type LedgerEntry = z.infer<typeof LedgerEntry>;

export const Lot = z.object({
  id: Id,
  points: z.number(),
  remaining: z.number(),
  earnedAt: Timestamp,
  expiresAt: Timestamp.nullable(),
});

export const TierChange = z.object({
  id: Id,
  from: z.string().nullable(),
  to: z.string(),
  reason: z.enum(['enrolled', 'upgrade', 'downgrade', 'retained']),
  qualifying: z.number(),
  at: Timestamp,
});

export const Adjustment = z.object({
  id: Id,
  points: z.number(),
  reason: z.string(),
  status: z.enum(['pending', 'applied', 'rejected']),
  approvalRequestId: z.string().nullable(),
  ledgerId: z.string().nullable(),
  requestedBy: z.string().nullable(),
  createdAt: Timestamp,
});
export type Adjustment = z.infer<typeof Adjustment>;

export const MemberDetail = z.object({
  member: MemberRow,
  summary: z.object({
    tier: z.object({ id: Id, name: z.string(), rank: z.number() }),
    nextTier: z.object({ id: Id, name: z.string(), qualifyingNeeded: z.number() }).nullable(),
    balance: z.number(),
    debt: z.number(),
    expiringSoon: z.array(z.object({ points: z.number(), expiresAt: Timestamp })),
    qualifying: z.number(),
    tierBasis: z.enum(TIER_BASES),
    tierReviewAt: Timestamp,
    benefits: z.object({ discountPercent: z.number().nullable(), freeServices: z.array(z.string()) }),
  }),
  ledger: z.array(LedgerEntry),
  lots: z.array(Lot),
  tierHistory: z.array(TierChange),
  adjustments: z.array(Adjustment),
  adjustApprovalThreshold: z.number(),
  allowTransfer: z.boolean(),
});
export type MemberDetail = z.infer<typeof MemberDetail>;

export const AdjustInput = z
  .object({
    /** Positive adds points, negative takes them away. */
    points: z
      .number()
      .int()
      .min(-100_000_000)
      .max(100_000_000)
      .refine((n) => n !== 0),
    reason: z.string().trim().min(2).max(200),
    idempotencyKey: z.string().trim().min(1).max(200),
  })
  .strict();
export type AdjustInput = z.input<typeof AdjustInput>;

export const TransferInput = z
  .object({
    toMemberNo: z.string().trim().min(1).max(40),
    points: z.number().int().min(1).max(100_000_000),
    idempotencyKey: z.string().trim().min(1).max(200),
  })
  .strict();

export const ImportInput = z
  .object({
    programId: z.uuid(),
    /** CSV with a header: `mobile` or `profile_id`, optional `unit_code`, optional `points` (opening balance). */
    csv: z.string().min(1).max(2_000_000),
    /** Check only, store nothing. */
    dryRun: z.boolean().default(false),
  })
  .strict();
export const ImportResult = z.object({
  rows: z.number(),
  enrolled: z.number(),
  existing: z.number(),
  errors: z.array(z.object({ row: z.number(), message: z.string() })),
  dryRun: z.boolean(),
});
