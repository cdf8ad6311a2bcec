import type { FastifyInstance } from 'fastify';
import type { Database } from '../../core/db/database.ts';
import type { RouteSpec } from '../../core/http/route.ts';
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
