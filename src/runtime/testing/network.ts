/**
 * `createTestNetwork`: a bot under test and scripted peers on one simulated
 * network, in one process, in virtual time. The bot is a real ToxNode with a
 * PluginHost over the ToxNodeBotApi bridge, wired as `tocsin run` wires it;
 * each peer is a real ToxNode too. Every node gets its own SimHost
 * (10.77.0.x), one shared ManualScheduler and a SeededRandom fork of the
 * seed, so a run is deterministic; nodes are bootstrapped to every other node
 * as they join. Profiles live in a temp directory removed by `stop`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, InvalidStateError, ManualScheduler, MemorySink, SeededRandom, TimeoutError, createLogger, isToxError, toHex, type LogLevel, type Logger } from '../../base/index.js';
import { initCrypto } from '../../crypto/index.js';
import { SimNetwork, type LinkConditions } from '../../net/sim/index.js';
import { Permissions, PluginHost, isPlugin, type LoadedPlugin, type PermissionsConfig, type Plugin, type PluginHostOptions } from '../bot/index.js';
import { ToxNodeBotApi } from '../bot-bridge.js';
import type { NetworkConfig } from '../config/index.js';
import { BotEventBus } from '../events.js';
import { ToxNode } from '../tox-node.js';
import { TestNetworkBot, TestPeer, type VirtualWait } from './test-peer.js';

const TOX_PORT = 33445;
/** Virtual time between two checks of what a wait waits for. */
const STEP_MS = 50;
const MAX_NODES = 250;

export interface TestNetworkOptions extends Partial<Omit<PluginHostOptions, 'plugins' | 'permissions' | 'node' | 'scheduler' | 'random' | 'log'>> {
  /** The bot's plugins in chain order: a plugin (default options) or a full entry. */
  plugins: ReadonlyArray<Plugin | LoadedPlugin>;
  /** Seeds every key, delay and choice of the run (default 1). */
  seed?: number;
  /** The bot's Tox name (default `bot`). */
  name?: string;
  permissions?: PermissionsConfig;
  /** Link conditions between nodes (default: 10 ms one way, no loss). */
  conditions?: Partial<LinkConditions>;
  /** Default virtual-time limit of every wait (default 60 s). */
  timeoutMs?: number;
  /** Level of the log kept in `net.logs` (default `info`). */
  logLevel?: LogLevel;
}

export interface TestNetwork {
  /** The bot under test. */
  readonly bot: TestNetworkBot;
  readonly scheduler: ManualScheduler;
  readonly sim: SimNetwork;
  /** Log records of every node and of the bot's plugins. */
  readonly logs: MemorySink;
  /** The temp directory holding every node's profile until `stop` removes it. */
  readonly profileDir: string;
  /** A new scripted peer named `name` (its Tox name too), started and bootstrapped to every node. */
  peer(name: string): Promise<TestPeer>;
  /** Moves virtual time on by `ms`, delivering what falls due. */
  advance(ms: number): Promise<void>;
  /** Advances virtual time until `done()` holds; a TimeoutError naming `what` after `timeoutMs`. */
  until(what: string, done: () => boolean, timeoutMs?: number): Promise<void>;
  /** Stops the plugins, every node and the network, and removes the profiles. Idempotent. */
  stop(): Promise<void>;
}

