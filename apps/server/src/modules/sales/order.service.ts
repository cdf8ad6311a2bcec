import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { kickDispatcher } from '../../core/events/dispatcher.ts';
import { emitEvents } from '../../core/events/outbox.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import type { ObjectHooks } from '../../engine/records/object-hooks.ts';
import {
  createRecords,
  getRecord,
  type RecordCtx,
  recordCtx,
  updateRecords,
} from '../../engine/records/record.service.ts';
import { liveRecord } from './opportunity.service.ts';
import { fmtMoney, salesProblem } from './sales.messages.ts';

/** Guarded state machines: anything not listed is an illegal transition (409). */
export const ORDER_TRANSITIONS: Record<string, string[]> = {
  draft: ['confirmed', 'cancelled'],
  confirmed: ['shipped', 'cancelled'],
  shipped: ['completed'],
  completed: [],
  cancelled: [],
};
export const CONTRACT_TRANSITIONS: Record<string, string[]> = {
  draft: ['active', 'terminated'],
  active: ['completed', 'terminated'],
  completed: [],
  terminated: [],
};

const optLabel = (ctx: RecordCtx, field: string, v: string, locale: Locale) =>
  ctx.obj.fields.find((f) => f.apiName === field)?.options?.find((o) => o.value === v)?.label[locale] ?? v;

async function transition(
  ctx: RecordCtx,
  id: string,
  to: string,
  table: Record<string, string[]>,
  problemKey: string,
  locale: Locale,
  extra: (to: string) => Record<string, unknown>,
) {
  const rec = await liveRecord(ctx, id);
  const from = String(rec.status ?? 'draft');
  if (!(to in table))
    throw salesProblem(
      'validation',
      locale,
      problemKey,
      { from: optLabel(ctx, 'status', from, locale), to },
      [{ field: 'status', code: 'option', params: { value: to } }],
    );
  if (!table[from]?.includes(to))
    throw salesProblem('conflict', locale, problemKey, {
      from: optLabel(ctx, 'status', from, locale),
      to: optLabel(ctx, 'status', to, locale),
    });
  await updateRecords(ctx, [{ id: rec.id, changes: { status: to, ...extra(to) } }], {
    trusted: true,
    via: 'status_change',
  });
  const object = ctx.obj.apiName;
  await writeAudit(ctx.tx, ctx.actor, {
    action: 'status_change',
    object,
    recordId: rec.id,
    changes: [{ field: 'status', from, to }],
  });
  await emitEvents(ctx.tx, ctx.principal.tenantId, [
    {
      type: `${object}.status_changed`,
      object,
      recordId: rec.id,
      payload: { id: rec.id, from, to, customerId: rec.customerId, amount: rec.amount },
    },
  ]);
  kickDispatcher();
  return getRecord(ctx, rec.id);
}

export function setOrderStatus(ctx: RecordCtx, id: string, to: string, locale: Locale) {
  const now = new Date().toISOString();
  return transition(ctx, id, to, ORDER_TRANSITIONS, 'order_transition', locale, (s) =>
    s === 'confirmed'
      ? { confirmedAt: now }
      : s === 'shipped'
        ? { shippedAt: now }
        : s === 'completed'
          ? { completedAt: now }
          : {},
  );
}

export function setContractStatus(ctx: RecordCtx, id: string, to: string, locale: Locale) {
  const today = new Date().toISOString().slice(0, 10);
  return transition(ctx, id, to, CONTRACT_TRANSITIONS, 'contract_transition', locale, (s) =>
    s === 'active' ? { signedAt: today } : {},
  );
}

/** An active contract becomes an order (draft) for its amount. */
export async function contractToOrder(
  ctx: RecordCtx,
  id: string,
  input: { name?: string; orderDate?: string },
  locale: Locale,
) {
  const contract = await liveRecord(ctx, id);
  if (contract.status !== 'active') throw salesProblem('conflict', locale, 'contract_not_active');
  const octx = await recordCtx(ctx.tx, ctx.principal, ctx.actor, 'order');
  const [r] = await createRecords(
    octx,
    [
      {
        name:
          input.name ??
          `SO-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${contract.id.slice(-6)}`,
        customerId: contract.customerId,
        contractId: contract.id,
        quoteId: contract.quoteId ?? null,
        opportunityId: contract.opportunityId ?? null,
        amount: contract.amount,
        channel: contract.channel ?? null,
        orderDate: input.orderDate ?? new Date().toISOString().slice(0, 10),
      },
    ],
    { trusted: true, via: 'contract_to_order' },
  );
  return getRecord(octx, r!.id!);
}

