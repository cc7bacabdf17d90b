/**
 * An in-memory friend-connection network for conference engines: many
 * `Conferences` in one process on a ManualScheduler, each behind a
 * `ConferencePort` that behaves like friend_connection + Messenger over
 * net_crypto. Deterministic for a seed.
 *
 * Model: a friend connection between two nodes exists on a side while that
 * side holds it (Messenger friends always do, conference connections by
 * `acquire`); it comes up `connectMs` after BOTH sides hold it (as net_crypto
 * needs both friend_connections), goes down at once when either side lets go
 * (packets already sent still arrive first, as before a kill packet), and is
 * cut by a partition or a crash: packets are lost from then on and both ends
 * notice after `timeoutMs` (friend_connection's 32 s). Lossless packets are
 * delivered in order per direction; each lost transmission (probability
 * `loss`) adds `retransmitMs`. Lossy packets are lost with probability `loss`
 * and may be reordered by jitter.
 */
import { ManualScheduler, SeededRandom, toHex, type Logger } from '../../src/base/index.js';
import {
  Conferences,
  type ConferenceEvents,
  type ConferencePort,
  type ConferencePortListeners,
  type ConferenceSnapshot,
  type ConferenceType,
  type ConferencesOptions,
} from '../../src/conference/index.js';
import type { DhtPublicKey, LongTermPublicKey } from '../../src/crypto/index.js';

export interface ConferenceLinkConditions {
  /** One-way latency. */
  latencyMs: number;
  /** Extra uniform random delay in [0, jitterMs). */
  jitterMs: number;
  /** Probability that one transmission is lost. */
  loss: number;
  /** Delay a lost lossless transmission adds (net_crypto's retransmission). */
  retransmitMs: number;
  /** Time from both sides holding a friend connection to it being up. */
  connectMs: number;
  /** Time for the ends of a cut connection to notice it is gone. */
  timeoutMs: number;
}

export const DEFAULT_CONDITIONS: ConferenceLinkConditions = {
  latencyMs: 10,
  jitterMs: 5,
  loss: 0,
  retransmitMs: 250,
  connectMs: 300,
  timeoutMs: 32_000,
};

type LinkState = 'down' | 'connecting' | 'up';

interface Link {
  readonly a: string;
  readonly b: string;
  state: LinkState;
  /** Bumped whenever the link comes up: packets of an older epoch are stale. */
  epoch: number;
  /** Cut by a partition or crash: everything sent is lost until it heals or times out. */
  severed: boolean;
  timer: { cancel(): void } | undefined;
  /** Per direction (`from`), the time the last lossless packet is delivered (FIFO). */
  readonly lastDelivery: Map<string, number>;
}

export interface RecordedEvents {
  readonly all: Array<{ name: keyof ConferenceEvents; event: unknown }>;
  readonly messages: Array<Parameters<ConferenceEvents['message']>[0]>;
  readonly actions: Array<Parameters<ConferenceEvents['action']>[0]>;
  readonly invites: Array<Parameters<ConferenceEvents['invite']>[0]>;
  readonly connected: Array<Parameters<ConferenceEvents['connected']>[0]>;
  readonly titles: Array<Parameters<ConferenceEvents['title']>[0]>;
  readonly joins: Array<Parameters<ConferenceEvents['peerJoin']>[0]>;
  readonly leaves: Array<Parameters<ConferenceEvents['peerLeave']>[0]>;
  readonly renames: Array<Parameters<ConferenceEvents['peerRename']>[0]>;
  readonly lossy: Array<Parameters<ConferenceEvents['lossy']>[0]>;
}

/** Attaches a listener to every event of `conferences`, recording them. */
export function recordEvents(conferences: Conferences): RecordedEvents {
  const r: RecordedEvents = { all: [], messages: [], actions: [], invites: [], connected: [], titles: [], joins: [], leaves: [], renames: [], lossy: [] };
  const on = <K extends keyof ConferenceEvents>(name: K, list: unknown[]): void => {
    conferences.on(name, ((event: unknown) => {
      r.all.push({ name, event });
      list.push(event);
    }) as never);
  };
  on('message', r.messages);
  on('action', r.actions);
  on('invite', r.invites);
  on('connected', r.connected);
  on('title', r.titles);
  on('peerJoin', r.joins);
  on('peerLeave', r.leaves);
  on('peerRename', r.renames);
  on('lossy', r.lossy);
  on('peerListChanged', []);
  return r;
}

