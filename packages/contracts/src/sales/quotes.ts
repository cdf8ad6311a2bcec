import { z } from 'zod';
import { ApprovalRequest } from '../approvals.ts';
import { Id, Label, RecordData } from '../common.ts';
import { Fen } from './figures.ts';

// ------------------------------------------------------------------ requests

export const LineInput = z.object({
  productId: z.uuid().nullable().optional(),
  productName: z.string().min(1).max(200).nullable().optional(),
  description: z.string().max(1000).nullable().optional(),
  quantity: z.number().positive().max(1_000_000_000),
  /** Overrides the catalogue price; the difference counts as discount. */
  unitPrice: z.number().int().min(0).max(1e13).nullable().optional(),
  discountPercent: z.number().min(0).max(100).optional(),
  taxRate: z.number().min(0).max(100).nullable().optional(),
});
export type LineInput = z.infer<typeof LineInput>;
export const LinesBody = z.object({ lines: z.array(LineInput).max(200) });
export type LinesBody = z.infer<typeof LinesBody>;
export const CalculateBody = z.object({
  currency: z.string().length(3).default('CNY'),
  lines: z.array(LineInput).max(200),
});
export type CalculateBody = z.input<typeof CalculateBody>;

// ------------------------------------------------------------------ responses

/** A priced quote line; every amount in fen of the quote's currency, rounded half-up per line. */
export const QuoteLine = z.object({
  /** Absent on lines priced but not saved (`/quotes/calculate`). */
  id: Id.optional(),
  seq: z.number().int(),
  productId: Id.nullable(),
  productName: z.string(),
  description: z.string().nullable(),
  quantity: z.number(),
  listUnitPrice: Fen,
  unitPrice: Fen,
  discountPercent: z.number(),
  taxRate: z.number(),
  gross: Fen,
  discount: Fen,
  net: Fen,
  tax: Fen,
  total: Fen,
  /** What the line would cost at list price, before any discount or price override. */
  list: Fen,
});
export type QuoteLine = z.infer<typeof QuoteLine>;

export const QuoteTotals = z.object({
  subtotal: Fen,
  discountTotal: Fen,
  taxTotal: Fen,
  total: Fen,
  /** Discount against list prices, in percent with 2 decimals. */
  discountPercent: z.number(),
});
export type QuoteTotals = z.infer<typeof QuoteTotals>;

/** Whether a quote with these totals would need approval, and through which flow and steps. */
export const ApprovalPreview = z.discriminatedUnion('required', [
  z.object({ required: z.literal(true), flowId: Id, flowName: Label, steps: z.array(Label) }),
  z.object({ required: z.literal(false) }),
]);
export type ApprovalPreview = z.infer<typeof ApprovalPreview>;

export const PricedLines = z.object({
  lines: z.array(QuoteLine),
  totals: QuoteTotals,
  approval: ApprovalPreview,
});
export type PricedLines = z.infer<typeof PricedLines>;

export const QuoteWithLines = z.object({ quote: RecordData, lines: z.array(QuoteLine) });
export type QuoteWithLines = z.infer<typeof QuoteWithLines>;
export const QuoteLinesSaved = QuoteWithLines.extend({ approval: ApprovalPreview });
export type QuoteLinesSaved = z.infer<typeof QuoteLinesSaved>;

/** What submitting a quote answers: the approval request it opened (the approvals module's shape). */
export const QuoteApproval = ApprovalRequest;
export type QuoteApproval = z.infer<typeof QuoteApproval>;

/** A submitted quote: pending approval with its request, or approved directly (`approval: null`). */
export const QuoteSubmitted = z.object({ quote: RecordData, approval: QuoteApproval.nullable() });
export type QuoteSubmitted = z.infer<typeof QuoteSubmitted>;
