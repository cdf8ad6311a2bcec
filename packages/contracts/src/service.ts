import { z } from 'zod';
import { Id, list, page, Timestamp } from './common.ts';

/**
 * 服务 (issue 13): tickets (工单) from every channel, categories with their own form fields, SLA
 * policies measured in business time (a per-tenant calendar with China's holidays and adjusted
 * working days), assignment by skill, unit and load, and the knowledge base with public help pages.
 */

export const SERVICE_PERMISSIONS = {
  /** See tickets of your units (and those assigned to you), the knowledge base. */
  read: 'service:read',
  /** File tickets, reply, write notes, change status, reassign, merge and split. */
  handle: 'service:handle',
  /** Categories, SLA policies, the business calendar, agent skills. */
  manage: 'service:manage',
  /** Write and publish knowledge-base articles. */
  kb: 'service:kb',
} as const;

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];
export const TICKET_CHANNELS = [
  'form',
  'sidebar',
  'phone',
  'email',
  'api',
  'card_page',
  'survey',
  'predictive',
  'field',
] as const;
export type TicketChannel = (typeof TICKET_CHANNELS)[number];
export const TICKET_KINDS = ['request', 'complaint'] as const;
export const TICKET_STATUSES = [
  'new',
  'assigned',
  'in_progress',
  'waiting_customer',
  'resolved',
  'closed',
  'reopened',
  'merged',
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
/** Statuses a person moves a ticket to (merged comes from a merge, reopened from a reopen). */
export const TICKET_TRANSITIONS: Record<TicketStatus, TicketStatus[]> = {
  new: ['assigned', 'in_progress'],
  assigned: ['in_progress', 'waiting_customer', 'resolved'],
  in_progress: ['waiting_customer', 'resolved'],
  waiting_customer: ['in_progress', 'resolved'],
  resolved: ['closed', 'in_progress'],
  closed: [],
  reopened: ['assigned', 'in_progress'],
  merged: [],
};
export const OPEN_STATUSES: TicketStatus[] = [
  'new',
  'assigned',
  'in_progress',
  'waiting_customer',
  'reopened',
];
export const MESSAGE_KINDS = ['reply', 'note', 'customer'] as const;
export const FIELD_TYPES = ['text', 'number', 'date', 'select', 'boolean'] as const;

const Key = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9_]{0,39}$/);

export const CategoryField = z.object({
  key: Key,
  label: z.string().trim().min(1).max(40),
  type: z.enum(FIELD_TYPES),
  required: z.boolean().default(false),
  options: z.array(z.string().trim().min(1).max(40)).max(50).optional(),
});
export type CategoryField = z.infer<typeof CategoryField>;

export const CategoryInput = z.object({
  key: Key,
  name: z.string().trim().min(1).max(40),
  nameEn: z.string().trim().max(60).optional(),
  fields: z.array(CategoryField).max(20).default([]),
  sort: z.number().int().min(0).max(999).default(0),
  active: z.boolean().default(true),
});
export const CategoryPatch = CategoryInput.omit({ key: true })
  .partial()
  .extend({ version: z.number().int() });
export const Category = z.object({
  id: Id,
  key: z.string(),
  name: z.string(),
  nameEn: z.string().nullable(),
  fields: z.array(CategoryField),
  sort: z.number(),
  active: z.boolean(),
  version: z.number(),
});
export type Category = z.infer<typeof Category>;
export const CategoryList = list(Category);

