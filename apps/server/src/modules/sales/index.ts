import type { RouteSpec } from '../../platform/http/route.ts';

/** Sales (R4, R11.1): pipelines, opportunities, products, quotes, approvals, contracts, orders, payments, targets. */
export function registerSalesModule(): void {}

export const salesRoutes: RouteSpec[] = [];
