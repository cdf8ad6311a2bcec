// The simulator process: WeCom's HTTP surface (/cgi-bin/*), the token and rate-limit rules every call
// passes through, and the programmatic handle (WeComSimulator / SimCorp) tests and the demo drive.
import Fastify, { type FastifyInstance } from 'fastify';
import { contactHandlers, type Handler } from './api-contacts.ts';
import { addMember, createGroup, group, groupHandlers, joinViaWay, removeMember } from './api-groups.ts';
import { confirmMass, miscHandlers, openLink } from './api-misc.ts';
import { outreachHandlers } from './api-outreach.ts';
import { addTags, deleteTags, renameTagOrGroup, tagHandlers } from './api-tags.ts';
import { refuseTransfer, settleTransfers, TRANSFER_DELAY_MS, transferHandlers } from './api-transfer.ts';
import {
  type ArchiveSetup,
  archiveHandlers,
  archiveOf,
  registerArchiveSidecar,
  setAgreement,
  setupArchive,
} from './archive.ts';
import { CallbackDispatcher, type CallbackLogEntry, type CallbackTarget } from './callbacks.ts';
import { encrypt, signature } from './crypto.ts';
import { E, ERRMSG_HINT, WeComError } from './errors.ts';
import { jsapiHandlers } from './jsapi.ts';
import {
  type ChatMessage,
  type CorpInput,
  type SimContext,
  SimCorpState,
  type SimWeChatUser,
  type StaffInput,
} from './model.ts';
import { idMaker, mulberry32 } from './rand.ts';
import { registerSidebarHost } from './sidebar-host.ts';
import { registerWeb } from './web.ts';

export interface SimulatorOptions {
  host?: string;
  port?: number;
  /** Wall clock the simulator starts from (ms); advanceTime moves it on. */
  now?: () => number;
  /** 0..1: share of callbacks silently dropped. */
  lossRate?: number;
  seed?: number;
  /** How long a callback receiver may take to answer (WeCom: 5 s). */
  callbackTimeoutMs?: number;
  /** Real-time pause before a callback retry (default 1 s; tests use 0). */
  callbackRetryDelayMs?: number;
  /** Per corp per API (WeCom: 10,000 a minute, 150,000 an hour). */
  rateLimits?: { perMinute: number; perHour: number };
  /** How long transfers take to complete (WeCom: 24 h, the customer's window to refuse). */
  transferDelayMs?: number;
  /** Quiet: no request log. */
  logger?: boolean;
}

const TOKEN_TTL_S = 7200;
const WELCOME_TTL_MS = 20_000;

interface TokenRec {
  corpId: string;
  kind: 'contact' | 'app' | 'archive';
  expiresAt: number;
}

export function normaliseApi(api: string): string {
  return api.replace(/^\/?(cgi-bin\/)?/, '').replace(/\?.*$/, '');
}

export type TagEdit =
  | { action: 'create'; group_name: string; tags: string[] }
  | { action: 'update'; id: string; name: string }
  | { action: 'delete'; id: string };

export class SimCorp {
  readonly state: SimCorpState;
  private readonly sim: WeComSimulator;

  constructor(sim: WeComSimulator, state: SimCorpState) {
    this.sim = sim;
    this.state = state;
  }

  get corpId(): string {
    return this.state.corpId;
  }

  /** 管理工具 → 会话内容存档: the archive secret and the RSA public key (PEM) messages are keyed for. */
  setupChatArchive(setup: ArchiveSetup, opts: { requireConsent?: boolean } = {}): void {
    setupArchive(this.state, setup, opts);
  }

  /** The customer answers WeCom's archive notice in their chat with `userid` (同意 / 拒绝). */
  agreeToArchive(userid: string, external_userid: string, agree = true): void {
    setAgreement(this.state, userid, external_userid, agree);
  }

  setCallback(cb: CallbackTarget | undefined): void {
    if (cb && cb.encodingAESKey.length !== 43) throw new Error('EncodingAESKey must be 43 characters');
    this.state.callback = cb;
  }

