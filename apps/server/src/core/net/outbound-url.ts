import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { ALLOW_ENV, type AllowList, normaliseHost, parseAllowList } from './outbound-allow.ts';
import { isPublicAddress } from './reserved-addresses.ts';

/**
 * The one way Kehu server code makes an HTTP request to a URL it did not write itself (tenant
 * webhooks today; connector endpoints, journey webhooks and image fetches tomorrow). A tenant
 * can type any URL, so without this guard the server is a proxy into its own network.
 *
 * - WHATWG URL parsing, so decimal/hex/short IPv4 forms (`2130706433`, `0x7f.1`, `127.1`) are
 *   the addresses they spell before anything is checked;
 * - https only, ports 80, 443 and ≥ 1024 only, public addresses only — unless the operator
 *   lists the target in `KEHU_OUTBOUND_ALLOW` (see outbound-allow.ts);
 * - the host is resolved here at request time and every address must pass; the connection is
 *   then pinned to the checked address, so a DNS answer that changes between check and connect
 *   (rebinding) is never used;
 * - redirects are followed by hand, at most `maxRedirects` hops, each hop vetted like the first
 *   (callers that must not follow, such as webhooks, pass 0 and get the 3xx back);
 * - a connect timeout, a total deadline and a response size cap.
 *
 * Failures are an `OutboundError` with a stable code; outbound.messages.ts turns a code into
 * what a user may read. Nothing from the target's response is ever part of an error.
 */
export type OutboundErrorCode =
  | 'invalid_url'
  | 'refused_scheme'
  | 'refused_private_address'
  | 'refused_port'
  | 'dns_failed'
  | 'connect_failed'
  | 'timeout'
  | 'too_many_redirects'
  | 'response_too_large'
  | `http_${number}`;

export class OutboundError extends Error {
  readonly code: OutboundErrorCode;
  constructor(code: OutboundErrorCode) {
    super(`outbound request failed: ${code}`);
    this.name = 'OutboundError';
    this.code = code;
  }
}

/** Resolves a host name to every address it has (tests inject one; production asks the OS). */
export type Resolve = (host: string) => Promise<string[]>;

export interface OutboundOptions {
  /** Deadline for the whole exchange, DNS and redirects included. */
  timeoutMs?: number;
  connectTimeoutMs?: number;
  maxResponseBytes?: number;
  /** 0: a redirect is returned to the caller, not followed. */
  maxRedirects?: number;
  resolve?: Resolve;
  allow?: AllowList;
}

export interface OutboundRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: string;
}

export const OUTBOUND_DEFAULTS = {
  timeoutMs: 10_000,
  connectTimeoutMs: 5_000,
  maxResponseBytes: 1024 * 1024,
  maxRedirects: 3,
} as const;

const systemResolve: Resolve = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

let cachedAllow: { value: string | undefined; list: AllowList } | null = null;

/** Read at each use, not once at start: the test processes set it after the app has started. */
export function operatorAllowList(): AllowList {
  const value = process.env[ALLOW_ENV];
  if (!cachedAllow || cachedAllow.value !== value) cachedAllow = { value, list: parseAllowList(value) };
  return cachedAllow.list;
}

interface Target {
  url: URL;
  host: string;
  port: number;
  https: boolean;
}

function parseTarget(raw: string | URL): Target {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundError('invalid_url');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new OutboundError('refused_scheme');
  // Credentials in a URL end up in logs and delivery lists; receivers authenticate by signature.
  if (url.username || url.password) throw new OutboundError('invalid_url');
  const secure = url.protocol === 'https:';
  const host = normaliseHost(url.hostname);
  return { url, host, port: url.port ? Number(url.port) : secure ? 443 : 80, https: secure };
}

/** `localhost` and `*.localhost` are loopback by definition (RFC 6761), whatever DNS says. */
const isLoopbackName = (host: string) => host === 'localhost' || host.endsWith('.localhost');
const portPermitted = (port: number) => port === 80 || port === 443 || port >= 1024;

function refuseUnlisted(t: Target, addresses: string[]): void {
  if (isLoopbackName(t.host) || addresses.some((a) => !isPublicAddress(a)))
    throw new OutboundError('refused_private_address');
  if (!t.https) throw new OutboundError('refused_scheme');
  if (!portPermitted(t.port)) throw new OutboundError('refused_port');
}

/**
 * What can be decided without DNS, for forms that save a URL (webhook create/update): the
 * scheme, the port, literal and loopback hosts. `null` when the URL may be saved; the real
 * check still runs at every request, since a name's addresses can change after saving.
 */
