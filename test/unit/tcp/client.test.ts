// TcpRelayClient on the simulated network: statuses, the confirming first ping, routing events,
// data/OOB/onion in both directions through our relay, pong RTT, timeouts (handshake, pong),
// c-toxcore's client-side strictness against a hand-driven relay, and close() leaving nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { keysEqual, type DhtPublicKey } from '../../../src/crypto/index.js';
import { ipPort } from '../../../src/net/index.js';
import type { SimHost } from '../../../src/net/sim/index.js';
import {
  TcpRelayClient,
  type ClientCloseReason,
  type OnionRequest,
  type RelayInfo,
  type TcpClientStatus,
  type TcpRelayClientOptions,
  type TcpRelayServer,
} from '../../../src/tcp/index.js';
import { RawServer, simWorld, startServer, type SimWorld } from './harness.js';

let world: SimWorld;
const cleanup: Array<() => unknown> = [];

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function newClient(relay: RelayInfo, host: SimHost, options: Partial<TcpRelayClientOptions> = {}): TcpRelayClient & { statuses: TcpClientStatus[] } {
  const client = new TcpRelayClient(
    { net: host, scheduler: world.scheduler, random: world.random.fork(), log: world.log },
    { relay, keyPair: world.keyPair(), ...options },
  ) as TcpRelayClient & { statuses: TcpClientStatus[] };
  client.statuses = [];
  client.on('status', (s) => client.statuses.push(s));
  cleanup.push(() => client.close());
  return client;
}

async function ourRelay(onion?: (r: OnionRequest, token: Uint8Array) => void): Promise<{ server: TcpRelayServer; relay: RelayInfo }> {
  const server = await startServer(world, world.host('10.0.0.1'), {}, onion ? { forwardOnionRequest: onion } : undefined);
  cleanup.push(() => server.stop());
  return { server, relay: { address: server.address, publicKey: server.publicKey } };
}

describe('TcpRelayClient with our relay', () => {
  it('connects, confirms with a ping, routes, and exchanges data, OOB and onion traffic', async () => {
    world = simWorld(3);
    const tokens: Uint8Array[] = [];
    const { server, relay } = await ourRelay((_r, token) => tokens.push(token));
    const a = newClient(relay, world.host('10.0.0.2'));
    const b = newClient(relay, world.host('10.0.0.3'));
    const events: string[] = [];
    const received: Array<[string, number, Uint8Array]> = [];
    for (const [name, c] of [['a', a], ['b', b]] as const) {
      c.on('routeResponse', (_pk, id) => events.push(`${name} route ${id}`));
      c.on('routeStatus', (id, _pk, online) => events.push(`${name} ${online ? 'online' : 'offline'} ${id}`));
      c.on('data', (id, _pk, data) => received.push([name, id, data]));
      c.on('oob', (sender, data) => received.push([`${name} oob ${keysEqual(sender, a.publicKey) ? 'from a' : ''}`, 0, data]));
    }
    a.connect();
    b.connect();
    expect(a.status).toBe('connecting');
    await world.scheduler.runUntil(() => a.status === 'confirmed' && b.status === 'confirmed', { timeoutMs: 5_000 });
    expect(a.statuses).toEqual(['unconfirmed', 'confirmed']);
    await world.scheduler.advance(100);
    expect(server.clientCount).toBe(2);
    expect(a.stats.pongsReceived).toBe(1);
    expect(a.stats.lastRttMs).toBeGreaterThan(0);

    a.routeRequest(b.publicKey);
    b.routeRequest(a.publicKey);
    await world.scheduler.advance(100);
    expect(events.sort()).toEqual(['a online 16', 'a route 16', 'b online 16', 'b route 16']);
    expect(a.routeFor(b.publicKey)).toEqual({ connectionId: 16, online: true });

    expect(a.sendData(16, Uint8Array.of(1, 2))).toBe('sent');
    expect(b.sendData(16, Uint8Array.of(3))).toBe('sent');
    expect(a.sendOob(b.publicKey, Uint8Array.of(4))).toBe('sent');
    await world.scheduler.advance(100);
    expect(received).toHaveLength(3);
    expect(received).toContainEqual(['b', 16, Uint8Array.of(1, 2)]);
    expect(received).toContainEqual(['a', 16, Uint8Array.of(3)]);
    expect(received).toContainEqual(['b oob from a', 0, Uint8Array.of(4)]);

    const request: OnionRequest = { nonce: new Uint8Array(24), nextHop: ipPort('10.5.5.5', 1), temporaryKey: new Uint8Array(32), payload: new Uint8Array(150) };
    const onion: Uint8Array[] = [];
    a.on('onionResponse', (p) => onion.push(p));
    expect(a.sendOnionRequest(request)).toBe('sent');
    await world.scheduler.advance(100);
    expect(server.deliverOnionResponse(tokens[0]!, Uint8Array.of(0x86, 1))).toBe(true);
    await world.scheduler.advance(100);
    expect(onion).toEqual([Uint8Array.of(0x86, 1)]);

    expect(a.disconnectRoute(16)).toBe('sent');
    await world.scheduler.advance(100);
    expect(events).toContain('b offline 16');
    expect(a.routeFor(b.publicKey)).toBeUndefined();
    expect(b.sendData(16, Uint8Array.of(1))).toBe('notOnline');
    expect(() => a.sendData(15, Uint8Array.of(1))).toThrow(/16..255/);
    expect(() => a.sendOob(b.publicKey, new Uint8Array(1025))).toThrow(/1..1024/);
  });

  it('pings every 30 s and reports the round trip', async () => {
    world = simWorld(4);
    const { relay } = await ourRelay();
    const a = newClient(relay, world.host('10.0.0.2'));
    const rtts: number[] = [];
    a.on('pong', (rtt) => rtts.push(rtt));
    a.connect();
    await world.scheduler.advance(95_000);
    expect(a.status).toBe('confirmed');
    expect(a.stats.pingsSent).toBe(4); // at confirmation, 30 s, 60 s, 90 s
    expect(rtts).toHaveLength(4);
    expect(rtts.every((r) => r === 20)).toBe(true); // two 10 ms hops
  });

  it('close() leaves no timer and no socket', async () => {
    world = simWorld(5);
    const { relay } = await ourRelay();
    const host = world.host('10.0.0.2');
    const baseline = world.scheduler.pending();
    const a = newClient(relay, host);
    a.connect();
    await world.scheduler.runUntil(() => a.status === 'confirmed', { timeoutMs: 5_000 });
    a.close();
    await world.scheduler.advance(1_000);
    expect(a.statuses.at(-1)).toBe('disconnected');
    expect(a.closeReason).toBe('closed');
    expect(world.scheduler.pending()).toBe(baseline);
    expect(host.openCount).toBe(0);
    expect(() => a.connect()).toThrow(/cannot connect/);
  });
});

