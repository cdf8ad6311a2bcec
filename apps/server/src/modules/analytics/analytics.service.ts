import { type RawBuilder, sql } from 'kysely';
import type { Actor } from '../../platform/audit/audit.ts';
import type { Tx } from '../../platform/db/tenant-scope.ts';
import { invalid } from '../../platform/errors.ts';
import { isUuid } from '../../platform/ids.ts';
import { can, type Principal } from '../../platform/permissions/principal.ts';
import { compileFilter, type FilterNode } from '../../records/filter.ts';
import { type RecordCtx, recordCtx } from '../../records/record.service.ts';
import { baseWhere, fieldExpr, scopeWhere } from '../../records/record-sql.ts';
import { kanban, unitSubtreeSql } from '../sales/opportunity.service.ts';
import { achievements, currentPeriod, periodRange, wonStageKeys } from '../sales/targets.service.ts';

/**
 * Dashboards (R11.1). Every number is a count or sum over one object under a filter in the
 * record engine's filter DSL, compiled by the engine with the viewer's row scope and field
 * access: the same filter is returned as the number's drill-down, so the list page it opens
 * (/o/<object>?filter=…&unit=…) shows exactly the records behind it. Analytics reads other
 * modules' tables only this way (a read model; see docs/modules/sales.md).
 */
export interface Drill {
  object: string;
  filter: FilterNode;
  unit?: string;
}
export interface Metric {
  value: number;
  drill: Drill | null;
}