  /** What WeCom does when an admin saves the callback URL: GET with an encrypted echostr. */
  async verifyCallbackUrl(): Promise<{ ok: boolean; status: number; body: string }> {
    const cb = this.state.callback;
    if (!cb) throw new Error('corp has no callback configured');
    const echo = String(Math.floor(this.sim.random() * 1e18));
    const enc = encrypt(cb.encodingAESKey, echo, this.corpId);
    const ts = String(Math.floor(Date.now() / 1000));
    const nonce = String(Math.floor(this.sim.random() * 1e10));
    const u = new URL(cb.url);
    u.searchParams.set('msg_signature', signature(cb.token, ts, nonce, enc));
    u.searchParams.set('timestamp', ts);
    u.searchParams.set('nonce', nonce);
    u.searchParams.set('echostr', enc);
    try {
      const res = await fetch(u, { signal: AbortSignal.timeout(5000) });
      const body = await res.text();
      return { ok: res.status === 200 && body.trim() === echo, status: res.status, body };
    } catch (e) {
      return { ok: false, status: 0, body: String((e as Error).message) };
    }
  }

  // ---- staff (通讯录) --------------------------------------------------------------------------------

  addStaff(s: StaffInput): void {
    if (this.state.staff.get(s.userid)?.status === 1) throw new Error(`${s.userid} exists`);
    this.state.putStaff(s);
    this.state.emit({
      Event: 'change_contact',
      ChangeType: 'create_user',
      UserID: s.userid,
      Name: s.name,
      Department: (s.department ?? [1]).join(','),
      Mobile: s.mobile,
      Position: s.position,
    });
  }

  updateStaff(userid: string, patch: Partial<Omit<StaffInput, 'userid'>>): void {
    const s = this.state.activeStaff(userid);
    Object.assign(s, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    this.state.emit({ Event: 'change_contact', ChangeType: 'update_user', UserID: userid, Name: s.name });
  }

  /** The staff member leaves: change_contact delete_user; their customers wait in get_unassigned_list. */
  async staffLeaves(userid: string): Promise<void> {
    const s = this.state.activeStaff(userid);
    s.status = 5;
    s.leftAt = this.sim.now();
    for (const g of this.state.groups.values()) if (g.owner === userid && !g.dismissed) g.status = 1;
    this.state.emit({ Event: 'change_contact', ChangeType: 'delete_user', UserID: userid });
  }

  /** Limits the 客户联系 permission to these staff (null: everyone); others get 60011 from those APIs. */
  setContactScope(userids: string[] | null): void {
    this.state.contactScope = userids ? new Set(userids) : undefined;
  }

  staffList() {
    return [...this.state.staff.values()].map((s) => ({
      ...s,
      customers: this.state.customerCount(s.userid),
    }));
  }

  // ---- WeChat users and contacts ---------------------------------------------------------------------

  wechatUser(u: {
    name: string;
    unionid?: string;
    mobile?: string;
    avatar?: string;
    gender?: 0 | 1 | 2;
    corpName?: string;
  }): SimWeChatUser {
    return this.sim.wechatUser(u);
  }

  contactWays() {
    return [...this.state.ways.values()]
      .filter((w) => !w.deleted)
      .map((w) => ({
        config_id: w.config_id,
        state: w.state,
        user: [...w.user],
        qr_code: w.qr_code,
        scans: w.scans,
        remark: w.remark,
        skip_verify: w.skip_verify,
      }));
  }

  private added(userid: string, user: SimWeChatUser, how: { state?: string; add_way: number }, half = false) {
    const added = this.state.befriend(userid, user, how);
    const external_userid = this.state.externalIdFor(user);
    if (added)
      this.state.emit({
        Event: 'change_external_contact',
        ChangeType: half ? 'add_half_external_contact' : 'add_external_contact',
        UserID: userid,
        ExternalUserID: external_userid,
        State: how.state,
        WelcomeCode: added.welcomeCode,
      });
    return { external_userid, userid };
  }

  /**
   * A WeChat user scans a 联系我 code: WeCom picks one of its staff (in turn), adds the friend and calls back
   * add_external_contact with State and WelcomeCode. A code without skip_verify leaves a friend request the
   * staff member must accept (staffAccepts); `half` plays WeCom's add_half_external_contact (added without
   * verification, the staff member has not yet added back).
   */
  async scan(
    qrCodeOrConfigId: string,
    user: SimWeChatUser,
    opts: { half?: boolean } = {},
  ): Promise<{ external_userid: string; userid: string }> {
    const way = this.state.findWay(qrCodeOrConfigId);
    way.scans++;
    const userid = this.state.pickStaff(way);
    if (!way.skip_verify && !opts.half) {
      this.state.pendingRequests.push({ userid, user, state: way.state, add_way: 1, half: false });
      return { external_userid: this.state.externalIdFor(user), userid };
    }
    if (opts.half)
      this.state.pendingRequests.push({ userid, user, state: way.state, add_way: 1, half: true });
    return this.added(userid, user, { state: way.state, add_way: 1 }, opts.half);
  }

  /** The staff member accepts a friend request (or adds back a half contact). */
  async staffAccepts(userid: string, user: SimWeChatUser): Promise<{ external_userid: string }> {
    const i = this.state.pendingRequests.findIndex((r) => r.userid === userid && r.user.id === user.id);
    if (i < 0) throw new Error('no pending friend request');
    const [r] = this.state.pendingRequests.splice(i, 1);
    if (!r.half) return this.added(userid, user, { state: r.state, add_way: r.add_way });
    const external_userid = this.state.externalIdFor(user);
    this.state.emit({
      Event: 'change_external_contact',
      ChangeType: 'add_external_contact',
      UserID: userid,
      ExternalUserID: external_userid,
      State: r.state,
    });
    return { external_userid };
  }

  pendingRequests() {
    return this.state.pendingRequests.map((r) => ({
      userid: r.userid,
      user: r.user,
      state: r.state,
      half: r.half,
    }));
  }

  /**
   * Bulk set-up for benchmarks and big tests: `count` new WeChat users become contacts of the given staff
   * (round robin) without callbacks, chats or welcome codes — as if they had been there before Kehu.
   */
  seedContacts(count: number, userids: string[], namePrefix = '客户'): string[] {
    for (const u of userids) this.state.activeStaff(u);
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const user = this.sim.wechatUser({ name: `${namePrefix}${i + 1}` });
      const r = this.state.befriend(userids[i % userids.length], user, { add_way: 1, silent: true });
      if (r) out.push(r.external_userid);
    }
    return out;
  }