class Network implements TestNetwork, VirtualWait {
  readonly scheduler = new ManualScheduler();
  readonly logs = new MemorySink();
  readonly sim: SimNetwork;
  private readonly defaultTimeoutMs: number;
  private readonly random: SeededRandom;
  private readonly log: Logger;
  private readonly nodes: TestPeer[] = [];
  private botPeer: TestNetworkBot | undefined;
  private stopping: Promise<void> | undefined;
  /** The last peer start: starts run one after another, so concurrent `peer` calls get distinct hosts and know each other. */
  private starting: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly options: TestNetworkOptions,
    readonly profileDir: string,
  ) {
    this.random = new SeededRandom(options.seed ?? 1);
    this.sim = new SimNetwork({ scheduler: this.scheduler, random: this.random.fork(), ...(options.conditions ? { conditions: options.conditions } : {}) });
    this.defaultTimeoutMs = options.timeoutMs ?? 60_000;
    this.log = createLogger({ level: options.logLevel ?? 'info', sink: this.logs, clock: () => this.scheduler.now() });
  }

  get bot(): TestNetworkBot {
    if (!this.botPeer) throw new InvalidStateError('the test network has no bot yet');
    return this.botPeer;
  }

  async startBot(): Promise<void> {
    const o = this.options;
    const label = o.name ?? 'bot';
    const node = await this.startNode(label);
    const host = new PluginHost({
      ...o,
      node: new ToxNodeBotApi(node),
      scheduler: this.scheduler,
      random: this.random.fork(),
      log: node.log.child({ layer: 'bot' }),
      permissions: Permissions.fromConfig(o.permissions),
      plugins: o.plugins.map((p) => (isPlugin(p) ? { plugin: p } : p)),
    });
    try {
      await host.start();
    } catch (err) {
      await node.stop();
      throw err;
    }
    const bus = new BotEventBus();
    host.attach(bus);
    this.botPeer = new TestNetworkBot(label, node, bus, this, host);
    this.nodes.push(this.botPeer);
  }

  peer(name: string): Promise<TestPeer> {
    const started = this.starting.then(() => this.startPeer(name));
    this.starting = started.catch(() => undefined);
    return started;
  }

  private async startPeer(name: string): Promise<TestPeer> {
    if (this.stopping) throw new InvalidStateError('the test network is stopped');
    const node = await this.startNode(name);
    const peer = new TestPeer(name, node, new BotEventBus(), this);
    this.nodes.push(peer);
    return peer;
  }

  advance(ms: number): Promise<void> {
    return this.scheduler.advance(ms);
  }

  async until(what: string, done: () => boolean, timeoutMs = this.defaultTimeoutMs): Promise<void> {
    try {
      await this.scheduler.runUntil(done, { timeoutMs, stepMs: STEP_MS });
    } catch (err) {
      if (!isToxError(err, 'TIMEOUT')) throw err;
      const recent = Object.fromEntries(this.nodes.map((n) => [n.label, n.events.slice(-8).map((e) => e.kind)]));
      throw new TimeoutError(`timed out after ${timeoutMs} ms of virtual time waiting for ${what}`, { recentEvents: recent });
    }
  }

  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      try {
        for (const n of [...this.nodes].reverse()) await n.stop();
        this.sim.close();
      } finally {
        await rm(this.profileDir, { recursive: true, force: true });
      }
    })());
  }

  /** A started ToxNode on a host of its own, bootstrapped to every node and known to them. */
  private async startNode(label: string): Promise<ToxNode> {
    if (this.nodes.some((n) => n.label === label)) throw new InvalidArgumentError(`the test network already has a node named "${label}"`);
    if (!/^[\w.-]{1,64}$/.test(label)) throw new InvalidArgumentError(`a test node name must be 1-64 letters, digits, "_", "." or "-", got "${label}"`);
    const index = this.nodes.length + 1;
    if (index > MAX_NODES) throw new InvalidArgumentError(`a test network holds at most ${MAX_NODES} nodes`);
    const ip = `10.77.0.${index}`;
    const network: NetworkConfig = {
      mode: 'public',
      udp: { enabled: true, host: ip, portRange: [TOX_PORT, TOX_PORT] },
      ipv6: false,
      lanDiscovery: false,
      tcpRelayPort: 0,
      bootstrap: this.nodes.map((n) => ({ host: n.node.udpAddress.ip, port: n.node.udpAddress.port, publicKey: toHex(n.node.dhtPublicKey), tcpPorts: [] })),
      relays: [],
    };
    const env = { scheduler: this.scheduler, random: this.random.fork(), net: this.sim.host(ip), log: this.log.child({ peer: label }) };
    const node = new ToxNode({ env, profilePath: join(this.profileDir, `${label}.tox`), network, initial: { name: label } });
    await node.start();
    const info = node.bootstrapInfo();
    for (const n of this.nodes) {
      n.node.dhtEngine.bootstrap(info);
      n.node.layers.onion.addBootstrapPathNode(info);
    }
    return node;
  }
}

/**
 * Boots the bot under test (a real node running `plugins`) on a fresh
 * simulated network; add peers with `net.peer(name)`. Always `await net.stop()`.
 */
export async function createTestNetwork(options: TestNetworkOptions): Promise<TestNetwork> {
  await initCrypto();
  const dir = await mkdtemp(join(tmpdir(), 'tocsin-test-network-'));
  const net = new Network(options, dir);
  try {
    await net.startBot();
  } catch (err) {
    await net.stop();
    throw err;
  }
  return net;
}