describe('TcpRelayClient failures', () => {
  async function closedWith(mode: 'silent' | 'garbage' | 'none', wait = 12_000): Promise<ClientCloseReason | undefined> {
    world = simWorld(6);
    const host = world.host('10.0.0.1');
    const raw = new RawServer(world, mode === 'none' ? 'answer' : mode);
    if (mode !== 'none') await raw.listen(host);
    else raw.address = { family: 4, ip: '10.0.0.1', port: 999 };
    cleanup.push(() => raw.close());
    const baseline = world.scheduler.pending();
    const c = newClient(raw.info, world.host('10.0.0.2'));
    c.connect();
    await world.scheduler.advance(wait);
    expect(c.status).toBe('disconnected');
    expect(world.scheduler.pending()).toBe(baseline);
    return c.closeReason;
  }

  it('gives up on a relay that never answers the handshake after 10 s', async () => {
    expect(await closedWith('silent')).toBe('handshakeTimeout');
  });

  it('refuses a handshake answer that does not open', async () => {
    expect(await closedWith('garbage', 1_000)).toBe('badHandshake');
  });

  it('reports a refused connection', async () => {
    expect(await closedWith('none', 1_000)).toBe('connectFailed');
  });

  async function againstRaw(): Promise<{ raw: RawServer; client: TcpRelayClient }> {
    world = simWorld(8);
    const raw = new RawServer(world);
    await raw.listen(world.host('10.0.0.1'));
    cleanup.push(() => raw.close());
    const client = newClient(raw.info, world.host('10.0.0.2'));
    client.connect();
    await world.scheduler.runUntil(() => client.status === 'confirmed', { timeoutMs: 5_000 });
    await world.scheduler.advance(50);
    return { raw, client };
  }

  it('drops a relay that does not answer its ping within 10 s', async () => {
    const { raw, client } = await againstRaw();
    expect(raw.connections[0]!.received.map((p) => p.kind)).toEqual(['ping']);
    await world.scheduler.advance(9_000);
    expect(client.status).toBe('confirmed');
    await world.scheduler.advance(2_000);
    expect(client.closeReason).toBe('pongTimeout');
  });

  const offences: Array<[string, (raw: RawServer, self: DhtPublicKey) => void, ClientCloseReason]> = [
    ['a routing request', (raw, self) => raw.send({ kind: 'routeRequest', publicKey: self }), 'unexpectedPacket'],
    ['a pong with id 0', (raw) => raw.send({ kind: 'pong', pingId: 0n }), 'pongZero'],
    ['a connect notification for id 5', (raw) => raw.send({ kind: 'connectNotification', connectionId: 5 }), 'malformed'],
    ['a one-byte packet', (raw) => raw.sendPlain(Uint8Array.of(2)), 'malformed'],
    ['an OOB receive without data', (raw, self) => raw.sendPlain(Uint8Array.of(7, ...self)), 'malformed'],
    ['unknown id 13', (raw) => raw.sendPlain(Uint8Array.of(13, 0)), 'unexpectedPacket'],
  ];

  for (const [name, offend, reason] of offences) {
    it(`closes on ${name} from the relay`, async () => {
      const { raw, client } = await againstRaw();
      offend(raw, client.publicKey);
      await world.scheduler.advance(50);
      expect(client.closeReason).toBe(reason);
    });
  }

  it('answers relay pings, ignores data on unknown ids and routing refusals', async () => {
    const { raw, client } = await againstRaw();
    const refused: number[] = [];
    client.on('routeResponse', (_pk, id) => refused.push(id));
    raw.send({ kind: 'ping', pingId: 42n });
    raw.send({ kind: 'data', connectionId: 99, payload: Uint8Array.of(1) });
    raw.send({ kind: 'routeResponse', connectionId: 0, publicKey: new Uint8Array(32) });
    raw.sendPlain(Uint8Array.of(0x0b, 1)); // NGC forwarding: not ours, ignored
    await world.scheduler.advance(50);
    expect(client.status).toBe('confirmed');
    expect(raw.connections[0]!.received.filter((p) => p.kind === 'pong')).toEqual([{ kind: 'pong', pingId: 42n }]);
    expect(client.stats.droppedUnknownConnection).toBe(1);
    expect(client.stats.forwardingIgnored).toBe(1);
    expect(refused).toEqual([0]);
  });
});
