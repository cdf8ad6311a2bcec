import { sql } from 'kysely';
import type { Actor } from '../../core/audit/audit.ts';
import { can, type Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { isUuid } from '../../core/ids.ts';
import { getRecord, listRecords, recordCtx } from '../../engine/records/record.service.ts';
import type { RecordOut } from '../../engine/records/record-mapper.ts';
import { refreshCustomerValue, storedCustomerValue } from './customer-value.service.ts';

export interface TimelineItem {
  at: string;
  kind: 'audit' | 'activity' | 'stage_change' | 'approval' | 'status_change';
  object: string;
  recordId: string;
  recordName: string | null;
  action: string;
  actor: string | null;
  summary: Record<string, unknown>;
}

async function related(
  tx: Tx,
  principal: Principal,
  actor: Actor,
  object: string,
  field: string,
  customerId: string,
  limit = 50,
) {
  const ctx = await recordCtx(tx, principal, actor, object).catch(() => null);
  if (!ctx || !can(principal, `${object}:read`) || !ctx.obj.fields.some((f) => f.apiName === field))
    return { available: !!ctx, items: [] as RecordOut[], total: 0 };
  const sort = ctx.obj.fields.some((f) => f.apiName === 'occurredAt') ? '-occurredAt' : '-createdAt';
  const r = await listRecords(ctx, {
    filter: { field, op: 'eq', value: customerId },
    limit,
    count: true,
    sort,
  });
  return { available: true, items: r.items, total: r.total ?? r.items.length };
}

export type CustomerLists = Record<
  'contacts' | 'opportunities' | 'quotes' | 'contracts' | 'orders' | 'payments' | 'activities',
  Awaited<ReturnType<typeof related>>
>;

/** The customer's related records, each list through the record engine (viewer's scope and masking). */
export async function customerLists(
  tx: Tx,
  principal: Principal,
  actor: Actor,
  customerId: string,
): Promise<CustomerLists> {
  // Issued together: the lists do not depend on each other (one connection queues them).
  const [contacts, opportunities, quotes, contracts, orders, payments, activities] = await Promise.all([
    related(tx, principal, actor, 'contact', 'customerId', customerId),
    related(tx, principal, actor, 'opportunity', 'customerId', customerId),
    related(tx, principal, actor, 'quote', 'customerId', customerId),
    related(tx, principal, actor, 'contract', 'customerId', customerId),
    // Up to 200 orders: the order-value trend of the customer page is drawn from this list.
    related(tx, principal, actor, 'order', 'customerId', customerId, 200),
    related(tx, principal, actor, 'payment', 'customerId', customerId),
    related(tx, principal, actor, 'activity', 'customerId', customerId, 100),
  ]);
  return { contacts, opportunities, quotes, contracts, orders, payments, activities };
}

/**
 * One timeline, newest first: audit rows of the customer and of every record in `lists` (so only
 * what the viewer could see), the leads the opportunities came from, and the activities. The CDP
 * profile 360 merges it with events.
 */
export async function customerTimeline(
  tx: Tx,
  principal: Principal,
  actor: Actor,
  customerId: string,
  customerName: string | null,
  lists: CustomerLists,
): Promise<TimelineItem[]> {
  const { contacts, opportunities, quotes, contracts, orders, payments, activities } = lists;
  const tenantId = principal.tenantId;
  // Timeline: audit rows of the customer and of every record the viewer could see above,
  // including the leads the opportunities came from.
  const names = new Map<string, { object: string; name: string | null }>();
  names.set(customerId, { object: 'customer', name: customerName });
  for (const [object, list] of [
    ['contact', contacts],
    ['opportunity', opportunities],
    ['quote', quotes],
    ['contract', contracts],
    ['order', orders],
    ['payment', payments],
  ] as const)
    for (const r of list.items) names.set(r.id, { object, name: (r.name as string | null) ?? null });
  const leadIds = [...new Set(opportunities.items.map((o) => o.leadId).filter(isUuid))];
  if (leadIds.length && can(principal, 'lead:read')) {
    // The leads read as the viewer too (scope, masking), so their history shows under their names.
    const lctx = await recordCtx(tx, principal, actor, 'lead').catch(() => null);
    const leads = lctx
      ? (await listRecords(lctx, { filter: { field: 'id', op: 'in', value: leadIds }, limit: 200 })).items
      : [];
    for (const l of leads) names.set(l.id, { object: 'lead', name: (l.name as string | null) ?? null });
  }
  const ids = [...names.keys()];
  const audit = (
    await sql<{
      at: Date;
      action: string;
      object: string;
      record_id: string;
      changes: unknown;
      meta: unknown;
      actor_name: string | null;
    }>`
      select a.at, a.action, a.object, a.record_id, a.changes, a.meta, u.name as actor_name from audit_log a
      left join users u on u.tenant_id = a.tenant_id and u.id = a.actor_id
      where a.tenant_id = ${tenantId} and a.record_id = any(${ids}::uuid[]) and a.action not in ('unmask', 'export')
      order by a.id desc limit 200`.execute(tx)
  ).rows;
  const timeline: TimelineItem[] = audit.map((a) => ({
    at: new Date(a.at).toISOString(),
    kind:
      a.action === 'stage_change'
        ? 'stage_change'
        : a.action.startsWith('approval_')
          ? 'approval'
          : a.action === 'status_change'
            ? 'status_change'
            : 'audit',
    object: a.object,
    recordId: a.record_id,
    recordName: names.get(a.record_id)?.name ?? null,
    action: a.action,
    actor: a.actor_name,
    // Field values are not repeated here: the record's own timeline shows them masked per viewer.
    summary: {
      fields: Array.isArray(a.changes) ? (a.changes as { field: string }[]).map((c) => c.field) : [],
      ...(a.action === 'stage_change' || a.action === 'status_change' ? { changes: a.changes } : {}),
      ...(a.action.startsWith('approval_')
        ? { comment: (a.meta as { comment?: string } | null)?.comment ?? null }
        : {}),
    },
  }));
  for (const act of activities.items)
    timeline.push({
      at: String(act.occurredAt ?? act.createdAt),
      kind: 'activity',
      object: 'activity',
      recordId: act.id,
      recordName: (act.subject as string | null) ?? null,
      action: String(act.type ?? 'activity'),
      actor: (act._display as Record<string, string> | undefined)?.ownerId ?? null,
      summary: { type: act.type, subject: act.subject, opportunityId: act.opportunityId ?? null },
    });
  timeline.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  return timeline;
}

const amountOf = (v: unknown) =>
  v !== null && typeof v === 'object' && typeof (v as { amount?: unknown }).amount === 'number'
    ? (v as { amount: number }).amount
    : null;

/**
 * Order value per month (order date, else creation), oldest first, from the orders the viewer
 * sees, as the viewer sees them: an amount masked or hidden from the viewer adds nothing (the
 * order still counts), so the chart reveals no more than the order list beside it.
 */
export function orderTrend(orders: RecordOut[]) {
  const months = new Map<string, { month: string; amount: number; count: number }>();
  for (const o of orders) {
    if (o.status === 'cancelled') continue;
    const day = String(o.orderDate ?? o.createdAt ?? '');
    if (!/^\d{4}-\d{2}/.test(day)) continue;
    const month = day.slice(0, 7);
    const m = months.get(month) ?? { month, amount: 0, count: 0 };
    m.amount += amountOf(o.amount) ?? 0;
    m.count += 1;
    months.set(month, m);
  }
  return [...months.values()].sort((a, b) => (a.month < b.month ? -1 : 1));
}

/**
 * R1.3/R4.1 customer 360: the profile and everything linked to it, each list through the
 * record engine (so the viewer's scope and field masking apply to every part), plus one
 * timeline merging the audit history of the customer and its records, activities and
 * opportunity stage changes.
 */
export async function customer360(
  tx: Tx,
  principal: Principal,
  actor: Actor,
  customerId: string,
  _locale: Locale,
) {
  if (!isUuid(customerId)) throw notFound('customer');
  const cctx = await recordCtx(tx, principal, actor, 'customer');
  const customer = await getRecord(cctx, customerId);
  if (customer.deletedAt) throw notFound('customer');
  const lists = await customerLists(tx, principal, actor, customerId);
  const { contacts, opportunities, quotes, contracts, orders, payments, activities } = lists;
  const tenantId = principal.tenantId;
  const value =
    (await storedCustomerValue(tx, tenantId, customerId)) ??
    (await refreshCustomerValue(tx, tenantId, customerId));
  const sum = (items: RecordOut[], f: string) =>
    items.reduce((s, r) => s + ((r[f] as { amount: number } | null)?.amount ?? 0), 0);
  const stats = {
    openOpportunities: opportunities.items.filter((o) => !o.closedAt).length,
    wonAmount: sum(
      opportunities.items.filter((o) => o.stage === 'won'),
      'amount',
    ),
    orderAmount: sum(
      orders.items.filter((o) => o.status !== 'cancelled'),
      'amount',
    ),
    paidAmount: sum(payments.items, 'amount'),
  };

  const timeline = await customerTimeline(tx, principal, actor, customerId, String(customer.name), lists);
  return {
    customer,
    pipelineValue: value,
    stats,
    orderTrend: orderTrend(orders.items),
    contacts,
    opportunities,
    quotes,
    contracts,
    orders,
    payments,
    activities,
    timeline: timeline.slice(0, 200),
  };
}
