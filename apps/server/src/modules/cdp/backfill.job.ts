import type { JobHandler } from '../../core/jobs/queue.ts';
import { backfillTag } from './tag-backfill.service.ts';

/** Payload of `cdp:backfill`: computes one tag over every profile, reporting progress on the tag. */
export interface BackfillPayload {
  tagId: string;
}

export const backfillJob: JobHandler<BackfillPayload> = (p, ctx) =>
  backfillTag(ctx.db, ctx.tenantId, p.tagId, ctx.heartbeat);
