/**
 * One conference's state and the group.c operations on it: the peer list
 * (add, thaw, delete, freeze), the closest set, the group connections and
 * their reasons, sending group messages and direct packets, and the per-tick
 * duties (closest connections, ping, freezing, connection cleaning, name).
 * Packet handlers live in join.ts and relay.ts; the manager owns the rest.
 *
 * Deliberate differences from c-toxcore, all about hostile input: a cap on
 * current peers, we never renumber or delete ourselves, a renumbered key keeps
 * its name and "heard" mark, and peer queries provoked by unknown origins are
 * rate-limited per connection.
 */
import { bytesEqual } from '../base/index.js';
import { keyId, keysEqual, type DhtPublicKey, type LongTermPublicKey } from '../crypto/index.js';
import {
  DIRECT_PEER_INTRODUCED,
  DIRECT_PEER_QUERY,
  DIRECT_PEER_RESPONSE,
  DIRECT_TITLE_RESPONSE,
  FREEZE_TIMEOUT_MS,
  MAX_FROZEN_DEFAULT,
  MAX_MESSAGE_DATA_LENGTH,
  MAX_NAME_LENGTH,
  MAX_PEER_RESPONSE_SIZE,
  MAX_TITLE_LENGTH,
  MESSAGE_NAME,
  MESSAGE_PING,
  PEER_ENTRY_FIXED_SIZE,
  PING_INTERVAL_MS,
} from './constants.js';
import { ConnectionTable, REASON_CLOSEST, REASON_INTRODUCER, type GroupConnection } from './connections.js';
import type { ConferenceCounters } from './counters.js';
import { newPeer, PeerList, type Peer, type PublishedPeer } from './peers.js';
import type { ConferencePort } from './ports.js';
import { ClosestPeers, compValue } from './ring.js';
import { DirectPacket, LossyPacket, MessagePacket, OnlinePacket, RejoinPacket, type DirectBody, type PeerEntry } from './wire/index.js';

/** `valid`: joining (invite accepted, our peer number not known yet); `connected`: a member. */
export type ConferenceStatus = 'valid' | 'connected';

export type ConferenceNotice =
  | { readonly kind: 'connected' }
  | { readonly kind: 'message' | 'action'; readonly peer: Peer; readonly data: Uint8Array }
  | { readonly kind: 'title'; readonly title: Uint8Array; readonly peer: Peer | undefined }
  | { readonly kind: 'lossy'; readonly peer: Peer; readonly lossyId: number; readonly data: Uint8Array };

/** What a conference needs from the manager that owns it. */
export interface ConferenceHost {
  readonly port: ConferencePort;
  readonly counters: ConferenceCounters;
  readonly maxPeers: number;
  readonly unknownPeerQueryIntervalMs: number;
  now(): number;
  selfName(): Uint8Array;
  notify(conference: Conference, notice: ConferenceNotice): void;
}

/** Outcome of sending a group message (c-toxcore `send_message_group`). */
export type GroupSendResult = 'sent' | 'tooLong' | 'noConnection' | 'failed';

/** The group-message fields that travel unchanged through relays. */
export type RelayedMessage = Omit<MessagePacket, 'groupNumber'>;
export type RelayedLossy = Omit<LossyPacket, 'groupNumber'>;

export class Conference {
  status: ConferenceStatus;
  /** Wire type byte: 0 text, 1 AV. */
  type = 0;
  id: Uint8Array = new Uint8Array(32);
  peerNumber = 0;
  title: Uint8Array = new Uint8Array(0);
  /** Set by a received title; a title response only applies while this is false. */
  titleFresh = false;
  messageNumber = 0;
  lossyMessageNumber = 0;
  needSendName = false;
  maxFrozen = MAX_FROZEN_DEFAULT;
  readonly peers = new PeerList();
  readonly closest: ClosestPeers;
  readonly connections = new ConnectionTable();
  /** The peers last published to the application (events are diffs against it). */
  published = new Map<string, PublishedPeer>();
  readonly selfKeyHex: string;
  private lastSentPing: number | undefined;
  private readonly lastUnknownPeerQuery = new Map<string, number>();

  constructor(
    private readonly host: ConferenceHost,
    /** Our group number for it: what peers put in the packets they send us. */
    readonly number: number,
    readonly selfPublicKey: LongTermPublicKey,
    status: ConferenceStatus,
  ) {
    this.status = status;
    this.selfKeyHex = keyId(selfPublicKey);
    this.closest = new ClosestPeers(selfPublicKey);
  }

