import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';

/**
 * The corp's directory as other modules need it (chat archive, sidebar, mass messages): who a
 * WeCom userid is in Kehu, and which profile and unit an external contact belongs to. Read-only;
 * the wecom module stays the one writer of its tables.
 */
export interface StaffInKehu {
  userid: string;
  name: string;
  userId: string | null;
  unitId: string | null;
}

export async function staffOfCorp(
  tx: Tx,
  tenantId: string,
  corpRef: string,
): Promise<Map<string, StaffInKehu>> {
  const rows = (
    await sql<{ userid: string; name: string; user_id: string | null; unit_id: string | null }>`
      select s.userid, s.name, s.user_id, u.unit_id from wecom_staff s
      left join users u on u.tenant_id = s.tenant_id and u.id = s.user_id
      where s.tenant_id = ${tenantId} and s.corp_ref = ${corpRef}`.execute(tx)
  ).rows;
  return new Map(
    rows.map((r) => [r.userid, { userid: r.userid, name: r.name, userId: r.user_id, unitId: r.unit_id }]),
  );
}

export interface ExternalInKehu {
  externalUserid: string;
  name: string | null;
  profileId: string | null;
  contactId: string | null;
}

/** External contacts by external_userid (any staff member's row: they share the person). */
export async function externalContacts(
  tx: Tx,
  tenantId: string,
  corpRef: string,
  ids: string[],
): Promise<Map<string, ExternalInKehu>> {
  if (!ids.length) return new Map();
  const rows = (
    await sql<{
      external_userid: string;
      name: string | null;
      profile_id: string | null;
      contact_id: string | null;
    }>`
      select distinct on (x.external_userid) x.external_userid, x.name, x.contact_id,
        -- The relation learns its profile when first listed; until then the CDP's identity says it.
        coalesce(x.profile_id, (select i.profile_id from cdp_identities i where i.tenant_id = x.tenant_id
          and i.kind = 'wecom_external_userid' and i.namespace = c.corp_id and i.value = x.external_userid
          limit 1)) as profile_id
      from wecom_external_contacts x
      join wecom_corps c on c.tenant_id = x.tenant_id and c.id = x.corp_ref
      where x.tenant_id = ${tenantId} and x.corp_ref = ${corpRef} and x.external_userid = any(${ids}::text[])
      order by x.external_userid, (x.profile_id is null), x.added_at desc`.execute(tx)
  ).rows;
  return new Map(
    rows.map((r) => [
      r.external_userid,
      { externalUserid: r.external_userid, name: r.name, profileId: r.profile_id, contactId: r.contact_id },
    ]),
  );
}
