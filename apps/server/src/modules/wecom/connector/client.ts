import { sql } from 'kysely';
import type { Database } from '../../../core/db/database.ts';
import { inTenant } from '../../../core/db/tenant-scope.ts';
import { guardedFetch } from '../../../core/net/outbound-url.ts';
import { open, seal } from '../secret-box.ts';
import { RateLimiter } from './rate-limiter.ts';

/**
 * WeCom server API client (https://developer.work.weixin.qq.com/document/). Every request goes
 * through the outbound guard (core/net/outbound-url.ts): the base URL is per corp configuration,
 * so a tenant could otherwise point Kehu at its own network.
 *
 * - access_token: one per corp and secret kind, cached in `wecom_tokens` for every process and
 *   refreshed under a transaction-scoped advisory lock (one gettoken per expiry, not one per
 *   process); a 40001/40014/42001 answer drops it and the call is retried once with a new one.
 * - 45009 (frequency) and 45033 (concurrency): retried with exponential back-off and jitter.
 * - a per-corp per-API limiter keeps this process under WeCom's 10,000 calls/min.
 * The token is in the query string WeCom demands; it never reaches a log or an error: errors
 * carry the API path and errcode only.
 */
export const DEFAULT_BASE_URL = 'https://qyapi.weixin.qq.com';
// `archive`: the 会话内容存档 secret, whose token alone may call msgaudit/* (the chats module holds it).
export type SecretKind = 'contact' | 'app' | 'archive';
const TOKEN_ERRORS = new Set([40001, 40014, 42001]);
const BUSY_ERRORS = new Set([45009, 45033]);

export interface CorpAccess {
  tenantId: string;
  /** Kehu's row id of the corp (wecom_corps.id). */
  corpRef: string;
  corpId: string;
  baseUrl: string;
  secrets: Partial<Record<SecretKind, string>>;
}

export class WeComApiError extends Error {
  readonly errcode: number;
  readonly api: string;
  constructor(api: string, errcode: number, errmsg: string) {
    // errmsg is WeCom's own text (no secrets); it may carry a hint id worth logging.
    super(`wecom ${api}: ${errcode} ${errmsg.slice(0, 200)}`);
    this.name = 'WeComApiError';
    this.errcode = errcode;
    this.api = api;
  }
}

export const clientTuning = {
  /** First back-off delay on 45009/45033 (doubled each retry); tests lower it. */
  backoffMs: 500,
  busyRetries: 4,
  perMinute: 9_000,
};

export interface ClientStats {
  gettoken: number;
  busyRetries: number;
  tokenRefreshes: number;
}
export const clientStats: ClientStats = { gettoken: 0, busyRetries: 0, tokenRefreshes: 0 };

