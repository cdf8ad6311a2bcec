import { type RawBuilder, sql } from 'kysely';
import { invalid, notFound } from '../../core/errors.ts';
import { decodeCursor, encodeCursor } from '../../core/http/cursor.ts';
import { isUuid } from '../../core/ids.ts';
import { type FieldDef, normalisePhone } from './field-types.ts';
import { compileFilter, type FilterNode } from './filter.ts';
import { type RecordCtx, table } from './record-ctx.ts';
import { attachDisplay, type RecordOut, type Row, toRecord } from './record-mapper.ts';
import { baseWhere, fieldExpr, scopeWhere, sqlType } from './record-sql.ts';

/** Reading records: lists with filters, search, sort and cursors; one record with display values. */

export interface ListQuery {
  filter?: FilterNode;
  sort?: string;
  limit?: number;
  cursor?: string;
  count?: boolean;
  q?: string;
  unit?: string;
  deleted?: boolean;
}

export interface ListResult {
  items: RecordOut[];
  nextCursor: string | null;
  total?: number;
}

const UNSORTABLE = new Set(['multipicklist', 'json', 'longtext']);

function parseSort(ctx: RecordCtx, sort: string | undefined): { f: FieldDef; desc: boolean } {
  const raw = sort ?? '-id';
  const desc = raw.startsWith('-');
  const name = desc ? raw.slice(1) : raw;
  const f = ctx.obj.fields.find((x) => x.apiName === name);
  if (!f) throw invalid([{ field: 'sort', code: 'unknown_field' }]);
  if (UNSORTABLE.has(f.type)) throw invalid([{ field: 'sort', code: 'bad_op' }]);
  const a = ctx.access.get(f.apiName);
  if (a === 'hidden') throw invalid([{ field: 'sort', code: 'hidden_field' }]);
  if (a === 'masked') throw invalid([{ field: 'sort', code: 'masked_op' }]);
  return { f, desc };
}

interface Cursor {
  s: string;
  v: unknown;
  id: string;
}

/** Keyset condition for "after this row" under ORDER BY expr [desc] nulls last, id [desc]. */
function afterCursor(
  expr: RawBuilder<unknown>,
  type: string,
  desc: boolean,
  c: Cursor,
  isId: boolean,
): RawBuilder<unknown> {
  const cmp = sql.raw(desc ? '<' : '>');
  if (isId) return sql`r.id ${cmp} ${c.id}::uuid`;
  const t = sql.raw(type);
  if (c.v === null) return sql`(${expr} is null and r.id ${cmp} ${c.id}::uuid)`;
  return sql`(${expr} ${cmp} ${c.v}::${t} or (${expr} = ${c.v}::${t} and r.id ${cmp} ${c.id}::uuid) or ${expr} is null)`;
}

function searchWhere(ctx: RecordCtx, q: string | undefined): RawBuilder<unknown> {
  const term = q?.trim();
  if (!term) return sql`true`;
  if (term.length > 100) throw invalid([{ field: 'q', code: 'max_length', params: { max: 100 } }]);
  const nameF = ctx.obj.fields.find((f) => f.apiName === ctx.obj.nameField)!;
  const escaped = term.replace(/[\\%_]/g, (m) => `\\${m}`);
  // A name the caller sees masked matches only in full: a part of it would read it back a
  // character at a time (the global search follows the same rule); a hidden one not at all.
  const nameAccess = ctx.access.get(nameF.apiName);
  const parts =
    nameAccess === 'full'
      ? [sql`${fieldExpr(ctx.obj, nameF)} ilike ${`%${escaped}%`}`]
      : nameAccess === 'masked'
        ? [sql`${fieldExpr(ctx.obj, nameF)} = ${term}`]
        : [sql`false`];
  // Phones and emails match exactly (also when masked: a caller who knows the number may find it).
  const phone = normalisePhone(term);
  for (const f of ctx.obj.fields) {
    if (ctx.access.get(f.apiName) === 'hidden') continue;
    if (f.type === 'phone' && phone) parts.push(sql`${fieldExpr(ctx.obj, f)} = ${phone}`);
    if (f.type === 'email' && term.includes('@'))
      parts.push(sql`${fieldExpr(ctx.obj, f)} = ${term.toLowerCase()}`);
  }
  return sql`(${sql.join(parts, sql` or `)})`;
}

