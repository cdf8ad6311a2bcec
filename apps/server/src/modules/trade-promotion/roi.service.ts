import type { Roi } from '@kehu/contracts/trade-promotion';
import { sql } from 'kysely';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { loadActivity, toActivity } from './activities.service.ts';

const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * ROI of one activity as a difference-in-differences on sell-in: the activity stores' orders
 * during the activity vs the same number of days just before (baseline), corrected by how the
 * comparable stores (the other stores of the same branch that the caller sees) moved over the
 * same two periods. Incremental = during − baseline × (comparable during / comparable baseline).
 *
 * Reads sales' `orders` directly (narrow, read-only: unit, date, amount, status) — sales' index.ts
 * exports no per-unit daily sell-in. Only the dealer's managers (the dealer in their subtree) see
 * it, and comparable stores are limited to the caller's subtree: no sibling's sales leak out.
 */
export async function activityRoi(tx: Tx, p: Principal, id: string): Promise<Roi> {
  const row = await loadActivity(tx, p, id);
  if (!p.subtreeUnitIds.includes(row.dealer_unit_id)) throw notFound('tpm_activity');
  const a = toActivity(row);
  const start = Date.parse(`${a.startsOn}T00:00:00Z`);
  const end = Date.parse(`${a.endsOn}T00:00:00Z`);
  const days = Math.round((end - start) / DAY) + 1;
  const bStart = start - days * DAY;
  const stores = a.stores.map((s) => s.id);
  const region = (
    await sql<{ parent_id: string | null }>`select parent_id from units where tenant_id = ${p.tenantId}
      and id = ${a.dealerUnitId}`.execute(tx)
  ).rows[0]?.parent_id;
  const comparable = (
    await sql<{
      id: string;
    }>`select s.id from units s join units r on r.tenant_id = s.tenant_id and r.id = ${region ?? a.dealerUnitId}
      where s.tenant_id = ${p.tenantId} and s.type = 'store' and s.deleted_at is null and s.path like r.path || '%'
        and s.id <> all(${stores}::uuid[]) and s.id = any(${p.subtreeUnitIds}::uuid[])`.execute(tx)
  ).rows.map((r) => r.id);
  const rows = (
    await sql<{ day: string; grp: string; total: string }>`
      select to_char(coalesce(o.order_date, (o.created_at at time zone 'Asia/Shanghai')::date), 'YYYY-MM-DD') as day,
        case when o.unit_id = any(${stores}::uuid[]) then 'a' else 'c' end as grp, sum(coalesce(o.amount_minor, 0))::text as total
      from orders o
      where o.tenant_id = ${p.tenantId} and o.deleted_at is null and o.status in ('confirmed', 'shipped', 'completed')
        and (o.unit_id = any(${stores}::uuid[]) or o.unit_id = any(${comparable}::uuid[]))
        and coalesce(o.order_date, (o.created_at at time zone 'Asia/Shanghai')::date) between ${iso(bStart)}::date and ${a.endsOn}::date
      group by 1, 2`.execute(tx)
  ).rows;
  const byDay = new Map<string, { activity: number; comparable: number }>();
  for (let t = bStart; t <= end; t += DAY) byDay.set(iso(t), { activity: 0, comparable: 0 });
  const sums = { aB: 0, aD: 0, cB: 0, cD: 0 };
  for (const r of rows) {
    const v = Number(r.total);
    const during = r.day >= a.startsOn;
    const slot = byDay.get(r.day);
    if (r.grp === 'a') {
      if (slot) slot.activity += v;
      if (during) sums.aD += v;
      else sums.aB += v;
    } else {
      if (slot) slot.comparable += v;
      if (during) sums.cD += v;
      else sums.cB += v;
    }
  }
  const growth = sums.cB > 0 ? sums.cD / sums.cB : 1;
  const expected = Math.round(sums.aB * growth);
  const incremental = sums.aD - expected;
  const cost = a.status === 'verified' ? (a.verifiedAmount ?? 0) : a.committed || a.amount;
  // Comparable stores are averaged per store in the chart so the two lines share a scale.
  const perStore = Math.max(1, comparable.length);
  return {
    activityId: a.id,
    cost,
    period: { from: a.startsOn, to: a.endsOn },
    baseline: { from: iso(bStart), to: iso(start - DAY) },
    activityStores: { baseline: sums.aB, during: sums.aD },
    comparableStores: { count: comparable.length, baseline: sums.cB, during: sums.cD },
    expected,
    incremental,
    roi: cost > 0 ? Math.round(((incremental - cost) / cost) * 1000) / 1000 : null,
    series: [...byDay.entries()].map(([d, v]) => ({
      day: d,
      activity: v.activity,
      comparable: Math.round(v.comparable / perStore),
    })),
  };
}
