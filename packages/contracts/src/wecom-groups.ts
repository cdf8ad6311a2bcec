import { z } from 'zod';
import { Id, list, Timestamp } from './common.ts';

/**
 * WeCom customer groups (客户群) and staff activity (R11.3), issue 10. Routes under /api/v1/wecom.
 * Groups are scoped like their corp (unit tree); activity like every report (own / unit / tree).
 */
export const WECOM_ACTIVITY_PERMISSION = 'wecom:activity' as const;

export const GroupsQuery = z
  .object({
    corpRef: z.uuid().optional(),
    status: z.enum(['active', 'dismissed', 'all']).optional(),
  })
  .strict();
export type GroupsQuery = z.infer<typeof GroupsQuery>;

export const GroupSummary = z.object({
  id: Id,
  corpRef: Id,
  corpName: z.string(),
  chatId: z.string(),
  name: z.string(),
  ownerUserid: z.string(),
  ownerName: z.string().nullable(),
  /** The Kehu user the owner is mapped to. */
  ownerUserId: Id.nullable(),
  memberCount: z.number().int(),
  externalCount: z.number().int(),
  createdInWecom: Timestamp.nullable(),
  dismissedAt: Timestamp.nullable(),
});
export type GroupSummary = z.infer<typeof GroupSummary>;
export const GroupList = list(GroupSummary);
export type GroupList = z.infer<typeof GroupList>;

export const GroupMember = z.object({
  memberId: z.string(),
  kind: z.enum(['staff', 'external']),
  name: z.string().nullable(),
  /** 1 invited directly, 2 via a link, 3 via a QR code (WeCom's join_scene). */
  joinScene: z.number().int().nullable(),
  joinedAt: Timestamp,
  leftAt: Timestamp.nullable(),
  /** External members: their CRM contact and CDP profile when Kehu knows them. Staff: their user. */
  contactId: Id.nullable(),
  profileId: Id.nullable(),
  userId: Id.nullable(),
});
export type GroupMember = z.infer<typeof GroupMember>;

export const GroupDetail = GroupSummary.extend({
  notice: z.string().nullable(),
  members: z.array(GroupMember),
  /** Joins and leaves per day (Asia/Shanghai days), oldest first. */
  days: z.array(z.object({ day: z.string(), joins: z.number().int(), leaves: z.number().int() })),
});
export type GroupDetail = z.infer<typeof GroupDetail>;

export const GroupSyncResult = z.object({ groups: z.number().int(), dismissed: z.number().int() });
export type GroupSyncResult = z.infer<typeof GroupSyncResult>;

export const ActivityQuery = z
  .object({
    days: z.coerce.number().int().min(1).max(90).optional(),
    corpRef: z.uuid().optional(),
  })
  .strict();
export type ActivityQuery = z.infer<typeof ActivityQuery>;

export const ActivityRow = z.object({
  corpRef: Id,
  userid: z.string(),
  name: z.string(),
  userId: Id.nullable(),
  unitId: Id.nullable(),
  unitName: z.string().nullable(),
  day: z.string(),
  added: z.number().int(),
  /** The customer deleted the staff member (被删, del_follow_user). */
  deletedByCustomer: z.number().int(),
  /** The staff member removed the customer (del_external_contact). */
  lost: z.number().int(),
  /** Adds per channel code (channel → count); '' = no code. */
  byChannel: z.record(z.string(), z.number().int()),
  chats: z.number().int().nullable(),
  messages: z.number().int().nullable(),
  replyRate: z.number().nullable(),
  avgReplyMinutes: z.number().int().nullable(),
  groupTotal: z.number().int().nullable(),
  groupNewMembers: z.number().int().nullable(),
  groupMessages: z.number().int().nullable(),
});
export type ActivityRow = z.infer<typeof ActivityRow>;
export const ActivityReport = z.object({
  from: z.string(),
  to: z.string(),
  rows: z.array(ActivityRow),
  /** Per team (unit) per day: sums of the staff rows. */
  teams: z.array(
    z.object({
      unitId: Id.nullable(),
      unitName: z.string().nullable(),
      day: z.string(),
      added: z.number().int(),
      deletedByCustomer: z.number().int(),
      lost: z.number().int(),
      messages: z.number().int(),
    }),
  ),
});
export type ActivityReport = z.infer<typeof ActivityReport>;
export const ActivityPulled = z.object({ staff: z.number().int(), days: z.number().int() });
export type ActivityPulled = z.infer<typeof ActivityPulled>;
