// TcpRelayServer on the simulated network, driven by raw clients: routing (ids 16..255, reuse,
// self-route and full-table refusals), connect/disconnect notifications on both sides, data with
// the peer's id, OOB, onion forwarding through the OnionForwarder port, keepalive, every
// strictness rule of pitfall 10, replacement of a reconnecting key, bounds, and clean stop.
import { afterEach, describe, expect, it } from 'vitest';
import { keyId } from '../../../src/crypto/index.js';
import { ipPort } from '../../../src/net/index.js';
import {
  OnionRequest,
  type OnionForwarder,
  type OnionRequest as OnionRequestValue,
  type TcpRelayServer,
} from '../../../src/tcp/index.js';
import { RawClient, simWorld, startServer, type SimWorld } from './harness.js';

let world: SimWorld;
let server: TcpRelayServer;
const stops: Array<() => Promise<void>> = [];

async function setup(options: Parameters<typeof startServer>[2] = {}, onion?: OnionForwarder): Promise<void> {
  world = simWorld(7);
  server = await startServer(world, world.host('10.0.0.1'), options, onion);
  stops.push(() => server.stop());
}

afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** A raw client, confirmed by a first ping as c-toxcore clients do. */
async function client(): Promise<RawClient> {
  const c = await RawClient.connect(world, world.host(`10.0.1.${world.network.hosts.length}`), server);
  c.send({ kind: 'ping', pingId: 1n });
  await world.scheduler.advance(50);
  return c;
}

const step = (ms = 50): Promise<void> => world.scheduler.advance(ms);

/** Two confirmed clients routed to each other; returns their connection ids. */
async function linkedPair(): Promise<{ a: RawClient; b: RawClient; idA: number; idB: number }> {
  const a = await client();
  const b = await client();
  a.send({ kind: 'routeRequest', publicKey: b.publicKey });
  await step();
  b.send({ kind: 'routeRequest', publicKey: a.publicKey });
  await step();
  const idA = a.of('routeResponse')[0]!.connectionId;
  const idB = b.of('routeResponse')[0]!.connectionId;
  return { a, b, idA, idB };
}

