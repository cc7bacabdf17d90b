/**
 * The composition root for one Tox identity: loads (or creates) its profile,
 * binds the UDP socket in the configured port range, wires the packet router
 * and the protocol layers, bootstraps, and saves the profile atomically on
 * stop. Several ToxNodes can live in one process; each owns its own state.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EventEmitter } from 'eventemitter3';
import { InvalidStateError, ToxError, fromHex, utf8Encode, type Logger } from '../base/index.js';
import { formatToxId, type DhtPublicKey, type ToxId } from '../crypto/index.js';
import { Dht } from '../dht/index.js';
import { PacketRouter, ipPort, isNetError, type DatagramSocket, type IpPort, type PackedNode } from '../net/index.js';
import { createProfile, loadProfile, saveProfile, type Profile, type UserStatus } from '../storage/index.js';
import type { NetworkConfig } from './config/index.js';
import type { NodeEnv } from './env.js';

export interface ToxNodeOptions {
  env: NodeEnv;
  /** Path of the c-toxcore-compatible profile; created when missing. */
  profilePath: string;
  passphrase?: string;
  network: NetworkConfig;
  /** Applied when the profile is created (an existing profile keeps its own). */
  initial?: { name?: string; statusMessage?: string; status?: UserStatus };
}

export interface ToxNodeEvents {
  /** The DHT has (or lost) a connection to at least one node. */
  dhtConnection: (connected: boolean) => void;
  /** The profile was written to disk. */
  saved: () => void;
}

/** Bind address for a network config: loopback in local mode unless set. */
function bindHost(network: NetworkConfig): string {
  if (network.udp.host) return network.udp.host === 'localhost' ? '127.0.0.1' : network.udp.host;
  if (network.mode === 'local') return network.ipv6 ? '::1' : '127.0.0.1';
  return network.ipv6 ? '::' : '0.0.0.0';
}

export class ToxNode extends EventEmitter<ToxNodeEvents> {
  readonly log: Logger;
  private profile: Profile | undefined;
  private socket: DatagramSocket | undefined;
  private dht: Dht | undefined;
  private running = false;

  constructor(private readonly options: ToxNodeOptions) {
    super();
    this.log = options.env.log.child({ node: options.profilePath });
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Our Tox ID (long-term public key + nospam); available after `start`. */
  get toxId(): ToxId {
    const p = this.requireProfile();
    return { publicKey: p.keyPair.publicKey, nospam: p.nospam };
  }

  get toxIdText(): string {
    return formatToxId(this.toxId);
  }

  /** The UDP endpoint other nodes bootstrap from. */
  get udpAddress(): IpPort {
    if (!this.socket) throw new InvalidStateError('the node is not started');
    return this.socket.local;
  }

  get dhtPublicKey(): DhtPublicKey {
    if (!this.dht) throw new InvalidStateError('the node is not started');
    return this.dht.publicKey;
  }

  /** The DHT engine (for diagnostics and the layers built on it). */
  get dhtEngine(): Dht {
    if (!this.dht) throw new InvalidStateError('the node is not started');
    return this.dht;
  }

  async start(): Promise<void> {
    if (this.running) throw new InvalidStateError('the node is already started');
    const { env, network } = this.options;
    this.profile = await this.loadOrCreateProfile();
    if (!network.udp.enabled) throw new ToxError('UNSUPPORTED', 'UDP-less operation needs the TCP relay client, which is not wired into the node yet');
    // Real LAN broadcast is for the public mode only; local mode aims discovery at loopback ports.
    const broadcast = network.mode === 'public' && network.lanDiscovery;
    this.socket = await this.bindInRange(bindHost(network), network.udp.portRange, broadcast);
    const router = new PacketRouter(this.log.child({ layer: 'router' }));
    this.socket.onMessage((data, from) => router.dispatch(data, from));
    this.dht = new Dht(
      { scheduler: env.scheduler, random: env.random, log: this.log, socket: this.socket, router },
      {
        ipv6: network.ipv6,
        lanDiscovery: { send: network.lanDiscovery, answer: network.lanDiscovery, portRange: network.udp.portRange, broadcast },
      },
    );
    this.dht.on('connected', () => this.emit('dhtConnection', true));
    this.dht.on('disconnected', () => this.emit('dhtConnection', false));
    this.dht.loadSavedNodes(this.profile.dhtNodes);
    this.dht.start();
    for (const node of network.bootstrap) {
      const host = node.host === 'localhost' ? '127.0.0.1' : node.host;
      this.dht.bootstrap({ address: ipPort(host, node.port), publicKey: fromHex(node.publicKey) });
    }
    this.running = true;
    this.log.info('node started', { toxId: this.toxIdText, udp: `${this.socket.local.ip}:${this.socket.local.port}` });
  }

  /** Stops every layer, saves the profile and closes the socket; safe to call twice. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.dht?.stop();
    try {
      await this.save();
    } finally {
      await this.socket?.close();
      this.socket = undefined;
    }
  }

  /** Writes the profile atomically (with the DHT nodes we know now). */
  async save(): Promise<void> {
    const profile = this.requireProfile();
    if (this.dht) profile.dhtNodes = this.dht.nodesToSave().slice(0, 4160);
    const { passphrase, env, profilePath } = this.options;
    await saveProfile(profilePath, profile, { random: env.random, ...(passphrase !== undefined ? { passphrase } : {}) });
    this.emit('saved');
  }

  /** Nodes a client should bootstrap from to reach this node. */
  bootstrapInfo(): PackedNode {
    return { transport: 'udp', address: this.udpAddress, publicKey: this.dhtPublicKey };
  }

  private requireProfile(): Profile {
    if (!this.profile) throw new InvalidStateError('the node is not started');
    return this.profile;
  }

  private async loadOrCreateProfile(): Promise<Profile> {
    const { profilePath, passphrase, env, initial } = this.options;
    try {
      return await loadProfile(profilePath, passphrase !== undefined ? { passphrase } : {});
    } catch (err) {
      if (!(err instanceof ToxError) || err.code !== 'PROFILE_NOT_FOUND') throw err;
    }
    await mkdir(dirname(profilePath), { recursive: true });
    const profile = createProfile(env.random);
    profile.name = utf8Encode(initial?.name ?? '');
    profile.statusMessage = utf8Encode(initial?.statusMessage ?? '');
    profile.userStatus = initial?.status ?? 'online';
    await saveProfile(profilePath, profile, { random: env.random, ...(passphrase !== undefined ? { passphrase } : {}) });
    this.log.info('created a new profile', { path: profilePath });
    return profile;
  }

  private async bindInRange(host: string, [first, last]: readonly [number, number], broadcast: boolean): Promise<DatagramSocket> {
    for (let port = first; port <= last; port++) {
      try {
        return await this.options.env.net.bindUdp({ host, port, broadcast });
      } catch (err) {
        if (isNetError(err) && err.code === 'ADDRESS_IN_USE') continue;
        throw err;
      }
    }
    throw new ToxError('NO_FREE_PORT', `no free UDP port on ${host} in ${first}..${last}`, { host, first, last });
  }
}
