import { z } from 'zod';

/** Messaging (apps/server/src/modules/messaging): one send path with guards, channels, templates, the message log. */
export const MESSAGING_PERMISSIONS = {
  read: 'messaging:read',
  send: 'messaging:send',
  manage: 'messaging:manage',
} as const;

export const CHANNEL_KINDS = ['sms', 'email', 'webhook', 'in_app', 'wecom_private', 'wecom_mass'] as const;
export const ChannelKind = z.enum(CHANNEL_KINDS);
export type ChannelKind = z.infer<typeof ChannelKind>;

export const CONSENT_PURPOSES = ['marketing', 'service'] as const;
export const ConsentPurpose = z.enum(CONSENT_PURPOSES);
export type ConsentPurpose = z.infer<typeof ConsentPurpose>;

/** In guard order: the first failing guard is the reason. */
export const SKIP_REASONS = [
  'no_consent',
  'unsubscribed',
  'no_address',
  'staff_deleted',
  'wecom_monthly_cap',
  'frequency_cap',
  'quiet_hours',
] as const;
export const SkipReason = z.enum(SKIP_REASONS);
export type SkipReason = z.infer<typeof SkipReason>;

export const MESSAGE_STATUSES = ['queued', 'deferred', 'sent', 'delivered', 'skipped', 'failed'] as const;
export const MessageStatus = z.enum(MESSAGE_STATUSES);

export const SOURCE_KINDS = ['journey', 'campaign', 'api', 'manual'] as const;

const text = z.string().trim().min(1).max(4000);

export const SendContent = z.object({
  subject: z.string().trim().max(200).optional(),
  text,
  url: z.string().trim().url().max(2048).optional(),
});

/** POST /messaging/messages: a send through the API (source api/manual), same path as journeys use. */
export const SendMessageInput = z.object({
  profileId: z.uuid(),
  channel: ChannelKind,
  purpose: ConsentPurpose,
  templateId: z.uuid().optional(),
  content: SendContent.optional(),
  variables: z.record(z.string().max(64), z.string().max(1000)).optional(),
  idempotencyKey: z.string().trim().min(1).max(200),
  ownerUserId: z.uuid().optional(),
  dropIfQuiet: z.boolean().optional(),
});
export type SendMessageInput = z.infer<typeof SendMessageInput>;

export const SendOutcome = z.object({
  messageId: z.string(),
  status: z.enum(['queued', 'deferred', 'sent', 'skipped', 'failed']),
  reason: SkipReason.optional(),
  deferredUntil: z.string().optional(),
});

export const MessageLogItem = z.object({
  id: z.string(),
  profileId: z.string(),
  channel: ChannelKind,
  purpose: ConsentPurpose,
  status: MessageStatus,
  reason: SkipReason.nullable(),
  /** Masked (138****1234): the log is for operators, not an address book. */
  address: z.string().nullable(),
  subject: z.string().nullable(),
  text: z.string().nullable(),
  templateId: z.string().nullable(),
  source: z.object({ kind: z.string(), id: z.string(), stepId: z.string().optional() }),
  attempts: z.number(),
  error: z.string().nullable(),
  deferredUntil: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  clickedAt: z.string().nullable(),
});
export type MessageLogItem = z.infer<typeof MessageLogItem>;

export const MessageLogQuery = z.object({
  profileId: z.uuid().optional(),
  channel: ChannelKind.optional(),
  status: MessageStatus.optional(),
  reason: SkipReason.optional(),
  sourceKind: z.enum(SOURCE_KINDS).optional(),
  before: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export const MessageLog = z.object({ items: z.array(MessageLogItem), nextBefore: z.string().nullable() });

/** A frequency cap: at most `max` messages of a purpose on a channel ('*' = every channel) in `days`. */
export const FrequencyCap = z.object({
  channel: z.union([ChannelKind, z.literal('*')]),
  purpose: z.union([ConsentPurpose, z.literal('*')]),
  max: z.number().int().min(0).max(1000),
  days: z.number().int().min(1).max(365),
});
export type FrequencyCap = z.infer<typeof FrequencyCap>;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);

export const MessagingSettings = z.object({
  /** Tenant time zone (IANA), read from the tenant. */
  timeZone: z.string().optional(),
  quietStart: hhmm.nullable(),
  quietEnd: hhmm.nullable(),
  caps: z.array(FrequencyCap).max(20),
  /** Where the webhook channel posts (https; checked by the outbound guard on every send). */
  webhookUrl: z.string().trim().url().max(2048).nullable(),
});
export type MessagingSettings = z.infer<typeof MessagingSettings>;

/** The webhook secret is shown once, when the URL is set or the secret rotated. */
export const MessagingSettingsSaved = MessagingSettings.extend({ webhookSecret: z.string().optional() });