describe('relay routing', () => {
  it('grants ids from 16, notifies both sides, forwards data with the peer id', async () => {
    await setup();
    const filler = await client();
    const a = await client();
    const b = await client();
    a.send({ kind: 'routeRequest', publicKey: filler.publicKey });
    a.send({ kind: 'routeRequest', publicKey: b.publicKey });
    await step();
    expect(a.of('routeResponse').map((r) => r.connectionId)).toEqual([16, 17]);
    expect(a.of('connectNotification')).toEqual([]);

    b.send({ kind: 'routeRequest', publicKey: a.publicKey });
    await step();
    expect(b.of('routeResponse')).toEqual([{ kind: 'routeResponse', connectionId: 16, publicKey: a.publicKey }]);
    expect(a.of('connectNotification')).toEqual([{ kind: 'connectNotification', connectionId: 17 }]);
    expect(b.of('connectNotification')).toEqual([{ kind: 'connectNotification', connectionId: 16 }]);
    expect(server.clientCount).toBe(3);

    a.send({ kind: 'data', connectionId: 17, payload: Uint8Array.of(1, 2, 3) });
    b.send({ kind: 'data', connectionId: 16, payload: Uint8Array.of(4) });
    await step();
    expect(b.of('data')).toEqual([{ kind: 'data', connectionId: 16, payload: Uint8Array.of(1, 2, 3) }]);
    expect(a.of('data')).toEqual([{ kind: 'data', connectionId: 17, payload: Uint8Array.of(4) }]);
    expect(server.stats.dataForwarded).toBe(2);
  });

  it('repeats the same id for a repeated request, refuses a route to oneself', async () => {
    await setup();
    const a = await client();
    const target = world.keyPair().publicKey;
    a.send({ kind: 'routeRequest', publicKey: target });
    a.send({ kind: 'routeRequest', publicKey: target });
    a.send({ kind: 'routeRequest', publicKey: a.publicKey });
    await step();
    expect(a.of('routeResponse').map((r) => r.connectionId)).toEqual([16, 16, 0]);
  });

  it('hands out 240 ids per client, then 0; a freed id is reused', async () => {
    await setup();
    const a = await client();
    const keys = Array.from({ length: 241 }, () => world.keyPair().publicKey);
    for (const k of keys) a.send({ kind: 'routeRequest', publicKey: k });
    await step(200);
    const ids = a.of('routeResponse').map((r) => r.connectionId);
    expect(ids.slice(0, 240)).toEqual(Array.from({ length: 240 }, (_, i) => 16 + i));
    expect(ids[240]).toBe(0);
    a.send({ kind: 'disconnectNotification', connectionId: 100 });
    a.send({ kind: 'routeRequest', publicKey: keys[240]! });
    await step();
    expect(a.of('routeResponse').at(-1)).toEqual({ kind: 'routeResponse', connectionId: 100, publicKey: keys[240] });
    expect(a.closed).toBe(false);
  });

  it('disconnect notifications: the other side falls back to registered and is told', async () => {
    await setup();
    const { a, b, idA, idB } = await linkedPair();
    a.send({ kind: 'disconnectNotification', connectionId: idA });
    await step();
    expect(b.of('disconnectNotification')).toEqual([{ kind: 'disconnectNotification', connectionId: idB }]);
    // b's slot stays registered: data there is ignored, not fatal.
    b.send({ kind: 'data', connectionId: idB, payload: Uint8Array.of(1) });
    await step();
    expect(b.closed).toBe(false);
    expect(server.stats.dropped.get('dataNotOnline')).toBe(1);
    // a asks again: both are linked once more (a gets the freed id back).
    a.send({ kind: 'routeRequest', publicKey: b.publicKey });
    await step();
    expect(a.of('routeResponse').at(-1)!.connectionId).toBe(idA);
    expect(b.of('connectNotification')).toHaveLength(2);
  });

  it('a client that leaves makes its peers see a disconnect notification', async () => {
    await setup();
    const { a, b, idB } = await linkedPair();
    a.socket.destroy();
    await step();
    expect(b.of('disconnectNotification')).toEqual([{ kind: 'disconnectNotification', connectionId: idB }]);
    expect(server.clientCount).toBe(1);
    expect(server.stats.closed.get('peerClosed')).toBe(1);
  });

  it('relays OOB to a connected key with the sender key, drops it for unknown keys', async () => {
    await setup();
    const a = await client();
    const b = await client();
    a.send({ kind: 'oobSend', destination: b.publicKey, data: new Uint8Array(1024).fill(3) });
    a.send({ kind: 'oobSend', destination: world.keyPair().publicKey, data: Uint8Array.of(1) });
    await step();
    expect(b.of('oobReceive')).toEqual([{ kind: 'oobReceive', sender: a.publicKey, data: new Uint8Array(1024).fill(3) }]);
    expect(server.stats.dropped.get('oobNoTarget')).toBe(1);
    expect(a.closed).toBe(false);
  });

  it('a newer connection with the same key replaces the older one', async () => {
    await setup();
    const keys = world.keyPair();
    const host = world.host('10.0.2.1');
    const first = await RawClient.connect(world, host, server, keys);
    first.send({ kind: 'ping', pingId: 1n });
    await step();
    const second = await RawClient.connect(world, host, server, keys);
    second.send({ kind: 'ping', pingId: 2n });
    await step();
    expect(first.closed).toBe(true);
    expect(second.closed).toBe(false);
    expect(server.stats.closed.get('replaced')).toBe(1);
    expect(server.hasClient(keys.publicKey)).toBe(true);
  });
});

describe('relay keepalive', () => {
  it('answers pings, pings every 30 s and drops a client whose pong is 10 s late', async () => {
    await setup();
    const a = await client();
    a.send({ kind: 'ping', pingId: 77n });
    await step();
    expect(a.of('pong').at(-1)).toEqual({ kind: 'pong', pingId: 77n });
    await world.scheduler.advance(31_000);
    const ping = a.of('ping')[0]!;
    expect(ping.pingId).not.toBe(0n);
    a.send({ kind: 'pong', pingId: ping.pingId + 1n }); // wrong id: ignored
    a.send({ kind: 'pong', pingId: ping.pingId });
    await step();
    expect(server.stats.pongsReceived).toBe(1);
    await world.scheduler.advance(31_000);
    expect(a.of('ping')).toHaveLength(2);
    await world.scheduler.advance(11_000);
    expect(a.closed).toBe(true);
    expect(server.stats.closed.get('pongTimeout')).toBe(1);
  });

  it('drops a connection that does not complete the handshake (and first packet) within 10 s', async () => {
    await setup();
    const host = world.host('10.0.3.1');
    const bare = await RawClient.connectBare(world, host, server);
    const quiet = await RawClient.connect(world, host, server);
    expect(server.pendingCount).toBe(2);
    await world.scheduler.advance(9_000);
    expect(bare.closed).toBe(false);
    await world.scheduler.advance(2_000);
    expect(bare.closed).toBe(true);
    expect(quiet.closed).toBe(true);
    expect(server.stats.closed.get('handshakeTimeout')).toBe(2);
    expect(server.pendingCount).toBe(0);
  });
});

