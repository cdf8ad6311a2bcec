import {
  CheckInInput,
  CompleteInput,
  FIELD_SERVICE_PERMISSIONS as P,
  PredictivePreview,
  PredictivePreviewInput,
  PredictiveRule,
  PredictiveRuleInput,
  PredictiveRuleList,
  PredictiveRulePatch,
  PredictiveRunResult,
  SlotList,
  SlotQuery,
  SlotsInput,
  Technician,
  TechnicianInput,
  TechnicianList,
  WorkOrder,
  WorkOrderInput,
  WorkOrderList,
  WorkOrderQuery,
} from '@kehu/contracts/field-service';
import { z } from 'zod';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { readUpload } from '../../core/http/upload.ts';
import {
  createRule,
  deleteRule,
  getRule,
  listRules,
  previewRule,
  updateRule,
} from './predictive/rules.service.ts';
import { runRule } from './predictive/run.service.ts';
import { completionReport } from './work-orders/report.ts';
import { listTechnicians, putTechnician } from './work-orders/technicians.service.ts';
import {
  addPhoto,
  cancelWorkOrder,
  checkIn,
  completeWorkOrder,
  createSlots,
  createWorkOrder,
  getWorkOrder,
  listSlots,
  listWorkOrders,
  PHOTO_LIMIT,
  photoBytes,
  signaturePng,
} from './work-orders/work-orders.service.ts';

const tags = ['field-service'];
const wo = { params: { id: 'work_order' } };
const rule = { params: { id: 'predictive_rule' } };
const photoParams = z.object({ id: z.uuid(), photoId: z.uuid() });

