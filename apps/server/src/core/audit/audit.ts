import { sql } from 'kysely';
import type { Json } from '../db/schema.ts';
import type { TypedTx } from '../db/tenant-scope.ts';
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
  | 'sign_in_unlock'
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

/** JSON for a jsonb column: serialised here, because pg would send a JS array as a PostgreSQL array. */
const jsonb = (value: unknown) => (value == null ? null : sql<Json>`${JSON.stringify(value)}::jsonb`);

/** Written in the caller's transaction, so an audit row exists exactly when the change does. */
export async function writeAudit(tx: TypedTx, actor: Actor, entry: AuditEntry): Promise<void> {
  await tx
    .insertInto('audit_log')
    .values({
      tenant_id: actor.tenantId,
      id: newId(),
      actor_id: actor.actorId,
      actor_kind: actor.actorKind,
      action: entry.action,
      object: entry.object ?? null,
      record_id: entry.recordId ?? null,
      changes: jsonb(entry.changes),
      meta: jsonb(entry.meta),
      ip: actor.ip ?? null,
      request_id: actor.requestId ?? null,
    })
    .execute();
}

export async function writeAuditMany(tx: TypedTx, actor: Actor, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  if (entries.length === 1) return writeAudit(tx, actor, entries[0]!);
  // One array parameter per column: a 1000-row import batch is one short statement (raw SQL for unnest).
  const col = (f: (e: AuditEntry) => string | null) => entries.map(f);
  await sql`insert into audit_log (tenant_id, id, actor_id, actor_kind, action, object, record_id, changes, meta, ip, request_id)
    select ${actor.tenantId}::uuid, u.id::uuid, ${actor.actorId}::uuid, ${actor.actorKind}, u.action, u.object, u.record_id::uuid,
      u.changes::jsonb, u.meta::jsonb, ${actor.ip ?? null}, ${actor.requestId ?? null}
    from unnest(${col(() => newId())}::text[], ${col((e) => e.action)}::text[], ${col((e) => e.object ?? null)}::text[],
      ${col((e) => e.recordId ?? null)}::text[], ${col((e) => (e.changes ? JSON.stringify(e.changes) : null))}::text[],
      ${col((e) => (e.meta ? JSON.stringify(e.meta) : null))}::text[]) as u(id, action, object, record_id, changes, meta)`.execute(
    tx,
  );
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
