import type { FastifyInstance } from 'fastify';
import type { Config } from './core/config.ts';
import { type Database, type Db, openDatabase } from './core/db/database.ts';
import { migrate } from './core/db/migrate.ts';
import { startDispatcher } from './core/events/dispatcher.ts';
import { listenForWork } from './core/events/work-listener.ts';
import { authRoutes } from './core/http/auth.routes.ts';
import { registerOpenApi } from './core/http/openapi.ts';
import type { RouteSpec } from './core/http/route.ts';
import { buildServer } from './core/http/server.ts';
import { startWorker } from './core/jobs/queue.ts';
import { installedModules, loadModules, moduleRoutes } from './engine/module-loader.ts';
import { recordEngine } from './engine/records/index.ts';
import { recordSchemas } from './engine/records/openapi-schemas.ts';
import { modules } from './modules/index.ts';

/** The record engine, then the modules of modules/index.ts: what this server runs. */
const everything = [recordEngine, ...modules];

/** Installs the engine and the modules (objects, hooks, jobs, subscribers, migrations); idempotent. */
export function registerModules(): void {
  loadModules(everything);
}

/** Applies the kernel's, the engine's and every module's pending migrations. */
export function migrateAll(db: Db, log?: (msg: string) => void): Promise<string[]> {
  registerModules();
  return migrate(db, log);
}

export function allRoutes(
  config: Pick<Config, 'SESSION_TTL_HOURS' | 'COOKIE_SECURE'> & Partial<Pick<Config, 'KEHU_SEED_DEMO'>>,
): RouteSpec[] {
  registerModules();
  return [
    ...authRoutes({
      sessionTtlHours: config.SESSION_TTL_HOURS,
      cookieSecure: config.COOKIE_SECURE,
      demo: config.KEHU_SEED_DEMO ?? false,
    }),
    ...moduleRoutes(),
  ];
}

export interface Kehu {
  app: FastifyInstance | null;
  database: Database;
  stop(): Promise<void>;
}

/** Each module's `start` hook: in the API process, the worker process, and every test app. */
export function startModules(database: Database): void {
  registerModules();
  for (const m of installedModules()) m.start?.(database);
}

export async function createApp(config: Config, database: Database): Promise<FastifyInstance> {
  startModules(database);
  return buildServer({
    config,
    database,
    routes: allRoutes(config),
    setup: async (app) => {
      registerOpenApi(app, database, recordSchemas);
      for (const m of installedModules()) await m.http?.(app, database);
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
  await migrateAll(database.db, log);
  const abort = new AbortController();
  const background: Promise<unknown>[] = [];
  // A worker-only process builds no app (createApp starts the modules), so they start here.
  if (opts.role === 'worker') startModules(database);
  const app = opts.role === 'worker' ? null : await createApp(config, database);
  const logger = app?.log ?? { info: console.log, warn: console.warn, error: console.error };
  if (opts.role !== 'api') {
    background.push(startDispatcher(database.db, logger, abort.signal));
    background.push(listenForWork(database, logger, abort.signal));
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
