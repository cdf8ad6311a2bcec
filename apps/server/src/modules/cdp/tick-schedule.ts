import type { Tx } from '../../core/db/tenant-scope.ts';
import { enqueue } from '../../core/jobs/queue.ts';

/** One scheduled `cdp:tick` per tenant and 5-minute slot: partitions, retention, time-based exits. */
export async function scheduleTick(tx: Tx, tenantId: string, from = new Date()) {
  const slot = Math.floor(+from / 300_000) + 1;
  await enqueue(
    tx,
    tenantId,
    'cdp:tick',
    { slot },
    { runAt: new Date(slot * 300_000), dedupeKey: `tick:${slot}` },
  );
}
