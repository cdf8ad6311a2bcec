// The simulator's state: one SimCorp per corp (staff, external contacts, contact ways, tags, groups,
// transfers, chats) and the WeChat users who exist outside any corp. Mutations a person makes in WeCom
// (scan, delete, leave, an admin editing tags) send the callbacks WeCom would; mutations made through the
// API do not (WeCom does not call an app back for its own API changes).
import type { CallbackDispatcher, CallbackTarget } from './callbacks.ts';
import { eventXml, type XmlValue } from './crypto.ts';
import { E } from './errors.ts';

export interface Clock {
  now(): number;
}

export interface StaffInput {
  userid: string;
  name: string;
  mobile?: string;
  department?: number[];
  position?: string;
  gender?: 0 | 1 | 2;
}

export interface Staff {
  userid: string;
  name: string;
  mobile?: string;
  department: number[];
  position?: string;
  gender: 0 | 1 | 2;
  /** 1 active, 5 left the company (WeCom's status values). */
  status: 1 | 5;
  leftAt?: number;
}

export interface SimWeChatUser {
  /** The simulator's own handle for this person (not a WeCom id). */
  id: string;
  name: string;
  unionid: string;
  mobile?: string;
  avatar: string;
  gender: 0 | 1 | 2;
  corpName?: string;
}

export interface Follow {
  userid: string;
  remark: string;
  description: string;
  createtime: number;
  tags: Set<string>;
  state?: string;
  remark_mobiles: string[];
  remark_corp_name: string;
  /** 0 unknown, 1 scanned a QR code, 3 added via card, 201 transferred in … (WeCom's add_way values). */
  add_way: number;
  oper_userid: string;
  /** The customer deleted the staff member (被删). WeCom keeps the one-way relation: the staff member
   *  still has the customer, get/batch still list it; only del_external_contact ends it. */
  deletedByCustomer?: boolean;
}

export interface ExternalContact {
  external_userid: string;
  user: SimWeChatUser;
  follows: Map<string, Follow>;
}

export interface ContactWay {
  config_id: string;
  type: 1 | 2;
  scene: 1 | 2;
  style?: number;
  remark?: string;
  skip_verify: boolean;
  state?: string;
  user: string[];
  party: number[];
  is_temp: boolean;
  expires_in?: number;
  chat_expires_in?: number;
  unionid?: string;
  conclusions?: unknown;
  qr_code: string;
  scans: number;
  createdAt: number;
  deleted: boolean;
}

export interface ChatMessage {
  from: 'staff' | 'customer' | 'system';
  kind: string;
  text?: string;
  at: number;
  payload?: unknown;
}

export interface TagGroup {
  group_id: string;
  group_name: string;
  create_time: number;
  order: number;
  tag: Array<{ id: string; name: string; create_time: number; order: number }>;
}

export interface GroupMember {
  /** Staff userid (type 1) or this corp's external_userid (type 2). */
  userid: string;
  type: 1 | 2;
  unionid?: string;
  name: string;
  join_time: number;
  /** 1 invited directly, 2 via a link, 3 via a QR code (WeCom's join_scene). */
  join_scene: number;
  invitor?: string;
  state?: string;
}

export interface Group {
  chat_id: string;
  name: string;
  owner: string;
  create_time: number;
  notice: string;
  admin_list: string[];
  members: Map<string, GroupMember>;
  member_version: number;
  /** 0 normal, 1 owner left (awaiting transfer), 2 transfer under way, 3 transfer done (WeCom's status). */
  status: 0 | 1 | 2 | 3;
  dismissed: boolean;
  messages: Array<{ from: string; at: number; text: string }>;
}

export interface JoinWay {
  config_id: string;
  scene: 1 | 2;
  remark?: string;
  auto_create_room: 0 | 1;
  room_base_name?: string;
  room_base_id?: number;
  chat_id_list: string[];
  state?: string;
  qr_code: string;
  deleted: boolean;
}

