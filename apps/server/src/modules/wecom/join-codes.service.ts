import type { JoinCode, JoinCodeInput, JoinCodePatch } from '@kehu/contracts/wecom-join-codes';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { fetchQrImage, wecomFailure } from './codes.service.ts';
import { WeComClient } from './connector/client.ts';
import { corpRuntime, getCorp, visibleUnits } from './corps.service.ts';
import { wecomProblem } from './wecom.messages.ts';

/**
 * 群活码: a `groupchat/add_join_way` (scene 2, a QR) over up to 5 customer groups. WeCom fills
 * them in order and, with auto_create_room, opens “room_base_name + n” when all are full. Every
 * member who joins through it carries the code's state (join_scene 3) in `groupchat/get`; the group
 * sync stores it on `wecom_group_members.state`, so joins are counted from there, and the groups
 * WeCom opened on its own show up as those holding members with the state.
 */
const toJoinCode = (r: any): JoinCode => ({
  id: r.id,
  corpRef: r.corp_ref,
  name: r.name,
  state: r.state,
  configId: r.config_id,
  qrCode: r.qr_code,
  chatIds: r.chat_ids,
  groups: (r.groups ?? []).map((g: any) => ({
    chatId: g.chat_id,
    name: g.name ?? null,
    memberCount: Number(g.member_count ?? 0),
  })),
  autoCreateRoom: r.auto_create_room,
  roomBaseName: r.room_base_name,
  roomBaseId: r.room_base_id,
  joinsToday: Number(r.joins_today ?? 0),
  joinsTotal: Number(r.joins_total ?? 0),
  createdAt: new Date(r.created_at).toISOString(),
});

const ATTRIBUTED = sql`from wecom_group_members m join wecom_groups g on g.tenant_id = m.tenant_id and g.id = m.group_id
  where m.tenant_id = j.tenant_id and g.corp_ref = j.corp_ref and m.state = j.state and m.kind = 'external'`;

const COLUMNS = sql`j.*,
  (select count(*) ${ATTRIBUTED} and m.joined_at >= current_date) as joins_today,
  (select count(*) ${ATTRIBUTED}) as joins_total,
  (select coalesce(jsonb_agg(jsonb_build_object('chat_id', g.chat_id, 'name', g.name,
      'member_count', (select count(*) from wecom_group_members x where x.tenant_id = g.tenant_id and x.group_id = g.id and x.left_at is null))
      order by g.created_in_wecom), '[]'::jsonb)
    from wecom_groups g where g.tenant_id = j.tenant_id and g.corp_ref = j.corp_ref and g.dismissed_at is null
      and (j.chat_ids ? g.chat_id or exists (select 1 from wecom_group_members m where m.tenant_id = g.tenant_id
        and m.group_id = g.id and m.state = j.state))) as groups`;

const SCOPED = (
  p: Principal,
) => sql`join wecom_corps c on c.tenant_id = j.tenant_id and c.id = j.corp_ref and c.deleted_at is null
  where j.tenant_id = ${p.tenantId} and j.deleted_at is null and c.unit_id = any(${visibleUnits(p)}::uuid[])`;

export async function listJoinCodes(tx: Tx, p: Principal, corpRef?: string) {
  const rows = (
    await sql<any>`select ${COLUMNS} from wecom_join_codes j ${SCOPED(p)}
      ${corpRef ? sql`and j.corp_ref = ${corpRef}` : sql``} order by j.created_at desc`.execute(tx)
  ).rows;
  return { items: rows.map(toJoinCode) };
}

export async function getJoinCode(tx: Tx, p: Principal, id: string): Promise<JoinCode> {
  const r = (
    await sql<any>`select ${COLUMNS} from wecom_join_codes j ${SCOPED(p)} and j.id = ${id}`.execute(tx)
  ).rows[0];
  if (!r) throw notFound('wecom_join_code');
  return toJoinCode(r);
}

export async function joinCodeDaily(tx: Tx, p: Principal, id: string, days: number) {
  const code = await getJoinCode(tx, p, id);
  const rows = (
    await sql<{ day: string; joins: string }>`
      select to_char(d::date, 'YYYY-MM-DD') as day,
        (select count(*) from wecom_group_members m join wecom_groups g on g.tenant_id = m.tenant_id and g.id = m.group_id
          where m.tenant_id = ${p.tenantId} and g.corp_ref = ${code.corpRef} and m.state = ${code.state} and m.kind = 'external'
            and m.joined_at >= d and m.joined_at < d + interval '1 day') as joins
      from generate_series(current_date - ${days - 1}::int, current_date, interval '1 day') d order by d`.execute(
      tx,
    )
  ).rows;
  return { items: rows.map((r) => ({ day: r.day, joins: Number(r.joins) })) };
}

/** The groups must be this corp's live groups that Kehu has synced (another corp's chat is refused). */
async function assertGroupsKnown(
  tx: Tx,
  tenantId: string,
  corpRef: string,
  chatIds: string[],
  locale: Locale,
) {
  const known = new Set(
    (
      await sql<{
        chat_id: string;
      }>`select chat_id from wecom_groups where tenant_id = ${tenantId} and corp_ref = ${corpRef}
        and dismissed_at is null and chat_id = any(${chatIds}::text[])`.execute(tx)
    ).rows.map((r) => r.chat_id),
  );
  const missing = chatIds.find((c) => !known.has(c));
  if (missing)
    throw wecomProblem('validation', locale, 'group_unknown', { chatId: missing }, [
      { field: 'chatIds', code: 'unknown_group' },
    ]);
}

