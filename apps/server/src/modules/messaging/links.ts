import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { publicBaseUrl } from '../../core/mail/mailer.ts';
import { linkCode, tenantPrefix } from './public-token.ts';

/** http(s) URLs in a text; trailing punctuation (Chinese and ASCII) is not part of the link. */
const URL_RE = /https?:\/\/[^\s<>"'）)，。！？、；]+[^\s<>"'）)，。！？、；.,;:!?]/g;

/** Only http(s) targets are ever tracked (and so ever redirected to). */
export function trackable(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

export const trackedPrefix = () => `${publicBaseUrl()}/k/`;

/**
 * Rewrites every link of a message (its text, its button URL, its provider parameters) to a short
 * tracked link `/k/<tenant><code>`, one per distinct URL. The redirect goes only to the URL stored
 * here for that code — never to a URL read from the request — so the endpoint is no open redirect.
 * Codes are derived from (message, URL index): a retried delivery writes the same rows.
 */
export async function trackLinks(
  tx: Tx,
  tenantId: string,
  messageId: string,
  parts: { text: string; url: string | null; params?: Record<string, string> },
): Promise<{ text: string; url: string | null; params?: Record<string, string> }> {
  const prefix = trackedPrefix();
  const codes = new Map<string, string>();
  const rows: Array<{ code: string; url: string }> = [];
  const short = (u: string) => {
    if (!trackable(u) || u.startsWith(prefix)) return u;
    let c = codes.get(u);
    if (!c) {
      c = linkCode(messageId, codes.size);
      codes.set(u, c);
      rows.push({ code: c, url: u });
    }
    return `${prefix}${tenantPrefix(tenantId)}${c}`;
  };
  const inText = (t: string) => t.replace(URL_RE, (u) => short(u));
  const out = {
    text: inText(parts.text),
    url: parts.url ? short(parts.url) : null,
    ...(parts.params
      ? { params: Object.fromEntries(Object.entries(parts.params).map(([k, v]) => [k, inText(v)])) }
      : {}),
  };
  if (rows.length)
    await sql`insert into messaging_links (tenant_id, code, message_id, url)
      select ${tenantId}, c, ${messageId}, u from unnest(${rows.map((r) => r.code)}::text[], ${rows.map((r) => r.url)}::text[]) as x(c, u)
      on conflict (tenant_id, code) do nothing`.execute(tx);
  return out;
}