  /** The customer adds the staff member by searching their phone / a shared card: no State. */
  async addFriendDirectly(userid: string, user: SimWeChatUser): Promise<{ external_userid: string }> {
    return this.added(userid, user, { add_way: 3 });
  }

  /**
   * The customer deletes the staff member (被删): del_follow_user. As in WeCom the staff member keeps the
   * customer (a one-way relation: get and batch/get_by_user still list it; messages to them fail).
   */
  async customerDeletesStaff(external_userid: string, userid: string): Promise<void> {
    if (!this.state.customerDeleted(external_userid, userid))
      throw new Error('not a contact of this staff member');
    this.state.emit({
      Event: 'change_external_contact',
      ChangeType: 'del_follow_user',
      UserID: userid,
      ExternalUserID: external_userid,
    });
  }

  /** The staff member deletes the customer: del_external_contact. */
  async staffDeletesCustomer(userid: string, external_userid: string): Promise<void> {
    if (!this.state.unfollow(external_userid, userid, 'staff_deleted'))
      throw new Error('not a contact of this staff member');
    this.state.emit({
      Event: 'change_external_contact',
      ChangeType: 'del_external_contact',
      UserID: userid,
      ExternalUserID: external_userid,
      Source: 'DELETE_BY_USER',
    });
  }

