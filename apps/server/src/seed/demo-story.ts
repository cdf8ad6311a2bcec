import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { createApp } from '../app.ts';
import type { Config } from '../core/config.ts';
import type { Database } from '../core/db/database.ts';
import { inTenant } from '../core/db/tenant-scope.ts';
import { dispatchBatch } from '../core/events/dispatcher.ts';
import { runOneJob } from '../core/jobs/queue.ts';
import type { DemoCall as Call, DemoContext, SignIn } from '../engine/module.ts';
import { demoSteps } from '../engine/module-loader.ts';

/**
 * Makes the freshly seeded demo tenant look alive on first start: leads in the inboxes (some
 * close to their first-response deadline), opportunities across the stages, a quote awaiting
 * approval, a contract → order → receipt, and a customer data platform with events, tags and
 * segments. Everything goes through the API in-process (`app.inject`), so the same services,
 * hooks and rules run as for a user; background work (CRM links, event processing, tag
 * backfills) is drained here so the demo is complete when the server starts listening.
 */
export interface DemoStoryResult {
  pendingQuoteId: string;
  orderId: string;
  leads: number;
  events: number;
  ms: number;
}

export async function seedDemoStory(
  config: Config,
  database: Database,
  tenant: { slug: string; tenantId: string; password: string },
  opts: { seed?: number; now?: number } = {},
): Promise<DemoStoryResult> {
  const started = Date.now();
  const simulatorUrl = demoSimulatorUrl();
  return withDemoContext(config, database, tenant, opts, async (ctx) => {
    // Each module tells its part, in the order the steps declare (sales → leads → crm → cdp …).
    // KEHU_DEMO_TIMING=1 prints each step's time (the seed is on every fresh start and browser test).
    const timing = process.env.KEHU_DEMO_TIMING === '1';
    for (const step of demoSteps()) {
      const t0 = performance.now();
      await step.run?.(ctx);
      if (simulatorUrl) await step.withSimulator?.(ctx, simulatorUrl);
      if (timing) console.error(`demo step ${step.module}: ${Math.round(performance.now() - t0)} ms`);
    }
    await ctx.drain();
    await markDemo(database, tenant.tenantId, {
      demoStory: true,
      demoSimulatorAttached: Boolean(simulatorUrl),
    });
    return {
      pendingQuoteId: ctx.state.get('sales.pendingQuoteId') as string,
      orderId: ctx.state.get('sales.orderId') as string,
      leads: (ctx.state.get('leads.count') as number | undefined) ?? 0,
      events: (ctx.state.get('cdp.events') as number | undefined) ?? 0,
      ms: Date.now() - started,
    };
  });
}

/** The local WeCom simulator the demo binds to, if this start runs one (wecom.demo.ts DEMO_WECOM). */
const demoSimulatorUrl = () => process.env.KEHU_WECOM_DEMO_URL || undefined;

/**
 * A demo tenant seeded without the WeCom simulator, started with one (a browser test's copy of the
 * template seeded once per run): tells only the steps' simulator parts, in step order, once.
 * Returns false when there is nothing to do.
 */
export async function attachDemoSimulator(
  config: Config,
  database: Database,
  tenant: { slug: string; tenantId: string; password: string },
): Promise<boolean> {
  const simulatorUrl = demoSimulatorUrl();
  if (!simulatorUrl || !(await needsSimulator(database, tenant.tenantId))) return false;
  try {
    await withDemoContext(config, database, tenant, {}, async (ctx) => {
      for (const step of demoSteps()) await step.withSimulator?.(ctx, simulatorUrl);
      await ctx.drain();
    });
  } finally {
    // Once, even if a part failed.
    await markDemo(database, tenant.tenantId, { demoSimulatorAttached: true });
  }
  return true;
}

/**
 * Only a tenant the demo story seeded (a real tenant may be called "demo" too) and only once. A demo
 * seeded before the story recorded itself has neither mark and is left alone.
 */
async function needsSimulator(database: Database, tenantId: string): Promise<boolean> {
  const r = await inTenant(database.db, tenantId, (tx) =>
    sql<{
      story: boolean;
      attached: boolean;
    }>`select coalesce((settings->>'demoStory')::boolean, false) as story,
        coalesce((settings->>'demoSimulatorAttached')::boolean, false) as attached
      from tenants where id = ${tenantId}`.execute(tx),
  );
  const row = r.rows[0];
  return Boolean(row?.story && !row.attached);
}

function markDemo(database: Database, tenantId: string, marks: Record<string, boolean>) {
  return inTenant(database.db, tenantId, (tx) =>
    sql`update tenants set settings = settings || ${JSON.stringify(marks)}::jsonb where id = ${tenantId}`.execute(
      tx,
    ),
  );
}

async function withDemoContext<T>(
  config: Config,
  database: Database,
  tenant: { slug: string; tenantId: string; password: string },
  opts: { seed?: number; now?: number },
  fn: (ctx: DemoContext) => Promise<T>,
): Promise<T> {
  const app = await createApp({ ...config, LOG_LEVEL: 'warn' }, database);
  try {
    return await fn({
      database,
      tenantId: tenant.tenantId,
      now: opts.now ?? Date.now(),
      seed: opts.seed ?? 42,
      signIn: signInWith(app, tenant.slug, tenant.password),
      send: sendWith(app),
      drain: () => drain(database, tenant.tenantId),
      state: new Map(),
    });
  } finally {
    await app.close();
  }
}

function signInWith(app: FastifyInstance, tenant: string, password: string): SignIn {
  const sessions = new Map<string, Promise<Call>>();
  const open = async (login: string): Promise<Call> => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { tenant, login, password },
    });
    if (r.statusCode !== 200) throw new Error(`demo: login ${login}: ${r.statusCode} ${r.body}`);
    const cookie = String(r.headers['set-cookie'] ?? '').split(';')[0]!;
    const csrf = (r.json() as { csrfToken: string }).csrfToken;
    return async (method, path, body) => {
      const res = await app.inject({
        method: method as 'GET',
        url: `/api/v1${path}`,
        headers: { cookie, 'x-csrf-token': csrf, 'accept-language': 'zh-CN' },
        ...(method === 'GET' ? {} : { payload: (body ?? {}) as object }),
      });
      if (res.statusCode >= 300) throw new Error(`demo: ${method} ${path}: ${res.statusCode} ${res.body}`);
      return (res.body ? res.json() : undefined) as any;
    };
  };
  return (login) => {
    let s = sessions.get(login);
    if (!s) {
      s = open(login);
      sessions.set(login, s);
    }
    return s;
  };
}

function sendWith(app: FastifyInstance) {
  return async (writeKey: string, batch: Record<string, unknown>[]) => {
    const r = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` },
      payload: { batch },
    });
    if (r.statusCode !== 200) throw new Error(`demo: /v1/batch: ${r.statusCode} ${r.body}`);
  };
}

/** Runs the outbox dispatcher and due jobs until both are idle. */
async function drain(database: Database, tenantId: string) {
  const log = { info() {}, warn() {}, error() {} };
  const signal = new AbortController().signal;
  for (let i = 0; i < 5000; i++) {
    const events = await dispatchBatch(database.db, log, 200, tenantId);
    const job = await runOneJob(database.db, 'demo-seed', signal, log);
    if (!events && !job) return;
  }
}