function unitWhere(ctx: RecordCtx, unit: string | undefined): RawBuilder<unknown> {
  if (!unit) return sql`true`;
  if (!isUuid(unit)) throw invalid([{ field: 'unit', code: 'lookup_missing' }]);
  return sql`r.unit_id in (select u.id from units u where u.tenant_id = ${ctx.principal.tenantId}
    and u.path like (select p.path || '%' from units p where p.tenant_id = ${ctx.principal.tenantId} and p.id = ${unit}))`;
}

export async function listRecords(ctx: RecordCtx, q: ListQuery): Promise<ListResult> {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
  const { f: sortF, desc } = parseSort(ctx, q.sort);
  const sortKey = `${desc ? '-' : ''}${sortF.apiName}`;
  const isId = sortF.apiName === 'id';
  const sortExpr = fieldExpr(ctx.obj, sortF);
  const type = sqlType(sortF);
  const where = sql.join(
    [
      baseWhere(ctx.obj, ctx.principal.tenantId, q.deleted ?? false),
      scopeWhere(ctx.principal, ctx.obj),
      compileFilter(ctx.obj, ctx.access, q.filter),
      searchWhere(ctx, q.q),
      unitWhere(ctx, q.unit),
    ],
    sql` and `,
  );
  const cursorWhere = q.cursor
    ? afterCursor(
        sortExpr,
        type,
        desc,
        decodeCursor<Cursor>(q.cursor, (c) => c.s === sortKey && isUuid(c.id)),
        isId,
      )
    : sql`true`;
  const dir = sql.raw(desc ? 'desc' : 'asc');
  const order = isId ? sql`r.id ${dir}` : sql`${sortExpr} ${dir} nulls last, r.id ${dir}`;
  const rows =
    // The cursor carries the sort value as PostgreSQL prints it: a JS Date would cut timestamptz
    // microseconds to milliseconds and the next page would skip every row of that millisecond.
    (
      await sql<Row>`select r.*${isId ? sql`` : sql`, (${sortExpr})::text as __cursor_v`} from ${table(ctx.obj)} where ${where} and ${cursorWhere} order by ${order} limit ${limit + 1}`.execute(
        ctx.tx,
      )
    ).rows;
  const page = rows.slice(0, limit);
  const items = page.map((r) => toRecord(ctx.obj, r, ctx.access));
  await attachDisplay(
    ctx.tx,
    ctx.principal.tenantId,
    ctx.meta.objects,
    ctx.obj,
    items,
    new Set(),
    ctx.principal,
  );
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > limit && last
      ? encodeCursor({
          s: sortKey,
          v: isId ? null : (last.__cursor_v ?? null),
          id: last.id,
        })
      : null;
  const result: ListResult = { items, nextCursor };
  if (q.count) {
    const c = (
      await sql<{ n: number }>`select count(*)::int as n from ${table(ctx.obj)} where ${where}`.execute(
        ctx.tx,
      )
    ).rows[0];
    result.total = c?.n ?? 0;
  }
  return result;
}

export async function loadRow(
  ctx: RecordCtx,
  id: string,
  opts: { deleted?: boolean | 'any'; forUpdate?: boolean } = {},
): Promise<Row> {
  if (!isUuid(id)) throw notFound(ctx.obj.apiName);
  const deleted =
    opts.deleted === 'any'
      ? sql.join(
          [
            sql`r.tenant_id = ${ctx.principal.tenantId}`,
            ...(ctx.obj.discriminator ? [sql`r.object = ${ctx.obj.discriminator}`] : []),
          ],
          sql` and `,
        )
      : baseWhere(ctx.obj, ctx.principal.tenantId, opts.deleted ?? false);
  const lock = opts.forUpdate ? sql`for update` : sql``;
  const row = (
    await sql<Row>`select r.* from ${table(ctx.obj)} where ${deleted} and ${scopeWhere(ctx.principal, ctx.obj)} and r.id = ${id} ${lock}`.execute(
      ctx.tx,
    )
  ).rows[0];
  // Out of scope and nonexistent look the same: a record id reveals nothing.
  if (!row) throw notFound(ctx.obj.apiName);
  return row;
}

export async function getRecord(ctx: RecordCtx, id: string): Promise<RecordOut> {
  const row = await loadRow(ctx, id, { deleted: 'any' });
  const rec = toRecord(ctx.obj, row, ctx.access);
  await attachDisplay(
    ctx.tx,
    ctx.principal.tenantId,
    ctx.meta.objects,
    ctx.obj,
    [rec],
    new Set(),
    ctx.principal,
  );
  return rec;
}
