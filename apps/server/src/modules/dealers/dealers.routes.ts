import {
  Account,
  AccountInput,
  AccountList,
  AccrueInput,
  AccrueResult,
  CatalogueList,
  ChannelStock,
  ChannelStockQuery,
  ConfirmInput,
  DEALER_PERMISSIONS,
  DealerQuery,
  DisputeInput,
  ExportQuery,
  HqStockList,
  LineParams,
  Order,
  OrderEditInput,
  OrderInput,
  OrderList,
  OrderQuery,
  PaymentInput,
  PricePolicy,
  PricePolicyInput,
  PricePolicyList,
  ProductSettings,
  ProductSettingsInput,
  Promotion,
  PromotionInput,
  PromotionList,
  RebateAccrual,
  RebateAccrualList,
  RebateRule,
  RebateRuleInput,
  RebateRuleList,
  ResolveInput,
  SettleInput,
  Statement,
  StatementInput,
  StatementList,
  StockReportInput,
  ThresholdInput,
  ThresholdOut,
  VersionInput,
} from '@kehu/contracts/dealers';
import { z } from 'zod';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { contentDisposition } from '../../engine/records/export/cells.ts';
import { getAccount, listAccounts, recordPayment, updateAccount } from './accounts.service.ts';
import {
  catalogue,
  createPolicy,
  createPromotion,
  listPolicies,
  listPromotions,
  saveProductSettings,
} from './catalogue.service.ts';
import {
  cancelOrder,
  createOrder,
  getOrder,
  listOrders,
  receiveOrder,
  shipOrder,
  submitOrder,
  updateOrder,
} from './orders.service.ts';
import {
  accrueRebates,
  chinaMonth,
  createRule,
  listAccruals,
  listRules,
  setRuleActive,
  settleAccrual,
} from './rebates.service.ts';
import { statementPdf } from './statement-pdf.ts';
import {
  createStatement,
  decideLines,
  getStatement,
  listStatements,
  resolveLine,
  statementForExport,
  statementXlsx,
} from './statements.service.ts';
import { channelStock, hqStock, reportStock, setThreshold } from './stock.service.ts';

const P = DEALER_PERMISSIONS;
const tags = ['dealers'];
const probeOrder = { params: { id: 'dms_order' } };
const probeStatement = { params: { id: 'dms_statement' } };
const probeDealer = { params: { id: 'dms_dealer' } };
const probeRule = { params: { id: 'dms_rebate_rule' } };
const probeAccrual = { params: { id: 'dms_rebate_accrual' } };
const IdVersion = z.object({ version: z.number().int(), active: z.boolean() }).strict();
const AccrualQuery = z.object({
  dealerUnitId: z.string().uuid().optional(),
  status: z.enum(['accrued', 'settled']).optional(),
});

