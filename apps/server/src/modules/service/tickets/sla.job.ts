import type { JobHandler } from '../../../core/jobs/queue.ts';
import { checkSla } from './ticket.core.ts';

/** One SLA check of one ticket at its next warning or deadline (scheduled by scheduleSla). */
export const slaJob: JobHandler<{ ticketId: string }> = async (payload, ctx) => {
  await ctx.tx((tx) => checkSla(tx, ctx.tenantId, payload.ticketId));
};
