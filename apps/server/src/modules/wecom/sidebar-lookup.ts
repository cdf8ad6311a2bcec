import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';

/**
 * What the chat sidebar (modules/sidebar) reads of WeCom's tables: who follows an external contact
 * (with the Kehu user each staff member is), a customer group with its members, and the corp tags
 * a staff member may put on a customer. No scope decisions here: the sidebar makes them.
 */
export interface FollowRow {
  corpRef: string;
  /** WeCom's corp id: the namespace of the contact's identity in the CDP. */
  corpId: string;
  userid: string;
  /** The Kehu user this staff member is (null: not mapped). */
  staffUserId: string | null;
  staffName: string | null;
  unitId: string;
  name: string | null;
  remarkMobiles: string[];
  contactId: string | null;
  leadId: string | null;
  profileId: string | null;
  status: string;
  addedAt: Date;
}

export async function followsOf(tx: Tx, tenantId: string, externalUserId: string): Promise<FollowRow[]> {
  const rows = await sql<any>`
    select e.corp_ref, c.corp_id, e.userid, s.user_id, s.name as staff_name, e.unit_id, e.name, e.remark_mobiles,
      e.contact_id, e.lead_id, e.profile_id, e.status, e.added_at
    from wecom_external_contacts e
    join wecom_corps c on c.tenant_id = e.tenant_id and c.id = e.corp_ref and c.deleted_at is null
    left join wecom_staff s on s.tenant_id = e.tenant_id and s.corp_ref = e.corp_ref and s.userid = e.userid
    where e.tenant_id = ${tenantId} and e.external_userid = ${externalUserId}
    order by e.added_at`.execute(tx);
  return rows.rows.map((r) => ({
    corpRef: r.corp_ref,
    corpId: r.corp_id,
    userid: r.userid,
    staffUserId: r.user_id ?? null,
    staffName: r.staff_name ?? null,
    unitId: r.unit_id,
    name: r.name ?? null,
    remarkMobiles: Array.isArray(r.remark_mobiles) ? r.remark_mobiles.map(String) : [],
    contactId: r.contact_id ?? null,
    leadId: r.lead_id ?? null,
    profileId: r.profile_id ?? null,
    status: r.status,
    addedAt: r.added_at,
  }));
}

/** A customer group by WeCom chat id, with its owner's unit (else the corp's), its owner as a Kehu user and live members. */
export async function groupByChatId(tx: Tx, tenantId: string, chatId: string) {
  const g = (
    await sql<any>`
      select g.id, g.corp_ref, c.corp_id, g.chat_id, g.name, g.owner_userid, g.notice, g.status, g.created_in_wecom,
        coalesce(u.unit_id, c.unit_id) as unit_id, s.user_id as owner_user_id, s.name as owner_name
      from wecom_groups g
      join wecom_corps c on c.tenant_id = g.tenant_id and c.id = g.corp_ref and c.deleted_at is null
      left join wecom_staff s on s.tenant_id = g.tenant_id and s.corp_ref = g.corp_ref and s.userid = g.owner_userid
      left join users u on u.tenant_id = s.tenant_id and u.id = s.user_id
      where g.tenant_id = ${tenantId} and g.chat_id = ${chatId} and g.dismissed_at is null
      order by g.synced_at desc limit 1`.execute(tx)
  ).rows[0];
  if (!g) return null;
  const members = (
    await sql<any>`
      select m.member_id, m.kind, m.name, m.joined_at, s.user_id as staff_user_id,
        (select e.profile_id from wecom_external_contacts e where e.tenant_id = m.tenant_id
           and e.corp_ref = ${g.corp_ref} and e.external_userid = m.member_id and e.profile_id is not null limit 1) as profile_id,
        (select e.contact_id from wecom_external_contacts e where e.tenant_id = m.tenant_id
           and e.corp_ref = ${g.corp_ref} and e.external_userid = m.member_id and e.contact_id is not null limit 1) as contact_id
      from wecom_group_members m
      left join wecom_staff s on s.tenant_id = m.tenant_id and s.corp_ref = ${g.corp_ref} and s.userid = m.member_id
        and m.kind = 'staff'
      where m.tenant_id = ${tenantId} and m.group_id = ${g.id} and m.left_at is null
      order by m.kind desc, m.joined_at`.execute(tx)
  ).rows;
  return {
    id: g.id as string,
    corpRef: g.corp_ref as string,
    corpId: g.corp_id as string,
    chatId: g.chat_id as string,
    name: g.name as string,
    notice: (g.notice as string | null) ?? null,
    ownerUserid: g.owner_userid as string,
    ownerUserId: (g.owner_user_id as string | null) ?? null,
    ownerName: (g.owner_name as string | null) ?? null,
    unitId: g.unit_id as string,
    createdAt: (g.created_in_wecom as Date | null) ?? null,
    members: members.map((m) => ({
      memberId: m.member_id as string,
      kind: m.kind as 'staff' | 'external',
      name: (m.name as string | null) ?? null,
      joinedAt: m.joined_at as Date,
      staffUserId: (m.staff_user_id as string | null) ?? null,
      profileId: (m.profile_id as string | null) ?? null,
      contactId: (m.contact_id as string | null) ?? null,
    })),
  };
}

/** The corp's live tags that are CDP manual tags (what the sidebar offers; the tag sync pushes them). */
export async function corpTagChoices(tx: Tx, tenantId: string, corpRef: string) {
  return (
    await sql<{ cdp_tag_id: string; name: string; group_name: string | null }>`
      select t.cdp_tag_id, t.name, g.name as group_name from wecom_tags t
      left join wecom_tag_groups g on g.tenant_id = t.tenant_id and g.corp_ref = t.corp_ref and g.group_id = t.group_id
      where t.tenant_id = ${tenantId} and t.corp_ref = ${corpRef} and t.deleted_at is null and t.cdp_tag_id is not null
      order by g.name, t.name`.execute(tx)
  ).rows.map((r) => ({ tagId: r.cdp_tag_id, name: r.name, group: r.group_name }));
}
