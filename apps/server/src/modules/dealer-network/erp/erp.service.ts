import { createHash } from 'node:crypto';
import type { ErpPaymentInput, ErpShipmentInput, ErpStockInput } from '@kehu/contracts/dealer-network';
import { sql } from 'kysely';
import type { z } from 'zod';
import { type Actor, writeAudit } from '../../../core/audit/audit.ts';
import type { Principal } from '../../../core/auth/principal.ts';
import type { Tx } from '../../../core/db/tenant-scope.ts';
import { invalid } from '../../../core/errors.ts';
import type { DomainEvent } from '../../../core/events/outbox.ts';
import type { Locale } from '../../../core/i18n/locale.ts';
import { newId } from '../../../core/ids.ts';
import type { JobContext } from '../../../core/jobs/queue.ts';
import { getOrder, recordPayment, saveProductSettings, shipOrder } from '../../dealers/index.ts';
import { queueEventWebhooks } from '../../notifications/index.ts';
import { netProblem, nt } from '../dealer-network.messages.ts';

type Kind = 'payment' | 'shipment' | 'stock';

const hash = (body: unknown) => createHash('sha256').update(JSON.stringify(body)).digest('hex');

/** Who sends: the API key, else the signed-in user. Receipt keys are scoped by it, never tenant-wide. */
const callerOf = (p: Principal) => (p.apiKeyId ? `key:${p.apiKeyId}` : `user:${p.userId}`);

/**
 * The ERP's receipt of one external id: the first call does the work, a replay (same id, same
 * body) answers `replay: true` and does nothing, the same id with another body is 409. The row
 * is inserted first, so two racing deliveries serialise on its unique key. The key is the
 * caller's own: another API key using the same external id neither replays nor learns of it.
 */
async function receipt(
  tx: Tx,
  p: Principal,
  locale: Locale,
  kind: Kind,
  externalId: string,
  body: unknown,
  work: () => Promise<void>,
) {
  const h = hash(body);
  const id = newId();
  const caller = callerOf(p);
  const ins =
    await sql<any>`insert into dnw_erp_receipts (tenant_id, id, caller, kind, external_id, request_hash, received_by)
    values (${p.tenantId}, ${id}, ${caller}, ${kind}, ${externalId}, ${h}, ${p.userId})
    on conflict (tenant_id, caller, kind, external_id) do nothing returning id, created_at`.execute(tx);
  if (ins.rows[0]) {
    await work();
    return { id, kind, externalId, replay: false, createdAt: new Date(ins.rows[0].created_at).toISOString() };
  }
  const prior = (
    await sql<any>`select id, request_hash, created_at from dnw_erp_receipts where tenant_id = ${p.tenantId}
      and caller = ${caller} and kind = ${kind} and external_id = ${externalId}`.execute(tx)
  ).rows[0];
  if (prior.request_hash !== h)
    throw netProblem('conflict', locale, 'erp_key_reused', { externalId }, [
      { field: 'externalId', code: 'unique', message: nt(locale, 'erp_key_reused', { externalId }) },
    ]);
  return {
    id: prior.id,
    kind,
    externalId,
    replay: true,
    createdAt: new Date(prior.created_at).toISOString(),
  };
}

/** Clock skew an ERP may have: a paidAt up to this far ahead is still "now". */
const PAID_AT_SKEW_MS = 5 * 60_000;

/**
 * 回款 from the ERP: a payment entry on the dealer's account, dated `paidAt` (else now) so a
 * back-dated payment lands on its month's statement. A future paidAt is a field error.
 */
export async function erpPayment(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: z.infer<typeof ErpPaymentInput>,
  now: Date = new Date(),
) {
  if (input.paidAt && Date.parse(input.paidAt) > now.getTime() + PAID_AT_SKEW_MS)
    throw invalid([{ field: 'paidAt', code: 'future', message: nt(locale, 'paid_future') }]);
  return receipt(tx, p, locale, 'payment', input.externalId, input, async () => {
    await recordPayment(tx, p, actor, locale, input.dealerUnitId, {
      kind: 'payment',
      amount: input.amount,
      ref: `ERP ${input.reference}`,
      idempotencyKey: `erp:${callerOf(p)}:${input.externalId}`,
      at: input.paidAt,
    });
  });
}

/** 发货 from the ERP: the tracking number, and an approved order moves to shipped. */
export function erpShipment(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: z.infer<typeof ErpShipmentInput>,
) {
  return receipt(tx, p, locale, 'shipment', input.externalId, input, async () => {
    const order = await getOrder(tx, p, input.orderId);
    if (order.status === 'approved') await shipOrder(tx, p, actor, locale, input.orderId, undefined);
    else if (order.status !== 'shipped' && order.status !== 'received')
      throw netProblem('conflict', locale, 'erp_order_status', { status: order.status }, [
        {
          field: 'orderId',
          code: 'bad_status',
          message: nt(locale, 'erp_order_status', { status: order.status }),
        },
      ]);
    await sql`insert into dnw_erp_shipments (tenant_id, id, order_id, carrier, tracking_no, shipped_at, external_id)
      values (${p.tenantId}, ${newId()}, ${input.orderId}, ${input.carrier}, ${input.trackingNo},
        ${input.shippedAt ?? null}, ${input.externalId})`.execute(tx);
    await writeAudit(tx, actor, {
      action: 'dnw_erp_shipment',
      object: 'dms_order',
      recordId: input.orderId,
      meta: { carrier: input.carrier, trackingNo: input.trackingNo },
    });
  });
}

/** HQ stock levels from the ERP (on hand per catalogue product). */
export function erpStock(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: z.infer<typeof ErpStockInput>,
) {
  return receipt(tx, p, locale, 'stock', input.externalId, input, async () => {
    for (const l of input.levels) await saveProductSettings(tx, p, actor, l.productId, { onHand: l.onHand });
  });
}

export async function shipmentsOf(tx: Tx, p: Principal, orderId: string) {
  await getOrder(tx, p, orderId); // 404 outside the caller's dealers
  const rows = (
    await sql<any>`select id, order_id, carrier, tracking_no, shipped_at from dnw_erp_shipments
      where tenant_id = ${p.tenantId} and order_id = ${orderId} order by created_at`.execute(tx)
  ).rows;
  return {
    items: rows.map((r) => ({
      id: r.id,
      orderId: r.order_id,
      carrier: r.carrier,
      trackingNo: r.tracking_no,
      shippedAt: r.shipped_at ? new Date(r.shipped_at).toISOString() : null,
    })),
  };
}

/** Outbox → webhooks: dealer order and statement events to the webhooks subscribed to them. */
export async function forwardToWebhooks(e: DomainEvent, job: JobContext) {
  await job.tx((tx) =>
    queueEventWebhooks(tx, e.tenantId, {
      id: e.id,
      type: e.type,
      object: e.object ?? null,
      recordId: e.recordId ?? null,
      payload: e.payload,
      createdAt: e.createdAt,
    }),
  );
}
