import type { RouteSpec } from '../../platform/http/route.ts';

/** Leads (R3): intake, dedupe, scoring, assignment, SLA, pool, conversion; activities; notifications. */
export function registerLeadsModule(): void {}

export const leadsRoutes: RouteSpec[] = [];
