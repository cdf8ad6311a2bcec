import { z } from 'zod';
import { Id, Label, list, page, Timestamp } from '../common.ts';
import { FormFieldSpec } from './requests.ts';
import { ASSIGNMENT_KINDS, ASSIGNMENT_STRATEGIES } from './vocabulary.ts';

/** What the leads routes answer. */

/**
 * A lead as the record engine sends it to one viewer: fields by API name, hidden fields left
 * out and masked ones replaced by a masked string, so the values are an open map; what every
 * record carries is typed.
 */
export const LeadRecord = z.looseObject({
  id: Id,
  version: z.number().int(),
  deletedAt: Timestamp.nullable(),
  /** Names of the users, units and records the id fields point at. */
  _display: z.record(z.string(), z.string()).optional(),
  /** Fields shown masked to this viewer. */
  _masked: z.array(z.string()).optional(),
});
export type LeadRecord = z.infer<typeof LeadRecord>;

export const PublicForm = z.object({
  name: z.string(),
  fields: z.array(FormFieldSpec),
  /** The field to render hidden: a submission that fills it is dropped as a bot's. */
  honeypot: z.string(),
  thankYou: z.string().nullable(),
});
export type PublicForm = z.infer<typeof PublicForm>;

export const PublicSubmission = z.object({
  ok: z.literal(true),
  /** Left out of the 202 a honeypot submission gets. */
  thankYou: z.string().nullable().optional(),
});
export type PublicSubmission = z.infer<typeof PublicSubmission>;

export const IntakeResult = z.object({
  id: Id,
  channel: z.string(),
  campaign: z.string().nullable(),
  tags: z.array(z.string()),
});
export type IntakeResult = z.infer<typeof IntakeResult>;

export const InboxLead = LeadRecord.extend({
  overdue: z.boolean(),
  /** Seconds to the first-response deadline (negative past it); null once answered. */
  dueInSeconds: z.number().int().nullable(),
  nextFollowUpAt: Timestamp.nullable(),
  followUpOverdue: z.boolean(),
});
export type InboxLead = z.infer<typeof InboxLead>;

export const LeadInbox = z.object({
  items: z.array(InboxLead),
  counts: z.object({ open: z.number().int(), overdue: z.number().int(), waiting: z.number().int() }),
  serverTime: Timestamp,
});
export type LeadInbox = z.infer<typeof LeadInbox>;

export const PoolSettings = z.object({
  claimPerDay: z.number().int(),
  maxHeld: z.number().int(),
  reclaimDays: z.number().int(),
});
export type PoolSettings = z.infer<typeof PoolSettings>;
export const LeadPool = page(LeadRecord).extend({
  limits: PoolSettings.extend({ claimedToday: z.number().int(), held: z.number().int() }),
});
export type LeadPool = z.infer<typeof LeadPool>;

const duplicateSeen = {
  object: z.enum(['lead', 'customer']),
  /** What matched; null for the stored warning on a lead. */
  on: z.enum(['phone', 'email', 'company']).nullable(),
  ownerName: z.string().nullable(),
  ownerUnitName: z.string().nullable(),
  ownedByOther: z.boolean(),
};
/** Who holds a duplicate is told across units; which record it is only to those who may read it. */
export const Duplicate = z.discriminatedUnion('visible', [
  z.object({ ...duplicateSeen, visible: z.literal(true), id: Id, name: z.string(), ownerId: Id.nullable() }),
  z.object({ ...duplicateSeen, visible: z.literal(false), id: z.null(), name: z.null(), ownerId: z.null() }),
]);
export type Duplicate = z.infer<typeof Duplicate>;

export const DuplicateCheck = z.object({ duplicate: Duplicate.nullable(), ownedByOther: z.boolean() });
export type DuplicateCheck = z.infer<typeof DuplicateCheck>;
export const DuplicateOf = z.object({ duplicate: Duplicate.nullable() });
export type DuplicateOf = z.infer<typeof DuplicateOf>;

/** A return answers with what changed: the caller may no longer see the lead. */
export const PoolReturned = z.object({
  id: Id,
  status: z.literal('pooled'),
  ownerId: z.null(),
  poolId: Id,
});
export type PoolReturned = z.infer<typeof PoolReturned>;

export const Conversion = z.object({
  leadId: Id,
  customerId: Id,
  contactId: Id.nullable(),
  opportunityId: Id.nullable(),
  activitiesMoved: z.number().int(),
});
export type Conversion = z.infer<typeof Conversion>;

