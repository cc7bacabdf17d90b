/**
 * Test support: a complete friend stack (DHT, onion relay + announce node +
 * client, net_crypto, friend connections, friend requests, Messenger) on a
 * simulated host, sharing one ManualScheduler with its peers.
 */
import { ManualScheduler, SeededRandom, silentLogger } from '../../../src/base/index.js';
import { generateKeyPair, type LongTermKeyPair } from '../../../src/crypto/index.js';
import { Dht } from '../../../src/dht/index.js';
import { FriendConnections, FriendRequests, type FriendConnectionsOptions, type FriendRequestsOptions } from '../../../src/friend/index.js';
import { Messenger } from '../../../src/messenger/index.js';
import { PacketRouter, type IpPort } from '../../../src/net/index.js';
import { SimNetwork, type LinkConditions, type SimHost } from '../../../src/net/sim/index.js';
import { NetCrypto } from '../../../src/netcrypto/index.js';
import { AnnounceNode, OnionClient, OnionRelay } from '../../../src/onion/index.js';

export interface StackNode {
  dht: Dht;
  client: OnionClient;
  nc: NetCrypto;
  connections: FriendConnections;
  requests: FriendRequests;
  messenger: Messenger;
  keys: LongTermKeyPair;
  address: IpPort;
  host: SimHost;
  start(): void;
  stop(): void;
}

export interface StackOptions {
  friend?: FriendConnectionsOptions;
  requests?: FriendRequestsOptions;
}

export async function simStackNode(sim: SimNetwork, scheduler: ManualScheduler, ip: string, seed: SeededRandom, options: StackOptions = {}): Promise<StackNode> {
  const random = seed.fork();
  const log = silentLogger();
  const host = sim.host(ip);
  const socket = await host.bindUdp({ host: ip, port: 33445 });
  const router = new PacketRouter(log);
  socket.onMessage((data, from) => router.dispatch(data, from));
  const dht = new Dht({ scheduler, random: random.fork(), log, socket, router }, { lanDiscovery: { send: false } });
  const keys = generateKeyPair(random) as LongTermKeyPair;
  const relay = new OnionRelay({ scheduler, random, log, socket, router, dhtKeyPair: () => dht.keyPair });
  const announce = new AnnounceNode({ scheduler, random, log, socket, router, dht });
  const client = new OnionClient({ scheduler, random, log, socket, router, dht, realKeyPair: keys });
  const nc = new NetCrypto({ scheduler, random, log, keyPair: keys, dht, sendUdp: (to, data) => socket.send(to, data), router });
  const connections = new FriendConnections({ scheduler, log, netCrypto: nc, onion: client, dht }, options.friend);
  const self = { name: new Uint8Array(0), statusMessage: new Uint8Array(0), userStatus: 'online' as const, nospam: random.bytes(4) };
  let messenger: Messenger | undefined;
  const requests = new FriendRequests(
    { scheduler, log, onion: client, connections, nospam: () => self.nospam, isFriend: (pk) => messenger?.isFriend(pk) ?? false },
    options.requests,
  );
  messenger = new Messenger({ scheduler, random, log, selfPublicKey: keys.publicKey, connections, requests }, self);
  const m = messenger;
  return {
    dht,
    client,
    nc,
    connections,
    requests,
    messenger: m,
    keys,
    address: socket.local,
    host,
    start() {
      dht.start();
      relay.start();
      announce.start();
      client.start();
      nc.start();
      connections.start();
      requests.start();
      m.start();
    },
    stop() {
      m.stop();
      requests.stop();
      connections.stop();
      nc.stop();
      client.stop();
      announce.stop();
      relay.stop();
      dht.stop();
    },
  };
}

export interface FriendPair {
  scheduler: ManualScheduler;
  random: SeededRandom;
  a: StackNode;
  b: StackNode;
}

/**
 * Two stack nodes on a fresh SimNetwork (`subnet` + `.1` / `.2`) that are friends with each
 * other's DHT keys already known (as a conference peer list gives them), run until both are online.
 */
export async function simFriendPair(seed: number, conditions: Partial<LinkConditions>, subnet: string, timeoutMs: number): Promise<FriendPair> {
  const scheduler = new ManualScheduler();
  const random = new SeededRandom(seed);
  const net = new SimNetwork({ scheduler, random: random.fork(), conditions });
  const a = await simStackNode(net, scheduler, `${subnet}.1`, random);
  const b = await simStackNode(net, scheduler, `${subnet}.2`, random);
  a.start();
  b.start();
  b.dht.bootstrap({ address: a.address, publicKey: a.dht.publicKey });
  a.connections.acquire(b.keys.publicKey, b.dht.publicKey);
  b.connections.acquire(a.keys.publicKey, a.dht.publicKey);
  a.messenger.addFriendNoRequest(b.keys.publicKey);
  b.messenger.addFriendNoRequest(a.keys.publicKey);
  await scheduler.runUntil(() => a.messenger.friendInfo(0).online && b.messenger.friendInfo(0).online, { timeoutMs });
  return { scheduler, random, a, b };
}
