import { RecordData } from '@kehu/contracts/common';
import {
  AchievementList,
  CalculateBody,
  Customer360,
  Forecast,
  LinesBody,
  SALES_PERMISSIONS as P,
  PaymentPlan,
  PeriodQuery,
  PlanBody,
  PricedLines,
  QuoteLinesSaved,
  QuoteSubmitted,
  QuoteWithLines,
  SalesSettings,
  SalesSettingsInput,
  StatusBody,
  ToContractBody,
  ToOrderBody,
} from '@kehu/contracts/sales';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { recordCtx } from '../../engine/records/record.service.ts';
import { getSettings, putSettings } from './customer-value.service.ts';
import { customer360 } from './customer360.service.ts';
import {
  contractToOrder,
  paymentPlan,
  setContractStatus,
  setOrderStatus,
  setPaymentPlan,
} from './order.service.ts';
import {
  approvalPreview,
  priceLines,
  quoteToContract,
  quoteWithLines,
  setLines,
  submitQuote,
} from './quote.service.ts';
import { achievements, currentPeriod, forecast } from './targets.service.ts';

const ctxOf = (req: { principal: any; actor: any }, tx: any, object: string) =>
  recordCtx(tx, req.principal, req.actor, object);

export const documentRoutes: RouteSpec[] = [
  defineRoute({
    method: 'POST',
    url: '/quotes/calculate',
    permission: P.quote.read,
    probe: { body: { 'lines.0.productId': 'product' } },
    summary: 'Price and total quote lines without saving (live totals in the quote builder)',
    tags: ['sales'],
    body: CalculateBody,
    response: PricedLines,
    handler: (req) =>
      req.tx(async (tx) => {
        const priced = await priceLines(tx, req.principal, req.actor, req.body.currency, req.body.lines);
        return { ...priced, approval: await approvalPreview(tx, req.principal.tenantId, priced.totals) };
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/quotes/:id/lines',
    permission: P.quote.read,
    probe: { params: { id: 'quote' } },
    summary: 'A quote with its lines',
    tags: ['sales'],
    params: idParam,
    response: QuoteWithLines,
    handler: (req) => req.tx(async (tx) => quoteWithLines(await ctxOf(req, tx, 'quote'), req.params.id)),
  }),
  defineRoute({
    method: 'PUT',
    url: '/quotes/:id/lines',
    permission: P.quote.update,
    probe: { params: { id: 'quote' }, body: { 'lines.0.productId': 'product' } },
    summary: 'Replace the lines; the server prices them and computes totals (422 while pending approval)',
    tags: ['sales'],
    params: idParam,
    body: LinesBody,
    response: QuoteLinesSaved,
    handler: (req) =>
      req.tx(async (tx) =>
        setLines(await ctxOf(req, tx, 'quote'), req.params.id, req.body.lines, req.locale),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/quotes/:id/submit',
    permission: P.quote.update,
    probe: { params: { id: 'quote' } },
    summary: 'Submit: starts the approval flow when its condition holds, else approves directly',
    tags: ['sales'],
    params: idParam,
    response: QuoteSubmitted,
    handler: (req) =>
      req.tx(async (tx) => submitQuote(await ctxOf(req, tx, 'quote'), req.params.id, req.locale)),
  }),
  defineRoute({
    method: 'POST',
    url: '/quotes/:id/contract',
    permission: P.contract.create,
    probe: { params: { id: 'quote' } },
    summary: 'Turn an approved quote into a draft contract',
    tags: ['sales'],
    params: idParam,
    body: ToContractBody,
    status: 201,
    response: RecordData,
    handler: (req) =>
      req.tx(async (tx) =>
        quoteToContract(await ctxOf(req, tx, 'quote'), req.params.id, req.body, req.locale),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/contracts/:id/status',
    permission: P.contract.update,
    probe: { params: { id: 'contract' } },
    summary: 'Contract status transition (draft → active → completed | terminated)',
    tags: ['sales'],
    params: idParam,
    body: StatusBody,
    response: RecordData,
    handler: (req) =>
      req.tx(async (tx) =>
        setContractStatus(await ctxOf(req, tx, 'contract'), req.params.id, req.body.status, req.locale),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/contracts/:id/order',
    permission: P.order.create,
    probe: { params: { id: 'contract' } },
    summary: 'Create an order from an active contract',
    tags: ['sales'],
    params: idParam,
    body: ToOrderBody,
    status: 201,
    response: RecordData,
    handler: (req) =>
      req.tx(async (tx) =>
        contractToOrder(await ctxOf(req, tx, 'contract'), req.params.id, req.body, req.locale),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/orders/:id/status',
    permission: P.order.update,
    probe: { params: { id: 'order' } },
    summary: 'Order status transition (draft → confirmed → shipped → completed | cancelled)',
    tags: ['sales'],
    params: idParam,
    body: StatusBody,
    response: RecordData,
    handler: (req) =>
      req.tx(async (tx) =>
        setOrderStatus(await ctxOf(req, tx, 'order'), req.params.id, req.body.status, req.locale),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/orders/:id/plan',
    permission: P.order.read,
    probe: { params: { id: 'order' } },
    summary: 'Payment plan (installments) with receipts allocated oldest-due first',
    tags: ['sales'],
    params: idParam,
    response: PaymentPlan,
    handler: (req) => req.tx(async (tx) => paymentPlan(await ctxOf(req, tx, 'order'), req.params.id)),
  }),
  defineRoute({
    method: 'PUT',
    url: '/orders/:id/plan',
    permission: P.order.update,
    probe: { params: { id: 'order' } },
    summary: 'Replace the payment plan (installments must add up to the order amount)',
    tags: ['sales'],
    params: idParam,
    body: PlanBody,
    response: PaymentPlan,
    handler: (req) =>
      req.tx(async (tx) =>
        setPaymentPlan(await ctxOf(req, tx, 'order'), req.params.id, req.body.items, req.locale),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/targets/achievement',
    permission: P.target.read,
    summary: 'Targets of a period with live achievement and forecast (viewer scope applies)',
    tags: ['sales'],
    query: PeriodQuery,
    response: AchievementList,
    handler: (req) =>
      req.tx(async (tx) => ({ items: await achievements(await ctxOf(req, tx, 'target'), req.query) })),
  }),
  defineRoute({
    method: 'GET',
    url: '/forecast',
    permission: P.opportunity.read,
    summary: 'Weighted pipeline forecast per month of a period',
    tags: ['sales'],
    query: PeriodQuery,
    response: Forecast,
    handler: (req) =>
      req.tx(async (tx) =>
        forecast(await ctxOf(req, tx, 'opportunity'), {
          ...req.query,
          period: req.query.period ?? currentPeriod('quarter'),
        }),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/customers/:id/360',
    permission: P.customer.read,
    probe: { params: { id: 'customer' } },
    summary:
      'Customer 360: profile, contacts, opportunities, quotes, contracts, orders, receipts, activities, timeline, pipeline value',
    tags: ['sales'],
    params: idParam,
    response: Customer360,
    handler: (req) => req.tx((tx) => customer360(tx, req.principal, req.actor, req.params.id, req.locale)),
  }),
  defineRoute({
    method: 'GET',
    url: '/sales/settings',
    permission: P.opportunity.read,
    summary: 'Sales settings (pipeline value thresholds)',
    tags: ['sales'],
    response: SalesSettings,
    handler: (req) => req.tx((tx) => getSettings(tx, req.principal.tenantId)),
  }),
  defineRoute({
    method: 'PUT',
    url: '/sales/settings',
    permission: P.configure,
    summary: 'Change sales settings; re-tags every customer',
    tags: ['sales'],
    body: SalesSettingsInput,
    response: SalesSettings,
    handler: (req) => req.tx((tx) => putSettings(tx, req.principal.tenantId, req.body)),
  }),
];
