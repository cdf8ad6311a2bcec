import { z } from 'zod';
import { Id, list, Timestamp } from './common.ts';

/**
 * Dealer network (issue 14, R9.2 招商 / R9.4): dealer recruitment, ERP sync and HQ task
 * distribution. Routes under /api/v1/recruitment, /api/v1/erp, /api/v1/hq-tasks, /api/v1/unit-tasks
 * and the public /api/v1/public/dealer-applications.
 */
export const DEALER_NETWORK_PERMISSIONS = {
  /** See applications of prospective dealers assigned to one's units. */
  recruitRead: 'dealer_network:recruit_read',
  /** Review, note, move through the pipeline, submit for approval, onboard (with admin rights). */
  recruit: 'dealer_network:recruit',
  /** The ERP's service account: post payments, shipments and stock levels. */
  erp: 'dealer_network:erp_sync',
  /** Create tasks / campaigns / material pushes for units below one's own, see completion. */
  tasksManage: 'dealer_network:tasks_manage',
  /** A unit's people: see and complete the tasks targeted at their unit. */
  tasksWork: 'dealer_network:tasks_work',
} as const;

// ------------------------------------------------------------------ recruitment

export const APPLICATION_STAGES = [
  'new',
  'reviewing',
  'pending_approval',
  'qualified',
  'rejected',
  'contract',
  'onboarded',
] as const;
export type ApplicationStage = (typeof APPLICATION_STAGES)[number];
export const DOCUMENT_KINDS = ['license', 'qualification', 'other'] as const;
/** Decoded bytes per document; the public route's body limit allows three of them in base64. */
export const DOCUMENT_MAX_BYTES = 2 * 1024 * 1024;
export const DOCUMENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const;

const Phone = z
  .string()
  .trim()
  .regex(/^(\+?86)?1[3-9]\d{9}$/, { message: 'phone_format' });

export const ApplicationDocumentInput = z
  .object({
    name: z.string().trim().min(1).max(120),
    kind: z.enum(DOCUMENT_KINDS).default('other'),
    /** The file, base64-encoded (PDF, PNG or JPEG, checked by content, ≤ 2 MB). */
    content: z.string().min(1).max(3_000_000),
  })
  .strict();

export const ApplicationInput = z
  .object({
    company: z.string().trim().min(2).max(120),
    contactName: z.string().trim().min(1).max(60),
    phone: Phone,
    email: z.email().max(200).optional(),
    /** Region code (6-digit 行政区划) or a free name of the region the dealer wants to cover. */
    region: z.string().trim().min(1).max(60),
    /** Product category the dealer wants to carry. */
    category: z.string().trim().min(1).max(60),
    message: z.string().trim().max(2000).optional(),
    documents: z.array(ApplicationDocumentInput).max(3).default([]),
    /** Honeypot: people never see it. */
    website: z.string().max(200).optional(),
  })
  .strict();
export type ApplicationInput = z.infer<typeof ApplicationInput>;

export const FormKeyParam = z.object({ formKey: z.string().min(1).max(100) });
export const PublicApplicationForm = z.object({
  tenantName: z.string(),
  categories: z.array(z.string()),
  honeypot: z.string(),
  maxDocumentBytes: z.number(),
});
export const ApplicationReceived = z.object({ ok: z.literal(true), reference: z.string().optional() });

export const ApplicationDocument = z.object({
  id: Id,
  name: z.string(),
  kind: z.string(),
  mime: z.string(),
  size: z.number(),
});
export const ApplicationNote = z.object({
  id: Id,
  text: z.string(),
  authorName: z.string().nullable(),
  createdAt: Timestamp,
});
export const Application = z.object({
  id: Id,
  reference: z.string(),
  company: z.string(),
  contactName: z.string(),
  phone: z.string(),
  email: z.string().nullable(),
  region: z.string(),
  category: z.string(),
  message: z.string().nullable(),
  stage: z.enum(APPLICATION_STAGES),
  unitId: Id,
  unitName: z.string().nullable(),
  contractNo: z.string().nullable(),
  rejectReason: z.string().nullable(),
  dealerUnitId: Id.nullable(),
  dealerUserId: Id.nullable(),
  /** Hours since the application came in (or until it was onboarded / rejected). */
  ageHours: z.number(),
  /** Over the stage's SLA (48 h to first review, 7 days to a decision). */
  overdue: z.boolean(),
  createdAt: Timestamp,
  version: z.number(),
  documents: z.array(ApplicationDocument),
  notes: z.array(ApplicationNote),
});
export type Application = z.infer<typeof Application>;
export const ApplicationList = list(Application.omit({ documents: true, notes: true }));
export const ApplicationQuery = z.object({ stage: z.enum(APPLICATION_STAGES).optional() });
export const NoteInput = z.object({ text: z.string().trim().min(1).max(2000) }).strict();
export const StageInput = z
  .object({
    version: z.number().int(),
    to: z.enum(['reviewing', 'rejected', 'contract']),
    /** Reviewing: hand the application to a branch (must be in the caller's units). */
    unitId: z.uuid().optional(),
    reason: z.string().trim().max(500).optional(),
    contractNo: z.string().trim().max(60).optional(),
  })
  .strict();
