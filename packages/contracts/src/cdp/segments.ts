import { z } from 'zod';
import { Id, list, Timestamp } from '../common.ts';
import { PersonLabel } from './profiles.ts';
import { Rule } from './rule.ts';
import { SubjectObject } from './tags.ts';

/** Segments (R2.2, R2.3): definition, live preview, members, history, recompute. */

export const SEGMENT_PURPOSES = ['analytics', 'marketing', 'service'] as const;
export type SegmentPurpose = (typeof SEGMENT_PURPOSES)[number];

export const SegmentBody = z.object({
  /** A name of spaces is no name: trimmed, then required. */
  name: z.string().trim().min(1).max(200),
  description: z.string().max(1000).nullish(),
  object: SubjectObject.optional(),
  purpose: z.enum(SEGMENT_PURPOSES).optional(),
  rule: Rule,
});
export type SegmentBody = z.infer<typeof SegmentBody>;

/** The object a segment selects from stays. */
export const SegmentPatch = SegmentBody.omit({ object: true }).partial();
export type SegmentPatch = z.infer<typeof SegmentPatch>;

export const SegmentMembersQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });
export type SegmentMembersQuery = z.input<typeof SegmentMembersQuery>;

// ------------------------------------------------------------------ responses

export const Segment = z.object({
  id: Id,
  name: z.string(),
  description: z.string().nullable(),
  object: z.string(),
  purpose: z.enum(SEGMENT_PURPOSES),
  rule: Rule,
  ownerId: Id.nullable(),
  /** Members among the subjects the viewer may see. */
  memberCount: z.number().int(),
  computedAt: Timestamp.nullable(),
  createdAt: Timestamp,
});
export type Segment = z.infer<typeof Segment>;

export const SegmentList = list(Segment);
export type SegmentList = z.infer<typeof SegmentList>;

export const SegmentPreview = z.object({
  count: z.number().int(),
  /** What the segment selects from (profiles or the object's records), in the viewer's scope. */
  total: z.number().int(),
});
export type SegmentPreview = z.infer<typeof SegmentPreview>;

/** Entered and exited are tenant-wide figures: null for a viewer with a narrower data scope. */
export const SegmentRecompute = z.object({
  entered: z.number().int().nullable(),
  exited: z.number().int().nullable(),
  members: z.number().int(),
});
export type SegmentRecompute = z.infer<typeof SegmentRecompute>;

export const ProfileMember = z.object({
  id: Id,
  name: z.string().nullable(),
  /** How the member reads (name, else recognisable identity, else anonymous · source · first seen). */
  label: PersonLabel.optional(),
  /** Trait values as stored (masked unless the viewer may unmask); null when absent. */
  phone: z.json(),
  email: z.json(),
  enteredAt: Timestamp,
});
export const RecordMember = z.object({
  id: Id,
  name: z.string().nullable(),
  /** False when the record is outside what the viewer may read. */
  visible: z.boolean(),
  enteredAt: Timestamp,
});
/** Profile segments list people, record segments list records. */
export const SegmentMembers = z.union([list(RecordMember), list(ProfileMember)]);
export type SegmentMembers = z.infer<typeof SegmentMembers>;

export const SegmentDay = z.object({
  /** `YYYY-MM-DD`. */
  day: z.string(),
  entered: z.number().int(),
  exited: z.number().int(),
  members: z.number().int(),
});
export const SegmentHistory = list(SegmentDay);
export type SegmentHistory = z.infer<typeof SegmentHistory>;
