import { z } from 'zod';
import { notFound } from '../../core/errors.ts';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { readUpload } from '../../core/http/upload.ts';
import {
  MaterialEdit,
  MaterialInput,
  MaterialList,
  MaterialOutSchema,
  MaterialReportOut,
  MaterialsQuery,
  MATERIALS_PERMISSIONS as P,
  ShareInput,
  ShareOut,
} from './material.schemas.ts';
import {
  createMaterial,
  deleteMaterial,
  FILE_LIMITS,
  fileBytes,
  getMaterial,
  listMaterials,
  storeFile,
  updateMaterial,
} from './material.service.ts';
import { staffPoster } from './poster.ts';
import { materialReport } from './report.service.ts';
import { shareMaterial } from './share.service.ts';

const tags = ['materials'];
const probe = { params: { id: 'material' } };
const CreateInput = MaterialInput.and(z.object({ unitId: z.uuid().optional() }));

export const materialRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/materials',
    permission: P.read,
    summary: 'Materials I may use: my units and the units above me (HQ publishes down)',
    tags,
    response: MaterialList,
    query: MaterialsQuery,
    handler: (req) => req.tx((tx) => listMaterials(tx, req.principal, req.query), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/materials',
    permission: P.manage,
    summary: 'Create a material in my unit (or a unit below it)',
    tags,
    response: MaterialOutSchema,
    body: CreateInput,
    status: 201,
    handler: (req) =>
      req.tx((tx) =>
        createMaterial(tx, req.principal, req.actor, req.body, (req.body as { unitId?: string }).unitId),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/materials/:id',
    permission: P.read,
    summary: 'One material',
    tags,
    response: MaterialOutSchema,
    params: idParam,
    probe,
    handler: (req) => req.tx((tx) => getMaterial(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/materials/:id',
    permission: P.manage,
    summary: "Edit a material of my unit's subtree (a unit above mine is read-only to me)",
    tags,
    response: MaterialOutSchema,
    params: idParam,
    body: MaterialEdit,
    probe,
    handler: (req) => req.tx((tx) => updateMaterial(tx, req.principal, req.actor, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/materials/:id',
    permission: P.manage,
    summary: 'Withdraw a material: its links stop working',
    tags,
    params: idParam,
    status: 204,
    probe,
    handler: (req) => req.tx((tx) => deleteMaterial(tx, req.principal, req.actor, req.params.id)),
  }),
  defineRoute({
    method: 'PUT',
    url: '/materials/:id/file',
    permission: P.manage,
    summary:
      'Upload the PDF of a pdf material or the image of a poster (application/octet-stream); version + 1, 409 if ?version is stale',
    tags,
    response: MaterialOutSchema,
    params: idParam,
    query: z.object({
      filename: z.string().max(200).optional(),
      version: z.coerce.number().int().min(1).optional(),
    }),
    rawBody: true,
    probe: { skip: 'raw upload body' },
    handler: async (req) => {
      const m = await req.tx((tx) => getMaterial(tx, req.principal, req.params.id), { readOnly: true });
      const len = req.raw.headers['content-length'];
      const limit = m.kind === 'poster' ? FILE_LIMITS.poster : FILE_LIMITS.pdf;
      const bytes = await readUpload(req.body, limit, len ? Number(len) : null);
      return req.tx((tx) =>
        storeFile(
          tx,
          req.principal,
          req.actor,
          req.params.id,
          bytes,
          req.query.filename ?? null,
          req.query.version,
        ),
      );
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/materials/:id/file',
    permission: P.read,
    summary: 'The uploaded PDF or poster image',
    tags,
    params: idParam,
    file: ['application/pdf', 'image/png', 'image/jpeg'],
    probe: { params: { id: 'material_poster' } },
    handler: async (req, reply) => {
      const r = await req.tx(
        async (tx) => {
          const m = await getMaterial(tx, req.principal, req.params.id);
          return { m, bytes: await fileBytes(tx, req.principal.tenantId, m.id) };
        },
        { readOnly: true },
      );
      if (!r.bytes || !r.m.file) throw notFound('material');
      return reply.type(r.m.file.mime).header('cache-control', 'private, max-age=60').send(r.bytes);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/materials/:id/poster',
    permission: P.read,
    summary: 'The poster with my personal QR code (composed once, then cached)',
    tags,
    params: idParam,
    file: ['image/png'],
    probe: { params: { id: 'material_poster' } },
    handler: async (req, reply) => {
      const png = await req.tx(async (tx) => {
        const m = await getMaterial(tx, req.principal, req.params.id);
        if (m.kind !== 'poster') throw notFound('material');
        return staffPoster(tx, req.principal.tenantId, m, req.principal.userId);
      });
      if (!png) throw notFound('material');
      return reply.type('image/png').header('cache-control', 'private, max-age=60').send(png);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/materials/:id/share',
    permission: P.read,
    summary: 'A tracked link for one customer and the message the sidebar sends (sendChatMessage)',
    tags,
    response: ShareOut,
    params: idParam,
    body: ShareInput,
    probe,
    handler: (req) => req.tx((tx) => shareMaterial(tx, req.principal, req.actor, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/materials/:id/report',
    permission: P.read,
    summary: "How a material did: sent, opened, readers, read time, forwards, leads, by staff (my subtree's)",
    tags,
    response: MaterialReportOut,
    params: idParam,
    probe,
    handler: (req) => req.tx((tx) => materialReport(tx, req.principal, req.params.id), { readOnly: true }),
  }),
];
