import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope.ts';
import { newId } from '../ids.ts';

/** A fact about the business, e.g. `customer.created`. Handlers key their idempotency on `id`. */
export interface DomainEvent<P = Record<string, unknown>> {
  id: string;
  tenantId: string;
  type: string;
  object?: string;
  recordId?: string;
  payload: P;
  createdAt: string;
}

export interface NewEvent {
  type: string;
  object?: string;
  recordId?: string;
  payload: Record<string, unknown>;
}

/** Stored in the caller's transaction; published by the dispatcher only after commit. */
export async function emitEvents(tx: Tx, tenantId: string, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map(
    (e) =>
      sql`(${tenantId}, ${newId()}, ${e.type}, ${e.object ?? null}, ${e.recordId ?? null}, ${JSON.stringify(e.payload)}::jsonb)`,
  );
  await sql`insert into outbox (tenant_id, id, type, object, record_id, payload) values ${sql.join(rows)}`.execute(
    tx,
  );
}

export const emitEvent = (tx: Tx, tenantId: string, e: NewEvent) => emitEvents(tx, tenantId, [e]);
