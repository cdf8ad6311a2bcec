// The simulator process: WeCom's HTTP surface (/cgi-bin/*), the token and rate-limit rules every call
// passes through, and the programmatic handle (WeComSimulator / SimCorp) tests and the demo drive.
import Fastify, { type FastifyInstance } from 'fastify';
import { contactHandlers, type Handler } from './api-contacts.ts';
import { CallbackDispatcher, type CallbackLogEntry, type CallbackTarget } from './callbacks.ts';
import { decrypt, encrypt, signature } from './crypto.ts';
import { E, ERRMSG_HINT, WeComError } from './errors.ts';
import {
  type ChatMessage,
  type CorpInput,
  type SimContext,
  SimCorpState,
  type SimWeChatUser,
  type StaffInput,
} from './model.ts';
import { idMaker, mulberry32 } from './rand.ts';

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
  /** Quiet: no request log. */
  logger?: boolean;
}

const TOKEN_TTL_S = 7200;
const WELCOME_TTL_MS = 20_000;

interface TokenRec {
  corpId: string;
  kind: 'contact' | 'app';
  expiresAt: number;
}

export function normaliseApi(api: string): string {
  return api.replace(/^\/?(cgi-bin\/)?/, '').replace(/\?.*$/, '');
}

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

  setCallback(cb: CallbackTarget | undefined): void {
    this.state.callback = cb;
  }

  /** What WeCom does when an admin saves the callback URL: GET with an encrypted echostr. */
  async verifyCallbackUrl(): Promise<{ ok: boolean; status: number; body: string }> {
    const cb = this.state.callback;
    if (!cb) throw new Error('corp has no callback configured');
    const echo = String(Math.floor(this.sim.random() * 1e18));
    const enc = encrypt(cb.encodingAESKey, echo, this.corpId);
    const ts = String(Math.floor(this.sim.now() / 1000));
    const nonce = String(Math.floor(this.sim.random() * 1e10));
    const u = new URL(cb.url);
    u.searchParams.set('msg_signature', signature(cb.token, ts, nonce, enc));
    u.searchParams.set('timestamp', ts);
    u.searchParams.set('nonce', nonce);
    u.searchParams.set('echostr', enc);
    const res = await fetch(u, { signal: AbortSignal.timeout(5000) });
    const body = await res.text();
    return { ok: res.status === 200 && body.trim() === echo, status: res.status, body };
  }

  addStaff(s: StaffInput): void {
    this.state.putStaff(s);
    this.state.emit({ Event: 'change_contact', ChangeType: 'create_user', UserID: s.userid, Name: s.name });
  }

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
      }));
  }

  /** A WeChat user scans a 联系我 code: WeCom picks one of its staff, adds the friend, calls back. */
  async scan(
    qrCodeOrConfigId: string,
    user: SimWeChatUser,
  ): Promise<{ external_userid: string; userid: string }> {
    const way = this.state.findWay(qrCodeOrConfigId);
    way.scans++;
    const userid = this.state.pickStaff(way);
    const added = this.state.befriend(userid, user, { state: way.state, add_way: 1 });
    const external_userid = this.state.externalIdFor(user);
    if (added)
      this.state.emit({
        Event: 'change_external_contact',
        ChangeType: 'add_external_contact',
        UserID: userid,
        ExternalUserID: external_userid,
        State: way.state,
        WelcomeCode: added.welcomeCode,
      });
    return { external_userid, userid };
  }

  /** The customer adds the staff member by searching their phone / a shared card: no State. */
  async addFriendDirectly(userid: string, user: SimWeChatUser): Promise<{ external_userid: string }> {
    const added = this.state.befriend(userid, user, { add_way: 3 });
    const external_userid = this.state.externalIdFor(user);
    if (added)
      this.state.emit({
        Event: 'change_external_contact',
        ChangeType: 'add_external_contact',
        UserID: userid,
        ExternalUserID: external_userid,
        WelcomeCode: added.welcomeCode,
      });
    return { external_userid };
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
        })),
      }));
  }

  externalUseridOf(user: SimWeChatUser): string | undefined {
    return this.state.externalIds.get(user.id);
  }

  advanceTime(ms: number): Promise<void> {
    return this.sim.advanceTime(ms);
  }

  failNext(api: string, errcode: number, times = 1): void {
    this.sim.failures.set(`${this.corpId}|${normaliseApi(api)}`, { errcode, times });
  }

  /** What scanning the web-login QR yields: a one-time code for auth/getuserinfo (valid 5 minutes). */
  oauthCode(userid: string): string {
    this.state.activeStaff(userid);
    const code = this.sim.id('', 64, '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-');
    this.sim.oauthCodes.set(code, { corpId: this.corpId, userid, expiresAt: this.sim.now() + 300_000 });
    return code;
  }

  /** The current access token of a kind (tests peek at it instead of calling gettoken). */
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
  readonly oauthCodes = new Map<string, { corpId: string; userid: string; expiresAt: number }>();
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
    };
    this.handlers = { ...contactHandlers };
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
    this.offset += ms;
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

  issueToken(corpId: string, kind: 'contact' | 'app'): { token: string; expires_in: number } {
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
              : undefined;
        if (!kind) throw E.invalidCredential();
        const injected = this.takeFailure(corp.corpId, api);
        if (injected) throw new WeComError(injected, 'injected failure');
        const t = this.issueToken(corp.corpId, kind);
        return { errcode: 0, errmsg: 'ok', access_token: t.token, expires_in: t.expires_in };
      }
      const handler = this.handlers[api];
      if (!handler) return { errcode: 404, errmsg: `api not found in the simulator: ${api}` };
      const tok = this.auth(query);
      const corp = this.corps.get(tok.corpId)!;
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
      if (typeof raw === 'string' && raw.trim() !== '') {
        try {
          body = JSON.parse(raw);
        } catch {
          return reply.send({ errcode: 47001, errmsg: ERRMSG_HINT(47001, 'data format error', 'json') });
        }
      }
      return reply.send(await this.call(api, req.query as Record<string, string>, body));
    });
  }

  async listen(host: string, port: number): Promise<void> {
    const addr = await this.app.listen({ host, port });
    this.url = addr.replace('[::1]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1');
    if (host === '127.0.0.1' || host === 'localhost') this.url = `http://127.0.0.1:${new URL(addr).port}`;
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}

export { decrypt };
