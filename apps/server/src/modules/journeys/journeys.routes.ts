import {
  EnrolInput,
  EnrolResult,
  JourneyAnalytics,
  JourneyDetail,
  JourneyInput,
  JourneySummary,
  JOURNEY_PERMISSIONS as P,
  ProfileRun,
} from '@kehu/contracts/journeys';
import { z } from 'zod';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { journeyAnalytics } from './analytics.service.ts';
import {
  createJourney,
  enrolManually,
  getJourney,
  listJourneys,
  publishJourney,
  runsOfProfile,
  saveDraft,
  setJourneyStatus,
} from './journeys.service.ts';
import { runsOfRecord } from './record-runs.service.ts';

const tags = ['journeys'];
/** The smallest valid journey (manual entry → exit), for the generated security tests. */
const PROBE_JOURNEY = {
  name: 'probe',
  definition: {
    trigger: { kind: 'manual' },
    graph: { nodes: [{ id: 'end', data: { kind: 'exit' } }], edges: [] },
  },
};

/** Journeys (issue 12): definitions, versions, publishing, enrolment, analytics. */
export const journeyRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/journeys',
    permission: P.read,
    summary: 'Journeys in the caller’s scope with entered, active and converted counts',
    tags,
    response: z.object({ items: z.array(JourneySummary) }),
    handler: async (req) => ({
      items: await req.tx((tx) => listJourneys(tx, req.principal), { readOnly: true }),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/journeys',
    permission: P.manage,
    summary: 'Create a journey with its first draft',
    tags,
    body: JourneyInput,
    response: JourneyDetail,
    status: 201,
    handler: (req) =>
      req.tx(async (tx) =>
        getJourney(tx, req.principal, await createJourney(tx, req.principal, req.actor, req.body)),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/journeys/:id',
    permission: P.read,
    summary: 'A journey with its live version and draft',
    tags,
    params: idParam,
    response: JourneyDetail,
    probe: { params: { id: 'journey' } },
    handler: (req) => req.tx((tx) => getJourney(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/journeys/:id/draft',
    permission: P.manage,
    summary: 'Save the draft (a new draft after the live version, which never changes)',
    tags,
    params: idParam,
    body: JourneyInput,
    response: JourneyDetail,
    probe: { params: { id: 'journey' }, sample: PROBE_JOURNEY },
    handler: (req) =>
      req.tx(async (tx) => {
        await saveDraft(tx, req.principal, req.actor, req.params.id, req.body);
        return getJourney(tx, req.principal, req.params.id);
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/journeys/:id/publish',
    permission: P.manage,
    summary:
      'Publish the draft: new entries use it; runs already inside finish on their version. Graph problems come back per step',
    tags,
    params: idParam,
    response: JourneyDetail,
    probe: { params: { id: 'journey' } },
    handler: (req) =>
      req.tx(async (tx) => {
        await publishJourney(tx, req.principal, req.actor, req.params.id, req.locale);
        return getJourney(tx, req.principal, req.params.id);
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/journeys/:id/status',
    permission: P.manage,
    summary: 'Pause (no new entries), resume or archive a journey; runs inside finish either way',
    tags,
    params: idParam,
    body: z.object({ status: z.enum(['paused', 'live', 'archived']) }),
    response: JourneyDetail,
    probe: { params: { id: 'journey' } },
    handler: (req) =>
      req.tx(async (tx) => {
        await setJourneyStatus(tx, req.principal, req.actor, req.params.id, req.body.status, req.locale);
        return getJourney(tx, req.principal, req.params.id);
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/journeys/:id/enrol',
    permission: P.enrol,
    summary: 'Enrol profiles by hand or by API (the re-entry policy applies)',
    tags,
    params: idParam,
    body: EnrolInput,
    response: EnrolResult,
    probe: { params: { id: 'journey' }, sample: { profileIds: ['00000000-0000-7000-8000-000000000001'] } },
    handler: (req) =>
      req.tx((tx) =>
        enrolManually(tx, req.principal, req.actor, req.params.id, req.body.profileIds, req.locale),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/journeys/:id/analytics',
    permission: P.read,
    summary: 'Entered, per step now/sent/skipped/delivered/opened/clicked, goal uplift vs holdout, revenue',
    tags,
    params: idParam,
    query: z.object({ version: z.coerce.number().int().min(1).optional() }),
    response: JourneyAnalytics,
    probe: { params: { id: 'journey' } },
    handler: (req) =>
      req.tx((tx) => journeyAnalytics(tx, req.principal, req.params.id, req.query.version), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/journeys/profiles/:id/runs',
    permission: P.read,
    summary: 'A profile’s journeys: each step taken, and what was skipped and why',
    tags,
    params: idParam,
    response: z.object({ items: z.array(ProfileRun) }),
    probe: { params: { id: 'cdp_profile' } },
    handler: async (req) => ({
      items: await req.tx((tx) => runsOfProfile(tx, req.principal, req.params.id), { readOnly: true }),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/journeys/records/:object/:id/runs',
    permission: P.read,
    summary:
      'The journeys of the profile behind a record (customer, contact, opportunity, order, lead), with skips and why; the record is read as the viewer',
    tags,
    params: z.object({ object: z.string().min(1).max(40), id: z.uuid() }),
    response: z.object({ items: z.array(ProfileRun) }),
    probe: { params: { object: '=customer', id: 'customer' } },
    handler: async (req) => ({
      items: await req.tx(
        (tx) =>
          runsOfRecord(tx, { principal: req.principal, actor: req.actor }, req.params.object, req.params.id),
        { readOnly: true },
      ),
    }),
  }),
];
