// 客户群: customer groups, their members (with join scene and the join way's state), group join codes
// (auto-creating a room when every listed group is full) and the owner transfer of groups.
import type { Handler } from './api-contacts.ts';
import { E, WeComError } from './errors.ts';
import type { Group, GroupMember, JoinWay, SimCorpState, SimWeChatUser } from './model.ts';

/** Members a group joined through a QR code may hold (WeCom: 200 by code, 500 in all). */
export const QR_GROUP_LIMIT = 200;
const str = (v: unknown): v is string => typeof v === 'string';
const sec = (ms: number) => Math.floor(ms / 1000);
const noChat = (id: string) => new WeComError(40050, `invalid chatid: ${id}`);

export function group(corp: SimCorpState, chat_id: unknown): Group {
  const g = str(chat_id) ? corp.groups.get(chat_id) : undefined;
  if (!g || g.dismissed) throw noChat(String(chat_id));
  return g;
}

export function createGroup(corp: SimCorpState, owner: string, name: string): Group {
  corp.activeStaff(owner);
  const g: Group = {
    chat_id: corp.ctx.id('wr', 32),
    name,
    owner,
    create_time: sec(corp.now()),
    notice: '',
    admin_list: [],
    members: new Map(),
    member_version: 1,
    status: 0,
    dismissed: false,
    messages: [],
  };
  g.members.set(owner, {
    userid: owner,
    type: 1,
    name: corp.staff.get(owner)!.name,
    join_time: g.create_time,
    join_scene: 1,
  });
  corp.groups.set(g.chat_id, g);
  corp.emit({ Event: 'change_external_chat', ChatId: g.chat_id, ChangeType: 'create' });
  return g;
}

export function addMember(
  corp: SimCorpState,
  g: Group,
  who: { user: SimWeChatUser } | { userid: string },
  scene: number,
  state?: string,
): GroupMember | undefined {
  let m: GroupMember;
  if ('user' in who) {
    const id = corp.externalIdFor(who.user);
    m = {
      userid: id,
      type: 2,
      unionid: who.user.unionid,
      name: who.user.name,
      join_time: sec(corp.now()),
      join_scene: scene,
      invitor: g.owner,
      state,
    };
  } else {
    const s = corp.activeStaff(who.userid);
    m = {
      userid: s.userid,
      type: 1,
      name: s.name,
      join_time: sec(corp.now()),
      join_scene: scene,
      invitor: g.owner,
    };
  }
  if (g.members.has(m.userid)) return undefined;
  g.members.set(m.userid, m);
  g.member_version++;
  corp.emit({
    Event: 'change_external_chat',
    ChatId: g.chat_id,
    ChangeType: 'update',
    UpdateDetail: 'add_member',
    JoinScene: scene,
    MemChangeCnt: 1,
    MemChangeList: [m.userid],
    LastMemVer: String(g.member_version - 1),
    CurMemVer: String(g.member_version),
  });
  return m;
}

export function removeMember(corp: SimCorpState, g: Group, memberId: string, quitScene: 0 | 1) {
  if (!g.members.delete(memberId)) throw E.invalidParam('not a member');
  g.member_version++;
  corp.emit({
    Event: 'change_external_chat',
    ChatId: g.chat_id,
    ChangeType: 'update',
    UpdateDetail: 'del_member',
    QuitScene: quitScene,
    MemChangeCnt: 1,
    MemChangeList: [memberId],
    LastMemVer: String(g.member_version - 1),
    CurMemVer: String(g.member_version),
  });
}

/** A WeChat user scans a group join code: the first listed group with room, else a new one if allowed. */
export function joinViaWay(corp: SimCorpState, way: JoinWay, user: SimWeChatUser): Group {
  const open = way.chat_id_list
    .map((id) => corp.groups.get(id))
    .find((g) => g && !g.dismissed && g.members.size < QR_GROUP_LIMIT);
  let g = open;
  if (!g) {
    if (!way.auto_create_room) throw E.invalidParam('every group of this join way is full');
    const first = corp.groups.get(way.chat_id_list[0]);
    if (!first) throw noChat(way.chat_id_list[0]);
    const n = way.room_base_id ?? 1;
    way.room_base_id = n + 1;
    g = createGroup(corp, first.owner, `${way.room_base_name ?? first.name}${n}`);
    way.chat_id_list.push(g.chat_id);
  }
  addMember(corp, g, { user }, 3, way.state);
  return g;
}

