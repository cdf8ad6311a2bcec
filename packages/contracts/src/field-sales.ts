import { z } from 'zod';

/** 外勤 field sales (apps/server/src/modules/field-sales): R4.6 store visits, plans and routes. */
export const FIELD_SALES_PERMISSIONS = {
  /** Managers: stores, plans, today's map, coverage, photos of their unit and below. */
  read: 'field_sales:read',
  /** Managers: store tiers and rep assignment, weekly plans. */
  plan: 'field_sales:plan',
  /** Reps: their own visits (check in, steps, photos, check out). */
  visit: 'field_sales:visit',
} as const;

export const STORE_TIERS = ['A', 'B', 'C'] as const;
export type StoreTier = (typeof STORE_TIERS)[number];
/** How often a store of each tier is due a visit (days): A weekly, B every two weeks, C monthly. */
export const TIER_EVERY_DAYS: Record<StoreTier, number> = { A: 7, B: 14, C: 28 };

export const STEP_KEYS = ['inventory', 'shelf_photo', 'competitor_price', 'order_intent', 'hq_task'] as const;
export type StepKey = (typeof STEP_KEYS)[number];
/** The steps each visit type asks for, in order (hq_task: a seam for HQ tasks of dealer-network). */
export const VISIT_TYPES = {
  routine: ['inventory', 'shelf_photo', 'competitor_price', 'order_intent'],
  display_check: ['shelf_photo', 'competitor_price'],
  hq_task: ['hq_task', 'shelf_photo'],
} as const satisfies Record<string, readonly StepKey[]>;
export const VISIT_TYPE_KEYS = ['routine', 'display_check', 'hq_task'] as const;
export type VisitType = (typeof VISIT_TYPE_KEYS)[number];
export const VISIT_STATUSES = ['planned', 'in_progress', 'done'] as const;
export const COORD_SYSTEMS = ['wgs84', 'gcj02', 'bd09'] as const;

const day = z.iso.date();
const lat = z.number().min(-90).max(90);
const lng = z.number().min(-180).max(180);
const name = z.string().trim().min(1).max(80);

export const Store = z.object({
  unitId: z.string(),
  name: z.string(),
  address: z.string().nullable(),
  /** WGS-84 (null when the store's location is not on file in trade promotion). */
  lng: z.number().nullable(),
  lat: z.number().nullable(),
  radiusM: z.number().nullable(),
  tier: z.enum(STORE_TIERS).nullable(),
  repId: z.string().nullable(),
  repName: z.string().nullable(),
  lastVisitDay: z.string().nullable(),
  version: z.number().int(),
});
export type Store = z.infer<typeof Store>;
export const StoreList = z.object({ items: z.array(Store) });
export const StoreInput = z
  .object({
    tier: z.enum(STORE_TIERS),
    repId: z.uuid().nullable(),
    /** 0 = the store has no tier yet. */
    version: z.number().int().min(0),
  })
  .strict();
export type StoreInput = z.infer<typeof StoreInput>;

export const Rep = z.object({
  id: z.string(),
  name: z.string(),
  unitId: z.string(),
  stores: z.number().int(),
});
export const RepList = z.object({ items: z.array(Rep) });
export type Rep = z.infer<typeof Rep>;

export const StepResult = z.object({
  items: z.array(
    z.object({
      name: z.string(),
      qty: z.number().nullable().optional(),
      price: z.number().nullable().optional(),
      brand: z.string().nullable().optional(),
    }),
  ),
  note: z.string().nullable().optional(),
  at: z.string(),
});

export const Photo = z.object({
  id: z.string(),
  visitId: z.string(),
  step: z.string(),
  storeName: z.string().nullable(),
  repName: z.string().nullable(),
  uploadedAt: z.string(),
  distanceM: z.number().nullable(),
  status: z.enum(['accepted', 'flagged']),
  flags: z.array(z.object({ code: z.string(), message: z.string() })),
});
export type Photo = z.infer<typeof Photo>;
export const PhotoList = z.object({ items: z.array(Photo) });

