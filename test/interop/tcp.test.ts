// TCP relay interop with real c-toxcore 0.2.18 on loopback (issue #8, first half):
//  (a) two of our relay clients meet on a tox-bootstrapd relay: routing by DHT key, connect
//      notifications, data, OOB, pongs, and onion over TCP through the relay's UDP onion;
//  (b) the same through a c-toxcore instance with tcp_port set, iterated every 1 ms;
//  (c) c-toxcore with UDP disabled uses OUR relay: handshake, its pings and our pings answered,
//      and the onion requests it sends over TCP decode with our codec;
//  (d) our node with UDP disabled, configured with nothing but a tox-bootstrapd relay, befriends
//      c-toxcore clients (requests both ways) and exchanges messages with receipts through it;
//  (e) two UDP-less c-toxcore clients, given only our relay (and our node as bootstrap), befriend
//      each other and exchange 1,000 messages each way through it, exactly once and in order.
// Run only inside a private network namespace:
//   unshare -n sh -c 'ip link set lo up && exec npx vitest run test/interop/tcp.test.ts'

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { CryptoRandom, RealScheduler, silentLogger, toHex } from '../../src/base/index.js';
import { generateKeyPair, keysEqual, type DhtKeyPair, type DhtPublicKey } from '../../src/crypto/index.js';
import { ipPort, type DatagramSocket, type IpPort } from '../../src/net/index.js';
import { NodeNetStack } from '../../src/net/node/index.js';
import { TcpRelayClient, TcpRelayServer, type OnionRequest, type RelayInfo } from '../../src/tcp/index.js';
import { publicKeyHex } from '../../src/runtime/events.js';
import { requireBootstrapd, startBootstrapd } from '../support/bootstrapd.js';
import { startOurNode } from '../support/our-node.js';
import { waitUntil } from '../support/wait.js';
import { Connection } from '../support/toxcore/constants.js';
import { ToxcoreInstance } from '../support/toxcore/instance.js';
import { requireToxcore } from '../support/toxcore/lib.js';
import { requirePrivateNetwork } from '../support/netns.js';
import { freeTcpPort } from '../support/ports.js';
import { duplex, echoRtts, medianOf, realWait, routePair } from '../unit/tcp/relay-pair.js';

const runTox = requirePrivateNetwork() && requireToxcore() !== null;
const runBootstrapd = runTox && requireBootstrapd();
const TIMEOUT = 60_000;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface RealEnv {
  readonly scheduler: RealScheduler;
  readonly random: CryptoRandom;
  readonly net: NodeNetStack;
}

function realEnv(): RealEnv {
  const scheduler = new RealScheduler();
  const net = new NodeNetStack({ scheduler });
  cleanups.push(() => net.close());
  return { scheduler, random: new CryptoRandom(), net };
}

function ourClient(env: RealEnv, relay: RelayInfo): TcpRelayClient {
  const client = new TcpRelayClient(
    { net: env.net, scheduler: env.scheduler, random: env.random, log: silentLogger() },
    { relay, keyPair: generateKeyPair(env.random) as DhtKeyPair },
  );
  cleanups.push(() => client.close());
  return client;
}

/**
 * Onion over TCP at the relay: our client's packet 8 must come out of the relay's UDP socket as
 * 0x81 to the next hop we named (so the relay parsed our IPP19), and a 0x8E answer carrying the
 * relay's return blob must come back to our client as packet 9.
 */
