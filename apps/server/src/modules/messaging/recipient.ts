import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { ChannelKind } from './types.ts';

/** Who a message is for, as far as the guards and the renderer need it. */
export interface Recipient {
  profileId: string;
  /** The live profile (a merged profile's messages go to the one it was merged into). */
  canonicalId: string;
  traits: Record<string, unknown>;
  phone: string | null;
  email: string | null;
  /** WeCom relations of the profile: external_userid, staff userid, and whether it is still live. */
  wecom: Array<{
    externalUserid: string;
    userid: string;
    corpRef: string;
    active: boolean;
    userId: string | null;
  }>;
  /** The staff member the customer belongs to: the linked CRM record's owner, else a WeCom staff's user. */
  ownerUserId: string | null;
  ownerName: string | null;
  customerName: string | null;
}

export async function loadRecipient(
  tx: Tx,
  tenantId: string,
  profileId: string,
  ownerOverride?: string,
): Promise<Recipient | null> {
  const p = (
    await sql<{ id: string; canonical_id: string; traits: Record<string, unknown> }>`
      select c.id, c.canonical_id, c.traits from cdp_profiles p
      join cdp_profiles c on c.tenant_id = p.tenant_id and c.id = p.canonical_id
      where p.tenant_id = ${tenantId} and p.id = ${profileId}`.execute(tx)
  ).rows[0];
  if (!p) return null;
  const ids = (
    await sql<{ kind: string; value: string }>`select kind, value from cdp_identities
      where tenant_id = ${tenantId} and profile_id = ${p.id} and kind in ('phone', 'email')
      order by first_seen_at desc`.execute(tx)
  ).rows;
  const wecom = (
    await sql<{
      external_userid: string;
      userid: string;
      corp_ref: string;
      status: string;
      user_id: string | null;
    }>`
      select x.external_userid, x.userid, x.corp_ref, x.status, s.user_id
      from wecom_external_contacts x
      left join wecom_staff s on s.tenant_id = x.tenant_id and s.corp_ref = x.corp_ref and s.userid = x.userid
      where x.tenant_id = ${tenantId} and x.profile_id = ${p.id}
      order by (x.status <> 'active'), x.added_at`.execute(tx)
  ).rows;
  const crm = (
    await sql<{ owner_id: string; name: string }>`
      select coalesce(cu.owner_id, co.owner_id) as owner_id, coalesce(cu.name, cc.name) as name
      from cdp_profile_links l
      left join customers cu on l.object = 'customer' and cu.tenant_id = l.tenant_id and cu.id = l.record_id and cu.deleted_at is null
      left join contacts co on l.object = 'contact' and co.tenant_id = l.tenant_id and co.id = l.record_id and co.deleted_at is null
      left join customers cc on cc.tenant_id = co.tenant_id and cc.id = co.customer_id
      where l.tenant_id = ${tenantId} and l.profile_id = ${p.id}
      order by (l.object = 'customer') desc, l.linked_at desc limit 1`.execute(tx)
  ).rows[0];
  const traitString = (k: string) => (typeof p.traits?.[k] === 'string' ? (p.traits[k] as string) : null);
  const ownerUserId =
    ownerOverride ?? crm?.owner_id ?? wecom.find((w) => w.status === 'active' && w.user_id)?.user_id ?? null;
  const owner = ownerUserId
    ? (
        await sql<{
          name: string;
        }>`select name from users where tenant_id = ${tenantId} and id = ${ownerUserId}`.execute(tx)
      ).rows[0]
    : undefined;
  return {
    profileId,
    canonicalId: p.id,
    traits: p.traits ?? {},
    phone: ids.find((i) => i.kind === 'phone')?.value ?? traitString('phone'),
    email: ids.find((i) => i.kind === 'email')?.value ?? traitString('email'),
    wecom: wecom.map((w) => ({
      externalUserid: w.external_userid,
      userid: w.userid,
      corpRef: w.corp_ref,
      active: w.status === 'active',
      userId: w.user_id,
    })),
    ownerUserId: owner ? ownerUserId : null,
    ownerName: owner?.name ?? null,
    customerName: crm?.name ?? null,
  };
}

/** The address a channel needs, or null (→ `no_address`). The webhook goes to the tenant's endpoint. */
export function addressFor(channel: ChannelKind, r: Recipient, webhookUrl: string | null): string | null {
  switch (channel) {
    case 'sms':
      return r.phone;
    case 'email':
      return r.email;
    case 'webhook':
      return webhookUrl;
    case 'in_app':
      return r.ownerUserId;
    case 'wecom_private':
    case 'wecom_mass':
      return r.wecom[0]?.externalUserid ?? null;
  }
}
