import { type RawBuilder, sql } from 'kysely';
import { can } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { invalid } from '../../core/errors.ts';
import { listRecords, type RecordCtx, recordCtx } from '../../engine/records/record.service.ts';
import { scopeWhere } from '../../engine/records/record-sql.ts';
import { unitSubtreeSql } from './opportunity.service.ts';
import type { Stage } from './pipeline.defaults.ts';

/** `2026-11` → [2026-11-01, 2026-12-01); `2026-Q4` → [2026-10-01, 2027-01-01). */
export function periodRange(period: string): { from: string; to: string; months: string[] } {
  const m = /^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$/.exec(period);
  if (!m) throw invalid([{ field: 'period', code: 'pattern' }]);
  const y = Number(m[1]);
  const first = m[2] ? Number(m[2]) : (Number(m[3]) - 1) * 3 + 1;
  const count = m[2] ? 1 : 3;
  const ym = (yy: number, mm: number) =>
    `${yy + Math.floor((mm - 1) / 12)}-${String(((mm - 1) % 12) + 1).padStart(2, '0')}`;
  const months = Array.from({ length: count }, (_, i) => ym(y, first + i));
  return { from: `${months[0]}-01`, to: `${ym(y, first + count)}-01`, months };
}

export const currentPeriod = (type: 'month' | 'quarter', d = new Date()) =>
  type === 'month'
    ? d.toISOString().slice(0, 7)
    : `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;

export async function wonStageKeys(tx: Tx, tenantId: string): Promise<string[]> {
  const rows = (
    await sql<{
      stages: Stage[];
    }>`select stages from pipelines where tenant_id = ${tenantId} and deleted_at is null`.execute(tx)
  ).rows;
  const keys = new Set(rows.flatMap((r) => r.stages.filter((s) => s.kind === 'won').map((s) => s.key)));
  if (keys.size === 0) keys.add('won');
  return [...keys];
}

interface Subject {
  sql: RawBuilder<unknown>;
}
const subjectSql = (tenantId: string, t: Record<string, unknown>): Subject =>
  t.scopeType === 'user' && typeof t.userId === 'string'
    ? { sql: sql`r.owner_id = ${t.userId}` }
    : typeof t.targetUnitId === 'string'
      ? { sql: unitSubtreeSql(tenantId, t.targetUnitId) }
      : { sql: sql`false` };

export interface Achievement {
  target: Record<string, unknown>;
  from: string;
  to: string;
  wonAmount: number;
  wonCount: number;
  orderAmount: number;
  orderCount: number;
  actualAmount: number;
  actualCount: number;
  amountRate: number | null;
  countRate: number | null;
  weightedPipeline: number;
  forecastAmount: number;
  drill: { won: unknown; orders: unknown; pipeline: unknown };
}

/**
 * R4.4: achievement computed live from won opportunities (closed in the period) or orders
 * (confirmed or later, dated in the period), only over rows the viewer may see; forecast =
 * achieved + weighted open pipeline expected to close in the period.
 */
export async function achievements(
  ctx: RecordCtx,
  q: { period?: string; unit?: string },
): Promise<Achievement[]> {
  const tenantId = ctx.principal.tenantId;
  const filter = q.period ? { field: 'period', op: 'eq' as const, value: q.period } : undefined;
  const targets = (await listRecords(ctx, { filter, unit: q.unit, limit: 200, sort: 'period' })).items;
  const opp = await recordCtx(ctx.tx, ctx.principal, ctx.actor, 'opportunity');
  const ord = await recordCtx(ctx.tx, ctx.principal, ctx.actor, 'order');
  const won = await wonStageKeys(ctx.tx, tenantId);
  const out: Achievement[] = [];
  for (const t of targets) {
    const { from, to } = periodRange(String(t.period));
    const subj = subjectSql(tenantId, t).sql;
    const w = can(ctx.principal, 'opportunity:read')
      ? (
          await sql<{ n: number; s: string; p: string }>`select
              count(*) filter (where r.stage = any(${won}::text[]) and r.closed_at >= ${from}::date and r.closed_at < ${to}::date)::int as n,
              coalesce(sum(r.amount_minor) filter (where r.stage = any(${won}::text[]) and r.closed_at >= ${from}::date and r.closed_at < ${to}::date), 0)::text as s,
              coalesce(round(sum(r.amount_minor * r.probability / 100) filter (where r.closed_at is null and r.expected_close_date >= ${from}::date and r.expected_close_date < ${to}::date)), 0)::text as p
            from opportunities r where r.tenant_id = ${tenantId} and r.deleted_at is null and ${scopeWhere(ctx.principal, opp.obj)} and ${subj}`.execute(
            ctx.tx,
          )
        ).rows[0]!
      : { n: 0, s: '0', p: '0' };
    const o = can(ctx.principal, 'order:read')
      ? (
          await sql<{
            n: number;
            s: string;
          }>`select count(*)::int as n, coalesce(sum(r.amount_minor), 0)::text as s
            from orders r where r.tenant_id = ${tenantId} and r.deleted_at is null and r.status in ('confirmed', 'shipped', 'completed')
              and r.order_date >= ${from}::date and r.order_date < ${to}::date and ${scopeWhere(ctx.principal, ord.obj)} and ${subj}`.execute(
            ctx.tx,
          )
        ).rows[0]!
      : { n: 0, s: '0' };
    const basisOrder = t.basis === 'order';
    const actualAmount = basisOrder ? Number(o.s) : Number(w.s);
    const actualCount = basisOrder ? o.n : w.n;
    const targetAmount = (t.amount as { amount: number } | null)?.amount ?? 0;
    const targetCount = Number(t.count ?? 0);
    const subjectFilter = t.scopeType === 'user' ? [{ field: 'ownerId', op: 'eq', value: t.userId }] : [];
    out.push({
      target: t,
      from,
      to,
      wonAmount: Number(w.s),
      wonCount: w.n,
      orderAmount: Number(o.s),
      orderCount: o.n,
      actualAmount,
      actualCount,
      amountRate: targetAmount > 0 ? Math.round((actualAmount / targetAmount) * 10_000) / 100 : null,
      countRate: targetCount > 0 ? Math.round((actualCount / targetCount) * 10_000) / 100 : null,
      weightedPipeline: Number(w.p),
      forecastAmount: actualAmount + Number(w.p),
      drill: {
        won: {
          object: 'opportunity',
          unit: t.scopeType === 'unit' ? t.targetUnitId : undefined,
          filter: {
            and: [
              { field: 'stage', op: 'in', value: won },
              { field: 'closedAt', op: 'gte', value: from },
              { field: 'closedAt', op: 'lt', value: to },
              ...subjectFilter,
            ],
          },
        },
        orders: {
          object: 'order',
          unit: t.scopeType === 'unit' ? t.targetUnitId : undefined,
          filter: {
            and: [
              { field: 'status', op: 'in', value: ['confirmed', 'shipped', 'completed'] },
              { field: 'orderDate', op: 'gte', value: from },
              { field: 'orderDate', op: 'lt', value: to },
              ...subjectFilter,
            ],
          },
        },
        pipeline: {
          object: 'opportunity',
          unit: t.scopeType === 'unit' ? t.targetUnitId : undefined,
          filter: {
            and: [
              { field: 'closedAt', op: 'isEmpty' },
              { field: 'expectedCloseDate', op: 'gte', value: from },
              { field: 'expectedCloseDate', op: 'lt', value: to },
              ...subjectFilter,
            ],
          },
        },
      },
    });
  }
  return out;
}

export interface ForecastRow {
  month: string;
  won: number;
  weighted: number;
  open: number;
  commit: number;
}

/** Weighted pipeline per month of a period: won so far, weighted open, best case, commit (≥ 80 %). */
export async function forecast(ctx: RecordCtx, q: { period: string; unit?: string; owner?: string }) {
  const tenantId = ctx.principal.tenantId;
  const { from, to, months } = periodRange(q.period);
  const won = await wonStageKeys(ctx.tx, tenantId);
  const owner = q.owner ? sql`r.owner_id = ${q.owner}` : sql`true`;
  const where = sql`r.tenant_id = ${tenantId} and r.deleted_at is null and ${scopeWhere(ctx.principal, ctx.obj)} and ${unitSubtreeSql(tenantId, q.unit)} and ${owner}`;
  const rows = (
    await sql<{ month: string; won: string; weighted: string; open: string; commit: string }>`
      select to_char(coalesce(case when r.stage = any(${won}::text[]) then r.closed_at::date end, r.expected_close_date), 'YYYY-MM') as month,
        coalesce(sum(r.amount_minor) filter (where r.stage = any(${won}::text[])), 0)::text as won,
        coalesce(round(sum(r.amount_minor * r.probability / 100) filter (where r.closed_at is null)), 0)::text as weighted,
        coalesce(sum(r.amount_minor) filter (where r.closed_at is null), 0)::text as open,
        coalesce(sum(r.amount_minor) filter (where r.closed_at is null and r.probability >= 80), 0)::text as commit
      from opportunities r
      where ${where} and (
        (r.stage = any(${won}::text[]) and r.closed_at >= ${from}::date and r.closed_at < ${to}::date)
        or (r.closed_at is null and r.expected_close_date >= ${from}::date and r.expected_close_date < ${to}::date))
      group by 1`.execute(ctx.tx)
  ).rows;
  const byMonth = new Map(rows.map((r) => [r.month, r]));
  const series: ForecastRow[] = months.map((m) => {
    const r = byMonth.get(m);
    return {
      month: m,
      won: Number(r?.won ?? 0),
      weighted: Number(r?.weighted ?? 0),
      open: Number(r?.open ?? 0),
      commit: Number(r?.commit ?? 0),
    };
  });
  const total = series.reduce(
    (a, r) => ({
      month: q.period,
      won: a.won + r.won,
      weighted: a.weighted + r.weighted,
      open: a.open + r.open,
      commit: a.commit + r.commit,
    }),
    { month: q.period, won: 0, weighted: 0, open: 0, commit: 0 },
  );
  return { period: q.period, from, to, months: series, total, forecast: total.won + total.weighted };
}