export interface DashboardQuery {
  from?: string;
  to?: string;
  unit?: string;
  channel?: string;
  owner?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function range(q: DashboardQuery) {
  if ((q.from && !DATE.test(q.from)) || (q.to && !DATE.test(q.to)))
    throw invalid([{ field: 'from', code: 'date_format' }]);
  if (q.unit && !isUuid(q.unit)) throw invalid([{ field: 'unit', code: 'lookup_missing' }]);
  if (q.owner && !isUuid(q.owner)) throw invalid([{ field: 'owner', code: 'lookup_missing' }]);
  const p = periodRange(currentPeriod('quarter'));
  return { from: q.from ?? p.from, to: q.to ?? p.to };
}

async function ctxFor(tx: Tx, principal: Principal, actor: Actor, object: string): Promise<RecordCtx | null> {
  if (!can(principal, `${object}:read`)) return null;
  try {
    return await recordCtx(tx, principal, actor, object);
  } catch {
    return null; // the object is not installed (e.g. leads before the leads module lands)
  }
}

const hasField = (ctx: RecordCtx, f: string) =>
  ctx.obj.fields.some((x) => x.apiName === f) && ctx.access.get(f) !== 'hidden';
const channelField = (ctx: RecordCtx) =>
  hasField(ctx, 'channel') ? 'channel' : hasField(ctx, 'source') ? 'source' : null;

function where(ctx: RecordCtx, filter: FilterNode, unit?: string): RawBuilder<unknown> {
  return sql.join(
    [
      baseWhere(ctx.obj, ctx.principal.tenantId),
      scopeWhere(ctx.principal, ctx.obj),
      compileFilter(ctx.obj, ctx.access, filter),
      unitSubtreeSql(ctx.principal.tenantId, unit),
    ],
    sql` and `,
  );
}

async function count(ctx: RecordCtx, filter: FilterNode, unit?: string): Promise<number> {
  const r = await sql<{
    n: number;
  }>`select count(*)::int as n from ${sql.table(ctx.obj.table)} as r where ${where(ctx, filter, unit)}`.execute(
    ctx.tx,
  );
  return r.rows[0]!.n;
}

async function sumOf(ctx: RecordCtx, field: string, filter: FilterNode, unit?: string): Promise<number> {
  const f = ctx.obj.fields.find((x) => x.apiName === field)!;
  const r = await sql<{
    s: string;
  }>`select coalesce(sum(${fieldExpr(ctx.obj, f)}), 0)::text as s from ${sql.table(ctx.obj.table)} as r where ${where(ctx, filter, unit)}`.execute(
    ctx.tx,
  );
  return Number(r.rows[0]!.s);
}

async function groupCount(
  ctx: RecordCtx,
  field: string,
  filter: FilterNode,
  unit?: string,
): Promise<Map<string, number>> {
  const f = ctx.obj.fields.find((x) => x.apiName === field)!;
  const rows = (
    await sql<{
      k: string | null;
      n: number;
    }>`select ${fieldExpr(ctx.obj, f)}::text as k, count(*)::int as n from ${sql.table(ctx.obj.table)} as r
      where ${where(ctx, filter, unit)} group by 1`.execute(ctx.tx)
  ).rows;
  return new Map(rows.map((r) => [r.k ?? '', r.n]));
}

async function rollupCount(
  ctx: RecordCtx,
  field: string,
  filter: FilterNode,
  unit?: string,
): Promise<{ total: number; byKey: Map<string, number> }> {
  const f = ctx.obj.fields.find((x) => x.apiName === field)!;
  const rows = (
    await sql<{
      k: string | null;
      n: number;
      g: number;
    }>`select ${fieldExpr(ctx.obj, f)}::text as k, count(*)::int as n,
        grouping(${fieldExpr(ctx.obj, f)}::text) as g
      from ${sql.table(ctx.obj.table)} as r where ${where(ctx, filter, unit)} group by rollup(1)`.execute(
      ctx.tx,
    )
  ).rows;
  const total = rows.find((r) => Number(r.g) === 1)?.n ?? 0;
  return { total, byKey: new Map(rows.filter((r) => Number(r.g) === 0).map((r) => [r.k ?? '', r.n])) };
}

const and = (...nodes: (FilterNode | null)[]): FilterNode => ({
  and: nodes.filter((n): n is FilterNode => !!n),
});
const createdIn = (from: string, to: string): FilterNode =>
  and({ field: 'createdAt', op: 'gte', value: from }, { field: 'createdAt', op: 'lt', value: to });

interface FunnelStage {
  key: 'lead' | 'customer' | 'opportunity' | 'order';
  available: boolean;
  value: number;
  drill: Drill | null;
  /** Share of the previous stage, in percent. */
  conversion: number | null;
}

/** 线索 → 客户 → 商机 → 订单: records of each kind created in the period, in the viewer's scope. */
export async function funnel(tx: Tx, principal: Principal, actor: Actor, q: DashboardQuery) {
  const { from, to } = range(q);
  const stages: FunnelStage[] = [];
  const byChannel = new Map<string, Record<string, number>>();
  for (const key of ['lead', 'customer', 'opportunity', 'order'] as const) {
    const ctx = await ctxFor(tx, principal, actor, key);
    if (!ctx) {
      stages.push({ key, available: false, value: 0, drill: null, conversion: null });
      continue;
    }
    const ch = channelField(ctx);
    const filter = and(
      createdIn(from, to),
      key === 'order' ? { field: 'status', op: 'ne', value: 'cancelled' } : null,
      q.channel && ch ? { field: ch, op: 'eq', value: q.channel } : null,
      q.owner ? { field: 'ownerId', op: 'eq', value: q.owner } : null,
    );
    // One scan per object: ROLLUP gives every channel and the total together.
    const groups = ch ? await rollupCount(ctx, ch, filter, q.unit) : null;
    const value = groups ? groups.total : await count(ctx, filter, q.unit);
    const prev = stages[stages.length - 1];
    stages.push({
      key,
      available: true,
      value,
      drill: { object: key, filter, ...(q.unit ? { unit: q.unit } : {}) },
      conversion: prev?.available && prev.value > 0 ? Math.round((value / prev.value) * 10_000) / 100 : null,
    });
    if (groups)
      for (const [k, n] of groups.byKey) byChannel.set(k, { ...(byChannel.get(k) ?? {}), [key]: n });
  }
  return {
    from,
    to,
    stages,
    byChannel: [...byChannel.entries()].map(([channel, counts]) => ({ channel: channel || null, ...counts })),
  };
}

/** The same funnel per team: one row per unit directly below `unit` (or the viewer's unit). */
export async function funnelByTeam(tx: Tx, principal: Principal, actor: Actor, q: DashboardQuery) {
  const base = q.unit ?? principal.unitId;
  const teams = (
    await sql<{
      id: string;
      name: string;
    }>`select id, name from units where tenant_id = ${principal.tenantId} and parent_id = ${base}
      and deleted_at is null order by sort, name`.execute(tx)
  ).rows.filter((u) => principal.dataScopes['*'] === 'tenant' || principal.subtreeUnitIds.includes(u.id));
  const rows = [];
  for (const t of teams.slice(0, 30)) {
    const f = await funnel(tx, principal, actor, { ...q, unit: t.id });
    rows.push({
      unitId: t.id,
      unitName: t.name,
      stages: f.stages.map((s) => ({ key: s.key, value: s.value, drill: s.drill })),
    });
  }
  return rows;
}

const BUCKETS = [
  { key: 'lt5m', max: 5 * 60 },
  { key: '5to30m', max: 30 * 60 },
  { key: '30mto2h', max: 2 * 3600 },
  { key: '2hto24h', max: 24 * 3600 },
  { key: 'gt24h', max: Number.POSITIVE_INFINITY },
];

/** Lead first-response time (firstRespondedAt − createdAt) distribution against the SLA. */
export async function responseTimes(
  tx: Tx,
  principal: Principal,
  actor: Actor,
  q: DashboardQuery,
  slaMinutes = 30,
) {
  const { from, to } = range(q);
  const ctx = await ctxFor(tx, principal, actor, 'lead');
  if (!ctx || !hasField(ctx, 'firstRespondedAt'))
    return { available: false, slaMinutes, buckets: [], withinSla: null, total: 0 };
  const ch = channelField(ctx);
  const filter = and(createdIn(from, to), q.channel && ch ? { field: ch, op: 'eq', value: q.channel } : null);
  const f = ctx.obj.fields.find((x) => x.apiName === 'firstRespondedAt')!;
  const rows = (
    await sql<{
      b: number;
      n: number;
      w: number;
    }>`select case when ${fieldExpr(ctx.obj, f)} is null then -1 else
        width_bucket(extract(epoch from (${fieldExpr(ctx.obj, f)} - r.created_at)), ${sql.raw(
          `array[${BUCKETS.slice(0, -1)
            .map((b) => b.max)
            .join(',')}]::numeric[]`,
        )}) end as b,
        count(*)::int as n,
        count(*) filter (where ${fieldExpr(ctx.obj, f)} - r.created_at <= make_interval(mins => ${slaMinutes}))::int as w
      from ${sql.table(ctx.obj.table)} as r where ${where(ctx, filter, q.unit)} group by 1`.execute(tx)
  ).rows;
  const by = new Map(rows.map((r) => [r.b, r.n]));
  const total = rows.reduce((s, r) => s + r.n, 0);
  const buckets = [
    ...BUCKETS.map((b, i) => ({ key: b.key, value: by.get(i) ?? 0 })),
    {
      key: 'none',
      value: by.get(-1) ?? 0,
      drill: { object: 'lead', filter: and(filter, { field: 'firstRespondedAt', op: 'isEmpty' }) },
    },
  ];
  // One scan: the SLA count rides along the bucket grouping.
  const within = rows.reduce((a, r) => a + r.w, 0);
  return {
    available: true,
    slaMinutes,
    total,
    buckets,
    withinSla: total ? Math.round((within / total) * 10_000) / 100 : null,
    drill: { object: 'lead', filter },
  };
}

/** Won ÷ (won + lost) over opportunities closed in the period, overall and per owner. */
export async function winRate(tx: Tx, principal: Principal, actor: Actor, q: DashboardQuery) {
  const { from, to } = range(q);
  const ctx = await ctxFor(tx, principal, actor, 'opportunity');
  if (!ctx) return { available: false };
  const wonKeys = await wonStageKeys(tx, principal.tenantId);
  const closed = and(
    { field: 'closedAt', op: 'gte', value: from },
    { field: 'closedAt', op: 'lt', value: to },
    q.channel ? { field: 'channel', op: 'eq', value: q.channel } : null,
    q.owner ? { field: 'ownerId', op: 'eq', value: q.owner } : null,
  );
  const wonF = and(closed, { field: 'stage', op: 'in', value: wonKeys });
  const lostF = and(closed, { field: 'stage', op: 'notIn', value: wonKeys });
  const won = await count(ctx, wonF, q.unit);
  const lost = await count(ctx, lostF, q.unit);
  const wonAmount = await sumOf(ctx, 'amount', wonF, q.unit);
  const owners = (
    await sql<{ owner_id: string; name: string | null; won: number; lost: number }>`
      select r.owner_id, (select u.name from users u where u.tenant_id = r.tenant_id and u.id = r.owner_id) as name,
        count(*) filter (where r.stage = any(${wonKeys}::text[]))::int as won,
        count(*) filter (where not (r.stage = any(${wonKeys}::text[])))::int as lost
      from opportunities r where ${where(ctx, closed, q.unit)} group by r.owner_id, r.tenant_id order by 3 desc limit 20`.execute(
      tx,
    )
  ).rows;
  const lostReasons = await groupCount(ctx, 'lostReason', lostF, q.unit);
  return {
    available: true,
    won: { value: won, drill: { object: 'opportunity', filter: wonF, unit: q.unit } },
    lost: { value: lost, drill: { object: 'opportunity', filter: lostF, unit: q.unit } },
    wonAmount,
    rate: won + lost ? Math.round((won / (won + lost)) * 10_000) / 100 : null,
    byOwner: owners.map((o) => ({
      ownerId: o.owner_id,
      name: o.name,
      won: o.won,
      lost: o.lost,
      rate: o.won + o.lost ? Math.round((o.won / (o.won + o.lost)) * 10_000) / 100 : null,
      drill: {
        object: 'opportunity',
        filter: and(closed, { field: 'ownerId', op: 'eq', value: o.owner_id }),
        unit: q.unit,
      },
    })),
    lostReasons: [...lostReasons.entries()].map(([reason, n]) => ({
      reason,
      value: n,
      drill: {
        object: 'opportunity',
        filter: and(lostF, { field: 'lostReason', op: 'eq', value: reason }),
        unit: q.unit,
      },
    })),
  };
}

export async function pipelineByStage(tx: Tx, principal: Principal, actor: Actor, q: DashboardQuery) {
  const ctx = await ctxFor(tx, principal, actor, 'opportunity');
  if (!ctx) return { available: false, stages: [] };
  const k = await kanban(ctx, { unit: q.unit, owner: q.owner, limit: 1 });
  return {
    available: true,
    pipelineId: k.pipeline.id,
    stages: k.columns.map((c) => ({
      stage: c.stage,
      label: c.label,
      kind: c.kind,
      count: c.count,
      amount: c.amount,
      weighted: c.weighted,
      drill: {
        object: 'opportunity',
        filter: and(
          { field: 'pipelineId', op: 'eq', value: k.pipeline.id },
          { field: 'stage', op: 'eq', value: c.stage },
          q.owner ? { field: 'ownerId', op: 'eq', value: q.owner } : null,
        ),
        unit: q.unit,
      },
    })),
  };
}

export async function dashboard(tx: Tx, principal: Principal, actor: Actor, q: DashboardQuery) {
  const { from, to } = range(q);
  const targetCtx = await ctxFor(tx, principal, actor, 'target');
  return {
    from,
    to,
    funnel: await funnel(tx, principal, actor, q),
    teams: await funnelByTeam(tx, principal, actor, q),
    responseTime: await responseTimes(tx, principal, actor, q),
    winRate: await winRate(tx, principal, actor, q),
    pipeline: await pipelineByStage(tx, principal, actor, q),
    targets: targetCtx
      ? await achievements(targetCtx, {
          period: currentPeriod('quarter', new Date(`${from}T00:00:00Z`)),
          unit: q.unit,
        })
      : [],
  };
}
