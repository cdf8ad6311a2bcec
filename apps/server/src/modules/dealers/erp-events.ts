import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { emitEvent } from '../../core/events/outbox.ts';

/**
 * Domain events the ERP sync (dealer-network) turns into signed webhooks: an order's lines and
 * money as they stand after the step, a statement's totals. Emitted in the step's transaction.
 * Payloads are documented in docs/decisions/0072 and the dealer-network README.
 */
export async function emitOrderEvent(
  tx: Tx,
  tenantId: string,
  orderId: string,
  step: 'submitted' | 'approved' | 'shipped' | 'received',
) {
  const o = (
    await sql<any>`select o.*, u.name as dealer_name, u.code as dealer_code from dms_orders o
      join units u on u.tenant_id = o.tenant_id and u.id = o.dealer_unit_id
      where o.tenant_id = ${tenantId} and o.id = ${orderId}`.execute(tx)
  ).rows[0];
  if (!o) return;
  const lines = (
    await sql<any>`select line_no, product_id, product_name, quantity, unit_price, amount, is_gift from dms_order_lines
      where tenant_id = ${tenantId} and order_id = ${orderId} order by line_no`.execute(tx)
  ).rows;
  await emitEvent(tx, tenantId, {
    type: `dms.order.${step}`,
    object: 'dms_order',
    recordId: orderId,
    payload: {
      orderId,
      orderNo: o.order_no,
      status: o.status,
      dealer: { unitId: o.dealer_unit_id, name: o.dealer_name, code: o.dealer_code },
      subtotal: Number(o.subtotal),
      discount: Number(o.discount),
      poolDeduction: Number(o.pool_deduction),
      total: Number(o.total),
      currency: 'CNY',
      lines: lines.map((l) => ({
        lineNo: l.line_no,
        productId: l.product_id,
        productName: l.product_name,
        quantity: l.quantity,
        unitPrice: Number(l.unit_price),
        amount: Number(l.amount),
        gift: l.is_gift,
      })),
    },
  });
}

export async function emitStatementEvent(
  tx: Tx,
  tenantId: string,
  statementId: string,
  step: 'issued' | 'confirmed',
) {
  const s = (
    await sql<any>`select s.*, u.name as dealer_name, u.code as dealer_code,
        (select count(*)::int from dms_statement_lines l where l.tenant_id = s.tenant_id and l.statement_id = s.id
          and l.status not in ('confirmed', 'resolved')) as open_lines
      from dms_statements s join units u on u.tenant_id = s.tenant_id and u.id = s.dealer_unit_id
      where s.tenant_id = ${tenantId} and s.id = ${statementId}`.execute(tx)
  ).rows[0];
  // Confirmed means every line is: a partial confirmation is not the ERP's business yet.
  if (!s || (step === 'confirmed' && s.open_lines > 0)) return;
  await emitEvent(tx, tenantId, {
    type: `dms.statement.${step}`,
    object: 'dms_statement',
    recordId: statementId,
    payload: {
      statementId,
      period: s.period,
      dealer: { unitId: s.dealer_unit_id, name: s.dealer_name, code: s.dealer_code },
      opening: Number(s.opening),
      orders: Number(s.orders),
      payments: Number(s.payments),
      rebates: Number(s.rebates),
      deductions: Number(s.deductions),
      credits: Number(s.credits),
      closing: Number(s.closing),
      currency: 'CNY',
    },
  });
}
