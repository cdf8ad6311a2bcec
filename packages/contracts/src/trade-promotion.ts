import { z } from 'zod';
import { Id, list, Timestamp } from './common.ts';

/**
 * Trade promotion 费用 (TPM, issue 14, R9.2–R9.3): budgets by year/quarter, unit, channel and
 * expense type allocated down the org tree (HQ → branch → dealer); activities with budget lines
 * approved through the approvals engine; execution proof photos (watermark, geofence, duplicate
 * and EXIF checks); verification 核销 into the dealer's expense pool; ROI per activity.
 * Money is in fen (integer).
 */
export const TPM_PERMISSIONS = {
  read: 'trade_promotion:read',
  /** Create the HQ's year budgets (the origin of all money). */
  fund: 'trade_promotion:fund',
  /** Allocate from a budget of one's own units to their sub-units. */
  allocate: 'trade_promotion:allocate',
  /** Propose, submit and cancel activities. */
  propose: 'trade_promotion:propose',
  /** Upload execution proof photos. */
  proof: 'trade_promotion:proof',
  /** Verify (核销) executed activities. */
  verify: 'trade_promotion:verify',
  /** Maintain store locations (geofence). */
  stores: 'trade_promotion:stores',
} as const;

export const EXPENSE_TYPES = ['display', 'promotion', 'tasting', 'listing_fee'] as const;
export type ExpenseType = (typeof EXPENSE_TYPES)[number];
export const CHANNELS = ['modern_trade', 'traditional', 'catering', 'ecommerce'] as const;
export const COORD_SYSTEMS = ['wgs84', 'gcj02', 'bd09'] as const;
export const ACTIVITY_STATUSES = [
  'draft',
  'pending',
  'approved',
  'executed',
  'verified',
  'rejected',
  'cancelled',
] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];
export const PROOF_FLAGS = [
  'outside_geofence',
  'no_location',
  'store_location_unknown',
  'duplicate_photo',
  'exif_missing',
  'exif_time_mismatch',
  'edited_software',
  'exif_gps_far',
] as const;

const Fen = z.number().int().min(1).max(100_000_000_000);

export const BudgetInput = z
  .object({
    year: z.number().int().min(2000).max(2100),
    quarter: z.number().int().min(0).max(4).default(0),
    channel: z.enum(CHANNELS),
    expenseType: z.enum(EXPENSE_TYPES),
    amount: Fen,
  })
  .strict();
export type BudgetInput = z.infer<typeof BudgetInput>;

export const AllocateInput = z
  .object({
    unitId: z.uuid(),
    amount: Fen,
    /** The source budget's version as the caller saw it (409 when it moved since). */
    version: z.number().int().optional(),
  })
  .strict();

export const Budget = z.object({
  id: Id,
  parentId: Id.nullable(),
  unitId: Id,
  unitName: z.string().nullable(),
  unitType: z.string().nullable(),
  year: z.number(),
  quarter: z.number(),
  channel: z.string(),
  expenseType: z.string(),
  amount: z.number(),
  allocated: z.number(),
  committed: z.number(),
  used: z.number(),
  remaining: z.number(),
  version: z.number(),
  /** The caller may allocate from it (own unit or below, with the permission). */
  canAllocate: z.boolean(),
});
export type Budget = z.infer<typeof Budget>;
export const BudgetList = list(Budget);
export const BudgetQuery = z.object({ year: z.coerce.number().int().min(2000).max(2100).optional() });

export const StoreLocationInput = z
  .object({
    lng: z.number().min(-180).max(180),
    lat: z.number().min(-90).max(90),
    coordSystem: z.enum(COORD_SYSTEMS).default('gcj02'),
    radiusM: z.number().int().min(20).max(5000).default(200),
    address: z.string().trim().max(200).optional(),
  })
  .strict();
export const StoreLocation = z.object({
  unitId: Id,
  unitName: z.string().nullable(),
  dealerUnitId: Id.nullable(),
  lng: z.number().nullable(),
  lat: z.number().nullable(),
  coordSystem: z.string().nullable(),
  wgsLng: z.number().nullable(),
  wgsLat: z.number().nullable(),
  radiusM: z.number().nullable(),
  address: z.string().nullable(),
});
export type StoreLocation = z.infer<typeof StoreLocation>;
export const StoreLocationList = list(StoreLocation);

export const ActivityInput = z
  .object({
    name: z.string().trim().min(1).max(80),
    activityType: z.enum(EXPENSE_TYPES),
    dealerUnitId: z.uuid(),
    storeUnitIds: z.array(z.uuid()).min(1).max(50),
    startsOn: z.iso.date(),
    endsOn: z.iso.date(),
    description: z.string().trim().max(1000).optional(),
    lines: z
      .array(z.object({ budgetId: z.uuid(), amount: Fen }).strict())
      .min(1)
      .max(10),
  })
  .strict();
