import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import type { Subscriber } from '../../engine/module.ts';

const KINDS: Record<string, string> = {
  'message.delivered': 'delivered',
  'message.opened': 'opened',
  'message.clicked': 'clicked',
};

/** Delivered / opened / clicked of messages journeys sent (messaging's outbox events), per step. */
export const messageEventsSubscriber: Subscriber = {
  name: 'journeys-message-events',
  patterns: Object.keys(KINDS),
  handleBatch: async (events, job) => {
    for (const [tenantId, list] of Map.groupBy(events, (e) => e.tenantId)) {
      const rows = list.flatMap((e) => {
        const p = e.payload as {
          messageId?: string;
          source?: { kind?: string; id?: string; stepId?: string };
        };
        return p.messageId && p.source?.kind === 'journey' && p.source.id && p.source.stepId
          ? [{ m: p.messageId, k: KINDS[e.type]!, j: p.source.id, s: p.source.stepId }]
          : [];
      });
      if (!rows.length) continue;
      await inTenant(job.db, tenantId, (tx) =>
        sql`insert into journey_message_events (tenant_id, message_id, kind, journey_id, step_id)
          select ${tenantId}, x.m, x.k, x.j, x.s from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
            as x(m uuid, k text, j uuid, s text)
          on conflict do nothing`.execute(tx),
      );
    }
  },
};
