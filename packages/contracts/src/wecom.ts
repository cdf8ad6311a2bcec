import { z } from 'zod';
import { Id, list, Timestamp } from './common.ts';

/**
 * WeCom (企业微信) connection (issue 10, R5.1, R5.7): corps bound per unit, staff mapping,
 * channel codes (渠道活码) and external contacts. Routes under /api/v1/wecom. Callbacks from WeCom
 * arrive outside the API at /wecom/callback/:corpKey (WeCom's own protocol).
 */
export const WECOM_PERMISSIONS = {
  /** See corps (never their secrets), staff, channel codes with their figures, external contacts. */
  read: 'wecom:read',
  /** Bind corps, map staff, create/edit/delete channel codes, run syncs. */
  manage: 'wecom:manage',
} as const;

/** Lead channels a channel code may attribute to (options of the lead's `channel` field). */
export const CODE_CHANNELS = [
  'wecom',
  'exhibition',
  'ad',
  'referral',
  'walk_in',
  'call_center',
  'other',
] as const;

/** WeCom caps a contact way's `state` at 30 characters; Kehu keeps it to URL-safe text. */
export const STATE_PATTERN = /^[A-Za-z0-9_.-]{1,30}$/;

// ------------------------------------------------------------------ corps

const secret = z.string().trim().min(1).max(200);
export const CorpInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    unitId: z.uuid(),
    corpId: z.string().trim().min(1).max(64),
    agentId: z.number().int().min(0).nullable().optional(),
    /** WeCom's API host (default https://qyapi.weixin.qq.com); passes the outbound guard. */
    baseUrl: z.string().trim().max(300).optional(),
    contactSecret: secret,
    appSecret: secret.nullable().optional(),
    /** Omitted: Kehu generates the callback token and EncodingAESKey and shows them once. */
    callbackToken: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9]{1,32}$/)
      .optional(),
    encodingAESKey: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9]{43}$/)
      .optional(),
  })
  .strict();
export type CorpInput = z.infer<typeof CorpInput>;

export const CorpPatch = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    agentId: z.number().int().min(0).nullable().optional(),
    baseUrl: z.string().trim().max(300).optional(),
    contactSecret: secret.optional(),
    appSecret: secret.nullable().optional(),
  })
  .strict();
export type CorpPatch = z.infer<typeof CorpPatch>;

/** A corp as every response shows it: which secrets are set, never what they are. */
export const Corp = z.object({
  id: Id,
  name: z.string(),
  unitId: Id,
  unitName: z.string().nullable(),
  corpId: z.string(),
  agentId: z.number().int().nullable(),
  baseUrl: z.string(),
  /** Path to enter in WeCom's admin console as the callback URL (after the public origin). */
  callbackPath: z.string(),
  secretsSet: z.object({ contactSecret: z.boolean(), appSecret: z.boolean() }),
  createdAt: Timestamp,
});
export type Corp = z.infer<typeof Corp>;
export const CorpList = list(Corp);
export type CorpList = z.infer<typeof CorpList>;
/** The create response: the generated callback token and EncodingAESKey, this once. */
export const CreatedCorp = Corp.extend({
  callbackToken: z.string().nullable(),
  encodingAESKey: z.string().nullable(),
});
export type CreatedCorp = z.infer<typeof CreatedCorp>;

// ------------------------------------------------------------------ staff

export const Staff = z.object({
  userid: z.string(),
  name: z.string(),
  userId: Id.nullable(),
  userName: z.string().nullable(),
  mappedBy: z.enum(['mobile', 'login', 'manual']).nullable(),
  active: z.boolean(),
});
export type Staff = z.infer<typeof Staff>;
export const StaffList = list(Staff);
export type StaffList = z.infer<typeof StaffList>;
export const StaffMapping = z.object({ userId: z.uuid().nullable() }).strict();
export type StaffMapping = z.infer<typeof StaffMapping>;
export const ReconcileQueued = z.object({ queued: z.literal(true), jobId: Id });
export type ReconcileQueued = z.infer<typeof ReconcileQueued>;
export const SyncResult = z.object({ staff: z.number().int(), mapped: z.number().int() });
export type SyncResult = z.infer<typeof SyncResult>;

// ------------------------------------------------------------------ channel codes

export const ChannelCodeInput = z
  .object({
    corpRef: z.uuid(),
    name: z.string().trim().min(1).max(100),
    /** `state` of the contact way: comes back with every add and names the channel. */
    state: z.string().trim().regex(STATE_PATTERN),
    /** The lead channel written on leads from this code; the state becomes their campaign. */
    channel: z.enum(CODE_CHANNELS).optional(),
    staff: z.array(z.string().min(1).max(64)).min(1).max(100),
    /** Adds per staff member per day before the code rotates them out (Kehu-side). */
    dailyCap: z.number().int().min(1).max(100_000).nullable().optional(),
    skipVerify: z.boolean().optional(),
    tags: z.array(z.string().trim().min(1).max(60)).max(20).optional(),
    welcomeText: z.string().max(4000).nullable().optional(),
    /** Materials sent with the welcome message (WeCom: at most 9 attachments). */
    welcomeAttachments: z.array(z.uuid()).max(9).optional(),
  })
  .strict();
export type ChannelCodeInput = z.infer<typeof ChannelCodeInput>;
export const ChannelCodePatch = ChannelCodeInput.omit({ corpRef: true, state: true }).partial().strict();
export type ChannelCodePatch = z.infer<typeof ChannelCodePatch>;

