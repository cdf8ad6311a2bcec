import { z } from 'zod';
import { ASSIGNMENT_STRATEGIES, FORM_FIELDS, LeadStatus } from './vocabulary.ts';

/** What the leads routes accept (bodies, queries, params). */

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
      .object({ name: z.string().min(1).max(200).optional(), amount: money.optional() })
      .strict()
      .nullable()
      .optional(),
  })
  .strict();
export type ConvertBody = z.infer<typeof ConvertBody>;

export const MergeBody = z.object({ intoId: z.uuid() }).strict();
export type MergeBody = z.infer<typeof MergeBody>;

export const LeadPoolQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().max(100).optional(),
});
export type LeadPoolQuery = z.infer<typeof LeadPoolQuery>;
export const LeadInboxQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).optional() });
export type LeadInboxQuery = z.infer<typeof LeadInboxQuery>;
export const DuplicateQuery = z.object({
  phone: z.string().max(40).optional(),
  email: z.string().max(200).optional(),
  company: z.string().max(200).optional(),
  excludeId: z.string().max(40).optional(),
});
export type DuplicateQuery = z.infer<typeof DuplicateQuery>;
export const FormKeyParams = z.object({ formKey: z.string().min(10).max(80) });
export type FormKeyParams = z.infer<typeof FormKeyParams>;

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
