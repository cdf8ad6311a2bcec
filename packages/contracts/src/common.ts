import { z } from 'zod';

/**
 * Shapes every module's contract uses. The server validates requests with these schemas,
 * declares its responses with them (OpenAPI, and checked in tests), and the web reads its types
 * from them (`z.infer`, type-only imports: no zod in the browser bundle for this).
 */
export const Label = z.object({ 'zh-CN': z.string(), 'en-US': z.string() }).catchall(z.string());
export type Label = z.infer<typeof Label>;

/** Languages of the product: a user's choice, and the keys of every Label. */
export const LOCALES = ['zh-CN', 'en-US'] as const;
export const Locale = z.enum(LOCALES);
export type Locale = z.infer<typeof Locale>;

export const Money = z.object({ amount: z.number().int(), currency: z.string() });
export type Money = z.infer<typeof Money>;

export const Id = z.string();
/** ISO 8601 timestamps as the server sends them. */
export const Timestamp = z.string();

/** A page of a cursor-paged list. */
export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** `{ items }` lists that are not paged. */
export const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export const Ok = z.object({ ok: z.literal(true) });

/** Operators of the record engine's filter DSL (the same list as engine/records/filter.ts). */
export const FILTER_OPS = [
  'eq',
  'ne',
  'in',
  'notIn',
  'contains',
  'notContains',
  'startsWith',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'isEmpty',
  'isNotEmpty',
  'hasAny',
  'hasAll',
  'inLastDays',
  'inNextDays',
  'today',
  'thisWeek',
  'thisMonth',
  'thisYear',
] as const;

/** A filter in the record engine's DSL: list queries, saved views and every drill-down use it. */
export type Filter =
  | { and: Filter[] }
  | { or: Filter[] }
  | { not: Filter }
  | { field: string; op: (typeof FILTER_OPS)[number]; value?: unknown };
export const Filter: z.ZodType<Filter> = z.lazy(() =>
  z.union([
    z.object({ and: z.array(Filter) }),
    z.object({ or: z.array(Filter) }),
    z.object({ not: Filter }),
    z.object({ field: z.string(), op: z.enum(FILTER_OPS), value: z.unknown().optional() }),
  ]),
);

/**
 * A record as the record engine sends it: the fields the viewer may see (a tenant's objects have
 * custom fields, so the values are an open map; masked values are strings), names for the ids in
 * `_display` (null when the linked record has no name), and which fields were masked in `_masked`.
 */
export const RecordData = z.looseObject({
  id: Id,
  version: z.number().int(),
  deletedAt: Timestamp.nullable(),
  _display: z.record(z.string(), z.string().nullable()).optional(),
  _masked: z.array(z.string()).optional(),
});
export type RecordData = z.infer<typeof RecordData>;
