import type { FastifyInstance } from 'fastify';
import type { Database } from '../../platform/db/database.ts';
import type { RouteSpec } from '../../platform/http/route.ts';

/** Customer data platform (R1, R2): Segment-compatible ingestion, One ID, tags, segments. */
export function registerCdpModule(): void {}

/** Authenticated Kehu API routes under /api/v1 (sources, profiles, tags, segments …). */
export const cdpRoutes: RouteSpec[] = [];

/**
 * Segment-compatible ingestion lives outside /api/v1 (`/v1/track` …, write-key auth, CORS,
 * text/plain bodies): registered on the Fastify instance directly.
 */
export async function registerCdpIngestion(_app: FastifyInstance, _database: Database): Promise<void> {}
