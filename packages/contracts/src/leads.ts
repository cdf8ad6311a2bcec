import { z } from 'zod';
import { Id, Label, list, page, Timestamp } from './common.ts';

/**
 * Leads (R3): intake, dedupe (撞单), scoring, assignment, SLA, pool (公海), conversion. Routes
 * under /api/v1/leads and the public form routes under /api/v1/public.
 */

/** Object permissions of `lead` (record engine) and the module's own configuration right. */
export const LEADS_PERMISSIONS = {
  read: 'lead:read',
  create: 'lead:create',
  update: 'lead:update',
  configure: 'leads:configure',
} as const;

export const LEAD_STATUSES = [
  'new',
  'contacted',
  'qualified',
  'converted',
  'disqualified',
  'pooled',
] as const;
export const LeadStatus = z.enum(LEAD_STATUSES);
export type LeadStatus = z.infer<typeof LeadStatus>;

/** Lead fields a public form may collect (never owner, status, score …). */
export const FORM_FIELDS = [
  'name',
  'company',
  'phone',
  'email',
  'title',
  'region',
  'industry',
  'need',
  'companySize',
  'decisionChain',
  'remark',
] as const;

export const ASSIGNMENT_STRATEGIES = ['round_robin', 'weighted', 'least_loaded', 'fixed'] as const;

// ------------------------------------------------------------------ requests

const label = z.object({ 'zh-CN': z.string().max(500), 'en-US': z.string().max(500) });
const money = z.object({ amount: z.number().int(), currency: z.string().length(3) });
const ref = z.object({ id: z.uuid() }).strict();
const fresh = z.object({ new: z.record(z.string(), z.unknown()) }).strict();

export const StatusChange = z
  .object({
    status: LeadStatus,
    reason: z.string().max(500).optional(),
    version: z.number().int().optional(),
  })
  .strict();
export type StatusChange = z.infer<typeof StatusChange>;

export const PoolReturn = z.object({ reason: z.string().max(500) }).strict();
export type PoolReturn = z.infer<typeof PoolReturn>;

export const ConvertBody = z
  .object({
    customer: z.union([ref, fresh]).optional(),
    contact: z.union([ref, fresh, z.null()]).optional(),
    opportunity: z
      .object({ name: z.string().min(1).max(200), amount: money.optional() })
      .strict()
      .nullable()
      .optional(),
  })
  .strict();
export type ConvertBody = z.infer<typeof ConvertBody>;

export const MergeBody = z.object({ intoId: z.uuid() }).strict();
export type MergeBody = z.infer<typeof MergeBody>;

export const PoolQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().max(100).optional(),
});
export const InboxQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).optional() });
export const DuplicateQuery = z.object({
  phone: z.string().max(40).optional(),
  email: z.string().max(200).optional(),
  company: z.string().max(200).optional(),
  excludeId: z.string().max(40).optional(),
});
export const FormKeyParams = z.object({ formKey: z.string().min(10).max(80) });

export const FormFieldSpec = z
  .object({ field: z.enum(FORM_FIELDS), required: z.boolean().optional() })
  .strict();
export type FormFieldSpec = z.infer<typeof FormFieldSpec>;

export const FormCreate = z
  .object({
    name: z.string().min(1).max(100),
    channel: z.string().max(40).optional(),
    campaign: z.string().max(100).nullable().optional(),
    fields: z.array(FormFieldSpec).min(1).max(20),
    thankYou: label.nullable().optional(),
    unitId: z.uuid().optional(),
  })
  .strict();
export type FormCreate = z.infer<typeof FormCreate>;
export const FormPatch = FormCreate.partial().extend({ enabled: z.boolean().optional() }).strict();
export type FormPatch = z.infer<typeof FormPatch>;