async function onionRoundTrip(env: RealEnv, client: TcpRelayClient, relayUdpPort: number): Promise<void> {
  const hop: DatagramSocket = await env.net.bindUdp({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => hop.close());
  const seen: Uint8Array[] = [];
  hop.onMessage((data) => seen.push(data));
  const responses: Uint8Array[] = [];
  client.on('onionResponse', (payload) => responses.push(payload));
  const request: OnionRequest = {
    nonce: env.random.bytes(24),
    nextHop: hop.local,
    temporaryKey: env.random.bytes(32),
    payload: env.random.bytes(200),
  };
  expect(client.sendOnionRequest(request)).toBe('sent');
  await realWait(() => seen.length > 0, 5_000);
  const forwarded = seen[0]!;
  expect(forwarded[0]).toBe(0x81);
  expect(forwarded.subarray(1, 25)).toEqual(request.nonce);
  expect(forwarded.subarray(25, 57)).toEqual(request.temporaryKey);
  expect(forwarded.subarray(57, 257)).toEqual(request.payload);
  const returnBlob = forwarded.subarray(257);
  expect(returnBlob).toHaveLength(59);
  const answer = Uint8Array.of(0x84, ...env.random.bytes(100));
  hop.send(ipPort('127.0.0.1', relayUdpPort), Uint8Array.of(0x8e, ...returnBlob, ...answer));
  await realWait(() => responses.length > 0, 5_000);
  expect(responses[0]).toEqual(answer);
}

/** Everything two of our clients can show through a third-party relay; returns the echo RTT median. */
async function exerciseRelay(env: RealEnv, relay: RelayInfo, relayUdpPort: number, label: string): Promise<void> {
  const a = ourClient(env, relay);
  const b = ourClient(env, relay);
  const notifications: number[] = [];
  a.on('routeStatus', (id, _pk, online) => online && notifications.push(id));
  b.on('routeStatus', (id, _pk, online) => online && notifications.push(id));
  await routePair(a, b, realWait);
  expect(notifications).toHaveLength(2);
  expect(a.stats.pongsReceived).toBe(1); // the confirming ping, answered by c-toxcore
  const rtts = await echoRtts(a, b, 21, realWait, () => env.scheduler.now());

  const oob: Array<[DhtPublicKey, Uint8Array]> = [];
  b.on('oob', (sender, data) => oob.push([sender, data]));
  expect(a.sendOob(b.publicKey, new Uint8Array(1024).fill(5))).toBe('sent');
  await realWait(() => oob.length === 1, 5_000);
  expect(keysEqual(oob[0]![0], a.publicKey)).toBe(true);
  expect(oob[0]![1]).toEqual(new Uint8Array(1024).fill(5));

  const start = env.scheduler.now();
  const [ab, ba] = await duplex(a, b, 1024 * 1024, realWait, () => env.scheduler.now(), 30_000);
  const seconds = (env.scheduler.now() - start) / 1000;
  expect(ab.received + ba.received).toBe(2 * 1024 * 1024);
  expect(ab.corrupt + ba.corrupt).toBe(0);

  expect(a.ping()).toBe('sent');
  await realWait(() => a.stats.pongsReceived === 2, 5_000);
  await onionRoundTrip(env, a, relayUdpPort);
  expect(a.status).toBe('confirmed');
  expect(b.status).toBe('confirmed');
  console.log(`[tcp interop] ${label}: echo RTT median ${medianOf(rtts).toFixed(2)} ms, 2 × 1 MiB in ${seconds.toFixed(2)} s (${(2 / seconds).toFixed(1)} MiB/s, ${ab.retransmits + ba.retransmits} packets sent again after relay drops)`);
}

describe.skipIf(!runBootstrapd)('our relay clients on a tox-bootstrapd relay', () => {
  test('route, notify, data, OOB, pongs and onion over TCP', async () => {
    const daemon = await startBootstrapd({ tcpRelay: true });
    cleanups.push(() => daemon.stop());
    const env = realEnv();
    const relay = { address: ipPort('127.0.0.1', daemon.tcpPort!), publicKey: daemon.publicKey as DhtPublicKey };
    await exerciseRelay(env, relay, daemon.udpPort, 'tox-bootstrapd relay');
  }, TIMEOUT);
});

describe.skipIf(!runTox)('our relay clients on a c-toxcore tcp_port relay', () => {
  test('route, notify, data, OOB, pongs and onion over TCP (instance iterated every 1 ms)', async () => {
    const tcpPort = await freeTcpPort();
    const relayNode = await ToxcoreInstance.create({ tcpPort });
    cleanups.push(() => relayNode.kill());
    relayNode.startLoop(1);
    const env = realEnv();
    const relay = { address: ipPort('127.0.0.1', relayNode.tcpPort), publicKey: relayNode.dhtId as DhtPublicKey };
    await exerciseRelay(env, relay, relayNode.udpPort, 'c-toxcore tcp_port relay');
  }, TIMEOUT);
});

describe.skipIf(!runTox)('c-toxcore on our relay', () => {
  test('a UDP-less c-toxcore connects, confirms, answers pings and sends onion requests our codec decodes', async () => {
    const env = realEnv();
    const onion: Array<{ request: OnionRequest; token: Uint8Array }> = [];
    const server = new TcpRelayServer(
      { net: env.net, scheduler: env.scheduler, random: env.random, log: silentLogger(), onion: { forwardOnionRequest: (request, token) => onion.push({ request, token }) } },
      { keyPair: generateKeyPair(env.random) as DhtKeyPair, host: '127.0.0.1', port: 0, pingIntervalMs: 2_000 },
    );
    await server.start();
    cleanups.push(() => server.stop());

    const tox = await ToxcoreInstance.create({ udp: false });
    cleanups.push(() => tox.kill());
    tox.addTcpRelay('127.0.0.1', server.address.port, server.publicKey);
    // A bootstrap node gives c-toxcore onion path nodes (gotcha 6); UDP is off, so it is only a name.
    const pathNode: IpPort = ipPort('127.0.0.1', 9);
    tox.bootstrap(pathNode.ip, pathNode.port, generateKeyPair(env.random).publicKey);
    tox.startLoop(1);

    await realWait(() => server.hasClient(tox.dhtId), 20_000);
    expect(server.stats.handshakes).toBeGreaterThanOrEqual(1);
    expect(server.stats.received.get('ping')).toBeGreaterThanOrEqual(1);
    await realWait(() => server.stats.pongsReceived >= 2, 10_000);
    await realWait(() => onion.length > 0, 20_000);
    const first = onion[0]!.request;
    expect(first.nextHop).toEqual(pathNode);
    expect(first.payload.length).toBeGreaterThanOrEqual(103);
    // Still connected: our pongs satisfied c-toxcore's 10 s pong timeout, and nothing was refused.
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    expect(server.hasClient(tox.dhtId)).toBe(true);
    expect([...server.stats.closed.keys()]).toEqual([]);
    console.log(`[tcp interop] c-toxcore on our relay: ${server.stats.received.get('ping')} pings, ${server.stats.pongsReceived} pongs, ${onion.length} onion requests decoded`);
  }, TIMEOUT);
});

describe.skipIf(!runBootstrapd)('our TCP-only node ⇄ c-toxcore through a tox-bootstrapd relay', () => {
  test('requests both ways, online over TCP, messages both ways with receipts; our config names only the relay', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tocsin-tcp-only-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // UDP and TCP on one port number, as public relays serve 33445: our only config entry is the relay.
    const daemon = await startBootstrapd({ tcpRelay: true, samePort: true });
    cleanups.push(() => daemon.stop());
    const relays = [{ host: '127.0.0.1', port: daemon.tcpPort!, publicKey: toHex(daemon.publicKey) }];
    const ours = await startOurNode(dir, 'tcp-only', cleanups, { udp: { enabled: false }, relays });
    expect(() => ours.udpAddress).toThrow();

    const tox = await ToxcoreInstance.create({ localDiscovery: false });
    cleanups.push(() => tox.kill());
    tox.bootstrap('127.0.0.1', daemon.udpPort, daemon.publicKey);
    tox.addTcpRelay('127.0.0.1', daemon.tcpPort!, daemon.publicKey);
    tox.startLoop(1);

    const t0 = performance.now();
    await waitUntil('our node connected through the relay', () => ours.connectionStatus === 'tcp', 60_000);
    const connectedMs = performance.now() - t0;
    // c-toxcore → us, accepted.
    const requests: string[] = [];
    ours.on('friendRequest', (pk, message) => {
      requests.push(message);
      ours.acceptFriendRequest(pk);
    });
    const usOnTox = tox.friendAdd(ours.toxIdText, 'hello over TCP');
    const toxKey = publicKeyHex(tox.publicKey);
    await waitUntil('both online', () => tox.friendConnectionStatus(usOnTox) !== Connection.NONE && ours.friends()[0]?.connection === 'tcp', 120_000);
    const onlineMs = performance.now() - t0;
    expect(requests).toEqual(['hello over TCP']);
    expect(ours.friends()[0]!.publicKey).toBe(toxKey);

    const COUNT_TCP = 200;
    const atTox: string[] = [];
    tox.on('friend_message', (_f, _t, text) => atTox.push(text));
    const receiptsOurs: number[] = [];
    ours.on('friendReceipt', (_f, id) => receiptsOurs.push(id));
    const ids: number[] = [];
    for (let i = 0; i < COUNT_TCP; i++) ids.push(ours.sendMessage(toxKey, `ours ${i}`));
    const atOurs: string[] = [];
    ours.on('friendMessage', (_f, text) => atOurs.push(text));
    const receiptsTox = new Set<number>();
    tox.on('friend_read_receipt', (_f, id) => receiptsTox.add(id));
    const toxIds: number[] = [];
    for (let i = 0; i < COUNT_TCP; i++) toxIds.push(tox.friendSendMessage(usOnTox, `tox ${i}`));
    await waitUntil('messages and receipts both ways', () => atTox.length >= COUNT_TCP && receiptsOurs.length >= COUNT_TCP && atOurs.length >= COUNT_TCP && receiptsTox.size >= COUNT_TCP, 60_000);
    expect(atTox).toEqual(Array.from({ length: COUNT_TCP }, (_, i) => `ours ${i}`));
    expect(receiptsOurs).toEqual(ids);
    expect(atOurs).toEqual(Array.from({ length: COUNT_TCP }, (_, i) => `tox ${i}`));
    expect(toxIds.every((id) => receiptsTox.has(id))).toBe(true);
    const messagesMs = performance.now() - t0 - onlineMs;

    // Us → a second c-toxcore: our request travels through the relay too.
    const tox2 = await ToxcoreInstance.create({ localDiscovery: false });
    cleanups.push(() => tox2.kill());
    tox2.bootstrap('127.0.0.1', daemon.udpPort, daemon.publicKey);
    tox2.addTcpRelay('127.0.0.1', daemon.tcpPort!, daemon.publicKey);
    const fromUs: string[] = [];
    tox2.on('friend_request', (pk, message) => {
      fromUs.push(message);
      tox2.friendAddNoRequest(pk);
    });
    tox2.startLoop(1);
    ours.addFriend(tox2.addressHex, 'hello from a TCP-only node');
    const tox2Key = publicKeyHex(tox2.publicKey);
    await waitUntil('our request accepted, friend online', () => ours.friend(tox2Key).connection === 'tcp' && tox2.friendConnectionStatus(0) !== Connection.NONE, 120_000);
    expect(fromUs).toEqual(['hello from a TCP-only node']);
    const atTox2: string[] = [];
    tox2.on('friend_message', (_f, _t, text) => atTox2.push(text));
    ours.sendMessage(tox2Key, 'over the relay');
    await waitUntil('message to the second friend', () => atTox2.length === 1, 30_000);
    expect(atTox2).toEqual(['over the relay']);
    console.log(`[tcp interop] TCP-only node: connected via relay after ${Math.round(connectedMs)} ms, friend online after ${Math.round(onlineMs)} ms, ${COUNT_TCP} messages each way with receipts in ${Math.round(messagesMs)} ms`);
  }, 300_000);
});

