import type { TypedTx } from '../db/tenant-scope.ts';
import { emitEvent } from '../events/outbox.ts';
import { type Actor, type AuditEntry, writeAudit } from './audit.ts';

/**
 * An administrative change (unit, user, role, API key): its audit row and its domain event
 * `event`, both in the caller's transaction, so neither exists without the other.
 */
export async function recordChange(
  tx: TypedTx,
  actor: Actor,
  event: string,
  entry: AuditEntry,
): Promise<void> {
  await writeAudit(tx, actor, entry);
  await emitEvent(tx, actor.tenantId, {
    type: event,
    object: entry.object,
    recordId: entry.recordId,
    payload: { id: entry.recordId, action: entry.action, fields: entry.changes?.map((c) => c.field) ?? [] },
  });
}
