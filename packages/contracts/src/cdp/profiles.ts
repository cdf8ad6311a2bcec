import { z } from 'zod';
import { Id, list, Money, page, Timestamp } from '../common.ts';

/** Profiles (R1.3): the list, the 360 view and its timeline, One ID merges and rules, consents. */

const KEY = /^[a-z][a-z0-9_]{0,62}$/;
/** `true`/`false`/`1`/`0` in a query string. */
export const QueryBool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const ProfileListQuery = z.object({
  q: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
  segment: z.uuid().optional(),
  tag: z.union([z.uuid(), z.string().regex(KEY)]).optional(),
  linked: QueryBool.optional(),
  count: QueryBool.optional(),
});
export type ProfileListQuery = z.input<typeof ProfileListQuery>;

export const TIMELINE_KINDS = ['event', 'activity', 'stage', 'money', 'crm', 'service'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export const TimelineQuery = z.object({
  before: z.iso.datetime({ offset: true }).optional(),
  /** Comma-separated timeline kinds; unknown ones are ignored. */
  kinds: z
    .string()
    .regex(/^[a-z,]{1,100}$/)
    .optional()
    .transform((v) =>
      v ? (v.split(',').filter((k) => TIMELINE_KINDS.includes(k as never)) as TimelineKind[]) : undefined,
    ),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type TimelineQuery = z.input<typeof TimelineQuery>;

export const EventPropertiesQuery = z.object({ event: z.string().min(1).max(200) });
export type EventPropertiesQuery = z.infer<typeof EventPropertiesQuery>;

export const ConsentParams = z.object({ id: z.uuid(), purpose: z.string().regex(/^[a-zA-Z_]{1,60}$/) });
export const ConsentBody = z.object({ granted: z.boolean() });
export type ConsentBody = z.infer<typeof ConsentBody>;

export const MergeListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
  profile: z.uuid().optional(),
  split: QueryBool.optional(),
  count: QueryBool.optional(),
});
export type MergeListQuery = z.input<typeof MergeListQuery>;

export const IdentityRuleParams = z.object({ kind: z.string().regex(/^[a-z_]{1,40}$/) });
export const IdentityRuleBody = z.object({
  maxPerProfile: z.number().int().min(1).max(1000),
  priority: z.number().int().min(0).max(1000),
  blocked: z.array(z.string().max(200)).max(1000),
});
export type IdentityRuleBody = z.infer<typeof IdentityRuleBody>;

// ------------------------------------------------------------------ responses

/** Profile traits: whatever the sources identified the person with (personal ones masked). */
export const Traits = z.record(z.string(), z.unknown());
export type Traits = z.infer<typeof Traits>;

/** A count on request (`count=true`): exact up to 10,000, the planner's estimate above. */
const Total = {
  total: z.number().int().optional(),
  totalExact: z.boolean().optional(),
};

export const ProfileLink = z.object({
  object: z.string(),
  recordId: Id,
  /** False when the viewer's record scope does not include the linked record. */
  visible: z.boolean(),
  name: z.string().nullable(),
});
export type ProfileLink = z.infer<typeof ProfileLink>;

/**
 * How a person reads wherever people are listed (profiles, merges, segment members, the customer
 * page): the name (masked like the name trait), else the first identity people recognise (masked),
 * else an anonymous visitor "from <source> · <first seen>". Never a raw id.
 */
export const PersonLabel = z.object({
  /** Name, or a recognisable identity such as a masked phone; null for an anonymous visitor. */
  name: z.string().nullable(),
  /** True when the profile holds only anonymous ids (and no name). */
  anonymous: z.boolean(),
  /** The name of the event source the person first came from, when known. */
  source: z.string().nullable(),
  firstSeenAt: Timestamp.nullable(),
});
export type PersonLabel = z.infer<typeof PersonLabel>;

export const ProfileListItem = z.object({
  id: Id,
  name: z.string().nullable(),
  label: PersonLabel,
  traits: Traits,
  /** The first identities as `kind:value`, personal ones masked. */
  identities: z.array(z.string()),
  identityCount: z.number().int(),
  tagCount: z.number().int(),
  segmentCount: z.number().int(),
  links: z.array(ProfileLink),
  firstSeenAt: Timestamp,
  lastSeenAt: Timestamp,
});
export type ProfileListItem = z.infer<typeof ProfileListItem>;

export const ProfilePage = page(ProfileListItem).extend(Total);
export type ProfilePage = z.infer<typeof ProfilePage>;

export const Merge = z.object({
  id: Id,
  at: Timestamp,
  targetId: Id,
  sourceId: Id,
  /** Who the two profiles are (null when the profile no longer exists). */
  targetLabel: PersonLabel.nullable(),
  sourceLabel: PersonLabel.nullable(),
  reason: z.string(),
  evidence: z.object({
    /** The identity both profiles held (masked like any identity unless unmasked). */
    identity: z.object({ kind: z.string(), namespace: z.string(), value: z.string() }).nullable(),
    messageId: z.string().nullable(),
  }),
  splitAt: Timestamp.nullable(),
});
export type Merge = z.infer<typeof Merge>;

export const MergePage = page(Merge).extend(Total);
export type MergePage = z.infer<typeof MergePage>;

/** The two profiles a split leaves (the target's live root and the restored source). */
export const SplitResult = z.object({ target: Id, source: Id });
export type SplitResult = z.infer<typeof SplitResult>;

export const IdentityRule = z.object({
  kind: z.string(),
  maxPerProfile: z.number().int(),
  priority: z.number().int(),
  blocked: z.array(z.string()),
});
export type IdentityRule = z.infer<typeof IdentityRule>;
export const IdentityRuleList = list(IdentityRule);
export type IdentityRuleList = z.infer<typeof IdentityRuleList>;

export const EventName = z.object({
  name: z.string(),
  count: z.number().int(),
  lastAt: Timestamp,
  /** The catalogue's name for it in the reader's language (the event name when unnamed). */
  displayName: z.string().optional(),
  /** `event`, `page` (page or screen views) or `crm`. */
  kind: z.string().optional(),
});
export type EventName = z.infer<typeof EventName>;
export const EventNameList = list(EventName);
export type EventNameList = z.infer<typeof EventNameList>;

export const EventProperty = z.object({
  key: z.string(),
  /** The catalogue's name for it in the reader's language (the key when unnamed). */
  displayName: z.string().optional(),
  /** JSON types seen (`string`, `number` …). */
  types: z.array(z.string()),
  count: z.number().int(),
  examples: z.array(z.string()),
});
export type EventProperty = z.infer<typeof EventProperty>;
export const EventPropertyList = list(EventProperty);
export type EventPropertyList = z.infer<typeof EventPropertyList>;

/** A tag on a subject: when, by whom and why it was set. */
export const SubjectTag = z.object({
  id: Id,
  key: z.string(),
  name: z.string(),
  kind: z.string(),
  description: z.string().nullable(),
  groupName: z.string().nullable(),
  /** The tag's value on this subject (true, a score, a band …). */
  value: z.unknown(),
  setAt: Timestamp,
  setBy: Id.nullable(),
  setByName: z.string().nullable(),
  /** `manual`, the rule that matched, or a predicted tag's explanation worded for the reader. */
  reason: z.string(),
});
export type SubjectTag = z.infer<typeof SubjectTag>;

export const SubjectSegment = z.object({
  id: Id,
  name: z.string(),
  purpose: z.string(),
  enteredAt: Timestamp,
});
export type SubjectSegment = z.infer<typeof SubjectSegment>;

/** The tags and segments of one profile or record. */
export const SubjectTags = z.object({
  object: z.string(),
  id: Id,
  tags: z.array(SubjectTag),
  segments: z.array(SubjectSegment),
});
export type SubjectTags = z.infer<typeof SubjectTags>;

export const CrmLink = ProfileLink.extend({
  ownerId: Id.nullable(),
  ownerName: z.string().nullable(),
  linkedAt: Timestamp,
  /** The customer a linked contact belongs to (when the viewer may see it). */
  customerId: Id.nullable(),
  customerName: z.string().nullable(),
});
export type CrmLink = z.infer<typeof CrmLink>;

export const TimelineItem = z.object({
  /** Unique within a profile's timeline. */
  key: z.string(),
  kind: z.enum(TIMELINE_KINDS),
  at: Timestamp,
  /** Event name, or the CRM record's name. */
  title: z.string().nullable(),
  /** Segment message type (track, page…), or the CRM action / activity type. */
  type: z.string(),
  object: z.string().optional(),
  recordId: Id.optional(),
  actor: z.string().nullable().optional(),
  amount: Money.nullable().optional(),
  status: z.string().nullable().optional(),
  /** Stage and status changes: the audit entry's field changes. */
  changes: z
    .array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() }))
    .nullable()
    .optional(),
  /** Event properties (personal ones masked). */
  properties: z.record(z.string(), z.unknown()).optional(),
  /** Events: the catalogue's name in the reader's language (浏览商品 for Product Viewed). */
  displayName: z.string().optional(),
  /** Events: property key → its catalogue name in the reader's language, for named keys. */
  propertyNames: z.record(z.string(), z.string()).optional(),
  /** An approval decision's comment. */
  comment: z.string().nullable().optional(),
});
export type TimelineItem = z.infer<typeof TimelineItem>;

