/**
 * Sales (apps/server/src/modules/sales): pipelines and SOP, opportunities, quotes, contracts,
 * orders and payment plans, targets and forecast, the customer 360. Request and response
 * schemas of its routes and the names of its permissions.
 */
export * from './sales/customers.ts';
export * from './sales/figures.ts';
export * from './sales/orders.ts';
export * from './sales/pipelines.ts';
export * from './sales/quote-documents.ts';
export * from './sales/quotes.ts';
export * from './sales/targets.ts';

/**
 * Permissions the sales routes check. The module declares `configure` and `opportunity.reopen`;
 * the others are the record engine's `<object>:<action>` of the objects sales owns, and
 * `customer.read` is the CRM's (the customer 360 needs it).
 */
export const SALES_PERMISSIONS = {
  configure: 'sales:configure',
  opportunity: { read: 'opportunity:read', update: 'opportunity:update', reopen: 'opportunity:reopen' },
  quote: { read: 'quote:read', update: 'quote:update' },
  contract: { create: 'contract:create', update: 'contract:update' },
  order: { read: 'order:read', create: 'order:create', update: 'order:update' },
  target: { read: 'target:read' },
  customer: { read: 'customer:read' },
} as const;