export interface AddNodeOptions {
  label?: string;
  /** Reuse an identity (a restart). */
  publicKey?: LongTermPublicKey;
  engine?: ConferencesOptions;
  log?: Logger;
}

/** One node: an identity, its port on the network, its engine and the events it saw. */
export class ConferenceNode {
  alive = true;
  readonly events: RecordedEvents;

  constructor(
    readonly label: string,
    readonly publicKey: LongTermPublicKey,
    readonly dhtPublicKey: DhtPublicKey,
    readonly port: SimConferencePort,
    readonly conferences: Conferences,
  ) {
    this.events = recordEvents(conferences);
  }

  get keyHex(): string {
    return this.port.keyHex;
  }
}

export class SimConferencePort implements ConferencePort {
  readonly keyHex: string;
  /** Friend connection references this side holds, by peer key. */
  readonly holds = new Map<string, number>();
  listeners: ConferencePortListeners | undefined;

  constructor(
    private readonly net: ConferenceNet,
    readonly selfPublicKey: LongTermPublicKey,
    private readonly dhtKey: DhtPublicKey,
  ) {
    this.keyHex = toHex(selfPublicKey);
  }

  selfDhtPublicKey(): DhtPublicKey {
    return this.dhtKey;
  }

  acquire(peer: LongTermPublicKey): void {
    const k = toHex(peer);
    this.holds.set(k, (this.holds.get(k) ?? 0) + 1);
    this.net.refresh(this.keyHex, k);
  }

  release(peer: LongTermPublicKey): void {
    const k = toHex(peer);
    const n = this.holds.get(k) ?? 0;
    if (n <= 0) throw new Error(`${this.keyHex.slice(0, 8)} released ${k.slice(0, 8)} more often than it acquired it`);
    if (n === 1) this.holds.delete(k);
    else this.holds.set(k, n - 1);
    this.net.refresh(this.keyHex, k);
  }

  hasConnection(peer: LongTermPublicKey): boolean {
    const k = toHex(peer);
    return this.holds.has(k) || this.net.areFriends(this.keyHex, k);
  }

  isOnline(peer: LongTermPublicKey): boolean {
    return this.net.linkState(this.keyHex, toHex(peer)) === 'up';
  }

  dhtPublicKeyOf(peer: LongTermPublicKey): DhtPublicKey | undefined {
    return this.hasConnection(peer) ? this.net.nodeByKey(toHex(peer))?.dhtPublicKey : undefined;
  }

  sendLossless(peer: LongTermPublicKey, packet: Uint8Array): boolean {
    return this.net.transmit(this.keyHex, toHex(peer), packet, 'lossless');
  }

  sendLossy(peer: LongTermPublicKey, packet: Uint8Array): boolean {
    return this.net.transmit(this.keyHex, toHex(peer), packet, 'lossy');
  }

  isFriend(peer: LongTermPublicKey): boolean {
    return this.net.areFriends(this.keyHex, toHex(peer));
  }

  sendInvite(friend: LongTermPublicKey, packet: Uint8Array): boolean {
    return this.isFriend(friend) && this.net.transmit(this.keyHex, toHex(friend), packet, 'invite');
  }

  subscribe(listeners: ConferencePortListeners): () => void {
    this.listeners = listeners;
    return () => {
      if (this.listeners === listeners) this.listeners = undefined;
    };
  }
}

export interface NetStats {
  lossless: number;
  lossy: number;
  lossyLost: number;
  retransmissions: number;
  lostToCuts: number;
}

