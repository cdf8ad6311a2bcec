import { z } from 'zod';
import { Id, Label, list, Timestamp } from './common.ts';

/**
 * Approvals (R4.4, R9.3): flows with conditional steps per object, the inbox, decisions with
 * comments. Routes under /api/v1/approvals and /api/v1/approval-flows.
 */

export const APPROVALS_PERMISSIONS = {
  read: 'approval:read',
  update: 'approval:update',
  /** Flows are sales configuration (quotes are the approvable object); the sales module grants it. */
  configureFlows: 'sales:configure',
} as const;

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'returned', 'withdrawn'] as const;
export const APPROVAL_ACTIONS = ['approve', 'reject', 'return', 'withdraw'] as const;
export type ApprovalAction = (typeof APPROVAL_ACTIONS)[number];
export const APPROVAL_BOXES = ['pending', 'mine', 'done', 'all'] as const;
const CONDITION_OPS = ['gt', 'gte', 'lt', 'lte', 'eq', 'ne'] as const;
const APPROVER_TYPES = ['role', 'unit_manager'] as const;

// ------------------------------------------------------------------ requests

const label = z.object({ 'zh-CN': z.string().min(1).max(100), 'en-US': z.string().min(1).max(100) });
const conditionInput = z.object({
  field: z.string().min(1).max(60),
  op: z.enum(CONDITION_OPS),
  value: z.union([z.number(), z.string().max(100)]),
});
export const FlowInput = z.object({
  object: z.string().min(1).max(40),
  name: label,
  condition: conditionInput.nullable(),
  steps: z
    .array(
      z.object({
        name: label,
        approverType: z.enum(APPROVER_TYPES),
        role: z.string().max(100).nullable().optional(),
        condition: conditionInput.nullable().optional(),
      }),
    )
    .min(1)
    .max(10),
  priority: z.number().int().min(0).max(1000).optional(),
  isActive: z.boolean().optional(),
  version: z.number().int().optional(),
});
export type FlowInput = z.infer<typeof FlowInput>;
export const DecisionBody = z.object({ comment: z.string().max(2000).optional() });
export type DecisionBody = z.infer<typeof DecisionBody>;
export const ApprovalInboxQuery = z.object({
  box: z.enum(APPROVAL_BOXES).default('pending'),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
export type ApprovalInboxQuery = z.infer<typeof ApprovalInboxQuery>;
export const ApprovalHistoryQuery = z.object({ object: z.string().min(1).max(40), recordId: z.uuid() });
export type ApprovalHistoryQuery = z.infer<typeof ApprovalHistoryQuery>;

// ------------------------------------------------------------------ responses

export const Condition = z.object({
  field: z.string(),
  op: z.enum(CONDITION_OPS),
  value: z.union([z.number(), z.string()]),
});
export type Condition = z.infer<typeof Condition>;

export const FlowStep = z.object({
  name: Label,
  approverType: z.enum(APPROVER_TYPES),
  /** Role name for `role` steps. */
  role: z.string().nullable().optional(),
  /** The step runs only when this holds (e.g. a second level above 25 % discount). */
  condition: Condition.nullable().optional(),
});
export type FlowStep = z.infer<typeof FlowStep>;

export const Flow = z.object({
  id: Id,
  object: z.string(),
  name: Label,
  condition: Condition.nullable(),
  steps: z.array(FlowStep),
  priority: z.number().int(),
  isActive: z.boolean(),
  version: z.number().int(),
});
export type Flow = z.infer<typeof Flow>;
export const Flows = list(Flow);
export type Flows = z.infer<typeof Flows>;

export const ApprovalRequest = z.object({
  id: Id,
  object: z.string(),
  recordId: Id,
  recordName: z.string().nullable(),
  /** What the owning module shows in the inbox without opening the record (total, discount …). */
  summary: z.record(z.string(), z.unknown()),
  requester: z.object({ id: Id, name: z.string().nullable() }),
  status: z.enum(APPROVAL_STATUSES),
  currentStep: z.number().int(),
  /** The steps whose condition held when the request was made; approvers resolved up to the current one. */
  steps: z.array(
    FlowStep.extend({
      approverIds: z.array(Id),
      skipped: z.boolean().optional(),
      approvers: z.array(z.object({ id: Id, name: z.string() })),
    }),
  ),
  createdAt: Timestamp,
  decidedAt: Timestamp.nullable(),
  /** The caller approves the current step. */
  canAct: z.boolean(),
  /** Empty in inbox lists. */
  history: z.array(
    z.object({
      step: z.number().int(),
      action: z.enum(['submit', ...APPROVAL_ACTIONS]),
      comment: z.string().nullable(),
      at: Timestamp,
      actor: z.object({ id: Id.nullable(), name: z.string().nullable() }),
    }),
  ),
});
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;

export const ApprovalInbox = z.object({
  items: z.array(ApprovalRequest),
  /** Waiting for the caller, whatever box was asked for. */
  counts: z.object({ pending: z.number().int() }),
});
export type ApprovalInbox = z.infer<typeof ApprovalInbox>;
export const ApprovalHistory = list(ApprovalRequest);
export type ApprovalHistory = z.infer<typeof ApprovalHistory>;

// ------------------------------------------------------------------ home card ("my day")

export const ApprovalsCard = z.object({
  pending: z.number().int(),
  items: z.array(
    z.object({
      id: Id,
      object: z.string(),
      recordId: Id,
      recordName: z.string().nullable(),
      requester: z.string().nullable(),
      stepName: Label.nullable(),
      summary: z.record(z.string(), z.unknown()),
      createdAt: Timestamp,
    }),
  ),
});
export type ApprovalsCard = z.infer<typeof ApprovalsCard>;