export const SlaPolicyInput = z.object({
  categoryKey: Key.nullable().default(null),
  priority: z.enum(TICKET_PRIORITIES),
  tier: z.string().trim().min(1).max(40).nullable().default(null),
  firstResponseMinutes: z.number().int().min(1).max(525_600),
  resolutionMinutes: z.number().int().min(1).max(525_600),
});
export const SlaPolicy = z.object({
  id: Id,
  categoryKey: z.string().nullable(),
  priority: z.enum(TICKET_PRIORITIES),
  tier: z.string().nullable(),
  firstResponseMinutes: z.number(),
  resolutionMinutes: z.number(),
  version: z.number(),
});
export type SlaPolicy = z.infer<typeof SlaPolicy>;
export const SlaPolicyList = list(SlaPolicy);
/** Member tiers an SLA policy can target (from loyalty through service's `ticket-customer-tier` point). */
export const SlaTier = z.object({ key: z.string(), name: z.string(), program: z.string(), rank: z.number() });
export type SlaTier = z.infer<typeof SlaTier>;
export const SlaTierList = list(SlaTier);

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/);
export const CalendarDay = z.object({
  day: Day,
  kind: z.enum(['holiday', 'workday']),
  name: z.string().trim().min(1).max(40),
});
export const Calendar = z.object({
  utcOffsetMinutes: z.number().int().min(-720).max(840),
  dayStart: HHMM,
  dayEnd: HHMM,
  weekdays: z.array(z.number().int().min(1).max(7)).max(7),
  days: z.array(CalendarDay).max(1000),
  version: z.number().int(),
  /** False until the tenant saves its own: the default (China, 9:00–18:00) is in use. */
  saved: z.boolean(),
});
export type Calendar = z.infer<typeof Calendar>;
export const CalendarInput = Calendar.omit({ saved: true });

export const Link = z.object({
  object: z.string().trim().min(1).max(40),
  recordId: z.string().trim().min(1).max(80),
});

export const TicketInput = z.object({
  subject: z.string().trim().min(1).max(200),
  description: z.string().trim().max(10_000).default(''),
  categoryKey: Key,
  priority: z.enum(TICKET_PRIORITIES).default('normal'),
  channel: z.enum(TICKET_CHANNELS).default('form'),
  kind: z.enum(TICKET_KINDS).default('request'),
  contactId: z.uuid().optional(),
  profileId: z.uuid().optional(),
  unitId: z.uuid().optional(),
  links: z.array(Link).max(20).optional(),
  /** The category's own fields, validated against its definition. */
  form: z.record(z.string(), z.unknown()).optional(),
  idempotencyKey: z.string().trim().min(1).max(100).optional(),
});
export type TicketInput = z.infer<typeof TicketInput>;
/** A ticket from the WeCom chat sidebar: the person is the chat's (channel `sidebar`). */
export const SidebarTicketInput = TicketInput.pick({
  subject: true,
  description: true,
  categoryKey: true,
  priority: true,
  form: true,
  idempotencyKey: true,
});
export type SidebarTicketInput = z.infer<typeof SidebarTicketInput>;

export const SlaClock = z.object({
  target: z.enum(['first_response', 'resolution']),
  dueAt: Timestamp.nullable(),
  /** Business minutes left (negative: overdue); null when met or not measured. */
  minutesLeft: z.number().nullable(),
  state: z.enum(['running', 'paused', 'met', 'breached', 'warning', 'none']),
  metAt: Timestamp.nullable(),
});
export type SlaClock = z.infer<typeof SlaClock>;

export const TicketSummary = z.object({
  id: Id,
  number: z.string(),
  subject: z.string(),
  categoryKey: z.string(),
  categoryName: z.string().nullable(),
  priority: z.enum(TICKET_PRIORITIES),
  channel: z.enum(TICKET_CHANNELS),
  kind: z.enum(TICKET_KINDS),
  status: z.enum(TICKET_STATUSES),
  unitId: Id,
  unitName: z.string().nullable(),
  assigneeId: Id.nullable(),
  assigneeName: z.string().nullable(),
  contactId: Id.nullable(),
  contactName: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  /** The clock that matters now (first response until met, then resolution). */
  sla: SlaClock,
});
export type TicketSummary = z.infer<typeof TicketSummary>;
export const TicketPage = page(TicketSummary);

