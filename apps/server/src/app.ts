import type { FastifyInstance } from 'fastify';
import { cdpRoutes, registerCdpIngestion, registerCdpModule } from './modules/cdp/index.ts';
import { registerCrmModule } from './modules/crm/index.ts';
import { homeRoutes } from './modules/home/index.ts';
import { leadsRoutes, registerLeadsModule } from './modules/leads/index.ts';
import { registerSalesModule, salesRoutes } from './modules/sales/index.ts';
import { auditRoutes } from './modules/admin/audit/audit.routes.ts';
import { apiKeyRoutes } from './modules/admin/api-keys/api-keys.routes.ts';
import { authRoutes } from './core/auth/auth.routes.ts';
import { userDirectoryRoutes, userRoutes } from './modules/admin/users/users.routes.ts';
import type { Config } from './core/config.ts';
import { type Database, openDatabase } from './core/db/database.ts';
import { migrate } from './core/db/migrate.ts';
import { startDispatcher } from './core/events/dispatcher.ts';
import { registerOpenApi } from './core/http/openapi.ts';
import type { RouteSpec } from './core/http/route.ts';
import { buildServer } from './core/http/server.ts';
import { startWorker } from './core/jobs/queue.ts';
import { roleRoutes } from './modules/admin/roles/roles.routes.ts';
import { unitRoutes } from './modules/admin/units/units.routes.ts';
import { exportRoutes } from './engine/records/export/export.routes.ts';
import { registerImportJob } from './engine/records/import/import.job.ts';
import { importRoutes } from './engine/records/import/import.routes.ts';
import { metadataRoutes } from './engine/records/metadata.routes.ts';
import { recordRoutes } from './engine/records/record.routes.ts';
import { viewRoutes } from './engine/records/views.routes.ts';

let modulesRegistered = false;
/** Domain modules register their standard objects, event subscribers and jobs here. */
export function registerModules(): void {
  if (modulesRegistered) return;
  modulesRegistered = true;
  registerCrmModule();
  registerLeadsModule();
  registerSalesModule();
  registerCdpModule();
  registerImportJob();
}

export function allRoutes(config: Pick<Config, 'SESSION_TTL_HOURS' | 'COOKIE_SECURE'>): RouteSpec[] {
  return [
    ...authRoutes({ sessionTtlHours: config.SESSION_TTL_HOURS, cookieSecure: config.COOKIE_SECURE }),
    ...metadataRoutes,
    // Import/export routes come before the generic `/records/:object/:id` ones they resemble.
    ...importRoutes,
    ...exportRoutes,
    ...recordRoutes,
    ...viewRoutes,
    ...leadsRoutes,
    ...salesRoutes,
    ...cdpRoutes,
    ...homeRoutes,
    ...unitRoutes,
    ...userRoutes,
    ...userDirectoryRoutes,
    ...roleRoutes,
    ...apiKeyRoutes,
    ...auditRoutes,
  ];
}

export interface Kehu {
  app: FastifyInstance | null;
  database: Database;
  stop(): Promise<void>;
}

export async function createApp(config: Config, database: Database): Promise<FastifyInstance> {
  registerModules();
  return buildServer({
    config,
    database,
    routes: allRoutes(config),
    setup: async (app) => {
      registerOpenApi(app, database);
      await registerCdpIngestion(app, database);
    },
  });
}

/** Opens the database, migrates, and runs the API and/or the background workers. */
export async function runKehu(
  config: Config,
  opts: { role: 'api' | 'worker' | 'all'; database?: Database; log?: (m: string) => void },
): Promise<Kehu> {
  const log = opts.log ?? (() => {});
  const database =
    opts.database ??
    (await openDatabase({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      poolSize: config.DB_POOL_SIZE,
    }));
  await migrate(database.db, log);
  registerModules();
  const abort = new AbortController();
  const background: Promise<unknown>[] = [];
  const app = opts.role === 'worker' ? null : await createApp(config, database);
  const logger = app?.log ?? { info: console.log, warn: console.warn, error: console.error };
  if (opts.role !== 'api') {
    background.push(startDispatcher(database.db, logger, abort.signal));
    background.push(
      startWorker(database.db, logger, abort.signal, { concurrency: database.kind === 'pglite' ? 1 : 2 }),
    );
  }
  if (app) await app.listen({ host: config.HOST, port: config.PORT });
  let stopped = false;
  return {
    app,
    database,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app?.close();
      abort.abort();
      await Promise.allSettled(background);
      await database.close();
    },
  };
}
