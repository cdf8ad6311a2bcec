import {
  CatalogueBody,
  CatalogueEntry,
  CatalogueNameQuery,
  CDP_PERMISSIONS,
  ConsentBody,
  ConsentParams,
  CustomerProfiles,
  EventCatalogue,
  EventNameList,
  EventPropertiesQuery,
  EventPropertyList,
  IdentityRuleBody,
  IdentityRuleList,
  IdentityRuleParams,
  ManualTagBody,
  ManualTagParams,
  MergeListQuery,
  MergePage,
  ModelCard,
  Profile360,
  ProfileListQuery,
  ProfilePage,
  RetrainQueued,
  Segment,
  SegmentBody,
  SegmentHistory,
  SegmentList,
  SegmentMembers,
  SegmentMembersQuery,
  SegmentPatch,
  SegmentPreview,
  SegmentRecompute,
  Source,
  SourceBody,
  SourceDebug,
  SourceDebugQuery,
  SourceList,
  SourcePatch,
  SourceVolume,
  SourceVolumeQuery,
  SourceWithKey,
  SplitResult,
  SubjectParams,
  SubjectTags,
  Tag,
  TagBody,
  TagCatalogue,
  TagGroup,
  TagGroupBody,
  TagGroupPatch,
  TagHistory,
  TagListQuery,
  TagPatch,
  TagPreview,
  TimelinePage,
  TimelineQuery,
} from '@kehu/contracts/cdp';
import type { Actor } from '../../core/audit/audit.ts';
import { can, type Principal } from '../../core/auth/principal.ts';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { customerProfiles, customerTimeline } from './customer-profile.service.ts';
import { evaluateProfiles } from './evaluation.service.ts';
import {
  deleteCatalogueEntry,
  labelTimeline,
  listCatalogue,
  namedEventNames,
  namedEventProperties,
  putCatalogueEntry,
} from './event-catalogue.service.ts';
import { splitMerge } from './identity.service.ts';
import { getIdentityRules, putIdentityRule } from './identity-rules.service.ts';
import { getModelCard, requestRetrain } from './prediction.service.ts';
import { explainProfileTags } from './prediction-features.ts';
import { lockTenantCdp } from './process.job.ts';
import { listMerges, listProfiles } from './profile-list.ts';
import { profile360, profileTimelinePage, setConsent } from './profiles.service.ts';
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
import {
  createSource,
  listSources,
  rotateSourceKey,
  sourceDebug,
  sourceVolume,
  updateSource,
} from './sources.service.ts';
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
  tagHistory,
  updateTag,
} from './tags.service.ts';
import type { Viewer } from './viewer.ts';

const TAGS = ['cdp'];
const P = CDP_PERMISSIONS;
const unmaskedFor = (p: any) => can(p, P.unmaskProfile);
const viewerOf = (req: { principal: Principal; actor: Actor }): Viewer => ({
  principal: req.principal,
  actor: req.actor,
});

