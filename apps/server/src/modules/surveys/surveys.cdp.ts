import type { Database } from '../../core/db/database.ts';
import type { DomainEvent } from '../../core/events/outbox.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import type { Subscriber } from '../../engine/module.ts';
import { identitiesOfProfile, ingestFromConnector } from '../cdp/index.ts';

const SOURCE = '满意度回访 Surveys';

/**
 * Survey answers are CDP events on the profile (`Survey Answered`: csat, nps, low, category) — on
 * the timeline and usable in segments (e.g. 近期不满意客户). The message id is the outbox event's.
 */
export const surveyCdpSubscriber: Subscriber = {
  name: 'surveys-to-cdp',
  patterns: ['survey.answered'],
  async handleBatch(events: DomainEvent[], job: JobContext) {
    const database = { db: job.db } as Database;
    const messages: Record<string, unknown>[] = [];
    for (const e of events) {
      const p = e.payload as Record<string, any>;
      if (!p.profileId) continue;
      const users = await identitiesOfProfile(database, e.tenantId, p.profileId, 'user_id');
      const anon = users[0]
        ? []
        : await identitiesOfProfile(database, e.tenantId, p.profileId, 'anonymous_id');
      const ident = users[0] ? { userId: users[0].value } : anon[0] ? { anonymousId: anon[0].value } : null;
      if (!ident) continue;
      messages.push({
        type: 'track',
        messageId: `survey-${e.id}`,
        ...ident,
        event: 'Survey Answered',
        timestamp: e.createdAt,
        properties: {
          ticket_id: p.ticketId,
          category: p.categoryKey,
          ...(p.csat !== null ? { csat: p.csat } : {}),
          ...(p.nps !== null ? { nps: p.nps } : {}),
          low: p.low,
        },
      });
    }
    if (messages.length) await ingestFromConnector(database, job.tenantId, SOURCE, messages);
  },
};
