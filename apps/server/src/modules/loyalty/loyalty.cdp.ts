import { sql } from 'kysely';
import type { DomainEvent } from '../../core/events/outbox.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import type { Subscriber } from '../../engine/module.ts';
import { setProfileTrait } from '../cdp/index.ts';

/**
 * Points and tier as profile traits (`loyalty_points`, `loyalty_tier`, `loyalty_tier_rank`,
 * `loyalty_member_no`), so segments, tags and journeys can use them ("金卡及以上", "积分 ≥ 1000").
 * Written from the member's current row, not the event's figures: events of one member may be
 * handled out of order or twice, and the last write is still the truth.
 */
export const loyaltyCdpSubscriber: Subscriber = {
  name: 'loyalty-to-cdp',
  patterns: ['loyalty.member.enrolled', 'loyalty.points.changed', 'loyalty.tier.changed'],
  async handleBatch(events: DomainEvent[], job: JobContext) {
    const members = [
      ...new Set(events.map((e) => String((e.payload as { memberId?: string }).memberId ?? ''))),
    ].filter(Boolean);
    if (!members.length) return;
    await job.tx(async (tx) => {
      const rows = (
        await sql<{
          profile_id: string;
          member_no: string;
          balance: string;
          tier: string;
          rank: number;
        }>`select m.profile_id, m.member_no, m.balance::text, t.name as tier, t.rank from loyalty_members m
          join loyalty_tiers t on t.tenant_id = m.tenant_id and t.id = m.tier_id
          where m.tenant_id = ${job.tenantId} and m.id = any(${members}::uuid[])`.execute(tx)
      ).rows;
      for (const r of rows) {
        await setProfileTrait(tx, job.tenantId, r.profile_id, 'loyalty_points', Number(r.balance));
        await setProfileTrait(tx, job.tenantId, r.profile_id, 'loyalty_tier', r.tier);
        await setProfileTrait(tx, job.tenantId, r.profile_id, 'loyalty_tier_rank', r.rank);
        await setProfileTrait(tx, job.tenantId, r.profile_id, 'loyalty_member_no', r.member_no);
      }
    });
  },
};
