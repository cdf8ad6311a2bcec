import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { asSystem } from '../db/tenant-scope.ts';
import { enqueue, type JobContext, kick, type Logger, registerJob } from '../jobs/queue.ts';
import type { DomainEvent } from './outbox.ts';

/**
 * Outbox → handlers. Durable subscribers get one job per event (queue `event:<name>`,
 * deduplicated by event id, retried with backoff, dead-lettered); in-process listeners
 * (live notifications, caches) are called best-effort after the event is committed.
 */
type Listener = (e: DomainEvent) => void;
interface Subscription {
  name: string;
  pattern: RegExp;
  batch?: boolean;
}

const subscriptions: Subscription[] = [];
const listeners: { pattern: RegExp; fn: Listener }[] = [];

const toRegExp = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

/** `pattern` like `customer.*` or `*.created`; the handler must be idempotent on `event.id`. */
export function subscribe(
  name: string,
  pattern: string,
  handler: (e: DomainEvent, job: JobContext) => Promise<void>,
) {
  subscriptions.push({ name, pattern: toRegExp(pattern) });
  registerJob<DomainEvent>(`event:${name}`, handler);
}

/**
 * Like `subscribe`, but one job per tenant per dispatched batch (up to 200 events) carries all
 * the matching events: for handlers whose work is cheaper in bulk than per record (e.g.
 * re-evaluating the records a write touched). Idempotent on the events' ids as a whole.
 */
export function subscribeBatch(
  name: string,
  patterns: string[],
  handler: (events: DomainEvent[], job: JobContext) => Promise<void>,
) {
  const pattern = new RegExp(patterns.map((p) => toRegExp(p).source).join('|'));
  subscriptions.push({ name, pattern, batch: true });
  registerJob<{ events: DomainEvent[] }>(`event:${name}`, (p, job) => handler(p.events, job));
}

export function onEvent(pattern: string, fn: Listener): () => void {
  const entry = { pattern: toRegExp(pattern), fn };
  listeners.push(entry);
  return () => listeners.splice(listeners.indexOf(entry), 1);
}

interface OutboxRow {
  tenant_id: string;
  id: string;
  type: string;
  object: string | null;
  record_id: string | null;
  payload: Record<string, unknown>;
  created_at: Date;
}

/** Moves one batch from the outbox; returns how many events it published. */
export async function dispatchBatch(db: Db, log: Logger, limit = 200, tenantId?: string): Promise<number> {
  const events = await asSystem(db, async (tx) => {
    const rows = (
      await sql<OutboxRow>`select tenant_id, id, type, object, record_id, payload, created_at from outbox
        where dispatched_at is null and (${tenantId ?? null}::uuid is null or tenant_id = ${tenantId ?? null}::uuid)
        order by id limit ${limit} for update skip locked`.execute(tx)
    ).rows;
    const published: DomainEvent[] = [];
    const batches = new Map<string, DomainEvent[]>();
    for (const r of rows) {
      const event: DomainEvent = {
        id: r.id,
        tenantId: r.tenant_id,
        type: r.type,
        object: r.object ?? undefined,
        recordId: r.record_id ?? undefined,
        payload: r.payload,
        createdAt: new Date(r.created_at).toISOString(),
      };
      for (const s of subscriptions) {
        if (!s.pattern.test(r.type)) continue;
        if (s.batch) {
          const key = `${s.name}\u0000${r.tenant_id}`;
          const list = batches.get(key);
          if (list) list.push(event);
          else batches.set(key, [event]);
        } else await enqueue(tx, r.tenant_id, `event:${s.name}`, event, { dedupeKey: r.id });
      }
      published.push(event);
    }
    for (const [key, events] of batches) {
      const [name, tenant] = key.split('\u0000') as [string, string];
      await enqueue(tx, tenant, `event:${name}`, { events }, { dedupeKey: events[0]!.id });
    }
    if (rows.length > 0) {
      await sql`update outbox set dispatched_at = now()
        where (tenant_id, id) in (${sql.join(rows.map((r) => sql`(${r.tenant_id}::uuid, ${r.id}::uuid)`))})`.execute(
        tx,
      );
    }
    return published;
  });
  // The handlers' jobs are due now: an idle worker in this process starts them instead of at its next poll.
  if (events.length) kick();
  for (const e of events) {
    for (const l of listeners) {
      if (!l.pattern.test(e.type)) continue;
      try {
        l.fn(e);
      } catch (err) {
        log.warn({ err: (err as Error).message, event: e.id }, 'event listener failed');
      }
    }
  }
  return events.length;
}

let wake: (() => void) | null = null;
export function kickDispatcher() {
  wake?.();
}

export async function startDispatcher(db: Db, log: Logger, signal: AbortSignal, pollMs = 250) {
  while (!signal.aborted) {
    let n = 0;
    try {
      n = await dispatchBatch(db, log);
    } catch (err) {
      if (!signal.aborted) log.error({ err: (err as Error).message }, 'dispatcher error');
    }
    if (n === 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          wake = null;
          resolve();
        };
        const timer = setTimeout(done, pollMs);
        signal.addEventListener('abort', done);
        wake = done;
      });
    }
  }
}
