import type { FastifyInstance } from 'fastify';
import { APP_CSP } from '../../core/http/security-headers.ts';

/**
 * The `/sidebar` page runs WeCom's JS-SDK, a script from another origin, which the app's policy
 * (script-src 'self') would block. This page alone may load it from WeCom (res.wx.qq.com) or from
 * the WeCom simulators an operator names — `KEHU_WECOM_SDK_ORIGINS` (comma list of origins) and the
 * demo simulator (`KEHU_WECOM_DEMO_URL`) — and only those may frame it (the simulator's client
 * frames the page; WeCom's own client opens it in a webview, where framing does not apply).
 */
export const OFFICIAL_SDK_ORIGIN = 'https://res.wx.qq.com';

export function simulatorOrigins(env = process.env): string[] {
  const raw = [...(env.KEHU_WECOM_SDK_ORIGINS ?? '').split(','), env.KEHU_WECOM_DEMO_URL ?? ''];
  const out = new Set<string>();
  for (const r of raw) {
    const s = r.trim();
    if (!s || !URL.canParse(s)) continue;
    const u = new URL(s);
    if (u.protocol === 'http:' || u.protocol === 'https:') out.add(u.origin);
  }
  return [...out];
}

export function sidebarCsp(origins = simulatorOrigins()): string {
  const extra = origins.join(' ');
  return APP_CSP.split('; ')
    .map((d) => {
      if (d.startsWith('script-src')) return `${d} ${OFFICIAL_SDK_ORIGIN} ${extra}`.trim();
      if (d.startsWith('frame-ancestors')) return origins.length ? `frame-ancestors 'self' ${extra}` : d;
      return d;
    })
    .join('; ');
}

const isSidebarPage = (url: string) => /^\/sidebar(?:[/?#]|$)/.test(url);

export async function registerSidebarPagePolicy(app: FastifyInstance): Promise<void> {
  const csp = sidebarCsp();
  const framable = simulatorOrigins().length > 0;
  app.addHook('onSend', async (req, reply) => {
    if (!isSidebarPage(req.url)) return;
    reply.header('content-security-policy', csp);
    if (framable) reply.removeHeader('x-frame-options');
  });
}
