// WeCom's JS-SDK for pages inside the client (聊天工具栏): the two tickets a page signs with
// (`get_jsapi_ticket` for wx.config, `ticket/get?type=agent_config` for wx.agentConfig) and the
// calls a sidebar makes once configured. A "session" is one open chat in the simulated client
// (staff member + external contact or group); the host page and tests drive it over /_sim/jsapi.
import { createHash } from 'node:crypto';
import type { Handler } from './api-contacts.ts';
import { group } from './api-groups.ts';
import { E } from './errors.ts';
import type { SimContext, SimCorpState } from './model.ts';

export type TicketKind = 'corp' | 'agent';
const TICKET_TTL_S = 7200;
const tickets = new WeakMap<SimCorpState, Map<TicketKind, { ticket: string; expiresAt: number }>>();

/** Like WeCom: asking again while a ticket is valid returns the same ticket with its remaining life. */
export function issueTicket(corp: SimCorpState, kind: TicketKind): { ticket: string; expires_in: number } {
  const m = tickets.get(corp) ?? new Map();
  tickets.set(corp, m);
  const now = corp.now();
  const t = m.get(kind);
  if (t && t.expiresAt > now) return { ticket: t.ticket, expires_in: Math.floor((t.expiresAt - now) / 1000) };
  const ticket = corp.ctx.id('', 86, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
  m.set(kind, { ticket, expiresAt: now + TICKET_TTL_S * 1000 });
  return { ticket, expires_in: TICKET_TTL_S };
}

/** The valid ticket of that kind, if one was issued (a page can only sign with an issued ticket). */
function currentTicket(corp: SimCorpState, kind: TicketKind): string | undefined {
  const t = tickets.get(corp)?.get(kind);
  return t && t.expiresAt > corp.now() ? t.ticket : undefined;
}

/** WeCom's JS-SDK signature: sha1 of `jsapi_ticket=…&noncestr=…&timestamp=…&url=…` (url without #…). */
export function jsapiSignature(ticket: string, noncestr: string, timestamp: string | number, url: string) {
  const plain = `jsapi_ticket=${ticket}&noncestr=${noncestr}&timestamp=${timestamp}&url=${url.split('#')[0]}`;
  return createHash('sha1').update(plain).digest('hex');
}

export function verifyJsapiSignature(
  corp: SimCorpState,
  kind: TicketKind,
  s: { nonceStr?: unknown; timestamp?: unknown; signature?: unknown; url: string },
): boolean {
  const ticket = currentTicket(corp, kind);
  if (!ticket || typeof s.nonceStr !== 'string' || typeof s.signature !== 'string') return false;
  if (!/^\d{1,12}$/.test(String(s.timestamp ?? ''))) return false;
  return jsapiSignature(ticket, s.nonceStr, String(s.timestamp), s.url) === s.signature.toLowerCase();
}

export const jsapiHandlers: Record<string, Handler> = {
  get_jsapi_ticket: ({ corp, kind }) => {
    if (kind !== 'app')
      throw E.forbidden('api forbidden: the jsapi ticket needs the app (agent) access_token');
    return issueTicket(corp, 'corp');
  },
  'ticket/get': ({ corp, query, kind }) => {
    if (query.type !== 'agent_config') throw E.invalidParam('type must be agent_config');
    if (kind !== 'app') throw E.forbidden('api forbidden: agent_config ticket needs the app access_token');
    return issueTicket(corp, 'agent');
  },
};

// ---- the client: sessions and calls ------------------------------------------------------------------

export interface JsSession {
  sid: string;
  corp: SimCorpState;
  userid: string;
  entry: 'single_chat_tools' | 'group_chat_tools';
  externalUserId?: string;
  chatId?: string;
  configured: boolean;
  agentConfigured: boolean;
  jsApiList: Set<string>;
  shares: Array<Record<string, unknown>>;
}

const sessions = new WeakMap<SimContext, Map<string, JsSession>>();

export function openSession(
  corp: SimCorpState,
  at: { userid: string; external_userid?: string; chat_id?: string },
): JsSession {
  corp.activeStaff(at.userid);
  if (!at.external_userid === !at.chat_id) throw new Error('either external_userid or chat_id');
  if (at.external_userid && !corp.contact(at.external_userid).follows.has(at.userid))
    throw new Error('not a contact of this staff member');
  if (at.chat_id) group(corp, at.chat_id);
  const m = sessions.get(corp.ctx) ?? new Map<string, JsSession>();
  sessions.set(corp.ctx, m);
  const s: JsSession = {
    sid: corp.ctx.id('js', 16),
    corp,
    userid: at.userid,
    entry: at.chat_id ? 'group_chat_tools' : 'single_chat_tools',
    externalUserId: at.external_userid,
    chatId: at.chat_id,
    configured: false,
    agentConfigured: false,
    jsApiList: new Set(),
    shares: [],
  };
  m.set(s.sid, s);
  return s;
}

export function findSession(ctx: SimContext, sid: string): JsSession | undefined {
  return sessions.get(ctx)?.get(sid);
}

type Result = Record<string, unknown> & { errMsg: string };
const ok = (api: string, extra: Record<string, unknown> = {}): Result => ({ ...extra, errMsg: `${api}:ok` });
const fail = (api: string, why: string): Result => ({ errMsg: `${api}:fail ${why}` });

/** Renders what sendChatMessage put in the chat as one line (the group model keeps text only). */
function messageText(msgtype: string, a: any): string | undefined {
  if (msgtype === 'text') return typeof a?.text?.content === 'string' ? a.text.content : undefined;
  if (msgtype === 'image') return a?.image?.mediaid ? `[图片] ${a.image.mediaid}` : undefined;
  if (msgtype === 'news') return a?.news?.link ? `[链接] ${a.news.title ?? a.news.link}` : undefined;
  if (msgtype === 'miniprogram')
    return a?.miniprogram?.appid ? `[小程序] ${a.miniprogram.title ?? a.miniprogram.appid}` : undefined;
  return undefined;
}

/**
 * One call from the page, as the real client answers it: `<api>:ok` with data, or `<api>:fail …`.
 * `url` is the page's address (what the signature covers).
 */
export function invoke(s: JsSession, api: string, args: any, url: string): Result {
  const corp = s.corp;
  if (api === 'config') {
    if (args?.appId !== corp.corpId) return fail(api, 'invalid appId');
    if (!verifyJsapiSignature(corp, 'corp', { ...args, url })) return fail(api, 'invalid signature');
    s.configured = true;
    return ok(api);
  }
  if (api === 'agentConfig') {
    if (args?.corpid !== corp.corpId) return fail(api, 'invalid corpid');
    if (Number(args?.agentid) !== corp.agentId) return fail(api, 'invalid agentid');
    if (!verifyJsapiSignature(corp, 'agent', { ...args, url })) return fail(api, 'invalid signature');
    s.agentConfigured = true;
    s.jsApiList = new Set(Array.isArray(args?.jsApiList) ? args.jsApiList.map(String) : []);
    return ok(api);
  }
  // Like WeCom: the chat tools calls need agentConfig first, and only the listed ones are granted.
  if (!s.agentConfigured || !s.jsApiList.has(api)) return fail(api, 'no permission');
  switch (api) {
    case 'getContext':
      return ok(api, { entry: s.entry, shareTicket: '' });
    case 'getCurExternalContact':
      if (s.entry !== 'single_chat_tools') return fail(api, 'not allow to cur entry');
      return ok(api, { userId: s.externalUserId });
    case 'getCurExternalChat':
      if (s.entry !== 'group_chat_tools') return fail(api, 'not allow to cur entry');
      return ok(api, { chatId: s.chatId });
    case 'sendChatMessage': {
      const msgtype = String(args?.msgtype ?? 'text');
      const text = messageText(msgtype, args);
      if (text === undefined) return fail(api, 'invalid param');
      const at = corp.now();
      if (s.entry === 'single_chat_tools') {
        const f = corp.contact(s.externalUserId!).follows.get(s.userid);
        if (!f || f.deletedByCustomer) return fail(api, 'not external contact');
        corp.chatOf(s.userid, s.externalUserId!).push({
          from: 'staff',
          kind: msgtype,
          text,
          at,
          payload: args[msgtype],
        });
      } else {
        const g = group(corp, s.chatId);
        g.messages.push({ from: s.userid, text, at, ...{ kind: msgtype, payload: args[msgtype] } });
      }
      return ok(api);
    }
    case 'shareAppMessage':
      if (typeof args?.link !== 'string' || !args.link) return fail(api, 'invalid param');
      s.shares.push({
        title: args.title,
        desc: args.desc,
        link: args.link,
        imgUrl: args.imgUrl,
        at: corp.now(),
      });
      return ok(api);
    default:
      return fail(api, 'not supported');
  }
}