export function checkOutboundUrl(
  raw: string,
  allow: AllowList = operatorAllowList(),
): OutboundErrorCode | null {
  try {
    const t = parseTarget(raw);
    if (allow.permitsHost(t.host, t.port)) return null;
    if (isIP(t.host)) refuseUnlisted(t, [t.host]);
    // A name may resolve into a range the operator listed: then only the request can tell.
    else if (!allow.mayPermitResolved(t.port)) refuseUnlisted(t, []);
    return null;
  } catch (err) {
    if (err instanceof OutboundError) return err.code;
    throw err;
  }
}

/** Parses, resolves and checks one URL; returns the address the connection must use. */
export async function vetOutboundUrl(
  raw: string | URL,
  opts: Pick<OutboundOptions, 'resolve' | 'allow'> = {},
): Promise<Target & { address: string }> {
  const t = parseTarget(raw);
  const allow = opts.allow ?? operatorAllowList();
  let addresses: string[];
  if (isIP(t.host)) addresses = [t.host];
  else {
    try {
      addresses = await (opts.resolve ?? systemResolve)(t.host);
    } catch {
      throw new OutboundError('dns_failed');
    }
    if (addresses.length === 0) throw new OutboundError('dns_failed');
  }
  if (!allow.permits({ host: t.host, port: t.port, addresses })) refuseUnlisted(t, addresses);
  return { ...t, address: addresses[0]! };
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/** A `fetch`-like request through the guard. Throws `OutboundError`; any HTTP status is returned. */
export async function guardedFetch(
  raw: string | URL,
  req: OutboundRequest = {},
  opts: OutboundOptions = {},
): Promise<OutboundResponse> {
  const o = { ...OUTBOUND_DEFAULTS, ...opts };
  const deadline = Date.now() + o.timeoutMs;
  let url: string | URL = raw;
  let method = (req.method ?? 'GET').toUpperCase();
  let body = req.body;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
  for (let hop = 0; ; hop++) {
    const target = await beforeDeadline(vetOutboundUrl(url, o), deadline);
    const res = await requestOnce(target, { method, headers, body }, o, deadline);
    const location = res.headers.location;
    if (!REDIRECTS.has(res.status) || o.maxRedirects === 0 || !location) return res;
    if (hop >= o.maxRedirects) throw new OutboundError('too_many_redirects');
    let next: URL;
    try {
      next = new URL(location, target.url);
    } catch {
      throw new OutboundError('invalid_url');
    }
    // As fetch does: 303, and 301/302 after a POST, continue as a GET without the body.
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
      if (method !== 'HEAD') method = 'GET';
      body = undefined;
      delete headers['content-type'];
      delete headers['content-length'];
    }
    if (next.origin !== target.url.origin) for (const h of CREDENTIAL_HEADERS) delete headers[h];
    url = next;
  }
}

async function beforeDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OutboundError('timeout')), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Connects to the vetted address whatever the resolver would say now. */
function pinnedLookup(address: string): LookupFunction {
  const family = isIP(address);
  return (_host, options, callback) => {
    if (options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

function requestOnce(
  target: Target & { address: string },
  req: { method: string; headers: Record<string, string>; body: string | Uint8Array | undefined },
  o: Required<Omit<OutboundOptions, 'resolve' | 'allow'>>,
  deadline: number,
): Promise<OutboundResponse> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (err: OutboundError | null, res?: OutboundResponse) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      if (err) {
        request.destroy();
        reject(err);
      } else resolve(res!);
    };
    const request = (target.https ? https : http).request(
      {
        host: target.host,
        port: target.port,
        path: `${target.url.pathname}${target.url.search}`,
        method: req.method,
        headers: req.headers,
        lookup: pinnedLookup(target.address),
        // One socket per request: a pooled socket would skip the pinned lookup of a later request.
        agent: false,
        ...(target.https && !isIP(target.host) ? { servername: target.host } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > o.maxResponseBytes) finish(new OutboundError('response_too_large'));
          else chunks.push(chunk);
        });
        res.on('end', () =>
          finish(null, {
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            url: target.url.href,
          }),
        );
        res.on('error', () => finish(new OutboundError('connect_failed')));
      },
    );
    timers.push(setTimeout(() => finish(new OutboundError('timeout')), Math.max(0, deadline - Date.now())));
    request.on('socket', (socket) => {
      if (!socket.connecting) return;
      const t = setTimeout(() => finish(new OutboundError('timeout')), o.connectTimeoutMs);
      timers.push(t);
      socket.once('connect', () => clearTimeout(t));
    });
    // Refused, reset, unreachable, TLS: one code, so the log cannot tell closed from filtered ports.
    request.on('error', () => finish(new OutboundError('connect_failed')));
    request.end(req.body);
  });
}
