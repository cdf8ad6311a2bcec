import { defineRoute, type RouteSpec } from '../../../core/http/route.ts';
import { exportQuerySchema, objectParam } from '../record.schemas.ts';
import { contentDisposition } from './cells.ts';
import { prepareExport, streamExport } from './export.service.ts';

/** R13.3/R14.1 export: the viewer's rows and columns only, masked as on screen, audited. */
export const exportRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/records/:object/export',
    permission: (p: { object: string }) => `${p.object}:export`,
    summary: 'Export matching records as CSV (UTF-8 BOM) or XLSX',
    tags: ['export'],
    params: objectParam,
    query: exportQuerySchema,
    file: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    handler: async (req, reply) => {
      const prep = await prepareExport(
        req.database.db,
        req.principal,
        req.actor,
        req.locale,
        req.params.object,
        req.query,
      );
      const body = streamExport(req.database.db, req.principal, req.actor, req.locale, prep, req.query);
      return reply
        .header('content-type', prep.contentType)
        .header('content-disposition', contentDisposition(prep.filename))
        .header('cache-control', 'no-store')
        .send(body);
    },
  }),
];
