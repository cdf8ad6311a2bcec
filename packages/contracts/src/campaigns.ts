import { z } from 'zod';
import { Id, list, Timestamp } from './common.ts';

/**
 * 市场活动 (issue 12): an activity (展会, 到店活动, 直播, 品鉴会) with period, budget and cost
 * lines; a public phone-first registration page with configurable fields and a consent
 * checkbox per purpose; check-in by QR; tracked channel links with UTM; a report from
 * registrations to orders and ROI. Money in minor units (分).
 */

export const CAMPAIGNS_PERMISSIONS = {
  read: 'campaigns:read',
  manage: 'campaigns:manage',
  /** Staff at the venue: check attendees in. */
  checkIn: 'campaigns:check_in',
} as const;

export const CAMPAIGN_KINDS = ['expo', 'store_event', 'live', 'tasting'] as const;
export const CAMPAIGN_STATUSES = ['draft', 'published', 'ended'] as const;
/** Fields a registration form may ask for besides the phone (always asked). */
export const FORM_FIELDS = ['name', 'email', 'company', 'city', 'note'] as const;
export const CONSENT_PURPOSES = ['marketing', 'service'] as const;

const Minor = z.number().int().min(0).max(1_000_000_000_00);

export const FormField = z
  .object({
    key: z.enum(FORM_FIELDS),
    label: z.string().trim().min(1).max(40),
    required: z.boolean().default(false),
  })
  .strict();

export const CampaignInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    kind: z.enum(CAMPAIGN_KINDS),
    description: z.string().trim().max(2000).optional(),
    startsAt: z.iso.datetime({ offset: true }),
    endsAt: z.iso.datetime({ offset: true }),
    budgetMinor: Minor.default(0),
    venue: z.string().trim().max(200).optional(),
    /** Default: the caller; must be in the caller's units. */
    ownerId: z.uuid().optional(),
    unitId: z.uuid().optional(),
    formFields: z.array(FormField).max(FORM_FIELDS.length).default([]),
    /** A consent checkbox per purpose on the form, recorded in the CDP consent ledger. */
    consentPurposes: z.array(z.enum(CONSENT_PURPOSES)).max(2).default(['marketing']),
    /** A coupon template issued to each registrant. */
    couponTemplateId: z.uuid().nullable().optional(),
    /** A journey this campaign starts (the journeys module listens to campaign.registered). */
    journeyId: z.uuid().nullable().optional(),
    status: z.enum(CAMPAIGN_STATUSES).default('draft'),
  })
  .strict();
export type CampaignInput = z.input<typeof CampaignInput>;

export const CampaignPatch = CampaignInput.partial().strict();
export type CampaignPatch = z.infer<typeof CampaignPatch>;

export const Campaign = z.object({
  id: Id,
  name: z.string(),
  kind: z.enum(CAMPAIGN_KINDS),
  description: z.string().nullable(),
  startsAt: Timestamp,
  endsAt: Timestamp,
  budgetMinor: z.number(),
  costMinor: z.number(),
  venue: z.string().nullable(),
  ownerId: z.string(),
  ownerName: z.string().nullable(),
  unitId: z.string(),
  unitName: z.string().nullable(),
  formFields: z.array(z.object({ key: z.string(), label: z.string(), required: z.boolean() })),
  consentPurposes: z.array(z.string()),
  couponTemplateId: z.string().nullable(),
  journeyId: z.string().nullable(),
  status: z.enum(CAMPAIGN_STATUSES),
  /** The public registration page. */
  registrationUrl: z.string(),
  registrations: z.number(),
  checkedIn: z.number(),
  canManage: z.boolean(),
  createdAt: Timestamp,
});
export type Campaign = z.infer<typeof Campaign>;
export const CampaignList = list(Campaign);

export const CostInput = z
  .object({
    item: z.string().trim().min(1).max(100),
    amountMinor: Minor,
    spentOn: z.iso.date().optional(),
  })
  .strict();
export const CostLine = z.object({
  id: Id,
  item: z.string(),
  amountMinor: z.number(),
  spentOn: z.string().nullable(),
  createdAt: Timestamp,
});
export const CostLines = list(CostLine);

export const LinkInput = z
  .object({
    utmSource: z.string().trim().min(1).max(60),
    utmMedium: z.string().trim().min(1).max(60),
    utmContent: z.string().trim().max(60).optional(),
  })
  .strict();
