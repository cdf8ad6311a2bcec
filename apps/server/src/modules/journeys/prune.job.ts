import { sql } from 'kysely';
import { enqueue, type JobHandler } from '../../core/jobs/queue.ts';

export const PRUNE_QUEUE = 'journeys:prune';
const DAY = 86_400_000;

/**
 * Retention of step history (design against Mautic's 300M-row event log): rows of runs that
 * finished more than `history_days` (default 180) ago are folded into daily counts per step,
 * outcome and reason (what analytics read) and deleted, in chunks. Runs (one row per entry) stay:
 * the re-entry policy reads them. Runs once a day per tenant with journeys.
 */
export const pruneJob: JobHandler<{ now?: string }> = async (payload, ctx) => {
  const now = payload.now ? new Date(payload.now) : new Date();
  for (;;) {
    const n = await ctx.tx(async (tx) => {
      const days =
        (
          await sql<{
            d: number;
          }>`select history_days as d from journey_settings where tenant_id = ${ctx.tenantId}`.execute(tx)
        ).rows[0]?.d ?? 180;
      const cutoff = new Date(+now - days * DAY);
      const runs = (
        await sql<{ id: string }>`select distinct s.run_id as id from journey_steps s
          join journey_runs r on r.tenant_id = s.tenant_id and r.id = s.run_id
          where s.tenant_id = ${ctx.tenantId} and r.finished_at < ${cutoff} limit 5000`.execute(tx)
      ).rows.map((r) => r.id);
      if (!runs.length) return 0;
      await sql`with gone as (delete from journey_steps where tenant_id = ${ctx.tenantId} and run_id = any(${runs}::uuid[])
          returning journey_id, version, step_id, at, outcome, reason)
        insert into journey_step_daily (tenant_id, journey_id, version, step_id, day, outcome, reason, n)
        select ${ctx.tenantId}, journey_id, version, step_id, at::date, outcome, coalesce(reason, ''), count(*) from gone
        group by journey_id, version, step_id, at::date, outcome, coalesce(reason, '')
        on conflict (tenant_id, journey_id, version, step_id, day, outcome, reason)
        do update set n = journey_step_daily.n + excluded.n`.execute(tx);
      return runs.length;
    });
    if (n === 0) break;
    await ctx.heartbeat();
  }
  await ctx.tx((tx) =>
    enqueue(
      tx,
      ctx.tenantId,
      PRUNE_QUEUE,
      {},
      { runAt: new Date(+now + DAY), dedupeKey: `p:${Math.floor(+now / DAY) + 1}` },
    ),
  );
};
