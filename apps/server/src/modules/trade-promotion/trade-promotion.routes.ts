import {
  Activity,
  ActivityInput,
  ActivityList,
  ActivityQuery,
  AllocateInput,
  Budget,
  BudgetInput,
  BudgetList,
  BudgetQuery,
  PoolLedger,
  PoolList,
  Proof,
  ProofList,
  ProofUploadQuery,
  Roi,
  StoreLocation,
  StoreLocationInput,
  StoreLocationList,
  TPM_PERMISSIONS,
  VerifyInput,
  VersionInput,
} from '@kehu/contracts/trade-promotion';
import { z } from 'zod';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import {
  cancelActivity,
  completeActivity,
  createActivity,
  getActivity,
  listActivities,
  submitActivity,
  verifyActivity,
} from './activities.service.ts';
import { allocateBudget, createRootBudget, getBudget, listBudgets } from './budgets.service.ts';
import { listPools, poolLedger } from './expense-pool.ts';
import {
  listProofs,
  listStores,
  proofImage,
  readPhoto,
  saveStoreLocation,
  uploadProof,
} from './proofs.service.ts';
import { activityRoi } from './roi.service.ts';

const P = TPM_PERMISSIONS;
const tags = ['trade-promotion'];
const probeBudget = { params: { id: 'tpm_budget' } };
const probeActivity = { params: { id: 'tpm_activity' } };
/** A phone photo; larger is refused before it is read. */
const PHOTO_LIMIT = 12 * 1024 * 1024;

