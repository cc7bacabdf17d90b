/**
 * The protocol stack of one node, built over a bound UDP socket: DHT, onion
 * (relay, announce node, client), TCP relay client (and server when a port is
 * configured), net_crypto, friend connections, friend requests, Messenger
 * and conferences (over conference-port.ts), with the profile's friends,
 * relays, path nodes and conferences loaded. `start`/`stop` run the layers
 * bottom-up/top-down and leave no timer; our name follows Messenger's.
 */
import { bytesEqual, fromHex, type Logger } from '../base/index.js';
import { Conferences } from '../conference/index.js';
import type { DhtPublicKey, LongTermPublicKey } from '../crypto/index.js';
import { Dht } from '../dht/index.js';
import { FriendConnections, FriendRequests } from '../friend/index.js';
import { Messenger, type SelfState } from '../messenger/index.js';
import { ipPort, PacketRouter, type DatagramSocket, type PackedNode } from '../net/index.js';
import { NetCrypto } from '../netcrypto/index.js';
import { AnnounceNode, OnionClient, OnionRelay } from '../onion/index.js';
import type { Profile } from '../storage/index.js';
import { TcpConnections, TcpRelayServer } from '../tcp/index.js';
import type { NetworkConfig } from './config/index.js';
import { FriendConferencePort } from './conference-port.js';
import type { NodeEnv } from './env.js';

export interface NodeStackOptions {
  env: NodeEnv;
  log: Logger;
  network: NetworkConfig;
  socket: DatagramSocket;
  profile: Profile;
  /** Host the TCP relay server listens on. */
  relayHost: string;
  broadcast: boolean;
}

function localHost(host: string): string {
  return host === 'localhost' ? '127.0.0.1' : host;
}

export class NodeStack {
  readonly router: PacketRouter;
  readonly dht: Dht;
  readonly onionRelay: OnionRelay;
  readonly announce: AnnounceNode;
  readonly onion: OnionClient;
  readonly tcp: TcpConnections;
  readonly netCrypto: NetCrypto;
  readonly connections: FriendConnections;
  readonly requests: FriendRequests;
  readonly messenger: Messenger;
  readonly conferences: Conferences;
  private relayServer: TcpRelayServer | undefined;

  constructor(private readonly o: NodeStackOptions) {
    const { env, network, socket, profile } = o;
    const log = o.log;
    const { scheduler, random } = env;
    this.router = new PacketRouter(log.child({ layer: 'router' }));
    socket.onMessage((data, from) => this.router.dispatch(data, from));
    const router = this.router;
    this.dht = new Dht(
      { scheduler, random, log, socket, router },
      {
        ipv6: network.ipv6,
        lanDiscovery: { send: network.lanDiscovery && network.udp.enabled, answer: network.lanDiscovery && network.udp.enabled, portRange: network.udp.portRange, broadcast: o.broadcast },
      },
    );
    const dht = this.dht;
    this.tcp = new TcpConnections({ net: env.net, scheduler, random, log: log.child({ layer: 'tcp' }) }, { keyPair: dht.keyPair });
    this.onionRelay = new OnionRelay({ scheduler, random, log, socket, router, dhtKeyPair: () => dht.keyPair, returnKeySeed: profile.keyPair.secretKey });
    this.announce = new AnnounceNode({ scheduler, random, log, socket, router, dht });
    this.onion = new OnionClient({ scheduler, random, log, socket, router, dht, realKeyPair: profile.keyPair, tcp: this.tcp });
    this.netCrypto = new NetCrypto({ scheduler, random, log, keyPair: profile.keyPair, dht, sendUdp: (to, data) => socket.send(to, data), tcp: this.tcp, router });
    this.connections = new FriendConnections({ scheduler, log, netCrypto: this.netCrypto, onion: this.onion, dht, tcp: this.tcp });
    const self: SelfState = { name: profile.name, statusMessage: profile.statusMessage, userStatus: profile.userStatus, nospam: profile.nospam };
    this.requests = new FriendRequests({
      scheduler,
      log,
      onion: this.onion,
      connections: this.connections,
      nospam: () => self.nospam,
      isFriend: (pk) => this.messenger.isFriend(pk),
    });
    this.messenger = new Messenger({ scheduler, random, log, selfPublicKey: profile.keyPair.publicKey, connections: this.connections, requests: this.requests }, self);
    this.messenger.loadFriends(profile.friends);
    const port = new FriendConferencePort({ selfPublicKey: profile.keyPair.publicKey, connections: this.connections, messenger: this.messenger, dht });
    this.conferences = new Conferences({ port, scheduler, random, log: log.child({ layer: 'conference' }) }, { name: profile.name });
    for (const saved of profile.conferences) {
      try {
        this.conferences.restore([saved]);
      } catch (err) {
        log.warn('a saved conference could not be restored', { error: err instanceof Error ? err.message : String(err) });
      }
    }
    let name = profile.name;
    this.messenger.on('changed', () => {
      const current = this.messenger.selfState.name;
      if (bytesEqual(current, name)) return;
      name = current;
      this.conferences.setName(current);
    });
  }