export const Merge = z.object({
  id: Id,
  mergedId: Id,
  /** Fields of the surviving lead filled from the duplicate. */
  fields: z.array(z.string()),
  activitiesMoved: z.number().int(),
});
export type Merge = z.infer<typeof Merge>;
export const Assignment = z.object({
  id: Id,
  kind: z.enum(ASSIGNMENT_KINDS),
  ruleId: Id.nullable(),
  ruleName: z.string().nullable(),
  fromUserId: Id.nullable(),
  fromName: z.string().nullable(),
  toUserId: Id.nullable(),
  toName: z.string().nullable(),
  unitId: Id.nullable(),
  /** Why: a code plus the figures of that decision (rule, strategy, loads …). */
  reason: z.looseObject({ code: z.string() }),
  at: Timestamp,
});
export type Assignment = z.infer<typeof Assignment>;
export const Assignments = list(Assignment);
export type Assignments = z.infer<typeof Assignments>;

export const Indicator = z.object({
  key: z.string(),
  label: Label,
  weight: z.number(),
  /** Lead field the indicator reads (`engagement` reads several). */
  field: z.string(),
  points: z.record(z.string(), z.number()).optional(),
  thresholds: z.array(z.object({ min: z.number(), points: z.number() })).optional(),
  default: z.number(),
});
export type Indicator = z.infer<typeof Indicator>;
export const Scorecard = z.object({ indicators: z.array(Indicator) });
export type Scorecard = z.infer<typeof Scorecard>;

export const LeadSettings = z.object({
  scorecard: Scorecard,
  defaultScorecard: Scorecard,
  sla: z.object({ defaultMinutes: z.number().int(), byChannel: z.record(z.string(), z.number().int()) }),
  pool: PoolSettings,
  /** The trained scoring model, null while the tenant scores by the scorecard. */
  model: z
    .object({
      trainedAt: Timestamp,
      samples: z.number().int(),
      auc: z.number(),
      scorecardAuc: z.number(),
      features: z.array(z.string()),
      weights: z.array(z.number()),
    })
    .nullable(),
});
export type LeadSettings = z.infer<typeof LeadSettings>;

export const Training = z.discriminatedUnion('trained', [
  z.object({
    trained: z.literal(false),
    samples: z.number().int(),
    positives: z.number().int(),
    reason: z.literal('too_little_history'),
    rescored: z.number().int(),
  }),
  z.object({
    trained: z.literal(true),
    samples: z.number().int(),
    positives: z.number().int(),
    auc: z.number(),
    scorecardAuc: z.number(),
    rescored: z.number().int(),
  }),
]);
export type Training = z.infer<typeof Training>;

export const AssignmentRule = z.object({
  id: Id,
  position: z.number().int(),
  name: z.string(),
  enabled: z.boolean(),
  conditions: z.object({
    regionPrefixes: z.array(z.string()).optional(),
    industries: z.array(z.string()).optional(),
    channels: z.array(z.string()).optional(),
    scoreMin: z.number().nullable().optional(),
    scoreMax: z.number().nullable().optional(),
  }),
  strategy: z.enum(ASSIGNMENT_STRATEGIES),
  members: z.array(z.object({ userId: Id, weight: z.number().optional() })),
  poolUnitId: Id.nullable(),
});
export type AssignmentRule = z.infer<typeof AssignmentRule>;
export const AssignmentRules = list(AssignmentRule);
export type AssignmentRules = z.infer<typeof AssignmentRules>;

export const WorkingHours = z.object({ days: z.array(z.number().int()), start: z.string(), end: z.string() });
export type WorkingHours = z.infer<typeof WorkingHours>;
export const UserLeadSettings = z.object({
  userId: Id,
  maxOpenLeads: z.number().int().nullable(),
  workingHours: WorkingHours.nullable(),
});
export type UserLeadSettings = z.infer<typeof UserLeadSettings>;
export const UserLeadSettingsList = list(UserLeadSettings.extend({ name: z.string() }));
export type UserLeadSettingsList = z.infer<typeof UserLeadSettingsList>;

export const LeadForm = z.object({
  id: Id,
  formKey: z.string(),
  name: z.string(),
  channel: z.string(),
  campaign: z.string().nullable(),
  fields: z.array(FormFieldSpec),
  thankYou: z.object({ 'zh-CN': z.string(), 'en-US': z.string() }).nullable(),
  unitId: Id,
  createdBy: Id,
  enabled: z.boolean(),
});
export type LeadForm = z.infer<typeof LeadForm>;
export const LeadForms = list(LeadForm);
export type LeadForms = z.infer<typeof LeadForms>;

export const LeadChannel = z.object({
  id: Id,
  code: z.string(),
  name: z.string(),
  channel: z.string(),
  campaign: z.string().nullable(),
  defaultTags: z.array(z.string()),
  ruleId: Id.nullable(),
  unitId: Id.nullable(),
  enabled: z.boolean(),
  createdAt: Timestamp,
});
export type LeadChannel = z.infer<typeof LeadChannel>;
export const LeadChannels = list(LeadChannel);
export type LeadChannels = z.infer<typeof LeadChannels>;
