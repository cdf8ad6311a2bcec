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
  'undeliverable',
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
  /** From the email open pixel: a hint only (images blocked hide opens, privacy proxies fake them). */
  openedAt: z.string().nullable(),
  bouncedAt: z.string().nullable(),
});
export type MessageLogItem = z.infer<typeof MessageLogItem>;

export const MessageLogQuery = z.object({
  profileId: z.uuid().optional(),
  /** The messages of the profiles linked to one CRM record (the customer page's panel). */
  object: z.enum(['customer', 'contact']).optional(),
  recordId: z.uuid().optional(),
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

/** The SMS account as the settings page shows it: never the secret. */
export const SmsAccount = z.object({
  endpoint: z.string(),
  accessKeyId: z.string().nullable(),
  signName: z.string().nullable(),
  textTemplate: z.string().nullable(),
  configured: z.boolean(),
  receiptUrlSet: z.boolean(),
});
export const SmsAccountInput = z.object({
  /** Default https://dysmsapi.aliyuncs.com */
  endpoint: z.string().trim().url().max(2048).nullable().optional(),
  accessKeyId: z.string().trim().min(1).max(128),
  accessKeySecret: z.string().trim().min(1).max(256),
  signName: z.string().trim().min(1).max(64),
  /** TemplateCode of an approved `${text}` template for messages without their own template. */
  textTemplate: z.string().trim().min(1).max(64).nullable().optional(),
});
/** The receipt URL (enter it in Aliyun's console) is shown once. */
export const SmsAccountSaved = SmsAccount.extend({ receiptUrl: z.string(), receiptPath: z.string() });

export const TemplateVariant = z.object({
  segmentId: z.uuid(),
  subject: z.string().trim().max(200).nullable().optional(),
  body: text,
  url: z.string().trim().max(2048).nullable().optional(),
});
export const TemplateInput = z.object({
  name: z.string().trim().min(1).max(100),
  channel: ChannelKind,
  subject: z.string().trim().max(200).nullable().optional(),
  body: text,
  url: z.string().trim().max(2048).nullable().optional(),
  /** The provider's template (SMS TemplateCode) the body was approved as. */
  providerCode: z.string().trim().max(64).nullable().optional(),
  /** 千人千面: the first variant whose segment the recipient is in wins. */
  variants: z.array(TemplateVariant).max(20).optional(),
});
export const Template = TemplateInput.extend({
  id: z.string(),
  variables: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const TemplatePreviewInput = z.object({
  profileId: z.uuid(),
  /** Preview a variant as if the profile were in its segment (null: the template's own text). */
  segmentId: z.uuid().nullable().optional(),
  variables: z.record(z.string().max(64), z.string().max(1000)).optional(),
});
export const TemplatePreview = z.object({
  subject: z.string().nullable(),
  text: z.string(),
  url: z.string().nullable(),
  /** Which variant was picked (null: the template's own text). */
  segmentId: z.string().nullable(),
  /** Email: the HTML body (links tracked and the unsubscribe footer added at delivery). */
  html: z.string().nullable().optional(),
});

/** The email (SMTP) account as the settings page shows it: never the password. */
export const EMAIL_SECURITY = ['tls', 'starttls', 'none'] as const;
export const EmailAccount = z.object({
  host: z.string().nullable(),
  port: z.number().nullable(),
  security: z.enum(EMAIL_SECURITY),
  user: z.string().nullable(),
  from: z.string().nullable(),
  /** Envelope sender (Return-Path): where DSNs (bounces) go. */
  bounceAddress: z.string().nullable(),
  configured: z.boolean(),
  passwordSet: z.boolean(),
  bounceHookSet: z.boolean(),
});
export const EmailAccountInput = z.object({
  host: z.string().trim().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  security: z.enum(EMAIL_SECURITY),
  user: z.string().trim().max(256).nullable().optional(),
  /** Omitted: the stored password is kept. */
  password: z.string().max(512).optional(),
  from: z.string().trim().min(3).max(320),
  bounceAddress: z.email().max(320).nullable().optional(),
});
/** The bounce hook URL (pipe DSNs to it) is shown once, when saved. */
export const EmailAccountSaved = EmailAccount.extend({
  bounceHookUrl: z.string(),
  bounceHookPath: z.string(),
});

/** A test send from the settings page: straight through the channel, not logged as a message. */
export const TestSendInput = z.object({
  channel: z.enum(['sms', 'email', 'webhook']),
  /** Phone (sms) or email address (email); the webhook goes to its endpoint. */
  to: z.string().trim().max(320).optional(),
});
export const TestSendResult = z.object({ ok: z.boolean(), error: z.string().nullable() });

/** Messages per day and status (the log page's chart). */
export const MessageStats = z.object({
  days: z.array(z.string()),
  series: z.array(z.object({ status: MessageStatus, counts: z.array(z.number()) })),
  byReason: z.array(z.object({ reason: SkipReason, count: z.number() })),
});

/** A template sent to every profile of a segment (each through the guards), with its progress. */
export const BulkSendInput = z.object({
  templateId: z.uuid(),
  segmentId: z.uuid(),
  purpose: ConsentPurpose,
  variables: z.record(z.string().max(64), z.string().max(1000)).optional(),
  idempotencyKey: z.string().trim().min(1).max(200),
});
export const BulkSend = z.object({
  id: z.string(),
  templateId: z.string(),
  segmentId: z.string(),
  purpose: ConsentPurpose,
  status: z.enum(['running', 'done']),
  total: z.number(),
  processed: z.number(),
  queued: z.number(),
  skipped: z.number(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