export const cdpRouteList: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/cdp/sources',
    permission: P.read,
    summary: 'List event sources',
    tags: TAGS,
    response: SourceList,
    handler: (req) => req.tx((tx) => listSources(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/cdp/sources',
    permission: P.manage,
    summary: 'Create a source; the write key is returned once',
    tags: TAGS,
    response: SourceWithKey,
    status: 201,
    body: SourceBody,
    handler: (req) => req.tx((tx) => createSource(tx, req.actor, req.body)),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/cdp/sources/:id',
    permission: P.manage,
    summary: 'Rename, enable or disable a source',
    tags: TAGS,
    response: Source,
    probe: { params: { id: 'cdp_source' } },
    params: idParam,
    body: SourcePatch,
    handler: (req) => req.tx((tx) => updateSource(tx, req.actor, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'POST',
    url: '/cdp/sources/:id/rotate-key',
    permission: P.manage,
    summary: 'Replace the write key (the old one stops working)',
    tags: TAGS,
    response: SourceWithKey,
    probe: { params: { id: 'cdp_source' } },
    params: idParam,
    handler: (req) => req.tx((tx) => rotateSourceKey(tx, req.actor, req.params.id)),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/sources/:id/debug',
    permission: P.read,
    summary: 'Live debugger: recent events and validation errors',
    tags: TAGS,
    response: SourceDebug,
    probe: { params: { id: 'cdp_source' } },
    params: idParam,
    query: SourceDebugQuery,
    handler: (req) =>
      req.tx((tx) => sourceDebug(tx, req.principal.tenantId, req.params.id, req.query.since), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/sources/:id/volume',
    permission: P.read,
    summary: 'Events of a source per day (last 30 days) or hour (last 48 hours), by message type',
    tags: TAGS,
    response: SourceVolume,
    probe: { params: { id: 'cdp_source' } },
    params: idParam,
    query: SourceVolumeQuery,
    handler: (req) =>
      req.tx((tx) => sourceVolume(tx, req.principal.tenantId, req.params.id, req.query.by ?? 'day'), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/profiles',
    permission: P.read,
    summary:
      'List profiles, newest first, in cursor pages: search by identity (exact, normalised) or name prefix, filter by segment, tag, CRM link; total on request (estimated above 10,000)',
    tags: TAGS,
    response: ProfilePage,
    probe: { query: { segment: 'cdp_segment', tag: 'cdp_tag' } },
    query: ProfileListQuery,
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
    permission: P.read,
    summary: '360 profile: identities, traits, tags, segments, consents, CRM links, timeline',
    tags: TAGS,
    response: Profile360,
    probe: { params: { id: 'cdp_profile' } },
    params: idParam,
    handler: (req) =>
      req
        .tx(
          async (tx) => {
            const p = await profile360(tx, req.principal, req.actor, req.params.id, false);
            return {
              ...p,
              timeline: await labelTimeline(tx, req.principal.tenantId, p.timeline, req.locale),
            };
          },
          { readOnly: true },
        )
        .then((p) => explainProfileTags(p, req.locale)),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/profiles/:id/timeline',
    permission: P.read,
    summary:
      'A page of the profile timeline: events merged with the linked customer’s activities, stage changes, quotes, contracts, orders and receipts the viewer may see',
    tags: TAGS,
    response: TimelinePage,
    probe: { params: { id: 'cdp_profile' } },
    params: idParam,
    query: TimelineQuery,
    handler: (req) =>
      req.tx(
        async (tx) => {
          const page = await profileTimelinePage(tx, req.principal, req.actor, req.params.id, req.query);
          return { ...page, items: await labelTimeline(tx, req.principal.tenantId, page.items, req.locale) };
        },
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/customers/:id/profile',
    permission: P.read,
    summary:
      'The people of a customer (profiles linked to it or to its contacts) and the first one’s 360 view, for the one customer page (the customer is read as the viewer: out of scope is 404)',
    tags: TAGS,
    response: CustomerProfiles,
    probe: { params: { id: 'customer' } },
    params: idParam,
    handler: (req) =>
      req
        .tx((tx) => customerProfiles(tx, req.principal, req.actor, req.params.id), { readOnly: true })
        .then((r) => ({ ...r, profile: r.profile && explainProfileTags(r.profile, req.locale) })),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/customers/:id/timeline',
    // The customer page's timeline is the customer's: anyone who reads the customer reads its CRM
    // history; the events of its people join only for a viewer holding cdp:read.
    permission: 'customer:read',
    summary:
      'A page of a customer’s unified timeline: events of the profiles linked to it (with cdp:read) merged with its activities, stage changes, quotes, contracts, orders and receipts the viewer may see',
    tags: TAGS,
    response: TimelinePage,
    probe: { params: { id: 'customer' } },
    params: idParam,
    query: TimelineQuery,
    handler: (req) =>
      req.tx(
        async (tx) => {
          const page = await customerTimeline(tx, req.principal, req.actor, req.params.id, req.query);
          return { ...page, items: await labelTimeline(tx, req.principal.tenantId, page.items, req.locale) };
        },
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/event-names',
    permission: P.read,
    summary:
      'Event names this tenant has received recently, with their kind (page views apart) and display names (for the segment builder)',
    tags: TAGS,
    response: EventNameList,
    handler: (req) =>
      req.tx((tx) => namedEventNames(tx, req.principal.tenantId, req.locale), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/event-catalogue',
    permission: P.read,
    summary:
      'The event catalogue: display names, descriptions and property names of the standard e-commerce events, the tenant’s own and every event received recently',
    tags: TAGS,
    response: EventCatalogue,
    handler: (req) =>
      req.tx((tx) => listCatalogue(tx, req.principal.tenantId, req.locale), { readOnly: true }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/cdp/event-catalogue',
    permission: P.manage,
    summary: 'Name an event: display names (zh/en), description, kind and property names',
    tags: TAGS,
    response: CatalogueEntry,
    body: CatalogueBody,
    handler: (req) => req.tx((tx) => putCatalogueEntry(tx, req.actor, req.body, req.locale)),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/cdp/event-catalogue',
    permission: P.manage,
    summary: 'Remove the tenant’s entry for an event (a standard event keeps its standard names)',
    tags: TAGS,
    status: 204,
    probe: { query: { name: '=Probe Viewed' } },
    query: CatalogueNameQuery,
    handler: (req) => req.tx((tx) => deleteCatalogueEntry(tx, req.actor, req.query.name)),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/event-properties',
    permission: P.read,
    probe: { query: { event: '=Probe Viewed' } },
    summary: 'Top property keys of one event, with types and example values',
    tags: TAGS,
    response: EventPropertyList,
    query: EventPropertiesQuery,
    handler: (req) =>
      req.tx(
        (tx) =>
          namedEventProperties(
            tx,
            req.principal.tenantId,
            req.query.event,
            unmaskedFor(req.principal),
            req.locale,
          ),
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/cdp/profiles/:id/unmask',
    permission: P.unmaskProfile,
    summary: 'The 360 profile with personal values in full (audited)',
    tags: TAGS,
    response: Profile360,
    probe: { params: { id: 'cdp_profile' } },
    params: idParam,
    handler: (req) =>
      req.tx(async (tx) => {
        const r = await profile360(tx, req.principal, req.actor, req.params.id, true);
        const { writeAudit } = await import('../../core/audit/audit.ts');
        await writeAudit(tx, req.actor, { action: 'unmask', object: 'profile', recordId: r.id });
        const timeline = await labelTimeline(tx, req.principal.tenantId, r.timeline, req.locale);
        return explainProfileTags({ ...r, timeline }, req.locale);
      }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/cdp/profiles/:id/consents/:purpose',
    permission: P.manage,
    summary: 'Grant or withdraw consent for one purpose (PIPL, R13.1)',
    tags: TAGS,
    probe: { params: { id: 'cdp_profile', purpose: '=marketing' } },
    params: ConsentParams,
    body: ConsentBody,
    status: 204,
    handler: (req) =>
      req.tx((tx) => setConsent(tx, req.actor, req.params.id, req.params.purpose, req.body.granted)),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/merges',
    permission: P.read,
    summary: 'Merge history, newest first, in cursor pages; filter by profile and by split or not',
    tags: TAGS,
    response: MergePage,
    probe: { query: { profile: 'cdp_profile' } },
    query: MergeListQuery,
    handler: (req) =>
      req.tx((tx) => listMerges(tx, req.principal.tenantId, req.query, unmaskedFor(req.principal)), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/cdp/merges/:id/split',
    permission: P.manage,
    summary: 'Undo a merge (split the profiles again)',
    tags: TAGS,
    response: SplitResult,
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
    permission: P.read,
    summary: 'One ID rules per identity kind',
    tags: TAGS,
    response: IdentityRuleList,
    handler: (req) => req.tx((tx) => getIdentityRules(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/cdp/identity-rules/:kind',
    permission: P.manage,
    summary: 'Set max per profile, priority and blocked values of an identity kind',
    tags: TAGS,
    probe: { params: { kind: '=phone' } },
    params: IdentityRuleParams,
    body: IdentityRuleBody,
    status: 204,
    handler: (req) => req.tx((tx) => putIdentityRule(tx, req.actor, req.params.kind, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/tags',
    permission: P.read,
    summary: 'Tag catalogue with groups, lineage, coverage and backfill progress',
    tags: TAGS,
    response: TagCatalogue,
    query: TagListQuery,
    handler: (req) => req.tx((tx) => listTags(tx, viewerOf(req), req.query.object), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/cdp/tag-groups',
    permission: P.manage,
    summary: 'Create a tag group',
    tags: TAGS,
    response: TagGroup,
    status: 201,
    body: TagGroupBody,
    handler: (req) => req.tx((tx) => createTagGroup(tx, req.actor, req.body)),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/cdp/tag-groups/:id',
    permission: P.manage,
    summary: 'Rename a tag group or change its description',
    tags: TAGS,
    response: TagGroup,
    probe: { params: { id: 'cdp_tag_group' } },
    params: idParam,
    body: TagGroupPatch,
    handler: (req) => req.tx((tx) => updateTagGroup(tx, req.actor, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/cdp/tag-groups/:id',
    permission: P.manage,
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
    permission: P.read,
    probe: { body: { 'rule.tag': 'cdp_tag.key' } },
    summary: 'Preview a tag on sample profiles before saving',
    tags: TAGS,
    response: TagPreview,
    body: TagBody,
    handler: (req) =>
      req.tx((tx) => previewTag(tx, viewerOf(req), req.body as TagInput, req.locale), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/cdp/tags',
    permission: P.manage,
    probe: { body: { groupId: 'cdp_tag_group', kind: '=attribute', 'rule.tag': 'cdp_tag.key' } },
    summary: 'Create a tag (a backfill job starts for rule-based kinds)',
    tags: TAGS,
    response: Tag,
    status: 201,
    body: TagBody,
    handler: (req) => req.tx((tx) => createTag(tx, viewerOf(req), req.body as TagInput, req.locale)),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/tags/:id',
    permission: P.read,
    summary: 'One tag with coverage and backfill progress',
    tags: TAGS,
    response: Tag,
    probe: { params: { id: 'cdp_tag' } },
    params: idParam,
    handler: (req) => req.tx((tx) => getTag(tx, viewerOf(req), req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/tags/:id/history',
    permission: P.read,
    summary: 'Subjects carrying the tag per day (last 90 days; today live)',
    tags: TAGS,
    response: TagHistory,
    probe: { params: { id: 'cdp_tag' } },
    params: idParam,
    handler: (req) => req.tx((tx) => tagHistory(tx, viewerOf(req), req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/tags/:id/model',
    permission: P.read,
    summary: 'Model card of a predicted tag: metrics, feature weights, band distribution',
    tags: TAGS,
    response: ModelCard,
    probe: { params: { id: 'cdp_tag' } },
    params: idParam,
    handler: (req) =>
      req.tx((tx) => getModelCard(tx, req.principal.tenantId, req.params.id, req.locale), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/cdp/tags/:id/retrain',
    permission: P.manage,
    summary: 'Retrain and rescore a predicted tag (runs as its backfill job)',
    tags: TAGS,
    response: RetrainQueued,
    status: 202,
    probe: { params: { id: 'cdp_tag' } },
    params: idParam,
    handler: (req) => req.tx((tx) => requestRetrain(tx, req.actor, req.params.id)),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/cdp/tags/:id',
    permission: P.manage,
    summary:
      'Edit a tag: name, description, group, rule, config (a changed rule or config starts a backfill)',
    tags: TAGS,
    response: Tag,
    probe: { params: { id: 'cdp_tag' }, body: { 'rule.tag': 'cdp_tag.key' } },
    params: idParam,
    body: TagPatch,
    handler: (req) =>
      req.tx((tx) => updateTag(tx, viewerOf(req), req.params.id, req.body as Partial<TagInput>, req.locale)),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/cdp/tags/:id',
    permission: P.manage,
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
    permission: P.manage,
    summary: 'Set or clear a manual tag on a profile or record',
    tags: TAGS,
    status: 204,
    probe: { params: { id: 'cdp_tag', subject: 'cdp_profile' } },
    params: ManualTagParams,
    body: ManualTagBody,
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
    permission: P.read,
    summary:
      'Tags and segments of one profile or record (a record is read as the viewer: out of scope is 404)',
    tags: TAGS,
    response: SubjectTags,
    probe: { params: { object: '=customer', id: 'customer' } },
    params: SubjectParams,
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
    permission: P.read,
    summary: 'List segments',
    tags: TAGS,
    response: SegmentList,
    handler: (req) => req.tx((tx) => listSegments(tx, viewerOf(req)), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/cdp/segments/preview',
    permission: P.read,
    probe: { body: { 'rule.tag': 'cdp_tag.key' } },
    summary: 'Live count of a segment being edited',
    tags: TAGS,
    response: SegmentPreview,
    body: SegmentBody,
    handler: (req) =>
      req.tx((tx) => previewSegment(tx, viewerOf(req), req.body as SegmentInput, req.locale), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/cdp/segments',
    permission: P.manage,
    probe: { body: { 'rule.tag': 'cdp_tag.key' } },
    summary: 'Create a segment (computed at once, then kept current by events)',
    tags: TAGS,
    response: Segment,
    status: 201,
    body: SegmentBody,
    handler: (req) => req.tx((tx) => createSegment(tx, viewerOf(req), req.body as SegmentInput, req.locale)),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/segments/:id',
    permission: P.read,
    summary: 'One segment',
    tags: TAGS,
    response: Segment,
    probe: { params: { id: 'cdp_segment' } },
    params: idParam,
    handler: (req) => req.tx((tx) => getSegment(tx, viewerOf(req), req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/cdp/segments/:id',
    permission: P.manage,
    summary: 'Update a segment',
    tags: TAGS,
    response: Segment,
    probe: { params: { id: 'cdp_segment' }, body: { 'rule.tag': 'cdp_tag.key' } },
    params: idParam,
    body: SegmentPatch,
    handler: (req) =>
      req.tx((tx) =>
        updateSegment(tx, viewerOf(req), req.params.id, req.body as Partial<SegmentInput>, req.locale),
      ),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/cdp/segments/:id',
    permission: P.manage,
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
    permission: P.manage,
    summary: 'Recompute a segment now (batch SQL evaluator)',
    tags: TAGS,
    response: SegmentRecompute,
    probe: { params: { id: 'cdp_segment' } },
    params: idParam,
    handler: (req) => req.tx((tx) => manualRecompute(tx, viewerOf(req), req.params.id)),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/segments/:id/members',
    permission: P.read,
    summary: 'Members of a segment (masked unless profile:unmask)',
    tags: TAGS,
    response: SegmentMembers,
    probe: { params: { id: 'cdp_segment' } },
    params: idParam,
    query: SegmentMembersQuery,
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
    permission: P.read,
    summary: 'Daily membership (entered, exited, members)',
    tags: TAGS,
    response: SegmentHistory,
    probe: { params: { id: 'cdp_segment' } },
    params: idParam,
    handler: (req) => req.tx((tx) => segmentHistory(tx, viewerOf(req), req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/cdp/segments/:id/export',
    permission: P.exportSegment,
    summary: 'Export members as CSV (masked per viewer, audited)',
    tags: TAGS,
    file: ['text/csv'],
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