export interface Transfer {
  kind: 'onjob' | 'resigned';
  handover_userid: string;
  takeover_userid: string;
  external_userid: string;
  /** 1 done, 2 waiting, 3 customer refused, 4 takeover at customer limit (WeCom's transfer statuses). */
  status: 1 | 2 | 3 | 4;
  takeover_time: number;
  /** When WeCom completes it (the customer has 24 h to refuse). */
  dueAt: number;
  transfer_success_msg?: string;
}

export interface AcquisitionLink {
  link_id: string;
  link_name: string;
  url: string;
  create_time: number;
  skip_verify: boolean;
  user_list: string[];
  department_list: number[];
  deleted: boolean;
  customers: Array<{ external_userid: string; userid: string; chat_status: number; state?: string }>;
}

export interface MsgTemplate {
  msgid: string;
  chat_type: 'single' | 'group';
  sender?: string;
  create_time: number;
  text?: string;
  attachments: unknown[];
  /** Per staff: 0 not yet sent, 2 sent (WeCom's task status). */
  tasks: Map<string, { status: 0 | 2; send_time?: number; targets: string[] }>;
  creator: string;
  create_type: 0 | 1;
  /** cancel_groupmsg_send: parts not yet sent never go out. */
  cancelled?: boolean;
  reminders?: number[];
}

export interface ContactFact {
  kind: 'add' | 'customer_deleted' | 'staff_deleted';
  userid: string;
  external_userid: string;
  at: number;
}

export interface Department {
  id: number;
  name: string;
  parentid: number;
  order: number;
}

export interface SimContext {
  clock: Clock;
  random: () => number;
  id: (prefix: string, len: number, alphabet?: string) => string;
  callbacks: CallbackDispatcher;
  baseUrl: () => string;
  wechatUsers: Map<string, SimWeChatUser>;
  welcomeTtlMs: number;
  /** How long WeCom takes to complete a transfer (24 h: the customer's window to refuse). */
  transferDelayMs: number;
  oauthCodes: Map<string, { corpId: string; userid: string; expiresAt: number; used?: boolean }>;
}

export interface CorpInput {
  corpId: string;
  name?: string;
  contactSecret: string;
  appSecret?: string;
  agentId?: number;
  callback?: CallbackTarget;
  staff?: StaffInput[];
  departments?: Department[];
}

const sec = (ms: number) => Math.floor(ms / 1000);

export class SimCorpState {
  readonly corpId: string;
  name: string;
  contactSecret: string;
  appSecret?: string;
  agentId: number;
  callback?: CallbackTarget;
  readonly staff = new Map<string, Staff>();
  departments: Department[];
  readonly contacts = new Map<string, ExternalContact>();
  /** WeChat user id → this corp's external_userid (stable per corp, like WeCom). */
  readonly externalIds = new Map<string, string>();
  readonly ways = new Map<string, ContactWay>();
  /** Temporary media (media/upload): valid 3 days, like WeCom's. */
  readonly media = new Map<string, { type: string; created_at: number; expiresAt: number; bytes: number }>();
  readonly welcomeCodes = new Map<
    string,
    { userid: string; external_userid: string; expiresAt: number; used: boolean }
  >();
  readonly chats = new Map<string, ChatMessage[]>();
  tagGroups: TagGroup[] = [];
  readonly groups = new Map<string, Group>();
  readonly joinWays = new Map<string, JoinWay>();
  readonly transfers: Transfer[] = [];
  /** external_userid|handover → in-service transfer times, for the 2-per-90-days rule. */
  readonly onjobTransferTimes = new Map<string, number[]>();
  readonly links = new Map<string, AcquisitionLink>();
  acquisition = { total: 1000, balance: 1000, lowThreshold: 100, lowNotified: false };
  readonly msgTemplates = new Map<string, MsgTemplate>();
  readonly facts: ContactFact[] = [];
  /** Friend requests waiting for the staff member (contact ways without skip_verify). */
  readonly pendingRequests: Array<{
    userid: string;
    user: SimWeChatUser;
    state?: string;
    add_way: number;
    half: boolean;
  }> = [];
  /** Most customers one staff member may hold (WeCom caps it; transfers beyond it end with status 4). */
  maxCustomersPerStaff = 50_000;
  readonly ctx: SimContext;
  private rotation = new Map<string, number>();
  /** userid → their external_userids, in the order they were added (what batch/get_by_user pages over). */
  readonly byStaff = new Map<string, Set<string>>();
  /** Bumped on every follow change, so listings can cache their row order between pages. */
  followVersion = 0;

