import { BlockList, isIP } from 'node:net';
import { bareAddress } from './reserved-addresses.ts';

/**
 * The operator's exceptions to the outbound guard (`KEHU_OUTBOUND_ALLOW`): a comma list of
 * `host`, `host:port`, `[v6]:port` or CIDR (`10.0.0.0/8`, `fd00::/8`). A matching target may be
 * reached over plain http, on any port, and at private addresses — meant for local simulators,
 * tests and services inside the operator's own network, never for tenants to choose.
 */
export interface AllowList {
  permits(target: { host: string; port: number; addresses: string[] }): boolean;
  /** Whether the host itself (a name or literal) is listed, before anything is resolved. */
  permitsHost(host: string, port: number): boolean;
  /** Whether some address range is listed for this port, so a name's addresses may be permitted. */
  mayPermitResolved(port: number): boolean;
}

interface NameEntry {
  kind: 'name';
  name: string;
  port?: number;
}
interface RangeEntry {
  kind: 'range';
  range: BlockList;
  port?: number;
}
type Entry = NameEntry | RangeEntry;

export const ALLOW_ENV = 'KEHU_OUTBOUND_ALLOW';

export function parseAllowList(value: string | undefined): AllowList {
  const entries = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(parseEntry);
  const portOk = (e: Entry, port: number) => e.port === undefined || e.port === port;
  const inRange = (e: RangeEntry, address: string) => {
    const ip = bareAddress(address);
    const family = isIP(ip);
    return family !== 0 && e.range.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  };
  const permitsHost = (host: string, port: number) => {
    const h = normaliseHost(host);
    return entries.some(
      (e) => portOk(e, port) && (e.kind === 'name' ? e.name === h : isIP(h) !== 0 && inRange(e, h)),
    );
  };
  return {
    permitsHost,
    mayPermitResolved: (port) => entries.some((e) => e.kind === 'range' && portOk(e, port)),
    permits: ({ host, port, addresses }) =>
      permitsHost(host, port) ||
      entries.some(
        (e) =>
          e.kind === 'range' &&
          portOk(e, port) &&
          addresses.length > 0 &&
          addresses.every((a) => inRange(e, a)),
      ),
  };
}

/** Throws a readable error for a malformed entry (config.ts reports it at start). */
function parseEntry(raw: string): Entry {
  const slash = raw.indexOf('/');
  if (slash !== -1) {
    const ip = bareAddress(raw.slice(0, slash));
    const prefix = Number(raw.slice(slash + 1));
    const family = isIP(ip);
    const max = family === 4 ? 32 : 128;
    if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > max)
      throw new Error(`${ALLOW_ENV}: "${raw}" is not a CIDR range`);
    const range = new BlockList();
    range.addSubnet(ip, prefix, family === 4 ? 'ipv4' : 'ipv6');
    return { kind: 'range', range };
  }
  let url: URL;
  try {
    url = new URL(`http://${raw}`);
  } catch {
    throw new Error(`${ALLOW_ENV}: "${raw}" is not host[:port] or a CIDR range`);
  }
  if (url.pathname !== '/' || url.username || url.search || url.hash)
    throw new Error(`${ALLOW_ENV}: "${raw}" is not host[:port] or a CIDR range`);
  // http://h:80 parses with an empty port; an entry that names 80 means 80.
  const port = url.port ? Number(url.port) : /:80$/.test(raw) ? 80 : undefined;
  const host = normaliseHost(url.hostname);
  const ip = bareAddress(host);
  const family = isIP(ip);
  if (family) {
    const range = new BlockList();
    range.addAddress(ip, family === 4 ? 'ipv4' : 'ipv6');
    return { kind: 'range', range, port };
  }
  return { kind: 'name', name: host, port };
}

/** Lower case, no trailing dot, no brackets: how hosts are compared everywhere in the guard. */
export function normaliseHost(host: string): string {
  return bareAddress(host.toLowerCase().replace(/\.$/, ''));
}
