// TcpConnections (§6.4) on the simulated network: peers online through a shared relay, data both
// ways, OOB fallback while only registered, the 6-relays-per-peer and 3-online rules, the bounded
// relay set, reconnect with exponential backoff after a relay restart, onion relays, closing
// unused relays above 3, and stop() leaving nothing behind.
import { afterEach, describe, expect, it } from 'vitest';
import { keyId, type DhtKeyPair, type DhtPublicKey } from '../../../src/crypto/index.js';
import { ipPort } from '../../../src/net/index.js';
import type { SimHost } from '../../../src/net/sim/index.js';
import { TcpConnections, TcpRelayServer, type OnionRequest, type PeerRelayStatus, type RelayInfo } from '../../../src/tcp/index.js';
import { settle, simWorld, startServer, type SimWorld } from './harness.js';

let world: SimWorld;
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

interface Node {
  readonly keys: DhtKeyPair;
  readonly tcp: TcpConnections;
  readonly packets: Array<[string, Uint8Array]>;
  readonly oob: Array<[string, Uint8Array]>;
  readonly status: Array<[string, PeerRelayStatus]>;
}

function node(host: SimHost, options: Partial<ConstructorParameters<typeof TcpConnections>[1]> = {}): Node {
  const keys = world.keyPair();
  const tcp = new TcpConnections({ net: host, scheduler: world.scheduler, random: world.random.fork(), log: world.log }, { keyPair: keys, ...options });
  const n: Node = { keys, tcp, packets: [], oob: [], status: [] };
  tcp.subscribePeers({
    peerPacket: (peer, packet) => n.packets.push([keyId(peer), packet]),
    oobPacket: (sender, data) => n.oob.push([keyId(sender), data]),
    peerStatus: (peer, status) => n.status.push([keyId(peer), status]),
  });
  cleanup.push(() => tcp.stop());
  return n;
}

async function relay(ip: string, onion?: (r: OnionRequest, token: Uint8Array) => void): Promise<{ server: TcpRelayServer; info: RelayInfo }> {
  const server = await startServer(world, world.host(ip), {}, onion ? { forwardOnionRequest: onion } : undefined);
  cleanup.push(() => server.stop());
  return { server, info: { address: server.address, publicKey: server.publicKey } };
}

