import { type RawBuilder, sql } from 'kysely';
import type { Principal } from '../../core/auth/principal.ts';
import { rowScope } from '../../core/auth/principal.ts';
import type { FieldDef } from './field-types.ts';
import type { ObjectDef } from './object-def.ts';

export type SqlType = 'text' | 'numeric' | 'bigint' | 'date' | 'timestamptz' | 'boolean' | 'uuid' | 'jsonb';

/** The SQL type a field's values compare as. */
export function sqlType(f: FieldDef): SqlType {
  switch (f.type) {
    case 'number':
    case 'percent':
      return 'numeric';
    case 'currency':
      return 'bigint';
    case 'date':
      return 'date';
    case 'datetime':
      return 'timestamptz';
    case 'boolean':
      return 'boolean';
    case 'multipicklist':
    case 'json':
      return 'jsonb';
    case 'lookup':
    case 'user':
    case 'unit':
      return f.column ? 'uuid' : 'text';
    default:
      return f.column === 'id' ? 'uuid' : 'text';
  }
}

/** SQL expression of a field's value on a row aliased `r`, typed as `sqlType(f)`. */
export function fieldExpr(obj: ObjectDef, f: FieldDef): RawBuilder<unknown> {
  if (f.column) {
    const col = sql.ref(`r.${f.column}`);
    return f.type === 'currency' ? sql`((${col}->>'amount')::bigint)` : sql`${col}`;
  }
  const json = sql.ref(`r.${obj.jsonColumn}`);
  const key = sql.lit(f.apiName);
  switch (sqlType(f)) {
    case 'jsonb':
      return sql`(${json}->${key})`;
    case 'bigint':
      return sql`((${json}->${key}->>'amount')::bigint)`;
    case 'text':
      return sql`(${json}->>${key})`;
    default:
      return sql`((${json}->>${key})::${sql.raw(sqlType(f))})`;
  }
}

/** Tenant, object and soft-delete predicate shared by every read. */
export function baseWhere(obj: ObjectDef, tenantId: string, deleted = false): RawBuilder<unknown> {
  const parts = [sql`r.tenant_id = ${tenantId}`];
  if (obj.discriminator) parts.push(sql`r.object = ${obj.discriminator}`);
  parts.push(deleted ? sql`r.deleted_at is not null` : sql`r.deleted_at is null`);
  return sql.join(parts, sql` and `);
}

/** Row-level data scope: the single place where "who may see which rows" becomes SQL. */
export function scopeWhere(p: Principal, obj: ObjectDef): RawBuilder<unknown> {
  const scope = rowScope(p, obj.apiName);
  if (scope.unitIds === null) return sql`true`;
  if (scope.ownerId) return sql`r.owner_id = ${scope.ownerId}`;
  if (scope.unitIds.length === 1) return sql`r.unit_id = ${scope.unitIds[0]}`;
  return sql`r.unit_id = any(${scope.unitIds}::uuid[])`;
}
