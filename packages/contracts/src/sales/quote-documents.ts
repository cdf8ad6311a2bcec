import { z } from 'zod';
import { ApprovalRequest } from '../approvals.ts';
import { Id, Money, RecordData, Timestamp } from '../common.ts';
import { LineInput, QuoteLine } from './quotes.ts';

/**
 * Quotes as documents (issue 9 §4): revisions of an approved quote, the letterhead the PDF and
 * the customer's page print, and the share link.
 */

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

// ------------------------------------------------------------------ requests

/**
 * A change to an approved (locked) quote: it becomes a new revision. Lines left out keep the
 * approved ones (prices included); a change of price, quantity, discount or tax re-runs approval.
 */
export const ReviseBody = z.object({
  lines: z.array(LineInput).min(1).max(200).optional(),
  validUntil: IsoDate.nullable().optional(),
  notes: z.string().max(5000).nullable().optional(),
  name: z.string().min(1).max(200).optional(),
});
export type ReviseBody = z.infer<typeof ReviseBody>;

/** The letterhead and defaults of quote documents (per tenant). */
export const QuoteSettingsInput = z.object({
  companyName: z.string().max(200).nullable(),
  address: z.string().max(300).nullable(),
  phone: z.string().max(60).nullable(),
  email: z.string().max(200).nullable(),
  /** A PNG or JPEG as a data: URL, at most ~200 KB. */
  logo: z
    .string()
    .max(280_000)
    .regex(/^data:image\/(png|jpeg);base64,[A-Za-z0-9+/=]+$/)
    .nullable(),
  validityDays: z.number().int().min(1).max(365),
  terms: z.string().max(2000).nullable(),
});
export type QuoteSettingsInput = z.infer<typeof QuoteSettingsInput>;

// ------------------------------------------------------------------ responses

export const QuoteSettings = QuoteSettingsInput.extend({
  /** The tenant's own name, printed when no company name is set. */
  tenantName: z.string(),
});
export type QuoteSettings = z.infer<typeof QuoteSettings>;

export const QuoteShare = z.object({
  /** Path of the customer's page (`/q/<token>`); the web prefixes its own origin. */
  path: z.string(),
  sharedAt: Timestamp,
  /** The link works through this date (the quote's validity), then answers 404. */
  expiresOn: IsoDate.nullable(),
});
export type QuoteShare = z.infer<typeof QuoteShare>;

export const QuoteRevisionItem = z.object({
  id: Id,
  revision: z.number().int(),
  status: z.string(),
  total: Money.nullable(),
  validUntil: IsoDate.nullable(),
  createdAt: Timestamp,
});
export type QuoteRevisionItem = z.infer<typeof QuoteRevisionItem>;

/** What the quote page shows beside the lines: revisions, expiry, the share link and its views. */
export const QuoteDocument = z.object({
  revision: z.number().int(),
  /** Every revision of the chain the viewer may read, newest first (this one included). */
  revisions: z.array(QuoteRevisionItem),
  /** The revision that replaced this one, when it is superseded. */
  supersededBy: Id.nullable(),
  /** Past its validity date while still open (draft, pending or approved): shown as 已过期. */
  expired: z.boolean(),
  /** No field may change: approved, turned into a contract or superseded (edits make a revision). */
  locked: z.boolean(),
  share: QuoteShare.nullable(),
  views: z.object({ count: z.number().int(), lastAt: Timestamp.nullable() }),
});
export type QuoteDocument = z.infer<typeof QuoteDocument>;

/** A new revision: draft and submitted again when its terms changed, else approved at once. */
export const QuoteRevised = z.object({
  quote: RecordData,
  lines: z.array(QuoteLine),
  previousId: Id,
  /** Whether price, quantity, discount or tax changed, so the approval ran again. */
  approvalRerun: z.boolean(),
  approval: ApprovalRequest.nullable(),
});
export type QuoteRevised = z.infer<typeof QuoteRevised>;
