/**
 * The conference engine's port (src/conference/ports.ts) over the real
 * layers: friend connections (shared by Messenger friends and conference
 * peers) carry the group packets 97..100 and the lossy 199 of every peer,
 * Messenger carries the invite packet 96 of online friends. Input is queued
 * and handed to the engine in a microtask, never from inside a port method.
 */
import type { DhtPublicKey, LongTermPublicKey } from '../crypto/index.js';
import type { Dht } from '../dht/index.js';
import {
  PACKET_ID_INVITE,
  PACKET_ID_LOSSY,
  PACKET_ID_ONLINE,
  PACKET_ID_REJOIN,
  type ConferencePort,
  type ConferencePortListeners,
} from '../conference/index.js';
import type { FriendConnections } from '../friend/index.js';
import type { Messenger } from '../messenger/index.js';

export interface ConferencePortDeps {
  readonly selfPublicKey: LongTermPublicKey;
  readonly connections: FriendConnections;
  readonly messenger: Messenger;
  readonly dht: Dht;
}

function withId(id: number, payload: Uint8Array): Uint8Array {
  const packet = new Uint8Array(payload.length + 1);
  packet[0] = id;
  packet.set(payload, 1);
  return packet;
}

export class FriendConferencePort implements ConferencePort {
  readonly selfPublicKey: LongTermPublicKey;
  private readonly queue: Array<() => void> = [];
  private scheduled = false;

  constructor(private readonly deps: ConferencePortDeps) {
    this.selfPublicKey = deps.selfPublicKey;
  }

  selfDhtPublicKey(): DhtPublicKey {
    return this.deps.dht.publicKey;
  }

  acquire(peer: LongTermPublicKey, dhtPublicKey?: DhtPublicKey): void {
    this.deps.connections.acquire(peer, dhtPublicKey);
  }

  release(peer: LongTermPublicKey): void {
    this.deps.connections.release(peer);
  }

  hasConnection(peer: LongTermPublicKey): boolean {
    return this.deps.connections.has(peer);
  }

  isOnline(peer: LongTermPublicKey): boolean {
    return this.deps.connections.isOnline(peer);
  }

  dhtPublicKeyOf(peer: LongTermPublicKey): DhtPublicKey | undefined {
    return this.deps.connections.dhtPublicKeyOf(peer);
  }

  sendLossless(peer: LongTermPublicKey, packet: Uint8Array): boolean {
    return this.deps.connections.sendLossless(peer, packet).ok;
  }

  sendLossy(peer: LongTermPublicKey, packet: Uint8Array): boolean {
    return this.deps.connections.sendLossy(peer, packet);
  }

  /** Any Messenger friend, as c-toxcore's `getfriend_id` in group.c. */
  isFriend(peer: LongTermPublicKey): boolean {
    return this.deps.messenger.isFriend(peer);
  }

  sendInvite(friend: LongTermPublicKey, packet: Uint8Array): boolean {
    const number = this.deps.messenger.friendByKey(friend);
    return number !== undefined && this.deps.messenger.sendRawLossless(number, packet).ok;
  }

  subscribe(listeners: ConferencePortListeners): () => void {
    const { connections, messenger } = this.deps;
    let attached = true;
    const deliver = (fn: () => void): void => {
      this.enqueue(() => {
        if (attached) fn();
      });
    };
    const status = (peer: LongTermPublicKey, online: boolean): void => deliver(() => listeners.status(peer, online));
    const lossless = (peer: LongTermPublicKey, id: number, payload: Uint8Array): void => {
      if (id < PACKET_ID_ONLINE || id > PACKET_ID_REJOIN) return;
      const packet = withId(id, payload);
      deliver(() => listeners.lossless(peer, packet));
    };
    const lossy = (peer: LongTermPublicKey, id: number, payload: Uint8Array): void => {
      if (id !== PACKET_ID_LOSSY) return;
      const packet = withId(id, payload);
      deliver(() => listeners.lossy(peer, packet));
    };
    connections.on('status', status).on('lossless', lossless).on('lossy', lossy);
    // Messenger hands us every packet it does not know from an online friend; group packets come from the connections above.
    messenger.setExtraPacketHandler((friend, id, payload) => {
      if (id !== PACKET_ID_INVITE) return;
      const peer = messenger.publicKeyOf(friend);
      const packet = withId(id, payload);
      deliver(() => listeners.invite(peer, packet));
    });
    return () => {
      attached = false;
      connections.off('status', status).off('lossless', lossless).off('lossy', lossy);
      messenger.setExtraPacketHandler(undefined);
    };
  }

  private enqueue(fn: () => void): void {
    this.queue.push(fn);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      // Input that arrives while this batch runs waits for the next microtask.
      for (const next of this.queue.splice(0)) next();
    });
  }
}
