import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { type Database, ping } from '../db/database.ts';
import { pendingMigrations } from '../db/migrate.ts';
import { AppError, notFound } from '../errors.ts';
import { pickLocale } from '../i18n/locale.ts';
import { newId } from '../ids.ts';
import { sendProblem, translateError } from './problem.ts';
import { type RouteSpec, registerRoutes } from './route.ts';
import { registerSecurityHeaders } from './security-headers.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_WEB_DIST = resolve(here, '../../../../web/dist');

/** Content types taken as a stream and handed to the route (uploads are never buffered whole). */
export const UPLOAD_TYPES = [
  'text/csv',
  'application/csv',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/octet-stream',
];

export interface BuildOptions {
  config: Pick<Config, 'LOG_LEVEL' | 'WEB_DIST' | 'TRUST_PROXY' | 'COOKIE_SECURE'>;
  database: Database;
  routes: RouteSpec[];
  /** Extra setup (OpenAPI route, module plugins) run before routes are registered. */
  setup?: (app: FastifyInstance) => void | Promise<void>;
}

export async function buildServer(opts: BuildOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.config.LOG_LEVEL === 'silent' ? false : { level: opts.config.LOG_LEVEL },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : newId();
    },
    requestIdHeader: false,
    trustProxy: opts.config.TRUST_PROXY,
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  registerSecurityHeaders(app, { https: opts.config.COOKIE_SECURE });
  await app.register(cookie);
  app.addContentTypeParser(UPLOAD_TYPES, (_req, payload, done) => done(null, payload));

  app.setErrorHandler((err, req, reply) => {
    const locale = pickLocale(req.headers['accept-language']);
    const known = translateError(err);
    if (known) {
      if (known.status >= 500) req.log.error({ err }, 'request failed');
      return sendProblem(reply, known, locale);
    }
    req.log.error({ err }, 'unhandled error');
    return sendProblem(reply, new AppError('bad_request', 500, { detailKey: 'title.internal' }), locale);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const dbOk = await ping(opts.database.db);
    const pending = dbOk ? await pendingMigrations(opts.database.db) : -1;
    const ready = dbOk && pending === 0;
    return reply
      .status(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not_ready', database: dbOk, pendingMigrations: pending });
  });

  await opts.setup?.(app);
  registerRoutes(app, opts.database, opts.routes);

  const webDist = opts.config.WEB_DIST ?? DEFAULT_WEB_DIST;
  const hasWeb = existsSync(join(webDist, 'index.html'));
  if (hasWeb) await serveWebApp(app, webDist);
  app.setNotFoundHandler((req, reply) => {
    // A missing asset is a 404, not the SPA page (which would break as JavaScript).
    // The path only: a query value like `?signInError=wecom.state` is no file extension.
    const path = req.url.split('?')[0]!;
    const isAsset = path.startsWith('/assets/') || /\.[a-z0-9]{2,5}$/i.test(path);
    if (
      req.url.startsWith('/api/') ||
      req.url.startsWith('/v1/') ||
      !hasWeb ||
      req.method !== 'GET' ||
      isAsset
    ) {
      return sendProblem(reply, notFound('resource'), pickLocale(req.headers['accept-language']));
    }
    return reply.header('cache-control', WEB_CACHE.page).sendFile('index.html');
  });
  return app;
}

/**
 * Cache rules of the web build. Vite names every file under assets/ by its content hash, so a
 * browser may keep it for good; index.html names the current hashes and must be revalidated on
 * every visit (that is how a new release reaches a browser); the rest (favicon …) briefly.
 */
export const WEB_CACHE = {
  hashed: 'public, max-age=31536000, immutable',
  page: 'no-cache',
  other: 'public, max-age=3600',
} as const;

/**
 * The built web app: the precompressed copies the build wrote beside each file (`x.js.br`,
 * `x.js.gz`) go to browsers that accept them, so nothing is compressed per request.
 */
async function serveWebApp(app: FastifyInstance, webDist: string): Promise<void> {
  // wildcard: files are looked up per request, so a rebuilt bundle is served without a restart.
  await app.register(fastifyStatic, {
    root: webDist,
    wildcard: true,
    index: false,
    preCompressed: true,
    cacheControl: false,
    setHeaders: (reply, path) => {
      const file = relative(webDist, path).split(sep).join('/');
      reply.header(
        'cache-control',
        file.startsWith('assets/')
          ? WEB_CACHE.hashed
          : file.startsWith('index.html')
            ? WEB_CACHE.page
            : WEB_CACHE.other,
      );
    },
  });
  // The static plugin refuses the root directory itself; the root is the app.
  app.get('/', (_req, reply) => reply.header('cache-control', WEB_CACHE.page).sendFile('index.html'));
}