export const ChannelBody = z
  .object({
    code: z.string().regex(/^[\w.-]{1,64}$/),
    name: z.string().min(1).max(100),
    channel: z.string().min(1).max(40),
    campaign: z.string().max(100).nullable().optional(),
    defaultTags: z.array(z.string().max(40)).max(20).optional(),
    ruleId: z.uuid().nullable().optional(),
    unitId: z.uuid().nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type ChannelBody = z.infer<typeof ChannelBody>;

/** A channel code's `state` plus the lead's values (the record engine validates those). */
export const IntakeBody = z.object({ state: z.string().min(1).max(64) }).catchall(z.unknown());
export type IntakeBody = z.infer<typeof IntakeBody>;

const ruleConditions = z
  .object({
    regionPrefixes: z
      .array(z.string().regex(/^\d{2,6}$/))
      .max(100)
      .optional(),
    industries: z.array(z.string().max(40)).max(50).optional(),
    channels: z.array(z.string().max(40)).max(50).optional(),
    scoreMin: z.number().min(0).max(100).nullable().optional(),
    scoreMax: z.number().min(0).max(100).nullable().optional(),
  })
  .strict();
export const RuleBody = z
  .object({
    name: z.string().min(1).max(100),
    enabled: z.boolean().optional(),
    position: z.number().int().optional(),
    conditions: ruleConditions.optional(),
    strategy: z.enum(ASSIGNMENT_STRATEGIES),
    members: z
      .array(z.object({ userId: z.uuid(), weight: z.number().min(0.01).max(100).optional() }).strict())
      .max(200),
    poolUnitId: z.uuid().nullable().optional(),
  })
  .strict();
export type RuleBody = z.infer<typeof RuleBody>;
export const RulePatch = RuleBody.partial().strict();
export type RulePatch = z.infer<typeof RulePatch>;

const indicatorInput = z
  .object({
    key: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/),
    label,
    weight: z.number().min(0).max(100),
    field: z.string().max(40),
    points: z.record(z.string(), z.number().min(0).max(1)).optional(),
    thresholds: z
      .array(z.object({ min: z.number(), points: z.number().min(0).max(1) }))
      .max(20)
      .optional(),
    default: z.number().min(0).max(1),
  })
  .strict();
export const SettingsPatch = z
  .object({
    scorecard: z
      .object({ indicators: z.array(indicatorInput).min(1).max(30) })
      .strict()
      .optional(),
    sla: z
      .object({
        defaultMinutes: z.number().int().min(1).max(10080),
        byChannel: z.record(z.string(), z.number().int().min(1).max(10080)),
      })
      .strict()
      .optional(),
    pool: z
      .object({
        claimPerDay: z.number().int().min(0).max(1000),
        maxHeld: z.number().int().min(0).max(100000),
        reclaimDays: z.number().int().min(0).max(365),
      })
      .strict()
      .optional(),
  })
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

const workingHoursInput = z
  .object({
    days: z.array(z.number().int().min(1).max(7)).max(7),
    start: z.string().regex(/^\d{2}:\d{2}$/),
    end: z.string().regex(/^\d{2}:\d{2}$/),
  })
  .strict();
export const UserSettingsBody = z
  .object({
    maxOpenLeads: z.number().int().min(0).max(100000).nullable().optional(),
    workingHours: workingHoursInput.nullable().optional(),
  })
  .strict();
export type UserSettingsBody = z.infer<typeof UserSettingsBody>;

// ------------------------------------------------------------------ responses

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

export const Inbox = z.object({
  items: z.array(InboxLead),
  counts: z.object({ open: z.number().int(), overdue: z.number().int(), waiting: z.number().int() }),
  serverTime: Timestamp,
});
export type Inbox = z.infer<typeof Inbox>;

export const PoolSettings = z.object({
  claimPerDay: z.number().int(),
  maxHeld: z.number().int(),
  reclaimDays: z.number().int(),
});
export const Pool = page(LeadRecord).extend({
  limits: PoolSettings.extend({ claimedToday: z.number().int(), held: z.number().int() }),
});
export type Pool = z.infer<typeof Pool>;

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

export const ASSIGNMENT_KINDS = [
  'assign',
  'pool',
  'keep',
  'claim',
  'return',
  'reclaim',
  'duplicate_owner',
  'transfer',
] as const;
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

export const WorkingHours = z.object({ days: z.array(z.number().int()), start: z.string(), end: z.string() });
export const UserLeadSettings = z.object({
  userId: Id,
  maxOpenLeads: z.number().int().nullable(),
  workingHours: WorkingHours.nullable(),
});
export type UserLeadSettings = z.infer<typeof UserLeadSettings>;
export const UserLeadSettingsList = list(UserLeadSettings.extend({ name: z.string() }));

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

// ------------------------------------------------------------------ home cards ("my day")

export const LeadsCard = z.object({
  open: z.number().int(),
  breached: z.number().int(),
  dueSoon: z.number().int(),
  later: z.number().int(),
  items: z.array(
    z.object({
      id: Id,
      // Masked to some viewers, so strings whatever the field's type.
      name: z.string().nullable(),
      company: z.string().nullable(),
      status: z.string(),
      statusLabel: Label.nullable(),
      score: z.union([z.number(), z.string()]).nullable(),
      firstResponseDueAt: Timestamp.nullable(),
      firstRespondedAt: Timestamp.nullable(),
      overdue: z.boolean(),
      dueInSeconds: z.number().int().nullable(),
      nextFollowUpAt: Timestamp.nullable(),
      followUpOverdue: z.boolean(),
    }),
  ),
});
export type LeadsCard = z.infer<typeof LeadsCard>;

export const FollowUpsCard = z.object({
  total: z.number().int(),
  more: z.boolean(),
  items: z.array(
    z.object({
      id: Id,
      subject: z.string().nullable(),
      type: z.string().nullable(),
      typeLabel: Label.nullable(),
      dueAt: Timestamp.nullable(),
      overdue: z.boolean(),
      leadId: Id.nullable(),
      leadName: z.string().nullable(),
      customerId: Id.nullable(),
      customerName: z.string().nullable(),
    }),
  ),
});
export type FollowUpsCard = z.infer<typeof FollowUpsCard>;

export const TeamSlaCard = z.object({
  breachedToday: z.number().int(),
  more: z.boolean(),
  items: z.array(
    z.object({
      id: Id,
      name: z.string().nullable(),
      company: z.string().nullable(),
      ownerName: z.string().nullable(),
      firstResponseDueAt: Timestamp.nullable(),
      firstRespondedAt: Timestamp.nullable(),
    }),
  ),
});
export type TeamSlaCard = z.infer<typeof TeamSlaCard>;