/**
 * New orders start as draft and unpaid whatever the caller sent; the amount is fixed once the
 * order is confirmed, and a change while draft re-derives the paid status.
 */
export const orderHooks: ObjectHooks = {
  async afterWrite(ctx, items, op) {
    if (op !== 'update') return;
    for (const it of items)
      if (it.values.amount !== undefined)
        await recomputeOrderPaid(ctx.tx, ctx.actor, ctx.principal.tenantId, it.id);
  },
  async beforeWrite(_ctx, items, op) {
    if (op !== 'create') {
      for (const it of items)
        if (it.values.amount !== undefined && it.existing && it.existing.status !== 'draft')
          it.errors.push({ field: 'amount', code: 'read_only' });
      return;
    }
    for (const it of items) {
      it.values.status = 'draft';
      it.values.paymentStatus = 'unpaid';
      const amount = it.values.amount as { amount: number; currency: string } | null | undefined;
      it.values.paidAmount = { amount: 0, currency: amount?.currency ?? 'CNY' };
    }
  },
};

// ------------------------------------------------------------------ receipts and the payment plan

async function paidTotal(tx: Tx, tenantId: string, orderId: string): Promise<number> {
  return Number(
    (
      await sql<{ s: string }>`select coalesce(sum((amount->>'amount')::bigint), 0)::text as s from payments
        where tenant_id = ${tenantId} and order_id = ${orderId} and deleted_at is null`.execute(tx)
    ).rows[0]!.s,
  );
}

/**
 * The order's paid amount and status are computed from its receipts, never entered. Written
 * directly (system actor in the audit) because receipts may be recorded by someone without
 * update rights on the order.
 */
export async function recomputeOrderPaid(
  tx: Tx,
  actor: Actor,
  tenantId: string,
  orderId: string,
): Promise<void> {
  const row = (
    await sql<{
      amount_minor: string | null;
      amount: { currency: string } | null;
      payment_status: string;
      paid_amount: { amount: number } | null;
    }>`
      select amount_minor, amount, payment_status, paid_amount from orders where tenant_id = ${tenantId} and id = ${orderId} for update`.execute(
      tx,
    )
  ).rows[0];
  if (!row) return;
  const paid = await paidTotal(tx, tenantId, orderId);
  const total = Number(row.amount_minor ?? 0);
  const status = paid <= 0 ? 'unpaid' : paid >= total ? 'paid' : 'partial';
  const before = row.paid_amount?.amount ?? 0;
  if (before === paid && row.payment_status === status) return;
  const currency = row.amount?.currency ?? 'CNY';
  await sql`update orders set paid_amount = ${JSON.stringify({ amount: paid, currency })}::jsonb, payment_status = ${status},
    version = version + 1, updated_at = now() where tenant_id = ${tenantId} and id = ${orderId}`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'update',
    object: 'order',
    recordId: orderId,
    changes: [
      { field: 'paidAmount', from: { amount: before, currency }, to: { amount: paid, currency } },
      ...(row.payment_status !== status
        ? [{ field: 'paymentStatus', from: row.payment_status, to: status }]
        : []),
    ],
    meta: { via: 'receipt' },
  });
  await emitEvents(tx, tenantId, [
    {
      type: 'order.payment_status_changed',
      object: 'order',
      recordId: orderId,
      payload: { id: orderId, paid, total, status },
    },
  ]);
}

