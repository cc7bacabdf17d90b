/**
 * IP addresses and endpoints as plain values: parsing and formatting IPv4 and
 * IPv6 (RFC 5952 text form), byte conversions, IPv4-mapped IPv6 normalisation,
 * and the LAN classification c-toxcore uses. No sockets here.
 */
import { InvalidArgumentError } from '../base/index.js';

export type IpFamily = 4 | 6;

export interface IpPort {
  readonly family: IpFamily;
  /** Canonical text: dotted quad, or lower-case compressed IPv6 without brackets. */
  readonly ip: string;
  readonly port: number;
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`port must be 0..65535, got ${port}`);
}

/** Dotted quad without leading zeros; hand-rolled because it runs for every datagram and every node sent. */
function parseIpv4(text: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || part > 3) return undefined;
      out[part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && value === 0) return undefined; // leading zero
      value = value * 10 + (c - 0x30);
      if (++digits > 3 || value > 255) return undefined;
    } else {
      return undefined;
    }
  }
  return part === 4 ? out : undefined;
}

function parseIpv6(text: string): Uint8Array | undefined {
  let s = text.toLowerCase();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  let tail: Uint8Array | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.', lastColon)) {
    tail = parseIpv4(s.slice(lastColon + 1));
    if (!tail) return undefined;
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const groups = h.split(':');
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parseGroups(halves[0]!);
  const rear = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (!head || !rear) return undefined;
  const missing = 8 - head.length - rear.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rear];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  if (tail) out.set(tail, 12);
  return out;
}

function formatIpv6(b: Uint8Array): string {
  // RFC 5952 section 5: IPv4-mapped addresses keep the dotted quad.
  if (isMappedIpv4(b)) return `::ffff:${b.subarray(12).join('.')}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((b[2 * i]! << 8) | b[2 * i + 1]!);
  // Longest run (length >= 2) of zero groups, first one on ties.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Parses an IPv4 or IPv6 literal into 4 or 16 bytes; `undefined` if it is neither. */
export function parseIp(text: string): Uint8Array | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

/** Text form of 4 or 16 address bytes. */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  if (bytes.length === 16) return formatIpv6(bytes);
  throw new InvalidArgumentError(`an IP address is 4 or 16 bytes, got ${bytes.length}`);
}

function isMappedIpv4(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** An endpoint from text; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) becomes plain IPv4. */
export function ipPort(ip: string, port: number): IpPort {
  checkPort(port);
  const bytes = parseIp(ip);
  if (!bytes) throw new InvalidArgumentError(`not an IP address: ${JSON.stringify(ip)}`);
  // The IPv4 parser accepts only the canonical dotted quad, so the text is already its canonical form.
  if (bytes.length === 4) return { family: 4, ip, port };
  return ipPortFromBytes(bytes, port);
}

export function ipPortFromBytes(bytes: Uint8Array, port: number): IpPort {
  checkPort(port);
  if (bytes.length === 16 && isMappedIpv4(bytes)) return { family: 4, ip: formatIp(bytes.subarray(12)), port };
  return { family: bytes.length === 4 ? 4 : 6, ip: formatIp(bytes), port };
}

export function ipBytes(address: IpPort): Uint8Array {
  const b = parseIp(address.ip);
  if (!b) throw new InvalidArgumentError(`not an IP address: ${address.ip}`);
  return b;
}

/** `1.2.3.4:33445` or `[::1]:33445`: also the Map key for endpoints. */
export function formatIpPort(a: IpPort): string {
  return a.family === 6 ? `[${a.ip}]:${a.port}` : `${a.ip}:${a.port}`;
}

export function ipPortEqual(a: IpPort, b: IpPort): boolean {
  return a.port === b.port && a.ip === b.ip;
}

/** IPv4 `::ffff:a.b.c.d` form, for sending to IPv4 peers from a dual-stack IPv6 socket. */
export function toMappedIpv6(a: IpPort): IpPort {
  return a.family === 6 ? a : { family: 6, ip: `::ffff:${a.ip}`, port: a.port };
}

export function isLoopback(a: IpPort): boolean {
  return a.family === 4 ? a.ip.startsWith('127.') : a.ip === '::1';
}

/**
 * c-toxcore's `ip_is_lan`: loopback, 10/8, 172.16/12, 192.168/16,
 * 169.254.1.0-169.254.254.255, 100.64/10, IPv6 link-local (fe80::/10), the
 * multicast all-nodes forms c-toxcore accepts (ff00..ff02 with last byte 1)
 * and IPv6 loopback.
 */
export function isLan(a: IpPort): boolean {
  const b = ipBytes(a);
  if (a.family === 4) {
    const [x, y, z] = [b[0]!, b[1]!, b[2]!];
    return (
      x === 127 ||
      x === 10 ||
      (x === 172 && y >= 16 && y <= 31) ||
      (x === 192 && y === 168) ||
      (x === 169 && y === 254 && z !== 0 && z !== 255) ||
      (x === 100 && (y & 0xc0) === 64)
    );
  }
  const multicastAllNodes = b[0] === 0xff && b[1]! < 3 && b[15] === 1;
  return a.ip === '::1' || multicastAllNodes || (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80);
}
