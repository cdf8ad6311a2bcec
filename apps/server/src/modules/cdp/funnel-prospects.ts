import { sql } from 'kysely';
import type { ProspectSource } from '../analytics/index.ts';

/**
 * 潜客 for the sales funnel (R11.1): live profiles first seen in the period that left a phone or an
 * e-mail, and those of them with a lead of the same phone or e-mail. Anonymous visitors are not
 * prospects: nobody can follow them up.
 */
export const funnelProspects: ProspectSource = {
  async count(tx, principal, { from, to }) {
    const t = principal.tenantId;
    const r = await sql<{ prospects: number; with_lead: number }>`
      with p as (
        select pr.id from cdp_profiles pr
        where pr.tenant_id = ${t} and pr.merged_into is null
          and pr.first_seen_at >= ${from}::date and pr.first_seen_at < ${to}::date
          and exists (select 1 from cdp_identities i
            where i.tenant_id = ${t} and i.profile_id = pr.id and i.kind in ('phone', 'email'))
      )
      select count(*)::int as prospects,
        count(*) filter (where exists (select 1 from cdp_identities i join leads l
            on l.tenant_id = i.tenant_id and l.deleted_at is null
            -- identities keep phones as +86…, leads as typed (mainland numbers without the prefix)
            and ((i.kind = 'phone' and l.phone in (i.value, case when i.value like '+86%' then substr(i.value, 4) end))
              or (i.kind = 'email' and lower(l.email) = lower(i.value)))
          where i.tenant_id = ${t} and i.profile_id = p.id))::int as with_lead
      from p`.execute(tx);
    const row = r.rows[0];
    return { prospects: row?.prospects ?? 0, withLead: row?.with_lead ?? 0 };
  },
};
