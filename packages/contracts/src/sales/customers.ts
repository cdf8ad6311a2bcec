import { z } from 'zod';
import { Id, RecordData, Timestamp } from '../common.ts';
import { Fen } from './figures.ts';

// ------------------------------------------------------------------ requests

export const SalesSettingsInput = z.object({
  pipelineValue: z.object({ high: z.number().int().min(0), mid: z.number().int().min(0) }),
});
export type SalesSettingsInput = z.infer<typeof SalesSettingsInput>;

// ------------------------------------------------------------------ responses

export const SalesSettings = z.object({
  /** "Future pipeline value" thresholds on the weighted open pipeline, in fen. */
  pipelineValue: z.object({ high: Fen, mid: Fen }),
});
export type SalesSettings = z.infer<typeof SalesSettings>;

/** The customer's "future pipeline value" tag and the figures behind it. */
export const PipelineValue = z.object({
  customerId: Id,
  openCount: z.number().int(),
  openAmount: Fen,
  weightedAmount: Fen,
  tag: z.enum(['high', 'mid', 'low', 'none']),
  updatedAt: Timestamp.nullable(),
});
export type PipelineValue = z.infer<typeof PipelineValue>;

/** One kind of the customer's related records, through the record engine (scope and masking apply). */
export const RelatedRecords = z.object({
  /** False when the object is not installed. */
  available: z.boolean(),
  items: z.array(RecordData),
  total: z.number().int(),
});
export type RelatedRecords = z.infer<typeof RelatedRecords>;

const AuditSummary = z.object({
  /** Names of the fields changed (their values stay on the record's own, masked, timeline). */
  fields: z.array(z.string()),
  /** Stage and status changes carry their from → to. */
  changes: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })).optional(),
  /** An approval decision's comment. */
  comment: z.string().nullable().optional(),
});
const ActivitySummary = z.object({
  type: z.string().nullable().optional(),
  subject: z.string().nullable().optional(),
  opportunityId: z.string().nullable(),
});

export const TimelineItem = z.object({
  at: Timestamp,
  kind: z.enum(['audit', 'activity', 'stage_change', 'approval', 'status_change']),
  object: z.string(),
  recordId: Id,
  recordName: z.string().nullable(),
  action: z.string(),
  /** The name of who did it. */
  actor: z.string().nullable(),
  summary: z.union([AuditSummary, ActivitySummary]),
});
export type TimelineItem = z.infer<typeof TimelineItem>;

export const Customer360 = z.object({
  customer: RecordData,
  pipelineValue: PipelineValue,
  stats: z.object({
    openOpportunities: z.number().int(),
    wonAmount: Fen,
    orderAmount: Fen,
    paidAmount: Fen,
  }),
  /** Order value per month (`2026-03`), oldest first, from the orders the viewer sees (masked amounts add 0). */
  orderTrend: z.array(z.object({ month: z.string(), amount: Fen, count: z.number().int() })),
  contacts: RelatedRecords,
  opportunities: RelatedRecords,
  quotes: RelatedRecords,
  contracts: RelatedRecords,
  orders: RelatedRecords,
  payments: RelatedRecords,
  activities: RelatedRecords,
  timeline: z.array(TimelineItem),
});
export type Customer360 = z.infer<typeof Customer360>;
