import type { Tx } from '../../core/db/tenant-scope.ts';
import { enqueue } from '../../core/jobs/queue.ts';

export const POLL_QUEUE = 'outreach:poll';
/** How often WeCom is asked while staff have not all confirmed. */
export const POLL_EVERY_MS = 10 * 60_000;
/** WeCom keeps a mass message task open for staff to confirm for 3 days; after that nothing changes. */
export const POLL_FOR_MS = 3 * 24 * 3600_000;

export interface PollPayload {
  messageId: string;
  /** When to stop asking (ISO): 3 days after the message went to WeCom. */
  until: string;
  round: number;
}

/** Schedules the next read of a mass message's results (one pending read per message). */
export async function schedulePoll(tx: Tx, tenantId: string, payload: PollPayload, now = Date.now()) {
  await enqueue(tx, tenantId, POLL_QUEUE, payload, {
    runAt: new Date(now + POLL_EVERY_MS),
    // The round in the key: the running read schedules the next while its own key is still taken.
    dedupeKey: `outreach:poll:${payload.messageId}:${payload.round}`,
  });
}
