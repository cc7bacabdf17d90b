/** address.ts: IPv4/IPv6 parsing and RFC 5952 formatting, IPv4-mapped normalisation, endpoints, isLan. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isToxError } from '../../../src/base/index.js';
import {
  formatIp,
  formatIpPort,
  ipBytes,
  ipPort,
  ipPortEqual,
  ipPortFromBytes,
  isLan,
  isLoopback,
  parseIp,
  toMappedIpv6,
} from '../../../src/net/index.js';

describe('parseIp / formatIp', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['::', '::'],
    ['::1', '::1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    // A single zero group is not compressed.
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    // The longest run wins; on a tie, the first.
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
    ['::ffff:0102:0304', '::ffff:1.2.3.4'],
    ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
  ])('%s formats as %s', (text, canonical) => {
    const bytes = parseIp(text);
    expect(bytes).toBeDefined();
    expect(formatIp(bytes!)).toBe(canonical);
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.-1', ' 1.2.3.4', '1::2::3', ':::', ':1::2', '1::2:', 'g::1', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::8', '12345::1', '::1.2.3', 'localhost'])(
    'rejects %j',
    (text) => {
      expect(parseIp(text)).toBeUndefined();
    },
  );

  it('round-trips arbitrary addresses through text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 })), (bytes) => {
        expect(parseIp(formatIp(bytes))).toEqual(bytes);
      }),
    );
  });

  it('formatIp rejects other lengths with INVALID_ARGUMENT', () => {
    expect(() => formatIp(new Uint8Array(5))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('endpoints', () => {
  it('normalises IPv4-mapped IPv6 to IPv4, from text and from bytes', () => {
    expect(ipPort('::ffff:10.1.2.3', 33445)).toEqual({ family: 4, ip: '10.1.2.3', port: 33445 });
    expect(ipPort('::FFFF:a01:203', 1)).toEqual({ family: 4, ip: '10.1.2.3', port: 1 });
    expect(ipPortFromBytes(parseIp('::ffff:127.0.0.1')!, 5)).toEqual({ family: 4, ip: '127.0.0.1', port: 5 });
    expect(ipPortFromBytes(parseIp('2001:db8::1')!, 5)).toEqual({ family: 6, ip: '2001:db8::1', port: 5 });
  });

  it('maps IPv4 for an IPv6 socket, and leaves IPv6 alone', () => {
    expect(toMappedIpv6(ipPort('1.2.3.4', 9))).toEqual({ family: 6, ip: '::ffff:1.2.3.4', port: 9 });
    expect(ipPort(toMappedIpv6(ipPort('1.2.3.4', 9)).ip, 9)).toEqual(ipPort('1.2.3.4', 9));
    const v6 = ipPort('::1', 9);
    expect(toMappedIpv6(v6)).toBe(v6);
  });

  it('formats endpoints, compares them and converts to bytes', () => {
    expect(formatIpPort(ipPort('1.2.3.4', 33445))).toBe('1.2.3.4:33445');
    expect(formatIpPort(ipPort('::1', 33445))).toBe('[::1]:33445');
    expect(ipPortEqual(ipPort('2001:db8:0::1', 1), ipPort('2001:DB8::1', 1))).toBe(true);
    expect(ipPortEqual(ipPort('1.2.3.4', 1), ipPort('1.2.3.4', 2))).toBe(false);
    expect(ipBytes(ipPort('1.2.3.4', 1))).toEqual(Uint8Array.of(1, 2, 3, 4));
  });

  it.each([
    ['1.2.3.4', -1],
    ['1.2.3.4', 65536],
    ['1.2.3.4', 1.5],
    ['example.org', 1],
    ['1.2.3', 1],
  ])('ipPort(%j, %j) throws INVALID_ARGUMENT', (ip, port) => {
    let caught: unknown;
    try {
      ipPort(ip, port);
    } catch (err) {
      caught = err;
    }
    expect(isToxError(caught, 'INVALID_ARGUMENT')).toBe(true);
  });
});

describe('isLan / isLoopback (c-toxcore ip_is_lan)', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.1.2', true],
    ['10.0.0.1', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.15.0.1', false],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['192.169.1.1', false],
    ['169.254.1.1', true],
    ['169.254.0.1', false],
    ['169.254.255.1', false],
    ['100.64.0.1', true],
    ['100.127.255.255', true],
    ['100.128.0.1', false],
    ['8.8.8.8', false],
    ['::1', true],
    ['fe80::1', true],
    ['febf::1', true],
    ['fec0::1', false],
    ['ff02::1', true],
    ['ff01::1', true],
    ['ff03::1', false],
    ['ff02::2', false],
    ['2001:db8::1', false],
    ['::ffff:192.168.0.1', true],
  ])('%s → %s', (ip, lan) => {
    expect(isLan(ipPort(ip, 1))).toBe(lan);
  });

  it('knows loopback', () => {
    expect(isLoopback(ipPort('127.0.0.2', 1))).toBe(true);
    expect(isLoopback(ipPort('::1', 1))).toBe(true);
    expect(isLoopback(ipPort('::ffff:127.0.0.1', 1))).toBe(true);
    expect(isLoopback(ipPort('10.0.0.1', 1))).toBe(false);
    expect(isLoopback(ipPort('::2', 1))).toBe(false);
  });
});
