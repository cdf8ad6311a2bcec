import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { sha256 } from '../../core/auth/tokens.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { findUnstorableText, MAX_JSON_DEPTH } from '../../core/http/json-text.ts';
import { newId } from '../../core/ids.ts';
import { kick } from '../../core/jobs/queue.ts';

/**
 * Segment-compatible ingestion (`/v1/track` …), its own Fastify scope so its text/plain JSON
 * parser and CORS headers stay out of the Kehu API. A 200 is sent only after the events are
 * committed; identity resolution and rule evaluation follow in the `cdp:process` job.
 */
export const EVENT_LIMIT = 32 * 1024;
export const BATCH_LIMIT = 500 * 1024;
let maxInFlight = Number(process.env.KEHU_CDP_MAX_IN_FLIGHT ?? 64);
/** Bounded concurrency instead of an unbounded queue: beyond it, 429 with Retry-After. */
export function setIngestLimit(n: number) {
  maxInFlight = n;
}
const TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
const SHORT: Record<string, string> = {
  t: 'track',
  i: 'identify',
  p: 'page',
  s: 'screen',
  g: 'group',
  a: 'alias',
};

interface SourceRow {
  tenant_id: string;
  id: string;
  enabled: boolean;
}
const keyCache = new Map<string, { at: number; row: SourceRow | null }>();
/** Disabling a source takes effect within this many ms on every process. */
const KEY_TTL = 2000;

export function forgetWriteKeys() {
  keyCache.clear();
}

async function sourceFor(database: Database, writeKey: string): Promise<SourceRow | null> {
  const h = sha256(writeKey);
  const hit = keyCache.get(h);
  if (hit && Date.now() - hit.at < KEY_TTL) return hit.row;
  const r =
    await sql<SourceRow>`select tenant_id, id, enabled from cdp_sources where key_hash = ${h}`.execute(
      database.db,
    );
  const row = r.rows[0] ?? null;
  if (keyCache.size > 10_000) keyCache.clear();
  keyCache.set(h, { at: Date.now(), row });
  return row;
}

function writeKeyOf(req: FastifyRequest, body: any): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return (i >= 0 ? decoded.slice(0, i) : decoded) || null;
  }
  if (body && typeof body === 'object' && typeof body.writeKey === 'string') return body.writeKey;
  return null;
}

