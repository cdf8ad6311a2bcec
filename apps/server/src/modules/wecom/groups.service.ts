import type { GroupDetail, GroupList, GroupSyncResult, GroupsQuery } from '@kehu/contracts/wecom-groups';
import { sql } from 'kysely';
import type { Principal } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { profileOfIdentity } from '../cdp/index.ts';
import { wecomFailure } from './codes.service.ts';
import { WeComApiError, WeComClient } from './connector/client.ts';
import { type CorpRuntime, corpRuntime, getCorp, visibleUnits } from './corps.service.ts';
import { emitGroupEvent } from './group-events.ts';

/**
 * 客户群 (issue 10): groups are mirrored from WeCom with `groupchat/get` whenever WeCom says one
 * changed (change_external_chat create/update), on demand and by the reconciliation job
 * (`groupchat/list`, which repairs lost callbacks). A sync is a full read of the group, so a replayed
 * or reordered callback converges on the same rows. Members who leave keep their row with `left_at`
 * (joins/leaves per day); a rejoin clears it. A dismissed group stays, marked dismissed.
 */
const CHAT_GONE = new Set([40050]);
const ts = (sec: unknown) => (Number(sec) > 0 ? new Date(Number(sec) * 1000) : new Date());
const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);

export async function syncGroup(
  database: Database,
  corp: CorpRuntime,
  chatId: string,
): Promise<'ok' | 'gone'> {
  const client = new WeComClient(database, corp);
  let g: any;
  try {
    g = (await client.post('externalcontact/groupchat/get', { chat_id: chatId, need_name: 1 })).group_chat;
  } catch (err) {
    if (err instanceof WeComApiError && CHAT_GONE.has(err.errcode)) {
      await markDismissed(database, corp, chatId);
      return 'gone';
    }
    throw err;
  }
  await inTenant(database.db, corp.tenantId, async (tx) => {
    const row = (
      await sql<{
        id: string;
      }>`insert into wecom_groups (tenant_id, id, corp_ref, chat_id, name, owner_userid, notice,
          created_in_wecom, member_version, synced_at, dismissed_at)
        values (${corp.tenantId}, ${newId()}, ${corp.corpRef}, ${chatId}, ${g.name ?? ''}, ${g.owner}, ${g.notice ?? null},
          ${ts(g.create_time)}, ${g.member_version ?? null}, now(), null)
        on conflict (tenant_id, corp_ref, chat_id) do update set name = excluded.name, owner_userid = excluded.owner_userid,
          notice = excluded.notice, member_version = excluded.member_version, synced_at = now(), dismissed_at = null
        returning id`.execute(tx)
    ).rows[0]!;
    const members: any[] = g.member_list ?? [];
    for (const m of members) {
      // `was_out`: a new row, or a member who had left — a join worth telling (fission's group task).
      const r = (
        await sql<{ was_out: boolean; joined_at: Date }>`with prev as (select left_at from wecom_group_members
            where tenant_id = ${corp.tenantId} and group_id = ${row.id} and member_id = ${m.userid})
          insert into wecom_group_members (tenant_id, group_id, member_id, kind, name, unionid, join_scene, joined_at, state)
          values (${corp.tenantId}, ${row.id}, ${m.userid}, ${m.type === 1 ? 'staff' : 'external'}, ${m.name ?? null},
            ${m.unionid ?? null}, ${m.join_scene ?? null}, ${ts(m.join_time)}, ${m.state ?? null})
          on conflict (tenant_id, group_id, member_id) do update set name = coalesce(excluded.name, wecom_group_members.name),
            state = coalesce(excluded.state, wecom_group_members.state),
            join_scene = excluded.join_scene, left_at = null,
            joined_at = case when wecom_group_members.left_at is null then wecom_group_members.joined_at else excluded.joined_at end
          returning (not exists (select 1 from prev) or (select left_at from prev) is not null) as was_out, joined_at`.execute(
          tx,
        )
      ).rows[0]!;
      if (r.was_out)
        await emitGroupEvent(tx, corp.tenantId, {
          type: 'wecom.group.member_joined',
          payload: {
            corpRef: corp.corpRef,
            groupId: row.id,
            chatId,
            ownerUserid: g.owner,
            memberId: String(m.userid),
            kind: m.type === 1 ? 'staff' : 'external',
            unionid: m.unionid ?? null,
            joinScene: m.join_scene ?? null,
            state: m.state ?? null,
            joinedAt: new Date(r.joined_at).toISOString(),
          },
        });
    }
    const left = (
      await sql<{
        member_id: string;
        kind: 'staff' | 'external';
        left_at: Date;
      }>`update wecom_group_members set left_at = now() where tenant_id = ${corp.tenantId} and group_id = ${row.id}
        and left_at is null and not (member_id = any(${members.map((m) => String(m.userid))}::text[]))
        returning member_id, kind, left_at`.execute(tx)
    ).rows;
    for (const l of left)
      await emitGroupEvent(tx, corp.tenantId, {
        type: 'wecom.group.member_left',
        payload: {
          corpRef: corp.corpRef,
          groupId: row.id,
          chatId,
          ownerUserid: g.owner,
          memberId: l.member_id,
          kind: l.kind,
          leftAt: new Date(l.left_at).toISOString(),
        },
      });
  });
  return 'ok';
}

