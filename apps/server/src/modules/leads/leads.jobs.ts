import type { JobContext } from '../../core/jobs/queue.ts';
import { scheduleTick, scheduleTrain } from './lead.hooks.ts';
import { notifyAssignees } from './lead-notify.ts';
import { runReclaim, runReminders, runSlaScan } from './lead-scans.service.ts';
import { rescoreOpenLeads, trainModel } from './scoring.service.ts';

export interface NotifyJobPayload {
  leadIds: string[];
  event: 'assigned';
}

/** Tells assignees about leads (kept for jobs queued before intake notified in-transaction). */
export async function notifyJob(p: NotifyJobPayload, ctx: JobContext): Promise<void> {
  await ctx.tx((tx) => notifyAssignees(tx, ctx.tenantId, p.leadIds));
}

/** Every minute per tenant with leads: SLA breaches and escalation, reminders, reclaim. Re-enqueues itself. */
export async function tickJob(_p: unknown, ctx: JobContext): Promise<void> {
  await ctx.tx(async (tx) => {
    await runSlaScan(tx, ctx.tenantId);
    await runReminders(tx, ctx.tenantId);
    await runReclaim(tx, ctx.tenantId);
  });
  await ctx.tx((tx) => scheduleTick(tx, ctx.tenantId));
}

/** Daily retrain of the tenant's scoring model, then re-score open leads. Re-enqueues itself. */
export async function trainJob(_p: unknown, ctx: JobContext): Promise<void> {
  await ctx.tx(async (tx) => {
    const r = await trainModel(tx, ctx.tenantId);
    if (r.trained) await rescoreOpenLeads(tx, ctx.tenantId);
  });
  await ctx.tx((tx) => scheduleTrain(tx, ctx.tenantId));
}
