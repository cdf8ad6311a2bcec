import { inTenant } from '../../core/db/tenant-scope.ts';
import { subscribe } from '../../core/events/dispatcher.ts';
import type { DomainEvent } from '../../core/events/outbox.ts';
import type { RouteSpec } from '../../core/http/route.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import { registerObjectHooks } from '../../engine/records/object-hooks.ts';
import { registerOptionsLoader, registerStandardObject } from '../../engine/records/standard-objects.ts';
import { analyticsRoutes } from '../analytics/analytics.routes.ts';
import { approvalLockHooks } from '../approvals/approval.lock.ts';
import { approvalRoutes } from '../approvals/approval.routes.ts';
import { registerApprovalTarget } from '../approvals/approval-targets.ts';
import { priceListHooks, quoteHooks, targetHooks } from './catalogue.hooks.ts';
import { customersOfOpportunity, refreshCustomerValue } from './customer-value.service.ts';
import {
  contractObject,
  orderObject,
  paymentObject,
  priceListObject,
  productObject,
  quoteObject,
  targetObject,
} from './documents.objects.ts';
import { documentRoutes } from './documents.routes.ts';
import { opportunityHooks } from './opportunity.hooks.ts';
import { opportunityObject } from './opportunity.object.ts';
import { opportunityRoutes } from './opportunity.routes.ts';
import { orderHooks, paymentHooks, recomputeOrderPaid } from './order.service.ts';
import { ownedDocuments, ownershipHooks } from './ownership.hooks.ts';
import { stageOptions } from './pipeline.service.ts';
import { onQuoteDecision } from './quote.service.ts';

const SYSTEM_ACTOR = (tenantId: string) => ({ tenantId, actorId: null, actorKind: 'system' as const });

/**
 * Sales (R4, R10.2, R11.1): pipelines and SOP, opportunities, catalogue, quotes, approvals,
 * contracts, orders, payments, targets, customer 360 and the analytics read model.
 */
export function registerSalesModule(): void {
  for (const o of [
    opportunityObject,
    productObject,
    priceListObject,
    quoteObject,
    contractObject,
    orderObject,
    paymentObject,
    targetObject,
  ])
    registerStandardObject(o);
  registerObjectHooks('opportunity', opportunityHooks);
  registerOptionsLoader('opportunity', 'stage', stageOptions);
  registerObjectHooks('price_list', priceListHooks);
  registerObjectHooks('quote', quoteHooks);
  registerObjectHooks('quote', approvalLockHooks);
  registerObjectHooks('order', orderHooks);
  registerObjectHooks('target', targetHooks);
  registerObjectHooks('payment', paymentHooks);
  for (const o of ownedDocuments) registerObjectHooks(o, ownershipHooks(o));
  registerApprovalTarget({
    object: 'quote',
    onDecision: onQuoteDecision,
    defaultFlows: [
      {
        name: { 'zh-CN': '报价折扣审批', 'en-US': 'Quote discount approval' },
        condition: { field: 'discountPercent', op: 'gt', value: 15 },
        steps: [
          { name: { 'zh-CN': '直属经理审批', 'en-US': 'Unit manager' }, approverType: 'unit_manager' },
          {
            name: { 'zh-CN': '总部销售经理审批', 'en-US': 'HQ sales manager' },
            approverType: 'role',
            role: '总部销售经理',
            condition: { field: 'discountPercent', op: 'gt', value: 25 },
          },
        ],
      },
    ],
  });
  // "Future pipeline value" follows every opportunity change (durable, idempotent: a recompute).
  subscribe('sales-customer-pipeline-value', 'opportunity.*', (async (e: DomainEvent, job: JobContext) => {
    if (!e.recordId) return;
    await inTenant(job.db, e.tenantId, async (tx) => {
      for (const c of await customersOfOpportunity(tx, e.tenantId, e.recordId!, e.payload))
        await refreshCustomerValue(tx, e.tenantId, c);
    });
  }) as unknown as (e: DomainEvent) => Promise<void>);
  // Deleting or restoring a receipt has no write hook: the order's paid status follows by event.
  subscribe('sales-order-paid', 'payment.*', (async (e: DomainEvent, job: JobContext) => {
    if (!e.recordId || !/\.(deleted|restored)$/.test(e.type)) return;
    await inTenant(job.db, e.tenantId, async (tx) => {
      const { sql } = await import('kysely');
      const r = (
        await sql<{
          order_id: string | null;
        }>`select order_id from payments where tenant_id = ${e.tenantId} and id = ${e.recordId}`.execute(tx)
      ).rows[0];
      if (r?.order_id) await recomputeOrderPaid(tx, SYSTEM_ACTOR(e.tenantId), e.tenantId, r.order_id);
    });
  }) as unknown as (e: DomainEvent) => Promise<void>);
}

export const salesRoutes: RouteSpec[] = [
  ...opportunityRoutes,
  ...documentRoutes,
  ...approvalRoutes,
  ...analyticsRoutes,
];
