/**
 * Shared helpers of the TCP relay tests: a simulated world (ManualScheduler,
 * SeededRandom, SimNetwork), promise settling under virtual time, and RawClient,
 * a hand-driven relay client that can send any packet or raw bytes (hostile
 * input) and records everything the relay sends back.
 */
import { ManualScheduler, SeededRandom, silentLogger, type Logger } from '../../../src/base/index.js';
import { generateKeyPair, type DhtKeyPair, type DhtPublicKey } from '../../../src/crypto/index.js';
import type { IpPort, NetStack, StreamListener, StreamSocket } from '../../../src/net/index.js';
import { SimNetwork, type SimHost } from '../../../src/net/sim/index.js';
import {
  acceptClientHandshake,
  completeClientHandshake,
  createClientHandshake,
  decodeTcpPacket,
  encodeTcpPacket,
  ExactReader,
  SecureLink,
  SERVER_HANDSHAKE_SIZE,
  TcpRelayServer,
  type OnionForwarder,
  type PendingClientHandshake,
  type TcpPacket,
  type TcpRelayServerOptions,
} from '../../../src/tcp/index.js';

export interface SimWorld {
  readonly scheduler: ManualScheduler;
  readonly random: SeededRandom;
  readonly network: SimNetwork;
  readonly log: Logger;
  host(ip: string): SimHost;
  keyPair(): DhtKeyPair;
}

export function simWorld(seed = 1, streams?: ConstructorParameters<typeof SimNetwork>[0]['streams']): SimWorld {
  const scheduler = new ManualScheduler();
  const random = new SeededRandom(seed);
  const network = new SimNetwork({ scheduler, random: random.fork(), ...(streams ? { streams } : {}) });
  const keys = random.fork();
  return {
    scheduler,
    random,
    network,
    log: silentLogger(),
    host: (ip) => network.host(ip),
    keyPair: () => generateKeyPair(keys) as DhtKeyPair,
  };
}

/** Advances virtual time until `promise` settles; returns its value. */
export async function settle<T>(scheduler: ManualScheduler, promise: Promise<T>, timeoutMs = 30_000): Promise<T> {
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  await scheduler.runUntil(() => done, { timeoutMs, stepMs: 1 });
  return tracked;
}

/** A relay server on `host`, started. */
export async function startServer(
  world: SimWorld,
  host: SimHost,
  options: Partial<TcpRelayServerOptions> = {},
  onion?: OnionForwarder,
): Promise<TcpRelayServer> {
  const server = new TcpRelayServer(
    { net: host, scheduler: world.scheduler, random: world.random.fork(), log: world.log, ...(onion ? { onion } : {}) },
    { keyPair: world.keyPair(), host: host.ip, port: 0, ...options },
  );
  await settle(world.scheduler, server.start());
  return server;
}

/** A relay client driven by hand: it sends whatever the test says, including what a good client never would. */
export class RawClient {
  readonly received: TcpPacket[] = [];
  /** Plaintexts that did not decode. */
  readonly undecodable: Uint8Array[] = [];
  closed = false;
  link: SecureLink | undefined;
  private readonly reader = new ExactReader(SERVER_HANDSHAKE_SIZE);

  private constructor(
    readonly socket: StreamSocket,
    readonly keyPair: DhtKeyPair,
  ) {
    socket.onClose(() => {
      this.closed = true;
    });
  }

  get publicKey(): DhtPublicKey {
    return this.keyPair.publicKey;
  }

  /** Connects and completes the handshake (the relay still waits for a first packet to confirm us). */
  static async connect(world: SimWorld, net: NetStack, server: TcpRelayServer, keyPair = world.keyPair()): Promise<RawClient> {
    const socket = await settle(world.scheduler, net.connectTcp(server.address));
    const client = new RawClient(socket, keyPair);
    const pending = createClientHandshake(keyPair, server.publicKey, world.random.fork())!;
    socket.onData((chunk) => client.receive(chunk, pending));
    socket.write(pending.request);
    await world.scheduler.runUntil(() => client.link !== undefined || client.closed, { timeoutMs: 5_000, stepMs: 1 });
    if (!client.link) throw new Error('relay handshake failed');
    return client;
  }

