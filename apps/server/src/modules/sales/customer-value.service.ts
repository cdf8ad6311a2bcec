import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';

export interface SalesSettings {
  /** "Future pipeline value" thresholds on the weighted open pipeline, in minor units. */
  pipelineValue: { high: number; mid: number };
}
export const DEFAULT_SETTINGS: SalesSettings = { pipelineValue: { high: 50_000_000, mid: 5_000_000 } };

export async function getSettings(tx: Tx, tenantId: string): Promise<SalesSettings> {
  const row = (
    await sql<{
      settings: Partial<SalesSettings>;
    }>`select settings from sales_settings where tenant_id = ${tenantId}`.execute(tx)
  ).rows[0];
  return { ...DEFAULT_SETTINGS, ...(row?.settings ?? {}) };
}

export async function putSettings(tx: Tx, tenantId: string, s: SalesSettings): Promise<SalesSettings> {
  await sql`insert into sales_settings (tenant_id, settings) values (${tenantId}, ${JSON.stringify(s)}::jsonb)
    on conflict (tenant_id) do update set settings = excluded.settings, updated_at = now()`.execute(tx);
  await sql`update customer_pipeline_value set tag = case when weighted_amount >= ${s.pipelineValue.high} then 'high'
      when weighted_amount >= ${s.pipelineValue.mid} then 'mid' else 'low' end where tenant_id = ${tenantId}`.execute(
    tx,
  );
  return s;
}

export type ValueTag = 'high' | 'mid' | 'low' | 'none';

export interface PipelineValue {
  customerId: string;
  openCount: number;
  openAmount: number;
  weightedAmount: number;
  tag: ValueTag;
  updatedAt: string | null;
}

/**
 * R2.3 business tag "future pipeline value": the weighted amount (amount × win probability) of
 * the customer's open opportunities against the tenant's thresholds. A customer without open
 * opportunities is `none` (kept as a row so the tag is explicit).
 */
export async function refreshCustomerValue(
  tx: Tx,
  tenantId: string,
  customerId: string,
): Promise<PipelineValue> {
  const s = await getSettings(tx, tenantId);
  const r = (
    await sql<{ n: number; amount: string; weighted: string }>`
      select count(*)::int as n, coalesce(sum(amount_minor), 0)::text as amount,
        coalesce(round(sum(amount_minor * coalesce(probability, 0) / 100)), 0)::text as weighted
      from opportunities where tenant_id = ${tenantId} and customer_id = ${customerId} and deleted_at is null and closed_at is null`.execute(
      tx,
    )
  ).rows[0]!;
  const weighted = Number(r.weighted);
  const tag: ValueTag =
    r.n === 0
      ? 'none'
      : weighted >= s.pipelineValue.high
        ? 'high'
        : weighted >= s.pipelineValue.mid
          ? 'mid'
          : 'low';
  await sql`insert into customer_pipeline_value (tenant_id, customer_id, open_count, open_amount, weighted_amount, tag)
    values (${tenantId}, ${customerId}, ${r.n}, ${Number(r.amount)}, ${weighted}, ${tag})
    on conflict (tenant_id, customer_id) do update set open_count = excluded.open_count, open_amount = excluded.open_amount,
      weighted_amount = excluded.weighted_amount, tag = excluded.tag, updated_at = now()`.execute(tx);
  return {
    customerId,
    openCount: r.n,
    openAmount: Number(r.amount),
    weightedAmount: weighted,
    tag,
    updatedAt: new Date().toISOString(),
  };
}

export async function storedCustomerValue(
  tx: Tx,
  tenantId: string,
  customerId: string,
): Promise<PipelineValue | null> {
  const r = (
    await sql<{
      open_count: number;
      open_amount: string;
      weighted_amount: string;
      tag: ValueTag;
      updated_at: Date;
    }>`
      select open_count, open_amount::text, weighted_amount::text, tag, updated_at from customer_pipeline_value
      where tenant_id = ${tenantId} and customer_id = ${customerId}`.execute(tx)
  ).rows[0];
  return r
    ? {
        customerId,
        openCount: r.open_count,
        openAmount: Number(r.open_amount),
        weightedAmount: Number(r.weighted_amount),
        tag: r.tag,
        updatedAt: new Date(r.updated_at).toISOString(),
      }
    : null;
}

/** Customers touched by an opportunity event (its current customer; the old one when it moved). */
export async function customersOfOpportunity(
  tx: Tx,
  tenantId: string,
  oppId: string,
  payload: Record<string, unknown>,
): Promise<string[]> {
  const ids = new Set<string>();
  if (typeof payload.customerId === 'string') ids.add(payload.customerId);
  const row = (
    await sql<{
      customer_id: string | null;
    }>`select customer_id from opportunities where tenant_id = ${tenantId} and id = ${oppId}`.execute(tx)
  ).rows[0];
  if (row?.customer_id) ids.add(row.customer_id);
  const moved = (
    await sql<{
      changes: { field: string; from: unknown }[] | null;
    }>`select changes from audit_log where tenant_id = ${tenantId}
      and object = 'opportunity' and record_id = ${oppId} and action = 'update' order by id desc limit 1`.execute(
      tx,
    )
  ).rows[0];
  for (const c of moved?.changes ?? [])
    if (c.field === 'customerId' && typeof c.from === 'string') ids.add(c.from);
  return [...ids];
}
