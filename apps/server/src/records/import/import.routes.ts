import type { RouteSpec } from '../../platform/http/route.ts';

export const importRoutes: RouteSpec[] = [];