describe('TcpConnections', () => {
  it('brings two peers online through a shared relay and carries packets both ways', async () => {
    world = simWorld(21);
    const { info } = await relay('10.0.0.1');
    const a = node(world.host('10.0.0.2'));
    const b = node(world.host('10.0.0.3'));
    a.tcp.addPeer(b.keys.publicKey);
    b.tcp.addPeer(a.keys.publicKey);
    expect(a.tcp.addPeerRelay(b.keys.publicKey, info)).toBe(true);
    expect(b.tcp.addPeerRelay(a.keys.publicKey, info)).toBe(true);
    a.tcp.start();
    b.tcp.start();
    await world.scheduler.runUntil(() => a.tcp.peerStatus(b.keys.publicKey) === 'online' && b.tcp.peerStatus(a.keys.publicKey) === 'online', { timeoutMs: 5_000 });
    expect(a.status).toEqual([[keyId(b.keys.publicKey), 'registered'], [keyId(b.keys.publicKey), 'online']]);
    expect(a.tcp.sendToPeer(b.keys.publicKey, new Uint8Array(2031).fill(1))).toBe('sent');
    expect(b.tcp.sendToPeer(a.keys.publicKey, Uint8Array.of(2))).toBe('sent');
    await world.scheduler.advance(100);
    expect(b.packets).toEqual([[keyId(a.keys.publicKey), new Uint8Array(2031).fill(1)]]);
    expect(a.packets).toEqual([[keyId(b.keys.publicKey), Uint8Array.of(2)]]);
    expect(a.tcp.connectedRelays(4)).toEqual([info]);
    expect(a.tcp.sendToPeer(world.keyPair().publicKey, Uint8Array.of(1))).toBe('unreachable');
  });

  it('falls back to OOB while the peer is only registered; OOB from a tracked peer counts as its packet', async () => {
    world = simWorld(22);
    const { info } = await relay('10.0.0.1');
    const a = node(world.host('10.0.0.2'));
    const b = node(world.host('10.0.0.3'));
    a.tcp.addPeer(b.keys.publicKey);
    a.tcp.addPeerRelay(b.keys.publicKey, info);
    b.tcp.addRelay(info);
    a.tcp.start();
    b.tcp.start();
    await world.scheduler.runUntil(() => a.tcp.peerStatus(b.keys.publicKey) === 'registered' && b.tcp.relayStatus(info.publicKey) === 'confirmed', { timeoutMs: 5_000 });
    expect(a.tcp.sendToPeer(b.keys.publicKey, Uint8Array.of(5))).toBe('sent');
    expect(a.tcp.sendToPeer(b.keys.publicKey, new Uint8Array(1025))).toBe('unreachable');
    await world.scheduler.advance(100);
    expect(b.oob).toEqual([[keyId(a.keys.publicKey), Uint8Array.of(5)]]);
    // Once b tracks a on that relay, a's OOB is b's peer traffic.
    b.tcp.addPeer(a.keys.publicKey);
    b.tcp.addPeerRelay(a.keys.publicKey, info);
    expect(b.tcp.sendOob(info.publicKey, a.keys.publicKey, Uint8Array.of(6))).toBe(true);
    await world.scheduler.advance(100);
    expect(a.packets).toEqual([[keyId(b.keys.publicKey), Uint8Array.of(6)]]);
  });

  it('ties at most 6 relays to a peer and opens new ones only below 3 online', async () => {
    world = simWorld(23);
    const relays = [];
    for (let i = 0; i < 8; i++) relays.push(await relay(`10.0.1.${i + 1}`));
    const a = node(world.host('10.0.0.2'));
    const b = node(world.host('10.0.0.3'));
    a.tcp.addPeer(b.keys.publicKey);
    b.tcp.addPeer(a.keys.publicKey);
    for (const r of relays.slice(0, 3)) {
      expect(a.tcp.addPeerRelay(b.keys.publicKey, r.info)).toBe(true);
      b.tcp.addPeerRelay(a.keys.publicKey, r.info);
    }
    a.tcp.start();
    b.tcp.start();
    await world.scheduler.advance(2_000);
    expect(a.tcp.peerStatus(b.keys.publicKey)).toBe('online');
    // 3 online: an unknown relay is refused, a known one is still tied (up to 6).
    expect(a.tcp.addPeerRelay(b.keys.publicKey, relays[3]!.info)).toBe(false);
    for (const r of relays.slice(3, 6)) expect(a.tcp.addRelay(r.info)).toBe(true);
    for (const r of relays.slice(3, 6)) expect(a.tcp.addPeerRelay(b.keys.publicKey, r.info)).toBe(true);
    a.tcp.addRelay(relays[6]!.info);
    expect(a.tcp.addPeerRelay(b.keys.publicKey, relays[6]!.info)).toBe(false);
  });

  it('bounds the relay set', async () => {
    world = simWorld(24);
    const a = node(world.host('10.0.0.2'), { maxRelays: 2 });
    const infos = [0, 1, 2].map((i) => ({ address: ipPort(`10.0.1.${i}`, 1), publicKey: world.keyPair().publicKey }));
    expect(infos.map((i) => a.tcp.addRelay(i))).toEqual([true, true, false]);
    expect(a.tcp.addRelay(infos[0]!)).toBe(false);
  });

  it('reconnects with exponential backoff and re-registers its peers when the relay comes back', async () => {
    world = simWorld(25);
    const relayHost = world.host('10.0.0.1');
    const serverKeys = world.keyPair();
    const first = await startServer(world, relayHost, { keyPair: serverKeys });
    const info = { address: first.address, publicKey: first.publicKey };
    const a = node(world.host('10.0.0.2'), { reconnectBaseMs: 1_000, reconnectMaxMs: 8_000 });
    const b = node(world.host('10.0.0.3'));
    a.tcp.addPeer(b.keys.publicKey);
    b.tcp.addPeer(a.keys.publicKey);
    a.tcp.addPeerRelay(b.keys.publicKey, info);
    b.tcp.addPeerRelay(a.keys.publicKey, info);
    a.tcp.start();
    b.tcp.start();
    await world.scheduler.runUntil(() => a.tcp.peerStatus(b.keys.publicKey) === 'online', { timeoutMs: 5_000 });

    const attempts: number[] = [];
    a.tcp.on('relayStatus', (_pk, status) => {
      if (status === 'disconnected') attempts.push(world.scheduler.now());
    });
    await first.stop();
    await world.scheduler.advance(20_000);
    expect(a.tcp.peerStatus(b.keys.publicKey)).toBe('none');
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    expect(gaps.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]! * 1.4);

    const second = new TcpRelayServer(
      { net: relayHost, scheduler: world.scheduler, random: world.random.fork(), log: world.log },
      { keyPair: serverKeys, host: relayHost.ip, port: info.address.port },
    );
    await settle(world.scheduler, second.start());
    cleanup.push(() => second.stop());
    await world.scheduler.runUntil(() => a.tcp.peerStatus(b.keys.publicKey) === 'online', { timeoutMs: 30_000 });
    expect(a.tcp.sendToPeer(b.keys.publicKey, Uint8Array.of(7))).toBe('sent');
    await world.scheduler.advance(100);
    expect(b.packets).toEqual([[keyId(a.keys.publicKey), Uint8Array.of(7)]]);
  });

  it('flags up to 3 relays for onion traffic and surfaces onion responses with the relay key', async () => {
    world = simWorld(26);
    const tokens: Array<[TcpRelayServer, Uint8Array]> = [];
    const servers: TcpRelayServer[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await relay(`10.0.1.${i + 1}`, (_req, token) => tokens.push([r.server, token]));
      servers.push(r.server);
    }
    const a = node(world.host('10.0.0.2'));
    for (const s of servers) a.tcp.addRelay({ address: s.address, publicKey: s.publicKey });
    const responses: Array<[Uint8Array, DhtPublicKey]> = [];
    a.tcp.subscribeOnion({ onionResponse: (payload, relayKey) => responses.push([payload, relayKey]) });
    a.tcp.start();
    await world.scheduler.advance(2_000);
    expect(a.tcp.onionRelays()).toEqual([]);
    a.tcp.setOnionEnabled(true);
    const onionRelays = a.tcp.onionRelays();
    expect(onionRelays).toHaveLength(3);
    const request: OnionRequest = { nonce: new Uint8Array(24), nextHop: ipPort('10.9.9.9', 1), temporaryKey: new Uint8Array(32), payload: new Uint8Array(120) };
    expect(a.tcp.sendOnionRequest(onionRelays[1]!.publicKey, request)).toBe(true);
    await world.scheduler.advance(100);
    expect(tokens).toHaveLength(1);
    tokens[0]![0].deliverOnionResponse(tokens[0]![1], Uint8Array.of(0x84, 9));
    await world.scheduler.advance(100);
    expect(responses).toEqual([[Uint8Array.of(0x84, 9), tokens[0]![0].publicKey]]);
  });

  it('closes unused relays beyond 3 after 10 s and reopens one when a peer needs it', async () => {
    world = simWorld(27);
    const infos: RelayInfo[] = [];
    for (let i = 0; i < 5; i++) infos.push((await relay(`10.0.1.${i + 1}`)).info);
    const a = node(world.host('10.0.0.2'));
    for (const info of infos) a.tcp.addRelay(info);
    a.tcp.start();
    await world.scheduler.advance(5_000);
    expect(a.tcp.relaySummaries().filter((r) => r.state === 'confirmed')).toHaveLength(5);
    await world.scheduler.advance(7_000);
    const summaries = a.tcp.relaySummaries();
    expect(summaries.filter((r) => r.state === 'confirmed')).toHaveLength(3);
    const idle = summaries.filter((r) => r.state === 'idle');
    expect(idle).toHaveLength(2);
    const peer = world.keyPair().publicKey;
    a.tcp.addPeer(peer);
    expect(a.tcp.addPeerRelay(peer, idle[0]!.info)).toBe(true);
    await world.scheduler.advance(1_000);
    expect(a.tcp.relayStatus(idle[0]!.info.publicKey)).toBe('confirmed');
    expect(a.tcp.peerStatus(peer)).toBe('registered');
  });

  it('stop() closes every relay and leaves no timer or socket', async () => {
    world = simWorld(28);
    const { info } = await relay('10.0.0.1');
    const host = world.host('10.0.0.2');
    const baseline = world.scheduler.pending();
    const a = node(host);
    a.tcp.addRelay(info);
    a.tcp.start();
    await world.scheduler.advance(2_000);
    expect(a.tcp.relayStatus(info.publicKey)).toBe('confirmed');
    a.tcp.stop();
    await world.scheduler.advance(1_000);
    expect(world.scheduler.pending()).toBe(baseline);
    expect(host.openCount).toBe(0);
  });
});
