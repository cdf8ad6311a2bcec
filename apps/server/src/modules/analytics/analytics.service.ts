import { type RawBuilder, sql } from 'kysely';
import type { Actor } from '../../core/audit/audit.ts';
import { can, type Principal, rowScope } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { invalid } from '../../core/errors.ts';
import { isUuid } from '../../core/ids.ts';
import { compileFilter, type FilterNode } from '../../engine/records/filter.ts';
import { type RecordCtx, recordCtx } from '../../engine/records/record.service.ts';
import { baseWhere, fieldExpr, scopeWhere } from '../../engine/records/record-sql.ts';
import {
  achievements,
  currentPeriod,
  kanban,
  periodRange,
  unitSubtreeSql,
  wonStageKeys,
} from '../sales/index.ts';
import { prospectSource } from './prospect-source.ts';

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
  key: 'prospect' | 'lead' | 'customer' | 'opportunity' | 'order';
  available: boolean;
  value: number;
  drill: Drill | null;
  /**
   * Share, in percent, of the period's leads that reached the previous stage and reached this
   * one too. The stages are nested sets of leads, so it never exceeds 100.
   */
  conversion: number | null;
}

/** The filter DSL's `in` takes at most this many values: a larger cohort has no drill-down. */
const DRILL_IDS = 1000;
const pct = (n: number, of: number) => (of > 0 ? Math.round((n / of) * 10_000) / 100 : null);
const idDrill = (object: string, ids: string[] | null, unit?: string): Drill | null =>
  ids && ids.length <= DRILL_IDS
    ? {
        object,
        filter: ids.length ? { field: 'id', op: 'in', value: ids } : and({ field: 'id', op: 'isEmpty' }),
        ...(unit ? { unit } : {}),
      }
    : null;

/**
 * 线索 → 客户 → 商机 → 订单 as one cohort (R11.1): the leads created in the period, the customers
 * those leads were converted into, the opportunities the conversions opened and those
 * opportunities' orders (not cancelled), each in the viewer's scope. Per channel by the lead's
 * channel. Customers created in the period that no lead was converted into are `direct`, outside
 * the funnel. Without read on leads the funnel falls back to records created in the period.
 */
export async function funnel(tx: Tx, principal: Principal, actor: Actor, q: DashboardQuery) {
  const { from, to } = range(q);
  const [leadCtx, custCtx, oppCtx, orderCtx] = await Promise.all(
    (['lead', 'customer', 'opportunity', 'order'] as const).map((k) => ctxFor(tx, principal, actor, k)),
  );
  const own = (ctx: RecordCtx | null): FilterNode | null =>
    ctx && q.owner ? { field: 'ownerId', op: 'eq', value: q.owner } : null;
  if (!leadCtx || !hasField(leadCtx, 'convertedCustomerId'))
    return createdInPeriod(tx, principal, actor, q, from, to);
  const ch = channelField(leadCtx);
  const leadFilter = and(
    createdIn(from, to),
    q.channel && ch ? { field: ch, op: 'eq', value: q.channel } : null,
    own(leadCtx),
  );
  const field = (ctx: RecordCtx, name: string) =>
    fieldExpr(ctx.obj, ctx.obj.fields.find((f) => f.apiName === name)!);
  const none = sql`select null::text as id, null::text as lead_id where false`;
  const chanExpr = ch ? sql`${field(leadCtx, ch)}::text` : sql`null::text`;
  // Each later stage is read through its own object's scope; a stage the viewer may not read is empty.
  const customers = custCtx
    ? sql`select r.id::text as id, l.id as lead_id from ${sql.table(custCtx.obj.table)} as r
        join l on l.cid = r.id::text where ${where(custCtx, and(), q.unit)}`
    : none;
  const opps =
    oppCtx && hasField(oppCtx, 'leadId')
      ? sql`select r.id::text as id, l.id as lead_id from ${sql.table(oppCtx.obj.table)} as r
        join l on l.id = ${field(oppCtx, 'leadId')}::text and l.cid is not null where ${where(oppCtx, and(), q.unit)}`
      : none;
  const orders =
    orderCtx && hasField(orderCtx, 'opportunityId')
      ? sql`select r.id::text as id, o.lead_id from ${sql.table(orderCtx.obj.table)} as r
        join o on o.id = ${field(orderCtx, 'opportunityId')}::text
        where ${where(orderCtx, and({ field: 'status', op: 'ne', value: 'cancelled' }), q.unit)}`
      : none;
  const rows = (
    await sql<{ k: string; ch: string | null; g: number; n: number; leads: number; ids: string[] | null }>`
      with l as (
        select r.id::text as id, ${chanExpr} as ch, ${field(leadCtx, 'convertedCustomerId')}::text as cid
        from ${sql.table(leadCtx.obj.table)} as r where ${where(leadCtx, leadFilter, q.unit)}
      ), c as (${customers}), o as (${opps}), so as (${orders}),
      stage as (
        select 'lead' as k, id, id as lead_id from l
        union all select 'customer', id, lead_id from c
        union all select 'opportunity', id, lead_id from o
        union all select 'order', id, lead_id from so
      )
      select s.k, l.ch, grouping(l.ch)::int as g, count(distinct s.id)::int as n,
        count(distinct s.lead_id)::int as leads,
        case when grouping(l.ch) = 1 and s.k <> 'lead' and count(distinct s.id) <= ${DRILL_IDS}
          then array_agg(distinct s.id) end as ids
      from stage s join l on l.id = s.lead_id
      group by s.k, rollup(l.ch)`.execute(tx)
  ).rows;
  const total = (k: string) => rows.find((r) => r.k === k && Number(r.g) === 1);
  const stages: FunnelStage[] = [];
  const ctxOf = { lead: leadCtx, customer: custCtx, opportunity: oppCtx, order: orderCtx };
  for (const key of ['lead', 'customer', 'opportunity', 'order'] as const) {
    const t = total(key);
    const value = t?.n ?? 0;
    const prev = stages[stages.length - 1];
    const prevLeads = prev ? (total(prev.key)?.leads ?? 0) : 0;
    stages.push({
      key,
      available: !!ctxOf[key],
      value,
      drill: !ctxOf[key]
        ? null
        : key === 'lead'
          ? { object: 'lead', filter: leadFilter, ...(q.unit ? { unit: q.unit } : {}) }
          : idDrill(key, value ? (t?.ids ?? null) : [], q.unit),
      conversion: prev?.available && ctxOf[key] ? pct(t?.leads ?? 0, prevLeads) : null,
    });
  }
  const prospect = await prospectStage(tx, principal, q, from, to);
  if (prospect) {
    // The lead stage's share: of the period's 潜客, those who have a lead.
    stages[0]!.conversion = pct(prospect.withLead, prospect.value);
    stages.unshift({
      key: 'prospect',
      available: true,
      value: prospect.value,
      drill: null,
      conversion: null,
    });
  }
  const byChannel = new Map<string, Record<string, number>>();
  for (const r of rows.filter((x) => Number(x.g) === 0))
    byChannel.set(r.ch ?? '', { ...(byChannel.get(r.ch ?? '') ?? {}), [r.k]: r.n });
  return {
    from,
    to,
    stages,
    direct: custCtx ? await directCustomers(custCtx, leadCtx, from, to, q) : null,
    byChannel: [...byChannel.entries()].map(([channel, counts]) => ({ channel: channel || null, ...counts })),
  };
}

