import { z } from 'zod';
import { Id, list, Timestamp } from '../common.ts';

/** Event sources (R1.1): write keys shown once, rotation, the live debugger. */

export const SOURCE_KINDS = ['web', 'server', 'app', 'miniprogram', 'pos', 'import'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const SourceBody = z.object({ name: z.string().min(1).max(100), kind: z.enum(SOURCE_KINDS) });
export type SourceBody = z.infer<typeof SourceBody>;

export const SourcePatch = z.object({
  name: z.string().min(1).max(100).optional(),
  enabled: z.boolean().optional(),
});
export type SourcePatch = z.infer<typeof SourcePatch>;

export const SourceDebugQuery = z.object({ since: z.coerce.number().int().min(0).optional() });
export type SourceDebugQuery = z.infer<typeof SourceDebugQuery>;

export const Source = z.object({
  id: Id,
  name: z.string(),
  kind: z.enum(SOURCE_KINDS),
  /** The first characters of the write key, to tell keys apart. */
  keyPrefix: z.string(),
  enabled: z.boolean(),
  createdAt: Timestamp,
  lastEventAt: Timestamp.nullable(),
});
export type Source = z.infer<typeof Source>;

export const SourceList = list(Source);
export type SourceList = z.infer<typeof SourceList>;

/** A source just created or given a new key: the only time the write key is shown. */
export const SourceWithKey = Source.extend({ writeKey: z.string() });
export type SourceWithKey = z.infer<typeof SourceWithKey>;

export const SourceDebugEvent = z.object({
  id: Id,
  type: z.string(),
  event: z.string().nullable(),
  messageId: z.string(),
  userId: z.string().nullable(),
  anonymousId: z.string().nullable(),
  timestamp: Timestamp,
  receivedAt: Timestamp,
  /** The message as the source sent it (Segment spec: open). */
  raw: z.record(z.string(), z.unknown()),
});
export type SourceDebugEvent = z.infer<typeof SourceDebugEvent>;

export const SourceDebugError = z.object({
  seq: z.number().int(),
  at: Timestamp,
  type: z.string().nullable(),
  messageId: z.string().nullable(),
  reason: z.string().nullable(),
  /** What was rejected, as received (any JSON). */
  payload: z.unknown(),
});
export type SourceDebugError = z.infer<typeof SourceDebugError>;

export const SourceDebug = z.object({
  events: z.array(SourceDebugEvent),
  errors: z.array(SourceDebugError),
});
export type SourceDebug = z.infer<typeof SourceDebug>;
