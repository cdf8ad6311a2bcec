// WeCom's directory and 客户联系 endpoints (contact ways, external contacts, welcome messages).
// Shapes follow developer.work.weixin.qq.com; only the fields Kehu reads or writes are modelled.
import { checkMessage } from './attachments.ts';
import { E, WeComError } from './errors.ts';
import type { ContactWay, SimCorpState } from './model.ts';

export interface ApiCall {
  corp: SimCorpState;
  query: Record<string, string>;
  body: any;
  kind: 'contact' | 'app' | 'archive';
}
export type Handler = (c: ApiCall) => Record<string, unknown> | Promise<Record<string, unknown>>;

const str = (v: unknown): v is string => typeof v === 'string';
const STATE_MAX = 30;

function cursorPage<T>(items: T[], cursor: unknown, limit: unknown, max: number) {
  const lim = limit === undefined ? max : Number(limit);
  if (!Number.isInteger(lim) || lim < 1 || lim > max) throw E.invalidParam(`limit must be 1..${max}`);
  const start = cursor ? Number.parseInt(String(cursor), 36) : 0;
  if (!Number.isInteger(start) || start < 0) throw E.invalidParam('invalid cursor');
  const page = items.slice(start, start + lim);
  const next = start + lim < items.length ? (start + lim).toString(36) : '';
  return { page, next_cursor: next };
}

function checkUsers(corp: SimCorpState, users: unknown): string[] {
  if (users === undefined) return [];
  if (!Array.isArray(users) || !users.every(str)) throw E.invalidParam('user must be a list of userids');
  for (const u of users) corp.contactStaff(u);
  return users;
}

function checkState(state: unknown): string | undefined {
  if (state === undefined || state === null || state === '') return undefined;
  if (!str(state) || [...state].length > STATE_MAX) throw E.invalidParam('state exceeds 30 characters');
  return state;
}

function wayJson(w: ContactWay) {
  return {
    config_id: w.config_id,
    type: w.type,
    scene: w.scene,
    ...(w.style !== undefined ? { style: w.style } : {}),
    remark: w.remark ?? '',
    skip_verify: w.skip_verify,
    ...(w.state ? { state: w.state } : {}),
    ...(w.scene === 2 ? { qr_code: w.qr_code } : {}),
    user: w.user,
    party: w.party,
    is_temp: w.is_temp,
    ...(w.is_temp ? { expires_in: w.expires_in, chat_expires_in: w.chat_expires_in } : {}),
    ...(w.unionid ? { unionid: w.unionid } : {}),
    ...(w.conclusions ? { conclusions: w.conclusions } : {}),
  };
}

// Paging 100k contacts 100 at a time must not rebuild the list per page: the row order is cached until a
// follow relation changes (a cursor is an offset into it, like WeCom's opaque one).
const rowCache = new WeakMap<SimCorpState, Map<string, { v: number; rows: Array<[string, string]> }>>();
function followRows(corp: SimCorpState, users: string[]): Array<[string, string]> {
  let m = rowCache.get(corp);
  if (!m) {
    m = new Map();
    rowCache.set(corp, m);
  }
  const key = users.join('\u0000');
  const hit = m.get(key);
  if (hit && hit.v === corp.followVersion) return hit.rows;
  const rows: Array<[string, string]> = [];
  for (const u of users) for (const id of corp.byStaff.get(u) ?? []) rows.push([u, id]);
  if (m.size > 64) m.clear();
  m.set(key, { v: corp.followVersion, rows });
  return rows;
}

