import type { Tx } from '../../core/db/tenant-scope.ts';
import { enqueue } from '../../core/jobs/queue.ts';

export const ARCHIVE_QUEUE = 'chats:pull';

/** How often the archive is read on its own (WeCom keeps archived messages for days, not weeks). */
export const PULL_EVERY_MS = 15 * 60_000;

/** Queues the next scheduled read, once per 15-minute slot (a manual pull does not move it). */
export async function schedulePull(tx: Tx, tenantId: string, corpRef: string, after = Date.now()) {
  const slot = Math.floor(after / PULL_EVERY_MS) + 1;
  await enqueue(
    tx,
    tenantId,
    ARCHIVE_QUEUE,
    { corpRef, scheduled: true },
    { runAt: new Date(slot * PULL_EVERY_MS), dedupeKey: `chats:pull:${corpRef}:${slot}`, maxAttempts: 3 },
  );
}
