import {
  CheckIn,
  CheckOut,
  Coverage,
  CoverageQuery,
  GalleryQuery,
  FIELD_SALES_PERMISSIONS as P,
  PhotoList,
  PhotoQuery,
  Plan,
  PlanInput,
  PlanList,
  PlanQuery,
  ProposeInput,
  RepList,
  StepInput,
  Store,
  StoreInput,
  StoreList,
  Visit,
  VisitCatalogue,
  VisitCreate,
  VisitList,
  VisitOrderDraft,
  VisitQuery,
  VisitTaskComplete,
  VisitTaskList,
} from '@kehu/contracts/field-sales';
import { z } from 'zod';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { readUpload } from '../../core/http/upload.ts';
import { listPlans, propose, savePlan } from './plans.service.ts';
import { listReps, listStores, putStore } from './stores.service.ts';
import {
  addPhoto,
  checkIn,
  checkOut,
  completeVisitTask,
  coverage,
  createVisit,
  draftVisitOrder,
  getVisit,
  listPhotos,
  listVisits,
  photoBytes,
  saveStep,
  visitCatalogue,
  visitTasks,
} from './visits.service.ts';

const tags = ['field-sales'];
const visit = { params: { id: 'fsl_visit' } };
/** Phone photos: ≤ 8 MB (re-encoded to ≤ 1600 px JPEG with the watermark). */
const PHOTO_LIMIT = 8 * 1024 * 1024;

