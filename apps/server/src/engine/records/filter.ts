import { FILTER_OPS } from '@kehu/contracts/common';
import { depthLimited } from '@kehu/contracts/tree-depth';
import { type RawBuilder, sql } from 'kysely';
import { z } from 'zod';
import type { FieldAccess } from '../../core/auth/principal.ts';
import { type FieldError, invalid } from '../../core/errors.ts';
import { coerceValue, type FieldDef } from './field-types.ts';
import type { ObjectDef } from './object-def.ts';
import { fieldExpr, sqlType } from './record-sql.ts';

export { FILTER_OPS };
export type FilterOp = (typeof FILTER_OPS)[number];

export type FilterNode =
  | { and: FilterNode[] }
  | { or: FilterNode[] }
  | { not: FilterNode }
  | { field: string; op: FilterOp; value?: unknown };

const filterNode: z.ZodType<FilterNode> = z.lazy(() =>
  z.union([
    z.object({ and: z.array(filterNode).max(50) }).strict(),
    z.object({ or: z.array(filterNode).max(50) }).strict(),
    z.object({ not: filterNode }).strict(),
    z
      .object({ field: z.string().min(1).max(80), op: z.enum(FILTER_OPS), value: z.unknown().optional() })
      .strict(),
  ]),
);
/** At most 20 levels of and/or/not, refused as a field error before the tree is walked. */
export const filterSchema = depthLimited(filterNode, 20);

const TEXTUAL = new Set(['text', 'longtext', 'phone', 'email', 'url', 'picklist', 'region']);
const ORDERED = new Set(['number', 'percent', 'currency', 'date', 'datetime', 'text', 'region']);
const TEMPORAL = new Set(['date', 'datetime']);
/** Masked values may be matched exactly (find a customer by a known phone) but never probed. */
const MASKED_OK = new Set<FilterOp>(['eq', 'in', 'isEmpty', 'isNotEmpty']);
const TZ = 'Asia/Shanghai';

interface CompileContext {
  obj: ObjectDef;
  access: Map<string, FieldAccess>;
  depth: number;
  count: { n: number };
}

export function compileFilter(
  obj: ObjectDef,
  access: Map<string, FieldAccess>,
  node: FilterNode | undefined,
): RawBuilder<unknown> {
  if (!node) return sql`true`;
  return compile(node, { obj, access, depth: 0, count: { n: 0 } });
}

function fail(field: string, code: string, params?: Record<string, unknown>): never {
  const e: FieldError = { field: `filter.${field}`, code, params };
  throw invalid([e]);
}

function compile(node: FilterNode, ctx: CompileContext): RawBuilder<unknown> {
  if (++ctx.count.n > 200 || ctx.depth > 8) fail('', 'max', { max: 200 });
  const child = { ...ctx, depth: ctx.depth + 1 };
  if ('and' in node)
    return node.and.length
      ? sql`(${sql.join(
          node.and.map((n) => compile(n, child)),
          sql` and `,
        )})`
      : sql`true`;
  if ('or' in node)
    return node.or.length
      ? sql`(${sql.join(
          node.or.map((n) => compile(n, child)),
          sql` or `,
        )})`
      : sql`false`;
  if ('not' in node) return sql`(not coalesce(${compile(node.not, child)}, false))`;
  return condition(node, ctx);
}

function scalar(f: FieldDef, v: unknown): unknown {
  // Lookups compare by id; other types are normalised as on write (phones, emails, dates…).
  const r = coerceValue({ ...f, validation: {} }, v);
  if (!r.ok) fail(f.apiName, r.error.code, r.error.params);
  const value = r.value;
  if (f.type === 'currency') return (value as { amount: number } | null)?.amount ?? null;
  return value;
}