  async start(): Promise<void> {
    const { network, profile, env } = this.o;
    this.dht.loadSavedNodes(profile.dhtNodes);
    this.onion.loadPathNodes(profile.pathNodes);
    const configured = network.relays.map((r) => ({ address: ipPort(localHost(r.host), r.port), publicKey: fromHex(r.publicKey) as DhtPublicKey }));
    for (const relay of [...configured, ...profile.tcpRelays.filter((n) => n.transport === 'tcp')]) {
      this.tcp.addRelay({ address: relay.address, publicKey: relay.publicKey as DhtPublicKey });
    }
    if (!network.udp.enabled) {
      // A TCP-only node's first onion paths need UDP nodes behind the relay. A relay is also a DHT
      // node with the same key, and relays customarily serve UDP on their TCP port too (33445 both):
      // that guess is the first path node; announce responses bring the rest.
      for (const relay of configured) this.onion.addBootstrapPathNode(relay);
    }
    if (network.tcpRelayPort > 0) {
      this.relayServer = new TcpRelayServer(
        { net: env.net, scheduler: env.scheduler, random: env.random, log: this.o.log.child({ layer: 'tcp-server' }), onion: this.onionRelay },
        { keyPair: this.dht.keyPair, host: this.o.relayHost, port: network.tcpRelayPort },
      );
      await this.relayServer.start();
      this.onionRelay.setTcpResponseSink(this.relayServer);
    }
    this.dht.start();
    this.tcp.start();
    this.onionRelay.start();
    this.announce.start();
    this.onion.start();
    this.netCrypto.start();
    this.connections.start();
    this.requests.start();
    this.messenger.start();
    this.conferences.start();
    for (const node of network.bootstrap) {
      const address = ipPort(localHost(node.host), node.port);
      const publicKey = fromHex(node.publicKey);
      this.dht.bootstrap({ address, publicKey });
      this.onion.addBootstrapPathNode({ address, publicKey });
    }
  }

  async stop(): Promise<void> {
    // The snapshot is taken while the conferences are live; stopping freezes us in them.
    if (this.conferences.running) this.o.profile.conferences = this.conferences.snapshot();
    this.conferences.stop();
    this.messenger.stop();
    this.requests.stop();
    this.connections.stop();
    this.netCrypto.stop();
    this.onion.stop();
    this.announce.stop();
    this.onionRelay.stop();
    this.onionRelay.setTcpResponseSink(undefined);
    await this.relayServer?.stop();
    this.relayServer = undefined;
    this.tcp.stop();
    this.dht.stop();
  }

  /** Copies the live state into the profile before it is written. */
  fillProfile(profile: Profile): void {
    const self = this.messenger.selfState;
    profile.name = self.name;
    profile.statusMessage = self.statusMessage;
    profile.userStatus = self.userStatus;
    profile.nospam = self.nospam;
    profile.friends = this.messenger.friendRecords();
    profile.dhtNodes = this.dht.nodesToSave().slice(0, 4160);
    profile.pathNodes = this.onion.pathNodesToSave();
    if (this.conferences.running) profile.conferences = this.conferences.snapshot();
    const relays: PackedNode[] = this.tcp.connectedRelays(8).map((r) => ({ transport: 'tcp', address: r.address, publicKey: r.publicKey }));
    if (relays.length > 0) profile.tcpRelays = relays;
  }

  /** The TCP relay server (diagnostics, tests), when one runs. */
  get relayServerInstance(): TcpRelayServer | undefined {
    return this.relayServer;
  }

  /** The TCP relay server's port, when one runs. */
  get relayPort(): number | undefined {
    return this.relayServer?.address.port;
  }

  friendKey(friend: number): LongTermPublicKey {
    return this.messenger.publicKeyOf(friend);
  }
}
