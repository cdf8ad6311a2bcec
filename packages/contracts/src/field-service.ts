import { z } from 'zod';

/** 现场服务与主动服务 (apps/server/src/modules/field-service): R8.1 field service, R8.3 predictive service. */
export const FIELD_SERVICE_PERMISSIONS = {
  read: 'field_service:read',
  dispatch: 'field_service:dispatch',
  work: 'field_service:work',
  rules: 'field_service:rules',
} as const;

export const WORK_ORDER_STATUSES = ['scheduled', 'checked_in', 'completed', 'cancelled'] as const;
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const RULE_PERIODS = ['month', 'quarter', 'year'] as const;

const tag = z.string().trim().min(1).max(40);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
const lat = z.number().min(-90).max(90);
const lng = z.number().min(-180).max(180);

export const Technician = z.object({
  userId: z.string(),
  name: z.string(),
  unitId: z.string(),
  skills: z.array(z.string()),
  areas: z.array(z.string()),
  active: z.boolean(),
  /** Jobs scheduled today (tenant time zone). */
  today: z.number().int(),
  version: z.number().int(),
});
export type Technician = z.infer<typeof Technician>;
export const TechnicianList = z.object({ items: z.array(Technician) });
export const TechnicianInput = z
  .object({
    skills: z.array(tag).max(20),
    areas: z.array(tag).min(1).max(20),
    active: z.boolean(),
    version: z.number().int().min(0),
  })
  .strict();
export type TechnicianInput = z.infer<typeof TechnicianInput>;

export const Slot = z.object({
  id: z.string(),
  technicianId: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  capacity: z.number().int(),
  booked: z.number().int(),
});
export type Slot = z.infer<typeof Slot>;
export const SlotList = z.object({ items: z.array(Slot) });
export const SlotQuery = z
  .object({
    day: z.iso.date().optional(),
    technicianId: z.uuid().optional(),
    area: tag.optional(),
    skill: tag.optional(),
  })
  .strict();
export const SlotsInput = z
  .object({
    technicianId: z.uuid(),
    day: z.iso.date(),
    /** Windows like 09:00–11:00 in the tenant's time zone. */
    windows: z
      .array(z.object({ from: hhmm, to: hhmm }).strict())
      .min(1)
      .max(12),
    capacity: z.number().int().min(1).max(10).default(1),
  })
  .strict();
export type SlotsInput = z.infer<typeof SlotsInput>;

export const Part = z.object({ name: tag, qty: z.number().int().min(1).max(999) }).strict();

export const WorkOrderInput = z
  .object({
    ticketId: z.uuid(),
    skill: tag,
    area: tag,
    address: z.string().trim().min(1).max(200),
    lat: lat.optional(),
    lng: lng.optional(),
    customerName: z.string().trim().max(40).optional(),
    customerPhone: z
      .string()
      .trim()
      .regex(/^\+?\d{6,15}$/)
      .optional(),
    /** A slot to book; without it the first free slot on `day` of a technician with the skill and area. */
    slotId: z.uuid().optional(),
    day: z.iso.date().optional(),
  })
  .strict();
export type WorkOrderInput = z.infer<typeof WorkOrderInput>;

export const WorkOrder = z.object({
  id: z.string(),
  number: z.string(),
  ticketId: z.string(),
  ticketNumber: z.string().nullable(),
  subject: z.string().nullable(),
  status: z.enum(WORK_ORDER_STATUSES),
  technicianId: z.string(),
  technicianName: z.string(),
  skill: z.string(),
  area: z.string(),
  address: z.string(),
  lat: z.number().nullable(),
  lng: z.number().nullable(),
  customerName: z.string().nullable(),
  /** Full for the technician on the job and who may unmask; masked (138****1234) for others. */
  customerPhone: z.string().nullable(),
  startsAt: z.string(),
  endsAt: z.string(),
  checkInAt: z.string().nullable(),
  checkInDistanceM: z.number().nullable(),
  checkOutAt: z.string().nullable(),
  checkOutDistanceM: z.number().nullable(),
  parts: z.array(z.object({ name: z.string(), qty: z.number() })),
  notes: z.string().nullable(),
  signedBy: z.string().nullable(),
  hasSignature: z.boolean(),
  photos: z.array(z.string()),
  ticketClosed: z.boolean(),
  version: z.number().int(),
});
export type WorkOrder = z.infer<typeof WorkOrder>;
export const WorkOrderList = z.object({ items: z.array(WorkOrder) });
export const WorkOrderQuery = z
  .object({ day: z.iso.date().optional(), status: z.enum(WORK_ORDER_STATUSES).optional() })
  .strict();

export const CheckInInput = z.object({ lat, lng, version: z.number().int().min(1) }).strict();
export type CheckInInput = z.infer<typeof CheckInInput>;
export const CompleteInput = z
  .object({
    lat: lat.optional(),
    lng: lng.optional(),
    parts: z.array(Part).max(50),
    notes: z.string().trim().max(2000).optional(),
    /** The customer's signature drawn on a canvas: a PNG data URL (≤ 200 kB). */
    signature: z
      .string()
      .max(280_000)
      .regex(/^data:image\/png;base64,[A-Za-z0-9+/=]+$/),
    signedBy: z.string().trim().min(1).max(40),
    version: z.number().int().min(1),
  })
  .strict();
export type CompleteInput = z.infer<typeof CompleteInput>;

export const PredictiveRule = z.object({
  id: z.string(),
  name: z.string(),
  segmentId: z.string(),
  segmentName: z.string().nullable(),
  segmentObject: z.string().nullable(),
  categoryKey: z.string(),
  priority: z.enum(TICKET_PRIORITIES),
  dailyCap: z.number().int(),
  period: z.enum(RULE_PERIODS),
  active: z.boolean(),
  unitId: z.string(),
  created: z.number().int(),
  lastRunAt: z.string().nullable(),
  version: z.number().int(),
});
export type PredictiveRule = z.infer<typeof PredictiveRule>;
export const PredictiveRuleList = z.object({ items: z.array(PredictiveRule) });
export const PredictiveRuleInput = z
  .object({
    name: z.string().trim().min(1).max(60),
    /** A saved CDP segment (profiles, or records such as vehicles due for maintenance). */
    segmentId: z.uuid(),
    categoryKey: z.string().trim().min(1).max(60),
    priority: z.enum(TICKET_PRIORITIES).default('normal'),
    dailyCap: z.number().int().min(1).max(1000),
    /** One ticket per member and period at most. */
    period: z.enum(RULE_PERIODS).default('month'),
    active: z.boolean().default(true),
  })
  .strict();
export type PredictiveRuleInput = z.infer<typeof PredictiveRuleInput>;
export const PredictiveRulePatch = PredictiveRuleInput.partial()
  .extend({ version: z.number().int().min(1) })
  .strict();
export type PredictiveRulePatch = z.infer<typeof PredictiveRulePatch>;
export const PredictivePreviewInput = z
  .object({ segmentId: z.uuid(), dailyCap: z.number().int().min(1).max(1000) })
  .strict();
export const PredictivePreview = z.object({
  /** Members of the segment in my data scope. */
  members: z.number().int(),
  /** Of them, without a ticket from this rule this period (when previewing a saved rule). */
  due: z.number().int(),
  /** Tickets the next run would create (due, at most the daily cap). */
  nextRun: z.number().int(),
});
export const PredictiveRunResult = z.object({ created: z.number().int(), skipped: z.number().int() });
