import { z } from 'zod';

/** 会话内容存档 (apps/server/src/modules/chats): archive settings per corp, messages, rules, alerts, reply figures. */
export const CHATS_PERMISSIONS = {
  read: 'chats:read',
  manage: 'chats:manage',
} as const;

export const ArchiveSettingsInput = z.object({
  /** Where the Finance SDK sidecar listens (docs/modules/chat-archive-sidecar.md). */
  sidecarUrl: z.string().trim().url().max(500),
  /** The 会话内容存档 secret; omitted on a change that keeps the stored one. */
  archiveSecret: z.string().trim().min(8).max(200).optional(),
  /** Make a new RSA key pair (its public half goes into WeCom's console under the next version). */
  newKeys: z.boolean().optional(),
  enabled: z.boolean().optional(),
});
export type ArchiveSettingsInput = z.infer<typeof ArchiveSettingsInput>;

export const ArchiveSettings = z.object({
  corpRef: z.string(),
  sidecarUrl: z.string(),
  secretSet: z.boolean(),
  /** Paste into 管理工具 → 会话内容存档 → 消息加密公钥, with keyVersion as its version. */
  publicKey: z.string(),
  keyVersion: z.number().int(),
  enabled: z.boolean(),
  lastSeq: z.number(),
  lastPulledAt: z.string().nullable(),
  lastError: z.string().nullable(),
});
export type ArchiveSettings = z.infer<typeof ArchiveSettings>;

export const ChatRuleKind = z.enum(['sensitive', 'risky', 'auto_tag']);
export const ChatRuleInput = z.object({
  name: z.string().trim().min(1).max(60),
  kind: ChatRuleKind,
  keywords: z.array(z.string().trim().min(1).max(40)).min(1).max(100),
  appliesTo: z.enum(['staff', 'customer', 'both']).default('both'),
  /** For auto_tag: the customer-data tag set on the customer's profile. */
  tagId: z.string().uuid().nullable().optional(),
  enabled: z.boolean().default(true),
});
export type ChatRuleInput = z.infer<typeof ChatRuleInput>;
export const ChatRule = ChatRuleInput.extend({ id: z.string(), createdAt: z.string() });
export type ChatRule = z.infer<typeof ChatRule>;

export const ChatAlert = z.object({
  id: z.string(),
  ruleId: z.string(),
  ruleName: z.string(),
  kind: ChatRuleKind,
  keyword: z.string(),
  excerpt: z.string(),
  staffName: z.string().nullable(),
  customerName: z.string().nullable(),
  externalUserid: z.string().nullable(),
  msgtime: z.string(),
  status: z.enum(['open', 'closed']),
});
export type ChatAlert = z.infer<typeof ChatAlert>;

export const ChatMessage = z.object({
  msgid: z.string(),
  msgtime: z.string(),
  msgtype: z.string(),
  direction: z.enum(['in', 'out', 'other']),
  content: z.string().nullable(),
});
export const Conversation = z.object({
  corpRef: z.string(),
  staffUserid: z.string(),
  staffName: z.string().nullable(),
  externalUserid: z.string(),
  customerName: z.string().nullable(),
  profileId: z.string().nullable(),
  lastAt: z.string(),
  lastText: z.string().nullable(),
  messages: z.number().int(),
});
export type Conversation = z.infer<typeof Conversation>;

/** Per staff member over the period: how fast and how often they answer customers. */
export const ReplyFigures = z.object({
  staffUserid: z.string(),
  staffName: z.string().nullable(),
  /** Conversation-days in which the customer wrote. */
  asked: z.number().int(),
  /** …of which the staff member answered the same day. */
  replied: z.number().int(),
  replyRate: z.number().nullable(),
  /** Median minutes from the customer's first message of the day to the first answer. */
  firstReplyMinutes: z.number().nullable(),
});
export type ReplyFigures = z.infer<typeof ReplyFigures>;
