// DHT interop with real c-toxcore 0.2.18 processes on loopback (issue #3 "Must show" and bench):
// our node bootstraps from tox-bootstrapd and from a c-toxcore instance, learns a 6-node c-toxcore
// network, and is the only bootstrap node of two c-toxcore friends who then come online to each other.
// Run only inside a private network namespace:
//   unshare -n sh -c 'ip link set lo up && exec npx vitest run test/interop/dht.test.ts'

import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, test } from 'vitest';
import { CryptoRandom, RealScheduler, silentLogger } from '../../src/base/index.js';
import { keyId } from '../../src/crypto/index.js';
import { ipPort, PacketRouter, type DatagramSocket } from '../../src/net/index.js';
import { NodeNetStack } from '../../src/net/node/index.js';
import { Dht } from '../../src/dht/index.js';
import { requireBootstrapd, startBootstrapd, type Bootstrapd } from '../support/bootstrapd.js';
import { Connection } from '../support/toxcore/constants.js';
import { ToxcoreInstance } from '../support/toxcore/instance.js';
import { requireToxcore } from '../support/toxcore/lib.js';
import { requirePrivateNetwork } from '../support/netns.js';
import { waitUntil } from '../support/wait.js';

const runTox = requirePrivateNetwork() && requireToxcore() !== null;
const runBootstrapd = runTox && requireBootstrapd();
const TIMEOUT = 90_000;

