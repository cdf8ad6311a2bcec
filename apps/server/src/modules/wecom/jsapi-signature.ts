import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Principal } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { defineRoute, type RouteSpec } from '../../core/http/route.ts';
import { wecomFailure } from './codes.service.ts';
import { DEFAULT_BASE_URL, WeComApiError, WeComClient } from './connector/client.ts';
import { corpRuntime } from './corps.service.ts';
import { open, seal } from './secret-box.ts';

/**
 * Signatures for WeCom's JS-SDK in pages opened inside the client (the chat sidebar, issue 11):
 * `wx.config` signs with the corp's jsapi_ticket (`get_jsapi_ticket`), `wx.agentConfig` with the
 * app's agent ticket (`ticket/get?type=agent_config`); both sha1 over
 * `jsapi_ticket=…&noncestr=…&timestamp=…&url=…` (the page URL without its fragment).
 *
 * Tickets live 7200 s and WeCom limits how often they may be fetched, so they are cached per corp
 * like access tokens: process memory, then a sealed `wecom_tokens` row (kind `jsapi:corp` /
 * `jsapi:agent`) shared by every process, refreshed on expiry.
 */
export const OFFICIAL_JSSDK_URL = 'https://res.wx.qq.com/open/js/jweixin-1.2.0.js';
type TicketKind = 'corp' | 'agent';
const MARGIN_MS = 5 * 60_000;
const memo = new Map<string, { ticket: string; expiresAt: number }>();

export const ticketStats = { fetched: 0 };

/** The JS-SDK the page loads: WeCom's own, or the simulator's when the corp points at one. */
export function sdkUrlFor(baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return !base || base === DEFAULT_BASE_URL ? OFFICIAL_JSSDK_URL : `${base}/_sim/jweixin.js`;
}

export function jsapiSignature(ticket: string, nonceStr: string, timestamp: number, url: string): string {
  return createHash('sha1')
    .update(`jsapi_ticket=${ticket}&noncestr=${nonceStr}&timestamp=${timestamp}&url=${url.split('#')[0]}`)
    .digest('hex');
}

async function ticket(database: Database, tenantId: string, corpRef: string, kind: TicketKind) {
  const key = `${tenantId}:${corpRef}:${kind}`;
  const hit = memo.get(key);
  if (hit && hit.expiresAt - MARGIN_MS > Date.now()) return hit.ticket;
  const dbKind = `jsapi:${kind}`;
  const aad = `${corpRef}:${dbKind}`;
  const stored = await inTenant(
    database.db,
    tenantId,
    async (tx) =>
      (
        await sql<{ token: string; expires_at: Date }>`select token, expires_at from wecom_tokens
          where tenant_id = ${tenantId} and corp_ref = ${corpRef} and kind = ${dbKind}`.execute(tx)
      ).rows[0],
    { readOnly: true },
  );
  let fresh: { ticket: string; expiresAt: number };
  if (stored && new Date(stored.expires_at).getTime() - MARGIN_MS > Date.now())
    fresh = { ticket: open(stored.token, aad), expiresAt: new Date(stored.expires_at).getTime() };
  else {
    // Fetched outside any transaction (the client opens its own for the access token). Two
    // processes racing here both ask WeCom, which hands out the same ticket while it is valid.
    const corp = await inTenant(database.db, tenantId, (tx) => corpRuntime(tx, tenantId, corpRef), {
      readOnly: true,
    });
    if (!corp.secrets.app) throw new WeComApiError('ticket', -2, 'no app secret configured');
    const client = new WeComClient(database, corp, 'app');
    const res =
      kind === 'corp'
        ? await client.get('get_jsapi_ticket')
        : await client.get('ticket/get', { type: 'agent_config' });
    if (typeof res.ticket !== 'string' || !res.ticket) throw new WeComApiError('ticket', -1, 'no ticket');
    ticketStats.fetched++;
    fresh = { ticket: res.ticket, expiresAt: Date.now() + Number(res.expires_in ?? 7200) * 1000 };
    await inTenant(database.db, tenantId, (tx) =>
      sql`insert into wecom_tokens (tenant_id, corp_ref, kind, token, expires_at)
        values (${tenantId}, ${corpRef}, ${dbKind}, ${seal(fresh.ticket, aad)}, ${new Date(fresh.expiresAt)})
        on conflict (tenant_id, corp_ref, kind) do update set token = excluded.token, expires_at = excluded.expires_at`.execute(
        tx,
      ),
    );
  }
  memo.set(key, fresh);
  return fresh.ticket;
}