describe('relay strictness (pitfall 10)', () => {
  const cases: Array<[string, (c: RawClient) => void, string]> = [
    ['unknown id 12', (c) => c.sendPlain(Uint8Array.of(12, 0)), 'unexpectedPacket'],
    ['forwarding 11 from a client', (c) => c.sendPlain(Uint8Array.of(11, 1, 2)), 'unexpectedPacket'],
    ['forward request 10 with nothing in it', (c) => c.sendPlain(Uint8Array.of(10)), 'malformed'],
    ['routing response from a client', (c) => c.send({ kind: 'routeResponse', connectionId: 16, publicKey: c.publicKey }), 'unexpectedPacket'],
    ['OOB receive from a client', (c) => c.send({ kind: 'oobReceive', sender: c.publicKey, data: Uint8Array.of(1) }), 'unexpectedPacket'],
    ['onion response from a client', (c) => c.send({ kind: 'onionResponse', payload: Uint8Array.of(0x84) }), 'unexpectedPacket'],
    ['OOB with no data', (c) => c.sendPlain(new Uint8Array([6, ...c.publicKey])), 'malformed'],
    ['OOB with 1025 bytes', (c) => c.sendPlain(new Uint8Array([6, ...c.publicKey, ...new Uint8Array(1025)])), 'malformed'],
    ['routing request of 34 bytes', (c) => c.sendPlain(new Uint8Array(34)), 'malformed'],
    ['pong with id 0', (c) => c.send({ kind: 'pong', pingId: 0n }), 'pongZero'],
    ['data to a free connection id', (c) => c.send({ kind: 'data', connectionId: 40, payload: Uint8Array.of(1) }), 'freeConnectionId'],
    ['disconnect of a free connection id', (c) => c.send({ kind: 'disconnectNotification', connectionId: 40 }), 'freeConnectionId'],
    ['disconnect of a reserved id', (c) => c.send({ kind: 'disconnectNotification', connectionId: 3 }), 'freeConnectionId'],
    ['a frame longer than 2048 bytes', (c) => c.socket.write(Uint8Array.of(0x08, 0x01, ...new Uint8Array(2049))), 'badFrame'],
    ['a frame that does not open', (c) => c.socket.write(Uint8Array.of(0, 20, ...new Uint8Array(20))), 'decryptFailed'],
  ];

  for (const [name, offend, reason] of cases) {
    it(`closes only the offender: ${name}`, async () => {
      await setup();
      const { a, b, idA, idB } = await linkedPair();
      const offender = await client();
      offend(offender);
      await step();
      expect(offender.closed).toBe(true);
      expect(server.stats.closed.get(reason as never)).toBe(1);
      a.send({ kind: 'data', connectionId: idA, payload: Uint8Array.of(9) });
      await step();
      expect(b.of('data')).toEqual([{ kind: 'data', connectionId: idB, payload: Uint8Array.of(9) }]);
      expect(a.closed || b.closed).toBe(false);
    });
  }

  it('ignores a connect notification from a client and data to a registered (not online) id', async () => {
    await setup();
    const a = await client();
    a.send({ kind: 'routeRequest', publicKey: world.keyPair().publicKey });
    a.send({ kind: 'connectNotification', connectionId: 16 });
    a.send({ kind: 'data', connectionId: 16, payload: Uint8Array.of(1) });
    await step();
    expect(a.closed).toBe(false);
  });

  it('counts and drops an NGC forward request (0x0A) and keeps the client', async () => {
    await setup();
    const a = await client();
    a.send({ kind: 'forwardRequest', body: Uint8Array.of(2, 127, 0, 0, 1, 0x82, 0xa5, 1, 2, 3) });
    a.send({ kind: 'ping', pingId: 7n });
    await step();
    expect(a.closed).toBe(false);
    expect(server.stats.dropped.get('forwardUnsupported')).toBe(1);
    expect(a.of('pong')).toContainEqual({ kind: 'pong', pingId: 7n });
  });

  it('closes a client whose handshake does not authenticate', async () => {
    await setup();
    const bare = await RawClient.connectBare(world, world.host('10.0.4.1'), server);
    bare.socket.write(new Uint8Array(128).fill(1));
    await step();
    expect(bare.closed).toBe(true);
    expect(server.stats.closed.get('badHandshake')).toBe(1);
  });
});

