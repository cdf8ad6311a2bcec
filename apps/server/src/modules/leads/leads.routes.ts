import { z } from 'zod';
import { RateLimiter } from '../../core/auth/rate-limit.ts';
import { badRequest } from '../../core/errors.ts';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { kick } from '../../core/jobs/queue.ts';
import { recordCtx } from '../../engine/records/record.service.ts';
import {
  createRule,
  deleteRule,
  getSettings,
  listRules,
  listUserSettings,
  putUserSettings,
  updateRule,
  updateSettings,
} from './config.service.ts';
import { convertLead } from './conversion.service.ts';
import { checkDuplicates, duplicateOf, mergeLead } from './duplicates.service.ts';
import { assignmentHistory, inbox } from './inbox.service.ts';
import {
  createForm,
  HONEYPOT,
  intakeByChannel,
  listChannels,
  listForms,
  publicFormSpec,
  submitPublicForm,
  updateForm,
  upsertChannel,
} from './intake.service.ts';
import { changeStatus } from './lead-status.service.ts';
import {
  channelBody,
  convertBody,
  dupQuery,
  formCreate,
  formPatch,
  intakeBody,
  listQuery,
  poolReturn,
  ruleBody,
  rulePatch,
  settingsPatch,
  statusChange,
  userSettingsBody,
} from './leads.schemas.ts';
import { claimLead, listPool, returnToPool } from './pool.service.ts';
import { rescoreOpenLeads, trainModel } from './scoring.service.ts';

const TAGS = ['leads'];
/** Per IP and form; the default suits a human filling a form, not a script. */
const formLimiter = new RateLimiter(Number(process.env.LEADS_FORM_RATE_LIMIT ?? 10), 60_000);
const formKeyParam = z.object({ formKey: z.string().min(10).max(80) });

function cors(reply: { header(k: string, v: string): unknown }) {
  // Forms are embedded on the tenant's own sites. Submissions are simple CORS requests
  // (text/plain JSON, no cookies), so no preflight is needed and no credentials are shared.
  reply.header('access-control-allow-origin', '*');
  reply.header('access-control-allow-methods', 'GET, POST');
}

