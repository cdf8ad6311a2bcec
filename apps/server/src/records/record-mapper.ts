import { sql } from 'kysely';
import type { Tx } from '../platform/db/tenant-scope.ts';
import type { FieldAccess } from '../platform/permissions/principal.ts';
import { type FieldDef, maskValue } from './field-types.ts';
import type { ObjectDef } from './object-def.ts';

export type RecordOut = Record<string, unknown> & {
  id: string;
  version: number;
  _display?: Record<string, string>;
  _masked?: string[];
};

export type Row = Record<string, any>;

/** The value of a field on a raw row, as the API represents it (unmasked). */
export function rawValue(obj: ObjectDef, f: FieldDef, row: Row): unknown {
  const v = f.column ? row[f.column] : row[obj.jsonColumn]?.[f.apiName];
  if (v instanceof Date) return v.toISOString();
  return v ?? null;
}

/** Row → API record for one viewer: hidden fields left out, masked ones masked. */
export function toRecord(obj: ObjectDef, row: Row, access: Map<string, FieldAccess>): RecordOut {
  const out: RecordOut = { id: row.id, version: row.version };
  const masked: string[] = [];
  for (const f of obj.fields) {
    const a = access.get(f.apiName) ?? 'hidden';
    if (a === 'hidden') continue;
    const v = rawValue(obj, f, row);
    if (a === 'masked' && v !== null) {
      out[f.apiName] = maskValue(f, v);
      masked.push(f.apiName);
    } else out[f.apiName] = v;
  }
  out.deletedAt = row.deleted_at ? new Date(row.deleted_at).toISOString() : null;
  if (masked.length) out._masked = masked;
  return out;
}

/**
 * Names for the ids in lookup, user and unit fields, fetched in one query per target so a
 * page of 50 rows costs a constant number of round trips.
 */
export async function attachDisplay(
  tx: Tx,
  tenantId: string,
  objects: Map<string, ObjectDef>,
  obj: ObjectDef,
  records: RecordOut[],
): Promise<void> {
  if (records.length === 0) return;
  const refFields = obj.fields.filter((f) => ['lookup', 'user', 'unit'].includes(f.type));
  const wanted = new Map<string, Set<string>>(); // target key → ids
  const targetOf = (f: FieldDef) => (f.type === 'user' ? 'user' : f.type === 'unit' ? 'unit' : `obj:${f.lookupObject}`);
  for (const r of records)
    for (const f of refFields) {
      const v = r[f.apiName];
      if (typeof v === 'string' && v.length === 36) {
        const k = targetOf(f);
        if (!wanted.has(k)) wanted.set(k, new Set());
        wanted.get(k)!.add(v);
      }
    }
  const names = new Map<string, string>(); // `${target}:${id}` → name
  for (const [target, idSet] of wanted) {
    const ids = [...idSet];
    let rows: { id: string; name: string }[] = [];
    if (target === 'user') rows = (await sql<{ id: string; name: string }>`select id, name from users where tenant_id = ${tenantId} and id = any(${ids}::uuid[])`.execute(tx)).rows;
    else if (target === 'unit') rows = (await sql<{ id: string; name: string }>`select id, name from units where tenant_id = ${tenantId} and id = any(${ids}::uuid[])`.execute(tx)).rows;
    else {
      const t = objects.get(target.slice(4));
      if (!t) continue;
      const nameF = t.fields.find((f) => f.apiName === t.nameField)!;
      const nameExpr = nameF.column ? sql.ref(nameF.column) : sql`${sql.ref(t.jsonColumn)}->>${sql.lit(nameF.apiName)}`;
      rows = (await sql<{ id: string; name: string }>`select id, ${nameExpr} as name from ${sql.table(t.table)}
        where tenant_id = ${tenantId} and id = any(${ids}::uuid[])`.execute(tx)).rows;
    }
    for (const row of rows) names.set(`${target}:${row.id}`, row.name);
  }
  for (const r of records) {
    const display: Record<string, string> = {};
    for (const f of refFields) {
      const v = r[f.apiName];
      const n = typeof v === 'string' ? names.get(`${targetOf(f)}:${v}`) : undefined;
      if (n !== undefined) display[f.apiName] = n;
    }
    if (Object.keys(display).length) r._display = display;
  }
}
