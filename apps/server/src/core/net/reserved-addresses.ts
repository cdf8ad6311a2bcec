import { BlockList, isIP } from 'node:net';

/**
 * Which IP addresses an outbound request may reach without the operator's say-so: public
 * unicast only. IPv4 lists the special-purpose blocks (RFC 6890 and successors); IPv6 admits
 * only global unicast (2000::/3) minus its special blocks, so loopback, unspecified, ULA,
 * link-local, multicast, NAT64 and IPv4-compatible forms are refused without being listed.
 */
const reservedV4 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, includes 255.255.255.255
] as const) {
  reservedV4.addSubnet(net, prefix, 'ipv4');
}

const globalUnicastV6 = new BlockList();
globalUnicastV6.addSubnet('2000::', 3, 'ipv6');

const reservedV6 = new BlockList();
for (const [net, prefix] of [
  ['2001::', 23], // IETF protocol assignments: Teredo (embeds an IPv4), benchmarking, ORCHID
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: embeds any IPv4 address
  ['3fff::', 20], // documentation (RFC 9637)
] as const) {
  reservedV6.addSubnet(net, prefix, 'ipv6');
}

const mappedV4 = new BlockList();
mappedV4.addSubnet('::ffff:0:0', 96, 'ipv6');

/** `true` when `address` (an IPv4 or IPv6 literal, brackets and zone allowed) is public unicast. */
export function isPublicAddress(address: string): boolean {
  const ip = bareAddress(address);
  const family = isIP(ip);
  if (family === 4) return !reservedV4.check(ip, 'ipv4');
  if (family !== 6) return false;
  if (mappedV4.check(ip, 'ipv6')) return isPublicAddress(embeddedV4(ip));
  return globalUnicastV6.check(ip, 'ipv6') && !reservedV6.check(ip, 'ipv6');
}

/** `[::1]` → `::1`, `fe80::1%eth0` → `fe80::1`. */
export function bareAddress(address: string): string {
  const unbracketed = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const zone = unbracketed.indexOf('%');
  return zone === -1 ? unbracketed : unbracketed.slice(0, zone);
}

/** The IPv4 address in the low 32 bits of an IPv4-mapped IPv6 address (any spelling). */
function embeddedV4(ip: string): string {
  const tail = ip.slice(ip.lastIndexOf(':') + 1);
  if (tail.includes('.')) return tail;
  const groups = expandV6(ip);
  const hi = groups[6]!;
  const lo = groups[7]!;
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
}

function expandV6(ip: string): number[] {
  const [head, tail = ''] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const parse = (s: string | undefined) => (s ? s.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  return [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
}
