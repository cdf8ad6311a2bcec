import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope.ts';
import { newId } from '../ids.ts';

export type AuditAction =
  | 'create'
  | 'update'
  | 'delete'
  | 'restore'
  | 'login'
  | 'login_failed'
  | 'logout'
  | 'export'
  | 'unmask'
  | 'import'
  | 'permission_change'
  | 'metadata_change'
  | 'api_key_create'
  | 'api_key_revoke'
  | 'password_reset'
  | (string & {});

export interface Actor {
  tenantId: string;
  actorId: string | null;
  actorKind: 'user' | 'api_key' | 'system';
  ip?: string;
  requestId?: string;
}

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface AuditEntry {
  action: AuditAction;
  object?: string;
  recordId?: string;
  changes?: FieldChange[];
  meta?: Record<string, unknown>;
}

/** Written in the caller's transaction, so an audit row exists exactly when the change does. */
export async function writeAudit(tx: Tx, actor: Actor, entry: AuditEntry): Promise<void> {
  await sql`insert into audit_log (tenant_id, id, actor_id, actor_kind, action, object, record_id, changes, meta, ip, request_id)
    values (${actor.tenantId}, ${newId()}, ${actor.actorId}, ${actor.actorKind}, ${entry.action}, ${entry.object ?? null},
      ${entry.recordId ?? null}, ${entry.changes ? JSON.stringify(entry.changes) : null}::jsonb,
      ${entry.meta ? JSON.stringify(entry.meta) : null}::jsonb, ${actor.ip ?? null}, ${actor.requestId ?? null})`.execute(
    tx,
  );
}

export async function writeAuditMany(tx: Tx, actor: Actor, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map(
    (e) =>
      sql`(${actor.tenantId}, ${newId()}, ${actor.actorId}, ${actor.actorKind}, ${e.action}, ${e.object ?? null},
      ${e.recordId ?? null}, ${e.changes ? JSON.stringify(e.changes) : null}::jsonb,
      ${e.meta ? JSON.stringify(e.meta) : null}::jsonb, ${actor.ip ?? null}, ${actor.requestId ?? null})`,
  );
  await sql`insert into audit_log (tenant_id, id, actor_id, actor_kind, action, object, record_id, changes, meta, ip, request_id)
    values ${sql.join(rows)}`.execute(tx);
}

/** Field-level diff of two flat value maps; unchanged fields are left out. */
export function diff(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  fields: string[],
): FieldChange[] {
  const out: FieldChange[] = [];
  for (const f of fields) {
    const a = before[f] ?? null;
    const b = after[f] ?? null;
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ field: f, from: a, to: b });
  }
  return out;
}
