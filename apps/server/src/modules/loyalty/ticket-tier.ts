import { sql } from 'kysely';
import type { CustomerTierSource } from '../service/index.ts';
import { programVisible } from './programs.service.ts';

/**
 * Loyalty's answer to service's `ticket-customer-tier` point: a ticket's person's tier picks its
 * SLA targets. The key is the tier's id (a renamed tier keeps its policies). A person in several
 * programs counts with their highest-ranked tier, the earliest enrolment on a tie; a paused
 * program's tiers still count (members keep their benefits while earning is paused).
 */
export const ticketTierSource: CustomerTierSource = {
  async tierOf(tx, tenantId, profileId) {
    const r = await sql<{ tier_id: string }>`select m.tier_id from loyalty_members m
      join loyalty_tiers t on t.tenant_id = m.tenant_id and t.id = m.tier_id
      where m.tenant_id = ${tenantId}
        and m.profile_id = (select coalesce(merged_into, id) from cdp_profiles
          where tenant_id = ${tenantId} and id = ${profileId})
      order by t.rank desc, m.enrolled_at, m.id limit 1`.execute(tx);
    return r.rows[0]?.tier_id ?? null;
  },
  // the programs the reader may see, as loyalty's own lists show them (programVisible)
  async tiers(tx, principal) {
    const r = await sql<{ key: string; name: string; program: string; rank: number }>`
      select t.id as key, t.name, p.name as program, t.rank from loyalty_tiers t
      join loyalty_programs p on p.tenant_id = t.tenant_id and p.id = t.program_id
      where t.tenant_id = ${principal.tenantId} and ${programVisible(principal)}
      order by p.created_at, p.id, t.rank desc`.execute(tx);
    return r.rows;
  },
};
