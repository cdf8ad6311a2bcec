import { z } from 'zod';

/** 裂变 (apps/server/src/modules/fission): poster campaigns where participants invite friends. */
export const FISSION_PERMISSIONS = {
  read: 'fission:read',
  manage: 'fission:manage',
} as const;

export const REWARD_TYPES = ['gift', 'coupon', 'points', 'cash'] as const;
/** What an invite is: a friend adds the campaign's staff member, or joins one of its customer groups. */
export const TASK_KINDS = ['add_staff', 'join_group'] as const;
const day = z.iso.date();

const CampaignFields = z.object({
  name: z.string().trim().min(1).max(100),
  startsOn: day,
  endsOn: day,
  /** A poster material (its image carries each participant's personal code). */
  posterMaterialId: z.uuid().nullable().optional(),
  corpRef: z.uuid(),
  /** WeCom userids the invitees add; each participant's code goes to one of them (in turn). */
  staff: z.array(z.string().trim().min(1).max(64)).min(1).max(50),
  inviteTarget: z.number().int().min(1).max(100),
  /** Default add_staff. join_group needs groupChatIds (checked by the server: a field error). */
  task: z.enum(TASK_KINDS).optional(),
  /** WeCom chat ids of the customer groups (fill order) each participant's 群活码 leads to. */
  groupChatIds: z.array(z.string().trim().min(1).max(64)).max(5).optional(),
  rewardType: z.enum(REWARD_TYPES),
  rewardText: z.string().trim().min(1).max(200),
  /** The coupon template a `coupon` reward issues (required for that type; checked by the server). */
  couponTemplateId: z.uuid().nullable().optional(),
  /** Yuan; the campaign's whole budget and what one reward costs. */
  budget: z.number().min(0).max(10_000_000).nullable().optional(),
  rewardCost: z.number().min(0).max(1_000_000).optional(),
});
/** endsOn ≥ startsOn is checked by the server (a field error on endsOn), not here: probes sample this schema. */
export const CampaignInput = CampaignFields.strict();
export type CampaignInput = z.infer<typeof CampaignInput>;
/**
 * corpRef, staff, the task and its groups are fixed once participants hold codes. `version` is the
 * one the editor read (optimistic locking, decision 0074): stale → 409, nothing written.
 */
export const CampaignPatch = CampaignFields.omit({
  corpRef: true,
  staff: true,
  task: true,
  groupChatIds: true,
})
  .partial()
  .extend({ version: z.number().int().min(1) })
  .strict();
export type CampaignPatch = z.infer<typeof CampaignPatch>;

export const Campaign = z.object({
  id: z.string(),
  name: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
  posterMaterialId: z.string().nullable(),
  corpRef: z.string(),
  staff: z.array(z.string()),
  inviteTarget: z.number().int(),
  task: z.enum(TASK_KINDS),
  groupChatIds: z.array(z.string()),
  rewardType: z.enum(REWARD_TYPES),
  rewardText: z.string(),
  couponTemplateId: z.string().nullable(),
  budget: z.number().nullable(),
  rewardCost: z.number(),
  unitId: z.string(),
  /** The public page where a customer joins and gets their poster. */
  joinUrl: z.string(),
  participants: z.number().int(),
  newCustomers: z.number().int(),
  rewards: z.number().int(),
  /** Optimistic lock: every edit adds 1; PATCH sends the one it read. */
  version: z.number().int(),
  createdAt: z.string(),
});
export type Campaign = z.infer<typeof Campaign>;
export const CampaignList = z.object({ items: z.array(Campaign) });

export const FunnelReport = z.object({
  participants: z.number().int(),
  /** Every add through a participant's code, duplicates and early deletions included. */
  invites: z.number().int(),
  /** Adds that count: first time this person (unionid, else external_userid) came, not deleted within 24 h. */
  newCustomers: z.number().int(),
  retained24h: z.number().int(),
  duplicates: z.number().int(),
  voided: z.number().int(),
  rewards: z.number().int(),
  /** Coupon rewards: issued through coupons, and those that could not be (out of stock, limit …). */
  couponsIssued: z.number().int(),
  couponsFailed: z.number().int(),
  disputedRewards: z.number().int(),
  cost: z.number(),
  costPerCustomer: z.number().nullable(),
  days: z.array(
    z.object({ day: z.string(), participants: z.number().int(), newCustomers: z.number().int() }),
  ),
  top: z.array(
    z.object({
      participantId: z.string(),
      name: z.string(),
      counted: z.number().int(),
      rewarded: z.boolean(),
    }),
  ),
});
export type FunnelReport = z.infer<typeof FunnelReport>;
