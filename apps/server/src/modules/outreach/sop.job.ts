import type { JobContext } from '../../core/jobs/queue.ts';
import { enqueue } from '../../core/jobs/queue.ts';
import { alertOverdue, generateSopTasks } from './sop.service.ts';

export const SOP_QUEUE = 'outreach:sop';
const EVERY_MS = 15 * 60_000;

/** Makes the tenant's SOP tasks and overdue alerts, then comes back in 15 minutes (one pending run per tenant). */
export async function sopJob(payload: { again?: boolean }, ctx: JobContext) {
  await ctx.tx(async (tx) => {
    await generateSopTasks(tx, ctx.tenantId);
    await alertOverdue(tx, ctx.tenantId);
    if (payload.again !== false)
      await enqueue(
        tx,
        ctx.tenantId,
        SOP_QUEUE,
        { again: true },
        {
          runAt: new Date(Date.now() + EVERY_MS),
          dedupeKey: `outreach:sop:${Math.floor(Date.now() / EVERY_MS) + 1}`,
        },
      );
  });
}