describe.skipIf(!runTox)('two UDP-less c-toxcore clients through our relay', () => {
  test('they befriend each other and exchange 1,000 messages each way, exactly once and in order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tocsin-relay-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // Our relay node (DHT + onion + relay server) and two more of our UDP nodes for onion paths.
    const relayNode = await startOurNode(dir, 'relay', cleanups, { tcpRelayPort: await freeTcpPort() });
    const helpers = [await startOurNode(dir, 'h1', cleanups), await startOurNode(dir, 'h2', cleanups)];
    for (const h of helpers) h.dhtEngine.bootstrap({ address: relayNode.udpAddress, publicKey: relayNode.dhtPublicKey });
    const relayPort = relayNode.tcpRelayPort!;

    const clients: ToxcoreInstance[] = [];
    for (let i = 0; i < 2; i++) {
      const tox = await ToxcoreInstance.create({ udp: false, localDiscovery: false });
      cleanups.push(() => tox.kill());
      tox.addTcpRelay('127.0.0.1', relayPort, relayNode.dhtPublicKey);
      tox.bootstrap('127.0.0.1', relayNode.udpAddress.port, relayNode.dhtPublicKey);
      tox.startLoop(1);
      clients.push(tox);
    }
    const [a, b] = clients as [ToxcoreInstance, ToxcoreInstance];
    const t0 = performance.now();
    b.on('friend_request', (pk) => b.friendAddNoRequest(pk));
    const bOnA = a.friendAdd(b.addressHex, 'hello through Tocsin');
    await waitUntil('both online through our relay', () => a.friendConnectionStatus(bOnA) === Connection.TCP && b.friendList().length === 1 && b.friendConnectionStatus(0) === Connection.TCP, 120_000);
    const onlineMs = performance.now() - t0;

    const COUNT_RELAYED = 1_000;
    const atA: string[] = [];
    const atB: string[] = [];
    a.on('friend_message', (_f, _t, text) => atA.push(text));
    b.on('friend_message', (_f, _t, text) => atB.push(text));
    const t1 = performance.now();
    // All at once: well over 64 KiB queued through the relay at a time, which must not stall.
    for (let i = 0; i < COUNT_RELAYED; i++) {
      a.friendSendMessage(bOnA, `a ${i} ${'x'.repeat(100)}`);
      b.friendSendMessage(0, `b ${i} ${'x'.repeat(100)}`);
    }
    await waitUntil('1,000 messages each way', () => atA.length >= COUNT_RELAYED && atB.length >= COUNT_RELAYED, 180_000);
    const messagesMs = performance.now() - t1;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(atB).toEqual(Array.from({ length: COUNT_RELAYED }, (_, i) => `a ${i} ${'x'.repeat(100)}`));
    expect(atA).toEqual(Array.from({ length: COUNT_RELAYED }, (_, i) => `b ${i} ${'x'.repeat(100)}`));
    const stats = relayNode.layers.relayServerInstance!.stats;
    console.log(`[tcp interop] two UDP-less c-toxcore via our relay: friends online after ${Math.round(onlineMs)} ms, 1,000 messages each way in ${Math.round(messagesMs)} ms (${Math.round((2 * COUNT_RELAYED) / (messagesMs / 1000))} msg/s); relay forwarded ${stats.dataForwarded} data packets, dropped ${JSON.stringify([...stats.dropped])}, closed ${JSON.stringify([...stats.closed])}`);
  }, 300_000);
});
