import type { Tx } from '../../core/db/tenant-scope.ts';
import { enqueue } from '../../core/jobs/queue.ts';

/** Low-stock check of every channel stock figure against its product threshold (idempotent). */
export const STOCK_ALERT_QUEUE = 'dealers:stock-alerts';
/** Rebate accrual of the period of a receipt (idempotent: one row per dealer, rule and period). */
export const REBATE_QUEUE = 'dealers:rebates';

/** A dealer's stock moved: check the thresholds. */
export const queueStockCheck = (tx: Tx, tenantId: string) => enqueue(tx, tenantId, STOCK_ALERT_QUEUE, {});

/** Goods were received: stock moved and the dealer's sell-in of the month grew. */
export async function afterReceipt(tx: Tx, tenantId: string, dealerUnitId: string) {
  await queueStockCheck(tx, tenantId);
  await enqueue(tx, tenantId, REBATE_QUEUE, { dealerUnitId });
}
