// Onion interop with real c-toxcore 0.2.18 on loopback (issue #4 "Must show" and bench):
// (1) two c-toxcore nodes whose only DHT neighbours are our nodes go online and befriend each
// other while our nodes relay onion traffic and store their announcements; (2) our onion client
// and a c-toxcore friend learn each other's DHT keys through the onion.
// Run only inside a private network namespace:
//   unshare -n sh -c 'ip link set lo up && exec npx vitest run test/interop/onion.test.ts'

import { afterEach, describe, expect, test } from 'vitest';
import { CryptoRandom, RealScheduler, silentLogger } from '../../src/base/index.js';
import { generateKeyPair, keyId, type LongTermKeyPair, type LongTermPublicKey } from '../../src/crypto/index.js';
import { Dht } from '../../src/dht/index.js';
import { PacketRouter, type DatagramSocket } from '../../src/net/index.js';
import { NodeNetStack } from '../../src/net/node/index.js';
import { AnnounceNode, OnionClient, OnionRelay } from '../../src/onion/index.js';
import { Connection } from '../support/toxcore/constants.js';
import { ToxcoreInstance } from '../support/toxcore/instance.js';
import { requireToxcore } from '../support/toxcore/lib.js';
import { requirePrivateNetwork } from '../support/netns.js';
import { waitUntil } from '../support/wait.js';

const runTox = requirePrivateNetwork() && requireToxcore() !== null;
const TIMEOUT = 120_000;
const COOKIE_REQUEST = 0x18;

interface OurNode {
  dht: Dht;
  relay: OnionRelay;
  announce: AnnounceNode;
  client: OnionClient;
  realKeys: LongTermKeyPair;
  router: PacketRouter;
  socket: DatagramSocket;
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startOurNode(): Promise<OurNode> {
  const scheduler = new RealScheduler();
  const random = new CryptoRandom();
  const log = silentLogger();
  const router = new PacketRouter(log);
  const stack = new NodeNetStack({ scheduler, log });
  const socket = await stack.bindUdp({ host: '127.0.0.1', port: 0 });
  socket.onMessage((data, from) => router.dispatch(data, from));
  const dht = new Dht({ scheduler, random, log, socket, router }, { lanDiscovery: { send: false } });
  const realKeys = generateKeyPair(random) as LongTermKeyPair;
  const relay = new OnionRelay({ scheduler, random, log, socket, router, dhtKeyPair: () => dht.keyPair });
  const announce = new AnnounceNode({ scheduler, random, log, socket, router, dht });
  const client = new OnionClient({ scheduler, random, log, socket, router, dht, realKeyPair: realKeys });
  dht.start();
  relay.start();
  announce.start();
  client.start();
  cleanups.push(async () => {
    client.stop();
    announce.stop();
    relay.stop();
    dht.stop();
    await socket.close();
  });
  return { dht, relay, announce, client, realKeys, router, socket };
}

async function toxcore(bootstrapTo: readonly OurNode[]): Promise<ToxcoreInstance> {
  const tox = await ToxcoreInstance.create({ localDiscovery: false });
  cleanups.push(() => tox.kill());
  for (const n of bootstrapTo) tox.bootstrap('127.0.0.1', n.socket.local.port, n.dht.publicKey);
  tox.startLoop(10);
  return tox;
}

const waitFor = (predicate: () => boolean, timeoutMs: number, what: string): Promise<number> => waitUntil(what, predicate, timeoutMs, 20);

describe.skipIf(!runTox)('onion interop with c-toxcore 0.2.18', () => {
  test('two c-toxcore nodes that bootstrap only to our nodes come online and befriend each other', async () => {
    const ours = [await startOurNode(), await startOurNode(), await startOurNode()];
    for (const n of ours.slice(1)) n.dht.bootstrap({ address: ours[0]!.socket.local, publicKey: ours[0]!.dht.publicKey });
    const a = await toxcore(ours);
    const b = await toxcore(ours);
    b.on('friend_request', (pk) => b.friendAddNoRequest(pk));
    await waitFor(() => a.connectionStatus !== Connection.NONE && b.connectionStatus !== Connection.NONE, 60_000, 'both c-toxcore nodes onion connected');
    a.friendAdd(b.address, 'hello through our onion');
    const ms = await waitFor(
      () => a.friendList().length === 1 && b.friendList().length === 1 && a.friendConnectionStatus(0) !== Connection.NONE && b.friendConnectionStatus(0) !== Connection.NONE,
      90_000,
      'the c-toxcore friends to come online',
    );
    const relayed = ours.reduce((s, n) => s + n.relay.forwarded.request0 + n.relay.forwarded.request1 + n.relay.forwarded.request2, 0);
    const stored = ours.reduce((s, n) => s + n.announce.counters.stored, 0);
    const routed = ours.reduce((s, n) => s + n.announce.counters.dataRouted, 0);
    expect(relayed).toBeGreaterThan(0);
    expect(stored).toBeGreaterThan(0);
    console.log(`[onion interop] c-toxcore friends online ${Math.round(ms)} ms after the request; our relays forwarded ${relayed} layers, stored ${stored} announces, routed ${routed} data requests`);
  }, TIMEOUT);

  test('our node and a c-toxcore friend learn each other\'s DHT keys through the onion (bench: ours vs c-toxcore)', async () => {
    const start = performance.now();
    const ours = await startOurNode();
    let ourConnectedMs: number | undefined;
    ours.client.once('connected', () => (ourConnectedMs = performance.now() - start));
    const c = await toxcore([ours]);
    let theirConnectedMs: number | undefined;
    c.on('self_connection_status', (s) => {
      if (s !== Connection.NONE && theirConnectedMs === undefined) theirConnectedMs = performance.now() - start;
    });
    c.friendAddNoRequest(ours.realKeys.publicKey);
    ours.client.addFriend(c.publicKey as LongTermPublicKey);
    const cookieRequests = (): number => ours.router.droppedById.get(COOKIE_REQUEST) ?? 0;
    const learnedMs = await waitFor(
      () => keyId(ours.client.friendDhtKey(c.publicKey as LongTermPublicKey) ?? new Uint8Array(32)) === keyId(c.dhtId),
      90_000,
      'our client to learn the c-toxcore DHT key',
    );
    const cookieMs = await waitFor(() => cookieRequests() > 0, 60_000, 'c-toxcore cookie requests toward our DHT key');
    await waitFor(() => ourConnectedMs !== undefined && theirConnectedMs !== undefined, 60_000, 'both sides onion connected');
    console.log(
      `[onion bench] same run: ours onion connected ${Math.round(ourConnectedMs!)} ms, c-toxcore self-connected ${Math.round(theirConnectedMs!)} ms; ` +
        `friend DHT key known by us ${Math.round(learnedMs)} ms after adding; c-toxcore cookie requests to us after ${Math.round(learnedMs + cookieMs)} ms`,
    );
  }, TIMEOUT);
});
