import { LEADS_PERMISSIONS, LeadInboxStats } from '@kehu/contracts/leads';
import { sql } from 'kysely';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { defineRoute, type RouteSpec } from '../../core/http/route.ts';

/** Days the inbox chart covers, today included. */
export const INBOX_STATS_DAYS = 30;

/**
 * The inbox chart (issue 9 §5): the caller's own leads — the inbox's scope, whatever their data
 * scope on leads — per day of arrival in the tenant's zone, and how the first response went:
 * met (answered by the deadline), breached (answered late, or unanswered past it) or pending
 * (unanswered, deadline still ahead). Leads without a deadline count only in the volume.
 */
export async function inboxStats(tx: Tx, principal: Principal) {
  const zone =
    (
      await sql<{
        time_zone: string | null;
      }>`select time_zone from tenants where id = ${principal.tenantId}`.execute(tx)
    ).rows[0]?.time_zone ?? 'Asia/Shanghai';
  const rows = (
    await sql<{ day: string; leads: number; met: number; breached: number; pending: number }>`
      with days as (
        select to_char(d, 'YYYY-MM-DD') as day
        from generate_series(
          (now() at time zone ${zone})::date - ${INBOX_STATS_DAYS - 1}::int,
          (now() at time zone ${zone})::date, interval '1 day') as d
      ), mine as (
        select to_char((created_at at time zone ${zone})::date, 'YYYY-MM-DD') as day,
          first_response_due_at as due, first_responded_at as answered
        from leads
        where tenant_id = ${principal.tenantId} and owner_id = ${principal.userId} and deleted_at is null
          and created_at >= ((now() at time zone ${zone})::date - ${INBOX_STATS_DAYS - 1}::int) at time zone ${zone}
      )
      select days.day,
        count(mine.day)::int as leads,
        count(*) filter (where mine.due is not null and mine.answered is not null and mine.answered <= mine.due)::int as met,
        count(*) filter (where mine.due is not null and (mine.answered > mine.due
          or (mine.answered is null and mine.due < now())))::int as breached,
        count(*) filter (where mine.due is not null and mine.answered is null and mine.due >= now())::int as pending
      from days left join mine on mine.day = days.day
      group by days.day order by days.day`.execute(tx)
  ).rows;
  const sum = (k: 'leads' | 'met' | 'breached' | 'pending') => rows.reduce((n, r) => n + r[k], 0);
  return {
    days: rows,
    totals: { leads: sum('leads'), met: sum('met'), breached: sum('breached'), pending: sum('pending') },
    timeZone: zone,
  };
}

export const inboxStatsRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/leads/inbox/stats',
    permission: LEADS_PERMISSIONS.read,
    summary: 'My leads per day over the last 30 days and their first-response SLA (met / breached / pending)',
    tags: ['leads'],
    response: LeadInboxStats,
    handler: (req) => req.tx(async (tx) => inboxStats(tx, req.principal), { readOnly: true }),
  }),
];