  /** Connects without a handshake: the caller writes whatever bytes it likes. */
  static async connectBare(world: SimWorld, net: NetStack, server: TcpRelayServer): Promise<RawClient> {
    const socket = await settle(world.scheduler, net.connectTcp(server.address));
    return new RawClient(socket, world.keyPair());
  }

  send(packet: Exclude<TcpPacket, { kind: 'unsupported' }>): void {
    this.sendPlain(encodeTcpPacket(packet));
  }

  sendPlain(plain: Uint8Array): void {
    const result = this.link!.send(plain, true);
    if (result !== 'sent' && !this.closed) throw new Error(`raw client could not send: ${result}`);
  }

  of<K extends TcpPacket['kind']>(kind: K): Array<Extract<TcpPacket, { kind: K }>> {
    return this.received.filter((p): p is Extract<TcpPacket, { kind: K }> => p.kind === kind);
  }

  private receive(chunk: Uint8Array, pending: PendingClientHandshake): void {
    if (!this.link) {
      const done = this.reader.push(chunk);
      if (!done) return;
      const session = completeClientHandshake(pending, done.bytes);
      if (!session) throw new Error('bad server handshake');
      this.link = new SecureLink(this.socket, session, { softLimit: 1 << 30, hardLimit: 1 << 30 });
      chunk = done.rest;
    }
    this.link.receive(chunk, (plain) => {
      try {
        this.received.push(decodeTcpPacket(plain));
      } catch {
        this.undecodable.push(plain.slice());
      }
      return true;
    });
  }
}

/**
 * A relay stand-in driven by hand: it accepts connections on `host`, answers
 * the handshake (or not, or with garbage) and then sends whatever the test says.
 */
export class RawServer {
  readonly keyPair: DhtKeyPair;
  readonly connections: Array<{ socket: StreamSocket; link: SecureLink | undefined; received: TcpPacket[]; closed: boolean }> = [];
  address!: IpPort;
  private listener: StreamListener | undefined;

  constructor(
    private readonly world: SimWorld,
    private readonly mode: 'answer' | 'silent' | 'garbage' = 'answer',
  ) {
    this.keyPair = world.keyPair();
  }

  get info(): { address: IpPort; publicKey: DhtPublicKey } {
    return { address: this.address, publicKey: this.keyPair.publicKey };
  }

  async listen(host: SimHost): Promise<void> {
    this.listener = await settle(this.world.scheduler, host.listenTcp({ host: host.ip, port: 0 }, (socket) => this.accept(socket)));
    this.address = this.listener.local;
  }

  async close(): Promise<void> {
    await this.listener?.close();
    for (const c of this.connections) c.socket.destroy();
  }

  /** Sends a plaintext packet on the latest connection. */
  sendPlain(plain: Uint8Array): void {
    this.connections.at(-1)!.link!.send(plain, true);
  }

  send(packet: Exclude<TcpPacket, { kind: 'unsupported' }>): void {
    this.sendPlain(encodeTcpPacket(packet));
  }

  private accept(socket: StreamSocket): void {
    const entry = { socket, link: undefined as SecureLink | undefined, received: [] as TcpPacket[], closed: false };
    this.connections.push(entry);
    socket.onClose(() => {
      entry.closed = true;
    });
    const reader = new ExactReader(128);
    socket.onData((chunk) => {
      if (!entry.link) {
        const done = reader.push(chunk);
        if (!done) return;
        if (this.mode === 'silent') return;
        if (this.mode === 'garbage') {
          socket.write(new Uint8Array(96).fill(9));
          return;
        }
        const accepted = acceptClientHandshake(this.keyPair, done.bytes, this.world.random.fork())!;
        socket.write(accepted.response);
        entry.link = new SecureLink(socket, accepted.session, { softLimit: 1 << 30, hardLimit: 1 << 30 });
        chunk = done.rest;
      }
      entry.link.receive(chunk, (plain) => {
        entry.received.push(decodeTcpPacket(plain));
        return true;
      });
    });
  }
}
