import { z } from 'zod';
import { Id, Timestamp } from '../common.ts';
import { Rule } from './rule.ts';

/** The tag catalogue (R2.1, R2.4): tags, groups, preview, manual tagging, predicted tags' model cards. */

const KEY = /^[a-z][a-z0-9_]{0,62}$/;
/** `profile`, or a record-engine object (`customer`, a custom `vehicle` …). */
export const SubjectObject = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/);

export const TAG_KINDS = [
  'attribute',
  'behaviour',
  'metric',
  'score',
  'combined',
  'manual',
  'crm',
  'predicted',
] as const;
export type TagKind = (typeof TAG_KINDS)[number];

export const PREDICTION_TARGETS = ['churn', 'repurchase'] as const;

/** A metric tag's value: a count or sum of one event over a window. */
export const EventMetric = z.object({
  event: z.string().min(1).max(200),
  where: z
    .array(z.object({ prop: z.string(), op: z.string(), value: z.any() }))
    .max(10)
    .optional(),
  withinDays: z.number().int().min(1).max(730),
  agg: z.enum(['count', 'sum']).optional(),
  property: z.string().max(100).optional(),
});
export type EventMetric = z.infer<typeof EventMetric>;

export const TagConfig = z.object({
  /** Score tags: points per matching rule. */
  scores: z
    .array(z.object({ rule: Rule, points: z.number().finite() }))
    .max(50)
    .optional(),
  metric: EventMetric.optional(),
  // predicted tags
  target: z.enum(PREDICTION_TARGETS).optional(),
  horizonDays: z.number().int().min(7).max(365).optional(),
  bands: z.object({ high: z.number().gt(0).lt(1), mid: z.number().gt(0).lt(1) }).optional(),
  churnOn: z.enum(['activity', 'purchase']).optional(),
  purchaseEvents: z.array(z.string().min(1).max(200)).max(10).optional(),
});
export type TagConfig = z.infer<typeof TagConfig>;

export const TagBody = z.object({
  key: z.string().regex(KEY),
  name: z.string().min(1).max(100),
  kind: z.enum(TAG_KINDS),
  object: SubjectObject.optional(),
  groupId: z.uuid().nullish(),
  description: z.string().max(1000).nullish(),
  rule: Rule.nullish(),
  config: TagConfig.optional(),
});
export type TagBody = z.infer<typeof TagBody>;

/** Key, kind and object stay; a changed rule or config starts a backfill. */
export const TagPatch = TagBody.omit({ key: true, kind: true, object: true }).partial();
export type TagPatch = z.infer<typeof TagPatch>;

export const TagListQuery = z.object({ object: SubjectObject.optional() });
export type TagListQuery = z.infer<typeof TagListQuery>;

export const ManualTagParams = z.object({ id: z.uuid(), subject: z.uuid() });
export const ManualTagBody = z.object({ on: z.boolean(), value: z.any().optional() });
export type ManualTagBody = z.infer<typeof ManualTagBody>;

export const SubjectParams = z.object({ object: SubjectObject, id: z.uuid() });

export const TagGroupBody = z.object({
  name: z.string().min(1).max(100),
  description: z.string().max(1000).nullish(),
});
export type TagGroupBody = z.infer<typeof TagGroupBody>;
export const TagGroupPatch = z.object({
  name: z.string().min(1).max(100).optional(),
  description: z.string().max(1000).nullish(),
});
export type TagGroupPatch = z.infer<typeof TagGroupPatch>;

// ------------------------------------------------------------------ responses

export const Tag = z.object({
  id: Id,
  key: z.string(),
  name: z.string(),
  kind: z.enum(TAG_KINDS),
  object: z.string(),
  groupId: Id.nullable(),
  description: z.string().nullable(),
  ownerId: Id.nullable(),
  ownerName: z.string().nullable(),
  rule: Rule.nullable(),
  config: TagConfig,
  /** What the tag is computed from: `trait:x`, `event:X`, `tag:key`, `crm:customer.level`. */
  lineage: z.array(z.string()),
  /** Subjects carrying the tag, among those the viewer may see. */
  coverage: z.number().int(),
  /** Progress of the latest backfill; null for tags never backfilled (manual ones). */
  backfill: z
    .object({
      status: z.enum(['pending', 'running', 'done']),
      total: z.number().int().nullable(),
      done: z.number().int(),
    })
    .nullable(),
  createdAt: Timestamp,
});
export type Tag = z.infer<typeof Tag>;

export const TagUser = z.object({ kind: z.enum(['tag', 'segment']), id: Id, name: z.string() });
export type TagUser = z.infer<typeof TagUser>;

export const TagGroup = z.object({
  id: Id,
  name: z.string(),
  description: z.string().nullable(),
  tagCount: z.number().int(),
});
export type TagGroup = z.infer<typeof TagGroup>;

export const TagCatalogue = z.object({
  items: z.array(Tag.extend({ usedBy: z.array(TagUser) })),
  groups: z.array(TagGroup),
});
export type TagCatalogue = z.infer<typeof TagCatalogue>;

export const TagPreview = z.object({
  /** Subjects the rule matches (in the viewer's scope); null when it cannot be counted (score, metric). */
  coverage: z.number().int().nullable(),
  /** Profiles sampled; null for record tags. */
  sampled: z.number().int().nullable(),
  samples: z.array(z.object({ profileId: Id, name: z.string().nullable(), value: z.unknown() })),
});
export type TagPreview = z.infer<typeof TagPreview>;

export const RetrainQueued = z.object({ queued: z.literal(true) });
export type RetrainQueued = z.infer<typeof RetrainQueued>;

const ModelMetrics = z.object({
  auc: z.number().nullable(),
  accuracy: z.number().nullable(),
  baseRate: z.number().nullable(),
  labelled: z.number().int(),
  trainSize: z.number().int(),
  holdoutSize: z.number().int(),
});

/** The model card of a predicted tag. */
export const ModelCard = z.object({
  tagId: Id,
  target: z.enum(PREDICTION_TARGETS),
  horizonDays: z.number().int(),
  bands: z.object({ high: z.number(), mid: z.number() }),
  churnOn: z.enum(['activity', 'purchase']),
  purchaseEvents: z.array(z.string()),
  /** Null until a model is trained. */
  method: z.enum(['model', 'heuristic']).nullable(),
  fallbackReason: z.enum(['too_few', 'one_class']).nullable(),
  cutoffAt: Timestamp.nullable(),
  trainedAt: Timestamp.nullable(),
  scoredAt: Timestamp.nullable(),
  scored: z.number().int(),
  /** How well the model ranked held-out profiles; null until a model is trained. */
  metrics: ModelMetrics.nullable(),
  /** Profiles per band at the last scoring; null until a model is trained. */
  distribution: z.object({ high: z.number().int(), mid: z.number().int(), low: z.number().int() }).nullable(),
  /** Weight per standard deviation of each (log-scaled) feature. */
  features: z.array(z.object({ key: z.string(), label: z.string(), weight: z.number() })),
});
export type ModelCard = z.infer<typeof ModelCard>;
