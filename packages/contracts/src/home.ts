import { z } from 'zod';
import { ApprovalsCard } from './approvals.ts';
import { Id, Label, Money, Timestamp } from './common.ts';
import { FollowUpsCard, LeadsCard, TeamSlaCard } from './leads.ts';
import { NotificationsCard } from './notifications.ts';

/**
 * The home page's "my day" (`GET /api/v1/me/today`): the home cards of every module, each
 * present only when the caller may see it. A card's shape belongs to the module that fills it.
 */

export const TODAY_ROLES = ['sales', 'manager', 'other'] as const;

// Sales cards (modules/sales/home-cards.ts). They belong in the sales contract once it exists;
// kept here until then so `/me/today` is fully declared.

export const ClosingDealsCard = z.object({
  count: z.number().int(),
  more: z.boolean(),
  /** Sum of the month's open deals in minor units (fen), in `currency`. */
  amount: z.number().int(),
  currency: z.string(),
  items: z.array(
    z.object({
      id: Id,
      name: z.string().nullable(),
      customerName: z.string().nullable(),
      amount: Money.nullable(),
      stage: z.string().nullable(),
      stageLabel: Label.nullable(),
      probability: z.number().nullable(),
      expectedCloseDate: z.string().nullable(),
    }),
  ),
});
export type ClosingDealsCard = z.infer<typeof ClosingDealsCard>;

export const PendingQuotesCard = z.object({
  total: z.number().int(),
  more: z.boolean(),
  items: z.array(
    z.object({
      id: Id,
      name: z.string().nullable(),
      customerName: z.string().nullable(),
      total: Money.nullable(),
      discountPercent: z.number().nullable(),
      updatedAt: Timestamp.nullable(),
    }),
  ),
});
export type PendingQuotesCard = z.infer<typeof PendingQuotesCard>;

export const TargetCard = z.object({
  period: z.string(),
  /** The caller's personal target of the month, if one is set. */
  target: z
    .object({
      id: Id,
      name: z.string().nullable(),
      basis: z.string(),
      targetAmount: Money.nullable(),
      targetCount: z.number().int().nullable(),
      actualAmount: z.number(),
      actualCount: z.number().int(),
      amountRate: z.number().nullable(),
      countRate: z.number().nullable(),
      forecastAmount: z.number(),
    })
    .nullable(),
});
export type TargetCard = z.infer<typeof TargetCard>;

export const TeamPipelineCard = z.object({
  period: z.string(),
  month: z.string(),
  won: z.number(),
  weighted: z.number(),
  open: z.number(),
  commit: z.number(),
  forecast: z.number(),
});
export type TeamPipelineCard = z.infer<typeof TeamPipelineCard>;

export const Today = z.object({
  serverTime: Timestamp,
  /** The tenant's month (YYYY-MM, China time) the sales figures use. */
  period: z.string(),
  /** Whose day it is: a caller who sees a manager card is greeted as a manager. */
  role: z.enum(TODAY_ROLES),
  leads: LeadsCard.optional(),
  followUps: FollowUpsCard.optional(),
  closingDeals: ClosingDealsCard.optional(),
  pendingQuotes: PendingQuotesCard.optional(),
  target: TargetCard.optional(),
  approvals: ApprovalsCard.optional(),
  teamSla: TeamSlaCard.optional(),
  teamPipeline: TeamPipelineCard.optional(),
  notifications: NotificationsCard.optional(),
});
export type Today = z.infer<typeof Today>;

export const HOME_PERMISSIONS = {
  /** "My day" is everyone's: cards the caller may not see are left out, not refused. */
  today: 'authenticated',
} as const;