export async function markDismissed(database: Database, corp: CorpRuntime, chatId: string) {
  await inTenant(database.db, corp.tenantId, (tx) =>
    sql`update wecom_groups set dismissed_at = coalesce(dismissed_at, now()) where tenant_id = ${corp.tenantId}
      and corp_ref = ${corp.corpRef} and chat_id = ${chatId}`.execute(tx),
  );
}

/** Every group WeCom lists for the corp is read again; known groups it no longer lists are dismissed. */
export async function syncGroups(database: Database, corp: CorpRuntime): Promise<GroupSyncResult> {
  const client = new WeComClient(database, corp);
  const seen: string[] = [];
  let cursor = '';
  do {
    const res = await client.post('externalcontact/groupchat/list', {
      status_filter: 0,
      cursor,
      limit: 1000,
    });
    for (const g of res.group_chat_list ?? []) seen.push(String(g.chat_id));
    cursor = res.next_cursor ?? '';
  } while (cursor);
  for (const chatId of seen) await syncGroup(database, corp, chatId);
  const gone = await inTenant(
    database.db,
    corp.tenantId,
    async (tx) =>
      (
        await sql`update wecom_groups set dismissed_at = now() where tenant_id = ${corp.tenantId} and corp_ref = ${corp.corpRef}
        and dismissed_at is null and not (chat_id = any(${seen}::text[])) returning 1`.execute(tx)
      ).rows.length,
  );
  return { groups: seen.length, dismissed: gone };
}

export async function syncGroupsFor(database: Database, p: Principal, corpRef: string, locale: Locale) {
  const corp = await inTenant(
    database.db,
    p.tenantId,
    async (tx) => {
      await getCorp(tx, p, corpRef);
      return corpRuntime(tx, p.tenantId, corpRef);
    },
    { readOnly: true },
  );
  try {
    return await syncGroups(database, corp);
  } catch (err) {
    wecomFailure(locale, err);
  }
}

// ------------------------------------------------------------------ reading

const SUMMARY = sql`g.id, g.corp_ref, c.name as corp_name, g.chat_id, g.name, g.owner_userid, s.name as owner_name,
  s.user_id as owner_user_id, g.created_in_wecom, g.dismissed_at, g.notice,
  (select count(*)::int from wecom_group_members m where m.tenant_id = g.tenant_id and m.group_id = g.id and m.left_at is null) as member_count,
  (select count(*)::int from wecom_group_members m where m.tenant_id = g.tenant_id and m.group_id = g.id and m.left_at is null and m.kind = 'external') as external_count`;
const FROM = sql`wecom_groups g join wecom_corps c on c.tenant_id = g.tenant_id and c.id = g.corp_ref and c.deleted_at is null
  left join wecom_staff s on s.tenant_id = g.tenant_id and s.corp_ref = g.corp_ref and s.userid = g.owner_userid`;

