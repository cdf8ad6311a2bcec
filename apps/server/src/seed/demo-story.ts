import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { createApp } from '../app.ts';
import type { Config } from '../core/config.ts';
import type { Database } from '../core/db/database.ts';
import { dispatchBatch } from '../core/events/dispatcher.ts';
import { runOneJob } from '../core/jobs/queue.ts';
import { seedCdpStory } from './demo-cdp.ts';
import { type Call, type SignIn, seedLeadsStory, seedSalesStory } from './demo-sales.ts';

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
  const now = opts.now ?? Date.now();
  const app = await createApp({ ...config, LOG_LEVEL: 'warn' }, database);
  try {
    const signIn = signInWith(app, tenant.slug, tenant.password);
    const sales = await seedSalesStory(signIn, { now });
    const leads = await seedLeadsStory(signIn, sales.uid, now);
    const admin = await signIn('admin');
    // Linked after commit like any CRM write (drained here): their web history merges into
    // the linked profile when they sign in on the shop.
    const crmPhones = await seedCrmPeople(admin);
    await drain(database, tenant.tenantId);
    const cdp = await seedCdpStory(admin, sendWith(app), { seed: opts.seed, now, crmPhones });
    await drain(database, tenant.tenantId);
    await ageLeads(database, tenant.tenantId);
    return {
      pendingQuoteId: sales.pendingQuoteId,
      orderId: sales.orderId,
      leads: leads.length,
      events: cdp.events,
      ms: Date.now() - started,
    };
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

/** Retail customers who also shop online: the CDP links them to their web profiles. */
async function seedCrmPeople(admin: Call): Promise<string[]> {
  const names = [
    '林晓峰',
    '郑雅文',
    '高明远',
    '罗欣怡',
    '梁志诚',
    '宋佳琪',
    '唐浩宇',
    '韩梦瑶',
    '冯子轩',
    '曹婉清',
  ];
  const records = Array.from({ length: 30 }, (_, i) => ({
    name: `${names[i % names.length]}${i >= names.length ? String.fromCharCode(0x7532 + Math.floor(i / names.length)) : ''}`,
    kind: 'person',
    phone: `188${String(30_000_000 + i * 104_729).slice(0, 8)}`,
    source: 'website',
    level: ['A', 'B', 'C'][i % 3],
  }));
  await admin('POST', '/records/customer/bulk', { op: 'create', records });
  return records.map((r) => r.phone);
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

/**
 * Leads arrived over the last hour, not all in the same second: the unanswered ones are moved
 * back in time so some are minutes from breaching their first-response deadline. Only the
 * clock is simulated; assignment, scoring and the SLA itself were applied by the API.
 */
async function ageLeads(database: Database, tenantId: string) {
  const leads = (
    await sql<{ id: string; due: Date }>`select id, first_response_due_at as due from leads
      where tenant_id = ${tenantId} and first_responded_at is null and first_response_due_at is not null
      order by created_at, id`.execute(database.db)
  ).rows;
  for (const [i, l] of leads.entries()) {
    const agoMin = [26, 22, 12, 5][i % 4]! + Math.floor(i / 4);
    const shift = `${agoMin} minutes`;
    await sql`update leads set created_at = created_at - ${shift}::interval, updated_at = updated_at - ${shift}::interval,
        first_response_due_at = first_response_due_at - ${shift}::interval
      where tenant_id = ${tenantId} and id = ${l.id}`.execute(database.db);
  }
}
