/**
 * Test helpers for net_crypto: a node (NetCrypto + router + keys) on any
 * datagram transport, an in-memory fake socket pair driven by the scheduler,
 * and a fake TCP relay transport. Shared by the unit and simulation tests.
 */
import { ManualScheduler, SeededRandom, silentLogger, type Random, type Scheduler } from '../../../src/base/index.js';
import { generateKeyPair, type DhtKeyPair, type DhtPublicKey, type DhtSecretKey, type LongTermKeyPair, type LongTermPublicKey, type LongTermSecretKey } from '../../../src/crypto/index.js';
import { ipPort, PacketRouter, type IpPort } from '../../../src/net/index.js';
import {
  NetCrypto,
  staticDhtKeys,
  type DisconnectInfo,
  type IncomingConnection,
  type NetCryptoOptions,
  type RelayReach,
  type TcpPeerListeners,
  type TcpTransport,
} from '../../../src/netcrypto/index.js';

export type IncomingForTest = IncomingConnection;

export interface Received {
  id: number;
  payload: Uint8Array;
}

export interface TestNode {
  readonly nc: NetCrypto;
  readonly router: PacketRouter;
  readonly keys: LongTermKeyPair;
  readonly dhtKeys: DhtKeyPair;
  readonly address: IpPort;
  readonly lossless: Received[];
  readonly lossy: Received[];
  readonly connected: LongTermPublicKey[];
  readonly disconnected: DisconnectInfo[];
  /** Packets this node put on the wire, in order. */
  readonly sent: Array<{ to: IpPort; data: Uint8Array }>;
}

export interface NodeSetup {
  scheduler: Scheduler;
  random: Random;
  address: IpPort;
  sendUdp: (to: IpPort, data: Uint8Array) => boolean;
  tcp?: TcpTransport;
  options?: NetCryptoOptions;
  keys?: LongTermKeyPair;
  dhtKeys?: DhtKeyPair;
}

export function makeNode(setup: NodeSetup): TestNode {
  const keys = setup.keys ?? generateKeyPair<LongTermPublicKey, LongTermSecretKey>(setup.random);
  const dhtKeys = setup.dhtKeys ?? generateKeyPair<DhtPublicKey, DhtSecretKey>(setup.random);
  const router = new PacketRouter(silentLogger());
  const sent: TestNode['sent'] = [];
  const nc = new NetCrypto(
    {
      scheduler: setup.scheduler,
      random: setup.random,
      log: silentLogger(),
      keyPair: keys,
      dht: staticDhtKeys(dhtKeys, setup.scheduler),
      sendUdp: (to, data) => {
        sent.push({ to, data });
        return setup.sendUdp(to, data);
      },
      tcp: setup.tcp,
      router,
    },
    setup.options,
  );
  const node: TestNode = { nc, router, keys, dhtKeys, address: setup.address, lossless: [], lossy: [], connected: [], disconnected: [], sent };
  nc.on('lossless', (_peer, id, payload) => node.lossless.push({ id, payload }));
  nc.on('lossy', (_peer, id, payload) => node.lossy.push({ id, payload }));
  nc.on('connected', (peer) => node.connected.push(peer));
  nc.on('disconnected', (_peer, info) => node.disconnected.push(info));
  return node;
}

/** Per-direction behaviour of the fake link. */
export interface LinkKnobs {
  latencyMs: number;
  /** Drop everything (a vanished peer). */
  down: boolean;
  /** Return a replacement, or null to drop; called for every datagram. */
  tamper?: (data: Uint8Array, from: IpPort, to: IpPort) => Uint8Array | null;
}

/**
 * Two endpoints joined by the scheduler: each datagram is delivered to the
 * other node's router after `latencyMs` (in order, no loss unless told).
 */
export class FakeLink {
  readonly knobs = new Map<string, LinkKnobs>();
  private readonly routers = new Map<string, PacketRouter>();
  delivered = 0;

  constructor(private readonly scheduler: Scheduler) {}

  attach(address: IpPort, router: PacketRouter): void {
    this.routers.set(key(address), router);
    this.knobs.set(key(address), { latencyMs: 5, down: false });
  }

  /** Knobs for traffic arriving at `address`. */
  to(address: IpPort): LinkKnobs {
    return this.knobs.get(key(address))!;
  }

  sender(from: IpPort): (to: IpPort, data: Uint8Array) => boolean {
    return (to, data) => {
      const knobs = this.knobs.get(key(to));
      if (!knobs || knobs.down) return true;
      const copy = knobs.tamper ? knobs.tamper(new Uint8Array(data), from, to) : new Uint8Array(data);
      if (copy === null) return true;
      this.scheduler.after(knobs.latencyMs, () => {
        const router = this.routers.get(key(to));
        if (!router || this.knobs.get(key(to))?.down) return;
        this.delivered++;
        router.dispatch(copy, from);
      });
      return true;
    };
  }
}