export const tpmRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/tpm/budgets',
    permission: P.read,
    summary:
      'Budgets of the caller’s unit and the units below, with allocated / committed / used / remaining',
    tags,
    query: BudgetQuery,
    response: BudgetList,
    handler: (req) =>
      req.tx(async (tx) => ({ items: await listBudgets(tx, req.principal, req.query.year) }), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/tpm/budgets',
    permission: P.fund,
    summary: 'Set up a year or quarter budget of the top unit (HQ) by channel and expense type',
    tags,
    body: BudgetInput,
    response: Budget,
    status: 201,
    handler: (req) => req.tx((tx) => createRootBudget(tx, req.principal, req.actor, req.locale, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/tpm/budgets/:id',
    permission: P.read,
    summary: 'One budget',
    tags,
    params: idParam,
    response: Budget,
    probe: probeBudget,
    handler: (req) => req.tx((tx) => getBudget(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/tpm/budgets/:id/allocations',
    permission: P.allocate,
    summary: 'Allocate part of a budget to a direct sub-unit (409 when the budget does not cover it)',
    tags,
    params: idParam,
    body: AllocateInput,
    response: Budget,
    status: 201,
    probe: { ...probeBudget, body: { unitId: 'unit' } },
    handler: (req) =>
      req.tx((tx) => allocateBudget(tx, req.principal, req.actor, req.locale, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/tpm/stores',
    permission: P.read,
    summary: 'Stores of the caller’s units with their location and geofence radius',
    tags,
    response: StoreLocationList,
    handler: (req) =>
      req.tx(async (tx) => ({ items: await listStores(tx, req.principal) }), { readOnly: true }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/tpm/stores/:id/location',
    permission: P.stores,
    summary: 'Set a store’s location (WGS-84, GCJ-02 or BD-09) and geofence radius',
    tags,
    params: idParam,
    body: StoreLocationInput,
    response: StoreLocation,
    probe: { params: { id: 'unit' } },
    handler: (req) =>
      req.tx((tx) =>
        saveStoreLocation(tx, req.principal, req.actor, req.locale, req.params.id, req.body as any),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/tpm/activities',
    permission: P.read,
    summary: 'Activities of the caller’s dealers and stores',
    tags,
    query: ActivityQuery,
    response: ActivityList,
    handler: (req) =>
      req.tx(async (tx) => ({ items: await listActivities(tx, req.principal, req.query) }), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/tpm/verification-queue',
    permission: P.verify,
    summary: 'Executed activities awaiting 核销 that the caller may verify (sampled ones first)',
    tags,
    response: ActivityList,
    handler: (req) =>
      req.tx(
        async (tx) => ({
          items: await listActivities(tx, req.principal, { status: 'executed', queue: true }),
        }),
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/tpm/activities',
    permission: P.propose,
    summary: 'Propose an activity (type, dealer, stores, dates, budget lines) as a draft',
    tags,
    body: ActivityInput,
    response: Activity,
    status: 201,
    handler: (req) => req.tx((tx) => createActivity(tx, req.principal, req.actor, req.locale, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/tpm/activities/:id',
    permission: P.read,
    summary: 'One activity with its budget lines',
    tags,
    params: idParam,
    response: Activity,
    probe: probeActivity,
    handler: (req) => req.tx((tx) => getActivity(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/tpm/activities/:id/submit',
    permission: P.propose,
    summary: 'Send a draft for approval (the budget is committed on approval)',
    tags,
    params: idParam,
    body: VersionInput,
    response: Activity,
    probe: probeActivity,
    handler: (req) =>
      req.tx((tx) =>
        submitActivity(tx, req.principal, req.actor, req.locale, req.params.id, req.body.version),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/tpm/activities/:id/cancel',
    permission: P.propose,
    summary: 'Cancel an activity; its commitment returns to the budgets',
    tags,
    params: idParam,
    body: VersionInput,
    response: Activity,
    probe: probeActivity,
    handler: (req) =>
      req.tx((tx) =>
        cancelActivity(tx, req.principal, req.actor, req.locale, req.params.id, req.body.version),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/tpm/activities/:id/complete',
    permission: P.proof,
    summary: 'Execution done: into the verification queue (audit sampling drawn here)',
    tags,
    params: idParam,
    body: VersionInput,
    response: Activity,
    probe: probeActivity,
    handler: (req) =>
      req.tx((tx) =>
        completeActivity(tx, req.principal, req.actor, req.locale, req.params.id, req.body.version),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/tpm/activities/:id/verify',
    permission: P.verify,
    summary: '核销: approve an amount ≤ the commitment; it is used and credited to the dealer’s expense pool',
    tags,
    params: idParam,
    body: VerifyInput,
    response: Activity,
    probe: probeActivity,
    handler: (req) =>
      req.tx((tx) => verifyActivity(tx, req.principal, req.actor, req.locale, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/tpm/activities/:id/roi',
    permission: P.read,
    summary: 'Incremental sell-in vs the baseline period and comparable stores',
    tags,
    params: idParam,
    response: Roi,
    probe: probeActivity,
    handler: (req) => req.tx((tx) => activityRoi(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/tpm/activities/:id/proofs',
    permission: P.read,
    summary: 'Execution proof photos of an activity with their flags',
    tags,
    params: idParam,
    response: ProofList,
    probe: probeActivity,
    handler: (req) =>
      req.tx(async (tx) => ({ items: await listProofs(tx, req.principal, req.locale, req.params.id) }), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/tpm/activities/:id/proofs',
    permission: P.proof,
    summary:
      'Upload a proof photo (application/octet-stream) with GPS and time: watermarked, geofenced, duplicate and EXIF checked',
    tags,
    params: idParam,
    query: ProofUploadQuery,
    response: Proof,
    status: 201,
    rawBody: true,
    bodyLimit: PHOTO_LIMIT,
    probe: { skip: 'raw upload body' },
    handler: async (req) => {
      const len = req.raw.headers['content-length'];
      const bytes = await readPhoto(req.body, PHOTO_LIMIT, len ? Number(len) : null);
      return uploadProof(
        req.database,
        req.principal,
        req.actor,
        req.locale,
        req.params.id,
        req.query as any,
        bytes,
      );
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/tpm/proofs/:id/image',
    permission: P.read,
    summary: 'The watermarked proof photo (size=thumb for the 360 px thumbnail)',
    tags,
    params: idParam,
    query: z.object({ size: z.enum(['full', 'thumb']).default('full') }),
    file: ['image/jpeg'],
    probe: { params: { id: 'tpm_proof' } },
    handler: async (req, reply) => {
      const bytes = await req.tx(
        (tx) => proofImage(tx, req.principal, req.params.id, req.query.size === 'thumb'),
        {
          readOnly: true,
        },
      );
      return reply.type('image/jpeg').header('cache-control', 'private, max-age=300').send(bytes);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/tpm/pools',
    permission: P.read,
    summary: 'Expense pools of the caller’s dealers',
    tags,
    response: PoolList,
    handler: (req) =>
      req.tx(async (tx) => ({ items: await listPools(tx, req.principal) }), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/tpm/pools/:id',
    permission: P.read,
    summary: 'One dealer’s expense pool with its ledger (newest first)',
    tags,
    params: idParam,
    response: PoolLedger,
    probe: { params: { id: 'tpm_pool' } },
    handler: (req) => req.tx((tx) => poolLedger(tx, req.principal, req.params.id), { readOnly: true }),
  }),
];
