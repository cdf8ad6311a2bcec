import { z } from 'zod';

/** The inbox chart: the caller's leads per day and how their first response went against the SLA. */
export const InboxStatsDay = z.object({
  /** The calendar day in the tenant's zone, `YYYY-MM-DD`. */
  day: z.string(),
  /** Leads assigned to the caller that arrived that day. */
  leads: z.number().int(),
  /** Of those with a first-response deadline: answered in time, answered late or still overdue, still open in time. */
  met: z.number().int(),
  breached: z.number().int(),
  pending: z.number().int(),
});
export type InboxStatsDay = z.infer<typeof InboxStatsDay>;

export const LeadInboxStats = z.object({
  days: z.array(InboxStatsDay),
  totals: z.object({
    leads: z.number().int(),
    met: z.number().int(),
    breached: z.number().int(),
    pending: z.number().int(),
  }),
  timeZone: z.string(),
});
export type LeadInboxStats = z.infer<typeof LeadInboxStats>;
