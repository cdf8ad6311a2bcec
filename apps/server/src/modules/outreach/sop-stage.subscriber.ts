import type { Subscriber } from '../../engine/module.ts';
import { stageSopTasks } from './sop.service.ts';

/** Customer SOPs on an opportunity stage, from sales' outbox (durable, at least once; tasks are idempotent). */
export const sopStageSubscriber: Subscriber = {
  name: 'outreach-sop-opportunity-stage',
  pattern: 'opportunity.stage_changed',
  handle: async (e, job) => {
    const p = e.payload as { customerId?: string | null; to?: string; ownerId?: string | null };
    if (!p.customerId || !p.to) return;
    await job.tx((tx) =>
      stageSopTasks(tx, e.tenantId, {
        customerId: p.customerId!,
        stage: p.to!,
        ownerId: p.ownerId ?? null,
        at: e.createdAt,
      }),
    );
  },
};