  /** The staff member edits the customer in their client (remark, phones, tags): edit_external_contact. */
  async staffEditsContact(
    userid: string,
    external_userid: string,
    patch: {
      remark?: string;
      description?: string;
      remark_mobiles?: string[];
      add_tag?: string[];
      remove_tag?: string[];
    },
  ): Promise<void> {
    const f = this.state.contact(external_userid).follows.get(userid);
    if (!f) throw new Error('not a contact of this staff member');
    if (patch.remark !== undefined) f.remark = patch.remark;
    if (patch.description !== undefined) f.description = patch.description;
    if (patch.remark_mobiles) f.remark_mobiles = [...patch.remark_mobiles];
    for (const id of patch.add_tag ?? []) {
      if (!this.state.tagName(id)) throw new Error(`no tag ${id}`);
      f.tags.add(id);
    }
    for (const id of patch.remove_tag ?? []) f.tags.delete(id);
    this.state.emit({
      Event: 'change_external_contact',
      ChangeType: 'edit_external_contact',
      UserID: userid,
      ExternalUserID: external_userid,
    });
  }

  /** The customer sends a chat message (shows in the simulator's chat; WeCom sends no callback for it). */
  customerSays(userid: string, external_userid: string, text: string): void {
    this.state
      .chatOf(userid, external_userid)
      .push({ from: 'customer', kind: 'text', text, at: this.sim.now() });
  }

  staffSays(userid: string, external_userid: string, text: string): void {
    this.state
      .chatOf(userid, external_userid)
      .push({ from: 'staff', kind: 'text', text, at: this.sim.now() });
  }

  chat(userid: string, external_userid: string): ChatMessage[] {
    return [...(this.state.chats.get(`${userid}|${external_userid}`) ?? [])];
  }

  externalContacts() {
    return [...this.state.contacts.values()]
      .filter((c) => c.follows.size > 0)
      .map((c) => ({
        external_userid: c.external_userid,
        name: c.user.name,
        unionid: c.user.unionid,
        follow_users: [...c.follows.values()].map((f) => ({
          userid: f.userid,
          remark: f.remark || undefined,
          tags: [...f.tags],
          state: f.state,
          remark_mobiles: f.remark_mobiles,
          customerDeleted: f.deletedByCustomer === true,
        })),
      }));
  }

  externalUseridOf(user: SimWeChatUser): string | undefined {
    return this.state.externalIds.get(user.id);
  }

  // ---- tags ------------------------------------------------------------------------------------------

  corpTags() {
    return this.state.tagGroups.map((g) => ({
      group_id: g.group_id,
      group_name: g.group_name,
      tag: g.tag.map((t) => ({ id: t.id, name: t.name })),
    }));
  }

  /** A corp admin edits tags in WeCom's console: change_external_tag callbacks (API edits send none). */
  async editTagInWeCom(op: TagEdit): Promise<{ ids: string[] }> {
    const s = this.state;
    if (op.action === 'create') {
      const r = addTags(
        s,
        { group_name: op.group_name },
        op.tags.map((name) => ({ name })),
      );
      if (r.createdGroup)
        s.emit({
          Event: 'change_external_tag',
          Id: r.group.group_id,
          TagType: 'tag_group',
          ChangeType: 'create',
        });
      else
        for (const id of r.created)
          s.emit({ Event: 'change_external_tag', Id: id, TagType: 'tag', ChangeType: 'create' });
      return { ids: r.created };
    }
    if (op.action === 'update') {
      const type = renameTagOrGroup(s, op.id, op.name);
      s.emit({ Event: 'change_external_tag', Id: op.id, TagType: type, ChangeType: 'update' });
      return { ids: [op.id] };
    }
    const isGroup = s.tagGroups.some((g) => g.group_id === op.id);
    const groupOfTag = s.tagGroups.find((g) => g.tag.some((t) => t.id === op.id));
    deleteTags(s, isGroup ? [] : [op.id], isGroup ? [op.id] : []);
    // Deleting the last tag of a group removes the group: WeCom reports the group.
    const groupGone = groupOfTag && !s.tagGroups.includes(groupOfTag);
    s.emit({
      Event: 'change_external_tag',
      Id: isGroup || groupGone ? (isGroup ? op.id : groupOfTag!.group_id) : op.id,
      TagType: isGroup || groupGone ? 'tag_group' : 'tag',
      ChangeType: 'delete',
    });
    return { ids: [op.id] };
  }

  // ---- groups ----------------------------------------------------------------------------------------