export const dealerRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/dealers/catalogue',
    permission: P.read,
    summary:
      'The catalogue at a dealer’s prices today (default: the caller’s own dealer), with HQ stock and MOQ',
    tags,
    query: DealerQuery,
    response: CatalogueList,
    handler: (req) =>
      req.tx(
        async (tx) => ({ items: await catalogue(tx, req.principal, req.locale, req.query.dealerUnitId) }),
        {
          readOnly: true,
        },
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/dealers/price-policies',
    permission: P.read,
    summary: 'Price policies of the caller’s dealers and the tier policies',
    tags,
    response: PricePolicyList,
    handler: (req) =>
      req.tx(async (tx) => ({ items: await listPolicies(tx, req.principal) }), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/dealers/price-policies',
    permission: P.manage,
    summary:
      'A price policy for one dealer or a dealer tier: discount on list price and/or fixed prices, with dates',
    tags,
    body: PricePolicyInput,
    response: PricePolicy,
    status: 201,
    handler: (req) => req.tx((tx) => createPolicy(tx, req.principal, req.actor, req.locale, req.body as any)),
  }),
  defineRoute({
    method: 'GET',
    url: '/dealers/promotions',
    permission: P.read,
    summary: 'Ordering promotions (满减, 买赠) that reach the caller’s dealers',
    tags,
    query: DealerQuery,
    response: PromotionList,
    handler: (req) =>
      req.tx(async (tx) => ({ items: await listPromotions(tx, req.principal, req.query) }), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/dealers/promotions',
    permission: P.manage,
    summary: 'An ordering promotion: 满减 (amount threshold → reduction) or 买赠 (quantity threshold → gift)',
    tags,
    body: PromotionInput,
    response: Promotion,
    status: 201,
    handler: (req) => req.tx((tx) => createPromotion(tx, req.principal, req.actor, req.locale, req.body)),
  }),
  defineRoute({
    method: 'PUT',
    url: '/dealers/products/:id',
    permission: P.manage,
    summary: 'HQ stock on hand and minimum order quantity of a catalogue product',
    tags,
    params: idParam,
    body: ProductSettingsInput,
    response: ProductSettings,
    probe: { params: { id: 'product' } },
    handler: (req) =>
      req.tx((tx) => saveProductSettings(tx, req.principal, req.actor, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/dealers/accounts',
    permission: P.read,
    summary: 'Dealers of the caller’s units with credit limit, balance, available credit and expense pool',
    tags,
    response: AccountList,
    handler: (req) =>
      req.tx(async (tx) => ({ items: await listAccounts(tx, req.principal) }), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/dealers/accounts/:id',
    permission: P.read,
    summary: 'One dealer’s account',
    tags,
    params: idParam,
    response: Account,
    probe: probeDealer,
    handler: (req) =>
      req.tx((tx) => getAccount(tx, req.principal, req.locale, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/dealers/accounts/:id',
    permission: P.manage,
    summary: 'Set a dealer’s credit limit and price tier',
    tags,
    params: idParam,
    body: AccountInput,
    response: Account,
    probe: probeDealer,
    handler: (req) =>
      req.tx((tx) => updateAccount(tx, req.principal, req.actor, req.locale, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'POST',
    url: '/dealers/accounts/:id/entries',
    permission: P.manage,
    summary: 'Record a payment 回款, rebate 返利 or credit on a dealer’s account (idempotent per key)',
    tags,
    params: idParam,
    body: PaymentInput,
    response: Account,
    status: 201,
    probe: probeDealer,
    handler: (req) =>
      req.tx((tx) => recordPayment(tx, req.principal, req.actor, req.locale, req.params.id, req.body as any)),
  }),
  defineRoute({
    method: 'GET',
    url: '/dealers/channel-stock',
    permission: P.read,
    summary:
      'Channel inventory: dealer and store stock by product (reported counts, or derived from receipts and sell-out), with low-stock state',
    tags,
    query: ChannelStockQuery,
    response: ChannelStock,
    handler: (req) =>
      req.tx(async (tx) => ({ items: await channelStock(tx, req.principal, req.locale, req.query) }), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/dealers/channel-stock/reports',
    permission: P.order,
    summary:
      'A dealer (or a store below it) reports stock counts and sell-out (idempotent per key); queues the low-stock check',
    tags,
    body: StockReportInput,
    response: ChannelStock,
    status: 201,
    probe: { body: { unitId: 'unit', 'counts.0.productId': 'product' } },
    handler: (req) =>
      req.tx(async (tx) => ({
        items: await reportStock(tx, req.principal, req.actor, req.locale, req.body as any),
      })),
  }),
  defineRoute({
    method: 'GET',
    url: '/dealers/products',
    permission: P.manage,
    summary:
      'HQ stock of the listed products (on hand, reserved, available), MOQ and channel low-stock thresholds',
    tags,
    response: HqStockList,
    handler: (req) => req.tx(async (tx) => ({ items: await hqStock(tx, req.principal) }), { readOnly: true }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/dealers/products/:id/threshold',
    permission: P.manage,
    summary: 'The channel low-stock threshold of a product (null clears it)',
    tags,
    params: idParam,
    body: ThresholdInput,
    response: ThresholdOut,
    probe: { params: { id: 'product' } },
    handler: (req) =>
      req.tx((tx) => setThreshold(tx, req.principal, req.actor, req.params.id, req.body.minQty)),
  }),
  defineRoute({
    method: 'GET',
    url: '/dealers/rebate-rules',
    permission: P.read,
    summary: 'Rebate 返利 rules that reach the caller’s dealers',
    tags,
    response: RebateRuleList,
    handler: (req) =>
      req.tx(async (tx) => ({ items: await listRules(tx, req.principal) }), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/dealers/rebate-rules',
    permission: P.manage,
    summary: 'A rebate rule: by volume (period sell-in ≥ threshold → %) or by product (per unit received)',
    tags,
    body: RebateRuleInput,
    response: RebateRule,
    status: 201,
    handler: (req) => req.tx((tx) => createRule(tx, req.principal, req.actor, req.locale, req.body as any)),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/dealers/rebate-rules/:id',
    permission: P.manage,
    summary: 'Switch a rebate rule on or off (version → 409)',
    tags,
    params: idParam,
    body: IdVersion,
    response: RebateRule,
    probe: probeRule,
    handler: (req) =>
      req.tx((tx) => setRuleActive(tx, req.principal, req.actor, req.locale, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/dealers/rebates',
    permission: P.read,
    summary: 'Rebate accruals per dealer, rule and period (accrued or settled)',
    tags,
    query: AccrualQuery,
    response: RebateAccrualList,
    handler: (req) =>
      req.tx(async (tx) => ({ items: await listAccruals(tx, req.principal, req.query) }), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/dealers/rebates/accrue',
    permission: P.manage,
    summary:
      'Accrue rebates now for a month (default: this one) for the caller’s dealers (the job does it on every receipt)',
    tags,
    body: AccrueInput,
    response: AccrueResult,
    handler: (req) =>
      req.tx((tx) =>
        accrueRebates(
          tx,
          req.principal.tenantId,
          req.body.period ?? chinaMonth(),
          req.principal.subtreeUnitIds,
        ),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/dealers/rebates/:id/settle',
    permission: P.manage,
    summary:
      'Settle an accrual as account credit (返利 on the statement) or as goods (a zero-price order line)',
    tags,
    params: idParam,
    body: SettleInput,
    response: RebateAccrual,
    probe: probeAccrual,
    handler: (req) =>
      req.tx((tx) => settleAccrual(tx, req.principal, req.actor, req.locale, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/dealers/orders',
    permission: P.read,
    summary: 'Orders of the caller’s dealers',
    tags,
    query: OrderQuery,
    response: OrderList,
    handler: (req) =>
      req.tx(async (tx) => ({ items: await listOrders(tx, req.principal, req.query) }), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/dealers/orders',
    permission: P.order,
    summary: 'A dealer’s draft order (lines, promotions claimed, expense-pool deduction)',
    tags,
    body: OrderInput,
    response: Order,
    status: 201,
    probe: { body: { 'lines.0.productId': 'product' } },
    handler: (req) => req.tx((tx) => createOrder(tx, req.principal, req.actor, req.locale, req.body as any)),
  }),
  defineRoute({
    method: 'GET',
    url: '/dealers/orders/:id',
    permission: P.read,
    summary: 'One order with its lines',
    tags,
    params: idParam,
    response: Order,
    probe: probeOrder,
    handler: (req) => req.tx((tx) => getOrder(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/dealers/orders/:id',
    permission: P.order,
    summary: 'Edit a draft order: lines, quantities, promotions, pool deduction (re-priced; version → 409)',
    tags,
    params: idParam,
    body: OrderEditInput,
    response: Order,
    probe: { ...probeOrder, body: { 'lines.0.productId': 'product' } },
    handler: (req) =>
      req.tx((tx) => updateOrder(tx, req.principal, req.actor, req.locale, req.params.id, req.body as any)),
  }),
  defineRoute({
    method: 'POST',
    url: '/dealers/orders/:id/submit',
    permission: P.order,
    summary: 'Check (credit, stock, MOQ, promotions, expense pool) and send a draft for approval',
    tags,
    params: idParam,
    body: VersionInput,
    response: Order,
    probe: probeOrder,
    handler: (req) =>
      req.tx((tx) => submitOrder(tx, req.principal, req.actor, req.locale, req.params.id, req.body.version)),
  }),
  defineRoute({
    method: 'POST',
    url: '/dealers/orders/:id/cancel',
    permission: P.order,
    summary: 'Cancel a draft order',
    tags,
    params: idParam,
    body: VersionInput,
    response: Order,
    probe: probeOrder,
    handler: (req) =>
      req.tx((tx) => cancelOrder(tx, req.principal, req.actor, req.locale, req.params.id, req.body.version)),
  }),
  defineRoute({
    method: 'POST',
    url: '/dealers/orders/:id/ship',
    permission: P.ship,
    summary: '发货: HQ ships an approved order (its reserved stock leaves HQ)',
    tags,
    params: idParam,
    body: VersionInput,
    response: Order,
    probe: probeOrder,
    handler: (req) =>
      req.tx((tx) => shipOrder(tx, req.principal, req.actor, req.locale, req.params.id, req.body.version)),
  }),
  defineRoute({
    method: 'POST',
    url: '/dealers/orders/:id/receive',
    permission: P.order,
    summary: '签收: the dealer receives a shipped order into its channel stock',
    tags,
    params: idParam,
    body: VersionInput,
    response: Order,
    probe: probeOrder,
    handler: (req) =>
      req.tx((tx) => receiveOrder(tx, req.principal, req.actor, req.locale, req.params.id, req.body.version)),
  }),
  defineRoute({
    method: 'GET',
    url: '/dealers/statements',
    permission: P.read,
    summary: 'Monthly statements 对账单 of the caller’s dealers',
    tags,
    query: DealerQuery,
    response: StatementList,
    handler: (req) =>
      req.tx(async (tx) => ({ items: await listStatements(tx, req.principal, req.query.dealerUnitId) }), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/dealers/statements',
    permission: P.statements,
    summary:
      'Issue a dealer’s statement for a month (opening, orders, payments, rebates, deductions, closing)',
    tags,
    body: StatementInput,
    response: Statement,
    status: 201,
    probe: { body: { dealerUnitId: 'dms_dealer' }, sample: { period: '1999-12' } },
    handler: (req) => req.tx((tx) => createStatement(tx, req.principal, req.actor, req.locale, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/dealers/statements/:id',
    permission: P.read,
    summary: 'One statement with its lines',
    tags,
    params: idParam,
    response: Statement,
    probe: probeStatement,
    handler: (req) => req.tx((tx) => getStatement(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/dealers/statements/:id/export',
    permission: P.read,
    summary: 'The statement as a file: Excel or PDF (audited)',
    tags,
    params: idParam,
    query: ExportQuery,
    file: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/pdf'],
    probe: { ...probeStatement, query: { format: '=xlsx' } },
    handler: async (req, reply) => {
      const pdf = req.query.format === 'pdf';
      const s = await req.tx((tx) =>
        statementForExport(tx, req.principal, req.actor, req.params.id, req.query.format),
      );
      const name = `对账单-${s.dealerName ?? ''}-${s.period}.${pdf ? 'pdf' : 'xlsx'}`;
      return reply
        .header(
          'content-type',
          pdf ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        )
        .header('content-disposition', contentDisposition(name))
        .header('cache-control', 'no-store')
        .send(pdf ? await statementPdf(s, req.locale) : await statementXlsx(s, req.locale));
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/dealers/statements/:id/confirm',
    permission: P.order,
    summary: 'The dealer confirms every line still to confirm',
    tags,
    params: idParam,
    body: ConfirmInput,
    response: Statement,
    probe: probeStatement,
    handler: (req) =>
      req.tx((tx) =>
        decideLines(
          tx,
          req.principal,
          req.actor,
          req.locale,
          req.params.id,
          null,
          { status: 'confirmed' },
          req.body.version,
        ),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/dealers/statements/:id/lines/:lineNo/confirm',
    permission: P.order,
    summary: 'The dealer confirms one statement line',
    tags,
    params: LineParams,
    body: ConfirmInput,
    response: Statement,
    probe: { params: { id: 'dms_statement', lineNo: '=1' } },
    handler: (req) =>
      req.tx((tx) =>
        decideLines(
          tx,
          req.principal,
          req.actor,
          req.locale,
          req.params.id,
          req.params.lineNo,
          { status: 'confirmed' },
          req.body.version,
        ),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/dealers/statements/:id/lines/:lineNo/dispute',
    permission: P.order,
    summary: 'The dealer disputes one statement line, with a reason',
    tags,
    params: LineParams,
    body: DisputeInput,
    response: Statement,
    probe: { params: { id: 'dms_statement', lineNo: '=1' } },
    handler: (req) =>
      req.tx((tx) =>
        decideLines(
          tx,
          req.principal,
          req.actor,
          req.locale,
          req.params.id,
          req.params.lineNo,
          { status: 'disputed', reason: req.body.reason },
          req.body.version,
        ),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/dealers/statements/:id/lines/:lineNo/resolve',
    permission: P.statements,
    summary: 'HQ resolves a disputed line (audited)',
    tags,
    params: LineParams,
    body: ResolveInput,
    response: Statement,
    probe: { params: { id: 'dms_statement', lineNo: '=1' } },
    handler: (req) =>
      req.tx((tx) =>
        resolveLine(
          tx,
          req.principal,
          req.actor,
          req.locale,
          req.params.id,
          req.params.lineNo,
          req.body.resolution,
          req.body.version,
        ),
      ),
  }),
];
