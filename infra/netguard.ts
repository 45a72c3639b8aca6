import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';

/**
 * Which addresses an outbound request made for a user (a provider base URL, later a webhook) may reach:
 * the public internet only, unless the operator allows more. Checked on the resolved address of every
 * connection, so a name that resolves elsewhere at connect time (DNS rebinding) cannot get around it.
 */

type Bytes = number[];
interface Range {
  prefix: Bytes;
  bits: number;
  name: string;
}

function parseIPv4(text: string): Bytes | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.map(Number);
}

function parseIPv6(text: string): Bytes | null {
  let rest = text.replace(/%.*$/, ''); // zone id (fe80::1%eth0)
  let tail: Bytes = [];
  const dotted = rest.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const v4 = parseIPv4(dotted[2]);
    if (!v4) return null;
    tail = v4;
    rest = `${dotted[1]}0:0`; // placeholder groups, replaced by the IPv4 bytes below
  }
  const halves = rest.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]);
  const end = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - end.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...end];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null;
  const bytes = all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** An IP address as bytes (4 or 16), or null when the text is not one. */
export function parseAddress(text: string): Bytes | null {
  const bare = text.replace(/^\[(.*)\]$/, '$1');
  const kind = isIP(bare.replace(/%.*$/, ''));
  return kind === 4 ? parseIPv4(bare) : kind === 6 ? parseIPv6(bare) : null;
}

function parseRange(cidr: string, name: string): Range {
  const [address, bits] = cidr.split('/');
  const prefix = parseAddress(address);
  const width = prefix ? prefix.length * 8 : 0;
  const length = bits === undefined ? width : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!prefix || !(length >= 0 && length <= width)) {
    throw new Error(`'${cidr}' is not an IP address or CIDR range`);
  }
  return { prefix, bits: length, name };
}

