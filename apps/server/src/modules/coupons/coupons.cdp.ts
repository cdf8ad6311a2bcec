import type { Database } from '../../core/db/database.ts';
import type { DomainEvent } from '../../core/events/outbox.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import type { Subscriber } from '../../engine/module.ts';
import { identitiesOfProfile, ingestFromConnector } from '../cdp/index.ts';

const SOURCE = '优惠券 Coupons';
const EVENT_NAMES: Record<string, string> = {
  'coupon.issued': 'Coupon Issued',
  'coupon.redeemed': 'Coupon Redeemed',
};

/**
 * Coupons show on the profile's timeline and in CDP rules as events (`Coupon Issued`,
 * `Coupon Redeemed`), sent like any connector's under one of the profile's identities. The
 * message id is the outbox event's, so a redelivered event is stored once.
 */
export const couponCdpSubscriber: Subscriber = {
  name: 'coupons-to-cdp',
  patterns: Object.keys(EVENT_NAMES),
  async handleBatch(events: DomainEvent[], job: JobContext) {
    const database = { db: job.db } as Database;
    const messages: Record<string, unknown>[] = [];
    for (const e of events) {
      const p = e.payload as Record<string, unknown>;
      const profileId = String(p.profileId ?? '');
      if (!profileId) continue;
      const ident = await identityOf(database, e.tenantId, profileId);
      if (!ident) continue;
      messages.push({
        type: 'track',
        messageId: `coupon-${e.id}`,
        ...ident,
        event: EVENT_NAMES[e.type],
        timestamp: e.createdAt,
        properties: {
          coupon_id: p.couponId,
          coupon_template_id: p.templateId,
          ...(p.kind ? { coupon_kind: p.kind } : {}),
          ...(p.discountMinor !== undefined ? { discount: Number(p.discountMinor) / 100 } : {}),
          ...(p.channel ? { channel: p.channel } : {}),
        },
      });
    }
    if (messages.length) await ingestFromConnector(database, job.tenantId, SOURCE, messages);
  },
};

async function identityOf(database: Database, tenantId: string, profileId: string) {
  const users = await identitiesOfProfile(database, tenantId, profileId, 'user_id');
  if (users[0]) return { userId: users[0].value };
  const anon = await identitiesOfProfile(database, tenantId, profileId, 'anonymous_id');
  if (anon[0]) return { anonymousId: anon[0].value };
  return null;
}