  async createGroup(
    owner: string,
    name: string,
    members: SimWeChatUser[] = [],
  ): Promise<{ chat_id: string }> {
    const g = createGroup(this.state, owner, name);
    for (const m of members) {
      const ext = this.state.externalIdFor(m);
      g.members.set(ext, {
        userid: ext,
        type: 2,
        unionid: m.unionid,
        name: m.name,
        join_time: g.create_time,
        join_scene: 1,
        invitor: owner,
      });
    }
    return { chat_id: g.chat_id };
  }

  async joinGroup(chatId: string, user: SimWeChatUser, scene = 1): Promise<void> {
    addMember(this.state, group(this.state, chatId), { user }, scene);
  }

  async staffJoinsGroup(chatId: string, userid: string): Promise<void> {
    addMember(this.state, group(this.state, chatId), { userid }, 1);
  }

  async leaveGroup(chatId: string, user: SimWeChatUser, removedByOwner = false): Promise<void> {
    const ext = this.state.externalIdFor(user);
    removeMember(this.state, group(this.state, chatId), ext, removedByOwner ? 1 : 0);
  }

  async dismissGroup(chatId: string): Promise<void> {
    const g = group(this.state, chatId);
    g.dismissed = true;
    this.state.emit({ Event: 'change_external_chat', ChatId: chatId, ChangeType: 'dismiss' });
  }

  async renameGroup(chatId: string, name: string): Promise<void> {
    const g = group(this.state, chatId);
    g.name = name;
    this.state.emit({
      Event: 'change_external_chat',
      ChatId: chatId,
      ChangeType: 'update',
      UpdateDetail: 'change_name',
    });
  }

  groupSay(chatId: string, from: string, text: string): void {
    group(this.state, chatId).messages.push({ from, text, at: this.sim.now() });
  }

  /** A WeChat user scans a group join code (加入群聊): the first group with room, or a new one. */
  async scanJoinWay(configIdOrQr: string, user: SimWeChatUser): Promise<{ chat_id: string }> {
    const w = [...this.state.joinWays.values()].find(
      (x) => !x.deleted && (x.config_id === configIdOrQr || x.qr_code === configIdOrQr),
    );
    if (!w) throw new Error('no such join way');
    return { chat_id: joinViaWay(this.state, w, user).chat_id };
  }

  groups() {
    return [...this.state.groups.values()]
      .filter((g) => !g.dismissed)
      .map((g) => ({
        chat_id: g.chat_id,
        name: g.name,
        owner: g.owner,
        status: g.status,
        members: [...g.members.values()].map((m) => ({ ...m })),
      }));
  }

  // ---- transfers -------------------------------------------------------------------------------------

  transferResults() {
    settleTransfers(this.state);
    return this.state.transfers.map((t) => ({
      kind: t.kind,
      handover_userid: t.handover_userid,
      takeover_userid: t.takeover_userid,
      external_userid: t.external_userid,
      status: t.status,
      takeover_time: t.takeover_time,
    }));
  }

  /** The customer refuses an in-service transfer within its 24 h: status 3 and a transfer_fail callback. */
  async customerRefusesTransfer(external_userid: string): Promise<void> {
    refuseTransfer(this.state, external_userid);
  }

  setMaxCustomersPerStaff(n: number): void {
    this.state.maxCustomersPerStaff = n;
  }

  // ---- 获客助手 --------------------------------------------------------------------------------------

  acquisitionLinks() {
    return [...this.state.links.values()]
      .filter((l) => !l.deleted)
      .map((l) => ({
        link_id: l.link_id,
        link_name: l.link_name,
        url: l.url,
        user_list: [...l.user_list],
        customers: l.customers.length,
      }));
  }

  /** A WeChat user opens a 获客链接 URL (with Kehu's ?customer_channel=…) and adds the staff member. */
  async openAcquisitionLink(
    urlOrLinkId: string,
    user: SimWeChatUser,
  ): Promise<{ external_userid: string; userid: string }> {
    let id = urlOrLinkId;
    let channel: string | undefined;
    if (/^https?:/.test(urlOrLinkId)) {
      const u = new URL(urlOrLinkId);
      id = u.pathname.split('/').pop() ?? '';
      channel = u.searchParams.get('customer_channel') ?? undefined;
    }
    const link = this.state.links.get(id);
    if (!link) throw new Error('no such link');
    return openLink(this.state, link, user, channel);
  }