export const TicketsQuery = z.object({
  status: z.string().max(200).optional(),
  priority: z.enum(TICKET_PRIORITIES).optional(),
  categoryKey: z.string().max(40).optional(),
  assignee: z.union([z.literal('me'), z.literal('none'), z.uuid()]).optional(),
  q: z.string().trim().max(100).optional(),
  breached: z.enum(['true', 'false']).optional(),
  contactId: z.uuid().optional(),
  profileId: z.uuid().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const TicketMessage = z.object({
  id: Id,
  kind: z.enum(MESSAGE_KINDS),
  body: z.string(),
  authorId: Id.nullable(),
  authorName: z.string().nullable(),
  fromTicketId: Id.nullable(),
  createdAt: Timestamp,
  attachments: z.array(z.object({ id: Id, fileName: z.string(), mime: z.string(), size: z.number() })),
});
export const TicketEvent = z.object({
  id: Id,
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
  actorId: Id.nullable(),
  actorName: z.string().nullable(),
  at: Timestamp,
});
export const TicketDetail = TicketSummary.extend({
  description: z.string(),
  form: z.record(z.string(), z.unknown()),
  profileId: Id.nullable(),
  customerId: Id.nullable(),
  mergedInto: Id.nullable(),
  splitFrom: Id.nullable(),
  reopenCount: z.number(),
  closedAt: Timestamp.nullable(),
  resolvedAt: Timestamp.nullable(),
  version: z.number(),
  clocks: z.array(SlaClock),
  links: z.array(Link.extend({ label: z.string().nullable() })),
  messages: z.array(TicketMessage),
  events: z.array(TicketEvent),
  categoryFields: z.array(CategoryField),
  /** Status changes the caller may make now. */
  next: z.array(z.enum(TICKET_STATUSES)),
  canHandle: z.boolean(),
});
export type TicketDetail = z.infer<typeof TicketDetail>;

export const TicketPatch = z.object({
  version: z.number().int(),
  status: z.enum(TICKET_STATUSES).optional(),
  priority: z.enum(TICKET_PRIORITIES).optional(),
  assigneeId: z.uuid().nullable().optional(),
  subject: z.string().trim().min(1).max(200).optional(),
  categoryKey: Key.optional(),
  form: z.record(z.string(), z.unknown()).optional(),
});
export const MessageInput = z.object({
  kind: z.enum(['reply', 'note', 'customer']),
  body: z.string().trim().min(1).max(20_000),
  attachmentIds: z.array(z.uuid()).max(10).optional(),
  idempotencyKey: z.string().trim().min(1).max(100).optional(),
});
export const AttachmentInput = z.object({
  fileName: z.string().trim().min(1).max(200),
  mime: z.string().trim().min(1).max(100),
  /** base64 of at most 5 MB */
  content: z.string().min(1).max(7_000_000),
});
export const Attachment = z.object({ id: Id, fileName: z.string(), mime: z.string(), size: z.number() });
export const MergeInput = z.object({
  intoTicketId: z.uuid(),
  version: z.number().int().min(0).max(2_147_483_647),
});
export const SplitInput = z.object({
  messageIds: z.array(z.uuid()).min(1).max(100),
  subject: z.string().trim().min(1).max(200),
  version: z.number().int(),
});
export const ReopenInput = z.object({
  asComplaint: z.boolean().default(false),
  reason: z.string().trim().min(1).max(500),
});
export const LinkInput = Link;

export const AgentSkill = z.object({
  userId: Id,
  userName: z.string(),
  unitName: z.string().nullable(),
  categoryKeys: z.array(z.string()),
  openTickets: z.number(),
});
export const AgentSkillList = list(AgentSkill);
export const AgentSkillInput = z.object({ categoryKeys: z.array(z.union([Key, z.literal('*')])).max(50) });

export const KbArticleInput = z.object({
  title: z.string().trim().min(1).max(200),
  category: z.string().trim().max(40).default(''),
  bodyHtml: z.string().max(200_000).default(''),
  status: z.enum(['draft', 'published']).default('draft'),
  public: z.boolean().default(false),
});
export const KbArticlePatch = KbArticleInput.partial().extend({ version: z.number().int() });
export const KbArticle = z.object({
  id: Id,
  title: z.string(),
  category: z.string(),
  bodyHtml: z.string(),
  excerpt: z.string(),
  status: z.enum(['draft', 'published']),
  public: z.boolean(),
  views: z.number(),
  version: z.number(),
  updatedAt: Timestamp,
});
export type KbArticle = z.infer<typeof KbArticle>;
export const KbArticleList = list(
  KbArticle.omit({ bodyHtml: true }).extend({ score: z.number().optional() }),
);
export const KbQuery = z.object({
  q: z.string().trim().max(200).optional(),
  status: z.enum(['draft', 'published']).optional(),
});

export const ServiceStats = z.object({
  open: z.number(),
  breached: z.number(),
  mine: z.number(),
  byStatus: z.array(z.object({ status: z.enum(TICKET_STATUSES), n: z.number() })),
  byCategory: z.array(z.object({ categoryKey: z.string(), name: z.string().nullable(), n: z.number() })),
});