/** Receipts: checked against the order (scope, status, currency, amount still due), then roll up. */
export const paymentHooks: ObjectHooks = {
  async beforeWrite(ctx, items, op) {
    const locale = ctx.principal.locale;
    const t = ctx.principal.tenantId;
    for (const it of items) {
      const orderId = (it.values.orderId ?? it.existing?.order_id) as string | undefined;
      if (!orderId) continue;
      const order = (
        await sql<{
          status: string;
          amount_minor: string | null;
          amount: { currency: string } | null;
          customer_id: string;
        }>`
          select status, amount_minor, amount, customer_id from orders where tenant_id = ${t} and id = ${orderId} and deleted_at is null`.execute(
          ctx.tx,
        )
      ).rows[0];
      if (!order) continue; // the engine's lookup check reports it
      if (order.status === 'cancelled') {
        it.errors.push({
          field: 'orderId',
          code: 'order_cancelled',
          message: salesProblem('validation', locale, 'order_cancelled').detailKey,
        });
        continue;
      }
      const amount = (it.values.amount ?? it.existing?.amount) as
        | { amount: number; currency: string }
        | undefined;
      const currency = order.amount?.currency ?? 'CNY';
      if (amount && amount.currency !== currency) {
        it.errors.push({
          field: 'amount',
          code: 'currency_mismatch',
          message: salesProblem('validation', locale, 'currency_mismatch', { currency }).detailKey,
        });
        continue;
      }
      // An edited receipt no longer counts towards its order; one moved from another order never did.
      const already =
        (await paidTotal(ctx.tx, t, orderId)) -
        (it.existing && it.existing.order_id === orderId
          ? ((it.existing.amount as { amount: number } | null)?.amount ?? 0)
          : 0);
      const due = Number(order.amount_minor ?? 0) - already;
      if (amount && amount.amount > due)
        it.errors.push({
          field: 'amount',
          code: 'payment_exceeds',
          params: { due },
          message: salesProblem('validation', locale, 'payment_exceeds', { due: fmtMoney(due, currency) })
            .detailKey,
        });
      it.values.customerId = order.customer_id;
      if (op === 'create' && !it.values.name)
        it.values.name = `RC-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
    }
  },
  async afterWrite(ctx, items) {
    const orders = new Set<string>();
    for (const it of items) {
      const id = (it.values.orderId ?? it.existing?.order_id) as string | undefined;
      if (id) orders.add(id);
      if (it.existing?.order_id) orders.add(it.existing.order_id as string);
    }
    for (const id of orders) await recomputeOrderPaid(ctx.tx, ctx.actor, ctx.principal.tenantId, id);
  },
};

export interface PlanItem {
  seq: number;
  dueDate: string;
  amount: number;
  note: string | null;
  paid: number;
  status: 'paid' | 'partial' | 'unpaid' | 'overdue';
}

/** Installments with receipts allocated oldest-due first. */
export async function paymentPlan(ctx: RecordCtx, orderId: string) {
  const order = await liveRecord(ctx, orderId);
  const t = ctx.principal.tenantId;
  const rows = (
    await sql<{ seq: number; due_date: string | Date; amount: string; note: string | null }>`
      select seq, due_date, amount::text, note from payment_plan_items where tenant_id = ${t} and order_id = ${order.id} order by due_date, seq`.execute(
      ctx.tx,
    )
  ).rows;
  let pool = await paidTotal(ctx.tx, t, order.id);
  const today = new Date().toISOString().slice(0, 10);
  const items: PlanItem[] = rows.map((r) => {
    const amount = Number(r.amount);
    const paid = Math.min(pool, amount);
    pool -= paid;
    const dueDate =
      typeof r.due_date === 'string' ? r.due_date.slice(0, 10) : r.due_date.toISOString().slice(0, 10);
    const status = paid >= amount ? 'paid' : dueDate < today ? 'overdue' : paid > 0 ? 'partial' : 'unpaid';
    return { seq: r.seq, dueDate, amount, note: r.note, paid, status };
  });
  return { order, items };
}

export async function setPaymentPlan(
  ctx: RecordCtx,
  orderId: string,
  items: { dueDate: string; amount: number; note?: string }[],
  locale: Locale,
) {
  const order = await liveRecord(ctx, orderId);
  const total = (order.amount as { amount: number; currency: string } | null)?.amount ?? 0;
  const sum = items.reduce((s, i) => s + i.amount, 0);
  if (items.length && sum !== total) {
    const c = (order.amount as { currency: string } | null)?.currency ?? 'CNY';
    throw salesProblem(
      'validation',
      locale,
      'plan_sum',
      { sum: fmtMoney(sum, c), total: fmtMoney(total, c) },
      [{ field: 'items', code: 'plan_sum' }],
    );
  }
  const t = ctx.principal.tenantId;
  await sql`delete from payment_plan_items where tenant_id = ${t} and order_id = ${order.id}`.execute(ctx.tx);
  if (items.length)
    await sql`insert into payment_plan_items (tenant_id, order_id, seq, due_date, amount, note) values ${sql.join(
      items.map((i, n) => sql`(${t}, ${order.id}, ${n + 1}, ${i.dueDate}, ${i.amount}, ${i.note ?? null})`),
    )}`.execute(ctx.tx);
  await writeAudit(ctx.tx, ctx.actor, {
    action: 'payment_plan_set',
    object: 'order',
    recordId: order.id,
    meta: { items: items.map((i) => ({ dueDate: i.dueDate, amount: i.amount })) },
  });
  return paymentPlan(ctx, orderId);
}
