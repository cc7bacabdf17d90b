// Our net_crypto against c-toxcore 0.2.18 on loopback, without DHT or onion: c-toxcore answers
// cookie requests from anyone and accepts a handshake from a friend's real key, so after
// `friendAddNoRequest(ourKey)` we connect straight to its UDP port with its DHT id. Shown here:
// the handshake both ways, raw Messenger packets over our lossless channel in both directions
// (ONLINE, 2,000 messages in order), c-toxcore re-initiating to us once it knows our DHT key
// and address, its kill packet, and our idle timeout when it stops iterating. A first contact
// initiated by c-toxcore needs our DHT key, which only the onion (DHT-PK) gives it: not here.
// Real sockets and real time, so it runs only inside a private network namespace (fails in CI):
//   unshare -n sh -c 'ip link set lo up && exec npx vitest run test/interop/netcrypto.test.ts'

import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, test } from 'vitest';
import { CryptoRandom, RealScheduler, silentLogger, utf8Decode, utf8Encode } from '../../src/base/index.js';
import { generateKeyPair, type DhtPublicKey, type DhtSecretKey, type LongTermPublicKey, type LongTermSecretKey } from '../../src/crypto/index.js';
import { ipPort, PacketRouter, type DatagramSocket } from '../../src/net/index.js';
import { NodeNetStack } from '../../src/net/node/index.js';
import { NetCrypto, staticDhtKeys, type DisconnectInfo, type IncomingConnection, type NetCryptoOptions } from '../../src/netcrypto/index.js';
import { requirePrivateNetwork } from '../support/netns.js';
import { Connection } from '../support/toxcore/constants.js';
import { ToxcoreInstance } from '../support/toxcore/instance.js';
import { requireToxcore } from '../support/toxcore/lib.js';
import { waitUntil } from '../support/wait.js';

const runTox = requirePrivateNetwork() && requireToxcore() !== null;

const PACKET_ID_ALIVE = 16;
const PACKET_ID_ONLINE = 24;
const PACKET_ID_MESSAGE = 64;

