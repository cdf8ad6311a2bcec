import { SALES_PERMISSIONS } from '@kehu/contracts/sales';
import { sql } from 'kysely';
import type { DomainEvent } from '../../core/events/outbox.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import { defineModule } from '../../engine/module.ts';
import { approvalLockHooks, approvalTarget } from '../approvals/index.ts';
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
import { salesHomeCards } from './home-cards.ts';
import { opportunityHooks } from './opportunity.hooks.ts';
import { opportunityObject } from './opportunity.object.ts';
import { opportunityRoutes } from './opportunity.routes.ts';
import { orderHooks, paymentHooks, recomputeOrderPaid } from './order.service.ts';
import { ownedDocuments, ownershipHooks } from './ownership.hooks.ts';
import { stageOptions } from './pipeline.service.ts';
import { onQuoteDecision } from './quote.service.ts';
import { quoteDocumentRoutes } from './quote-document.routes.ts';
import { quoteDocumentHooks } from './quote-document.service.ts';
import { registerQuoteShare } from './quote-share.page.ts';
import { seedSales } from './sales.demo.ts';

const SYSTEM_ACTOR = (tenantId: string) => ({ tenantId, actorId: null, actorKind: 'system' as const });

/**
 * Sales (R4, R10.2, R11.1): pipelines and SOP, opportunities, catalogue, quotes, contracts,
 * orders, payments, targets and the customer 360.
 */
export default defineModule({
  name: 'sales',
  label: { 'zh-CN': '销售', 'en-US': 'Sales' },
  requires: ['crm', 'approvals'],
  objects: [
    opportunityObject,
    productObject,
    priceListObject,
    quoteObject,
    contractObject,
    orderObject,
    paymentObject,
    targetObject,
  ],
  hooks: [
    { object: 'opportunity', hooks: opportunityHooks },
    { object: 'price_list', hooks: priceListHooks },
    { object: 'quote', hooks: quoteHooks },
    { object: 'quote', hooks: approvalLockHooks },
    { object: 'quote', hooks: quoteDocumentHooks },
    { object: 'order', hooks: orderHooks },
    { object: 'target', hooks: targetHooks },
    { object: 'payment', hooks: paymentHooks },
    ...ownedDocuments.map((o) => ({ object: o, hooks: ownershipHooks(o) })),
  ],
  optionsLoaders: [{ object: 'opportunity', field: 'stage', load: stageOptions }],
  routes: [...opportunityRoutes, ...documentRoutes, ...quoteDocumentRoutes],
  // The customer's page of a shared quote (/q/<token>): public, the token is the authority.
  http: registerQuoteShare,
  subscribers: [
    {
      // "Future pipeline value" follows every opportunity change (durable, idempotent: a recompute).
      name: 'sales-customer-pipeline-value',
      pattern: 'opportunity.*',
      handle: async (e: DomainEvent, job: JobContext) => {
        if (!e.recordId) return;
        await job.tx(async (tx) => {
          for (const c of await customersOfOpportunity(tx, e.tenantId, e.recordId!, e.payload))
            await refreshCustomerValue(tx, e.tenantId, c);
        });
      },
    },
    {
      // Deleting or restoring a receipt has no write hook: the order's paid status follows by event.
      name: 'sales-order-paid',
      pattern: 'payment.*',
      handle: async (e: DomainEvent, job: JobContext) => {
        if (!e.recordId || !/\.(deleted|restored)$/.test(e.type)) return;
        await job.tx(async (tx) => {
          const r = (
            await sql<{
              order_id: string | null;
            }>`select order_id from payments where tenant_id = ${e.tenantId} and id = ${e.recordId}`.execute(
              tx,
            )
          ).rows[0];
          if (r?.order_id) await recomputeOrderPaid(tx, SYSTEM_ACTOR(e.tenantId), e.tenantId, r.order_id);
        });
      },
    },
  ],
  contributes: [
    approvalTarget({
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
    }),
  ],
  permissions: [
    {
      key: SALES_PERMISSIONS.configure,
      label: { 'zh-CN': '销售设置', 'en-US': 'Configure sales' },
      description: {
        'zh-CN': '销售流程与阶段、SOP 必做事项、审批流',
        'en-US': 'Pipelines and stages, SOP checklists, approval flows',
      },
      demoRoles: ['总部销售经理'],
    },
    {
      key: SALES_PERMISSIONS.opportunity.reopen,
      label: { 'zh-CN': '重新打开商机', 'en-US': 'Reopen opportunities' },
      description: {
        'zh-CN': '把已赢单或输单的商机改回进行中',
        'en-US': 'Move a won or lost opportunity back to an open stage',
      },
      demoRoles: ['总部销售经理', '区域经理', '经销商店长'],
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  testKit: () => import('./test-kit.ts'),
  homeCards: salesHomeCards,
  demo: { order: 10, run: seedSales },
});

/** Dealer ordering (DMS, issue 14): the catalogue dealers order from. */
export { type CatalogueProduct, catalogueProducts } from './catalogue-read.ts';
export type { CustomerLists, TimelineItem } from './customer360.service.ts';
// The public surface other modules build on (analytics, the CDP's profile timeline).
export { customer360, customerLists, customerTimeline } from './customer360.service.ts';
export { kanban, unitSubtreeSql } from './opportunity.service.ts';
/** Coupons (issue 12): redeeming against an order reads its net amount here. */
export { type OrderSummary, orderForCaller } from './order-read.ts';
export { achievements, currentPeriod, forecast, periodRange, wonStageKeys } from './targets.service.ts';
