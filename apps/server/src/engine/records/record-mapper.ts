import { type RawBuilder, sql } from 'kysely';
import type { FieldAccess, Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { fieldAccess } from './field-access.ts';
import { type FieldDef, maskValue } from './field-types.ts';
import type { ObjectDef } from './object-def.ts';
import { scopeWhere } from './record-sql.ts';

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

/**
 * Names of users and units referenced by typed columns, as correlated sub-selects of the main
 * query: a list page then costs one query instead of one per referenced table.
 */
export function displayColumns(
  obj: ObjectDef,
  access: Map<string, FieldAccess>,
): { sql: RawBuilder<unknown>; fields: Set<string> } {
  const parts: RawBuilder<unknown>[] = [];
  const fields = new Set<string>();
  for (const f of obj.fields) {
    if (!f.column || (f.type !== 'user' && f.type !== 'unit') || access.get(f.apiName) === 'hidden') continue;
    const t = sql.table(f.type === 'user' ? 'users' : 'units');
    parts.push(
      sql`(select d.name from ${t} d where d.tenant_id = r.tenant_id and d.id = ${sql.ref(`r.${f.column}`)}) as ${sql.ref(`__d_${f.apiName}`)}`,
    );
    fields.add(f.apiName);
  }
  return { sql: parts.length ? sql`, ${sql.join(parts)}` : sql``, fields };
}

interface Directory {
  version: number;
  users: Map<string, string>;
  units: Map<string, string>;
}
const directories = new Map<string, Directory>();

/**
 * Names of a tenant's users and units, cached per authz_version (every user or unit change
 * bumps it): owner/unit columns on a list page then cost no query at all.
 */
async function directory(tx: Tx, tenantId: string, version: number): Promise<Directory> {
  const hit = directories.get(tenantId);
  if (hit && hit.version === version) return hit;
  const users = await sql<{
    id: string;
    name: string;
  }>`select id, name from users where tenant_id = ${tenantId}`.execute(tx);
  const units = await sql<{
    id: string;
    name: string;
  }>`select id, name from units where tenant_id = ${tenantId}`.execute(tx);
  const d = {
    version,
    users: new Map(users.rows.map((r) => [r.id, r.name])),
    units: new Map(units.rows.map((r) => [r.id, r.name])),
  };
  if (directories.size > 5000) directories.clear();
  directories.set(tenantId, d);
  return d;
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
  const display: Record<string, string> = {};
  for (const k of Object.keys(row)) if (k.startsWith('__d_') && row[k] !== null) display[k.slice(4)] = row[k];
  if (Object.keys(display).length) out._display = display;
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
  resolvedInQuery: Set<string> = new Set(),
  /** When given, names of linked records outside this viewer's row scope stay hidden. */
  viewer?: Principal,
): Promise<void> {
  if (records.length === 0) return;
  const refFields = obj.fields.filter(
    (f) => ['lookup', 'user', 'unit'].includes(f.type) && !resolvedInQuery.has(f.apiName),
  );
  const wanted = new Map<string, Set<string>>(); // target key → ids
  const targetOf = (f: FieldDef) =>
    f.type === 'user' ? 'user' : f.type === 'unit' ? 'unit' : `obj:${f.lookupObject}`;
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
  const dir =
    viewer && (wanted.has('user') || wanted.has('unit'))
      ? await directory(tx, tenantId, viewer.authzVersion)
      : null;
  for (const [target, idSet] of wanted) {
    const ids = [...idSet];
    let rows: { id: string; name: string }[] = [];
    if (dir && (target === 'user' || target === 'unit')) {
      const map = target === 'user' ? dir.users : dir.units;
      for (const id of ids) {
        const n = map.get(id);
        if (n !== undefined) names.set(`${target}:${id}`, n);
      }
      continue;
    }
    if (target === 'user')
      rows = (
        await sql<{
          id: string;
          name: string;
        }>`select id, name from users where tenant_id = ${tenantId} and id = any(${ids}::uuid[])`.execute(tx)
      ).rows;
    else if (target === 'unit')
      rows = (
        await sql<{
          id: string;
          name: string;
        }>`select id, name from units where tenant_id = ${tenantId} and id = any(${ids}::uuid[])`.execute(tx)
      ).rows;
    else {
      const t = objects.get(target.slice(4));
      if (!t) continue;
      const nameF = t.fields.find((f) => f.apiName === t.nameField)!;
      const nameExpr = nameF.column
        ? sql.ref(`r.${nameF.column}`)
        : sql`${sql.ref(`r.${t.jsonColumn}`)}->>${sql.lit(nameF.apiName)}`;
      rows = (
        await sql<{
          id: string;
          name: string;
        }>`select r.id, ${nameExpr} as name from ${sql.table(t.table)} as r
        where r.tenant_id = ${tenantId} and r.id = any(${ids}::uuid[]) and ${viewer ? scopeWhere(viewer, t) : sql`true`}`.execute(
          tx,
        )
      ).rows;
      // The linked name as the viewer sees that object's name field: masked stays masked, hidden is left out.
      const a = viewer ? fieldAccess(viewer, t, nameF) : 'full';
      if (a === 'hidden') rows = [];
      else if (a === 'masked')
        rows = rows.map((x) => (x.name == null ? x : { id: x.id, name: String(maskValue(nameF, x.name)) }));
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
    if (Object.keys(display).length) r._display = { ...r._display, ...display };
  }
}