export const TimelinePage = z.object({
  items: z.array(TimelineItem),
  /** Pass as `before` for the next page; null at the end. */
  next: Timestamp.nullable(),
});
export type TimelinePage = z.infer<typeof TimelinePage>;

export const ProfileIdentity = z.object({
  id: Id,
  kind: z.string(),
  namespace: z.string().nullable(),
  value: z.string(),
  firstSeenAt: Timestamp,
});
export type ProfileIdentity = z.infer<typeof ProfileIdentity>;

export const Consent = z.object({
  purpose: z.string(),
  granted: z.boolean(),
  source: z.string().nullable(),
  at: Timestamp,
});
export type Consent = z.infer<typeof Consent>;

/** The 360 view: personal values masked unless it was asked for through unmask (audited). */
export const Profile360 = z.object({
  id: Id,
  /** The id asked for: a merged profile answers with its live one. */
  requestedId: Id,
  label: PersonLabel,
  traits: Traits,
  /** Paths of the masked values (`traits.phone` …). */
  _masked: z.array(z.string()),
  firstSeenAt: Timestamp,
  lastSeenAt: Timestamp,
  identities: z.array(ProfileIdentity),
  tags: z.array(SubjectTag),
  segments: z.array(SubjectSegment),
  consents: z.array(Consent),
  links: z.array(CrmLink),
  merges: z.array(Merge),
  timeline: z.array(TimelineItem),
  timelineNext: Timestamp.nullable(),
});
export type Profile360 = z.infer<typeof Profile360>;

/**
 * The CDP part of the one customer page: the live profiles linked to the customer (directly or
 * through one of its contacts the viewer may see), and the first one's 360 view (masked).
 */
export const CustomerProfiles = z.object({
  customerId: Id,
  profiles: z.array(z.object({ id: Id, label: PersonLabel, via: z.enum(['customer', 'contact']) })),
  profile: Profile360.nullable(),
});
export type CustomerProfiles = z.infer<typeof CustomerProfiles>;