interface OurNode {
  dht: Dht;
  socket: DatagramSocket;
  stop(): Promise<void>;
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startOurNode(): Promise<OurNode> {
  const scheduler = new RealScheduler();
  const log = silentLogger();
  const router = new PacketRouter(log);
  const stack = new NodeNetStack({ scheduler, log });
  const socket = await stack.bindUdp({ host: '127.0.0.1', port: 0 });
  socket.onMessage((data, from) => router.dispatch(data, from));
  const dht = new Dht({ scheduler, random: new CryptoRandom(), log, socket, router }, { lanDiscovery: { send: false } });
  dht.start();
  const node = { dht, socket, stop: async () => { dht.stop(); await socket.close(); } };
  cleanups.push(() => node.stop());
  return node;
}

async function toxcore(bootstrapTo?: { port: number; dhtId: Uint8Array }): Promise<ToxcoreInstance> {
  const tox = await ToxcoreInstance.create({ localDiscovery: false });
  cleanups.push(() => tox.kill());
  if (bootstrapTo) tox.bootstrap('127.0.0.1', bootstrapTo.port, bootstrapTo.dhtId);
  tox.startLoop(10);
  return tox;
}

const waitFor = (predicate: () => boolean, timeoutMs: number, what: string): Promise<number> => waitUntil(what, predicate, timeoutMs, 20);

const closeIds = (dht: Dht): Set<string> => new Set(dht.getCloseList().map((n) => keyId(n.publicKey)));

describe.skipIf(!runBootstrapd)('DHT interop with tox-bootstrapd', () => {
  test('bootstraps from a tox-bootstrapd the test starts', async () => {
    const daemon: Bootstrapd = await startBootstrapd({ tcpRelay: false });
    cleanups.push(() => daemon.stop());
    const ours = await startOurNode();
    const start = performance.now();
    ours.dht.bootstrap({ address: ipPort('127.0.0.1', daemon.udpPort), publicKey: daemon.publicKey });
    const ms = await waitFor(() => closeIds(ours.dht).has(keyId(daemon.publicKey)), 30_000, 'the daemon in our close list');
    expect(ours.dht.isConnected()).toBe(true);
    expect(ours.dht.counters.received.pingResponse + ours.dht.counters.received.nodesResponse).toBeGreaterThan(0);
    console.log(`[dht interop] tox-bootstrapd in our close list after ${Math.round(ms)} ms (since bootstrap ${Math.round(performance.now() - start)} ms)`);
  }, TIMEOUT);
});

describe.skipIf(!runTox)('DHT interop with c-toxcore 0.2.18', () => {
  test('learns every node of a 6-node c-toxcore network from one bootstrap (bench: ours vs c-toxcore)', async () => {
    const seed = await toxcore();
    const seedInfo = { port: seed.udpPort, dhtId: seed.dhtId };
    const others = [];
    for (let i = 0; i < 4; i++) others.push(await toxcore(seedInfo));
    await sleep(3_000); // let the c-toxcore network form
    // Same instant: our node and a fresh c-toxcore node join through the seed.
    const start = performance.now();
    const ours = await startOurNode();
    let ourConnectedMs: number | undefined;
    ours.dht.once('connected', () => (ourConnectedMs = performance.now() - start));
    ours.dht.bootstrap({ address: ipPort('127.0.0.1', seed.udpPort), publicKey: seed.dhtId });
    const newcomer = await toxcore(seedInfo);
    let toxcoreOnlineMs: number | undefined;
    newcomer.on('self_connection_status', (status) => {
      if (status !== Connection.NONE && toxcoreOnlineMs === undefined) toxcoreOnlineMs = performance.now() - start;
    });
    const network = [seed, ...others, newcomer];
    const all = network.map((t) => keyId(t.dhtId));
    const completeMs = await waitFor(() => all.every((id) => closeIds(ours.dht).has(id)), 60_000, 'all 6 c-toxcore nodes in our close list');
    await waitFor(() => toxcoreOnlineMs !== undefined, 60_000, 'the c-toxcore newcomer to come online');
    expect(ourConnectedMs).toBeDefined();
    console.log(
      `[dht bench] 6-node loopback network, same run: ours DHT connected ${Math.round(ourConnectedMs!)} ms, ` +
        `ours close list complete (all 6) ${Math.round(completeMs)} ms; ` +
        `c-toxcore newcomer self-connected (onion, the earliest public-API signal) ${Math.round(toxcoreOnlineMs!)} ms`,
    );
  }, TIMEOUT);

  test('two c-toxcore friends whose only bootstrap node is ours come online to each other', async () => {
    // Nobody bootstraps to anybody but us, and local discovery is off everywhere.
    const ours = await startOurNode();
    const ourInfo = { port: ours.socket.local.port, dhtId: ours.dht.publicKey };
    // Filler c-toxcore nodes that also know only us: onion-capable path nodes the friends can learn from our responses.
    for (let i = 0; i < 4; i++) await toxcore(ourInfo);
    const a = await toxcore(ourInfo);
    const b = await toxcore(ourInfo);
    a.friendAddNoRequest(b.publicKey);
    b.friendAddNoRequest(a.publicKey);
    const handedOut = new Map<string, Set<string>>();
    ours.dht.on('nodesSent', (to, nodes) => {
      const set = handedOut.get(keyId(to.publicKey)) ?? new Set<string>();
      for (const n of nodes) set.add(keyId(n.publicKey));
      handedOut.set(keyId(to.publicKey), set);
    });
    const ms = await waitFor(
      () => a.friendConnectionStatus(0) !== Connection.NONE && b.friendConnectionStatus(0) !== Connection.NONE,
      80_000,
      'the two c-toxcore friends to come online',
    );
    // They never bootstrapped to each other: each learned the other's DHT key from our nodes responses.
    const aId = keyId(a.dhtId);
    const bId = keyId(b.dhtId);
    expect(handedOut.get(aId)?.has(bId) || handedOut.get(bId)?.has(aId)).toBe(true);
    expect(ours.dht.counters.nodesResponsesWithNodes).toBeGreaterThan(0);
    console.log(`[dht interop] friends online through our node after ${Math.round(ms)} ms; our nodes responses with nodes: ${ours.dht.counters.nodesResponsesWithNodes}`);
  }, TIMEOUT);
});

describe.skipIf(!requirePrivateNetwork())('LAN discovery by real broadcast (private namespace only)', () => {
  test('a node that knows nobody finds another through broadcast LAN discovery', async () => {
    // Inside the namespace 127.255.255.255 is the broadcast address of lo's 127.0.0.0/8: a real
    // broadcast that cannot leave the machine. The listener binds 0.0.0.0 to receive it.
    const scheduler = new RealScheduler();
    const log = silentLogger();
    const stack = new NodeNetStack({ scheduler, log });
    cleanups.push(() => stack.close());
    const listenerRouter = new PacketRouter(log);
    const listenerSocket = await stack.bindUdp({ host: '0.0.0.0', port: 0 });
    listenerSocket.onMessage((data, from) => listenerRouter.dispatch(data, from));
    const port = listenerSocket.local.port;
    const listener = new Dht({ scheduler, random: new CryptoRandom(), log, socket: listenerSocket, router: listenerRouter }, { lanDiscovery: { send: false } });
    const seekerRouter = new PacketRouter(log);
    const seekerSocket = await stack.bindUdp({ host: '0.0.0.0', port: 0, broadcast: true });
    seekerSocket.onMessage((data, from) => seekerRouter.dispatch(data, from));
    const seeker = new Dht(
      { scheduler, random: new CryptoRandom(), log, socket: seekerSocket, router: seekerRouter },
      { lanDiscovery: { broadcast: true, broadcastAddresses: ['127.255.255.255'], portRange: [port, port] } },
    );
    listener.start();
    seeker.start();
    cleanups.push(() => { listener.stop(); seeker.stop(); });
    const ms = await waitFor(() => seeker.isConnected() && listener.isConnected(), 30_000, 'both nodes to find each other');
    expect(listener.counters.received.lanDiscovery).toBeGreaterThan(0);
    expect(closeIds(seeker).has(keyId(listener.publicKey))).toBe(true);
    console.log(`[dht interop] broadcast LAN discovery connected two nodes in ${Math.round(ms)} ms`);
  }, TIMEOUT);
});

describe.skipIf(!runTox)('DHT over IPv6 and dual stack with c-toxcore', () => {
  test('our dual-stack node serves an IPv6 c-toxcore node over ::1 and an IPv4 one over 127.0.0.1', async () => {
    const scheduler = new RealScheduler();
    const log = silentLogger();
    const stack = new NodeNetStack({ scheduler, log });
    cleanups.push(() => stack.close());
    const router = new PacketRouter(log);
    const socket = await stack.bindUdp({ host: '::', port: 0 });
    socket.onMessage((data, from) => router.dispatch(data, from));
    const ours = new Dht({ scheduler, random: new CryptoRandom(), log, socket, router }, { ipv6: true, lanDiscovery: { send: false } });
    ours.start();
    cleanups.push(() => ours.stop());
    const v6 = await ToxcoreInstance.create({ localDiscovery: false, ipv6: true });
    cleanups.push(() => v6.kill());
    const v4 = await ToxcoreInstance.create({ localDiscovery: false, ipv6: false });
    cleanups.push(() => v4.kill());
    v6.bootstrap('::1', socket.local.port, ours.publicKey);
    v4.bootstrap('127.0.0.1', socket.local.port, ours.publicKey);
    v6.startLoop(10);
    v4.startLoop(10);
    const addressesOf = (pk: Uint8Array) => ours.getCloseList().find((n) => keyId(n.publicKey) === keyId(pk))?.addresses ?? [];
    await waitFor(
      () => addressesOf(v6.dhtId).some((a) => a.family === 6) && addressesOf(v4.dhtId).some((a) => a.family === 4),
      30_000,
      'both c-toxcore nodes in our close list, each by its own family',
    );
    expect(addressesOf(v6.dhtId).find((a) => a.family === 6)?.ip).toBe('::1');
    expect(addressesOf(v4.dhtId).find((a) => a.family === 4)?.ip).toBe('127.0.0.1');
  }, TIMEOUT);
});
