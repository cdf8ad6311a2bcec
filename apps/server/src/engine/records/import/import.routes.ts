import {
  ImportList,
  ImportParam,
  ImportStart,
  ImportStatus,
  ImportUploaded,
  UploadQuery,
} from '@kehu/contracts/records';
import { stringify } from 'csv-stringify';
import { defineRoute, type RouteSpec } from '../../../core/http/route.ts';
import { contentDisposition, safeCell } from '../export/cells.ts';
import { objectParam } from '../record.schemas.ts';
import { recordCtx } from '../record.service.ts';
import { errorRows, listImports, loadImport, startImport, toStatus, uploadImport } from './import.service.ts';

const perm = (p: { object: string }) => `${p.object}:import`;
const tags = ['import'];

/** R10.1 import: upload (streamed into the database), mapping, a durable job, an error report. */
export const importRoutes: RouteSpec[] = [
  defineRoute({
    method: 'POST',
    url: '/records/:object/imports',
    permission: perm,
    summary:
      'Upload a CSV or XLSX file for import (raw body); returns headers, sample rows and a suggested mapping',
    tags,
    params: objectParam,
    query: UploadQuery,
    response: ImportUploaded,
    rawBody: true,
    status: 201,
    probe: { skip: 'raw upload body' },
    handler: async (req) => {
      const len = req.raw.headers['content-length'];
      return uploadImport(
        req.database.db,
        req.principal,
        req.locale,
        req.params.object,
        req.query.filename,
        req.body,
        len ? Number(len) : null,
      );
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/records/:object/imports/:id/start',
    permission: perm,
    summary: 'Start (or dry-run) an uploaded import with a column mapping',
    tags,
    params: ImportParam,
    body: ImportStart,
    status: 202,
    response: ImportStatus,
    handler: (req) =>
      req.tx((tx) =>
        startImport(tx, req.principal, req.actor, req.locale, req.params.object, req.params.id, req.body),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/records/:object/imports/:id',
    permission: perm,
    summary: 'Progress and counts of one import',
    tags,
    params: ImportParam,
    response: ImportStatus,
    handler: (req) =>
      req.tx(
        async (tx) => {
          const ctx = await recordCtx(tx, req.principal, req.actor, req.params.object);
          return toStatus(await loadImport(tx, req.principal, ctx.obj.apiName, req.params.id));
        },
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/records/:object/imports/:id/errors',
    permission: perm,
    summary: 'CSV of the rows an import rejected: line, field, message and the original columns',
    tags,
    params: ImportParam,
    file: ['text/csv'],
    handler: async (req, reply) => {
      const imp = await req.tx(
        async (tx) => {
          const ctx = await recordCtx(tx, req.principal, req.actor, req.params.object);
          return loadImport(tx, req.principal, ctx.obj.apiName, req.params.id);
        },
        { readOnly: true },
      );
      const zh = req.locale === 'zh-CN';
      const out = stringify({ bom: true });
      out.write(
        [zh ? '行号' : 'line', zh ? '字段' : 'field', zh ? '错误' : 'message', ...imp.headers].map(safeCell),
      );
      (async () => {
        try {
          for await (const rows of errorRows(req.database.db, req.principal, imp.id)) {
            for (const r of rows)
              if (!out.write([r.line, r.field, r.message, ...(r.raw ?? [])].map(safeCell)))
                await new Promise((res) => out.once('drain', res));
            if (out.destroyed) return;
          }
          out.end();
        } catch (err) {
          out.destroy(err as Error);
        }
      })();
      const name = `${imp.filename.replace(/\.(csv|xlsx)$/i, '')}-errors.csv`;
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', contentDisposition(name))
        .send(out);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/records/:object/imports',
    permission: perm,
    summary: 'Recent imports of this object',
    tags,
    params: objectParam,
    response: ImportList,
    handler: (req) =>
      req.tx(
        async (tx) => {
          const ctx = await recordCtx(tx, req.principal, req.actor, req.params.object);
          return { items: await listImports(tx, req.principal, ctx.obj.apiName) };
        },
        { readOnly: true },
      ),
  }),
];