describe('onion over TCP', () => {
  function onionRequest(length: number): OnionRequestValue {
    return { nonce: new Uint8Array(24).fill(1), nextHop: ipPort('10.9.9.9', 33445), temporaryKey: new Uint8Array(32).fill(2), payload: new Uint8Array(length) };
  }

  it('hands requests to the OnionForwarder and routes responses back by token', async () => {
    const forwarded: Array<{ request: OnionRequestValue; token: Uint8Array }> = [];
    await setup({}, { forwardOnionRequest: (request, token) => forwarded.push({ request, token }) });
    const a = await client();
    const b = await client();
    a.sendPlain(OnionRequest.encode(onionRequest(200)));
    await step();
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]!.request).toEqual(onionRequest(200));
    expect(forwarded[0]!.token).toHaveLength(16);
    expect(server.deliverOnionResponse(forwarded[0]!.token, Uint8Array.of(0x84, 5, 6))).toBe(true);
    await step();
    expect(a.of('onionResponse')).toEqual([{ kind: 'onionResponse', payload: Uint8Array.of(0x84, 5, 6) }]);
    expect(b.of('onionResponse')).toEqual([]);
    // A gone client's token is not reused by anyone else.
    a.socket.destroy();
    await step();
    expect(server.deliverOnionResponse(forwarded[0]!.token, Uint8Array.of(0x84))).toBe(false);
    expect(server.stats.dropped.get('onionNoClient')).toBe(1);
  });

  it('closes a client whose onion request is too short, drops one onion_send_1 would refuse', async () => {
    const forwarded: unknown[] = [];
    await setup({}, { forwardOnionRequest: (request) => forwarded.push(request) });
    const a = await client();
    const bad = OnionRequest.encode(onionRequest(200));
    bad[25] = 11; // not an IPv4/IPv6 family: dropped, as c-toxcore does
    a.sendPlain(bad);
    await step();
    expect(a.closed).toBe(false);
    expect(server.stats.dropped.get('onionMalformed')).toBe(1);
    a.sendPlain(OnionRequest.encode(onionRequest(200)).subarray(0, 159));
    await step();
    expect(a.closed).toBe(true);
    expect(forwarded).toHaveLength(0);
  });

  it('ignores onion requests without a forwarder', async () => {
    await setup();
    const a = await client();
    a.sendPlain(OnionRequest.encode(onionRequest(200)));
    await step();
    expect(a.closed).toBe(false);
    expect(server.stats.dropped.get('onionNoForwarder')).toBe(1);
  });
});

describe('relay bounds and lifecycle', () => {
  it('evicts the oldest pending connection when the pending set is full', async () => {
    await setup({ maxPending: 3 });
    const host = world.host('10.0.5.1');
    const bare = [];
    for (let i = 0; i < 5; i++) bare.push(await RawClient.connectBare(world, host, server));
    await step();
    expect(server.pendingCount).toBe(3);
    expect(bare.map((b) => b.closed)).toEqual([true, true, false, false, false]);
    expect(server.stats.closed.get('evicted')).toBe(2);
  });

  it('refuses clients beyond maxClients', async () => {
    await setup({ maxClients: 2 });
    const clients = [await client(), await client(), await client()];
    expect(clients.map((c) => c.closed)).toEqual([false, false, true]);
    expect(server.stats.closed.get('serverFull')).toBe(1);
  });

  it('stop() closes everything and leaves no timer or socket', async () => {
    world = simWorld(9);
    const host = world.host('10.0.0.1');
    const baseline = world.scheduler.pending();
    server = await startServer(world, host);
    const a = await RawClient.connect(world, world.host('10.0.0.2'), server);
    a.send({ kind: 'ping', pingId: 1n });
    await step();
    await server.stop();
    await step(1000);
    expect(a.closed).toBe(true);
    expect(world.scheduler.pending()).toBe(baseline);
    expect(host.openCount).toBe(0);
    expect(keyId(server.publicKey)).toHaveLength(64);
  });
});
