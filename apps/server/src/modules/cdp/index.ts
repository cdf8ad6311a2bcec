import type { FastifyInstance } from 'fastify';
import type { Database } from '../../platform/db/database.ts';
import type { RouteSpec } from '../../platform/http/route.ts';
import { registerBackfillJob } from './backfill.job.ts';
import { cdpRouteList } from './cdp.routes.ts';
import { registerCrmLinks } from './crm-link.ts';
import { registerIngestion } from './ingest.ts';
import { registerObjectTags } from './object-tags.ts';
import { registerProcessJob } from './process.job.ts';
import { registerTickJob } from './tick.job.ts';

/** Customer data platform (R1, R2): Segment-compatible ingestion, One ID, tags, segments. */
export function registerCdpModule(): void {
  registerProcessJob();
  registerBackfillJob();
  registerTickJob();
  registerCrmLinks();
  registerObjectTags();
}

/** Authenticated Kehu API routes under /api/v1 (sources, profiles, tags, segments …). */
export const cdpRoutes: RouteSpec[] = cdpRouteList;

/**
 * Segment-compatible ingestion lives outside /api/v1 (`/v1/track` …, write-key auth, CORS,
 * text/plain bodies): registered on the Fastify instance directly.
 */
export async function registerCdpIngestion(app: FastifyInstance, database: Database): Promise<void> {
  await registerIngestion(app, database);
}

/**
 * Rules see what their author sees: every rule evaluator a person can drive (segments, tags,
 * and journeys, loyalty or dealer rules to come) checks the rule with `assertRuleVisibleTo`
 * before evaluating or saving it, and filters every count or list it shows with `scopeFilterFor`.
 */
export {
  assertRuleVisibleTo,
  type CrmScope,
  crmScopeFor,
  type RuleAt,
  type SubjectScope,
  scopeFilterFor,
} from './rule-access.ts';
export { systemViewer, type Viewer } from './viewer.ts';