  get port(): ConferencePort {
    return this.host.port;
  }

  matches(type: number, id: Uint8Array): boolean {
    return this.type === type && bytesEqual(this.id, id);
  }

  self(): Peer | undefined {
    const i = this.peers.indexByKey(this.selfKeyHex);
    return i < 0 ? undefined : this.peers.current[i];
  }

  // ---------------------------------------------------------------- peers

  /** Refreshes a current peer, or thaws a frozen one (c-toxcore `note_peer_active`). */
  notePeerActive(peerNumber: number): Peer | undefined {
    const now = this.host.now();
    const index = this.peers.indexByNumber(peerNumber);
    if (index >= 0) {
      const peer = this.peers.current[index]!;
      peer.lastActive = now;
      return peer;
    }
    const frozenIndex = this.peers.frozenIndexByNumber(peerNumber);
    if (frozenIndex < 0) return undefined;
    const peer = this.peers.removeFrozenAt(frozenIndex);
    peer.dhtPublicKeyUpdated = false;
    peer.lastActive = now;
    this.peers.append(peer);
    this.closest.add(peer.publicKey, peer.dhtPublicKey);
    this.needSendName = true;
    return peer;
  }

  /**
   * Adds a peer or refreshes one (c-toxcore `addpeer`). `fresh`: the
   * information is current, so a frozen peer thaws and the DHT key is taken.
   * Returns undefined where c-toxcore returns -1.
   */
  addPeer(publicKey: LongTermPublicKey, dhtPublicKey: DhtPublicKey, peerNumber: number, fresh: boolean): Peer | undefined {
    const existing = fresh ? this.notePeerActive(peerNumber) : this.peers.current[this.peers.indexByNumber(peerNumber)];
    if (existing) {
      if (!keysEqual(existing.publicKey, publicKey)) return undefined;
      if (fresh || !existing.dhtPublicKeyUpdated) {
        existing.dhtPublicKey = dhtPublicKey;
        existing.dhtPublicKeyUpdated = true;
      }
      return existing;
    }
    if (!fresh) {
      const frozen = this.peers.frozen[this.peers.frozenIndexByNumber(peerNumber)];
      if (frozen) {
        if (keysEqual(frozen.publicKey, publicKey)) frozen.dhtPublicKey = dhtPublicKey;
        return undefined;
      }
    }
    const keyHex = keyId(publicKey);
    if (keyHex === this.selfKeyHex && (peerNumber !== this.peerNumber || this.status !== 'connected')) return undefined;
    if (this.peers.current.length >= this.host.maxPeers && this.peers.indexByKey(keyHex) < 0) {
      this.host.counters.drop('peerCap');
      return undefined;
    }
    const previous = this.deleteAnyPeerWithKey(keyHex);
    const peer = newPeer(publicKey, dhtPublicKey, peerNumber, this.host.now());
    peer.isFriend = this.port.isFriend(publicKey);
    if (previous) {
      peer.name = previous.name;
      peer.heard = previous.heard;
    }
    this.peers.append(peer);
    this.closest.add(publicKey, dhtPublicKey);
    return peer;
  }

  /** Removes every entry, current or frozen, with this key; returns what a renumbered peer keeps. */
  private deleteAnyPeerWithKey(keyHex: string): { name: Uint8Array; heard: boolean } | undefined {
    let kept: { name: Uint8Array; heard: boolean } | undefined;
    const current = this.peers.current[this.peers.indexByKey(keyHex)];
    if (current) {
      kept = { name: current.name, heard: current.heard };
      this.deletePeer(current);
    }
    const frozenIndex = this.peers.frozenIndexByKey(keyHex);
    if (frozenIndex >= 0) {
      const frozen = this.peers.removeFrozenAt(frozenIndex);
      kept ??= { name: frozen.name, heard: false };
    }
    return kept;
  }

  /** c-toxcore `delpeer`: out of the closest set, its connection dropped, out of the list. */
  deletePeer(peer: Peer): void {
    this.closest.remove(peer.publicKey);
    const connection = this.connections.indexOf(peer.keyHex);
    if (connection >= 0) this.removeConnection(connection);
    const index = this.peers.current.indexOf(peer);
    if (index >= 0) this.peers.removeAt(index);
  }

