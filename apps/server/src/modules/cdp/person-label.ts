import type { PersonLabel } from '@kehu/contracts/cdp';
import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { maskValue, profileName } from './masking.ts';

/**
 * Identities a person is recognised by when they left no name, in order; masked like everywhere
 * else unless the viewer may unmask. System ids (user_id, openid …) are not shown: nobody
 * recognises a person by them, and the issue is "never raw ids".
 */
const RECOGNISABLE: Record<string, string | null> = { phone: 'phone', email: 'email', member_no: null };
const ORDER = Object.keys(RECOGNISABLE);

/**
 * How each profile reads wherever people are listed (issue 9 §2): name, else a recognisable
 * identity, else "anonymous visitor from <first source> · <first seen>". One query for all ids.
 */
export async function personLabels(
  tx: Tx,
  tenantId: string,
  ids: string[],
  unmasked: boolean,
): Promise<Map<string, PersonLabel>> {
  const out = new Map<string, PersonLabel>();
  const unique = [...new Set(ids)];
  if (!unique.length) return out;
  const rows = (
    await sql<{
      id: string;
      traits: Record<string, unknown> | null;
      first_seen_at: Date;
      ident_kind: string | null;
      ident_value: string | null;
      known: boolean;
      source: string | null;
    }>`select p.id, p.traits, p.first_seen_at, i.kind as ident_kind, i.value as ident_value,
        exists (select 1 from cdp_identities k where k.tenant_id = p.tenant_id and k.profile_id = p.id
          and k.kind <> 'anonymous_id') as known,
        (select s.name from cdp_identities f join cdp_sources s on s.tenant_id = f.tenant_id and s.id::text = f.source
          where f.tenant_id = p.tenant_id and f.profile_id = p.id order by f.first_seen_at limit 1) as source
      from cdp_profiles p
      left join lateral (select kind, value from cdp_identities x
        where x.tenant_id = p.tenant_id and x.profile_id = p.id and x.kind = any(${ORDER}::text[])
        order by array_position(${ORDER}::text[], x.kind), x.first_seen_at limit 1) i on true
      where p.tenant_id = ${tenantId} and p.id = any(${unique}::uuid[])`.execute(tx)
  ).rows;
  for (const r of rows) {
    const kind = r.ident_kind ? RECOGNISABLE[r.ident_kind] : null;
    const ident =
      r.ident_value === null ? null : kind && !unmasked ? maskValue(kind, r.ident_value) : r.ident_value;
    const name = profileName(r.traits, unmasked) ?? ident;
    out.set(r.id, {
      name,
      anonymous: name === null && !r.known,
      source: r.source,
      firstSeenAt: new Date(r.first_seen_at).toISOString(),
    });
  }
  return out;
}

/** A label for a profile that no longer exists (its row was removed): nothing to recognise. */
export const UNKNOWN_PERSON: PersonLabel = { name: null, anonymous: true, source: null, firstSeenAt: null };