export interface Accepted {
  id: string;
  ts: Date;
  messageId: string;
  type: string;
  event: string | null;
  userId: string | null;
  anonymousId: string | null;
  identKind: string;
  ident: string;
  /** The stored payload as JSON text: the message plus `type` and `receivedAt`. */
  raw: string;
}
export interface Rejected {
  index: number;
  messageId?: string;
  reason: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function parseTime(v: unknown): Date | null | 'invalid' {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' && typeof v !== 'number') return 'invalid';
  const d = new Date(v);
  if (Number.isNaN(+d)) return 'invalid';
  const y = d.getUTCFullYear();
  if (y < 2000 || y > 2100) return 'invalid';
  return d;
}

/** Validates one message; returns the row to store or the reason it is rejected. */
const UNSTORABLE: Record<string, string> = {
  text_nul: 'contains a NUL character (\\u0000)',
  text_surrogate: 'contains an unpaired UTF-16 surrogate',
  max_depth: `nests deeper than ${MAX_JSON_DEPTH} levels`,
};

export function validateMessage(
  msg: unknown,
  typeHint: string | null,
  receivedAt: Date,
  batchSentAt: unknown,
): Accepted | string {
  if (!isObj(msg)) return 'message must be a JSON object';
  const json = JSON.stringify(msg);
  const size = Buffer.byteLength(json);
  if (size > EVENT_LIMIT) return `message is ${size} bytes; the limit is ${EVENT_LIMIT}`;
  const unstorable = findUnstorableText(msg);
  if (unstorable)
    return `${unstorable.field.replaceAll('\u0000', '\\u0000').toWellFormed() || 'message'}: ${UNSTORABLE[unstorable.code]}`;
  const type = (typeof msg.type === 'string' ? msg.type : typeHint) ?? '';
  if (!(TYPES as readonly string[]).includes(type)) return `unknown type '${String(type).slice(0, 40)}'`;
  const idStr = (v: unknown, field: string): string | null | Error => {
    if (v === undefined || v === null || v === '') return null;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v !== 'string') return new Error(`${field} must be a string`);
    if (v.length > 200) return new Error(`${field} is longer than 200 characters`);
    return v;
  };
  const userId = idStr(msg.userId, 'userId');
  if (userId instanceof Error) return userId.message;
  const anonymousId = idStr(msg.anonymousId, 'anonymousId');
  if (anonymousId instanceof Error) return anonymousId.message;
  if (!userId && !anonymousId) return 'userId or anonymousId is required';
  let event: string | null = null;
  if (type === 'track') {
    if (typeof msg.event !== 'string' || !msg.event.trim()) return 'track needs a non-empty string event';
    if (msg.event.length > 200) return 'event name is longer than 200 characters';
    event = msg.event;
  } else if (type === 'page' || type === 'screen') {
    event = typeof msg.name === 'string' ? msg.name.slice(0, 200) : null;
  }
  if (type === 'alias' && idStr(msg.previousId, 'previousId') === null) return 'alias needs previousId';
  if (type === 'group' && idStr(msg.groupId, 'groupId') === null) return 'group needs groupId';
  for (const f of ['properties', 'traits', 'context', 'integrations'] as const)
    if (msg[f] !== undefined && msg[f] !== null && !isObj(msg[f])) return `${f} must be an object`;
  const timestamp = parseTime(msg.timestamp ?? msg.originalTimestamp);
  if (timestamp === 'invalid') return 'timestamp is not a valid ISO 8601 time';
  const sentAt = parseTime(msg.sentAt ?? batchSentAt);
  if (sentAt === 'invalid') return 'sentAt is not a valid ISO 8601 time';
  // Clock-skew correction as Segment does it: the device clock is trusted for durations only.
  let ts = timestamp ?? receivedAt;
  if (timestamp && sentAt) ts = new Date(+receivedAt - (+sentAt - +timestamp));
  const messageId =
    typeof msg.messageId === 'string' && msg.messageId.length > 0 && msg.messageId.length <= 200
      ? msg.messageId
      : typeof msg.messageId === 'number'
        ? String(msg.messageId)
        : null;
  if (msg.messageId !== undefined && messageId === null)
    return 'messageId must be a string of at most 200 characters';
  // The text measured above becomes the stored payload: `type` and `receivedAt` are appended
  // rather than spread in and serialised again (jsonb keeps the last of duplicate keys).
  const extra = `"type":${JSON.stringify(type)},"receivedAt":"${receivedAt.toISOString()}"}`;
  const raw = json === '{}' ? `{${extra}` : `${json.slice(0, -1)},${extra}`;
  return {
    id: newId(),
    ts,
    messageId: messageId ?? `kehu-${newId()}`,
    type,
    event,
    userId,
    anonymousId,
    identKind: userId ? 'user_id' : 'anonymous_id',
    ident: (userId ?? anonymousId)!,
    raw,
  };
}

let inFlight = 0;
export const ingestInFlight = () => inFlight;

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Rejected[];
}

