import { type RawBuilder, sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { FieldDef } from './field-types.ts';
import type { ObjectDef } from './object-def.ts';

/**
 * Race-safe unique fields (migration 0006). A live record holds one row in
 * `record_unique_values` per unique field with a value; the table's primary key is what makes
 * two concurrent writers of one value collide. Keys are computed in SQL by `kehu_unique_key`
 * from the value's JSON form, the same function the backfill used.
 */

export const uniqueFields = (obj: ObjectDef): FieldDef[] => obj.fields.filter((f) => f.unique && !f.system);

/** How `kehu_unique_key` normalises a field's values. */
export function keyKind(f: FieldDef): 'number' | 'currency' | 'datetime' | 'json' | 'text' {
  switch (f.type) {
    case 'number':
    case 'percent':
      return 'number';
    case 'currency':
      return 'currency';
    case 'datetime':
      return 'datetime';
    case 'json':
    case 'multipicklist':
      return 'json';
    default:
      return 'text';
  }
}

/** A field's stored value on a row aliased `r`, as JSONB (what the key function reads). */
export function storedJson(obj: ObjectDef, f: FieldDef): RawBuilder<unknown> {
  if (f.column) return sql`to_jsonb(${sql.ref(`r.${f.column}`)})`;
  return sql`(${sql.ref(`r.${obj.jsonColumn}`)} -> ${sql.lit(f.apiName)})`;
}

export interface Claim {
  recordId: string;
  /** Field apiName → value as written (null clears the field's claim). */
  values: Record<string, unknown>;
}

export interface Refused {
  recordId: string;
  field: string;
}

/**
 * Claims the values of unique fields for records about to be written, in ONE statement: new
 * keys are inserted (ON CONFLICT DO NOTHING waits for a concurrent claimer of the same key to
 * finish, then skips), and a record's previous key for a field is released only where its new
 * key was claimed or the field was cleared. Returns the (record, field) pairs whose value
 * belongs to another live record; nothing is claimed for those fields.
 */
export async function claimUniqueValues(
  tx: Tx,
  tenantId: string,
  obj: ObjectDef,
  claims: Claim[],
): Promise<Refused[]> {
  const fields = uniqueFields(obj);
  const ids: string[] = [];
  const names: string[] = [];
  const kinds: string[] = [];
  const values: string[] = [];
  for (const c of claims)
    for (const f of fields) {
      if (!(f.apiName in c.values) || c.values[f.apiName] === undefined) continue;
      ids.push(c.recordId);
      names.push(f.apiName);
      kinds.push(keyKind(f));
      values.push(JSON.stringify(c.values[f.apiName] ?? null));
    }
  if (ids.length === 0) return [];
  return want(
    tx,
    tenantId,
    obj,
    sql`select x.record_id, x.field, kehu_unique_key(x.kind, x.v::jsonb) as value_key
      from unnest(${ids}::uuid[], ${names}::text[], ${kinds}::text[], ${values}::text[]) as x(record_id, field, kind, v)`,
  );
}

/** Claims every unique value a stored row holds (restore). */
export async function claimStoredValues(
  tx: Tx,
  tenantId: string,
  obj: ObjectDef,
  recordIds: string[],
): Promise<Refused[]> {
  const fields = uniqueFields(obj);
  if (fields.length === 0 || recordIds.length === 0) return [];
  const parts = fields.map(
    (f) => sql`select r.id as record_id, ${f.apiName}::text as field,
      kehu_unique_key(${keyKind(f)}, ${storedJson(obj, f)}) as value_key
      from ${sql.table(obj.table)} as r where r.tenant_id = ${tenantId} and r.id = any(${recordIds}::uuid[])`,
  );
  return want(tx, tenantId, obj, sql.join(parts, sql` union all `));
}

async function want(
  tx: Tx,
  tenantId: string,
  obj: ObjectDef,
  wanted: RawBuilder<unknown>,
): Promise<Refused[]> {
  const rows = (
    await sql<{ record_id: string; field: string }>`
      with want as (${wanted}),
      ins as (
        insert into record_unique_values (tenant_id, object, field, value_key, record_id)
        select ${tenantId}::uuid, ${obj.apiName}, w.field, w.value_key, w.record_id from want w
        where w.value_key is not null
        order by w.field, w.value_key
        on conflict do nothing
        returning record_id, field
      ),
      del as (
        delete from record_unique_values u using want w
        where u.tenant_id = ${tenantId} and u.object = ${obj.apiName} and u.record_id = w.record_id and u.field = w.field
          and u.value_key is distinct from w.value_key
          and (w.value_key is null or exists (select 1 from ins i where i.record_id = w.record_id and i.field = w.field))
      )
      select w.record_id, w.field from want w
      where w.value_key is not null
        and not exists (select 1 from ins i where i.record_id = w.record_id and i.field = w.field)
        and not exists (select 1 from record_unique_values u where u.tenant_id = ${tenantId} and u.object = ${obj.apiName}
          and u.field = w.field and u.value_key = w.value_key and u.record_id = w.record_id)`.execute(tx)
  ).rows;
  return rows.map((r) => ({ recordId: r.record_id, field: r.field }));
}

/** Frees every value these records hold (soft delete, or undoing a refused new record's claims). */
export async function releaseUniqueValues(
  tx: Tx,
  tenantId: string,
  obj: ObjectDef,
  recordIds: string[],
): Promise<void> {
  if (recordIds.length === 0) return;
  await sql`delete from record_unique_values where tenant_id = ${tenantId} and record_id = any(${recordIds}::uuid[])
    and object = ${obj.apiName}`.execute(tx);
}

/**
 * A field becomes unique: refuses when live records already share a value (returns how many
 * values are shared; the values themselves may be personal data), else claims every live
 * record's value.
 */
export async function claimField(
  tx: Tx,
  tenantId: string,
  obj: ObjectDef,
  f: FieldDef,
): Promise<{ sharedValues: number }> {
  const where = sql`r.tenant_id = ${tenantId} and r.deleted_at is null ${obj.discriminator ? sql`and r.object = ${obj.discriminator}` : sql``}`;
  const key = sql`kehu_unique_key(${keyKind(f)}, ${storedJson(obj, f)})`;
  const shared = (
    await sql<{ n: number }>`select count(*)::int as n from (select 1 from ${sql.table(obj.table)} as r
      where ${where} and ${key} is not null group by ${key} having count(*) > 1) d`.execute(tx)
  ).rows[0]!.n;
  if (shared > 0) return { sharedValues: shared };
  await sql`insert into record_unique_values (tenant_id, object, field, value_key, record_id)
    select ${tenantId}::uuid, ${obj.apiName}, ${f.apiName}, ${key}, r.id from ${sql.table(obj.table)} as r
    where ${where} and ${key} is not null
    on conflict do nothing`.execute(tx);
  return { sharedValues: 0 };
}

/** A field stops being unique (or is deleted): its claims go. */
export async function releaseField(tx: Tx, tenantId: string, object: string, field?: string): Promise<void> {
  await sql`delete from record_unique_values where tenant_id = ${tenantId} and object = ${object}
    ${field ? sql`and field = ${field}` : sql``}`.execute(tx);
}