export const contactHandlers: Record<string, Handler> = {
  // ---- directory ----
  'user/list': ({ corp, query }) => {
    const dept = Number(query.department_id ?? 1);
    if (!corp.departments.some((d) => d.id === dept)) throw E.invalidParam('department_id');
    return {
      userlist: [...corp.staff.values()]
        .filter((s) => s.status === 1 && (dept === 1 || s.department.includes(dept)))
        .map((s) => ({
          userid: s.userid,
          name: s.name,
          department: s.department,
          position: s.position ?? '',
          mobile: s.mobile ?? '',
          gender: String(s.gender),
          status: s.status,
        })),
    };
  },
  'user/simplelist': ({ corp }) => ({
    userlist: [...corp.staff.values()]
      .filter((s) => s.status === 1)
      .map((s) => ({ userid: s.userid, name: s.name, department: s.department })),
  }),
  'user/list_id': ({ corp, body }) => {
    const all = [...corp.staff.values()].filter((s) => s.status === 1);
    const { page, next_cursor } = cursorPage(all, body?.cursor, body?.limit ?? 1000, 10000);
    return {
      next_cursor,
      dept_user: page.flatMap((s) => s.department.map((d) => ({ userid: s.userid, department: d }))),
    };
  },
  'user/get': ({ corp, query }) => {
    const s = corp.activeStaff(query.userid);
    return {
      userid: s.userid,
      name: s.name,
      department: s.department,
      position: s.position ?? '',
      mobile: s.mobile ?? '',
      gender: String(s.gender),
      status: s.status,
    };
  },
  'department/list': ({ corp }) => ({ department: corp.departments }),
  'department/simplelist': ({ corp }) => ({
    department_id: corp.departments.map((d) => ({ id: d.id, parentid: d.parentid, order: d.order })),
  }),

  // ---- contact ways 联系我 ----
  'externalcontact/get_follow_user_list': ({ corp }) => ({
    follow_user: [...corp.staff.values()]
      .filter((s) => s.status === 1 && (!corp.contactScope || corp.contactScope.has(s.userid)))
      .map((s) => s.userid),
  }),
  'externalcontact/check_follow_user': ({ corp, body }) => {
    const users: string[] = Array.isArray(body?.userid) ? body.userid.map(String) : [];
    const ok = users.filter(
      (u) => corp.staff.get(u)?.status === 1 && (!corp.contactScope || corp.contactScope.has(u)),
    );
    return {
      authorized: { userid: ok },
      unauthorized: { userid: users.filter((u) => !ok.includes(u)) },
    };
  },
  'externalcontact/unionid_to_external_userid': ({ corp, body }) => {
    if (!str(body?.unionid) || !str(body?.openid)) throw E.invalidParam('unionid and openid required');
    // Only customers of this corp are found (WeCom: the person must have added a staff member).
    for (const c of corp.contacts.values())
      if (c.user.unionid === body.unionid && c.follows.size > 0)
        return { external_userid: c.external_userid };
    throw E.notExternalContact();
  },
  'externalcontact/add_contact_way': ({ corp, body }) => {
    const type = body?.type;
    const scene = body?.scene;
    if (type !== 1 && type !== 2) throw E.invalidParam('type must be 1 or 2');
    if (scene !== 1 && scene !== 2) throw E.invalidParam('scene must be 1 or 2');
    const state = checkState(body.state);
    const user = checkUsers(corp, body.user);
    const party = Array.isArray(body.party) ? body.party.map(Number) : [];
    if (type === 1 && (user.length !== 1 || party.length > 0))
      throw E.invalidParam('type 1 needs exactly one user');
    if (user.length + party.length === 0) throw E.invalidParam('user or party required');
    if (user.length > 100 || party.length > 100) throw E.invalidParam('at most 100 users');
    const config_id = corp.ctx.id('', 32, '0123456789abcdef');
    const w: ContactWay = {
      config_id,
      type,
      scene,
      style: body.style,
      remark: str(body.remark) ? body.remark : undefined,
      skip_verify: body.skip_verify !== false,
      state,
      user,
      party,
      is_temp: body.is_temp === true,
      expires_in: body.is_temp ? Number(body.expires_in ?? 7 * 86400) : undefined,
      chat_expires_in: body.is_temp ? Number(body.chat_expires_in ?? 86400) : undefined,
      unionid: str(body.unionid) ? body.unionid : undefined,
      conclusions: body.conclusions,
      qr_code: `${corp.ctx.baseUrl()}/_sim/qr/${config_id}`,
      scans: 0,
      createdAt: corp.now(),
      deleted: false,
    };
    corp.ways.set(config_id, w);
    return scene === 2 ? { config_id, qr_code: w.qr_code } : { config_id };
  },
  'externalcontact/get_contact_way': ({ corp, body }) => {
    const w = corp.ways.get(body?.config_id);
    if (!w || w.deleted) throw E.notFound('config_id');
    return { contact_way: wayJson(w) };
  },
  'externalcontact/list_contact_way': ({ corp, body }) => {
    const start = body?.start_time ? Number(body.start_time) * 1000 : corp.now() - 90 * 86400_000;
    const end = body?.end_time ? Number(body.end_time) * 1000 : corp.now();
    const ways = [...corp.ways.values()].filter(
      (w) => !w.deleted && w.createdAt >= start && w.createdAt <= end,
    );
    const { page, next_cursor } = cursorPage(ways, body?.cursor, body?.limit ?? 100, 1000);
    return { contact_way: page.map((w) => ({ config_id: w.config_id })), next_cursor };
  },
  'externalcontact/update_contact_way': ({ corp, body }) => {
    const w = corp.ways.get(body?.config_id);
    if (!w || w.deleted) throw E.notFound('config_id');
    if ('state' in body) w.state = checkState(body.state);
    if ('user' in body) {
      const user = checkUsers(corp, body.user);
      if (w.type === 1 && user.length !== 1) throw E.invalidParam('type 1 needs exactly one user');
      w.user = user;
    }
    if ('party' in body && Array.isArray(body.party)) w.party = body.party.map(Number);
    if ('remark' in body) w.remark = body.remark;
    if ('skip_verify' in body) w.skip_verify = body.skip_verify !== false;
    if ('style' in body) w.style = body.style;
    if ('expires_in' in body) w.expires_in = Number(body.expires_in);
    if ('chat_expires_in' in body) w.chat_expires_in = Number(body.chat_expires_in);
    if ('unionid' in body) w.unionid = body.unionid;
    if ('conclusions' in body) w.conclusions = body.conclusions;
    return {};
  },
  'externalcontact/del_contact_way': ({ corp, body }) => {
    const w = corp.ways.get(body?.config_id);
    if (!w || w.deleted) throw E.notFound('config_id');
    w.deleted = true;
    return {};
  },

  // ---- external contacts ----
  'externalcontact/list': ({ corp, query }) => {
    corp.contactStaff(query.userid);
    const ids = [...(corp.byStaff.get(query.userid) ?? [])];
    if (ids.length === 0) throw E.notExternalContact();
    return { external_userid: ids };
  },
  'externalcontact/get': ({ corp, query }) => {
    const c = corp.contact(query.external_userid);
    if (c.follows.size === 0) throw E.notExternalContact();
    const all = [...c.follows.values()];
    const { page, next_cursor } = cursorPage(all, query.cursor, 500, 500);
    return {
      external_contact: corp.externalContactJson(c),
      follow_user: page.map((f) => corp.followUserJson(f)),
      next_cursor,
    };
  },
  'externalcontact/batch/get_by_user': ({ corp, body }) => {
    const list: unknown = body?.userid_list ?? (body?.userid ? [body.userid] : undefined);
    if (!Array.isArray(list) || list.length === 0 || list.length > 100 || !list.every(str))
      throw E.invalidParam('userid_list must hold 1..100 userids');
    for (const u of list) {
      if (!corp.staff.has(u)) throw E.noUser(u);
      if (corp.contactScope && !corp.contactScope.has(u)) throw E.noPrivilege();
    }
    const rows = followRows(corp, list);
    const { page, next_cursor } = cursorPage(rows, body.cursor, body.limit ?? 50, 100);
    return {
      external_contact_list: page.map(([u, id]) => {
        const c = corp.contacts.get(id)!;
        const f = c.follows.get(u)!;
        const fu = corp.followUserJson(f);
        const { tags, ...rest } = fu;
        return {
          external_contact: corp.externalContactJson(c),
          follow_info: { ...rest, tag_id: tags.map((t) => t.tag_id) },
        };
      }),
      next_cursor,
    };
  },
  'externalcontact/remark': ({ corp, body }) => {
    const c = corp.contact(body?.external_userid);
    const f = c.follows.get(body?.userid);
    if (!f) throw E.notExternalContact();
    // WeCom's limits: remark ≤ 20 characters, description ≤ 150.
    if (str(body.remark) && [...body.remark].length > 20) throw E.invalidParam('remark ≤ 20 characters');
    if (str(body.description) && [...body.description].length > 150)
      throw E.invalidParam('description ≤ 150 characters');
    if (str(body.remark)) f.remark = body.remark;
    if (str(body.description)) f.description = body.description;
    if (str(body.remark_company)) f.remark_corp_name = body.remark_company;
    if (Array.isArray(body.remark_mobiles)) {
      if (body.remark_mobiles.length > 5) throw E.invalidParam('at most 5 remark_mobiles');
      f.remark_mobiles = body.remark_mobiles.map(String);
    }
    return {};
  },
  'externalcontact/send_welcome_msg': ({ corp, body }) => {
    const code = body?.welcome_code;
    const w = str(code) ? corp.welcomeCodes.get(code) : undefined;
    if (!w || w.used || corp.now() > w.expiresAt) throw E.invalidParam('invalid welcome_code');
    const text = body.text?.content;
    const attachments = checkMessage(corp, text, body.attachments);
    w.used = true;
    const chat = corp.chatOf(w.userid, w.external_userid);
    if (str(text)) chat.push({ from: 'staff', kind: 'text', text, at: corp.now() });
    for (const a of attachments) {
      const kind = String(a?.msgtype ?? 'unknown');
      const p = a?.[kind] ?? {};
      const label = p.title ?? p.pic_url ?? p.media_id ?? p.page ?? kind;
      // The chat shows what arrived: the uploaded image/file by its media id, links and mini-programs by title.
      chat.push({ from: 'staff', kind, text: String(label), at: corp.now(), payload: p });
    }
    return {};
  },
  /**
   * media/upload: multipart form-data with one `media` part; `type` image / voice / video / file. WeCom
   * answers {type, media_id, created_at} (created_at a string of seconds); the media lives 3 days.
   */
  'media/upload': ({ corp, query, body }) => {
    const type = String(query?.type ?? '');
    if (!['image', 'voice', 'video', 'file'].includes(type)) throw E.invalidParam('type');
    const raw = typeof body === 'string' ? body : '';
    if (!/name="media"/.test(raw) || raw.length < 10) throw E.invalidParam('media');
    const limit =
      type === 'image' ? 10 << 20 : type === 'voice' ? 2 << 20 : type === 'video' ? 10 << 20 : 20 << 20;
    if (raw.length > limit + 4096) throw new WeComError(40009, 'invalid media size');
    const media_id = `3${corp.ctx.id('', 63, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-')}`;
    const created_at = Math.floor(corp.now() / 1000);
    corp.media.set(media_id, { type, created_at, expiresAt: corp.now() + 3 * 86_400_000, bytes: raw.length });
    return { type, media_id, created_at: String(created_at) };
  },
};
