/**
 * Reaching a relay through a proxy, as c-toxcore's TCP client does: SOCKS5
 * (no authentication, CONNECT to an IPv4/IPv6 literal) or HTTP CONNECT. A
 * negotiation is a small synchronous state machine fed with the bytes the proxy
 * sends; once it reports `done`, the stream is a tunnel to the relay and any
 * bytes after the proxy's reply belong to the relay.
 */
import { concatBytes, utf8Decode, utf8Encode } from '../../base/index.js';
import { formatIpPort, ipBytes, type IpPort } from '../../net/index.js';

export interface ProxyConfig {
  readonly type: 'socks5' | 'http';
  readonly address: IpPort;
}

export type ProxyStep =
  | { readonly kind: 'wait' }
  | { readonly kind: 'send'; readonly bytes: Uint8Array }
  | { readonly kind: 'done'; readonly rest: Uint8Array }
  | { readonly kind: 'fail'; readonly reason: string };

export interface ProxyNegotiation {
  /** The first bytes to send to the proxy. */
  readonly greeting: Uint8Array;
  receive(chunk: Uint8Array): ProxyStep;
}

/** Longest HTTP reply header we read before giving up. */
const MAX_HTTP_HEADER = 4096;

const SOCKS_VERSION = 5;
const SOCKS_NO_AUTH = 0;
const SOCKS_CONNECT = 1;
const SOCKS_ATYP = { ipv4: 1, domain: 3, ipv6: 4 } as const;

export function proxyNegotiation(config: ProxyConfig, target: IpPort): ProxyNegotiation {
  return config.type === 'socks5' ? new Socks5Negotiation(target) : new HttpConnectNegotiation(target);
}

class Socks5Negotiation implements ProxyNegotiation {
  readonly greeting = Uint8Array.of(SOCKS_VERSION, 1, SOCKS_NO_AUTH);
  private stage: 'method' | 'reply' | 'done' = 'method';
  private buffer: Uint8Array = new Uint8Array(0);

  constructor(private readonly target: IpPort) {}

  receive(chunk: Uint8Array): ProxyStep {
    this.buffer = concatBytes(this.buffer, chunk);
    if (this.stage === 'method') {
      if (this.buffer.length < 2) return { kind: 'wait' };
      if (this.buffer[0] !== SOCKS_VERSION || this.buffer[1] !== SOCKS_NO_AUTH) return { kind: 'fail', reason: 'SOCKS5 proxy refused "no authentication"' };
      this.buffer = this.buffer.subarray(2);
      this.stage = 'reply';
      const address = ipBytes(this.target);
      const request = concatBytes(
        Uint8Array.of(SOCKS_VERSION, SOCKS_CONNECT, 0, address.length === 4 ? SOCKS_ATYP.ipv4 : SOCKS_ATYP.ipv6),
        address,
        Uint8Array.of(this.target.port >> 8, this.target.port & 0xff),
      );
      if (this.buffer.length > 0) return { kind: 'fail', reason: 'SOCKS5 proxy sent data before the request' };
      return { kind: 'send', bytes: request };
    }
    if (this.stage === 'done') return { kind: 'fail', reason: 'SOCKS5 negotiation already finished' };
    // Reply: [5][status][0][atyp][address][2 port].
    if (this.buffer.length < 5) return { kind: 'wait' };
    if (this.buffer[0] !== SOCKS_VERSION) return { kind: 'fail', reason: 'not a SOCKS5 reply' };
    if (this.buffer[1] !== 0) return { kind: 'fail', reason: `SOCKS5 proxy refused the connection (status ${this.buffer[1]})` };
    const atyp = this.buffer[3];
    const length =
      atyp === SOCKS_ATYP.ipv4 ? 4 + 4 + 2 : atyp === SOCKS_ATYP.ipv6 ? 4 + 16 + 2 : atyp === SOCKS_ATYP.domain ? 4 + 1 + this.buffer[4]! + 2 : -1;
    if (length < 0) return { kind: 'fail', reason: `SOCKS5 reply with address type ${atyp}` };
    if (this.buffer.length < length) return { kind: 'wait' };
    this.stage = 'done';
    return { kind: 'done', rest: this.buffer.subarray(length) };
  }
}

class HttpConnectNegotiation implements ProxyNegotiation {
  readonly greeting: Uint8Array;
  private buffer: Uint8Array = new Uint8Array(0);

  constructor(target: IpPort) {
    const authority = formatIpPort(target);
    this.greeting = utf8Encode(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  }

  receive(chunk: Uint8Array): ProxyStep {
    this.buffer = concatBytes(this.buffer, chunk);
    const end = headerEnd(this.buffer);
    if (end < 0) {
      return this.buffer.length > MAX_HTTP_HEADER ? { kind: 'fail', reason: 'HTTP proxy reply header too long' } : { kind: 'wait' };
    }
    const statusLine = utf8Decode(this.buffer.subarray(0, Math.min(end, 256))).split('\r\n')[0] ?? '';
    if (!/^HTTP\/1\.[01] 2\d\d(\s|$)/.test(statusLine)) return { kind: 'fail', reason: `HTTP proxy refused: ${statusLine}` };
    return { kind: 'done', rest: this.buffer.subarray(end + 4) };
  }
}

/** Index of the blank line "\r\n\r\n" ending the header, or -1. */
function headerEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
  }
  return -1;
}