function condition(
  c: { field: string; op: FilterOp; value?: unknown },
  ctx: CompileContext,
): RawBuilder<unknown> {
  const f = ctx.obj.fields.find((x) => x.apiName === c.field);
  if (!f) return fail(c.field, 'unknown_field');
  const access = ctx.access.get(f.apiName) ?? 'hidden';
  if (access === 'hidden') fail(c.field, 'hidden_field');
  if (access === 'masked' && !MASKED_OK.has(c.op)) fail(c.field, 'masked_op');
  const e = fieldExpr(ctx.obj, f);
  const t = sql.raw(sqlType(f));
  const isMulti = f.type === 'multipicklist';
  const list = (): unknown[] => {
    if (!Array.isArray(c.value) || c.value.length === 0 || c.value.length > 1000)
      fail(c.field, 'type', { expected: 'array' });
    return (c.value as unknown[]).map((v) => scalar(f, v));
  };
  const needOrdered = () => {
    if (!ORDERED.has(f.type) && !f.system) fail(c.field, 'bad_op');
  };
  switch (c.op) {
    case 'eq': {
      if (isMulti) return sql`(${e} ? ${String(c.value)})`;
      const v = scalar(f, c.value);
      return v === null ? sql`(${e} is null)` : sql`(${e} = ${v}::${t})`;
    }
    case 'ne': {
      const v = scalar(f, c.value);
      return sql`(${e} is distinct from ${v}::${t})`;
    }
    case 'in':
      return isMulti ? sql`(${e} ?| ${list()}::text[])` : sql`(${e} = any(${list()}::${t}[]))`;
    case 'notIn':
      return isMulti
        ? sql`(not coalesce(${e} ?| ${list()}::text[], false))`
        : sql`(${e} is null or not (${e} = any(${list()}::${t}[])))`;
    case 'contains':
    case 'notContains':
    case 'startsWith': {
      if (!TEXTUAL.has(f.type)) fail(c.field, 'bad_op');
      if (typeof c.value !== 'string' || c.value.length === 0 || c.value.length > 200)
        fail(c.field, 'type', { expected: 'string' });
      const escaped = (c.value as string).replace(/[\\%_]/g, (m) => `\\${m}`);
      const pattern = c.op === 'startsWith' ? `${escaped}%` : `%${escaped}%`;
      return c.op === 'notContains'
        ? sql`(${e} is null or ${e} not ilike ${pattern})`
        : sql`(${e} ilike ${pattern})`;
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      needOrdered();
      const op = sql.raw({ gt: '>', gte: '>=', lt: '<', lte: '<=' }[c.op]);
      return sql`(${e} ${op} ${scalar(f, c.value)}::${t})`;
    }
    case 'between': {
      needOrdered();
      if (!Array.isArray(c.value) || c.value.length !== 2) fail(c.field, 'type', { expected: '[from, to]' });
      const [a, b] = c.value as unknown[];
      return sql`(${e} between ${scalar(f, a)}::${t} and ${scalar(f, b)}::${t})`;
    }
    case 'isEmpty':
      return isMulti ? sql`(${e} is null or ${e} = '[]'::jsonb)` : sql`(${e} is null)`;
    case 'isNotEmpty':
      return isMulti ? sql`(${e} is not null and ${e} <> '[]'::jsonb)` : sql`(${e} is not null)`;
    case 'hasAny':
    case 'hasAll': {
      if (!isMulti) fail(c.field, 'bad_op');
      const values = list().map(String);
      return c.op === 'hasAny' ? sql`(${e} ?| ${values}::text[])` : sql`(${e} ?& ${values}::text[])`;
    }
    case 'inLastDays':
    case 'inNextDays': {
      if (!TEMPORAL.has(f.type)) fail(c.field, 'bad_op');
      const n = Number(c.value);
      if (!Number.isInteger(n) || n < 0 || n > 36_500) fail(c.field, 'type', { expected: 'integer' });
      const now = f.type === 'date' ? sql`(now() at time zone ${TZ})::date` : sql`now()`;
      const span = sql`make_interval(days => ${n})`;
      return c.op === 'inLastDays'
        ? sql`(${e} >= ${now} - ${span} and ${e} <= ${now})`
        : sql`(${e} >= ${now} and ${e} <= ${now} + ${span})`;
    }
    case 'today':
    case 'thisWeek':
    case 'thisMonth':
    case 'thisYear': {
      if (!TEMPORAL.has(f.type)) fail(c.field, 'bad_op');
      const unit = { today: 'day', thisWeek: 'week', thisMonth: 'month', thisYear: 'year' }[c.op];
      const start = sql`date_trunc(${unit}, now() at time zone ${TZ})`;
      const end = sql`(${start} + ${sql.lit(`1 ${unit}`)}::interval)`;
      return f.type === 'date'
        ? sql`(${e} >= ${start}::date and ${e} < ${end}::date)`
        : sql`(${e} >= (${start} at time zone ${TZ}) and ${e} < (${end} at time zone ${TZ}))`;
    }
  }
}