  /** c-toxcore `freeze_peer`: deleted from the current list, kept frozen; a rejoin is tried at once. */
  freezePeer(peer: Peer): void {
    this.deletePeer(peer);
    peer.heard = false;
    this.tryRejoin(peer.publicKey);
    this.peers.frozen.push(peer);
    this.peers.trimFrozen(this.maxFrozen);
  }

  /** We found ourselves in a peer list while joining. */
  notifyConnected(): void {
    this.host.notify(this, { kind: 'connected' });
  }

  notifyMessage(kind: 'message' | 'action', peer: Peer, data: Uint8Array): void {
    this.host.notify(this, { kind, peer, data });
  }

  notifyLossy(peer: Peer, lossyId: number, data: Uint8Array): void {
    this.host.notify(this, { kind: 'lossy', peer, lossyId, data });
  }

  /** c-toxcore `setnick`; false when the name is too long. */
  setPeerName(peer: Peer, name: Uint8Array): boolean {
    if (name.length > MAX_NAME_LENGTH) return false;
    peer.nameUpdated = true;
    if (!bytesEqual(peer.name, name)) peer.name = name.slice();
    return true;
  }

  /** c-toxcore `settitle`: `peer` undefined for a title response; false when empty or too long. */
  setTitleFrom(peer: Peer | undefined, title: Uint8Array): boolean {
    if (title.length === 0 || title.length > MAX_TITLE_LENGTH) return false;
    if (bytesEqual(this.title, title)) return true;
    this.title = title.slice();
    this.titleFresh = true;
    this.host.notify(this, { kind: 'title', title: this.title, peer });
    return true;
  }

  // ---------------------------------------------------------------- connections

  /**
   * Adds `reason` to the connection to `publicKey`, taking a friend connection
   * reference for a new entry (c-toxcore `add_conn_to_groupchat`); -1 when all
   * 16 slots are taken. `dhtPublicKey` goes to a friend connection created now.
   */
  addConnection(publicKey: LongTermPublicKey, reason: number, dhtPublicKey?: DhtPublicKey): number {
    const keyHex = keyId(publicKey);
    let index = this.connections.indexOf(keyHex);
    if (index < 0) {
      index = this.connections.freeSlot();
      if (index < 0) return -1;
      this.port.acquire(publicKey, dhtPublicKey);
      this.connections.put(index, { publicKey, keyHex, online: false, reasons: 0, groupNumber: 0 });
    }
    this.connections.at(index)!.reasons |= reason;
    return index;
  }

  /** c-toxcore `remove_connection_reason`: tells an introducer we are introduced; the last reason ends it. */
  removeConnectionReason(index: number, reason: number): void {
    const connection = this.connections.at(index);
    if (!connection || (connection.reasons & reason) === 0) return;
    connection.reasons &= ~reason;
    if (reason === REASON_INTRODUCER && connection.online) this.sendDirect(connection, { kind: DIRECT_PEER_INTRODUCED });
    if (connection.reasons === 0) this.removeConnection(index);
  }

  removeConnection(index: number): void {
    const connection = this.connections.clear(index);
    if (!connection) return;
    this.lastUnknownPeerQuery.delete(connection.keyHex);
    this.port.release(connection.publicKey);
  }

  /** Drops every connection (leaving, or the manager stopping). */
  dropAllConnections(): void {
    for (const [index] of [...this.connections.entries()]) this.removeConnection(index);
  }

  /** The friend connection to `publicKey` went up or down (c-toxcore `set_conns_type_connections`). */
  connectionStatus(publicKey: LongTermPublicKey, online: boolean): void {
    const connection = this.connections.get(keyId(publicKey));
    if (!connection) return;
    if (online) {
      this.sendOnline(publicKey);
    } else {
      connection.online = false;
      this.checkDisconnected();
    }
  }

  /** With no online connection left, every other peer is frozen (c-toxcore `check_disconnected`). */
  checkDisconnected(): void {
    if (this.connections.countOnline() > 0) return;
    for (const peer of [...this.peers.current]) {
      if (peer.keyHex !== this.selfKeyHex) this.freezePeer(peer);
    }
  }

  // ---------------------------------------------------------------- sending

