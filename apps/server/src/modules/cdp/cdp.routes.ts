import { z } from 'zod';
import type { Actor } from '../../core/audit/audit.ts';
import { can, type Principal } from '../../core/auth/principal.ts';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { evaluateProfiles } from './evaluation.service.ts';
import { eventNames, eventProperties } from './event-catalogue.service.ts';
import { splitMerge } from './identity.service.ts';
import { getIdentityRules, putIdentityRule } from './identity-rules.service.ts';
import { getModelCard, requestRetrain } from './prediction.service.ts';
import { explainProfileTags } from './prediction-features.ts';
import { lockTenantCdp } from './process.job.ts';
import { listMerges, listProfiles } from './profile-list.ts';
import { TIMELINE_KINDS, type TimelineKind } from './profile-timeline.ts';
import { profile360, profileTimelinePage, setConsent } from './profiles.service.ts';
import { ruleSchema } from './rules.ts';
import {
  createSegment,
  deleteSegment,
  exportSegment,
  getSegment,
  listSegments,
  manualRecompute,
  previewSegment,
  type SegmentInput,
  segmentHistory,
  segmentMembers,
  updateSegment,
} from './segments.service.ts';
import { createSource, listSources, rotateSourceKey, sourceDebug, updateSource } from './sources.service.ts';
import { subjectTags } from './subject-tags.service.ts';
import { createTagGroup, deleteTagGroup, updateTagGroup } from './tag-groups.service.ts';
import {
  createTag,
  deleteTag,
  getTag,
  listTags,
  previewTag,
  setManualTag,
  type TagInput,
  updateTag,
} from './tags.service.ts';
import type { Viewer } from './viewer.ts';

const TAGS = ['cdp'];
const SOURCE_KINDS = ['web', 'server', 'app', 'miniprogram', 'pos', 'import'] as const;
const KEY = /^[a-z][a-z0-9_]{0,62}$/;
const OBJ = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/);

