import { sql } from 'kysely';
import type { Actor } from '../../core/audit/audit.ts';
import type { FieldAccess, Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { accessMap } from './field-access.ts';
import { getObject, loadMetadata, type TenantMetadata } from './metadata.service.ts';
import type { ObjectDef } from './object-def.ts';

/** Everything one record operation needs, resolved once per request. */
export interface RecordCtx {
  tx: Tx;
  principal: Principal;
  actor: Actor;
  meta: TenantMetadata;
  obj: ObjectDef;
  access: Map<string, FieldAccess>;
}

export async function recordCtx(
  tx: Tx,
  principal: Principal,
  actor: Actor,
  object: string,
): Promise<RecordCtx> {
  const meta = await loadMetadata(tx, principal.tenantId, principal.authzVersion);
  const obj = getObject(meta, object);
  return { tx, principal, actor, meta, obj, access: accessMap(principal, obj) };
}

/** The object's table aliased `r`, as every record query names it. */
export const table = (obj: ObjectDef) => sql`${sql.table(obj.table)} as r`;