  sendOnline(publicKey: LongTermPublicKey): boolean {
    return this.port.sendLossless(publicKey, OnlinePacket.encode({ groupNumber: this.number, type: this.type, id: this.id }));
  }

  sendDirectTo(publicKey: LongTermPublicKey, groupNumber: number, body: DirectBody): boolean {
    return this.port.sendLossless(publicKey, DirectPacket.encode({ groupNumber, body }));
  }

  sendDirect(connection: GroupConnection, body: DirectBody): boolean {
    return this.sendDirectTo(connection.publicKey, connection.groupNumber, body);
  }

  /** A peer query to a connection whose message named an unknown peer, at most one per interval. */
  queryAfterUnknownPeer(connection: GroupConnection): void {
    const now = this.host.now();
    const last = this.lastUnknownPeerQuery.get(connection.keyHex);
    if (last !== undefined && now - last < this.host.unknownPeerQueryIntervalMs) {
      this.host.counters.drop('queryRateLimited');
      return;
    }
    this.lastUnknownPeerQuery.set(connection.keyHex, now);
    this.sendDirect(connection, { kind: DIRECT_PEER_QUERY });
  }

  /** Our current peers in chunks of at most MAX_PEER_RESPONSE_SIZE bytes, then the title (c-toxcore `send_peers`). */
  sendPeers(connection: GroupConnection): void {
    let chunk: PeerEntry[] = [];
    let size = 1;
    for (const peer of this.peers.current) {
      const entrySize = PEER_ENTRY_FIXED_SIZE + peer.name.length;
      if (size + entrySize > MAX_PEER_RESPONSE_SIZE) {
        if (!this.sendDirect(connection, { kind: DIRECT_PEER_RESPONSE, peers: chunk })) return;
        chunk = [];
        size = 1;
      }
      chunk.push({ peerNumber: peer.peerNumber, publicKey: peer.publicKey, dhtPublicKey: peer.dhtPublicKey, name: peer.name });
      size += entrySize;
    }
    if (!this.sendDirect(connection, { kind: DIRECT_PEER_RESPONSE, peers: chunk })) return;
    if (this.title.length > 0) this.sendDirect(connection, { kind: DIRECT_TITLE_RESPONSE, title: this.title });
  }

  /** Sends a new group message of ours to every online connection (c-toxcore `send_message_group`). */
  sendMessage(messageId: number, data: Uint8Array = new Uint8Array(0)): GroupSendResult {
    if (data.length > MAX_MESSAGE_DATA_LENGTH) return 'tooLong';
    if (this.status !== 'connected' || this.connections.countOnline() === 0) return 'noConnection';
    this.messageNumber = (this.messageNumber + 1) >>> 0;
    if (this.messageNumber === 0) this.messageNumber = 1;
    const sent = this.relayMessage({ peerNumber: this.peerNumber, messageNumber: this.messageNumber, messageId, data }, undefined);
    return sent > 0 ? 'sent' : 'failed';
  }

  /** Sends a message to every online connection but `exceptKeyHex`, each with its group number. */
  relayMessage(message: RelayedMessage, exceptKeyHex: string | undefined): number {
    let sent = 0;
    for (const connection of this.connections.online()) {
      if (connection.keyHex === exceptKeyHex) continue;
      if (this.port.sendLossless(connection.publicKey, MessagePacket.encode({ groupNumber: connection.groupNumber, ...message }))) sent++;
    }
    return sent;
  }

  /**
   * Lossy fan-out as 0.2.18 does it (`send_lossy_all_connections`): every online
   * connection without the CLOSEST reason, the CLOSEST one with the smallest
   * `comp(our pk, its pk)`, and the connection in slot 0 when that is another
   * one (c-toxcore starts the "largest" search at UINT64_MAX, so it never picks
   * one and falls back to slot 0). Never the source, except through slot 0.
   */
  relayLossy(message: RelayedLossy, exceptKeyHex: string | undefined): number {
    let sent = 0;
    const send = (connection: GroupConnection): void => {
      if (this.port.sendLossy(connection.publicKey, LossyPacket.encode({ groupNumber: connection.groupNumber, ...message }))) sent++;
    };
    let closestCount = 0;
    let nearest: GroupConnection | undefined;
    let nearestComp = 0xffff_ffff_ffff_ffffn;
    for (const connection of this.connections.online()) {
      if (connection.keyHex === exceptKeyHex) continue;
      if ((connection.reasons & REASON_CLOSEST) === 0) {
        send(connection);
        continue;
      }
      closestCount++;
      const comp = compValue(this.selfPublicKey, connection.publicKey);
      if (comp < nearestComp) {
        nearest = connection;
        nearestComp = comp;
      }
    }
    if (closestCount === 0) return sent;
    const slotZero = this.connections.at(0);
    const first = nearest ?? slotZero;
    if (first) send(first);
    if (slotZero && slotZero !== first) send(slotZero);
    return sent;
  }