const wayBody = (input: JoinCodePatch & { state?: string }) => ({
  ...(input.name ? { remark: input.name } : {}),
  ...(input.chatIds ? { chat_id_list: input.chatIds } : {}),
  ...(input.autoCreateRoom !== undefined ? { auto_create_room: input.autoCreateRoom ? 1 : 0 } : {}),
  ...(input.roomBaseName ? { room_base_name: input.roomBaseName } : {}),
  ...(input.roomBaseId ? { room_base_id: input.roomBaseId } : {}),
  ...(input.state ? { state: input.state } : {}),
});

export async function createJoinCode(
  database: Database,
  p: Principal,
  actor: Actor,
  input: JoinCodeInput,
  locale: Locale,
) {
  const corp = await inTenant(database.db, p.tenantId, async (tx) => {
    const visible = await getCorp(tx, p, input.corpRef);
    const taken = (
      await sql`select 1 from wecom_join_codes where tenant_id = ${p.tenantId} and corp_ref = ${input.corpRef}
        and state = ${input.state} and deleted_at is null`.execute(tx)
    ).rows[0];
    if (taken)
      throw wecomProblem('conflict', locale, 'state_taken', { state: input.state }, [
        { field: 'state', code: 'duplicate' },
      ]);
    await assertGroupsKnown(tx, p.tenantId, input.corpRef, input.chatIds, locale);
    return { ...(await corpRuntime(tx, p.tenantId, input.corpRef)), unitId: visible.unitId };
  });
  const client = new WeComClient(database, corp);
  const auto = input.autoCreateRoom ?? true;
  let way: any;
  try {
    const { config_id } = await client.post('externalcontact/groupchat/add_join_way', {
      scene: 2,
      ...wayBody({ ...input, autoCreateRoom: auto }),
    });
    way = (await client.post('externalcontact/groupchat/get_join_way', { config_id })).join_way;
  } catch (err) {
    wecomFailure(locale, err);
  }
  const id = newId();
  return inTenant(database.db, p.tenantId, async (tx) => {
    await sql`insert into wecom_join_codes (tenant_id, id, corp_ref, unit_id, name, state, config_id, qr_code, chat_ids,
        auto_create_room, room_base_name, room_base_id, created_by)
      values (${p.tenantId}, ${id}, ${input.corpRef}, ${corp.unitId}, ${input.name}, ${input.state}, ${way.config_id},
        ${way.qr_code ?? null}, ${JSON.stringify(input.chatIds)}::jsonb, ${auto}, ${way.room_base_name ?? input.roomBaseName ?? null},
        ${way.room_base_id ?? input.roomBaseId ?? null}, ${actor.actorId})`.execute(tx);
    await writeAudit(tx, actor, {
      action: 'create',
      object: 'wecom_join_code',
      recordId: id,
      meta: { ...input },
    });
    return getJoinCode(tx, p, id);
  });
}

export async function updateJoinCode(
  database: Database,
  p: Principal,
  actor: Actor,
  id: string,
  input: JoinCodePatch,
  locale: Locale,
) {
  const { code, corp } = await inTenant(database.db, p.tenantId, async (tx) => {
    const code = await getJoinCode(tx, p, id);
    if (input.chatIds) await assertGroupsKnown(tx, p.tenantId, code.corpRef, input.chatIds, locale);
    return { code, corp: await corpRuntime(tx, p.tenantId, code.corpRef) };
  });
  try {
    await new WeComClient(database, corp).post('externalcontact/groupchat/update_join_way', {
      config_id: code.configId,
      scene: 2,
      ...wayBody(input),
    });
  } catch (err) {
    wecomFailure(locale, err);
  }
  return inTenant(database.db, p.tenantId, async (tx) => {
    await sql`update wecom_join_codes set name = coalesce(${input.name ?? null}, name),
        chat_ids = coalesce(${input.chatIds ? JSON.stringify(input.chatIds) : null}::jsonb, chat_ids),
        auto_create_room = coalesce(${input.autoCreateRoom ?? null}, auto_create_room),
        room_base_name = coalesce(${input.roomBaseName ?? null}, room_base_name),
        room_base_id = coalesce(${input.roomBaseId ?? null}, room_base_id), updated_at = now()
      where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
    await writeAudit(tx, actor, {
      action: 'update',
      object: 'wecom_join_code',
      recordId: id,
      meta: { ...input },
    });
    return getJoinCode(tx, p, id);
  });
}

export async function deleteJoinCode(
  database: Database,
  p: Principal,
  actor: Actor,
  id: string,
  locale: Locale,
) {
  const { code, corp } = await inTenant(database.db, p.tenantId, async (tx) => {
    const code = await getJoinCode(tx, p, id);
    return { code, corp: await corpRuntime(tx, p.tenantId, code.corpRef) };
  });
  try {
    await new WeComClient(database, corp).post('externalcontact/groupchat/del_join_way', {
      config_id: code.configId,
    });
  } catch (err) {
    // Already deleted in WeCom's console: Kehu follows.
    if ((err as { errcode?: number }).errcode !== 40058) wecomFailure(locale, err);
  }
  await inTenant(database.db, p.tenantId, async (tx) => {
    await sql`update wecom_join_codes set deleted_at = now() where tenant_id = ${p.tenantId} and id = ${id}`.execute(
      tx,
    );
    await writeAudit(tx, actor, { action: 'delete', object: 'wecom_join_code', recordId: id });
  });
}

/** The join QR image, fetched from WeCom through the outbound guard (for the page, posters, PNG). */
export async function joinCodeQrImage(database: Database, p: Principal, id: string, locale: Locale) {
  const code = await inTenant(database.db, p.tenantId, (tx) => getJoinCode(tx, p, id), { readOnly: true });
  return fetchQrImage(code.qrCode, code.state, locale);
}
