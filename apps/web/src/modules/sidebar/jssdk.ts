import type { SidebarMessage } from '../../app/web-modules';
import { ApiError, http } from '../../shared/api-client';

/**
 * WeCom's JS-SDK in the chat sidebar: signatures from Kehu (GET /wecom/jsapi-signature), the SDK
 * from the URL the caller's corp names (WeCom's own, or the simulator's), then agentConfig and the
 * chat context. Every failure is one of the states the page explains.
 */
interface WxResult {
  errMsg?: string;
  err_msg?: string;
  [k: string]: unknown;
}
interface Wx {
  config(c: unknown): void;
  agentConfig(c: Record<string, unknown> & { success(r: WxResult): void; fail(r: WxResult): void }): void;
  invoke(api: string, args: unknown, cb: (r: WxResult) => void): void;
}
interface Signature {
  corpId: string;
  agentId: number;
  sdkUrl: string;
  config: Record<string, unknown>;
  agentConfig: Record<string, unknown>;
}

export const JS_API_LIST = [
  'getContext',
  'getCurExternalContact',
  'getCurExternalChat',
  'sendChatMessage',
  'shareAppMessage',
];

export type Connection =
  | { state: 'outside' }
  | { state: 'not_linked' }
  | { state: 'sdk_failed'; errMsg: string }
  | { state: 'single'; externalUserId: string; wx: Wx }
  | { state: 'group'; chatId: string; wx: Wx };

const TIMEOUT_MS = 15_000;

/** Inside WeCom: its client (user agent `wxwork`) or a host page framing us (the simulator). */
export const inWeCom = () => /wxwork/i.test(navigator.userAgent) || window.parent !== window;

function loadScript(src: string): Promise<Wx> {
  const w = window as unknown as { wx?: Wx };
  if (w.wx) return Promise.resolve(w.wx);
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = () => (w.wx ? resolve(w.wx) : reject(new Error('sdk:fail no wx')));
    s.onerror = () => reject(new Error('sdk:fail load'));
    document.head.appendChild(s);
  });
}

const ok = (r: WxResult, api: string) => (r.errMsg ?? r.err_msg) === `${api}:ok`;

/** One JS-SDK call as a promise; rejects with WeCom's errMsg. The official SDK may never answer outside WeCom. */
export function call(wx: Wx, api: string, args: unknown = {}): Promise<WxResult> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${api}:fail timeout`)), TIMEOUT_MS);
    wx.invoke(api, args, (r) => {
      clearTimeout(timer);
      if (ok(r, api)) resolve(r);
      else reject(new Error(String(r.errMsg ?? r.err_msg ?? `${api}:fail`)));
    });
  });
}

export async function connect(): Promise<Connection> {
  if (!inWeCom()) return { state: 'outside' };
  let sig: Signature;
  try {
    sig = await http.get<Signature>(
      `/wecom/jsapi-signature?url=${encodeURIComponent(location.href.split('#')[0]!)}`,
    );
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return { state: 'not_linked' };
    throw e;
  }
  try {
    const wx = await loadScript(sig.sdkUrl);
    wx.config({ ...sig.config, beta: true, debug: false, jsApiList: JS_API_LIST });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('agentConfig:fail timeout')), TIMEOUT_MS);
      wx.agentConfig({
        ...sig.agentConfig,
        jsApiList: JS_API_LIST,
        success: () => {
          clearTimeout(timer);
          resolve();
        },
        fail: (r) => {
          clearTimeout(timer);
          reject(new Error(String(r.errMsg ?? r.err_msg ?? 'agentConfig:fail')));
        },
      });
    });
    const ctx = await call(wx, 'getContext');
    if (ctx.entry === 'group_chat_tools') {
      const r = await call(wx, 'getCurExternalChat');
      return { state: 'group', chatId: String(r.chatId), wx };
    }
    if (ctx.entry === 'single_chat_tools') {
      const r = await call(wx, 'getCurExternalContact');
      return { state: 'single', externalUserId: String(r.userId), wx };
    }
    return { state: 'sdk_failed', errMsg: `getContext: ${String(ctx.entry)}` };
  } catch (e) {
    return { state: 'sdk_failed', errMsg: (e as Error).message };
  }
}

export async function sendChatMessage(wx: Wx, message: SidebarMessage): Promise<void> {
  await call(wx, 'sendChatMessage', message);
}