export const ChannelLink = z.object({
  id: Id,
  code: z.string(),
  shortUrl: z.string(),
  utmSource: z.string(),
  utmMedium: z.string(),
  utmCampaign: z.string(),
  utmContent: z.string().nullable(),
  clicks: z.number(),
  registrations: z.number(),
});
export const ChannelLinks = list(ChannelLink);

export const Registration = z.object({
  id: Id,
  /** Masked unless the caller may read contact phones in full. */
  phone: z.string(),
  name: z.string().nullable(),
  fields: z.record(z.string(), z.string()),
  utmSource: z.string().nullable(),
  leadId: z.string().nullable(),
  profileId: z.string().nullable(),
  couponId: z.string().nullable(),
  checkedInAt: Timestamp.nullable(),
  createdAt: Timestamp,
});
export const RegistrationList = list(Registration);

/** What the public form sends. */
export const PublicRegistration = z
  .object({
    phone: z
      .string()
      .trim()
      .regex(/^1[3-9]\d{9}$/),
    fields: z.partialRecord(z.enum(FORM_FIELDS), z.string().trim().max(200)).default({}),
    consents: z.array(z.enum(CONSENT_PURPOSES)).max(2).default([]),
    /** The channel link the visitor came through. */
    link: z.string().max(20).optional(),
  })
  .strict();

export const CheckInInput = z
  .object({
    /** The attendee's personal QR (its ticket token), or their phone. */
    ticket: z.string().trim().min(6).max(80).optional(),
    phone: z
      .string()
      .trim()
      .regex(/^1[3-9]\d{9}$/)
      .optional(),
  })
  .strict();

export const CampaignReport = z.object({
  campaignId: Id,
  registrations: z.number(),
  checkedIn: z.number(),
  leads: z.number(),
  opportunities: z.number(),
  orders: z.number(),
  revenueMinor: z.number(),
  costMinor: z.number(),
  budgetMinor: z.number(),
  costPerLeadMinor: z.number().nullable(),
  /** (revenue − cost) / cost; null without cost. */
  roi: z.number().nullable(),
  byChannel: z.array(z.object({ source: z.string(), registrations: z.number(), checkedIn: z.number() })),
  byDay: z.array(z.object({ day: z.string(), registrations: z.number() })),
});
export type CampaignReport = z.infer<typeof CampaignReport>;

/** Attribution models (issue 12): how a paid order's revenue is shared among its touches. */
export const ATTRIBUTION_MODELS = ['first_touch', 'last_touch', 'linear', 'position'] as const;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];

export const AttributionQuery = z
  .object({
    model: z.enum(ATTRIBUTION_MODELS).default('last_touch'),
    /** Touches count for orders paid within this many days after them. */
    windowDays: z.coerce.number().int().min(1).max(365).default(30),
    /** Orders of this period (default: the last 90 days). */
    from: z.iso.date().optional(),
    to: z.iso.date().optional(),
    campaignId: Id.optional(),
  })
  .strict();
export type AttributionQuery = z.input<typeof AttributionQuery>;

export const TOUCH_KINDS = ['utm_event', 'registration', 'link', 'coupon', 'journey_send'] as const;

export const AttributionRow = z.object({
  campaignId: Id,
  campaignName: z.string(),
  /** utm_source of the touch (a link's, an event's), or the touch kind (coupon, journey …). */
  channel: z.string(),
  touches: z.number(),
  /** Orders credited (fractions under linear / position-based). */
  orders: z.number(),
  revenueMinor: z.number(),
});
export const Attribution = z.object({
  model: z.enum(ATTRIBUTION_MODELS),
  windowDays: z.number(),
  from: z.string(),
  to: z.string(),
  rows: z.array(AttributionRow),
  campaigns: z.array(
    z.object({
      campaignId: Id,
      campaignName: z.string(),
      revenueMinor: z.number(),
      orders: z.number(),
      costMinor: z.number(),
      /** (attributed revenue − cost) / cost; null without cost. */
      roi: z.number().nullable(),
    }),
  ),
  /** Paid orders in the period with at least one touch, and their revenue. */
  ordersTouched: z.number(),
  revenueTouchedMinor: z.number(),
});
export type Attribution = z.infer<typeof Attribution>;

/** The campaign funnel with the 潜客 stage (R11.1): contact info, no lead yet. */
export const CampaignFunnel = z.object({
  stages: z.array(z.object({ key: z.enum(['prospect', 'lead', 'opportunity', 'order']), count: z.number() })),
  /** 潜客 who have no lead yet (a visitor with contact details nobody followed up). */
  prospectsWithoutLead: z.number(),
});
export type CampaignFunnel = z.infer<typeof CampaignFunnel>;