/** Stores accepted events once per messageId and source, in one transaction. */
export async function storeEvents(
  database: Database,
  source: SourceRow,
  events: Accepted[],
): Promise<{ stored: number; duplicates: number }> {
  if (!events.length) return { stored: 0, duplicates: 0 };
  const unique = new Map<string, Accepted>();
  for (const e of events) if (!unique.has(e.messageId)) unique.set(e.messageId, e);
  const list = [...unique.values()];
  const col = <K extends keyof Accepted>(k: K) => list.map((e) => e[k]);
  const stored = await inTenant(database.db, source.tenant_id, async (tx) => {
    // One statement, one array per column: claim the messageIds, store the events whose id was
    // new (properties are the payload's own, taken from it in SQL), queue them for processing.
    const r = await sql<{ n: number }>`with v as (
        select * from unnest(${col('id')}::uuid[], ${col('ts').map((d) => d.toISOString())}::timestamptz[],
          ${col('messageId')}::text[], ${col('type')}::text[], ${col('event')}::text[], ${col('userId')}::text[],
          ${col('anonymousId')}::text[], ${col('identKind')}::text[], ${col('ident')}::text[])
          with ordinality as v(id, ts, message_id, type, event, user_id, anonymous_id, ident_kind, ident, n)),
      fresh as (insert into cdp_message_ids (tenant_id, source_id, message_id)
        select ${source.tenant_id}, ${source.id}, message_id from v on conflict do nothing returning message_id),
      ev as (insert into cdp_events (tenant_id, id, ts, source_id, message_id, type, event, user_id, anonymous_id, ident_kind, ident, properties, raw)
        select ${source.tenant_id}, v.id, v.ts, ${source.id}, v.message_id, v.type, v.event, v.user_id, v.anonymous_id, v.ident_kind, v.ident,
          coalesce(case when jsonb_typeof(p.props) = 'object' then p.props end, '{}'), r.raw
        from v join fresh using (message_id)
          cross join lateral (select (${`[${col('raw').join(',')}]`}::jsonb) -> (v.n::int - 1)) as r(raw)
          cross join lateral (select case when v.type in ('identify', 'group') then r.raw -> 'traits' else r.raw -> 'properties' end) as p(props)
        returning id, ts),
      -- one queue row for the request, its events in message order
      q as (insert into cdp_pending (tenant_id, event_ids, tss)
        select ${source.tenant_id}, array_agg(v.id order by v.n), array_agg(v.ts order by v.n) from v join ev using (id)
        having count(*) > 0 returning cardinality(event_ids) as n),
      seen as (update cdp_sources set last_event_at = now() where tenant_id = ${source.tenant_id} and id = ${source.id}
        and (last_event_at is null or last_event_at < now() - interval '10 seconds') and exists (select 1 from q)),
      -- enqueue(tx, tenant, 'cdp:process') of platform/jobs/queue.ts, inlined: one round trip less
      job as (insert into jobs (tenant_id, id, queue, payload, max_attempts)
        select ${source.tenant_id}, ${newId()}, 'cdp:process', '{}', 20 where exists (select 1 from q))
      select coalesce(sum(n), 0)::int as n from q`.execute(tx);
    return r.rows[0]?.n ?? 0;
  });
  // The job was enqueued inside the transaction; wake a worker now that it is visible.
  if (stored) kick();
  return { stored, duplicates: events.length - stored };
}

async function recordRejections(database: Database, source: SourceRow, rejected: Rejected[], raw: unknown[]) {
  if (!rejected.length) return;
  await inTenant(database.db, source.tenant_id, async (tx) => {
    await sql`insert into cdp_debug (tenant_id, source_id, ok, type, message_id, reason, payload)
      values ${sql.join(
        rejected.slice(0, 50).map((r) => {
          // A message PostgreSQL cannot store is logged by its reason alone.
          const p = findUnstorableText(raw[r.index]) ? undefined : raw[r.index];
          const small = p !== undefined && JSON.stringify(p).length <= 4096 ? JSON.stringify(p) : null;
          return sql`(${source.tenant_id}, ${source.id}, false, ${isObj(p) && typeof p.type === 'string' ? p.type.slice(0, 40) : null},
            ${p === undefined ? null : (r.messageId ?? null)}, ${r.reason}, ${small}::jsonb)`;
        }),
      )}`.execute(tx);
    await sql`delete from cdp_debug where tenant_id = ${source.tenant_id} and source_id = ${source.id}
      and seq < (select max(seq) - 200 from cdp_debug where tenant_id = ${source.tenant_id} and source_id = ${source.id})`.execute(
      tx,
    );
  });
}

function fail(reply: FastifyReply, status: number, reason: string, extra: Record<string, unknown> = {}) {
  return reply.status(status).send({ success: false, error: reason, ...extra });
}

function cdnSettings(req: FastifyRequest, writeKey: string) {
  // X-Forwarded-Host/-Proto count only from a configured proxy (TRUST_PROXY): Fastify decides.
  const proto = req.protocol;
  const host = req.host || 'localhost';
  return {
    integrations: {
      'Segment.io': {
        apiKey: writeKey,
        apiHost: `${host}/v1`,
        protocol: proto,
        unbundledIntegrations: [],
        addBundledMetadata: true,
      },
    },
    plan: {
      track: { __default: { enabled: true, integrations: {} } },
      identify: { __default: { enabled: true } },
      group: { __default: { enabled: true } },
    },
    edgeFunction: {},
    analyticsNextEnabled: true,
    middlewareSettings: {},
    enabledMiddleware: {},
    metrics: { sampleRate: 0 },
    legacyVideoPluginsEnabled: false,
    remotePlugins: [],
  };
}