interface Ours {
  nc: NetCrypto;
  socket: DatagramSocket;
  stack: NodeNetStack;
  scheduler: RealScheduler;
  received: Array<{ id: number; payload: Uint8Array }>;
  disconnects: DisconnectInfo[];
  admitted: IncomingConnection[];
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function ours(options: NetCryptoOptions = {}): Promise<Ours> {
  const scheduler = new RealScheduler();
  const random = new CryptoRandom();
  const stack = new NodeNetStack({ scheduler });
  const socket = await stack.bindUdp({ host: '127.0.0.1', port: 0 });
  const router = new PacketRouter(silentLogger());
  socket.onMessage((data, from) => router.dispatch(data, from));
  const nc = new NetCrypto(
    {
      scheduler,
      random,
      log: silentLogger(),
      keyPair: generateKeyPair<LongTermPublicKey, LongTermSecretKey>(random),
      dht: staticDhtKeys(generateKeyPair<DhtPublicKey, DhtSecretKey>(random), scheduler),
      sendUdp: (to, data) => socket.send(to, data),
      router,
    },
    options,
  );
  const o: Ours = { nc, socket, stack, scheduler, received: [], disconnects: [], admitted: [] };
  nc.on('lossless', (peer, id, payload) => {
    o.received.push({ id, payload });
    // friend_connection's keep-alive: answer c-toxcore's ALIVE so it never times us out.
    if (id === PACKET_ID_ALIVE) nc.sendLossless(peer, Uint8Array.of(PACKET_ID_ALIVE));
  });
  nc.on('disconnected', (_peer, info) => o.disconnects.push(info));
  nc.onNewConnection = (incoming) => {
    o.admitted.push(incoming);
    return true;
  };
  nc.start();
  cleanups.push(async () => {
    nc.stop();
    await stack.close();
    if (scheduler.pending() !== 0) throw new Error(`${scheduler.pending()} timers left after stop`);
  });
  return o;
}

async function toxcore(ourKey: Uint8Array): Promise<{ tox: ToxcoreInstance; friend: number }> {
  const tox = await ToxcoreInstance.create({ localDiscovery: false });
  cleanups.push(() => tox.kill());
  const friend = tox.friendAddNoRequest(ourKey);
  tox.startLoop(1);
  return { tox, friend };
}

const until = (what: string, predicate: () => boolean, timeoutMs = 15_000): Promise<number> => waitUntil(what, predicate, timeoutMs, 2);

function message(text: string): Uint8Array {
  return Uint8Array.of(PACKET_ID_MESSAGE, ...utf8Encode(text));
}

describe.skipIf(!runTox)('net_crypto ⇄ c-toxcore', () => {
  test('handshake, ONLINE, 2,000 messages each way in order, then c-toxcore is killed', async () => {
    const o = await ours();
    const { tox, friend } = await toxcore(o.nc.publicKey);
    const toxPk = tox.publicKey as LongTermPublicKey;
    const statuses: number[] = [];
    tox.on('friend_connection_status', (_f, status) => statuses.push(status));
    const fromUs: string[] = [];
    tox.on('friend_message', (_f, _type, text) => fromUs.push(text));

    o.nc.connect(toxPk, tox.dhtId as DhtPublicKey, ipPort('127.0.0.1', tox.udpPort));
    const handshakeMs = await until('our side established', () => o.nc.isConnected(toxPk));
    expect(o.nc.connectionInfo(toxPk)).toMatchObject({ state: 'established', directUdp: true });

    // Messenger's ONLINE (exactly 1 byte) makes the friend online there: its status turns UDP.
    expect(o.nc.sendLossless(toxPk, Uint8Array.of(PACKET_ID_ONLINE)).ok).toBe(true);
    await until('c-toxcore reports the friend online over UDP', () => tox.friendConnectionStatus(friend) === Connection.UDP);
    expect(statuses).toEqual([Connection.UDP]);
    // ...and it greets us with its own ONLINE (and nickname/status packets we just observe).
    await until('c-toxcore ONLINE', () => o.received.some((r) => r.id === PACKET_ID_ONLINE));

    const count = 2000;
    const numbers: number[] = [];
    for (let i = 0; i < count; i++) {
      const r = o.nc.sendLossless(toxPk, message(`message ${i} from tocsin`));
      expect(r.ok).toBe(true);
      if (r.ok) numbers.push(r.packetNumber);
    }
    const toToxMs = await until('2,000 messages at c-toxcore', () => fromUs.length === count, 30_000);
    expect(fromUs).toEqual(Array.from({ length: count }, (_, i) => `message ${i} from tocsin`));
    await until('our messages acknowledged', () => o.nc.isDelivered(toxPk, numbers.at(-1)!), 10_000);

    for (let i = 0; i < count; i++) tox.friendSendMessage(friend, `message ${i} from c-toxcore`);
    const fromToxMs = await until('2,000 messages from c-toxcore', () => o.received.filter((r) => r.id === PACKET_ID_MESSAGE).length === count, 30_000);
    const texts = o.received.filter((r) => r.id === PACKET_ID_MESSAGE).map((r) => utf8Decode(r.payload));
    expect(texts).toEqual(Array.from({ length: count }, (_, i) => `message ${i} from c-toxcore`));

    const ids = [...new Set(o.received.map((r) => r.id))];
    console.info(`net_crypto interop: handshake ${handshakeMs.toFixed(0)} ms; 2,000 messages to c-toxcore in ${toToxMs.toFixed(0)} ms, from it in ${fromToxMs.toFixed(0)} ms; packet ids seen from c-toxcore: ${ids.join(', ')}`);

    tox.kill();
    await until('the kill packet', () => o.disconnects.length > 0, 5000);
    expect(o.disconnects).toEqual([{ reason: 'killedByPeer', wasConnected: true }]);
    expect(o.nc.counters.totalDropped()).toBe(0);
  }, 120_000);

  test('once it knows our DHT key and address, c-toxcore reconnects to us by itself', async () => {
    const o = await ours();
    const { tox, friend } = await toxcore(o.nc.publicKey);
    const toxPk = tox.publicKey as LongTermPublicKey;
    o.nc.connect(toxPk, tox.dhtId as DhtPublicKey, ipPort('127.0.0.1', tox.udpPort));
    await until('first connection', () => o.nc.isConnected(toxPk));
    o.nc.sendLossless(toxPk, Uint8Array.of(PACKET_ID_ONLINE));
    await until('online at c-toxcore', () => tox.friendConnectionStatus(friend) === Connection.UDP);

    // We drop the connection (kill packet) and do not reconnect: c-toxcore's friend_connection does.
    o.nc.killConnection(toxPk);
    await until('offline at c-toxcore', () => tox.friendConnectionStatus(friend) === Connection.NONE, 5000);
    await until('c-toxcore initiates a new connection to us', () => o.nc.isConnected(toxPk), 15_000);
    expect(o.admitted.map((a) => a.source)).toEqual([{ kind: 'udp', address: ipPort('127.0.0.1', tox.udpPort) }]);
    expect(o.admitted[0]!.dhtPk).toEqual(tox.dhtId);
    expect(o.nc.sendLossless(toxPk, Uint8Array.of(PACKET_ID_ONLINE)).ok).toBe(true);
    await until('online again at c-toxcore', () => tox.friendConnectionStatus(friend) === Connection.UDP);
    const got: string[] = [];
    tox.on('friend_message', (_f, _type, text) => got.push(text));
    o.nc.sendLossless(toxPk, message('after the reconnect'));
    await until('a message after the reconnect', () => got.length === 1);
    expect(got).toEqual(['after the reconnect']);
  }, 60_000);

  test('an idle timeout ends the connection when c-toxcore stops iterating', async () => {
    const o = await ours({ establishedTimeoutMs: 3000 });
    const { tox } = await toxcore(o.nc.publicKey);
    const toxPk = tox.publicKey as LongTermPublicKey;
    o.nc.connect(toxPk, tox.dhtId as DhtPublicKey, ipPort('127.0.0.1', tox.udpPort));
    await until('established', () => o.nc.isConnected(toxPk));
    await sleep(1500);
    expect(o.nc.isConnected(toxPk)).toBe(true); // its request packets keep the connection alive
    tox.stopLoop();
    const ms = await until('idle timeout', () => o.disconnects.length > 0, 10_000);
    expect(o.disconnects).toEqual([{ reason: 'idleTimeout', wasConnected: true }]);
    expect(ms).toBeGreaterThan(1500);
  }, 60_000);
});
