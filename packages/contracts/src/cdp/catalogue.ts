import { z } from 'zod';
import { list, Timestamp } from '../common.ts';

/**
 * Words people read (issue 9 §3): the event catalogue gives events and their properties display
 * names per tenant. The standard Segment e-commerce spec is named out of the box; a tenant edits
 * any entry or names its own events. Page views, events and events from business systems (CRM)
 * are kept apart by `kind`.
 */

export const EVENT_KINDS = ['event', 'page', 'crm'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

const Label = z.string().trim().max(100);

/** A display name per language; either may be empty (then the other, then the event name shows). */
export const LocalLabel = z.object({ 'zh-CN': Label.optional(), 'en-US': Label.optional() });
export type LocalLabel = z.infer<typeof LocalLabel>;

export const CatalogueProperty = z.object({
  key: z.string(),
  label: LocalLabel,
  /** The label in the reader's language (the key when unnamed). */
  displayName: z.string(),
});
export type CatalogueProperty = z.infer<typeof CatalogueProperty>;

export const CatalogueEntry = z.object({
  /** The event name as sources send it. */
  name: z.string(),
  kind: z.enum(EVENT_KINDS),
  label: LocalLabel,
  /** The name in the reader's language (the event name when unnamed). */
  displayName: z.string(),
  description: z.string().nullable(),
  properties: z.array(CatalogueProperty),
  /** Named by the standard e-commerce spec (not by this tenant). */
  standard: z.boolean(),
  /** This tenant has its own entry (edited or added). */
  edited: z.boolean(),
  /** Received in the sampled recent events (90 days), and when last. */
  count: z.number().int(),
  lastAt: Timestamp.nullable(),
});
export type CatalogueEntry = z.infer<typeof CatalogueEntry>;

export const EventCatalogue = z.object({
  items: z.array(CatalogueEntry),
  /** Property names that hold for any event (the standard spec's), unless an entry names its own. */
  properties: z.array(CatalogueProperty),
});
export type EventCatalogue = z.infer<typeof EventCatalogue>;

export const CatalogueBody = z.object({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(EVENT_KINDS).optional(),
  label: LocalLabel,
  description: z.string().trim().max(500).nullish(),
  /** Property key → display names. */
  properties: z
    .record(z.string().trim().min(1).max(100), LocalLabel)
    .refine((r) => Object.keys(r).length <= 100, { message: 'at most 100 properties' })
    .optional(),
});
export type CatalogueBody = z.infer<typeof CatalogueBody>;

export const CatalogueNameQuery = z.object({ name: z.string().min(1).max(200) });
export type CatalogueNameQuery = z.infer<typeof CatalogueNameQuery>;

/** Events per bucket (day or hour) and message type, for a source's volume chart. */
export const SourceVolumeQuery = z.object({
  by: z.enum(['day', 'hour']).default('day'),
});
export type SourceVolumeQuery = z.input<typeof SourceVolumeQuery>;
export const SourceVolume = z.object({
  by: z.enum(['day', 'hour']),
  items: z.array(z.object({ bucket: Timestamp, type: z.string(), n: z.number().int() })),
});
export type SourceVolume = z.infer<typeof SourceVolume>;

/** Subjects carrying a tag per day. */
export const TagHistory = list(z.object({ day: z.string(), members: z.number().int() }));
export type TagHistory = z.infer<typeof TagHistory>;