export type ActivityInput = z.infer<typeof ActivityInput>;

export const VersionInput = z.object({ version: z.number().int().optional() }).strict();
export const VerifyInput = z
  .object({
    amount: z.number().int().min(0).max(100_000_000_000),
    comment: z.string().trim().max(500).optional(),
    /** The reviewer looked at the photos (required for sampled activities). */
    proofsReviewed: z.boolean().optional(),
    version: z.number().int().optional(),
  })
  .strict();

export const Proof = z.object({
  id: Id,
  activityId: Id,
  storeUnitId: Id,
  storeName: z.string().nullable(),
  uploadedBy: z.string().nullable(),
  uploadedAt: Timestamp,
  takenAt: Timestamp.nullable(),
  lng: z.number().nullable(),
  lat: z.number().nullable(),
  coordSystem: z.string().nullable(),
  distanceM: z.number().nullable(),
  status: z.enum(['accepted', 'flagged']),
  flags: z.array(z.object({ code: z.string(), message: z.string(), duplicateOf: Id.optional() })),
  exif: z.record(z.string(), z.unknown()),
});
export type Proof = z.infer<typeof Proof>;

export const ActivityLine = z.object({
  lineNo: z.number(),
  budgetId: Id,
  amount: z.number(),
  committed: z.number(),
  used: z.number(),
});

export const Activity = z.object({
  id: Id,
  name: z.string(),
  activityType: z.string(),
  dealerUnitId: Id,
  dealerName: z.string().nullable(),
  stores: z.array(z.object({ id: Id, name: z.string().nullable() })),
  startsOn: z.string(),
  endsOn: z.string(),
  description: z.string().nullable(),
  status: z.enum(ACTIVITY_STATUSES),
  amount: z.number(),
  committed: z.number(),
  used: z.number(),
  sampled: z.boolean().nullable(),
  verifiedAmount: z.number().nullable(),
  verifiedAt: Timestamp.nullable(),
  verifyComment: z.string().nullable(),
  proposedBy: z.object({ id: Id, name: z.string().nullable() }),
  proofCount: z.number(),
  flaggedCount: z.number(),
  lines: z.array(ActivityLine),
  version: z.number(),
  createdAt: Timestamp,
});
export type Activity = z.infer<typeof Activity>;
export const ActivityList = list(Activity);
export const ActivityQuery = z.object({
  status: z.enum(ACTIVITY_STATUSES).optional(),
  dealerUnitId: z.uuid().optional(),
});
export const ProofList = list(Proof);
export const ProofUploadQuery = z.object({
  storeUnitId: z.uuid(),
  lng: z.coerce.number().min(-180).max(180).optional(),
  lat: z.coerce.number().min(-90).max(90).optional(),
  coordSystem: z.enum(COORD_SYSTEMS).default('wgs84'),
  takenAt: z.iso.datetime({ offset: true }).optional(),
  idempotencyKey: z.string().min(1).max(100).optional(),
});

export const PoolEntry = z.object({
  id: Id,
  kind: z.enum(['credit', 'deduct']),
  amount: z.number(),
  balanceAfter: z.number(),
  ref: z.string(),
  activityId: Id.nullable(),
  createdAt: Timestamp,
});
export const PoolAccount = z.object({
  dealerUnitId: Id,
  dealerName: z.string().nullable(),
  balance: z.number(),
  credited: z.number(),
  deducted: z.number(),
});
export const PoolList = list(PoolAccount);
export const PoolLedger = z.object({ account: PoolAccount, entries: z.array(PoolEntry) });
export type PoolAccount = z.infer<typeof PoolAccount>;
export type PoolLedger = z.infer<typeof PoolLedger>;

export const Roi = z.object({
  activityId: Id,
  cost: z.number(),
  period: z.object({ from: z.string(), to: z.string() }),
  baseline: z.object({ from: z.string(), to: z.string() }),
  activityStores: z.object({ baseline: z.number(), during: z.number() }),
  comparableStores: z.object({ count: z.number(), baseline: z.number(), during: z.number() }),
  /** Sell-in the activity stores would have had growing like the comparable stores. */
  expected: z.number(),
  incremental: z.number(),
  /** (incremental − cost) / cost; null without a cost. */
  roi: z.number().nullable(),
  series: z.array(z.object({ day: z.string(), activity: z.number(), comparable: z.number() })),
});
export type Roi = z.infer<typeof Roi>;
