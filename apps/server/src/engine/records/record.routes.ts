import { RecordData } from '@kehu/contracts/common';
import { BulkResults, RecordPage, Timeline, Unmasked } from '@kehu/contracts/records';
import { badRequest } from '../../core/errors.ts';
import { defineRoute, type RouteSpec } from '../../core/http/route.ts';
import {
  BULK_MAX,
  bulkSchema,
  listBodySchema,
  listQuerySchema,
  objectParam,
  recordInputSchema,
  recordParam,
  recordPatchSchema,
  unmaskSchema,
} from './record.schemas.ts';
import {
  createRecord,
  createRecords,
  deleteRecords,
  getRecord,
  listRecords,
  recordCtx,
  recordTimeline,
  restoreRecord,
  unmaskField,
  updateRecord,
  updateRecords,
} from './record.service.ts';

const perm = (action: string) => (p: { object: string }) => `${p.object}:${action}`;
const tags = ['records'];

/** Generic REST for every object, standard or custom: one set of routes, one set of guards. */
export const recordRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/records/:object',
    permission: perm('read'),
    summary: 'List records (filter, sort, cursor pagination, search)',
    tags,
    params: objectParam,
    query: listQuerySchema,
    response: RecordPage,
    handler: (req) =>
      req.tx(
        async (tx) =>
          listRecords(await recordCtx(tx, req.principal, req.actor, req.params.object), req.query),
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/records/:object/query',
    permission: perm('read'),
    summary: 'List records with the query in the body',
    tags,
    params: objectParam,
    body: listBodySchema,
    response: RecordPage,
    handler: (req) =>
      req.tx(
        async (tx) => listRecords(await recordCtx(tx, req.principal, req.actor, req.params.object), req.body),
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/records/:object/:id',
    permission: perm('read'),
    summary: 'Get one record',
    tags,
    params: recordParam,
    response: RecordData,
    handler: (req) =>
      req.tx(
        async (tx) =>
          getRecord(await recordCtx(tx, req.principal, req.actor, req.params.object), req.params.id),
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/records/:object',
    permission: perm('create'),
    summary: 'Create a record',
    tags,
    status: 201,
    params: objectParam,
    body: recordInputSchema,
    response: RecordData,
    handler: (req) =>
      req.tx(async (tx) =>
        createRecord(await recordCtx(tx, req.principal, req.actor, req.params.object), req.body),
      ),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/records/:object/:id',
    permission: perm('update'),
    summary: 'Update a record (optimistic concurrency on `version`)',
    tags,
    params: recordParam,
    body: recordPatchSchema,
    response: RecordData,
    handler: (req) =>
      req.tx(async (tx) => {
        const { version, ...changes } = req.body;
        return updateRecord(
          await recordCtx(tx, req.principal, req.actor, req.params.object),
          req.params.id,
          version,
          changes,
        );
      }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/records/:object/:id',
    permission: perm('delete'),
    summary: 'Move a record to the recycle bin',
    tags,
    status: 204,
    params: recordParam,
    handler: (req) =>
      req.tx(async (tx) => {
        await deleteRecords(await recordCtx(tx, req.principal, req.actor, req.params.object), [
          req.params.id,
        ]);
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/records/:object/:id/restore',
    permission: perm('delete'),
    summary: 'Restore a deleted record',
    tags,
    params: recordParam,
    response: RecordData,
    handler: (req) =>
      req.tx(async (tx) =>
        restoreRecord(await recordCtx(tx, req.principal, req.actor, req.params.object), req.params.id),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/records/:object/bulk',
    // The operation decides the permission: create, update or delete on the object.
    permission: (p: { object: string }, body: any) =>
      `${p.object}:${['create', 'update', 'delete'].includes(body?.op) ? body.op : 'update'}`,
    summary: `Bulk create, update or delete up to ${BULK_MAX} records`,
    tags,
    params: objectParam,
    body: bulkSchema,
    bodyLimit: 10 * 1024 * 1024,
    response: BulkResults,
    handler: async (req) => {
      const { op, atomic, records } = req.body;
      const results = await req.tx(async (tx) => {
        const ctx = await recordCtx(tx, req.principal, req.actor, req.params.object);
        if (op === 'create') return createRecords(ctx, records, { atomic });
        if (op === 'delete')
          return deleteRecords(
            ctx,
            records.map((r) => String(r.id ?? '')),
            { atomic },
          );
        return updateRecords(
          ctx,
          records.map((r) => {
            const { id, version, ...changes } = r;
            if (typeof id !== 'string') throw badRequest('bad_request.body');
            return { id, version: typeof version === 'number' ? version : undefined, changes };
          }),
          { atomic },
        );
      });
      return { results };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/records/:object/:id/unmask',
    permission: perm('unmask'),
    summary: 'Reveal one masked field (audited)',
    tags,
    params: recordParam,
    body: unmaskSchema,
    response: Unmasked,
    handler: (req) =>
      req.tx(async (tx) =>
        unmaskField(
          await recordCtx(tx, req.principal, req.actor, req.params.object),
          req.params.id,
          req.body.field,
        ),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/records/:object/:id/timeline',
    permission: perm('read'),
    summary: 'History of a record from the audit log',
    tags,
    params: recordParam,
    response: Timeline,
    handler: (req) =>
      req.tx(
        async (tx) => ({
          items: await recordTimeline(
            await recordCtx(tx, req.principal, req.actor, req.params.object),
            req.params.id,
          ),
        }),
        { readOnly: true },
      ),
  }),
];