/** Drops this process's ticket memory (tests that expire tickets). */
export function forgetTickets() {
  memo.clear();
}

/** The caller's corp with an app (agent id + app secret) they are staff of, oldest binding first. */
async function callerCorp(database: Database, p: Principal, corpRef?: string) {
  const c = await inTenant(
    database.db,
    p.tenantId,
    async (tx) =>
      (
        await sql<{ id: string; corp_id: string; agent_id: number; base_url: string }>`
        select c.id, c.corp_id, c.agent_id, c.base_url from wecom_staff s
        join wecom_corps c on c.tenant_id = s.tenant_id and c.id = s.corp_ref
        where s.tenant_id = ${p.tenantId} and s.user_id = ${p.userId} and s.active
          and c.deleted_at is null and c.app_secret is not null and c.agent_id is not null
          and (${corpRef ?? null}::uuid is null or c.id = ${corpRef ?? null}::uuid)
        order by c.created_at limit 1`.execute(tx)
      ).rows[0],
    { readOnly: true },
  );
  if (!c) throw notFound('wecom_corp');
  return c;
}

export async function jsapiSignatures(database: Database, p: Principal, url: string, corpRef?: string) {
  const corp = await callerCorp(database, p, corpRef);
  const [corpTicket, agentTicket] = [
    await ticket(database, p.tenantId, corp.id, 'corp'),
    await ticket(database, p.tenantId, corp.id, 'agent'),
  ];
  const timestamp = Math.floor(Date.now() / 1000);
  const nonce = () => randomBytes(12).toString('base64url');
  const c = nonce();
  const a = nonce();
  return {
    corpId: corp.corp_id,
    agentId: corp.agent_id,
    sdkUrl: sdkUrlFor(corp.base_url),
    config: {
      appId: corp.corp_id,
      timestamp,
      nonceStr: c,
      signature: jsapiSignature(corpTicket, c, timestamp, url),
    },
    agentConfig: {
      corpid: corp.corp_id,
      agentid: corp.agent_id,
      timestamp,
      nonceStr: a,
      signature: jsapiSignature(agentTicket, a, timestamp, url),
    },
  };
}

const SignedPart = z.object({ timestamp: z.number().int(), nonceStr: z.string(), signature: z.string() });
export const JsapiSignature = z.object({
  corpId: z.string(),
  agentId: z.number().int(),
  sdkUrl: z.string(),
  config: SignedPart.extend({ appId: z.string() }),
  agentConfig: SignedPart.extend({ corpid: z.string(), agentid: z.number().int() }),
});
const PageUrl = z
  .string()
  .max(2048)
  .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), { message: 'url' });

export const jsapiRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/wecom/jsapi-signature',
    // Any signed-in staff member: the signature only lets the page call the JS-SDK as the caller,
    // inside their own WeCom client, on the page whose URL it covers.
    permission: 'authenticated',
    summary:
      "wx.config and wx.agentConfig signatures for a page inside WeCom (the caller's corp with an app); tickets cached per corp",
    tags: ['wecom'],
    query: z.object({ url: PageUrl, corpRef: z.uuid().optional() }),
    response: JsapiSignature,
    handler: async (req) => {
      try {
        return await jsapiSignatures(req.database, req.principal, req.query.url, req.query.corpRef);
      } catch (e) {
        wecomFailure(req.locale, e);
      }
    },
  }),
];
