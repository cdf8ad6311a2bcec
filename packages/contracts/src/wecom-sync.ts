import { z } from 'zod';

/** Reconciliation with WeCom (issue 10, reliability): how a corp's customers and groups were last synced. */
export const SyncMode = z.enum(['full', 'light']);
export type SyncMode = z.infer<typeof SyncMode>;

export const SyncRequest = z.object({ mode: SyncMode.default('full') }).strict();
export type SyncRequest = z.infer<typeof SyncRequest>;

export const SyncRun = z.object({
  id: z.string(),
  mode: SyncMode,
  trigger: z.enum(['scheduled', 'manual', 'bound']),
  status: z.enum(['running', 'ok', 'failed']),
  staffTotal: z.number().int(),
  staffDone: z.number().int(),
  contactsSeen: z.number().int(),
  contactsAdded: z.number().int(),
  error: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type SyncRun = z.infer<typeof SyncRun>;

export const SyncStatus = z.object({
  /** Newest first, at most 10. */
  runs: z.array(SyncRun),
  /** Queued or running sync job, if any (the manual button waits on it). */
  pending: z.boolean(),
  nextFullAt: z.string().nullable(),
  nextLightAt: z.string().nullable(),
  timeZone: z.string(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

export const SyncQueued = z.object({ queued: z.boolean(), jobId: z.string() });
export type SyncQueued = z.infer<typeof SyncQueued>;
