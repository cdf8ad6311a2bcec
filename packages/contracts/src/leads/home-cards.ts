import { z } from 'zod';
import { Id, Label, Timestamp } from '../common.ts';

/** The leads module's home cards in `GET /me/today`: my inbox by SLA urgency, my follow-ups, the team's SLA breaches. */

export const LeadsCard = z.object({
  open: z.number().int(),
  breached: z.number().int(),
  dueSoon: z.number().int(),
  later: z.number().int(),
  items: z.array(
    z.object({
      id: Id,
      // Masked to some viewers, so strings whatever the field's type.
      name: z.string().nullable(),
      company: z.string().nullable(),
      status: z.string(),
      statusLabel: Label.nullable(),
      score: z.union([z.number(), z.string()]).nullable(),
      firstResponseDueAt: Timestamp.nullable(),
      firstRespondedAt: Timestamp.nullable(),
      overdue: z.boolean(),
      dueInSeconds: z.number().int().nullable(),
      nextFollowUpAt: Timestamp.nullable(),
      followUpOverdue: z.boolean(),
    }),
  ),
});
export type LeadsCard = z.infer<typeof LeadsCard>;

export const FollowUpsCard = z.object({
  total: z.number().int(),
  more: z.boolean(),
  items: z.array(
    z.object({
      id: Id,
      subject: z.string().nullable(),
      type: z.string().nullable(),
      typeLabel: Label.nullable(),
      dueAt: Timestamp.nullable(),
      overdue: z.boolean(),
      leadId: Id.nullable(),
      leadName: z.string().nullable(),
      customerId: Id.nullable(),
      customerName: z.string().nullable(),
    }),
  ),
});
export type FollowUpsCard = z.infer<typeof FollowUpsCard>;

export const TeamSlaCard = z.object({
  breachedToday: z.number().int(),
  more: z.boolean(),
  items: z.array(
    z.object({
      id: Id,
      name: z.string().nullable(),
      company: z.string().nullable(),
      ownerName: z.string().nullable(),
      firstResponseDueAt: Timestamp.nullable(),
      firstRespondedAt: Timestamp.nullable(),
    }),
  ),
});
export type TeamSlaCard = z.infer<typeof TeamSlaCard>;