function key(a: IpPort): string {
  return `${a.ip}:${a.port}`;
}

export interface Pair {
  scheduler: ManualScheduler;
  random: SeededRandom;
  link: FakeLink;
  a: TestNode;
  b: TestNode;
}

/** Two started nodes on a FakeLink; B admits everyone unless told otherwise. */
export function makePair(seed = 1, options: NetCryptoOptions = {}): Pair {
  const scheduler = new ManualScheduler();
  const random = new SeededRandom(seed);
  const link = new FakeLink(scheduler);
  const addrA = ipPort('10.0.0.1', 33445);
  const addrB = ipPort('10.0.0.2', 33445);
  const a = makeNode({ scheduler, random: random.fork(), address: addrA, sendUdp: link.sender(addrA), options });
  const b = makeNode({ scheduler, random: random.fork(), address: addrB, sendUdp: link.sender(addrB), options });
  link.attach(addrA, a.router);
  link.attach(addrB, b.router);
  b.nc.onNewConnection = () => true;
  a.nc.start();
  b.nc.start();
  return { scheduler, random, link, a, b };
}

/** A connects to B and both reach ESTABLISHED. */
export async function establish(p: Pair): Promise<void> {
  p.a.nc.connect(p.b.keys.publicKey, p.b.dhtKeys.publicKey, p.b.address);
  await p.scheduler.runUntil(() => p.a.nc.isConnected(p.b.keys.publicKey) && p.b.nc.isConnected(p.a.keys.publicKey), { timeoutMs: 5000 });
}

export function bytesOf(id: number, n: number, size = 100): Uint8Array {
  const out = new Uint8Array(size);
  out[0] = id;
  new DataView(out.buffer).setUint32(1, n);
  return out;
}

export function numberOf(payload: Uint8Array): number {
  return new DataView(payload.buffer, payload.byteOffset).getUint32(0);
}

/** A TcpTransport fake whose packets go to another FakeTcp (by DHT key) when `online`. */
export class FakeTcp implements TcpTransport {
  readonly peers = new Map<string, DhtPublicKey>();
  online = true;
  sentToPeer = 0;
  sentOob = 0;
  private listeners: Partial<TcpPeerListeners> = {};
  private remote: FakeTcp | undefined;

  constructor(
    readonly ownDhtPk: DhtPublicKey,
    private readonly scheduler: Scheduler,
    readonly relay: DhtPublicKey,
  ) {}

  connectTo(remote: FakeTcp): void {
    this.remote = remote;
  }

  addPeer(peer: DhtPublicKey): void {
    this.peers.set(Buffer.from(peer).toString('hex'), peer);
  }

  removePeer(peer: DhtPublicKey): void {
    this.peers.delete(Buffer.from(peer).toString('hex'));
  }

  peerStatus(peer: DhtPublicKey): RelayReach {
    return this.online && this.peers.has(Buffer.from(peer).toString('hex')) ? 'online' : 'none';
  }

  sendToPeer(peer: DhtPublicKey, packet: Uint8Array): 'sent' | 'congested' | 'unreachable' {
    if (this.peerStatus(peer) !== 'online' || !this.remote) return 'unreachable';
    this.sentToPeer++;
    const remote = this.remote;
    const copy = new Uint8Array(packet);
    this.scheduler.after(20, () => remote.arrive(this.ownDhtPk, copy, this.relay));
    return 'sent';
  }

  sendOob(relay: DhtPublicKey, destination: DhtPublicKey, packet: Uint8Array): boolean {
    if (!this.online || !this.remote) return false;
    this.sentOob++;
    const remote = this.remote;
    const copy = new Uint8Array(packet);
    this.scheduler.after(20, () => remote.arrive(this.ownDhtPk, copy, relay));
    return destination !== undefined;
  }

  subscribePeers(listeners: Partial<TcpPeerListeners>): () => void {
    this.listeners = listeners;
    return () => {
      this.listeners = {};
    };
  }

  /** A packet from `sender` reaches this side: from a tracked peer as a peer packet, else out of band. */
  arrive(sender: DhtPublicKey, packet: Uint8Array, relay: DhtPublicKey): void {
    if (!this.online) return;
    if (this.peers.has(Buffer.from(sender).toString('hex'))) this.listeners.peerPacket?.(sender, packet, relay);
    else this.listeners.oobPacket?.(sender, packet, relay);
  }
}