const eventMetric = z.object({
  event: z.string().min(1).max(200),
  where: z
    .array(z.object({ prop: z.string(), op: z.string(), value: z.any() }))
    .max(10)
    .optional(),
  withinDays: z.number().int().min(1).max(730),
  agg: z.enum(['count', 'sum']).optional(),
  property: z.string().max(100).optional(),
});
const tagBody = z.object({
  key: z.string().regex(KEY),
  name: z.string().min(1).max(100),
  kind: z.enum(['attribute', 'behaviour', 'metric', 'score', 'combined', 'manual', 'crm', 'predicted']),
  object: OBJ.optional(),
  groupId: z.uuid().nullish(),
  description: z.string().max(1000).nullish(),
  rule: ruleSchema.nullish(),
  config: z
    .object({
      scores: z
        .array(z.object({ rule: ruleSchema, points: z.number().finite() }))
        .max(50)
        .optional(),
      metric: eventMetric.optional(),
      // predicted tags (prediction.service.ts)
      target: z.enum(['churn', 'repurchase']).optional(),
      horizonDays: z.number().int().min(7).max(365).optional(),
      bands: z.object({ high: z.number().gt(0).lt(1), mid: z.number().gt(0).lt(1) }).optional(),
      churnOn: z.enum(['activity', 'purchase']).optional(),
      purchaseEvents: z.array(z.string().min(1).max(200)).max(10).optional(),
    })
    .optional(),
});
const segmentBody = z.object({
  name: z.string().min(1).max(200),
  description: z.string().max(1000).nullish(),
  object: OBJ.optional(),
  purpose: z.enum(['analytics', 'marketing', 'service']).optional(),
  rule: ruleSchema,
});
const unmaskedFor = (p: any) => can(p, 'profile:unmask');
const viewerOf = (req: { principal: Principal; actor: Actor }): Viewer => ({
  principal: req.principal,
  actor: req.actor,
});
const queryBool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const cdpRouteList: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/cdp/sources',
    permission: 'cdp:read',
    summary: 'List event sources',
    tags: TAGS,
    handler: (req) => req.tx((tx) => listSources(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/cdp/sources',
    permission: 'cdp:manage',
    summary: 'Create a source; the write key is returned once',
    tags: TAGS,
    status: 201,
    body: z.object({ name: z.string().min(1).max(100), kind: z.enum(SOURCE_KINDS) }),
    handler: (req) => req.tx((tx) => createSource(tx, req.actor, req.body)),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/cdp/sources/:id',
    permission: 'cdp:manage',
    summary: 'Rename, enable or disable a source',
    tags: TAGS,
    probe: { params: { id: 'cdp_source' } },
    params: idParam,
    body: z.object({ name: z.string().min(1).max(100).optional(), enabled: z.boolean().optional() }),
    handler: (req) => req.tx((tx) => updateSource(tx, req.actor, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'POST',
    url: '/cdp/sources/:id/rotate-key',
    permission: 'cdp:manage',
    summary: 'Replace the write key (the old one stops working)',
    tags: TAGS,
    probe: { params: { id: 'cdp_source' } },
    params: idParam,
    handler: (req) => req.tx((tx) => rotateSourceKey(tx, req.actor, req.params.id)),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/sources/:id/debug',
    permission: 'cdp:read',
    summary: 'Live debugger: recent events and validation errors',
    tags: TAGS,
    probe: { params: { id: 'cdp_source' } },
    params: idParam,
    query: z.object({ since: z.coerce.number().int().min(0).optional() }),
    handler: (req) =>
      req.tx((tx) => sourceDebug(tx, req.principal.tenantId, req.params.id, req.query.since), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/profiles',
    permission: 'cdp:read',
    summary:
      'List profiles, newest first, in cursor pages: search by identity (exact, normalised) or name prefix, filter by segment, tag, CRM link; total on request (estimated above 10,000)',
    tags: TAGS,
    probe: { query: { segment: 'cdp_segment', tag: 'cdp_tag' } },
    query: z.object({
      q: z.string().max(100).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(500).optional(),
      segment: z.uuid().optional(),
      tag: z.union([z.uuid(), z.string().regex(KEY)]).optional(),
      linked: queryBool.optional(),
      count: queryBool.optional(),
    }),
    handler: (req) =>
      req.tx(
        (tx) =>
          listProfiles(
            tx,
            { principal: req.principal, actor: req.actor },
            req.query,
            unmaskedFor(req.principal),
          ),
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/profiles/:id',
    permission: 'cdp:read',
    summary: '360 profile: identities, traits, tags, segments, consents, CRM links, timeline',
    tags: TAGS,
    probe: { params: { id: 'cdp_profile' } },
    params: idParam,
    handler: (req) =>
      req
        .tx((tx) => profile360(tx, req.principal, req.actor, req.params.id, false), { readOnly: true })
        .then((p) => explainProfileTags(p, req.locale)),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/profiles/:id/timeline',
    permission: 'cdp:read',
    summary:
      'A page of the profile timeline: events merged with the linked customer’s activities, stage changes, quotes, contracts, orders and receipts the viewer may see',
    tags: TAGS,
    probe: { params: { id: 'cdp_profile' } },
    params: idParam,
    query: z.object({
      before: z.iso.datetime({ offset: true }).optional(),
      kinds: z
        .string()
        .regex(/^[a-z,]{1,100}$/)
        .optional()
        .transform((v) =>
          v ? (v.split(',').filter((k) => TIMELINE_KINDS.includes(k as never)) as TimelineKind[]) : undefined,
        ),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    handler: (req) =>
      req.tx((tx) => profileTimelinePage(tx, req.principal, req.actor, req.params.id, req.query), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/event-names',
    permission: 'cdp:read',
    summary: 'Event names this tenant has received recently (for the segment builder)',
    tags: TAGS,
    handler: (req) => req.tx((tx) => eventNames(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/event-properties',
    permission: 'cdp:read',
    probe: { query: { event: '=Probe Viewed' } },
    summary: 'Top property keys of one event, with types and example values',
    tags: TAGS,
    query: z.object({ event: z.string().min(1).max(200) }),
    handler: (req) =>
      req.tx(
        (tx) => eventProperties(tx, req.principal.tenantId, req.query.event, unmaskedFor(req.principal)),
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/cdp/profiles/:id/unmask',
    permission: 'profile:unmask',
    summary: 'The 360 profile with personal values in full (audited)',
    tags: TAGS,
    probe: { params: { id: 'cdp_profile' } },
    params: idParam,
    handler: (req) =>
      req.tx(async (tx) => {
        const r = await profile360(tx, req.principal, req.actor, req.params.id, true);
        const { writeAudit } = await import('../../core/audit/audit.ts');
        await writeAudit(tx, req.actor, { action: 'unmask', object: 'profile', recordId: r.id });
        return explainProfileTags(r, req.locale);
      }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/cdp/profiles/:id/consents/:purpose',
    permission: 'cdp:manage',
    summary: 'Grant or withdraw consent for one purpose (PIPL, R13.1)',
    tags: TAGS,
    probe: { params: { id: 'cdp_profile', purpose: '=marketing' } },
    params: z.object({ id: z.uuid(), purpose: z.string().regex(/^[a-zA-Z_]{1,60}$/) }),
    body: z.object({ granted: z.boolean() }),
    status: 204,
    handler: (req) =>
      req.tx((tx) => setConsent(tx, req.actor, req.params.id, req.params.purpose, req.body.granted)),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/merges',
    permission: 'cdp:read',
    summary: 'Merge history, newest first, in cursor pages; filter by profile and by split or not',
    tags: TAGS,
    probe: { query: { profile: 'cdp_profile' } },
    query: z.object({
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(500).optional(),
      profile: z.uuid().optional(),
      split: queryBool.optional(),
      count: queryBool.optional(),
    }),
    handler: (req) =>
      req.tx((tx) => listMerges(tx, req.principal.tenantId, req.query, unmaskedFor(req.principal)), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/cdp/merges/:id/split',
    permission: 'cdp:manage',
    summary: 'Undo a merge (split the profiles again)',
    tags: TAGS,
    probe: { params: { id: 'cdp_merge' } },
    params: idParam,
    handler: (req) =>
      req.tx(async (tx) => {
        await lockTenantCdp(tx, req.principal.tenantId);
        const r = await splitMerge(tx, req.actor, req.params.id);
        await evaluateProfiles(tx, req.principal.tenantId, [r.target, r.source], new Date());
        return r;
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/identity-rules',
    permission: 'cdp:read',
    summary: 'One ID rules per identity kind',
    tags: TAGS,
    handler: (req) => req.tx((tx) => getIdentityRules(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/cdp/identity-rules/:kind',
    permission: 'cdp:manage',
    summary: 'Set max per profile, priority and blocked values of an identity kind',
    tags: TAGS,
    probe: { params: { kind: '=phone' } },
    params: z.object({ kind: z.string().regex(/^[a-z_]{1,40}$/) }),
    body: z.object({
      maxPerProfile: z.number().int().min(1).max(1000),
      priority: z.number().int().min(0).max(1000),
      blocked: z.array(z.string().max(200)).max(1000),
    }),
    status: 204,
    handler: (req) => req.tx((tx) => putIdentityRule(tx, req.actor, req.params.kind, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/tags',
    permission: 'cdp:read',
    summary: 'Tag catalogue with groups, lineage, coverage and backfill progress',
    tags: TAGS,
    query: z.object({ object: OBJ.optional() }),
    handler: (req) => req.tx((tx) => listTags(tx, viewerOf(req), req.query.object), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/cdp/tag-groups',
    permission: 'cdp:manage',
    summary: 'Create a tag group',
    tags: TAGS,
    status: 201,
    body: z.object({ name: z.string().min(1).max(100), description: z.string().max(1000).nullish() }),
    handler: (req) => req.tx((tx) => createTagGroup(tx, req.actor, req.body)),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/cdp/tag-groups/:id',
    permission: 'cdp:manage',
    summary: 'Rename a tag group or change its description',
    tags: TAGS,
    probe: { params: { id: 'cdp_tag_group' } },
    params: idParam,
    body: z.object({
      name: z.string().min(1).max(100).optional(),
      description: z.string().max(1000).nullish(),
    }),
    handler: (req) => req.tx((tx) => updateTagGroup(tx, req.actor, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/cdp/tag-groups/:id',
    permission: 'cdp:manage',
    summary: 'Delete an empty tag group',
    tags: TAGS,
    status: 204,
    probe: { params: { id: 'cdp_tag_group' } },
    params: idParam,
    handler: (req) => req.tx((tx) => deleteTagGroup(tx, req.actor, req.params.id)),
  }),
  defineRoute({
    method: 'POST',
    url: '/cdp/tags/preview',
    permission: 'cdp:read',
    probe: { body: { 'rule.tag': 'cdp_tag.key' } },
    summary: 'Preview a tag on sample profiles before saving',
    tags: TAGS,
    body: tagBody,
    handler: (req) =>
      req.tx((tx) => previewTag(tx, viewerOf(req), req.body as TagInput, req.locale), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/cdp/tags',
    permission: 'cdp:manage',
    probe: { body: { groupId: 'cdp_tag_group', kind: '=attribute', 'rule.tag': 'cdp_tag.key' } },
    summary: 'Create a tag (a backfill job starts for rule-based kinds)',
    tags: TAGS,
    status: 201,
    body: tagBody,
    handler: (req) => req.tx((tx) => createTag(tx, viewerOf(req), req.body as TagInput, req.locale)),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/tags/:id',
    permission: 'cdp:read',
    summary: 'One tag with coverage and backfill progress',
    tags: TAGS,
    probe: { params: { id: 'cdp_tag' } },
    params: idParam,
    handler: (req) => req.tx((tx) => getTag(tx, viewerOf(req), req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/tags/:id/model',
    permission: 'cdp:read',
    summary: 'Model card of a predicted tag: metrics, feature weights, band distribution',
    tags: TAGS,
    probe: { params: { id: 'cdp_tag' } },
    params: idParam,
    handler: (req) =>
      req.tx((tx) => getModelCard(tx, req.principal.tenantId, req.params.id, req.locale), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/cdp/tags/:id/retrain',
    permission: 'cdp:manage',
    summary: 'Retrain and rescore a predicted tag (runs as its backfill job)',
    tags: TAGS,
    status: 202,
    probe: { params: { id: 'cdp_tag' } },
    params: idParam,
    handler: (req) => req.tx((tx) => requestRetrain(tx, req.actor, req.params.id)),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/cdp/tags/:id',
    permission: 'cdp:manage',
    summary:
      'Edit a tag: name, description, group, rule, config (a changed rule or config starts a backfill)',
    tags: TAGS,
    probe: { params: { id: 'cdp_tag' }, body: { 'rule.tag': 'cdp_tag.key' } },
    params: idParam,
    body: tagBody.omit({ key: true, kind: true, object: true }).partial(),
    handler: (req) =>
      req.tx((tx) => updateTag(tx, viewerOf(req), req.params.id, req.body as Partial<TagInput>, req.locale)),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/cdp/tags/:id',
    permission: 'cdp:manage',
    summary: 'Delete a tag (409 naming the tags and segments still using it)',
    tags: TAGS,
    status: 204,
    probe: { params: { id: 'cdp_tag' } },
    params: idParam,
    handler: (req) => req.tx((tx) => deleteTag(tx, req.actor, req.params.id, req.locale)),
  }),
  defineRoute({
    method: 'PUT',
    url: '/cdp/tags/:id/subjects/:subject',
    permission: 'cdp:manage',
    summary: 'Set or clear a manual tag on a profile or record',
    tags: TAGS,
    status: 204,
    probe: { params: { id: 'cdp_tag', subject: 'cdp_profile' } },
    params: z.object({ id: z.uuid(), subject: z.uuid() }),
    body: z.object({ on: z.boolean(), value: z.any().optional() }),
    handler: (req) =>
      req.tx((tx) =>
        setManualTag(
          tx,
          req.actor,
          req.params.id,
          req.params.subject,
          req.body.on,
          req.body.value,
          req.locale,
        ),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/subjects/:object/:id/tags',
    permission: 'cdp:read',
    summary:
      'Tags and segments of one profile or record (a record is read as the viewer: out of scope is 404)',
    tags: TAGS,
    probe: { params: { object: '=customer', id: 'customer' } },
    params: z.object({ object: OBJ, id: z.uuid() }),
    handler: (req) =>
      req.tx(
        (tx) =>
          subjectTags(tx, { principal: req.principal, actor: req.actor }, req.params.object, req.params.id),
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/segments',
    permission: 'cdp:read',
    summary: 'List segments',
    tags: TAGS,
    handler: (req) => req.tx((tx) => listSegments(tx, viewerOf(req)), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/cdp/segments/preview',
    permission: 'cdp:read',
    probe: { body: { 'rule.tag': 'cdp_tag.key' } },
    summary: 'Live count of a segment being edited',
    tags: TAGS,
    body: segmentBody,
    handler: (req) =>
      req.tx((tx) => previewSegment(tx, viewerOf(req), req.body as SegmentInput, req.locale), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/cdp/segments',
    permission: 'cdp:manage',
    probe: { body: { 'rule.tag': 'cdp_tag.key' } },
    summary: 'Create a segment (computed at once, then kept current by events)',
    tags: TAGS,
    status: 201,
    body: segmentBody,
    handler: (req) => req.tx((tx) => createSegment(tx, viewerOf(req), req.body as SegmentInput, req.locale)),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/segments/:id',
    permission: 'cdp:read',
    summary: 'One segment',
    tags: TAGS,
    probe: { params: { id: 'cdp_segment' } },
    params: idParam,
    handler: (req) => req.tx((tx) => getSegment(tx, viewerOf(req), req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/cdp/segments/:id',
    permission: 'cdp:manage',
    summary: 'Update a segment',
    tags: TAGS,
    probe: { params: { id: 'cdp_segment' }, body: { 'rule.tag': 'cdp_tag.key' } },
    params: idParam,
    body: segmentBody.omit({ object: true }).partial(),
    handler: (req) =>
      req.tx((tx) =>
        updateSegment(tx, viewerOf(req), req.params.id, req.body as Partial<SegmentInput>, req.locale),
      ),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/cdp/segments/:id',
    permission: 'cdp:manage',
    summary: 'Delete a segment',
    tags: TAGS,
    status: 204,
    probe: { params: { id: 'cdp_segment' } },
    params: idParam,
    handler: (req) => req.tx((tx) => deleteSegment(tx, req.actor, req.params.id)),
  }),
  defineRoute({
    method: 'POST',
    url: '/cdp/segments/:id/recompute',
    permission: 'cdp:manage',
    summary: 'Recompute a segment now (batch SQL evaluator)',
    tags: TAGS,
    probe: { params: { id: 'cdp_segment' } },
    params: idParam,
    handler: (req) => req.tx((tx) => manualRecompute(tx, viewerOf(req), req.params.id)),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/segments/:id/members',
    permission: 'cdp:read',
    summary: 'Members of a segment (masked unless profile:unmask)',
    tags: TAGS,
    probe: { params: { id: 'cdp_segment' } },
    params: idParam,
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
    handler: (req) =>
      req.tx(
        (tx) => segmentMembers(tx, viewerOf(req), req.params.id, req.query.limit, unmaskedFor(req.principal)),
        {
          readOnly: true,
        },
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/segments/:id/history',
    permission: 'cdp:read',
    summary: 'Daily membership (entered, exited, members)',
    tags: TAGS,
    probe: { params: { id: 'cdp_segment' } },
    params: idParam,
    handler: (req) => req.tx((tx) => segmentHistory(tx, viewerOf(req), req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/segments/:id/export',
    permission: 'segment:export',
    summary: 'Export members as CSV (masked per viewer, audited)',
    tags: TAGS,
    probe: { params: { id: 'cdp_segment' } },
    params: idParam,
    handler: async (req, reply) => {
      const csv = await req.tx((tx) =>
        exportSegment(tx, viewerOf(req), req.params.id, unmaskedFor(req.principal)),
      );
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="segment-${req.params.id}.csv"`);
      return reply.send(csv);
    },
  }),
];