export class ConferenceNet {
  readonly scheduler: ManualScheduler;
  readonly random: SeededRandom;
  conditions: ConferenceLinkConditions;
  readonly stats: NetStats = { lossless: 0, lossy: 0, lossyLost: 0, retransmissions: 0, lostToCuts: 0 };
  private readonly nodes = new Map<string, ConferenceNode>();
  private readonly friends = new Set<string>();
  private readonly links = new Map<string, Link>();
  /** Keys of one side of the current partition (empty: none). */
  private cut = new Set<string>();
  private count = 0;

  constructor(options: { seed: number; scheduler?: ManualScheduler; conditions?: Partial<ConferenceLinkConditions> }) {
    this.scheduler = options.scheduler ?? new ManualScheduler();
    this.random = new SeededRandom(options.seed);
    this.conditions = { ...DEFAULT_CONDITIONS, ...options.conditions };
  }

  /** A new node with a fresh DHT key (and a fresh long-term key unless given); its engine is started. */
  addNode(options: AddNodeOptions = {}): ConferenceNode {
    const random = this.random.fork();
    const publicKey = options.publicKey ?? (random.bytes(32) as LongTermPublicKey);
    const dhtPublicKey = random.bytes(32) as DhtPublicKey;
    const label = options.label ?? `n${this.count++}`;
    const port = new SimConferencePort(this, publicKey, dhtPublicKey);
    const conferences = new Conferences(
      { port, scheduler: this.scheduler, random, ...(options.log ? { log: options.log } : {}) },
      { name: new TextEncoder().encode(label), ...options.engine },
    );
    const node = new ConferenceNode(label, publicKey, dhtPublicKey, port, conferences);
    const previous = this.nodes.get(port.keyHex);
    if (previous?.alive) throw new Error(`node ${label} is already running`);
    this.nodes.set(port.keyHex, node);
    conferences.start();
    for (const link of this.links.values()) {
      if (link.a !== port.keyHex && link.b !== port.keyHex) continue;
      // A restarted peer's handshake replaces the connection the other end still thinks is up.
      if (link.severed) {
        link.timer?.cancel();
        link.timer = undefined;
        link.severed = false;
        link.state = 'down';
        this.announce(link, false, this.scheduler.now());
      }
      this.refresh(link.a, link.b);
    }
    for (const pair of this.friends) {
      const [a, b] = pair.split(':') as [string, string];
      if (a === port.keyHex || b === port.keyHex) this.refresh(a, b);
    }
    return node;
  }

  nodeByKey(keyHex: string): ConferenceNode | undefined {
    return this.nodes.get(keyHex);
  }

  /** Makes two nodes Messenger friends: both hold the friend connection for good. */
  befriend(a: ConferenceNode, b: ConferenceNode): void {
    this.friends.add(pairKey(a.keyHex, b.keyHex));
    this.refresh(a.keyHex, b.keyHex);
  }

  areFriends(a: string, b: string): boolean {
    return this.friends.has(pairKey(a, b));
  }

  linkState(a: string, b: string): LinkState {
    return this.links.get(pairKey(a, b))?.state ?? 'down';
  }

  /** Cuts every link between `side` and the rest. */
  partition(side: readonly ConferenceNode[]): void {
    this.cut = new Set(side.map((n) => n.keyHex));
    for (const link of this.links.values()) if (this.isCut(link.a, link.b)) this.sever(link);
  }

  heal(): void {
    this.cut = new Set();
    for (const link of [...this.links.values()]) {
      if (link.severed) {
        link.timer?.cancel();
        link.timer = undefined;
        link.severed = false;
      }
      this.refresh(link.a, link.b);
    }
  }

  /** The node dies without a word: its links are cut and its engine stops sending. */
  crash(node: ConferenceNode): void {
    node.alive = false;
    for (const link of this.links.values()) if (link.a === node.keyHex || link.b === node.keyHex) this.sever(link);
    node.conferences.stop();
  }

  /** A clean exit: the engine says goodbye (freeze peer), then the node is gone. */
  shutdown(node: ConferenceNode): void {
    node.conferences.stop();
    node.alive = false;
    for (const link of this.links.values()) if (link.a === node.keyHex || link.b === node.keyHex) this.refresh(link.a, link.b);
  }