  setAcquisitionQuota(q: { total?: number; balance?: number; lowThreshold?: number }): void {
    Object.assign(this.state.acquisition, q);
    if (q.balance !== undefined && q.balance > this.state.acquisition.lowThreshold)
      this.state.acquisition.lowNotified = false;
  }

  // ---- 群发 ------------------------------------------------------------------------------------------

  /** Mass messages waiting for staff to confirm in their client. */
  pendingMassMessages(userid?: string) {
    return [...this.state.msgTemplates.values()].flatMap((m) =>
      [...m.tasks.entries()]
        .filter(([u, t]) => !m.cancelled && t.status === 0 && (!userid || u === userid))
        .map(([u, t]) => ({
          msgid: m.msgid,
          chat_type: m.chat_type,
          userid: u,
          text: m.text,
          targets: [...t.targets],
          create_time: m.create_time,
        })),
    );
  }

  async confirmMassMessage(msgid: string, userid: string): Promise<void> {
    const m = this.state.msgTemplates.get(msgid);
    if (!m) throw new Error('no such mass message');
    confirmMass(this.state, m, userid);
  }

  // ---- clock, failures, login ------------------------------------------------------------------------

  advanceTime(ms: number): Promise<void> {
    return this.sim.advanceTime(ms);
  }

  /** How many calls of an API (e.g. 'gettoken') reached this corp, optionally for one secret kind. */
  apiCalls(api: string, kind?: 'contact' | 'app'): number {
    return this.sim.calls.get(`${this.corpId}|${normaliseApi(api)}${kind ? `|${kind}` : ''}`) ?? 0;
  }

  failNext(api: string, errcode: number, times = 1): void {
    this.sim.failures.set(`${this.corpId}|${normaliseApi(api)}`, { errcode, times });
  }

  /** What scanning the web-login QR yields: a one-time code for auth/getuserinfo (valid 5 minutes). */
  oauthCode(userid: string): string {
    this.state.activeStaff(userid);
    const code = this.sim.id('', 64, '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-');
    this.sim.ctx.oauthCodes.set(code, { corpId: this.corpId, userid, expiresAt: this.sim.now() + 300_000 });
    return code;
  }

  callbacksLog(): CallbackLogEntry[] {
    return this.sim.callbacksLog(this.corpId);
  }
}

export class WeComSimulator {
  url = '';
  readonly app: FastifyInstance;
  readonly corps = new Map<string, SimCorp>();
  readonly tokens = new Map<string, TokenRec>();
  readonly corpTokens = new Map<string, string>();
  readonly failures = new Map<string, { errcode: number; times: number }>();
  readonly counters = new Map<string, { minute: number; m: number; hour: number; h: number }>();
  readonly random: () => number;
  readonly id: (prefix: string, len: number, alphabet?: string) => string;
  readonly callbacks: CallbackDispatcher;
  readonly ctx: SimContext;
  readonly handlers: Record<string, Handler>;
  rateLimits: { perMinute: number; perHour: number };
  private offset = 0;
  private readonly baseNow: () => number;
  private readonly timeListeners: Array<() => void | Promise<void>> = [];

  constructor(opts: SimulatorOptions = {}) {
    this.baseNow = opts.now ?? Date.now;
    this.random = mulberry32(opts.seed ?? 20261206);
    this.id = idMaker(this.random);
    this.rateLimits = opts.rateLimits ?? { perMinute: 10_000, perHour: 150_000 };
    this.callbacks = new CallbackDispatcher({
      timeoutMs: opts.callbackTimeoutMs ?? 5000,
      retryDelayMs: opts.callbackRetryDelayMs ?? 1000,
      retries: 3,
      random: this.random,
      now: () => this.now(),
      lossRate: opts.lossRate ?? 0,
    });
    this.ctx = {
      clock: { now: () => this.now() },
      random: this.random,
      id: this.id,
      callbacks: this.callbacks,
      baseUrl: () => this.url,
      wechatUsers: new Map(),
      welcomeTtlMs: WELCOME_TTL_MS,
      transferDelayMs: opts.transferDelayMs ?? TRANSFER_DELAY_MS,
      oauthCodes: new Map(),
    };
    this.handlers = {
      ...contactHandlers,
      ...tagHandlers,
      ...groupHandlers,
      ...transferHandlers,
      ...miscHandlers,
      ...archiveHandlers,
      ...jsapiHandlers,
      ...outreachHandlers,
    };
    this.app = Fastify({ logger: opts.logger ?? false });
    this.routes();
  }

