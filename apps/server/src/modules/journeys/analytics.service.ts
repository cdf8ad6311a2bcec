import type { JourneyAnalytics } from '@kehu/contracts/journeys';
import { sql } from 'kysely';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { orderRevenueOf } from '../cdp/index.ts';
import { getJourney } from './journeys.service.ts';

/** Treatment minus holdout conversion with a 95 % two-proportion (Wald) interval. */
export function uplift(t: { n: number; converted: number }, h: { n: number; converted: number }) {
  if (!t.n || !h.n) return null;
  const p1 = t.converted / t.n;
  const p2 = h.converted / h.n;
  const se = Math.sqrt((p1 * (1 - p1)) / t.n + (p2 * (1 - p2)) / h.n);
  return { value: p1 - p2, low: p1 - p2 - 1.96 * se, high: p1 - p2 + 1.96 * se };
}

/**
 * A journey's figures for one version (the live one by default): entered, where runs are now,
 * per step what was executed, sent or skipped (and why), messaging's delivered/opened/clicked,
 * goal conversion against the holdout, and the order revenue of converted profiles in their window.
 */
export async function journeyAnalytics(
  tx: Tx,
  p: Principal,
  id: string,
  version?: number,
): Promise<JourneyAnalytics> {
  const j = await getJourney(tx, p, id);
  const v = version ?? j.liveVersion;
  const t = p.tenantId;
  const groups = (
    await sql<{ holdout: boolean; n: number; converted: number; active: number; finished: number }>`
      select is_holdout as holdout, count(*)::int as n, count(converted_at)::int as converted,
        count(*) filter (where status in ('active', 'waiting'))::int as active,
        count(finished_at)::int as finished
      from journey_runs where tenant_id = ${t} and journey_id = ${id} and (${v ?? null}::int is null or version = ${v ?? null})
      group by is_holdout`.execute(tx)
  ).rows;
  const g = (h: boolean) =>
    groups.find((x) => x.holdout === h) ?? { n: 0, converted: 0, active: 0, finished: 0 };
  const rate = (x: { n: number; converted: number }) => (x.n ? x.converted / x.n : 0);
  const treat = g(false);
  const hold = g(true);
  const now = (
    await sql<{ step_id: string; n: number }>`select step_id, count(*)::int as n from journey_runs
      where tenant_id = ${t} and journey_id = ${id} and version = ${v ?? -1} and status in ('active', 'waiting')
      group by step_id`.execute(tx)
  ).rows;
  const executed = (
    await sql<{ step_id: string; kind: string; outcome: string; reason: string | null; n: number }>`
      select step_id, kind, outcome, reason, count(*)::int as n from journey_steps
      where tenant_id = ${t} and journey_id = ${id} and version = ${v ?? -1} group by step_id, kind, outcome, reason
      union all select step_id, '', outcome, nullif(reason, ''), sum(n)::int from journey_step_daily
      where tenant_id = ${t} and journey_id = ${id} and version = ${v ?? -1} group by step_id, outcome, reason`.execute(
      tx,
    )
  ).rows;
  const msg = (
    await sql<{
      step_id: string;
      kind: string;
      n: number;
    }>`select step_id, kind, count(*)::int as n from journey_message_events
      where tenant_id = ${t} and journey_id = ${id} group by step_id, kind`.execute(tx)
  ).rows;
  const def = (j.live?.version === v ? j.live : null)?.definition ?? j.draft?.definition;
  const nodes = def?.graph.nodes ?? [];
  const steps = nodes.map((n) => {
    const mine = executed.filter((e) => e.step_id === n.id);
    const count = (f: (e: (typeof mine)[number]) => boolean) => mine.filter(f).reduce((s, e) => s + e.n, 0);
    const reasons: Record<string, number> = {};
    for (const e of mine)
      if (e.outcome === 'skipped' && e.reason) reasons[e.reason] = (reasons[e.reason] ?? 0) + e.n;
    const m = (k: string) => msg.find((x) => x.step_id === n.id && x.kind === k)?.n ?? 0;
    return {
      stepId: n.id,
      kind: n.data.kind,
      now: now.find((x) => x.step_id === n.id)?.n ?? 0,
      executed: count(() => true),
      sent: count((e) => ['sent', 'queued', 'deferred'].includes(e.outcome)),
      skipped: count((e) => e.outcome === 'skipped'),
      failed: count((e) => e.outcome === 'failed'),
      delivered: m('delivered'),
      opened: m('opened'),
      clicked: m('clicked'),
      skipReasons: reasons,
    };
  });
  const windows = (
    await sql<{
      profileId: string;
      from: string;
      to: string;
    }>`select profile_id as "profileId", entered_at as "from",
        goal_until as "to" from journey_runs
      where tenant_id = ${t} and journey_id = ${id} and version = ${v ?? -1} and not is_holdout and converted_at is not null`.execute(
      tx,
    )
  ).rows;
  return {
    version: v ?? null,
    entered: treat.n + hold.n,
    active: treat.active + hold.active,
    finished: treat.finished + hold.finished,
    treatment: { n: treat.n, converted: treat.converted, rate: rate(treat) },
    holdout: { n: hold.n, converted: hold.converted, rate: rate(hold) },
    uplift: uplift(treat, hold),
    revenue: await orderRevenueOf(tx, t, windows),
    steps,
  };
}
