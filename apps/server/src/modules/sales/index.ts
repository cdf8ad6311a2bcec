import type { RouteSpec } from '../../platform/http/route.ts';
import { registerObjectHooks } from '../../records/object-hooks.ts';
import { registerStandardObject } from '../../records/standard-objects.ts';
import { opportunityHooks } from './opportunity.hooks.ts';
import { opportunityObject } from './opportunity.object.ts';

/** Sales (R4, R11.1): pipelines, opportunities, products, quotes, approvals, contracts, orders, payments, targets. */
export function registerSalesModule(): void {
  registerStandardObject(opportunityObject);
  registerObjectHooks('opportunity', opportunityHooks);
}

export const salesRoutes: RouteSpec[] = [];