  link(userid: string, external_userid: string): void {
    let set = this.byStaff.get(userid);
    if (!set) {
      set = new Set();
      this.byStaff.set(userid, set);
    }
    set.add(external_userid);
    this.followVersion++;
  }

  unlink(userid: string, external_userid: string): void {
    this.byStaff.get(userid)?.delete(external_userid);
    this.followVersion++;
  }

  constructor(ctx: SimContext, c: CorpInput) {
    this.ctx = ctx;
    this.corpId = c.corpId;
    this.name = c.name ?? c.corpId;
    this.contactSecret = c.contactSecret;
    this.appSecret = c.appSecret;
    this.agentId = c.agentId ?? 1000002;
    this.callback = c.callback;
    this.departments = c.departments ?? [{ id: 1, name: this.name, parentid: 0, order: 100000000 }];
    for (const s of c.staff ?? []) this.putStaff(s);
  }

  now(): number {
    return this.ctx.clock.now();
  }

  // ---- callbacks -------------------------------------------------------------------------------------

  emit(fields: Record<string, XmlValue>) {
    const all = {
      ToUserName: this.corpId,
      FromUserName: 'sys',
      CreateTime: sec(this.now()),
      MsgType: 'event',
      ...fields,
    };
    return this.ctx.callbacks.send(this.corpId, this.agentId, this.callback, all, eventXml(all));
  }

  // ---- staff -----------------------------------------------------------------------------------------

  putStaff(s: StaffInput): Staff {
    const staff: Staff = {
      userid: s.userid,
      name: s.name,
      mobile: s.mobile,
      department: s.department ?? [1],
      position: s.position,
      gender: s.gender ?? 0,
      status: 1,
    };
    this.staff.set(s.userid, staff);
    return staff;
  }

  /** Staff with the 客户联系 permission; undefined = everyone (the default). */
  contactScope?: Set<string>;

  /** A staff member an external-contact API may name: exists, employed, and in the 客户联系 scope. */
  contactStaff(userid: string): Staff {
    const s = this.activeStaff(userid);
    if (this.contactScope && !this.contactScope.has(userid)) throw E.noPrivilege();
    return s;
  }

  activeStaff(userid: string): Staff {
    const s = this.staff.get(userid);
    if (s?.status !== 1) throw E.noUser(userid);
    return s;
  }

  // ---- external contacts -----------------------------------------------------------------------------

