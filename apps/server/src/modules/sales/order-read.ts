import { sql } from 'kysely';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { scopeWhere } from '../../engine/records/record-sql.ts';
import { standardObjects } from '../../engine/records/standard-objects.ts';

/** What another module (coupons) may read of an order: its net amount and state. */
export interface OrderSummary {
  id: string;
  /** The order's net amount (after line discounts), minor units; null when not priced yet. */
  netAmountMinor: number | null;
  status: string;
  paymentStatus: string;
  customerId: string | null;
}

/**
 * One live order the caller may see (the record engine's row scope), or null — an order of
 * another tenant or outside the caller's units reads as absent.
 */
export async function orderForCaller(tx: Tx, p: Principal, orderId: string): Promise<OrderSummary | null> {
  const obj = standardObjects().find((o) => o.apiName === 'order');
  if (!obj) return null;
  const r = (
    await sql<{
      id: string;
      amount_minor: string | number | null;
      status: string;
      payment_status: string;
      customer_id: string | null;
    }>`select r.id, r.amount_minor, r.status, r.payment_status, r.customer_id from orders r
      where r.tenant_id = ${p.tenantId} and r.id = ${orderId} and r.deleted_at is null and ${scopeWhere(p, obj)}`.execute(
      tx,
    )
  ).rows[0];
  if (!r) return null;
  return {
    id: r.id,
    netAmountMinor: r.amount_minor === null ? null : Number(r.amount_minor),
    status: r.status,
    paymentStatus: r.payment_status,
    customerId: r.customer_id,
  };
}