  now(): number {
    return this.baseNow() + this.offset;
  }

  onTimeAdvanced(fn: () => void | Promise<void>): void {
    this.timeListeners.push(fn);
  }

  async advanceTime(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new Error('time only moves forward');
    this.offset += ms;
    for (const c of this.corps.values()) settleTransfers(c.state);
    for (const fn of this.timeListeners) await fn();
  }

  setLossRate(rate: number): void {
    if (!(rate >= 0 && rate <= 1)) throw new Error('lossRate must be within 0..1');
    this.callbacks.opts.lossRate = rate;
  }

  callbacksLog(corpId?: string): CallbackLogEntry[] {
    return this.callbacks.log.filter((e) => !corpId || e.corpId === corpId);
  }

  flushCallbacks(): Promise<void> {
    return this.callbacks.flush();
  }

  addCorp(c: CorpInput): SimCorp {
    if (this.corps.has(c.corpId)) throw new Error(`corp ${c.corpId} exists`);
    if (c.callback && c.callback.encodingAESKey.length !== 43)
      throw new Error('EncodingAESKey must be 43 characters');
    const corp = new SimCorp(this, new SimCorpState(this.ctx, c));
    this.corps.set(c.corpId, corp);
    return corp;
  }

  corp(corpId: string): SimCorp {
    const c = this.corps.get(corpId);
    if (!c) throw new Error(`no corp ${corpId}`);
    return c;
  }

  wechatUser(u: {
    name: string;
    unionid?: string;
    mobile?: string;
    avatar?: string;
    gender?: 0 | 1 | 2;
    corpName?: string;
  }): SimWeChatUser {
    const id = this.id('u', 12);
    const user: SimWeChatUser = {
      id,
      name: u.name,
      unionid: u.unionid ?? this.id('o', 28),
      mobile: u.mobile,
      avatar: u.avatar ?? `${this.url}/_sim/avatar/${id}.svg`,
      gender: u.gender ?? 0,
      corpName: u.corpName,
    };
    this.ctx.wechatUsers.set(id, user);
    return user;
  }

  // ---- token, limits, failure injection -----------------------------------------------------------------

