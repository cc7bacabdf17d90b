import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/base/index.js';
import { ipPort } from '../../../src/net/index.js';
import { MAX_PENDING_REQUESTS, parseBootstrapNodesJson } from '../../../src/dht/index.js';
import { LanDiscoveryRounds } from '../../../src/dht/lan-discovery.js';
import { commonIp, newNatState, punchingPorts } from '../../../src/dht/nat-punch.js';
import { RequestRateLimiter } from '../../../src/dht/rate-limit.js';
import { RequestTable } from '../../../src/dht/requests.js';

describe('request table', () => {
  it('accepts a response once, from the right key and address, within 5 s', () => {
    const table = new RequestTable(new SeededRandom(1));
    const a = ipPort('10.0.0.1', 1);
    const ids = [table.add('k', a, 0), table.add('k', a, 0), table.add('k', a, 0)];
    expect(new Set(ids).size).toBe(3);
    expect(table.take(ids[2]!, 'k', a, 100)).toBe('ok');
    expect(table.take(ids[2]!, 'k', a, 100)).toBe('unknown');
    expect(table.take(ids[0]!, 'other', a, 100)).toBe('mismatch');
    expect(table.take(ids[1]!, 'k', a, 5000)).toBe('expired');
  });

  it('stays bounded', () => {
    const table = new RequestTable(new SeededRandom(2));
    for (let i = 0; i < 3 * MAX_PENDING_REQUESTS; i++) table.add('k', ipPort('10.0.0.1', 1), 0);
    expect(table.size).toBe(MAX_PENDING_REQUESTS);
  });
});

describe('rate limiter', () => {
  it('caps each source per second without affecting others', () => {
    const limiter = new RequestRateLimiter(3, 100);
    const a = ipPort('10.0.0.1', 1);
    const b = ipPort('10.0.0.2', 1);
    expect([1, 2, 3, 4].map(() => limiter.admit(a, 10))).toEqual([true, true, true, false]);
    expect(limiter.admit(b, 10)).toBe(true);
    expect(limiter.admit(a, 1000)).toBe(true);
  });
});

describe('NAT punching', () => {
  it('finds an IP reported at least 4 times', () => {
    const via = ipPort('10.0.0.1', 1);
    const rep = (ip: string, port: number) => ({ via, reported: ipPort(ip, port) });
    expect(commonIp([rep('1.2.3.4', 1), rep('5.6.7.8', 1), rep('1.2.3.4', 2), rep('1.2.3.4', 3), rep('1.2.3.4', 4)], 4)).toBe('1.2.3.4');
    expect(commonIp([rep('1.2.3.4', 1), rep('5.6.7.8', 1)], 4)).toBeUndefined();
  });

  it('pings the single reported port, or 48 guesses around several, then sweeps from 1024', () => {
    const state = newNatState(1n);
    expect(punchingPorts(state, [4000, 4000, 4000, 4000])).toEqual([4000]);
    const guesses = punchingPorts(state, [5000, 5010]);
    expect(guesses).toHaveLength(48);
    expect(guesses.slice(0, 6)).toEqual([5000, 5000, 5010, 5010, 5001, 4999]);
    state.tries = 6;
    const later = punchingPorts(state, [4000, 4000]);
    expect(later).toHaveLength(49);
    expect(later.slice(1, 3)).toEqual([1024, 1025]);
  });
});

describe('LAN discovery rounds', () => {
  it('go to loopback only by default, first port plus 10 walking the range', () => {
    const rounds = new LanDiscoveryRounds({ portRange: [40000, 40015] }, true);
    const first = rounds.nextRound();
    expect(new Set(first.map((a) => a.ip))).toEqual(new Set(['127.0.0.1', '::1']));
    expect(first.filter((a) => a.ip === '127.0.0.1').map((a) => a.port)).toEqual([40000, ...Array.from({ length: 10 }, (_, i) => 40001 + i)]);
    const second = rounds.nextRound().filter((a) => a.ip === '127.0.0.1').map((a) => a.port);
    expect(second).toEqual([40000, 40011, 40012, 40013, 40014, 40015, 40001, 40002, 40003, 40004, 40005]);
  });

  it('broadcast only on explicit opt-in', () => {
    const rounds = new LanDiscoveryRounds({ broadcast: true }, false);
    expect(new Set(rounds.nextRound().map((a) => a.ip))).toEqual(new Set(['255.255.255.255']));
  });
});

describe('bootstrap node lists', () => {
  it('read the nodes.tox.chat JSON format', () => {
    const pk = 'AB'.repeat(32);
    const list = parseBootstrapNodesJson(JSON.stringify({
      last_scan: 1,
      nodes: [
        { ipv4: '198.51.100.1', ipv6: '2001:db8::1', port: 33445, tcp_ports: [443], public_key: pk, status_udp: true },
        { ipv4: 'tox.example.org', ipv6: '-', port: 33445, public_key: pk },
        { ipv4: '1.2.3.4', port: 'x', public_key: pk },
      ],
    }), { ipv6: true });
    expect(list.nodes.map((n) => n.address)).toEqual([ipPort('198.51.100.1', 33445), ipPort('2001:db8::1', 33445)]);
    expect(list.hostnames).toEqual([{ host: 'tox.example.org', port: 33445, publicKey: expect.any(Uint8Array) }]);
    expect(list.skipped).toBe(1);
    expect(() => parseBootstrapNodesJson('{')).toThrow();
  });
});