  /** Shuts `node` down (or crashes it), then after `downtimeMs` starts it again from its snapshot with a new DHT key. */
  async restart(node: ConferenceNode, options: { downtimeMs?: number; crash?: boolean } = {}): Promise<ConferenceNode> {
    const snapshot: ConferenceSnapshot[] = node.conferences.snapshot();
    if (options.crash) this.crash(node);
    else this.shutdown(node);
    await this.scheduler.advance(options.downtimeMs ?? 1000);
    const next = this.addNode({ label: node.label, publicKey: node.publicKey });
    next.conferences.restore(snapshot);
    return next;
  }

  /** Everything alive stops (no timers are left behind). */
  stopAll(): void {
    for (const node of this.nodes.values()) if (node.alive) this.shutdown(node);
    for (const link of this.links.values()) {
      link.timer?.cancel();
      link.timer = undefined;
    }
  }

  // ---------------------------------------------------------------- links

  /** Re-evaluates the friend connection between two nodes after a change on either side. */
  refresh(a: string, b: string): void {
    const key = pairKey(a, b);
    let link = this.links.get(key);
    const wanted = this.wanted(a, b);
    if (!link) {
      if (!wanted) return;
      const [x, y] = key.split(':') as [string, string];
      link = { a: x, b: y, state: 'down', epoch: 0, severed: false, timer: undefined, lastDelivery: new Map() };
      this.links.set(key, link);
    }
    // A cut link stays "up" at both ends until they time out (see `sever`).
    if (link.severed) return;
    if (wanted && link.state === 'down') {
      link.state = 'connecting';
      const l = link;
      link.timer = this.scheduler.after(this.conditions.connectMs + this.jitter(), () => {
        l.timer = undefined;
        if (l.state !== 'connecting' || !this.wanted(l.a, l.b)) return;
        l.state = 'up';
        l.epoch++;
        l.lastDelivery.clear();
        this.announce(l, true, this.scheduler.now());
      });
    } else if (!wanted && link.state !== 'down') {
      const wasUp = link.state === 'up';
      link.timer?.cancel();
      link.timer = undefined;
      link.state = 'down';
      // The kill follows whatever is already on its way.
      if (wasUp) this.announce(link, false, Math.max(this.scheduler.now(), ...link.lastDelivery.values()));
    }
  }

  private wanted(a: string, b: string): boolean {
    const na = this.nodes.get(a);
    const nb = this.nodes.get(b);
    if (!na?.alive || !nb?.alive || this.isCut(a, b)) return false;
    const friends = this.areFriends(a, b);
    return (friends || na.port.holds.has(b)) && (friends || nb.port.holds.has(a));
  }

  private isCut(a: string, b: string): boolean {
    return this.cut.size > 0 && this.cut.has(a) !== this.cut.has(b);
  }

  /** Packets are lost from now on; the ends notice after the timeout. */
  private sever(link: Link): void {
    if (link.state === 'connecting') {
      link.timer?.cancel();
      link.timer = undefined;
      link.state = 'down';
      return;
    }
    if (link.state !== 'up' || link.severed) return;
    link.severed = true;
    link.timer?.cancel();
    link.timer = this.scheduler.after(this.conditions.timeoutMs, () => {
      link.timer = undefined;
      if (!link.severed || link.state !== 'up') return;
      link.state = 'down';
      link.severed = false;
      this.announce(link, false, this.scheduler.now());
      this.refresh(link.a, link.b);
    });
  }

  private announce(link: Link, online: boolean, at: number): void {
    const epoch = link.epoch;
    const tell = (self: string, other: string): void => {
      const node = this.nodes.get(self);
      const peer = this.nodes.get(other);
      if (!node?.alive || !peer) return;
      const notify = (): void => {
        if (link.epoch !== epoch || !node.alive) return;
        node.port.listeners?.status(peer.publicKey, online);
      };
      if (at <= this.scheduler.now()) this.scheduler.after(0, notify);
      else this.scheduler.after(at - this.scheduler.now(), notify);
    };
    tell(link.a, link.b);
    tell(link.b, link.a);
  }