export const fieldSalesRoutes: RouteSpec[] = [
  // ---- store master and reps ----
  defineRoute({
    method: 'GET',
    url: '/field-sales/stores',
    permission: P.read,
    summary: 'Stores of my unit and below: location (geofence), tier, rep in charge, last visit',
    tags,
    response: StoreList,
    handler: async (req) => ({
      items: await req.tx((tx) => listStores(tx, req.principal), { readOnly: true }),
    }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/field-sales/stores/:id',
    permission: P.plan,
    summary: "Set a store's tier (A/B/C → visit frequency) and rep in charge (version 0 = first time)",
    tags,
    params: idParam,
    body: StoreInput,
    response: Store,
    probe: { params: { id: 'fsl_store' }, sample: { tier: 'A', repId: null, version: 0 } },
    handler: (req) =>
      req.tx((tx) => putStore(tx, req.principal, req.actor, req.params.id, req.body, req.locale)),
  }),
  defineRoute({
    method: 'GET',
    url: '/field-sales/reps',
    permission: P.read,
    summary: 'People of my unit and below who can be planned as reps, with the stores in their charge',
    tags,
    response: RepList,
    handler: async (req) => ({
      items: await req.tx((tx) => listReps(tx, req.principal), { readOnly: true }),
    }),
  }),
  // ---- plans ----
  defineRoute({
    method: 'GET',
    url: '/field-sales/plans',
    permission: P.read,
    summary: 'Weekly visit plans (routes) of my reps and mine',
    tags,
    query: PlanQuery,
    response: PlanList,
    probe: { query: { repId: 'fsl_rep', weekStart: '=2030-01-07' } },
    handler: async (req) => ({
      items: await req.tx((tx) => listPlans(tx, req.principal, req.query), { readOnly: true }),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/field-sales/plans/propose',
    permission: P.plan,
    summary:
      "Propose a rep's week: stores due by tier frequency, in a nearest-neighbour route over the workdays",
    tags,
    body: ProposeInput,
    response: Plan,
    probe: { body: { repId: 'fsl_rep' }, sample: { weekStart: '2030-01-07' } },
    handler: (req) => req.tx((tx) => propose(tx, req.principal, req.locale, req.body), { readOnly: true }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/field-sales/plans',
    permission: P.plan,
    summary: "Save a rep's week as adjusted (version 0 = new); started visits stay",
    tags,
    body: PlanInput,
    response: Plan,
    probe: { body: { repId: 'fsl_rep' }, sample: { weekStart: '2030-01-07', visits: [], version: 0 } },
    handler: (req) => req.tx((tx) => savePlan(tx, req.principal, req.actor, req.locale, req.body)),
  }),
  // ---- visits: manager view ----
  defineRoute({
    method: 'GET',
    url: '/field-sales/visits',
    permission: P.read,
    summary: "A day's visits (default today) at stores of my unit and below, with positions for the map",
    tags,
    query: VisitQuery,
    response: VisitList,
    handler: async (req) => ({
      items: await req.tx((tx) => listVisits(tx, req.principal, req.locale, req.query), { readOnly: true }),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/field-sales/coverage',
    permission: P.read,
    summary: 'Visit coverage and frequency by store tier: expected, planned, done, stores covered',
    tags,
    query: CoverageQuery,
    response: Coverage,
    handler: (req) => req.tx((tx) => coverage(tx, req.principal, req.query), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/field-sales/photos',
    permission: P.read,
    summary: 'Visit photos of my stores (gallery), newest first',
    tags,
    query: GalleryQuery,
    response: PhotoList,
    handler: async (req) => ({
      items: await req.tx((tx) => listPhotos(tx, req.principal, req.locale, req.query), { readOnly: true }),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/field-sales/photos/:id',
    permission: P.read,
    summary: 'A visit photo (watermarked JPEG; ?thumb=1 for the thumbnail)',
    tags,
    params: idParam,
    query: z.object({ thumb: z.enum(['0', '1']).optional() }).strict(),
    file: ['image/jpeg'],
    probe: { params: { id: 'fsl_photo' } },
    handler: async (req, reply) => {
      const bytes = await req.tx(
        (tx) => photoBytes(tx, req.principal, req.params.id, req.query.thumb === '1'),
        {
          readOnly: true,
        },
      );
      return reply.type('image/jpeg').header('cache-control', 'private, max-age=300').send(bytes);
    },
  }),
  // ---- visits: the rep's phone ----
  defineRoute({
    method: 'GET',
    url: '/field-sales/my-visits',
    permission: P.visit,
    summary: "The rep's visits of a day (default today) in route order",
    tags,
    query: VisitQuery,
    response: VisitList,
    handler: async (req) => ({
      items: await req.tx((tx) => listVisits(tx, req.principal, req.locale, { ...req.query, mine: true }), {
        readOnly: true,
      }),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/field-sales/visits',
    permission: P.visit,
    summary: 'Start an unplanned visit (id generated on the phone: a replay is the same visit)',
    tags,
    body: VisitCreate,
    response: Visit,
    status: 201,
    probe: { body: { storeUnitId: 'fsl_store' } },
    handler: (req) => req.tx((tx) => createVisit(tx, req.principal, req.actor, req.locale, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/field-sales/visits/:id',
    permission: P.visit,
    summary: 'One visit (mine, or at a store of my unit and below)',
    tags,
    params: idParam,
    response: Visit,
    probe: visit,
    handler: (req) =>
      req.tx((tx) => getVisit(tx, req.principal, req.locale, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/field-sales/visits/:id/check-in',
    permission: P.visit,
    summary:
      'Check in with the phone position: inside the geofence, or with a reason (flagged); a replay is a no-op',
    tags,
    params: idParam,
    body: CheckIn,
    response: Visit,
    probe: { ...visit, sample: { lng: null, lat: null, reason: '定位失败' } },
    handler: (req) =>
      req.tx((tx) => checkIn(tx, req.principal, req.actor, req.locale, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'POST',
    url: '/field-sales/visits/:id/steps',
    permission: P.visit,
    summary:
      "Record a step's result (inventory, competitor prices, order intent, HQ task); the last write wins",
    tags,
    params: idParam,
    body: StepInput,
    response: Visit,
    probe: { ...visit, sample: { step: 'inventory', items: [{ name: '样品', qty: 1 }] } },
    handler: (req) =>
      req.tx((tx) => saveStep(tx, req.principal, req.actor, req.locale, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'POST',
    url: '/field-sales/visits/:id/photos',
    permission: P.visit,
    summary:
      'A shelf/display photo (image body ≤ 8 MB): watermark, geofence, EXIF and duplicate checks; photoId makes it idempotent',
    tags,
    params: idParam,
    query: PhotoQuery,
    response: Visit,
    rawBody: true,
    bodyLimit: PHOTO_LIMIT,
    probe: { skip: 'raw upload body; access is the visit’s (probed on GET /field-sales/visits/:id)' },
    handler: async (req) => {
      const len = req.raw.headers['content-length'];
      const bytes = await readUpload(req.body, PHOTO_LIMIT, len ? Number(len) : null);
      return addPhoto(req.database, req.principal, req.actor, req.locale, req.params.id, req.query, bytes);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/field-sales/visits/:id/check-out',
    permission: P.visit,
    summary: 'Check out (duration from check-in); a replay is a no-op',
    tags,
    params: idParam,
    body: CheckOut,
    response: Visit,
    probe: visit,
    handler: (req) =>
      req.tx((tx) => checkOut(tx, req.principal, req.actor, req.locale, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/field-sales/visits/:id/hq-tasks',
    permission: P.visit,
    summary: "The visit store's open HQ tasks (dealer-network), with the proof each asks for",
    tags,
    params: idParam,
    response: VisitTaskList,
    probe: visit,
    handler: (req) => req.tx((tx) => visitTasks(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/field-sales/visits/:id/hq-tasks',
    permission: P.visit,
    summary:
      "Complete one of the store's HQ tasks during the visit (rep with dealer_network:tasks_work); clientId makes it idempotent",
    tags,
    params: idParam,
    body: VisitTaskComplete,
    response: Visit,
    probe: {
      ...visit,
      sample: {
        clientId: '00000000-0000-4000-8000-000000000001',
        targetId: '00000000-0000-4000-8000-000000000002',
        version: 1,
      },
    },
    handler: (req) =>
      req.tx((tx) => completeVisitTask(tx, req.principal, req.actor, req.locale, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/field-sales/visits/:id/order-catalogue',
    permission: P.visit,
    summary: "Products at the prices of the store's dealer, for an order draft (rep with dealers:order)",
    tags,
    params: idParam,
    response: VisitCatalogue,
    probe: visit,
    handler: (req) =>
      req.tx((tx) => visitCatalogue(tx, req.principal, req.locale, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/field-sales/visits/:id/order-draft',
    permission: P.visit,
    summary:
      "Take an order draft for the store's dealer (dealers' pricing; the dealer submits it); clientId makes it idempotent",
    tags,
    params: idParam,
    body: VisitOrderDraft,
    response: Visit,
    probe: {
      ...visit,
      sample: {
        clientId: '00000000-0000-4000-8000-000000000003',
        lines: [{ productId: '00000000-0000-4000-8000-000000000004', quantity: 1 }],
      },
    },
    handler: (req) =>
      req.tx((tx) => draftVisitOrder(tx, req.principal, req.actor, req.locale, req.params.id, req.body)),
  }),
];
