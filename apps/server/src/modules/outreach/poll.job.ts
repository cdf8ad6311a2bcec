import { sql } from 'kysely';
import type { JobContext } from '../../core/jobs/queue.ts';
import { type PollPayload, schedulePoll } from './poll-schedule.ts';
import { pollResults } from './send.job.ts';

/**
 * Reads get_groupmsg_task / get_groupmsg_send_result for a sent mass message, and comes back
 * every 10 minutes until every staff member's task is final (confirmed and read, or cancelled)
 * or 3 days have passed — so the message page's delivery figures fill in without anyone pressing
 * refresh.
 */
export async function pollJob(payload: PollPayload, ctx: JobContext) {
  await pollResults(ctx.tenantId, payload.messageId);
  await ctx.tx(async (tx) => {
    const open = (
      await sql<{ n: number }>`select count(*)::int as n from outreach_tasks
        where tenant_id = ${ctx.tenantId} and message_id = ${payload.messageId} and status = 'pending'`.execute(
        tx,
      )
    ).rows[0]!.n;
    if (!open || Date.now() >= Date.parse(payload.until)) return;
    await schedulePoll(tx, ctx.tenantId, { ...payload, round: payload.round + 1 });
  });
}