export const Visit = z.object({
  id: z.string(),
  planId: z.string().nullable(),
  repId: z.string(),
  repName: z.string().nullable(),
  storeUnitId: z.string(),
  storeName: z.string().nullable(),
  storeAddress: z.string().nullable(),
  tier: z.enum(STORE_TIERS).nullable(),
  /** The store's WGS-84 position and geofence radius (null = not on file). */
  storeLng: z.number().nullable(),
  storeLat: z.number().nullable(),
  radiusM: z.number().nullable(),
  day: z.string(),
  seq: z.number().int(),
  visitType: z.enum(VISIT_TYPE_KEYS),
  steps: z.array(z.enum(STEP_KEYS)),
  status: z.enum(VISIT_STATUSES),
  checkInAt: z.string().nullable(),
  checkInLng: z.number().nullable(),
  checkInLat: z.number().nullable(),
  distanceM: z.number().nullable(),
  insideFence: z.boolean().nullable(),
  offFenceReason: z.string().nullable(),
  flagged: z.boolean(),
  /** A client time arrived more than 6 h after it was taken (offline queue synced late). */
  lateSync: z.boolean(),
  checkOutAt: z.string().nullable(),
  durationS: z.number().int().nullable(),
  results: z.record(z.string(), StepResult),
  /** HQ tasks of the store completed during the visit (dealer-network), by the phone's client id. */
  tasksDone: z.array(
    z.object({ clientId: z.string(), targetId: z.string(), title: z.string(), at: z.string() }),
  ),
  /** Dealer order drafts taken during the visit (dealers), by the phone's client id. */
  orderDrafts: z.array(
    z.object({
      clientId: z.string(),
      orderId: z.string(),
      orderNo: z.string(),
      total: z.number(),
      dealerName: z.string().nullable(),
      at: z.string(),
    }),
  ),
  photos: z.array(Photo),
  version: z.number().int(),
});
export type Visit = z.infer<typeof Visit>;
export const VisitList = z.object({ items: z.array(Visit) });
export const VisitQuery = z.object({ day: day.optional(), repId: z.uuid().optional() }).strict();

/** Client time of an action taken offline (synced later); the server refuses the future. */
const at = z.iso.datetime({ offset: true }).optional();

export const VisitCreate = z
  .object({
    /** Generated on the phone: the same id synced twice is one visit. */
    id: z.uuid(),
    storeUnitId: z.uuid(),
    visitType: z.enum(VISIT_TYPE_KEYS),
    at,
  })
  .strict();
export type VisitCreate = z.infer<typeof VisitCreate>;

export const CheckIn = z
  .object({
    lng: lng.nullable(),
    lat: lat.nullable(),
    coordSystem: z.enum(COORD_SYSTEMS).default('wgs84'),
    accuracyM: z.number().min(0).max(100000).optional(),
    /** Required when outside the geofence or without a position. */
    reason: z.string().trim().min(2).max(200).optional(),
    at,
  })
  .strict();
export type CheckIn = z.infer<typeof CheckIn>;

export const StepInput = z
  .object({
    step: z.enum(STEP_KEYS),
    items: z
      .array(
        z
          .object({
            name,
            qty: z.number().int().min(0).max(1000000).nullable().optional(),
            /** Fen. */
            price: z.number().int().min(0).max(100000000).nullable().optional(),
            brand: z.string().trim().max(80).nullable().optional(),
          })
          .strict(),
      )
      .max(100),
    note: z.string().trim().max(1000).nullable().optional(),
    at,
  })
  .strict();
export type StepInput = z.infer<typeof StepInput>;

export const CheckOut = z.object({ at }).strict();
export type CheckOut = z.infer<typeof CheckOut>;