  /** Sends one packet over the link from `from` to `to`; false when the link is not up. */
  transmit(from: string, to: string, packet: Uint8Array, kind: 'lossless' | 'lossy' | 'invite'): boolean {
    const link = this.links.get(pairKey(from, to));
    const sender = this.nodes.get(from);
    if (!link || link.state !== 'up' || !sender?.alive) return false;
    const c = this.conditions;
    let delay = c.latencyMs + this.jitter();
    if (kind === 'lossy') {
      this.stats.lossy++;
      if (this.random.float() < c.loss) {
        this.stats.lossyLost++;
        return true;
      }
    } else {
      this.stats.lossless++;
      while (this.random.float() < c.loss) {
        delay += c.retransmitMs;
        this.stats.retransmissions++;
      }
    }
    if (link.severed) {
      this.stats.lostToCuts++;
      return true;
    }
    let at = this.scheduler.now() + delay;
    if (kind !== 'lossy') {
      at = Math.max(at, link.lastDelivery.get(from) ?? 0);
      link.lastDelivery.set(from, at);
    }
    const epoch = link.epoch;
    const copy = packet.slice();
    const senderKey = sender.publicKey;
    const receiver = this.nodes.get(to);
    this.scheduler.after(at - this.scheduler.now(), () => {
      if (link.epoch !== epoch || link.severed || !receiver?.alive || this.nodes.get(to) !== receiver) return;
      const listeners = receiver.port.listeners;
      if (!listeners) return;
      if (kind === 'lossless') listeners.lossless(senderKey, copy);
      else if (kind === 'lossy') listeners.lossy(senderKey, copy);
      else listeners.invite(senderKey, copy);
    });
    return true;
  }

  private jitter(): number {
    return this.conditions.jitterMs > 0 ? this.random.int(this.conditions.jitterMs) : 0;
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}

export interface ChainOptions {
  /** Virtual time allowed for the whole chain to join. */
  timeoutMs?: number;
  type?: ConferenceType;
}

/**
 * Joins `nodes` to one conference along a linear invite chain: consecutive
 * nodes are friends, node 0 creates the conference, and each node invites the
 * next as soon as it is connected. Returns each node's conference number.
 */
export async function joinInviteChain(net: ConferenceNet, nodes: readonly ConferenceNode[], options: ChainOptions = {}): Promise<number[]> {
  for (let i = 0; i + 1 < nodes.length; i++) net.befriend(nodes[i]!, nodes[i + 1]!);
  const numbers: Array<number | undefined> = nodes.map(() => undefined);
  const first = nodes[0]!;
  numbers[0] = first.conferences.create(options.type);
  const inviteNext = (i: number): void => {
    const next = nodes[i + 1];
    if (!next) return;
    const tryInvite = (): void => {
      if (first.port.isOnline(next.publicKey) || nodes[i]!.port.isOnline(next.publicKey)) nodes[i]!.conferences.invite(numbers[i]!, next.publicKey);
      else net.scheduler.after(100, tryInvite);
    };
    tryInvite();
  };
  nodes.forEach((node, i) => {
    if (i === 0) return;
    node.conferences.on('invite', (e) => {
      if (numbers[i] === undefined) numbers[i] = node.conferences.join(e.friend, e.cookie);
    });
    node.conferences.on('connected', (e) => {
      if (e.conference === numbers[i]) inviteNext(i);
    });
  });
  inviteNext(0);
  await net.scheduler.runUntil(() => nodes.every((n, i) => numbers[i] !== undefined && n.conferences.info(numbers[i]!).connected), {
    timeoutMs: options.timeoutMs ?? 120_000,
    stepMs: 100,
    describe: () => ({ joined: numbers.filter((n) => n !== undefined).length }),
  });
  return numbers as number[];
}

/** Hex keys of the peers `node` publishes in conference `n`, itself included, sorted. */
export function peerKeys(node: ConferenceNode, n: number): string[] {
  return node.conferences
    .peers(n)
    .map((p) => toHex(p.publicKey))
    .sort();
}