function joinWayJson(w: JoinWay) {
  return {
    config_id: w.config_id,
    scene: w.scene,
    remark: w.remark ?? '',
    auto_create_room: w.auto_create_room,
    ...(w.auto_create_room ? { room_base_name: w.room_base_name, room_base_id: w.room_base_id } : {}),
    chat_id_list: w.chat_id_list,
    qr_code: w.qr_code,
    ...(w.state ? { state: w.state } : {}),
  };
}

function applyJoinWay(corp: SimCorpState, w: Partial<JoinWay>, body: any) {
  if ('chat_id_list' in body) {
    if (!Array.isArray(body.chat_id_list) || body.chat_id_list.length === 0 || body.chat_id_list.length > 5)
      throw E.invalidParam('chat_id_list must hold 1..5 chat ids');
    for (const id of body.chat_id_list) group(corp, id);
    w.chat_id_list = [...body.chat_id_list];
  }
  if ('state' in body) {
    if (body.state && (!str(body.state) || [...body.state].length > 30))
      throw E.invalidParam('state exceeds 30 characters');
    w.state = body.state || undefined;
  }
  if ('remark' in body) w.remark = body.remark;
  if ('auto_create_room' in body) w.auto_create_room = body.auto_create_room ? 1 : 0;
  if ('room_base_name' in body) w.room_base_name = body.room_base_name;
  if ('room_base_id' in body) w.room_base_id = Number(body.room_base_id);
}