/** Customers created in the period that no lead (in the viewer's scope) was converted into. */
async function directCustomers(
  custCtx: RecordCtx,
  leadCtx: RecordCtx,
  from: string,
  to: string,
  q: DashboardQuery,
): Promise<Metric> {
  const converted = fieldExpr(
    leadCtx.obj,
    leadCtx.obj.fields.find((f) => f.apiName === 'convertedCustomerId')!,
  );
  const filter = and(createdIn(from, to), q.owner ? { field: 'ownerId', op: 'eq', value: q.owner } : null);
  // The subquery reads leads under their own alias `r` (the engine's SQL names its row so).
  const r = await sql<{ n: number; ids: string[] | null }>`
    select count(*)::int as n, case when count(*) <= ${DRILL_IDS} then array_agg(r.id::text) end as ids
    from ${sql.table(custCtx.obj.table)} as r where ${where(custCtx, filter, q.unit)}
      and not (r.id::text in (select x.cid from (
        select ${converted}::text as cid from ${sql.table(leadCtx.obj.table)} as r
        where ${where(leadCtx, and({ field: 'convertedCustomerId', op: 'isNotEmpty' }))}) as x))`.execute(
    custCtx.tx,
  );
  const row = r.rows[0]!;
  return { value: row.n, drill: idDrill('customer', row.n ? row.ids : [], q.unit) };
}

/** Fallback without lead access: records of each kind created in the period, no conversion rates. */
async function createdInPeriod(
  tx: Tx,
  principal: Principal,
  actor: Actor,
  q: DashboardQuery,
  from: string,
  to: string,
) {
  const stages: FunnelStage[] = [];
  const byChannel = new Map<string, Record<string, number>>();
  for (const key of ['lead', 'customer', 'opportunity', 'order'] as const) {
    const ctx = key === 'lead' ? null : await ctxFor(tx, principal, actor, key);
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
    stages.push({
      key,
      available: true,
      value,
      drill: { object: key, filter, ...(q.unit ? { unit: q.unit } : {}) },
      conversion: null,
    });
    if (groups)
      for (const [k, n] of groups.byKey) byChannel.set(k, { ...(byChannel.get(k) ?? {}), [key]: n });
  }
  return {
    from,
    to,
    stages,
    direct: null,
    byChannel: [...byChannel.entries()].map(([channel, counts]) => ({ channel: channel || null, ...counts })),
  };
}

/**
 * 潜客 before 线索, when the CDP counts them (`funnel-prospects`). People are tenant-wide in the CDP
 * and belong to no unit, owner or lead channel: the stage shows to those who may read the CDP and
 * see every lead of the tenant, on the unfiltered funnel only — never a count a dealer may not see.
 */
async function prospectStage(tx: Tx, principal: Principal, q: DashboardQuery, from: string, to: string) {
  const source = prospectSource();
  if (!source || q.unit || q.channel || q.owner) return null;
  if (!can(principal, 'cdp:read') || rowScope(principal, 'lead').unitIds !== null) return null;
  const c = await source.count(tx, principal, { from, to });
  return { value: c.prospects, withLead: c.withLead };
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
  // The drill-downs list the leads counted: the same filter under the same unit.
  const unit = q.unit ? { unit: q.unit } : {};
  const buckets = [
    ...BUCKETS.map((b, i) => ({ key: b.key, value: by.get(i) ?? 0 })),
    {
      key: 'none',
      value: by.get(-1) ?? 0,
      drill: { object: 'lead', filter: and(filter, { field: 'firstRespondedAt', op: 'isEmpty' }), ...unit },
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
    drill: { object: 'lead', filter, ...unit },
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