function inRange(bytes: Bytes, range: Range): boolean {
  if (bytes.length !== range.prefix.length) return false;
  for (let bit = 0; bit < range.bits; bit += 8) {
    const take = Math.min(8, range.bits - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((bytes[bit / 8] & mask) !== (range.prefix[bit / 8] & mask)) return false;
  }
  return true;
}

const ranges = (list: [string, string][]) => list.map(([cidr, name]) => parseRange(cidr, name));

const IPV4_SPECIAL = ranges([
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared (CGNAT)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
]);

/** IPv6 ranges that carry an IPv4 address: judged by the IPv4 address inside (bytes from..from+4). */
const IPV6_EMBEDDING: [Range, number][] = [
  [parseRange('::ffff:0:0/96', 'IPv4-mapped'), 12],
  [parseRange('64:ff9b::/96', 'NAT64'), 12],
  [parseRange('2002::/16', '6to4'), 2],
];

const IPV6_SPECIAL = ranges([
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::/96', 'reserved'], // IPv4-compatible, deprecated
  ['64:ff9b:1::/48', 'private'],
  ['100::/64', 'reserved'],
  ['2001::/32', 'reserved'], // Teredo
  ['2001:db8::/32', 'documentation'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local'],
  ['ff00::/8', 'multicast'],
]);
const IPV6_GLOBAL_UNICAST = parseRange('2000::/3', 'global unicast');

/** Why an address is not on the public internet ('loopback', 'private'…), or null when it is public. */
export function nonPublicRange(address: string): string | null {
  const bytes = parseAddress(address);
  if (!bytes) return 'not an IP address';
  if (bytes.length === 4) return IPV4_SPECIAL.find((r) => inRange(bytes, r))?.name ?? null;
  for (const [range, from] of IPV6_EMBEDDING) {
    if (inRange(bytes, range)) {
      const inner = nonPublicRange(bytes.slice(from, from + 4).join('.'));
      return inner ? `${range.name} ${inner}` : null;
    }
  }
  const special = IPV6_SPECIAL.find((r) => inRange(bytes, r));
  if (special) return special.name;
  return inRange(bytes, IPV6_GLOBAL_UNICAST) ? null : 'reserved';
}

/** What the operator allows beyond the public internet. */
export interface OutboundPolicy {
  /** Every address, private ones included. */
  allowPrivate: boolean;
  /** Host names (lower case) whose addresses are trusted whatever they are. */
  hosts: Set<string>;
  /** Addresses and CIDR ranges allowed although not public. */
  nets: Range[];
}

export const PUBLIC_ONLY: OutboundPolicy = { allowPrivate: false, hosts: new Set(), nets: [] };

/**
 * `<PREFIX>_ALLOW_PRIVATE=true` lifts the check; `<PREFIX>_ALLOWED_HOSTS` lists host names, IP addresses
 * and CIDR ranges (comma-separated) that may be reached although not public.
 */
export function outboundPolicyFromEnv(env: NodeJS.ProcessEnv, prefix: string): OutboundPolicy {
  const entries = (env[`${prefix}_ALLOWED_HOSTS`] ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase().replace(/\.$/, ''))
    .filter(Boolean);
  const nets: Range[] = [];
  const hosts = new Set<string>();
  for (const entry of entries) {
    if (parseAddress(entry.split('/')[0])) {
      try {
        nets.push(parseRange(entry.replace(/^\[(.*)\]/, '$1'), 'allowed'));
      } catch (err) {
        throw new Error(`${prefix}_ALLOWED_HOSTS: ${(err as Error).message}`);
      }
    } else hosts.add(entry);
  }
  return { allowPrivate: /^(1|true|yes)$/i.test(env[`${prefix}_ALLOW_PRIVATE`] ?? ''), hosts, nets };
}

const normalHost = (host: string) =>
  host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');

/** Why `address` (which `host` resolved to) may not be reached under the policy, or null when it may. */
export function refusal(policy: OutboundPolicy, host: string, address: string): string | null {
  if (policy.allowPrivate || policy.hosts.has(normalHost(host))) return null;
  const range = nonPublicRange(address);
  if (!range) return null;
  const bytes = parseAddress(address);
  if (bytes && policy.nets.some((n) => inRange(bytes, n))) return null;
  return `${host} is ${normalHost(host) === normalHost(address) ? 'a' : `${address}, a`} ${range} address`;
}

/**
 * What can be said about a host without resolving it: a literal IP address (in any spelling the URL
 * parser accepts) or a `localhost` name that is not public. Null when only the resolved address can tell.
 */
export function literalHostRefusal(policy: OutboundPolicy, hostname: string): string | null {
  const host = normalHost(hostname);
  if (isIP(host)) return refusal(policy, host, host);
  if ((host === 'localhost' || host.endsWith('.localhost')) && !policy.allowPrivate && !policy.hosts.has(host))
    return `${host} is a loopback name`;
  return null;
}

/**
 * Why a host may not be reached, judged by its spelling and then by every address it resolves to now; null
 * when it may, or when it does not resolve (yet): a connection made for it later is checked again by guardedLookup.
 */
export async function resolvedHostRefusal(policy: OutboundPolicy, hostname: string, timeoutMs = 5_000): Promise<string | null> {
  const literal = literalHostRefusal(policy, hostname);
  const host = normalHost(hostname);
  if (literal || isIP(host) || policy.allowPrivate || policy.hosts.has(host)) return literal;
  const addresses = await new Promise<LookupAddress[]>((resolve) => {
    const timer = setTimeout(() => resolve([]), timeoutMs);
    dnsLookup(host, { all: true }, (err, found) => {
      clearTimeout(timer);
      resolve(err ? [] : found);
    });
  });
  return addresses.map((a) => refusal(policy, host, a.address)).find((r) => r !== null) ?? null;
}

export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKEDADDRESS';
  constructor(reason: string) {
    super(`refused to connect: ${reason} (not a public internet address)`);
    this.name = 'BlockedAddressError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/http/https connections: resolves every address of the host and refuses the connection
 * when any of them may not be reached.
 */
export function guardedLookup(policy: OutboundPolicy) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const reason = addresses.map((a) => refusal(policy, hostname, a.address)).find((r) => r !== null);
      if (reason) return callback(new BlockedAddressError(reason), '');
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** The BlockedAddressError behind an error (fetch wraps it as the `cause`), if any. */
export function blockedAddressIn(err: unknown): BlockedAddressError | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof BlockedAddressError) return e;
  }
  return undefined;
}