export const leadRoutes: RouteSpec[] = [
  // ---------------------------------------------------------------- public intake
  defineRoute({
    method: 'GET',
    url: '/public/forms/:formKey',
    permission: 'public',
    summary: 'Public: the fields and texts of an embeddable lead form',
    tags: TAGS,
    params: formKeyParam,
    handler: async (req, reply) => {
      cors(reply);
      return publicFormSpec(req.database.db, req.params.formKey, req.locale);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/public/forms/:formKey/leads',
    permission: 'public',
    summary:
      'Public: submit a lead through an embeddable form (honeypot, per-IP rate limit; JSON or text/plain JSON)',
    tags: TAGS,
    params: formKeyParam,
    status: 201,
    bodyLimit: 32 * 1024,
    handler: async (req, reply) => {
      cors(reply);
      formLimiter.hit(`${req.raw.ip}:${req.params.formKey}`);
      let body = req.body as unknown;
      if (typeof body === 'string') {
        try {
          body = JSON.parse(body);
        } catch {
          throw badRequest('bad_request.body');
        }
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw badRequest('bad_request.body');
      const b = body as Record<string, unknown>;
      // Bots fill every field; people never see this one. Answer as if accepted, store nothing.
      if (typeof b[HONEYPOT] === 'string' && b[HONEYPOT].trim() !== '') {
        return reply.status(202).send({ ok: true });
      }
      const r = await submitPublicForm(req.database.db, req.params.formKey, b, {
        ip: req.raw.ip,
        locale: req.locale,
        requestId: String(req.raw.id),
      });
      kick();
      return { ok: true, thankYou: r.thankYou };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/leads/intake',
    permission: 'lead:create',
    summary: 'Create a lead from a channel code (state → channel, campaign, default tags, assignment rule)',
    tags: TAGS,
    body: intakeBody,
    status: 201,
    handler: async (req) => {
      const r = await req.tx((tx) =>
        intakeByChannel(tx, req.principal, req.actor, req.body as any, req.locale),
      );
      kick();
      return r;
    },
  }),
  // ---------------------------------------------------------------- salesperson
  defineRoute({
    method: 'GET',
    url: '/leads/inbox',
    permission: 'lead:read',
    summary: 'My open leads by urgency (unanswered first by SLA deadline; overdue flags; next follow-up)',
    tags: TAGS,
    query: z.object({ limit: z.coerce.number().int().min(1).max(200).optional() }),
    handler: (req) =>
      req.tx(async (tx) => inbox(await recordCtx(tx, req.principal, req.actor, 'lead'), req.query), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/leads/pool',
    permission: 'lead:read',
    summary: 'Leads in the pools (公海) of my unit, the units above it and below it; my claim limits',
    tags: TAGS,
    query: listQuery,
    handler: (req) =>
      req.tx(async (tx) => listPool(await recordCtx(tx, req.principal, req.actor, 'lead'), req.query), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/leads/duplicates',
    permission: 'lead:read',
    summary:
      'Duplicate check before save: an existing lead or customer with the same phone, email or company, and its owner',
    tags: TAGS,
    query: dupQuery,
    probe: { query: { phone: 'lead.phone' } },
    handler: (req) =>
      req.tx(
        async (tx) => checkDuplicates(await recordCtx(tx, req.principal, req.actor, 'lead'), req.query),
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/leads/:id/claim',
    permission: 'lead:update',
    probe: { params: { id: 'lead' } },
    summary: 'Claim a lead from the pool (race-safe; 409 names the owner; daily and holding limits)',
    tags: TAGS,
    params: idParam,
    handler: (req) =>
      req.tx(async (tx) =>
        claimLead(await recordCtx(tx, req.principal, req.actor, 'lead'), req.params.id, req.locale),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/leads/:id/return',
    permission: 'lead:update',
    probe: { params: { id: 'lead' } },
    summary: 'Return a lead to its unit pool with a reason',
    tags: TAGS,
    params: idParam,
    body: poolReturn,
    handler: (req) =>
      req.tx(async (tx) =>
        returnToPool(
          await recordCtx(tx, req.principal, req.actor, 'lead'),
          req.params.id,
          req.body,
          req.locale,
        ),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/leads/:id/status',
    permission: 'lead:update',
    probe: { params: { id: 'lead' } },
    summary: 'Change a lead status (guarded transitions; disqualify needs a reason)',
    tags: TAGS,
    params: idParam,
    body: statusChange,
    handler: (req) =>
      req.tx(async (tx) =>
        changeStatus(
          await recordCtx(tx, req.principal, req.actor, 'lead'),
          req.params.id,
          req.body,
          req.locale,
        ),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/leads/:id/convert',
    permission: 'lead:update',
    probe: { params: { id: 'lead' }, body: { 'customer.id': 'customer' } },
    summary:
      'Convert a lead: customer (existing or new), contact, optional opportunity, activities moved — one transaction',
    tags: TAGS,
    params: idParam,
    body: convertBody,
    handler: (req) =>
      req.tx(async (tx) =>
        convertLead(
          await recordCtx(tx, req.principal, req.actor, 'lead'),
          req.params.id,
          req.body as any,
          req.locale,
        ),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/leads/:id/merge',
    permission: 'lead:update',
    probe: { params: { id: 'lead' }, body: { intoId: 'lead' } },
    summary: 'Merge this (duplicate) lead into another: fill empty fields, move activities, close this one',
    tags: TAGS,
    params: idParam,
    body: z.object({ intoId: z.uuid() }).strict(),
    handler: (req) =>
      req.tx(async (tx) =>
        mergeLead(
          await recordCtx(tx, req.principal, req.actor, 'lead'),
          req.params.id,
          req.body.intoId,
          req.locale,
        ),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/leads/:id/duplicate',
    permission: 'lead:read',
    probe: { params: { id: 'lead' } },
    summary: 'The lead or customer this lead duplicates, with its owner (撞单 warning)',
    tags: TAGS,
    params: idParam,
    handler: (req) =>
      req.tx(
        async (tx) => duplicateOf(await recordCtx(tx, req.principal, req.actor, 'lead'), req.params.id),
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/leads/:id/assignments',
    permission: 'lead:read',
    probe: { params: { id: 'lead' } },
    summary: 'Assignment history of a lead with the reason of every decision',
    tags: TAGS,
    params: idParam,
    handler: (req) =>
      req.tx(
        async (tx) => assignmentHistory(await recordCtx(tx, req.principal, req.actor, 'lead'), req.params.id),
        { readOnly: true },
      ),
  }),
  // ---------------------------------------------------------------- configuration
  defineRoute({
    method: 'GET',
    url: '/leads/settings',
    permission: 'lead:read',
    summary: 'Scorecard, model summary, SLA minutes per channel, pool rules',
    tags: TAGS,
    handler: (req) => req.tx((tx) => getSettings(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/leads/settings',
    permission: 'leads:configure',
    summary: 'Edit the scorecard, SLA or pool rules (a scorecard change re-scores open leads)',
    tags: TAGS,
    body: settingsPatch,
    handler: (req) => req.tx((tx) => updateSettings(tx, req.actor, req.principal.tenantId, req.body as any)),
  }),
  defineRoute({
    method: 'POST',
    url: '/leads/scoring/train',
    permission: 'leads:configure',
    summary: "Retrain the scoring model on the tenant's converted/disqualified history now",
    tags: TAGS,
    handler: (req) =>
      req.tx(async (tx) => {
        const r = await trainModel(tx, req.principal.tenantId);
        const rescored = await rescoreOpenLeads(tx, req.principal.tenantId);
        return { ...r, rescored };
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/leads/rules',
    permission: 'leads:configure',
    summary: 'Assignment rules in order',
    tags: TAGS,
    handler: (req) => req.tx((tx) => listRules(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/leads/rules',
    permission: 'leads:configure',
    probe: { body: { poolUnitId: 'unit', 'members.0.userId': 'user' } },
    summary: 'Add an assignment rule',
    tags: TAGS,
    body: ruleBody,
    status: 201,
    handler: (req) => req.tx((tx) => createRule(tx, req.actor, req.principal.tenantId, req.body as any)),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/leads/rules/:id',
    permission: 'leads:configure',
    summary: 'Change an assignment rule (order, conditions, strategy, members)',
    tags: TAGS,
    params: idParam,
    body: rulePatch,
    probe: { params: { id: 'lead_rule' }, body: { poolUnitId: 'unit', 'members.0.userId': 'user' } },
    handler: (req) =>
      req.tx((tx) => updateRule(tx, req.actor, req.principal.tenantId, req.params.id, req.body as any)),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/leads/rules/:id',
    permission: 'leads:configure',
    summary: 'Remove an assignment rule',
    tags: TAGS,
    params: idParam,
    status: 204,
    probe: { params: { id: 'lead_rule' } },
    handler: (req) => req.tx((tx) => deleteRule(tx, req.actor, req.principal.tenantId, req.params.id)),
  }),
  defineRoute({
    method: 'GET',
    url: '/leads/user-settings',
    permission: 'leads:configure',
    summary: 'Per-user lead capacity and working hours',
    tags: TAGS,
    handler: (req) => req.tx((tx) => listUserSettings(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/leads/user-settings/:id',
    permission: 'leads:configure',
    summary: "Set a user's lead capacity (max open leads) and working hours",
    tags: TAGS,
    params: idParam,
    body: userSettingsBody,
    probe: { params: { id: 'user' } },
    handler: (req) =>
      req.tx((tx) => putUserSettings(tx, req.actor, req.principal.tenantId, req.params.id, req.body as any)),
  }),
  defineRoute({
    method: 'GET',
    url: '/leads/forms',
    permission: 'leads:configure',
    summary: 'Web forms with their public keys',
    tags: TAGS,
    handler: (req) => req.tx((tx) => listForms(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/leads/forms',
    permission: 'leads:configure',
    probe: { body: { unitId: 'unit' } },
    summary: 'Create an embeddable web form',
    tags: TAGS,
    body: formCreate,
    status: 201,
    handler: (req) => req.tx((tx) => createForm(tx, req.actor, req.principal, req.body as any)),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/leads/forms/:id',
    permission: 'leads:configure',
    summary: 'Change or disable a web form',
    tags: TAGS,
    params: idParam,
    body: formPatch,
    probe: { params: { id: 'lead_form' } },
    handler: (req) =>
      req.tx((tx) => updateForm(tx, req.actor, req.principal.tenantId, req.params.id, req.body as any)),
  }),
  defineRoute({
    method: 'GET',
    url: '/leads/channels',
    permission: 'leads:configure',
    summary: 'Channel codes (活码)',
    tags: TAGS,
    handler: (req) => req.tx((tx) => listChannels(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/leads/channels',
    permission: 'leads:configure',
    probe: { body: { ruleId: 'lead_rule', unitId: 'unit' } },
    summary: 'Create a channel code',
    tags: TAGS,
    body: channelBody,
    status: 201,
    handler: (req) =>
      req.tx((tx) => upsertChannel(tx, req.actor, req.principal.tenantId, null, req.body as any)),
  }),
  defineRoute({
    method: 'PUT',
    url: '/leads/channels/:id',
    permission: 'leads:configure',
    summary: 'Replace a channel code',
    tags: TAGS,
    params: idParam,
    body: channelBody,
    probe: { params: { id: 'lead_channel' }, body: { ruleId: 'lead_rule', unitId: 'unit' } },
    handler: (req) =>
      req.tx((tx) => upsertChannel(tx, req.actor, req.principal.tenantId, req.params.id, req.body as any)),
  }),
];