export const VersionBody = z.object({ version: z.number().int() }).strict();
export const OnboardInput = z
  .object({
    version: z.number().int(),
    /** The branch the dealer unit is created under. */
    branchUnitId: z.uuid(),
    unitName: z.string().trim().min(2).max(120).optional(),
    unitCode: z.string().trim().max(40).optional(),
    adminLogin: z
      .string()
      .trim()
      .regex(/^[a-zA-Z0-9._-]{3,60}$/, { message: 'pattern' }),
    adminName: z.string().trim().min(1).max(60).optional(),
    roleId: z.uuid(),
  })
  .strict();
export const Onboarded = z.object({
  application: Application,
  dealerUnitId: Id,
  dealerUserId: Id,
  /** The admin user's one-time password, in the first answer only. */
  password: z.string().optional(),
});
export const RecruitmentForm = z.object({ formKey: z.string().nullable(), url: z.string().nullable() });

// ------------------------------------------------------------------ ERP

/** Outbound event types (webhooks subscribe to them by name or `dms.*`). */
export const ERP_EVENT_TYPES = [
  'dms.order.submitted',
  'dms.order.approved',
  'dms.order.shipped',
  'dms.order.received',
  'dms.statement.issued',
  'dms.statement.confirmed',
] as const;

const Fen = z.number().int().min(1).max(100_000_000_000);
export const ErpPaymentInput = z
  .object({
    /** The ERP's own id of the payment: a replay with the same id is the same payment. */
    externalId: z.string().trim().min(1).max(100),
    dealerUnitId: z.uuid(),
    amount: Fen,
    reference: z.string().trim().min(1).max(200),
    paidAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export const ErpShipmentInput = z
  .object({
    externalId: z.string().trim().min(1).max(100),
    orderId: z.uuid(),
    carrier: z.string().trim().min(1).max(60),
    trackingNo: z.string().trim().min(1).max(60),
    shippedAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export const ErpStockInput = z
  .object({
    externalId: z.string().trim().min(1).max(100),
    levels: z
      .array(z.object({ productId: z.uuid(), onHand: z.number().int().min(0).max(1_000_000_000) }).strict())
      .min(1)
      .max(500),
  })
  .strict();
export const ErpReceipt = z.object({
  id: Id,
  kind: z.enum(['payment', 'shipment', 'stock']),
  externalId: z.string(),
  /** True when this external id had already been received: nothing was done twice. */
  replay: z.boolean(),
  createdAt: Timestamp,
});
export const ErpShipment = z.object({
  id: Id,
  orderId: Id,
  carrier: z.string(),
  trackingNo: z.string(),
  shippedAt: Timestamp.nullable(),
});
export const ErpShipmentList = list(ErpShipment);

// ------------------------------------------------------------------ HQ tasks

export const TASK_KINDS = ['task', 'campaign', 'material'] as const;
export const PROOF_KINDS = ['text', 'photo', 'checkbox'] as const;
export const TARGET_UNIT_TYPES = ['region', 'dealer', 'store'] as const;
export const PHOTO_MAX_BYTES = 2 * 1024 * 1024;

export const TaskInput = z
  .object({
    title: z.string().trim().min(1).max(120),
    body: z.string().trim().max(4000).optional(),
    kind: z.enum(TASK_KINDS).default('task'),
    /** Link to a campaign or material the units should use (an app path or https URL). */
    link: z.string().trim().max(500).optional(),
    dueAt: z.iso.datetime({ offset: true }),
    proof: z.enum(PROOF_KINDS),
    /** Each root and every unit below it, of the given types. Roots must be in the caller's units. */
    targetRootIds: z.array(z.uuid()).min(1).max(50),
    unitTypes: z.array(z.enum(TARGET_UNIT_TYPES)).min(1),
  })
  .strict();
export const TaskSummary = z.object({
  id: Id,
  title: z.string(),
  body: z.string().nullable(),
  kind: z.enum(TASK_KINDS),
  link: z.string().nullable(),
  dueAt: Timestamp,
  proof: z.enum(PROOF_KINDS),
  unitId: Id,
  unitName: z.string().nullable(),
  targets: z.number(),
  done: z.number(),
  overdue: z.number(),
  createdAt: Timestamp,
});
export const TaskList = list(TaskSummary);
export const TaskTarget = z.object({
  id: Id,
  unitId: Id,
  unitName: z.string(),
  unitType: z.string(),
  status: z.enum(['open', 'done']),
  overdue: z.boolean(),
  completedAt: Timestamp.nullable(),
  completedByName: z.string().nullable(),
  proofText: z.string().nullable(),
  hasPhoto: z.boolean(),
  remindedAt: Timestamp.nullable(),
  version: z.number(),
});
export const TaskDetail = TaskSummary.extend({ targetUnits: z.array(TaskTarget) });
export const UnitTask = TaskSummary.omit({ targets: true, done: true, overdue: true }).extend({
  target: TaskTarget,
});
export const UnitTaskList = list(UnitTask);
export const UnitTaskQuery = z.object({ status: z.enum(['open', 'done', 'all']).default('open') });
export const CompleteInput = z
  .object({
    version: z.number().int(),
    text: z.string().trim().max(2000).optional(),
    checked: z.boolean().optional(),
    /** Photo proof, base64 (PNG or JPEG, ≤ 2 MB). */
    photo: z.string().max(3_000_000).optional(),
  })
  .strict();
export const Reminded = z.object({ reminded: z.number() });
