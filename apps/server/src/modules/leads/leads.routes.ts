import {
  AssignmentRule,
  AssignmentRules,
  Assignments,
  ChannelBody,
  Conversion,
  ConvertBody,
  DuplicateCheck,
  DuplicateOf,
  DuplicateQuery,
  FormCreate,
  FormKeyParams,
  FormPatch,
  IntakeBody,
  IntakeResult,
  LEADS_PERMISSIONS,
  LeadChannel,
  LeadChannels,
  LeadForm,
  LeadForms,
  LeadInbox,
  LeadInboxQuery,
  LeadPool,
  LeadPoolQuery,
  LeadRecord,
  LeadSettings,
  Merge,
  MergeBody,
  PoolReturn,
  PoolReturned,
  PublicForm,
  PublicSubmission,
  RuleBody,
  RulePatch,
  SettingsPatch,
  StatusChange,
  Training,
  UserLeadSettings,
  UserLeadSettingsList,
  UserSettingsBody,
} from '@kehu/contracts/leads';
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
import { claimLead, listPool, returnToPool } from './pool.service.ts';
import { rescoreOpenLeads, trainModel } from './scoring.service.ts';

const TAGS = ['leads'];
/** Per IP and form; the default suits a human filling a form, not a script. */
const formLimiter = new RateLimiter(Number(process.env.LEADS_FORM_RATE_LIMIT ?? 10), 60_000);

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
    params: FormKeyParams,
    response: PublicForm,
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
    params: FormKeyParams,
    status: 201,
    bodyLimit: 32 * 1024,
    response: PublicSubmission,
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
    permission: LEADS_PERMISSIONS.create,
    summary: 'Create a lead from a channel code (state → channel, campaign, default tags, assignment rule)',
    tags: TAGS,
    body: IntakeBody,
    status: 201,
    response: IntakeResult,
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
    permission: LEADS_PERMISSIONS.read,
    summary: 'My open leads by urgency (unanswered first by SLA deadline; overdue flags; next follow-up)',
    tags: TAGS,
    query: LeadInboxQuery,
    response: LeadInbox,
    handler: (req) =>
      req.tx(async (tx) => inbox(await recordCtx(tx, req.principal, req.actor, 'lead'), req.query), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/leads/pool',
    permission: LEADS_PERMISSIONS.read,
    summary: 'Leads in the pools (公海) of my unit, the units above it and below it; my claim limits',
    tags: TAGS,
    query: LeadPoolQuery,
    response: LeadPool,
    handler: (req) =>
      req.tx(async (tx) => listPool(await recordCtx(tx, req.principal, req.actor, 'lead'), req.query), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/leads/duplicates',
    permission: LEADS_PERMISSIONS.read,
    summary:
      'Duplicate check before save: an existing lead or customer with the same phone, email or company, and its owner',
    tags: TAGS,
    query: DuplicateQuery,
    probe: { query: { phone: 'lead.phone' } },
    response: DuplicateCheck,
    handler: (req) =>
      req.tx(
        async (tx) => checkDuplicates(await recordCtx(tx, req.principal, req.actor, 'lead'), req.query),
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/leads/:id/claim',
    permission: LEADS_PERMISSIONS.update,
    probe: { params: { id: 'lead' } },
    summary: 'Claim a lead from the pool (race-safe; 409 names the owner; daily and holding limits)',
    tags: TAGS,
    params: idParam,
    response: LeadRecord,
    handler: (req) =>
      req.tx(async (tx) =>
        claimLead(await recordCtx(tx, req.principal, req.actor, 'lead'), req.params.id, req.locale),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/leads/:id/return',
    permission: LEADS_PERMISSIONS.update,
    probe: { params: { id: 'lead' } },
    summary: 'Return a lead to its unit pool with a reason',
    tags: TAGS,
    params: idParam,
    body: PoolReturn,
    response: PoolReturned,
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
    permission: LEADS_PERMISSIONS.update,
    probe: { params: { id: 'lead' } },
    summary: 'Change a lead status (guarded transitions; disqualify needs a reason)',
    tags: TAGS,
    params: idParam,
    body: StatusChange,
    response: LeadRecord,
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
    permission: LEADS_PERMISSIONS.update,
    probe: { params: { id: 'lead' }, body: { 'customer.id': 'customer' } },
    summary:
      'Convert a lead: customer (existing or new), contact, optional opportunity, activities moved — one transaction',
    tags: TAGS,
    params: idParam,
    body: ConvertBody,
    response: Conversion,
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
    permission: LEADS_PERMISSIONS.update,
    probe: { params: { id: 'lead' }, body: { intoId: 'lead' } },
    summary: 'Merge this (duplicate) lead into another: fill empty fields, move activities, close this one',
    tags: TAGS,
    params: idParam,
    body: MergeBody,
    response: Merge,
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
    permission: LEADS_PERMISSIONS.read,
    probe: { params: { id: 'lead' } },
    summary: 'The lead or customer this lead duplicates, with its owner (撞单 warning)',
    tags: TAGS,
    params: idParam,
    response: DuplicateOf,
    handler: (req) =>
      req.tx(
        async (tx) => duplicateOf(await recordCtx(tx, req.principal, req.actor, 'lead'), req.params.id),
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/leads/:id/assignments',
    permission: LEADS_PERMISSIONS.read,
    probe: { params: { id: 'lead' } },
    summary: 'Assignment history of a lead with the reason of every decision',
    tags: TAGS,
    params: idParam,
    response: Assignments,
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
    permission: LEADS_PERMISSIONS.read,
    summary: 'Scorecard, model summary, SLA minutes per channel, pool rules',
    tags: TAGS,
    response: LeadSettings,
    handler: (req) => req.tx((tx) => getSettings(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/leads/settings',
    permission: LEADS_PERMISSIONS.configure,
    summary: 'Edit the scorecard, SLA or pool rules (a scorecard change re-scores open leads)',
    tags: TAGS,
    body: SettingsPatch,
    response: LeadSettings,
    handler: (req) => req.tx((tx) => updateSettings(tx, req.actor, req.principal.tenantId, req.body as any)),
  }),
  defineRoute({
    method: 'POST',
    url: '/leads/scoring/train',
    permission: LEADS_PERMISSIONS.configure,
    summary: "Retrain the scoring model on the tenant's converted/disqualified history now",
    tags: TAGS,
    response: Training,
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
    permission: LEADS_PERMISSIONS.configure,
    summary: 'Assignment rules in order',
    tags: TAGS,
    response: AssignmentRules,
    handler: (req) => req.tx((tx) => listRules(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/leads/rules',
    permission: LEADS_PERMISSIONS.configure,
    probe: { body: { poolUnitId: 'unit', 'members.0.userId': 'user' } },
    summary: 'Add an assignment rule',
    tags: TAGS,
    body: RuleBody,
    status: 201,
    response: AssignmentRule,
    handler: (req) => req.tx((tx) => createRule(tx, req.actor, req.principal.tenantId, req.body as any)),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/leads/rules/:id',
    permission: LEADS_PERMISSIONS.configure,
    summary: 'Change an assignment rule (order, conditions, strategy, members)',
    tags: TAGS,
    params: idParam,
    body: RulePatch,
    probe: { params: { id: 'lead_rule' }, body: { poolUnitId: 'unit', 'members.0.userId': 'user' } },
    response: AssignmentRule,
    handler: (req) =>
      req.tx((tx) => updateRule(tx, req.actor, req.principal.tenantId, req.params.id, req.body as any)),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/leads/rules/:id',
    permission: LEADS_PERMISSIONS.configure,
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
    permission: LEADS_PERMISSIONS.configure,
    summary: 'Per-user lead capacity and working hours',
    tags: TAGS,
    response: UserLeadSettingsList,
    handler: (req) => req.tx((tx) => listUserSettings(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/leads/user-settings/:id',
    permission: LEADS_PERMISSIONS.configure,
    summary: "Set a user's lead capacity (max open leads) and working hours",
    tags: TAGS,
    params: idParam,
    body: UserSettingsBody,
    probe: { params: { id: 'user' } },
    response: UserLeadSettings,
    handler: (req) =>
      req.tx((tx) => putUserSettings(tx, req.actor, req.principal.tenantId, req.params.id, req.body as any)),
  }),
  defineRoute({
    method: 'GET',
    url: '/leads/forms',
    permission: LEADS_PERMISSIONS.configure,
    summary: 'Web forms with their public keys',
    tags: TAGS,
    response: LeadForms,
    handler: (req) => req.tx((tx) => listForms(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/leads/forms',
    permission: LEADS_PERMISSIONS.configure,
    probe: { body: { unitId: 'unit' } },
    summary: 'Create an embeddable web form',
    tags: TAGS,
    body: FormCreate,
    status: 201,
    response: LeadForm,
    handler: (req) => req.tx((tx) => createForm(tx, req.actor, req.principal, req.body as any)),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/leads/forms/:id',
    permission: LEADS_PERMISSIONS.configure,
    summary: 'Change or disable a web form',
    tags: TAGS,
    params: idParam,
    body: FormPatch,
    probe: { params: { id: 'lead_form' } },
    response: LeadForm,
    handler: (req) =>
      req.tx((tx) => updateForm(tx, req.actor, req.principal.tenantId, req.params.id, req.body as any)),
  }),
  defineRoute({
    method: 'GET',
    url: '/leads/channels',
    permission: LEADS_PERMISSIONS.configure,
    summary: 'Channel codes (活码)',
    tags: TAGS,
    response: LeadChannels,
    handler: (req) => req.tx((tx) => listChannels(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/leads/channels',
    permission: LEADS_PERMISSIONS.configure,
    probe: { body: { ruleId: 'lead_rule', unitId: 'unit' } },
    summary: 'Create a channel code',
    tags: TAGS,
    body: ChannelBody,
    status: 201,
    response: LeadChannel,
    handler: (req) =>
      req.tx((tx) => upsertChannel(tx, req.actor, req.principal.tenantId, null, req.body as any)),
  }),
  defineRoute({
    method: 'PUT',
    url: '/leads/channels/:id',
    permission: LEADS_PERMISSIONS.configure,
    summary: 'Replace a channel code',
    tags: TAGS,
    params: idParam,
    body: ChannelBody,
    probe: { params: { id: 'lead_channel' }, body: { ruleId: 'lead_rule', unitId: 'unit' } },
    response: LeadChannel,
    handler: (req) =>
      req.tx((tx) => upsertChannel(tx, req.actor, req.principal.tenantId, req.params.id, req.body as any)),
  }),
];
