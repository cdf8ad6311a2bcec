import { PassThrough, type Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../../core/audit/audit.ts';
import type { Principal } from '../../../core/auth/principal.ts';
import type { Db } from '../../../core/db/database.ts';
import { inTenant } from '../../../core/db/tenant-scope.ts';
import { invalid } from '../../../core/errors.ts';
import type { Locale } from '../../../core/i18n/locale.ts';
import type { FieldDef } from '../field-types.ts';
import type { FilterNode } from '../filter.ts';
import type { ObjectDef } from '../object-def.ts';
import { type ListQuery, listRecords, recordCtx } from '../record.service.ts';
import { type Column, cellValue, columnHeader, columnsFor } from './cells.ts';

export interface ExportQuery {
  format: 'csv' | 'xlsx';
  fields?: string;
  filter?: FilterNode;
  sort?: string;
  q?: string;
  unit?: string;
  deleted?: boolean;
}

const PAGE = 200;
const DEFAULT_SKIP = new Set(['version']);

export interface PreparedExport {
  obj: ObjectDef;
  fields: FieldDef[];
  /** The tenant's IANA zone: times are written in it and the headers say so. */
  timeZone: string;
  filename: string;
  contentType: string;
}

/** Resolves the object and the columns the viewer may see; hidden fields are dropped silently. */
export async function prepareExport(
  db: Db,
  principal: Principal,
  actor: Actor,
  locale: Locale,
  object: string,
  q: ExportQuery,
): Promise<PreparedExport> {
  return inTenant(
    db,
    principal.tenantId,
    async (tx) => {
      const ctx = await recordCtx(tx, principal, actor, object);
      const visible = (f: FieldDef) => ctx.access.get(f.apiName) !== 'hidden';
      let fields: FieldDef[];
      if (q.fields?.trim()) {
        const names = [
          ...new Set(
            q.fields
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          ),
        ];
        const unknown = names.filter((n) => !ctx.obj.fields.some((f) => f.apiName === n));
        if (unknown.length)
          throw invalid(unknown.map((n) => ({ field: `fields.${n}`, code: 'unknown_field' })));
        fields = names.map((n) => ctx.obj.fields.find((f) => f.apiName === n)!).filter(visible);
        // What the rows were chosen by belongs in the file too, even when not a visible column:
        // a list filtered on 来源渠道 exports 来源渠道.
        for (const n of filterFields(q.filter)) {
          const f = ctx.obj.fields.find((x) => x.apiName === n);
          if (f && visible(f) && !fields.includes(f)) fields.push(f);
        }
      } else fields = ctx.obj.fields.filter((f) => visible(f) && !DEFAULT_SKIP.has(f.apiName));
      const zone = (
        await sql<{
          time_zone: string | null;
        }>`select time_zone from tenants where id = ${principal.tenantId}`.execute(tx)
      ).rows[0]?.time_zone;
      const timeZone = zone && isTimeZone(zone) ? zone : 'Asia/Shanghai';
      // Validate filter/sort up front so a bad query is a 422, not a broken download.
      await listRecords(ctx, { ...listQuery(q), limit: 1 });
      const d = new Date();
      const stamp = `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
      return {
        obj: ctx.obj,
        fields,
        timeZone,
        filename: `${ctx.obj.pluralLabel[locale] || ctx.obj.label[locale] || ctx.obj.apiName}-${stamp}.${q.format}`,
        contentType:
          q.format === 'xlsx'
            ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
            : 'text/csv; charset=utf-8',
      };
    },
    { readOnly: true },
  );
}

/** Field names a filter tree tests, in the order they appear. */
export function filterFields(node: FilterNode | undefined, out: string[] = []): string[] {
  if (!node) return out;
  if ('and' in node) for (const n of node.and) filterFields(n, out);
  else if ('or' in node) for (const n of node.or) filterFields(n, out);
  else if ('not' in node) filterFields(node.not, out);
  else if (!out.includes(node.field)) out.push(node.field);
  return out;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const listQuery = (q: ExportQuery): ListQuery => ({
  filter: q.filter,
  sort: q.sort,
  q: q.q,
  unit: q.unit,
  deleted: q.deleted,
});

/**
 * Streams every matching record in the viewer's scope, a keyset page per short read-only
 * transaction (no connection is held while a slow client downloads), and writes the
 * `export` audit row when the stream ends — also when the client goes away half-way.
 */
export function streamExport(
  db: Db,
  principal: Principal,
  actor: Actor,
  locale: Locale,
  prep: PreparedExport,
  q: ExportQuery,
): Readable {
  const out = new PassThrough();
  const columns = columnsFor(prep.fields);
  const headers = columns.map((c) => columnHeader(c, locale, prep.timeZone));
  let rows = 0;
  let allWritten = false;
  let aborted = false;
  out.on('close', () => {
    aborted = !allWritten;
  });

  const pages = async function* () {
    let cursor: string | undefined;
    do {
      if (aborted || out.destroyed) return;
      const page = await inTenant(
        db,
        principal.tenantId,
        async (tx) =>
          listRecords(await recordCtx(tx, principal, actor, prep.obj.apiName), {
            ...listQuery(q),
            limit: PAGE,
            cursor,
          }),
        { readOnly: true },
      );
      yield page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  };

  const waitDrain = (s: NodeJS.WritableStream & { writableNeedDrain?: boolean }) =>
    s.writableNeedDrain && !out.destroyed
      ? new Promise<void>((res) => {
          const done = () => {
            out.off('close', done);
            res();
          };
          s.once('drain', done);
          out.once('close', done);
        })
      : Promise.resolve();

  // Written before the last bytes go out, so a client holding the whole file implies the audit
  // row exists; written from `finally` when the client went away or the query failed.
  let audited: Promise<void> | null = null;
  const audit = () =>
    (audited ??= inTenant(db, principal.tenantId, (tx) =>
      writeAudit(tx, actor, {
        action: 'export',
        object: prep.obj.apiName,
        meta: {
          format: q.format,
          fields: prep.fields.map((f) => f.apiName),
          timeZone: prep.timeZone,
          filter: q.filter ?? null,
          sort: q.sort ?? null,
          q: q.q ?? null,
          unit: q.unit ?? null,
          rowCount: rows,
          complete: allWritten,
        },
      }),
    ));

  const run = async () => {
    if (q.format === 'csv') {
      const csv = stringify({ bom: true });
      csv.pipe(out);
      csv.write(headers);
      for await (const items of pages()) {
        for (const rec of items) {
          csv.write(columns.map((c: Column) => cellValue(c, rec, locale, false, prep.timeZone)));
          rows++;
        }
        await waitDrain(out);
      }
      allWritten = !aborted;
      await audit();
      await new Promise<void>((res) => csv.end(res));
    } else {
      // Loaded on first use: exceljs alone costs ~0.4 s of every server start.
      const { default: ExcelJS } = await import('exceljs');
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
        stream: out,
        useStyles: false,
        useSharedStrings: false,
      });
      const ws = wb.addWorksheet(prep.obj.label[locale] || prep.obj.apiName);
      ws.addRow(headers).commit();
      for await (const items of pages()) {
        for (const rec of items) {
          ws.addRow(columns.map((c) => cellValue(c, rec, locale, true, prep.timeZone))).commit();
          rows++;
        }
        await waitDrain(out);
      }
      ws.commit();
      allWritten = !aborted;
      await audit();
      await wb.commit();
    }
  };

  run()
    .catch((err) => {
      if (!out.destroyed) out.destroy(err as Error);
    })
    .finally(() => audit().catch(() => {}));
  return out;
}
