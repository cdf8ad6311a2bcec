import { type RawBuilder, sql } from 'kysely';
import { field, type ObjectDef, systemFields } from '../../engine/records/object-def.ts';
import { standardObjects } from '../../engine/records/standard-objects.ts';

/**
 * Where the records of an object live, for tags and segments over objects (R2.2): standard
 * objects (lead, opportunity, quote, order, activity, product …) have their own table, custom
 * objects share `custom_records` under a discriminator. Resolved from the record engine's
 * code-declared definitions, so a module adding a standard object needs nothing here.
 */
export interface RecordSource {
  /** `from` clause item aliased `r`. */
  table: RawBuilder<unknown>;
  /** Tenant, object and not-deleted predicate over `r`. */
  where: (tenantId: string) => RawBuilder<unknown>;
  /** The record's values as JSON keyed by field API name (what a rule's `trait` names). */
  data: RawBuilder<unknown>;
}

const customBase = (object: string): ObjectDef => ({
  apiName: object,
  label: { 'zh-CN': object, 'en-US': object },
  pluralLabel: { 'zh-CN': object, 'en-US': object },
  icon: 'appstore',
  isCustom: true,
  table: 'custom_records',
  jsonColumn: 'data',
  discriminator: object,
  nameField: 'name',
  fields: [...systemFields(), field('name', 'text', '名称', 'Name', { column: 'name' })],
  layout: { sections: [] },
  listColumns: [],
  relatedLists: [],
});

/** jsonb_build_object takes at most 100 arguments: 40 pairs per call, joined with `||`. */
const PAIRS_PER_CALL = 40;

function dataOf(obj: ObjectDef): RawBuilder<unknown> {
  const pairs = obj.fields
    .filter((f) => f.column)
    .map((f) => {
      const col = sql.ref(`r.${f.column}`);
      // Money compares in major units (¥), as people type it; stored as minor units.
      const v = f.type === 'currency' ? sql`((${col}->>'amount')::numeric / 100)` : sql`${col}`;
      return sql`${sql.lit(f.apiName)}::text, ${v}`;
    });
  const calls: RawBuilder<unknown>[] = [];
  for (let i = 0; i < pairs.length; i += PAIRS_PER_CALL)
    calls.push(sql`jsonb_build_object(${sql.join(pairs.slice(i, i + PAIRS_PER_CALL))})`);
  const json = sql`coalesce(${sql.ref(`r.${obj.jsonColumn}`)}, '{}'::jsonb)`;
  // Custom fields (also custom fields on standard objects) first; declared columns win on a clash.
  // Standard rows also keep their column names, which rules saved before API names still use.
  const base = obj.isCustom ? json : sql`(to_jsonb(r) || ${json})`;
  return calls.length ? sql`(${base} || ${sql.join(calls, sql` || `)})` : base;
}

const cache = new Map<string, RecordSource>();

export function recordSource(object: string): RecordSource {
  const hit = cache.get(object);
  if (hit) return hit;
  const obj = standardObjects().find((o) => o.apiName === object) ?? customBase(object);
  const src: RecordSource = {
    table: sql`${sql.table(obj.table)} r`,
    where: (tenantId) =>
      obj.discriminator
        ? sql`r.tenant_id = ${tenantId} and r.object = ${obj.discriminator} and r.deleted_at is null`
        : sql`r.tenant_id = ${tenantId} and r.deleted_at is null`,
    data: dataOf(obj),
  };
  // Only standard objects are kept: they are fixed once registered at start-up.
  if (!obj.isCustom) cache.set(object, src);
  return src;
}
