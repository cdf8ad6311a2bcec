import { z } from 'zod';

/** 群发 and SOP (apps/server/src/modules/outreach): mass messages to customers and groups, SOP tasks. */
export const OUTREACH_PERMISSIONS = {
  read: 'outreach:read',
  send: 'outreach:send',
} as const;

const text = z.string().trim().min(1).max(4000);

/** WeCom's attachment kinds for add_msg_template (at most 9 per message). */
export const Attachment = z.discriminatedUnion('msgtype', [
  z.object({ msgtype: z.literal('image'), image: z.object({ media_id: z.string().min(1).max(200) }) }),
  z.object({
    msgtype: z.literal('link'),
    link: z.object({
      title: z.string().trim().min(1).max(128),
      url: z.string().trim().url().max(2048),
      desc: z.string().max(512).optional(),
      picurl: z.string().url().max(2048).optional(),
    }),
  }),
  z.object({
    msgtype: z.literal('miniprogram'),
    miniprogram: z.object({
      title: z.string().trim().min(1).max(64),
      pic_media_id: z.string().min(1).max(200),
      appid: z.string().min(1).max(64),
      page: z.string().min(1).max(512),
    }),
  }),
]);
export type Attachment = z.infer<typeof Attachment>;

/** Who a mass message goes to: a saved segment, a tag, or every customer the caller may see. */
export const Audience = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('segment'), segmentId: z.string().uuid() }),
  z.object({ kind: z.literal('tag'), tagId: z.string().uuid() }),
  z.object({
    kind: z.literal('filter'),
    /** Only customers of these WeCom staff members (omitted: all the caller may see). */
    staff: z.array(z.string().min(1).max(64)).max(500).optional(),
    addedAfter: z.string().datetime().optional(),
  }),
]);
export type Audience = z.infer<typeof Audience>;

export const MassMessageInput = z
  .object({
    corpRef: z.string().uuid(),
    chatType: z.enum(['single', 'group']).default('single'),
    title: z.string().trim().min(1).max(100),
    text: z.string().trim().max(4000).optional(),
    attachments: z.array(Attachment).max(9).default([]),
    /**
     * Materials (ids) sent WeCom-faithfully per kind: poster → image with each sending staff member's
     * own QR, PDF → file, mini-program → card, article/link/video → the staff member's tracked link.
     * Together with `attachments` at most 9 (WeCom's limit).
     */
    materials: z.array(z.string().uuid()).max(9).default([]),
    audience: Audience.default({ kind: 'filter' }),
    /** Send at (ISO); omitted: now. Quiet hours move it to the next window either way. */
    sendAt: z.string().datetime().optional(),
  })
  .refine((m) => !!m.text || m.attachments.length > 0 || m.materials.length > 0, {
    path: ['text'],
    message: 'required',
  });
export type MassMessageInput = z.infer<typeof MassMessageInput>;

export const ExclusionReason = z.enum(['no_consent', 'deleted_staff', 'monthly_cap', 'no_staff']);
export type ExclusionReason = z.infer<typeof ExclusionReason>;

export const RecipientStatus = z.enum([
  'planned',
  'excluded',
  'waiting',
  'sent',
  'failed',
  'not_friend',
  'over_limit',
  'cancelled',
]);

export const StaffPlan = z.object({
  staffUserid: z.string(),
  staffName: z.string(),
  recipients: z.number().int(),
  /** WeCom task status: pending (waiting for the staff member to confirm), sent, cancelled. */
  status: z.enum(['planned', 'pending', 'sent', 'cancelled']),
  msgids: z.array(z.string()),
});

export const MassMessage = z.object({
  id: z.string(),
  corpRef: z.string(),
  chatType: z.enum(['single', 'group']),
  title: z.string(),
  text: z.string().nullable(),
  attachments: z.array(z.any()),
  /** The picked materials as sent: kind decides the WeCom attachment. */
  materials: z.array(z.object({ id: z.string(), kind: z.string(), title: z.string() })),
  audience: z.any(),
  status: z.enum(['planned', 'scheduled', 'sending', 'sent', 'cancelled']),
  scheduledAt: z.string().nullable(),
  quietHoursMoved: z.boolean(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  counts: z.object({
    planned: z.number().int(),
    excluded: z.number().int(),
    waiting: z.number().int(),
    sent: z.number().int(),
    failed: z.number().int(),
    notFriend: z.number().int(),
    overLimit: z.number().int(),
    replied: z.number().int(),
  }),
  exclusions: z.record(z.string(), z.number().int()),
});
export type MassMessage = z.infer<typeof MassMessage>;

export const MassMessageDetail = MassMessage.extend({
  staff: z.array(StaffPlan),
  excluded: z.array(z.object({ target: z.string(), name: z.string().nullable(), reason: ExclusionReason })),
});
export type MassMessageDetail = z.infer<typeof MassMessageDetail>;

export const OutreachSettings = z.object({
  /** Quiet hours as HH:MM on the tenant's clock (tenants.time_zone, China time by default); nothing is sent from start until end (may wrap midnight). */
  quietStart: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
    .nullable(),
  quietEnd: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
    .nullable(),
  /** 企业群发 a customer may receive per calendar month (WeCom: 4). */
  monthlyCap: z.number().int().min(1).max(4),
  /** The tenant's time zone the quiet hours are read in (answers only; set in the tenant settings). */
  timeZone: z.string().optional(),
});
export type OutreachSettings = z.infer<typeof OutreachSettings>;

// ---- SOP -------------------------------------------------------------------------------------------

export const SopStep = z.object({
  dayOffset: z.number().int().min(0).max(365),
  /** Hour of day (Asia/Shanghai) the task is due. */
  hour: z.number().int().min(0).max(23).default(10),
  kind: z.enum(['send_text', 'call', 'custom']),
  content: text,
});
export const SopRuleInput = z.object({
  name: z.string().trim().min(1).max(100),
  kind: z.enum(['customer', 'group']).default('customer'),
  trigger: z.discriminatedUnion('on', [
    z.object({ on: z.literal('contact_added') }),
    z.object({ on: z.literal('tag_added'), tagId: z.string().uuid() }),
    z.object({ on: z.literal('opportunity_stage'), stage: z.string().min(1).max(64) }),
    z.object({
      on: z.literal('schedule'),
      repeat: z.enum(['once', 'weekly']),
      startAt: z.string().datetime(),
    }),
  ]),
  steps: z.array(SopStep).min(1).max(30),
  enabled: z.boolean().default(true),
});
export type SopRuleInput = z.infer<typeof SopRuleInput>;
export const SopRule = SopRuleInput.extend({ id: z.string(), createdAt: z.string() });

export const SopTask = z.object({
  id: z.string(),
  ruleId: z.string(),
  ruleName: z.string(),
  kind: z.enum(['send_text', 'call', 'custom']),
  content: z.string(),
  target: z.string().nullable(),
  targetName: z.string().nullable(),
  staffUserid: z.string().nullable(),
  dueAt: z.string(),
  status: z.enum(['open', 'done', 'sent']),
  overdue: z.boolean(),
  doneAt: z.string().nullable(),
});
export type SopTask = z.infer<typeof SopTask>;

export const SopCompletion = z.object({
  items: z.array(
    z.object({
      userId: z.string().nullable(),
      name: z.string(),
      total: z.number().int(),
      done: z.number().int(),
      overdue: z.number().int(),
      rate: z.number(),
    }),
  ),
});