  externalIdFor(user: SimWeChatUser): string {
    let id = this.externalIds.get(user.id);
    if (!id) {
      id = this.ctx.id('wm', 32, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
      this.externalIds.set(user.id, id);
      this.contacts.set(id, { external_userid: id, user, follows: new Map() });
    }
    return id;
  }

  contact(external_userid: string): ExternalContact {
    if (typeof external_userid !== 'string' || !external_userid) throw E.invalidExternalUserId();
    const c = this.contacts.get(external_userid);
    if (!c) throw E.invalidExternalUserId();
    return c;
  }

  chatOf(userid: string, external_userid: string): ChatMessage[] {
    const key = `${userid}|${external_userid}`;
    let c = this.chats.get(key);
    if (!c) {
      c = [];
      this.chats.set(key, c);
    }
    return c;
  }

  /** Makes `user` a contact of `userid`; returns undefined when they already were (WeCom sends nothing then). */
  befriend(
    userid: string,
    user: SimWeChatUser,
    how: { state?: string; add_way: number; oper_userid?: string; silent?: boolean },
  ): { external_userid: string; welcomeCode: string } | undefined {
    this.activeStaff(userid);
    const external_userid = this.externalIdFor(user);
    const c = this.contacts.get(external_userid)!;
    const existing = c.follows.get(userid);
    if (existing && !existing.deletedByCustomer) return undefined;
    // A customer who had deleted the staff member adds them again: a new add, with the new state.
    if (existing) c.follows.delete(userid);
    c.follows.set(userid, {
      userid,
      remark: '',
      description: '',
      createtime: sec(this.now()),
      tags: new Set(),
      state: how.state,
      remark_mobiles: [],
      remark_corp_name: '',
      add_way: how.add_way,
      oper_userid: how.oper_userid ?? external_userid,
      ...(existing
        ? {
            remark: existing.remark,
            description: existing.description,
            tags: existing.tags,
            remark_mobiles: existing.remark_mobiles,
          }
        : {}),
    });
    this.link(userid, external_userid);
    if (how.silent) return { external_userid, welcomeCode: '' };
    const welcomeCode = this.ctx.id(
      '',
      43,
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-',
    );
    this.welcomeCodes.set(welcomeCode, {
      userid,
      external_userid,
      expiresAt: this.now() + this.ctx.welcomeTtlMs,
      used: false,
    });
    this.facts.push({ kind: 'add', userid, external_userid, at: this.now() });
    this.chatOf(userid, external_userid).push({
      from: 'system',
      kind: 'system',
      text: `${user.name} 已添加你为联系人`,
      at: this.now(),
    });
    return { external_userid, welcomeCode };
  }

  customerCount(userid: string): number {
    return this.byStaff.get(userid)?.size ?? 0;
  }

  /** The customer deletes the staff member; false when they were no (two-way) contact. */
  customerDeleted(external_userid: string, userid: string): boolean {
    const f = this.contact(external_userid).follows.get(userid);
    if (!f || f.deletedByCustomer) return false;
    f.deletedByCustomer = true;
    this.facts.push({ kind: 'customer_deleted', userid, external_userid, at: this.now() });
    return true;
  }

  /** Ends a follow relation; returns false when there was none. */
  unfollow(external_userid: string, userid: string, kind: 'staff_deleted'): boolean {
    const c = this.contact(external_userid);
    if (!c.follows.delete(userid)) return false;
    this.unlink(userid, external_userid);
    this.facts.push({ kind, userid, external_userid, at: this.now() });
    return true;
  }

  pickStaff(way: ContactWay): string {
    const candidates = way.user.filter((u) => this.staff.get(u)?.status === 1);
    if (candidates.length === 0) throw E.invalidParam('no active staff on this contact way');
    const n = this.rotation.get(way.config_id) ?? 0;
    this.rotation.set(way.config_id, n + 1);
    return candidates[n % candidates.length];
  }

  findWay(qrOrConfigId: string): ContactWay {
    for (const w of this.ways.values())
      if (!w.deleted && (w.config_id === qrOrConfigId || w.qr_code === qrOrConfigId)) {
        // A temporary (临时会话) code stops working expires_in seconds after it was created.
        if (w.is_temp && this.now() > w.createdAt + (w.expires_in ?? 0) * 1000)
          throw E.invalidParam('this temporary contact way has expired');
        return w;
      }
    throw E.notFound('contact way');
  }

  tagName(id: string): { group_name: string; tag_name: string } | undefined {
    for (const g of this.tagGroups)
      for (const t of g.tag) if (t.id === id) return { group_name: g.group_name, tag_name: t.name };
    return undefined;
  }

  followUserJson(f: Follow) {
    return {
      userid: f.userid,
      remark: f.remark,
      description: f.description,
      createtime: f.createtime,
      tags: [...f.tags].flatMap((id) => {
        const n = this.tagName(id);
        return n ? [{ group_name: n.group_name, tag_name: n.tag_name, tag_id: id, type: 1 }] : [];
      }),
      remark_corp_name: f.remark_corp_name,
      remark_mobiles: f.remark_mobiles,
      oper_userid: f.oper_userid,
      add_way: f.add_way,
      ...(f.state ? { state: f.state } : {}),
    };
  }

  externalContactJson(c: ExternalContact) {
    return {
      external_userid: c.external_userid,
      name: c.user.name,
      avatar: c.user.avatar,
      type: 1,
      gender: c.user.gender,
      unionid: c.user.unionid,
      ...(c.user.corpName ? { corp_name: c.user.corpName } : {}),
    };
  }
}