export const ChannelCode = z.object({
  id: Id,
  corpRef: Id,
  name: z.string(),
  state: z.string(),
  channel: z.string(),
  configId: z.string().nullable(),
  qrCode: z.string().nullable(),
  staff: z.array(z.string()),
  dailyCap: z.number().int().nullable(),
  skipVerify: z.boolean(),
  tags: z.array(z.string()),
  welcomeText: z.string().nullable(),
  welcomeAttachments: z.array(z.object({ materialId: Id, kind: z.string(), title: z.string() })),
  addsToday: z.number().int(),
  addsTotal: z.number().int(),
  createdAt: Timestamp,
});
export type ChannelCode = z.infer<typeof ChannelCode>;
export const ChannelCodeList = list(ChannelCode);
export type ChannelCodeList = z.infer<typeof ChannelCodeList>;
export const ChannelCodeStats = z.object({
  days: z.array(z.object({ day: z.string(), adds: z.number().int(), losses: z.number().int() })),
  byStaff: z.array(z.object({ userid: z.string(), adds: z.number().int() })),
});
export type ChannelCodeStats = z.infer<typeof ChannelCodeStats>;
export const StatsQuery = z.object({ days: z.coerce.number().int().min(1).max(90).optional() });

// ------------------------------------------------------------------ external contacts

export const ExternalContact = z.object({
  corpRef: Id,
  externalUserid: z.string(),
  userid: z.string(),
  staffName: z.string().nullable(),
  name: z.string().nullable(),
  state: z.string().nullable(),
  codeName: z.string().nullable(),
  tags: z.array(z.string()),
  contactId: Id.nullable(),
  leadId: Id.nullable(),
  profileId: Id.nullable(),
  status: z.enum(['active', 'lost', 'deleted']),
  addedAt: Timestamp,
  lostAt: Timestamp.nullable(),
});
export type ExternalContact = z.infer<typeof ExternalContact>;
export const ExternalContactList = list(ExternalContact);
export type ExternalContactList = z.infer<typeof ExternalContactList>;
export const ExternalContactsQuery = z.object({
  corpRef: z.uuid().optional(),
  status: z.enum(['active', 'lost', 'deleted']).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
export type ExternalContactsQuery = z.infer<typeof ExternalContactsQuery>;

// ------------------------------------------------------------------ transfers (在职/离职继承)

export const TransferInput = z
  .object({
    corpRef: z.uuid(),
    kind: z.enum(['onjob', 'resigned']),
    handoverUserid: z.string().min(1).max(64),
    takeoverUserid: z.string().min(1).max(64),
    /** Omitted: all the handover's customers (resigned: those WeCom lists as unassigned). */
    externalUserids: z.array(z.string().min(1).max(64)).max(10_000).optional(),
    /** 在职继承: the message WeCom sends the customer (≤ 200 characters). */
    message: z.string().max(200).optional(),
  })
  .strict();
export type TransferInput = z.infer<typeof TransferInput>;
export const TransferStarted = z.object({
  started: z.number().int(),
  refused: z.array(
    z.object({ externalUserid: z.string(), errcode: z.number().int(), reason: z.string().optional() }),
  ),
});
export type TransferStarted = z.infer<typeof TransferStarted>;
export const Transfer = z.object({
  id: Id,
  kind: z.enum(['onjob', 'resigned']),
  handoverUserid: z.string(),
  takeoverUserid: z.string(),
  externalUserid: z.string(),
  name: z.string().nullable(),
  /** WeCom's status: 1 done, 2 under way, 3 refused by the customer, 4 takeover full; 0 refused at start. */
  status: z.number().int(),
  errcode: z.number().int(),
  /** From `transfer_fail`: customer_refused or customer_limit_exceed. */
  failReason: z.string().nullable().optional(),
  createdAt: Timestamp,
  completedAt: Timestamp.nullable(),
});
export type Transfer = z.infer<typeof Transfer>;
export const TransferList = list(Transfer);
export type TransferList = z.infer<typeof TransferList>;
export const Unassigned = list(
  z.object({ handoverUserid: z.string(), externalUserid: z.string(), name: z.string().nullable() }),
);
export type Unassigned = z.infer<typeof Unassigned>;
export const PollResult = z.object({ completed: z.number().int() });

// ------------------------------------------------------------------ corp tags (企业客户标签)

/** A WeCom corp tag group and its tags, with the CDP manual tags they map to. */
export const CorpTagGroup = z.object({
  groupId: z.string(),
  name: z.string(),
  cdpGroupId: Id.nullable(),
  tags: z.array(z.object({ tagId: z.string(), name: z.string(), cdpTagId: Id.nullable() })),
});
export type CorpTagGroup = z.infer<typeof CorpTagGroup>;
export const CorpTagList = list(CorpTagGroup);
export type CorpTagList = z.infer<typeof CorpTagList>;
export const TagSyncResult = z.object({
  groups: z.number().int(),
  tags: z.number().int(),
  removed: z.number().int(),
});
export type TagSyncResult = z.infer<typeof TagSyncResult>;
/** Tags to apply to / remove from a customer, by WeCom tag id (both sides are written). */
export const ContactTagsInput = z
  .object({
    add: z.array(z.string().min(1).max(64)).max(100).default([]),
    remove: z.array(z.string().min(1).max(64)).max(100).default([]),
  })
  .strict();
export type ContactTagsInput = z.infer<typeof ContactTagsInput>;
export const ContactTags = z.object({ externalUserid: z.string(), tagIds: z.array(z.string()) });
export type ContactTags = z.infer<typeof ContactTags>;
