import { z } from 'zod';
import { Script } from './scripts.ts';

/** The WeCom chat sidebar (聊天工具栏, issue 11, R5.3): what the staff member in a chat sees of that customer. */
export const SIDEBAR_PERMISSIONS = {
  /** Open the sidebar: contacts the caller follows in WeCom, or whose owner is in their data scope. */
  use: 'sidebar:use',
} as const;

const Money = z.object({ amount: z.number(), currency: z.string() }).nullable();

export const SidebarTag = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  group: z.string().nullable(),
});
export const SidebarTagChoice = z.object({
  tagId: z.string(),
  name: z.string(),
  group: z.string().nullable(),
});

export const SidebarTimelineItem = z.object({
  at: z.string(),
  kind: z.string(),
  object: z.string(),
  recordName: z.string().nullable(),
  action: z.string(),
  actor: z.string().nullable(),
});

export const SidebarContact = z.object({
  externalUserId: z.string(),
  corpRef: z.string(),
  /** The WeCom display name (what the chat shows anyway). */
  name: z.string().nullable(),
  /** The caller is one of the staff members who have this customer in WeCom. */
  following: z.boolean(),
  followers: z.array(z.object({ userid: z.string(), name: z.string().nullable(), you: z.boolean() })),
  addedAt: z.string(),
  /** Phones the staff noted in WeCom, always masked here. */
  remarkMobiles: z.array(z.string()),
  contactId: z.string().nullable(),
  leadId: z.string().nullable(),
  customer: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
  profile: z
    .object({
      id: z.string(),
      label: z.unknown(),
      traits: z.record(z.string(), z.unknown()),
      masked: z.array(z.string()),
      tags: z.array(SidebarTag),
      segments: z.array(z.object({ id: z.string(), name: z.string() })),
    })
    .nullable(),
  tagChoices: z.array(SidebarTagChoice),
  opportunities: z.array(
    z.object({ id: z.string(), name: z.string().nullable(), stage: z.string().nullable(), amount: Money }),
  ),
  orders: z.array(
    z.object({ id: z.string(), name: z.string().nullable(), status: z.string().nullable(), amount: Money }),
  ),
  timeline: z.array(SidebarTimelineItem),
});
export type SidebarContact = z.infer<typeof SidebarContact>;

export const SidebarTagInput = z.object({ tagId: z.uuid(), on: z.boolean() });

export const SidebarGroup = z.object({
  chatId: z.string(),
  name: z.string(),
  notice: z.string().nullable(),
  owner: z.object({ userid: z.string(), name: z.string().nullable(), you: z.boolean() }),
  /** The caller is the owner or a staff member in the group. */
  member: z.boolean(),
  createdAt: z.string().nullable(),
  counts: z.object({ staff: z.number().int(), customers: z.number().int(), linked: z.number().int() }),
  members: z.array(
    z.object({
      memberId: z.string(),
      kind: z.enum(['staff', 'external']),
      name: z.string().nullable(),
      joinedAt: z.string(),
      /** The member's customer profile in Kehu, when one is linked. */
      profileId: z.string().nullable(),
      customerId: z.string().nullable(),
    }),
  ),
});
export type SidebarGroup = z.infer<typeof SidebarGroup>;

/** Reply suggestions in the sidebar: scripts most like the customer's latest message to the caller. */
export const SidebarSuggestions = z.object({
  /** The customer's latest archived text to the caller (null: none archived, or no chat archive). */
  basedOn: z.object({ text: z.string(), at: z.string() }).nullable(),
  items: z.array(Script),
});
export type SidebarSuggestions = z.infer<typeof SidebarSuggestions>;