  /** Sends a rejoin to a peer we have a friend connection to, keeping it as our introducer (c-toxcore `try_send_rejoin`). */
  tryRejoin(publicKey: LongTermPublicKey): boolean {
    if (!this.port.hasConnection(publicKey)) return false;
    if (!this.port.sendLossless(publicKey, RejoinPacket.encode({ type: this.type, id: this.id }))) return false;
    this.addConnection(publicKey, REASON_INTRODUCER);
    return true;
  }

  /** The DHT key a friend connection knows for `publicKey` (c-toxcore copies zeros when it knows none). */
  dhtKeyOf(publicKey: LongTermPublicKey): DhtPublicKey {
    return this.port.dhtPublicKeyOf(publicKey) ?? (new Uint8Array(32) as DhtPublicKey);
  }

  // ---------------------------------------------------------------- the tick (connected conferences only)

  tick(now: number): void {
    this.connectToClosest();
    this.ping(now);
    this.freezeTimedOut(now);
    this.cleanConnections();
    this.sendNameIfNeeded();
  }

  /**
   * The tick's duties that wait on input (closest connections after the peer
   * list changed, our name after joining or a thaw), done at the end of the
   * step that caused them: c-toxcore does them on its next iteration, which
   * comes within a millisecond when the client iterates fast, so waiting for
   * our 50 ms tick only added latency.
   */
  settle(): void {
    this.connectToClosest();
    this.sendNameIfNeeded();
  }

  private sendNameIfNeeded(): void {
    if (!this.needSendName) return;
    this.sendMessage(MESSAGE_NAME, this.host.selfName());
    this.needSendName = false;
  }

  /** A ping at most every PING_INTERVAL_MS (c-toxcore `ping_groupchat`). */
  ping(now: number): void {
    if (this.lastSentPing !== undefined && now - this.lastSentPing < PING_INTERVAL_MS) return;
    if (this.sendMessage(MESSAGE_PING) === 'sent') this.lastSentPing = now;
  }

  /** Freezes peers silent for FREEZE_TIMEOUT_MS (c-toxcore `groupchat_freeze_timedout`, skipping the swapped-in peer as it does). */
  private freezeTimedOut(now: number): void {
    const list = this.peers.current;
    for (let i = 0; i < list.length; i++) {
      const peer = list[i]!;
      if (peer.peerNumber === this.peerNumber) continue;
      if (now - peer.lastActive >= FREEZE_TIMEOUT_MS) this.freezePeer(peer);
    }
    if (list.length <= 1) this.titleFresh = false;
  }

  /** Matches CLOSEST connections to the closest set when it changed (c-toxcore `connect_to_closest`). */
  private connectToClosest(): void {
    if (this.closest.changed === 'none') return;
    if (this.closest.changed === 'removed') {
      for (const peer of this.peers.current) this.closest.add(peer.publicKey, peer.dhtPublicKey);
    }
    for (const [index, connection] of [...this.connections.entries()]) {
      if ((connection.reasons & REASON_CLOSEST) !== 0 && !this.closest.contains(connection.publicKey)) {
        this.removeConnectionReason(index, REASON_CLOSEST);
      }
    }
    for (const entry of this.closest.entries()) {
      const fresh = !this.port.hasConnection(entry.publicKey);
      const index = this.addConnection(entry.publicKey, REASON_CLOSEST, fresh ? entry.dhtPublicKey : undefined);
      if (index < 0) continue;
      if (this.port.isOnline(entry.publicKey) && !this.connections.at(index)!.online) this.sendOnline(entry.publicKey);
    }
    this.closest.changed = 'none';
  }

  /** Keeps two slots free and squashes the table (c-toxcore `clean_connections`). */
  private cleanConnections(): void {
    for (const index of this.connections.victims()) this.removeConnection(index);
    this.connections.squash();
  }
}