export const fieldServiceRoutes: RouteSpec[] = [
  // ---- technicians and slots (dispatchers) ----
  defineRoute({
    method: 'GET',
    url: '/field-service/technicians',
    permission: P.read,
    summary: 'Technicians of my unit and below: skills, service areas, jobs today',
    tags,
    response: TechnicianList,
    handler: (req) => req.tx((tx) => listTechnicians(tx, req.principal), { readOnly: true }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/field-service/technicians/:id',
    permission: P.dispatch,
    summary:
      'Make a user of my unit or below a technician, or change their skills and areas (version 0 = new)',
    tags,
    params: idParam,
    body: TechnicianInput,
    response: Technician,
    probe: { params: { id: 'fs_user' } },
    handler: (req) =>
      req.tx((tx) => putTechnician(tx, req.principal, req.actor, req.params.id, req.body, req.locale)),
  }),
  defineRoute({
    method: 'GET',
    url: '/field-service/slots',
    permission: P.read,
    summary: 'Appointment slots (a day, or the next 7 days) of my technicians, with what is booked',
    tags,
    query: SlotQuery,
    response: SlotList,
    handler: (req) => req.tx((tx) => listSlots(tx, req.principal, req.query), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/field-service/slots',
    permission: P.dispatch,
    summary: "Open a technician's appointment windows for a day (no overlaps)",
    tags,
    body: SlotsInput,
    response: SlotList,
    status: 201,
    probe: {
      body: { technicianId: 'fs_technician' },
      sample: { day: '2030-01-07', windows: [{ from: '09:00', to: '10:00' }], capacity: 1 },
    },
    handler: (req) => req.tx((tx) => createSlots(tx, req.principal, req.actor, req.body, req.locale)),
  }),
  // ---- work orders ----
  defineRoute({
    method: 'GET',
    url: '/field-service/work-orders',
    permission: P.read,
    summary: 'Work orders of my unit and below (and mine)',
    tags,
    query: WorkOrderQuery,
    response: WorkOrderList,
    handler: (req) => req.tx((tx) => listWorkOrders(tx, req.principal, req.query), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/field-service/my-jobs',
    permission: P.work,
    summary: "The technician's jobs (a day, default today), earliest first",
    tags,
    query: WorkOrderQuery,
    response: WorkOrderList,
    handler: (req) =>
      req.tx(
        (tx) =>
          listWorkOrders(tx, req.principal, {
            ...req.query,
            day: req.query.day ?? new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10),
            mine: true,
          }),
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/field-service/work-orders',
    permission: P.dispatch,
    summary: 'Dispatch a ticket: book a slot of a technician with the skill and area (or the given slot)',
    tags,
    body: WorkOrderInput,
    response: WorkOrder,
    status: 201,
    probe: { body: { ticketId: 'fs_ticket', slotId: 'fs_slot' } },
    handler: (req) => req.tx((tx) => createWorkOrder(tx, req.principal, req.actor, req.body, req.locale)),
  }),
  defineRoute({
    method: 'GET',
    url: '/field-service/work-orders/:id',
    permission: P.work,
    summary: 'One work order (the technician on it, or my unit and below with field_service:read)',
    tags,
    params: idParam,
    response: WorkOrder,
    probe: wo,
    handler: (req) => req.tx((tx) => getWorkOrder(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/field-service/work-orders/:id/check-in',
    permission: P.work,
    summary: 'Check in on site with GPS (distance to the customer address is recorded)',
    tags,
    params: idParam,
    body: CheckInInput,
    response: WorkOrder,
    probe: wo,
    handler: (req) =>
      req.tx((tx) => checkIn(tx, req.principal, req.actor, req.params.id, req.body, req.locale)),
  }),
  defineRoute({
    method: 'POST',
    url: '/field-service/work-orders/:id/photos',
    permission: P.work,
    summary: 'Add a photo (image body, ≤ 8 MB; re-encoded to JPEG ≤ 1600 px without EXIF)',
    tags,
    params: idParam,
    response: WorkOrder,
    rawBody: true,
    bodyLimit: PHOTO_LIMIT,
    probe: { skip: 'raw upload body' },
    handler: async (req) => {
      const len = req.raw.headers['content-length'];
      const bytes = await readUpload(req.body, PHOTO_LIMIT, len ? Number(len) : null);
      return req.tx((tx) => addPhoto(tx, req.principal, req.actor, req.params.id, bytes, req.locale));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/field-service/work-orders/:id/photos/:photoId',
    permission: P.work,
    summary: 'A photo of the job (JPEG)',
    tags,
    params: photoParams,
    file: ['image/jpeg'],
    probe: { skip: 'photos exist only after an upload; access is the work order’s (probed on GET /:id)' },
    handler: async (req, reply) => {
      const bytes = await req.tx((tx) => photoBytes(tx, req.principal, req.params.id, req.params.photoId), {
        readOnly: true,
      });
      return reply.type('image/jpeg').header('cache-control', 'private, max-age=300').send(bytes);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/field-service/work-orders/:id/signature.png',
    permission: P.work,
    summary: "The customer's signature (PNG)",
    tags,
    params: idParam,
    file: ['image/png'],
    probe: {
      skip: 'a signature exists only after completion; access is the work order’s (probed on GET /:id)',
    },
    handler: async (req, reply) => {
      const png = await req.tx((tx) => signaturePng(tx, req.principal, req.params.id), { readOnly: true });
      if (!png) throw notFound('signature');
      return reply.type('image/png').header('cache-control', 'private, max-age=300').send(png);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/field-service/work-orders/:id/complete',
    permission: P.work,
    summary: "Check out and complete: parts, notes, the customer's signature; closes the ticket",
    tags,
    params: idParam,
    body: CompleteInput,
    response: WorkOrder,
    bodyLimit: 400_000,
    probe: {
      ...wo,
      sample: {
        parts: [],
        signature:
          'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
        signedBy: '客户',
        version: 1,
      },
    },
    handler: (req) =>
      req.tx((tx) => completeWorkOrder(tx, req.principal, req.actor, req.params.id, req.body, req.locale)),
  }),
  defineRoute({
    method: 'POST',
    url: '/field-service/work-orders/:id/cancel',
    permission: P.dispatch,
    summary: 'Cancel a work order not yet started; its place in the slot is freed',
    tags,
    params: idParam,
    response: WorkOrder,
    probe: wo,
    handler: (req) =>
      req.tx((tx) => cancelWorkOrder(tx, req.principal, req.actor, req.params.id, req.locale)),
  }),
  defineRoute({
    method: 'GET',
    url: '/field-service/work-orders/:id/report',
    permission: P.work,
    summary: 'The completion report (printable HTML: save as PDF from the browser)',
    tags,
    params: idParam,
    file: ['text/html'],
    probe: wo,
    handler: async (req, reply) => {
      const w = await req.tx((tx) => getWorkOrder(tx, req.principal, req.params.id), { readOnly: true });
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'private, no-store')
        .header('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
        .send(completionReport(w, '/api/v1'));
    },
  }),
  // ---- predictive service ----
  defineRoute({
    method: 'GET',
    url: '/field-service/predictive-rules',
    permission: P.rules,
    summary: 'Predictive-service rules of my unit and below',
    tags,
    response: PredictiveRuleList,
    handler: (req) => req.tx((tx) => listRules(tx, req.principal), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/field-service/predictive-rules',
    permission: P.rules,
    summary: 'A rule: a CDP segment I can read + a ticket category + a daily cap',
    tags,
    body: PredictiveRuleInput,
    response: PredictiveRule,
    status: 201,
    probe: { body: { segmentId: 'cdp_segment' } },
    handler: (req) => req.tx((tx) => createRule(tx, req.principal, req.actor, req.body, req.locale)),
  }),
  defineRoute({
    method: 'POST',
    url: '/field-service/predictive-rules/preview',
    permission: P.rules,
    summary: 'How many members of the segment I see, and how many tickets a run would create',
    tags,
    body: PredictivePreviewInput,
    response: PredictivePreview,
    probe: { body: { segmentId: 'cdp_segment' } },
    handler: (req) =>
      req.tx((tx) => previewRule(tx, req.principal, req.body, req.locale), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/field-service/predictive-rules/:id/preview',
    permission: P.rules,
    summary: "A saved rule's preview: members I see, due this period, the next run",
    tags,
    params: idParam,
    response: PredictivePreview,
    probe: rule,
    handler: (req) =>
      req.tx(
        async (tx) => {
          const r = await getRule(tx, req.principal, req.params.id);
          return previewRule(
            tx,
            req.principal,
            { segmentId: r.segmentId, dailyCap: r.dailyCap, ruleId: r.id, period: r.period },
            req.locale,
          );
        },
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/field-service/predictive-rules/:id',
    permission: P.rules,
    summary: 'Edit a rule (version check)',
    tags,
    params: idParam,
    body: PredictiveRulePatch,
    response: PredictiveRule,
    probe: { ...rule, sample: { version: 1 } },
    handler: (req) =>
      req.tx((tx) => updateRule(tx, req.principal, req.actor, req.params.id, req.body, req.locale)),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/field-service/predictive-rules/:id',
    permission: P.rules,
    summary: 'Delete a rule (tickets it created stay)',
    tags,
    params: idParam,
    status: 204,
    probe: rule,
    handler: (req) => req.tx((tx) => deleteRule(tx, req.principal, req.actor, req.params.id)),
  }),
  defineRoute({
    method: 'POST',
    url: '/field-service/predictive-rules/:id/run',
    permission: P.rules,
    summary: 'Run a rule now (same cap and idempotency as the daily run)',
    tags,
    params: idParam,
    response: PredictiveRunResult,
    probe: rule,
    handler: async (req) => {
      await req.tx((tx) => getRule(tx, req.principal, req.params.id), { readOnly: true });
      const t = req.principal.tenantId;
      return runRule(
        { db: req.database.db, tenantId: t, tx: (fn, opts) => inTenant(req.database.db, t, fn, opts) },
        req.params.id,
      );
    },
  }),
];