export async function registerIngestion(app: FastifyInstance, database: Database): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // The browser client posts text/plain (a CORS "simple request", no preflight); both are JSON.
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BATCH_LIMIT * 2 }, (_req, body, done) => {
      done(null, body);
    });
    // Any site may send events: the write key authenticates, never a cookie, so no credentials.
    scope.addHook('onRequest', async (_req, reply) => {
      reply.header('access-control-allow-origin', '*');
      reply.header('access-control-allow-headers', 'content-type, authorization');
      reply.header('access-control-allow-methods', 'GET, POST, OPTIONS');
      reply.header('access-control-max-age', '86400');
    });
    // Over the transport limit Segment answers 400 with a reason, as for the batch limit below.
    scope.setErrorHandler((err: { code?: string }, _req, reply) => {
      if (err.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw err;
      return fail(
        reply,
        400,
        `body is over ${BATCH_LIMIT * 2} bytes; the limit is ${BATCH_LIMIT} for a batch, ${EVENT_LIMIT} for one event`,
      );
    });
    scope.options('/v1/*', async (_req, reply) => reply.status(204).send());

    scope.get<{ Params: { writeKey: string } }>('/v1/projects/:writeKey/settings', async (req, reply) => {
      const source = await sourceFor(database, req.params.writeKey);
      if (!source) return fail(reply, 404, 'unknown write key');
      return cdnSettings(req, req.params.writeKey);
    });

    const handle = async (req: FastifyRequest, reply: FastifyReply, typeHint: string | null) => {
      const buf = req.body as Buffer | undefined;
      if (!buf || buf.length === 0) return fail(reply, 400, 'empty body');
      if (buf.length > (typeHint === 'batch' ? BATCH_LIMIT : EVENT_LIMIT))
        return fail(
          reply,
          400,
          `body is ${buf.length} bytes; the limit is ${typeHint === 'batch' ? BATCH_LIMIT : EVENT_LIMIT}`,
        );
      let body: any;
      try {
        body = JSON.parse(buf.toString('utf8'));
      } catch {
        return fail(reply, 400, 'body is not valid JSON');
      }
      if (!isObj(body)) return fail(reply, 400, 'body must be a JSON object');
      const writeKey = writeKeyOf(req, body);
      if (!writeKey) return fail(reply, 401, 'missing write key (Basic auth or writeKey in the body)');
      const source = await sourceFor(database, writeKey);
      if (!source) return fail(reply, 401, 'unknown write key');
      if (!source.enabled) return fail(reply, 403, 'source is disabled');
      if (inFlight >= maxInFlight) {
        reply.header('retry-after', '1');
        return fail(reply, 429, 'overloaded; retry later');
      }
      inFlight++;
      try {
        const receivedAt = new Date();
        const items = (typeHint === 'batch' ? body.batch : [body]) as unknown[];
        if (!Array.isArray(items)) return fail(reply, 400, 'batch must be an array');
        if (items.length === 0) return { success: true, accepted: 0, duplicates: 0, rejected: [] };
        const accepted: Accepted[] = [];
        const rejected: Rejected[] = [];
        items.forEach((m, index) => {
          const r = validateMessage(m, typeHint === 'batch' ? null : typeHint, receivedAt, body.sentAt);
          if (typeof r === 'string')
            rejected.push({
              index,
              reason: r,
              messageId: isObj(m) && typeof m.messageId === 'string' ? m.messageId : undefined,
            });
          else accepted.push(r);
        });
        await recordRejections(database, source, rejected, items);
        if (typeHint !== 'batch' && rejected.length) return fail(reply, 400, rejected[0]!.reason);
        if (rejected.length && (body.allOrNothing === true || accepted.length === 0))
          return fail(reply, 400, `${rejected.length} invalid message(s)`, { rejected });
        const { stored, duplicates } = await storeEvents(database, source, accepted);
        return { success: true, accepted: stored, duplicates, rejected };
      } finally {
        inFlight--;
      }
    };

    scope.post('/v1/batch', (req, reply) => handle(req, reply, 'batch'));
    scope.post('/v1/b', (req, reply) => handle(req, reply, 'batch'));
    scope.post('/v1/import', (req, reply) => handle(req, reply, 'batch'));
    for (const t of TYPES) scope.post(`/v1/${t}`, (req, reply) => handle(req, reply, t));
    for (const [s, t] of Object.entries(SHORT)) scope.post(`/v1/${s}`, (req, reply) => handle(req, reply, t));
  });
}