const memo = new Map<string, { token: string; expiresAt: number }>();
const limiter = new RateLimiter(() => clientTuning.perMinute, 60_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MARGIN_MS = 5 * 60_000;

class Multipart {
  readonly contentType: string;
  readonly bytes: Buffer;
  constructor(contentType: string, bytes: Buffer) {
    this.contentType = contentType;
    this.bytes = bytes;
  }
}

export class WeComClient {
  readonly corp: CorpAccess;
  readonly kind: SecretKind;
  private readonly database: Database;
  constructor(database: Database, corp: CorpAccess, kind: SecretKind = 'contact') {
    this.database = database;
    this.corp = corp;
    this.kind = kind;
  }

  get(api: string, query: Record<string, string | number | undefined> = {}) {
    return this.call('GET', api, query, undefined);
  }
  post(api: string, body: unknown, query: Record<string, string | number | undefined> = {}) {
    return this.call('POST', api, query, body);
  }
  /** media/upload: one `media` part, multipart/form-data as WeCom reads it. */
  upload(type: 'image' | 'file' | 'video' | 'voice', filename: string, bytes: Uint8Array, mime: string) {
    const boundary = `----kehu${Math.random().toString(36).slice(2)}`;
    const safe = filename.replace(/["\r\n]/g, '_');
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="${safe}"; filelength=${bytes.length}\r\nContent-Type: ${mime}\r\n\r\n`,
    );
    const body = Buffer.concat([head, Buffer.from(bytes), Buffer.from(`\r\n--${boundary}--\r\n`)]);
    return this.call(
      'POST',
      'media/upload',
      { type },
      new Multipart(`multipart/form-data; boundary=${boundary}`, body),
    );
  }

  private async call(
    method: 'GET' | 'POST',
    api: string,
    query: Record<string, any>,
    body: unknown,
  ): Promise<any> {
    let refreshed = false;
    for (let busy = 0; ; ) {
      const token = await this.token();
      await limiter.take(`${this.corp.tenantId}:${this.corp.corpRef}:${api}`);
      const res = await this.raw(method, api, { ...query, access_token: token }, body);
      const code = Number(res.errcode ?? 0);
      if (code === 0) return res;
      if (TOKEN_ERRORS.has(code) && !refreshed) {
        refreshed = true;
        clientStats.tokenRefreshes++;
        await this.dropToken(token);
        continue;
      }
      if (BUSY_ERRORS.has(code) && busy < clientTuning.busyRetries) {
        const wait = clientTuning.backoffMs * 2 ** busy;
        busy++;
        clientStats.busyRetries++;
        await sleep(wait / 2 + Math.random() * (wait / 2));
        continue;
      }
      throw new WeComApiError(api, code, String(res.errmsg ?? ''));
    }
  }

  private async raw(method: string, api: string, query: Record<string, any>, body: unknown): Promise<any> {
    const url = new URL(`/cgi-bin/${api}`, this.corp.baseUrl || DEFAULT_BASE_URL);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const res = await guardedFetch(
      url,
      body === undefined
        ? { method }
        : body instanceof Multipart
          ? { method, headers: { 'content-type': body.contentType }, body: body.bytes }
          : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      { maxRedirects: 0, timeoutMs: 15_000, maxResponseBytes: 8 * 1024 * 1024 },
    );
    if (res.status !== 200) throw new WeComApiError(api, -res.status, `http ${res.status}`);
    try {
      return JSON.parse(res.body.toString('utf8'));
    } catch {
      throw new WeComApiError(api, -1, 'not json');
    }
  }

  private memoKey() {
    return `${this.corp.tenantId}:${this.corp.corpRef}:${this.kind}`;
  }

  /** The shared token: memory, then the database row, then gettoken under the advisory lock. */
  async token(): Promise<string> {
    const hit = memo.get(this.memoKey());
    if (hit && hit.expiresAt - MARGIN_MS > Date.now()) return hit.token;
    const { tenantId, corpRef } = this.corp;
    const aad = `${corpRef}:${this.kind}`;
    const fresh = await inTenant(this.database.db, tenantId, async (tx) => {
      const row = async () =>
        (
          await sql<{ token: string; expires_at: Date }>`select token, expires_at from wecom_tokens
            where tenant_id = ${tenantId} and corp_ref = ${corpRef} and kind = ${this.kind}`.execute(tx)
        ).rows[0];
      const valid = (r: { expires_at: Date } | undefined) =>
        r && new Date(r.expires_at).getTime() - MARGIN_MS > Date.now();
      let r = await row();
      if (valid(r)) return { token: open(r!.token, aad), expiresAt: new Date(r!.expires_at).getTime() };
      // One refresher per corp and kind across processes; the others wait here and read its row.
      await sql`select pg_advisory_xact_lock(hashtext(${`wecom-token:${aad}`}))`.execute(tx);
      r = await row();
      if (valid(r)) return { token: open(r!.token, aad), expiresAt: new Date(r!.expires_at).getTime() };
      const secret = this.corp.secrets[this.kind];
      if (!secret) throw new WeComApiError('gettoken', -2, `no ${this.kind} secret configured`);
      clientStats.gettoken++;
      const res = await this.raw(
        'GET',
        'gettoken',
        { corpid: this.corp.corpId, corpsecret: secret },
        undefined,
      );
      if (Number(res.errcode ?? 0) !== 0 || typeof res.access_token !== 'string')
        throw new WeComApiError('gettoken', Number(res.errcode ?? -1), String(res.errmsg ?? ''));
      const expiresAt = Date.now() + Number(res.expires_in ?? 7200) * 1000;
      await sql`insert into wecom_tokens (tenant_id, corp_ref, kind, token, expires_at)
        values (${tenantId}, ${corpRef}, ${this.kind}, ${seal(res.access_token, aad)}, ${new Date(expiresAt)})
        on conflict (tenant_id, corp_ref, kind) do update set token = excluded.token, expires_at = excluded.expires_at`.execute(
        tx,
      );
      return { token: res.access_token as string, expiresAt };
    });
    memo.set(this.memoKey(), fresh);
    return fresh.token;
  }

  /** Forgets a token WeCom refused; only that token (another process may already have a newer one). */
  private async dropToken(token: string) {
    const hit = memo.get(this.memoKey());
    if (hit?.token === token) memo.delete(this.memoKey());
    const { tenantId, corpRef } = this.corp;
    await inTenant(this.database.db, tenantId, async (tx) => {
      const r = (
        await sql<{ token: string }>`select token from wecom_tokens
          where tenant_id = ${tenantId} and corp_ref = ${corpRef} and kind = ${this.kind}`.execute(tx)
      ).rows[0];
      if (r && open(r.token, `${corpRef}:${this.kind}`) === token)
        await sql`delete from wecom_tokens where tenant_id = ${tenantId} and corp_ref = ${corpRef} and kind = ${this.kind}`.execute(
          tx,
        );
    });
  }
}

/** Drops this process's token memory (tests that expire tokens in the simulator). */
export function forgetTokens() {
  memo.clear();
}