export const groupHandlers: Record<string, Handler> = {
  'externalcontact/groupchat/list': ({ corp, body }) => {
    const limit = Number(body?.limit ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw E.invalidParam('limit must be 1..1000');
    const statusFilter = Number(body?.status_filter ?? 0);
    const owners: string[] | undefined = body?.owner_filter?.userid_list;
    const all = [...corp.groups.values()].filter(
      (g) =>
        !g.dismissed &&
        (statusFilter === 0 || g.status === statusFilter) &&
        (!owners || owners.includes(g.owner)),
    );
    const start = body?.cursor ? Number.parseInt(body.cursor, 36) : 0;
    const page = all.slice(start, start + limit);
    return {
      group_chat_list: page.map((g) => ({ chat_id: g.chat_id, status: g.status })),
      next_cursor: start + limit < all.length ? (start + limit).toString(36) : '',
    };
  },
  'externalcontact/groupchat/get': ({ corp, body }) => {
    const g = group(corp, body?.chat_id);
    const needName = body?.need_name === 1;
    return {
      group_chat: {
        chat_id: g.chat_id,
        name: g.name,
        owner: g.owner,
        create_time: g.create_time,
        notice: g.notice,
        member_list: [...g.members.values()].map((m) => ({
          userid: m.userid,
          type: m.type,
          ...(m.unionid ? { unionid: m.unionid } : {}),
          join_time: m.join_time,
          join_scene: m.join_scene,
          ...(m.invitor ? { invitor: { userid: m.invitor } } : {}),
          group_nickname: '',
          ...(needName ? { name: m.name } : {}),
          ...(m.state ? { state: m.state } : {}),
        })),
        admin_list: g.admin_list.map((userid) => ({ userid })),
        member_version: String(g.member_version),
      },
    };
  },
  'externalcontact/groupchat/add_join_way': ({ corp, body }) => {
    const scene = body?.scene;
    if (scene !== 1 && scene !== 2) throw E.invalidParam('scene must be 1 or 2');
    if (!Array.isArray(body.chat_id_list)) throw E.invalidParam('chat_id_list required');
    const config_id = corp.ctx.id('', 32, '0123456789abcdef');
    const w: JoinWay = {
      config_id,
      scene,
      auto_create_room: 0,
      chat_id_list: [],
      qr_code: `${corp.ctx.baseUrl()}/_sim/qr/${config_id}`,
      deleted: false,
    };
    applyJoinWay(corp, w, { auto_create_room: 1, room_base_id: 1, ...body });
    corp.joinWays.set(config_id, w);
    return { config_id };
  },
  'externalcontact/groupchat/get_join_way': ({ corp, body }) => {
    const w = corp.joinWays.get(body?.config_id);
    if (!w || w.deleted) throw E.notFound('config_id');
    return { join_way: joinWayJson(w) };
  },
  'externalcontact/groupchat/update_join_way': ({ corp, body }) => {
    const w = corp.joinWays.get(body?.config_id);
    if (!w || w.deleted) throw E.notFound('config_id');
    applyJoinWay(corp, w, body);
    return {};
  },
  'externalcontact/groupchat/del_join_way': ({ corp, body }) => {
    const w = corp.joinWays.get(body?.config_id);
    if (!w || w.deleted) throw E.notFound('config_id');
    w.deleted = true;
    return {};
  },
  'externalcontact/groupchat/statistic': ({ corp, body }) => {
    const begin = Number(body?.day_begin_time) * 1000;
    const end = Number(body?.day_end_time ?? body?.day_begin_time) * 1000 + 86_400_000;
    if (!Number.isFinite(begin) || !Number.isFinite(end) || end <= begin)
      throw E.invalidParam('day_begin_time required');
    if (end - begin > 30 * 86_400_000) throw E.invalidParam('at most 30 days');
    const owners: string[] | undefined = body?.owner_filter?.userid_list;
    if (!owners?.length) throw E.invalidParam('owner_filter.userid_list required');
    const inRange = (tSec: number) => tSec * 1000 >= begin && tSec * 1000 < end;
    const items = owners.map((owner) => {
      const gs = [...corp.groups.values()].filter((g) => g.owner === owner && !g.dismissed);
      const msgs = gs.flatMap((g) =>
        g.messages.filter((m) => m.at >= begin && m.at < end).map((m) => ({ g, m })),
      );
      const members = gs.flatMap((g) => [...g.members.values()]);
      return {
        owner,
        data: {
          new_chat_cnt: gs.filter((g) => inRange(g.create_time)).length,
          chat_total: gs.length,
          chat_has_msg: new Set(msgs.map((x) => x.g.chat_id)).size,
          new_member_cnt: members.filter((m) => inRange(m.join_time)).length,
          member_total: members.length,
          member_has_msg: new Set(msgs.map((x) => `${x.g.chat_id}|${x.m.from}`)).size,
          msg_total: msgs.length,
          migrate_trainee_chat_cnt: 0,
        },
      };
    });
    const offset = Number(body?.offset ?? 0);
    const limit = Number(body?.limit ?? 500);
    return {
      total: items.length,
      next_offset: Math.min(offset + limit, items.length),
      items: items.slice(offset, offset + limit),
    };
  },
  // Groups of a staff member who left (status 1) go to a new owner; so do groups of one still employed.
  'externalcontact/groupchat/transfer': ({ corp, body }) => transferGroups(corp, body, 'resigned'),
  'externalcontact/groupchat/onjob_transfer': ({ corp, body }) => transferGroups(corp, body, 'onjob'),
};

function transferGroups(corp: SimCorpState, body: any, kind: 'resigned' | 'onjob') {
  const list = body?.chat_id_list;
  if (!Array.isArray(list) || list.length === 0 || list.length > 100)
    throw E.invalidParam('chat_id_list must hold 1..100 chat ids');
  if (!str(body.new_owner)) throw E.invalidParam('new_owner required');
  corp.activeStaff(body.new_owner);
  const failed_chat_list = [];
  for (const id of list) {
    const g = str(id) ? corp.groups.get(id) : undefined;
    if (!g || g.dismissed) {
      failed_chat_list.push({ chat_id: id, errcode: 40050, errmsg: 'chat not exists' });
      continue;
    }
    const ownerLeft = corp.staff.get(g.owner)?.status !== 1;
    if ((kind === 'resigned') !== ownerLeft) {
      failed_chat_list.push({
        chat_id: id,
        errcode: 90500,
        errmsg: kind === 'resigned' ? 'the owner has not resigned' : 'the owner has resigned',
      });
      continue;
    }
    if (g.owner === body.new_owner) {
      failed_chat_list.push({ chat_id: id, errcode: 90501, errmsg: 'already the owner' });
      continue;
    }
    g.owner = body.new_owner;
    g.status = ownerLeft ? 3 : 0;
    if (!g.members.has(body.new_owner)) addMember(corp, g, { userid: body.new_owner }, 1);
    corp.emit({
      Event: 'change_external_chat',
      ChatId: g.chat_id,
      ChangeType: 'update',
      UpdateDetail: 'change_owner',
    });
  }
  return { failed_chat_list };
}
