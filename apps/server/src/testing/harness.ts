import { after, before } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { createApp, migrateAll } from '../app.ts';
import { loadConfig } from '../core/config.ts';
import { type Database, openDatabase } from '../core/db/database.ts';
import { dispatchBatch } from '../core/events/dispatcher.ts';
import { runOneJob } from '../core/jobs/queue.ts';
import { type SeedResult, seedDemoTenant } from '../seed/demo-data.ts';

/**
 * Test harness: one real database per test process (PostgreSQL when TEST_DATABASE_URL or
 * DATABASE_URL is set, else in-memory PGlite), one real HTTP server on 127.0.0.1, and a
 * fresh tenant per test so tests never see each other's data.
 */
let shared: Promise<TestEnv> | null = null;
// Every response is checked against its route's declared schema (core/http/route.ts).
process.env.KEHU_CHECK_RESPONSES ??= '1';

export interface TestEnv {
  database: Database;
  app: FastifyInstance;
  baseUrl: string;
  close(): Promise<void>;
}

export function testDatabaseUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
}

export function getTestEnv(): Promise<TestEnv> {
  shared ??= (async () => {
    const config = loadConfig({
      ...process.env,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      PORT: '0',
      DATABASE_URL: testDatabaseUrl(),
    });
    const database = await openDatabase({ url: config.DATABASE_URL, dataDir: 'memory://', poolSize: 10 });
    await migrateAll(database.db);
    const app = await createApp(config, database);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    return {
      database,
      app,
      baseUrl: `http://127.0.0.1:${port}`,
      async close() {
        await app.close();
        await database.close();
      },
    };
  })();
  return shared;
}

/**
 * The calling test file's environment: opened in its `before` hook, closed in its `after` hook.
 * The returned value stands for it, so it reads like the environment itself but only once the
 * hook has run (inside tests and later hooks).
 */
export function useTestEnv(): TestEnv {
  let opened: TestEnv | undefined;
  const env = () => {
    if (!opened) throw new Error('the test environment opens in a before hook: use it inside tests');
    return opened;
  };
  before(async () => {
    opened = await getTestEnv();
  });
  after(async () => {
    await opened?.close();
  });
  return {
    get database() {
      return env().database;
    },
    get app() {
      return env().app;
    },
    get baseUrl() {
      return env().baseUrl;
    },
    close: () => env().close(),
  };
}

let tenantCounter = 0;
export const uniqueSlug = (prefix = 't') =>
  `${prefix}${Date.now().toString(36)}${process.pid.toString(36)}${(tenantCounter++).toString(36)}`;

export const DEMO_PASSWORD = 'kehu-demo-2026';

/** A fresh demo-shaped tenant (15 units, 7 roles, ~20 users) with `customers` customers. */
export async function newTenant(env: TestEnv, customers = 40): Promise<SeedResult> {
  return seedDemoTenant(env.database, { slug: uniqueSlug(), customers, password: DEMO_PASSWORD });
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** An HTTP client signed in as one user (cookie + CSRF), or holding an API key. */
export class Client {
  readonly baseUrl: string;
  cookie = '';
  csrf = '';
  bearer = '';
  locale = 'zh-CN';
  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }
  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const h: Record<string, string> = { 'accept-language': this.locale, ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== 'GET') h['x-csrf-token'] = this.csrf;
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    let payload: BodyInit | undefined;
    if (body instanceof Uint8Array || typeof body === 'string') payload = body as BodyInit;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetchRetryingReset(
      method,
      this.baseUrl +
        (path.startsWith('/api') ||
        path.startsWith('/v1') ||
        path.startsWith('/healthz') ||
        path.startsWith('/readyz')
          ? path
          : `/api/v1${path}`),
      {
        method,
        headers: h,
        body: payload,
      },
    );
    const text = await res.text();
    let parsed: any = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed };
  }
  get = <T = any>(path: string, headers?: Record<string, string>) =>
    this.request<T>('GET', path, undefined, headers);
  post = <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
    this.request<T>('POST', path, body ?? {}, headers);
  patch = <T = any>(path: string, body?: unknown) => this.request<T>('PATCH', path, body ?? {});
  del = <T = any>(path: string) => this.request<T>('DELETE', path);
}

/**
 * A GET that meets a socket the server is closing (keep-alive race, ECONNRESET) is retried
 * once: it is idempotent, and the flake says nothing about the code under test.
 */
/** A fresh tenant (see newTenant) and its administrator, signed in. */
export async function newTenantWithAdmin(env: TestEnv, customers = 40) {
  const seed = await newTenant(env, customers);
  const admin = await login(env, seed.slug, 'admin');
  return { seed, admin, tenantId: seed.tenantId };
}

async function fetchRetryingReset(method: string, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    if (method !== 'GET' || (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET')) throw err;
    return fetch(url, init);
  }
}

export async function login(
  env: TestEnv,
  tenant: string,
  loginName: string,
  password = DEMO_PASSWORD,
): Promise<Client> {
  const c = new Client(env.baseUrl);
  const res = await fetch(`${env.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant, login: loginName, password }),
  });
  if (res.status !== 200)
    throw new Error(`login ${loginName}@${tenant} failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { csrfToken: string };
  c.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  c.csrf = body.csrfToken;
  return c;
}

/** Signs in as the first seeded user holding `role` (e.g. '销售顾问'). */
export async function loginAsRole(env: TestEnv, seed: SeedResult, role: string, nth = 0): Promise<Client> {
  const u = seed.users.filter((x) => x.role === role)[nth];
  if (!u) throw new Error(`no user with role ${role}`);
  return login(env, seed.slug, u.login);
}

/**
 * Runs the outbox dispatcher and job queue until both are empty (tests drive background work).
 * The test's tenant is required: test processes share one PostgreSQL database and each knows
 * only its own subscribers, so one must not dispatch another's events.
 */
export async function drainBackground(env: TestEnv, tenantId: string, maxRounds = 100): Promise<void> {
  const log = { info() {}, warn() {}, error() {} };
  const signal = new AbortController().signal;
  const waitUntil = Date.now() + 60_000;
  for (let i = 0; i < maxRounds; i++) {
    const events = await dispatchBatch(env.database.db, log, 200, tenantId);
    const job = await runOneJob(env.database.db, 'test', signal, log, tenantId);
    if (events || job) continue;
    // A real server started by another test file (crash test, cold start) shares the database
    // and its worker may be running this tenant's job right now: wait for it, then look again.
    if (Date.now() > waitUntil) return;
    // Any running job counts, even one whose lease just ran out (a killed server's, released at
    // its restart): the next round claims it, or sees the other worker finish it.
    const busy = await sql<{ n: number }>`select count(*)::int as n from jobs
      where tenant_id = ${tenantId} and (status = 'running' or (status = 'pending' and run_at <= now()))`.execute(
      env.database.db,
    );
    if (!busy.rows[0]!.n) return;
    await new Promise((r) => setTimeout(r, 50));
    i--;
  }
}