export const PhotoQuery = z
  .object({
    /** Generated on the phone: the same photo synced twice is stored once. */
    photoId: z.uuid(),
    step: z.enum(STEP_KEYS).default('shelf_photo'),
    lng: z.coerce.number().min(-180).max(180).optional(),
    lat: z.coerce.number().min(-90).max(90).optional(),
    coordSystem: z.enum(COORD_SYSTEMS).default('wgs84'),
    takenAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type PhotoQuery = z.infer<typeof PhotoQuery>;

export const GalleryQuery = z
  .object({ from: day.optional(), to: day.optional(), repId: z.uuid().optional() })
  .strict();

export const PlanVisit = z.object({
  storeUnitId: z.string(),
  storeName: z.string().nullable(),
  tier: z.enum(STORE_TIERS).nullable(),
  day: z.string(),
  seq: z.number().int(),
  visitType: z.enum(VISIT_TYPE_KEYS),
  /** Metres from the previous stop of the day (null: first stop or no location). */
  legM: z.number().nullable(),
  status: z.enum(VISIT_STATUSES).optional(),
  visitId: z.string().optional(),
});
export const Plan = z.object({
  id: z.string().nullable(),
  repId: z.string(),
  repName: z.string().nullable(),
  weekStart: z.string(),
  visits: z.array(PlanVisit),
  version: z.number().int(),
});
export type Plan = z.infer<typeof Plan>;
export const PlanList = z.object({ items: z.array(Plan) });
export const PlanQuery = z.object({ weekStart: day, repId: z.uuid().optional() }).strict();
export const ProposeInput = z.object({ repId: z.uuid(), weekStart: day }).strict();
export const PlanInput = z
  .object({
    repId: z.uuid(),
    weekStart: day,
    visits: z
      .array(
        z
          .object({ storeUnitId: z.uuid(), day, visitType: z.enum(VISIT_TYPE_KEYS).default('routine') })
          .strict(),
      )
      .max(200),
    /** 0 = a new plan. */
    version: z.number().int().min(0),
  })
  .strict();
export type PlanInput = z.infer<typeof PlanInput>;

export const CoverageQuery = z.object({ from: day.optional(), to: day.optional() }).strict();
export const Coverage = z.object({
  from: z.string(),
  to: z.string(),
  tiers: z.array(
    z.object({
      tier: z.enum(STORE_TIERS),
      everyDays: z.number().int(),
      stores: z.number().int(),
      expected: z.number().int(),
      planned: z.number().int(),
      done: z.number().int(),
      covered: z.number().int(),
    }),
  ),
});
export type Coverage = z.infer<typeof Coverage>;

/** Completing one of the store's open HQ tasks from the visit (proof as the task asks). */
export const VisitTaskComplete = z
  .object({
    /** Made on the phone: the same completion synced twice lands once. */
    clientId: z.uuid(),
    targetId: z.uuid(),
    /** The task target's version as listed (stale → 409). */
    version: z.number().int(),
    text: z.string().trim().max(2000).optional(),
    checked: z.boolean().optional(),
    /** Photo proof, base64 (PNG or JPEG, ≤ 2 MB). */
    photo: z.string().max(3_000_000).optional(),
  })
  .strict();
export type VisitTaskComplete = z.infer<typeof VisitTaskComplete>;

export const VisitTask = z.object({
  targetId: z.string(),
  taskId: z.string(),
  title: z.string(),
  body: z.string().nullable(),
  kind: z.string(),
  proof: z.enum(['text', 'photo', 'checkbox']),
  dueAt: z.string(),
  overdue: z.boolean(),
  fromUnitName: z.string().nullable(),
  version: z.number().int(),
});
export type VisitTask = z.infer<typeof VisitTask>;
export const VisitTaskList = z.object({ items: z.array(VisitTask) });

/** An order draft for the store's dealer, taken during the visit (the dealer submits it in the portal). */
export const VisitOrderDraft = z
  .object({
    clientId: z.uuid(),
    lines: z
      .array(z.object({ productId: z.uuid(), quantity: z.number().int().min(1).max(1000000) }).strict())
      .min(1)
      .max(50),
    note: z.string().trim().max(500).optional(),
  })
  .strict();
export type VisitOrderDraft = z.infer<typeof VisitOrderDraft>;

export const VisitCatalogue = z.object({
  dealerUnitId: z.string(),
  dealerName: z.string(),
  items: z.array(
    z.object({
      productId: z.string(),
      name: z.string(),
      uom: z.string().nullable(),
      price: z.number().nullable(),
      minOrderQty: z.number(),
    }),
  ),
});
export type VisitCatalogue = z.infer<typeof VisitCatalogue>;
