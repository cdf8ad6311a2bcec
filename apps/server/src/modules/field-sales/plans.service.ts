import { type Plan, type PlanInput, type StoreTier, TIER_EVERY_DAYS } from '@kehu/contracts/field-sales';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { invalid } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { distanceMetres } from '../trade-promotion/index.ts';
import { fslProblem, fslText } from './field-sales.messages.ts';
import { listStores, repRow } from './stores.service.ts';

const DAY = 86_400_000;
const addDays = (d: string, n: number) =>
  new Date(Date.parse(`${d}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
/** Visits go on the working days of the week (Monday–Friday when the week starts on a Monday). */
const WORKDAYS = 5;

async function rep(tx: Tx, p: Principal, repId: string, locale: Locale) {
  const r = await repRow(tx, p, repId);
  if (!r) throw invalid([{ field: 'repId', code: 'rep_unknown', message: fslText(locale, 'rep_unknown') }]);
  return r;
}

type Stop = {
  storeUnitId: string;
  storeName: string | null;
  tier: StoreTier | null;
  lng: number | null;
  lat: number | null;
};

/** Nearest-neighbour order from the first stop: a short, explainable route, not an optimum. */
function route<T extends Stop>(stops: T[]): T[] {
  const located = stops.filter((s) => s.lng != null && s.lat != null);
  const rest = stops.filter((s) => s.lng == null || s.lat == null);
  const out: T[] = [];
  // Start from the westernmost store (a stable, map-readable choice).
  const left = [...located].sort((a, b) => a.lng! - b.lng! || a.storeUnitId.localeCompare(b.storeUnitId));
  let cur = left.shift();
  while (cur) {
    out.push(cur);
    let best = -1;
    let bestD = Infinity;
    for (let i = 0; i < left.length; i++) {
      const d = distanceMetres([cur.lng!, cur.lat!], [left[i]!.lng!, left[i]!.lat!]);
      if (d < bestD) [best, bestD] = [i, d];
    }
    cur = best >= 0 ? left.splice(best, 1)[0] : undefined;
  }
  return [...out, ...rest];
}

const leg = (a: Stop | undefined, b: Stop) =>
  a && a.lng != null && a.lat != null && b.lng != null && b.lat != null
    ? Math.round(distanceMetres([a.lng, a.lat], [b.lng, b.lat]))
    : null;

/**
 * The proposal for a rep's week: stores in their charge (within the caller's view) that are due by
 * tier frequency (A weekly, B every two weeks, C monthly) since their last completed visit, in a
 * nearest-neighbour route split over the working days. Nothing is stored: the planner adjusts and saves.
 */
export async function propose(
  tx: Tx,
  p: Principal,
  locale: Locale,
  input: { repId: string; weekStart: string },
): Promise<Plan> {
  const r = await rep(tx, p, input.repId, locale);
  const stores = (await listStores(tx, p)).filter((s) => s.repId === r.id && s.tier);
  const weekEnd = addDays(input.weekStart, 6);
  const last = new Map(
    (
      await sql<any>`select store_unit_id, max(day)::text as last from fsl_visits
        where tenant_id = ${p.tenantId} and rep_id = ${r.id} and status = 'done' and day < ${input.weekStart}::date
        group by store_unit_id`.execute(tx)
    ).rows.map((x) => [x.store_unit_id, x.last as string]),
  );
  const due = stores.filter((s) => {
    const l = last.get(s.unitId);
    return !l || (Date.parse(weekEnd) - Date.parse(l)) / DAY >= TIER_EVERY_DAYS[s.tier!];
  });
  const ordered = route(
    due.map((s) => ({ storeUnitId: s.unitId, storeName: s.name, tier: s.tier, lng: s.lng, lat: s.lat })),
  );
  const perDay = Math.max(1, Math.ceil(ordered.length / WORKDAYS));
  const visits = ordered.map((s, i) => ({
    storeUnitId: s.storeUnitId,
    storeName: s.storeName,
    tier: s.tier,
    day: addDays(input.weekStart, Math.floor(i / perDay)),
    seq: (i % perDay) + 1,
    visitType: 'routine' as const,
    legM: i % perDay === 0 ? null : leg(ordered[i - 1], s),
  }));
  const existing = (
    await sql<any>`select id, version from fsl_plans where tenant_id = ${p.tenantId} and rep_id = ${r.id}
      and week_start = ${input.weekStart}::date`.execute(tx)
  ).rows[0];
  return {
    id: existing?.id ?? null,
    repId: r.id,
    repName: r.name,
    weekStart: input.weekStart,
    visits,
    version: existing?.version ?? 0,
  };
}

async function planVisits(tx: Tx, p: Principal, planIds: string[]) {
  if (!planIds.length) return [];
  const stores = new Map((await listStores(tx, p)).map((s) => [s.unitId, s]));
  const rows = (
    await sql<any>`select v.id, v.plan_id, v.store_unit_id, v.day::text as day, v.seq, v.visit_type, v.status, u.name
      from fsl_visits v left join units u on u.tenant_id = v.tenant_id and u.id = v.store_unit_id
      where v.tenant_id = ${p.tenantId} and v.plan_id = any(${planIds}::uuid[]) order by v.day, v.seq, v.id`.execute(
      tx,
    )
  ).rows;
  return rows.map((v, i) => {
    const s = stores.get(v.store_unit_id);
    const prev = rows[i - 1];
    const ps =
      prev && prev.plan_id === v.plan_id && prev.day === v.day ? stores.get(prev.store_unit_id) : undefined;
    const stop = (x: typeof s) =>
      x ? { storeUnitId: x.unitId, storeName: x.name, tier: x.tier, lng: x.lng, lat: x.lat } : undefined;
    return {
      planId: v.plan_id as string,
      visit: {
        visitId: v.id as string,
        storeUnitId: v.store_unit_id as string,
        storeName: (v.name as string) ?? null,
        tier: s?.tier ?? null,
        day: v.day as string,
        seq: v.seq as number,
        visitType: v.visit_type,
        status: v.status,
        legM: ps && s ? leg(stop(ps), stop(s)!) : null,
      },
    };
  });
}

/** Plans of a week: the caller's own and those of reps of their unit and below. */
export async function listPlans(
  tx: Tx,
  p: Principal,
  q: { weekStart: string; repId?: string },
): Promise<Plan[]> {
  const plans = (
    await sql<any>`select pl.id, pl.rep_id, u.name as rep_name, pl.week_start::text as week_start, pl.version
      from fsl_plans pl left join users u on u.tenant_id = pl.tenant_id and u.id = pl.rep_id
      where pl.tenant_id = ${p.tenantId} and pl.week_start = ${q.weekStart}::date
        and (pl.rep_id = ${p.userId} or pl.unit_id = any(${p.subtreeUnitIds}::uuid[]))
        ${q.repId ? sql`and pl.rep_id = ${q.repId}` : sql``}
      order by u.name, pl.id`.execute(tx)
  ).rows;
  const visits = await planVisits(
    tx,
    p,
    plans.map((x) => x.id),
  );
  return plans.map((x) => ({
    id: x.id,
    repId: x.rep_id,
    repName: x.rep_name,
    weekStart: x.week_start,
    version: x.version,
    visits: visits.filter((v) => v.planId === x.id).map((v) => v.visit),
  }));
}

/**
 * Save a rep's week (version 0 = new): visits not started yet are replaced by the list, in the
 * given order per day; visits already started or done stay as they are.
 */
export async function savePlan(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: PlanInput,
): Promise<Plan> {
  const r = await rep(tx, p, input.repId, locale);
  const weekEnd = addDays(input.weekStart, 6);
  const types = new Map(
    (
      await sql<any>`select id, type from units where tenant_id = ${p.tenantId} and deleted_at is null
        and id = any(${input.visits.map((v) => v.storeUnitId)}::uuid[])`.execute(tx)
    ).rows.map((u) => [u.id, u.type]),
  );
  const seen = new Set<string>();
  const errors = input.visits.flatMap((v, i) => {
    const field = `visits.${i}`;
    if (!types.has(v.storeUnitId) || !p.subtreeUnitIds.includes(v.storeUnitId))
      return [
        {
          field: `${field}.storeUnitId`,
          code: 'store_not_yours',
          message: fslText(locale, 'store_not_yours'),
        },
      ];
    if (types.get(v.storeUnitId) !== 'store')
      return [{ field: `${field}.storeUnitId`, code: 'not_store', message: fslText(locale, 'not_store') }];
    if (v.day < input.weekStart || v.day > weekEnd)
      return [
        { field: `${field}.day`, code: 'plan_day_outside', message: fslText(locale, 'plan_day_outside') },
      ];
    const k = `${v.storeUnitId}:${v.day}`;
    if (seen.has(k))
      return [
        { field: `${field}.day`, code: 'plan_store_twice', message: fslText(locale, 'plan_store_twice') },
      ];
    seen.add(k);
    return [];
  });
  if (errors.length) throw invalid(errors);
  let planId: string;
  if (input.version === 0) {
    planId = newId();
    const ins = await sql`insert into fsl_plans (tenant_id, id, rep_id, unit_id, week_start, updated_by)
      values (${p.tenantId}, ${planId}, ${r.id}, ${r.unit_id}, ${input.weekStart}::date, ${p.userId})
      on conflict do nothing`.execute(tx);
    if (!Number(ins.numAffectedRows ?? 0)) throw fslProblem('conflict', locale, 'stale');
  } else {
    const up = (
      await sql<any>`update fsl_plans set version = version + 1, updated_by = ${p.userId}, updated_at = now()
        where tenant_id = ${p.tenantId} and rep_id = ${r.id} and week_start = ${input.weekStart}::date
          and version = ${input.version} returning id`.execute(tx)
    ).rows[0];
    if (!up) throw fslProblem('conflict', locale, 'stale');
    planId = up.id;
  }
  const started = new Set(
    (
      await sql<any>`select store_unit_id, day::text as day from fsl_visits where tenant_id = ${p.tenantId}
        and plan_id = ${planId} and status <> 'planned'`.execute(tx)
    ).rows.map((v) => `${v.store_unit_id}:${v.day}`),
  );
  await sql`delete from fsl_visits where tenant_id = ${p.tenantId} and plan_id = ${planId} and status = 'planned'`.execute(
    tx,
  );
  const seq = new Map<string, number>();
  for (const v of input.visits) {
    const n = (seq.get(v.day) ?? 0) + 1;
    seq.set(v.day, n);
    if (started.has(`${v.storeUnitId}:${v.day}`)) continue;
    await sql`insert into fsl_visits (tenant_id, id, plan_id, rep_id, store_unit_id, day, seq, visit_type, created_by)
      values (${p.tenantId}, ${newId()}, ${planId}, ${r.id}, ${v.storeUnitId}, ${v.day}::date, ${n}, ${v.visitType}, ${p.userId})`.execute(
      tx,
    );
  }
  await writeAudit(tx as any, actor, {
    action: input.version === 0 ? 'create' : 'update',
    object: 'fsl_plan',
    recordId: planId,
    meta: { repId: r.id, weekStart: input.weekStart, visits: input.visits.length },
  });
  return (await listPlans(tx, p, { weekStart: input.weekStart, repId: r.id }))[0]!;
}