const toSummary = (r: any) => ({
  id: r.id,
  corpRef: r.corp_ref,
  corpName: r.corp_name,
  chatId: r.chat_id,
  name: r.name,
  ownerUserid: r.owner_userid,
  ownerName: r.owner_name ?? null,
  ownerUserId: r.owner_user_id ?? null,
  memberCount: r.member_count,
  externalCount: r.external_count,
  createdInWecom: iso(r.created_in_wecom),
  dismissedAt: iso(r.dismissed_at),
});

export async function listGroups(tx: Tx, p: Principal, q: GroupsQuery): Promise<GroupList> {
  const status = q.status ?? 'all';
  const rows = (
    await sql<any>`select ${SUMMARY} from ${FROM}
      where g.tenant_id = ${p.tenantId} and c.unit_id = any(${visibleUnits(p)}::uuid[])
        ${q.corpRef ? sql`and g.corp_ref = ${q.corpRef}` : sql``}
        ${status === 'active' ? sql`and g.dismissed_at is null` : status === 'dismissed' ? sql`and g.dismissed_at is not null` : sql``}
      order by g.dismissed_at is not null, g.created_in_wecom desc nulls last limit 500`.execute(tx)
  ).rows;
  return { items: rows.map(toSummary) };
}

export async function getGroup(database: Database, p: Principal, id: string): Promise<GroupDetail> {
  const { g, members, days } = await inTenant(
    database.db,
    p.tenantId,
    async (tx) => {
      const g = (
        await sql<any>`select ${SUMMARY}, c.corp_id from ${FROM}
          where g.tenant_id = ${p.tenantId} and g.id = ${id} and c.unit_id = any(${visibleUnits(p)}::uuid[])`.execute(
          tx,
        )
      ).rows[0];
      if (!g) throw notFound('wecom_group');
      const members = (
        await sql<any>`select m.*, s.user_id,
            (select x.contact_id from wecom_external_contacts x where x.tenant_id = m.tenant_id and x.corp_ref = ${g.corp_ref}
              and x.external_userid = m.member_id and x.contact_id is not null limit 1) as contact_id,
            (select x.profile_id from wecom_external_contacts x where x.tenant_id = m.tenant_id and x.corp_ref = ${g.corp_ref}
              and x.external_userid = m.member_id and x.profile_id is not null limit 1) as profile_id
          from wecom_group_members m
          left join wecom_staff s on m.kind = 'staff' and s.tenant_id = m.tenant_id and s.corp_ref = ${g.corp_ref} and s.userid = m.member_id
          where m.tenant_id = ${p.tenantId} and m.group_id = ${id}
          order by m.left_at is not null, m.kind desc, m.joined_at`.execute(tx)
      ).rows;
      const days = (
        await sql<{ day: string; joins: number; leaves: number }>`
          with ev as (
            select to_char(joined_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day, 1 as j, 0 as l
              from wecom_group_members where tenant_id = ${p.tenantId} and group_id = ${id}
            union all
            select to_char(left_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD'), 0, 1
              from wecom_group_members where tenant_id = ${p.tenantId} and group_id = ${id} and left_at is not null)
          select day, sum(j)::int as joins, sum(l)::int as leaves from ev group by day order by day`.execute(
          tx,
        )
      ).rows;
      return { g, members, days };
    },
    { readOnly: true },
  );
  // The CDP resolves identities after the add: external members Kehu knows only by id are looked up.
  for (const m of members) {
    if (m.kind !== 'external' || m.profile_id) continue;
    m.profile_id = await profileOfIdentity(database, p.tenantId, {
      kind: 'wecom_external_userid',
      namespace: g.corp_id,
      value: m.member_id,
    });
  }
  return {
    ...toSummary(g),
    notice: g.notice ?? null,
    members: members.map((m) => ({
      memberId: m.member_id,
      kind: m.kind,
      name: m.name ?? null,
      joinScene: m.join_scene ?? null,
      joinedAt: iso(m.joined_at)!,
      leftAt: iso(m.left_at),
      contactId: m.contact_id ?? null,
      profileId: m.profile_id ?? null,
      userId: m.user_id ?? null,
    })),
    days,
  };
}