  issueToken(corpId: string, kind: 'contact' | 'app' | 'archive'): { token: string; expires_in: number } {
    const key = `${corpId}|${kind}`;
    const existing = this.corpTokens.get(key);
    const rec = existing ? this.tokens.get(existing) : undefined;
    // Like WeCom: asking again while the token is valid returns the same token with its remaining life.
    if (existing && rec && rec.expiresAt > this.now())
      return { token: existing, expires_in: Math.floor((rec.expiresAt - this.now()) / 1000) };
    const token = this.id('', 64, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
    this.tokens.set(token, { corpId, kind, expiresAt: this.now() + TOKEN_TTL_S * 1000 });
    this.corpTokens.set(key, token);
    return { token, expires_in: TOKEN_TTL_S };
  }

  /** Counts the call against the corp's per-API windows; true when over the limit. */
  overLimit(corpId: string, api: string): boolean {
    const key = `${corpId}|${api}`;
    const minute = Math.floor(this.now() / 60_000);
    const hour = Math.floor(this.now() / 3_600_000);
    let c = this.counters.get(key);
    if (!c) {
      c = { minute, m: 0, hour, h: 0 };
      this.counters.set(key, c);
    }
    if (c.minute !== minute) {
      c.minute = minute;
      c.m = 0;
    }
    if (c.hour !== hour) {
      c.hour = hour;
      c.h = 0;
    }
    c.m++;
    c.h++;
    return c.m > this.rateLimits.perMinute || c.h > this.rateLimits.perHour;
  }

  private takeFailure(corpId: string, api: string): number | undefined {
    const key = `${corpId}|${api}`;
    const f = this.failures.get(key);
    if (!f) return undefined;
    if (--f.times <= 0) this.failures.delete(key);
    return f.errcode;
  }

  private auth(query: Record<string, string>): TokenRec {
    const t = query.access_token;
    if (!t) throw E.missingToken();
    const rec = this.tokens.get(t);
    if (!rec) throw E.invalidToken();
    if (rec.expiresAt <= this.now()) throw E.expiredToken();
    return rec;
  }

  /** Calls that reached a corp (a valid secret or token), by API: what tests count (one gettoken …). */
  readonly calls = new Map<string, number>();

  private countCall(corpId: string, api: string, kind: 'contact' | 'app' | 'archive') {
    for (const key of [`${corpId}|${api}`, `${corpId}|${api}|${kind}`])
      this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }

  async call(api: string, query: Record<string, string>, body: unknown): Promise<Record<string, unknown>> {
    try {
      if (api === 'gettoken') {
        const corp = this.corps.get(query.corpid);
        if (!corp) throw E.invalidCorpId();
        const kind =
          query.corpsecret === corp.state.contactSecret
            ? 'contact'
            : corp.state.appSecret && query.corpsecret === corp.state.appSecret
              ? 'app'
              : archiveOf(corp.state) && query.corpsecret === archiveOf(corp.state)!.setup.secret
                ? 'archive'
                : undefined;
        if (!kind) throw E.invalidCredential();
        this.countCall(corp.corpId, api, kind);
        const injected = this.takeFailure(corp.corpId, api);
        if (injected) throw new WeComError(injected, 'injected failure');
        const t = this.issueToken(corp.corpId, kind);
        return { errcode: 0, errmsg: 'ok', access_token: t.token, expires_in: t.expires_in };
      }
      const handler = this.handlers[api];
      if (!handler) return { errcode: 404, errmsg: `api not found in the simulator: ${api}` };
      const tok = this.auth(query);
      const corp = this.corps.get(tok.corpId)!;
      this.countCall(corp.corpId, api, tok.kind);
      if (this.overLimit(corp.corpId, api)) throw E.frequency();
      const injected = this.takeFailure(corp.corpId, api);
      if (injected) throw new WeComError(injected, 'injected failure');
      const out = await handler({ corp: corp.state, query, body, kind: tok.kind });
      return { errcode: 0, errmsg: 'ok', ...out };
    } catch (e) {
      if (e instanceof WeComError)
        return {
          errcode: e.errcode,
          errmsg: ERRMSG_HINT(e.errcode, e.message, this.id('', 22, '0123456789abcdef')),
        };
      throw e;
    }
  }

  private routes() {
    const app = this.app;
    // WeCom reads the body as JSON whatever the content type says.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    app.all('/cgi-bin/*', async (req, reply) => {
      const api = normaliseApi((req.params as { '*': string })['*']);
      let body: unknown;
      const raw = req.body;
      // media/upload is multipart form-data, not JSON: the handler reads the raw body.
      if (api === 'media/upload')
        return reply.send(await this.call(api, req.query as Record<string, string>, raw));
      if (typeof raw === 'string' && raw.trim() !== '') {
        try {
          body = JSON.parse(raw);
        } catch {
          return reply.send({ errcode: 47001, errmsg: ERRMSG_HINT(47001, 'data format error', 'json') });
        }
      }
      return reply.send(await this.call(api, req.query as Record<string, string>, body));
    });
    registerWeb(app, this);
    registerArchiveSidecar(app, () => this.corps.values());
    registerSidebarHost(app, this);
  }

  async listen(host: string, port: number): Promise<void> {
    const addr = await this.app.listen({ host, port });
    // Bound to every interface: hand out the loopback address, which always reaches it.
    this.url = addr.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//127.0.0.1:');
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}
