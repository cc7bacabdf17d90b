/**
 * What the conference engine needs from friend_connection and Messenger
 * (c-toxcore's group.c calls into both), declared here so this layer imports
 * neither; the runtime wires the real layers, tests an in-memory network.
 *
 * Friend connections are named by the peer's long-term key (one per key, shared
 * by Messenger friends and conference peers). The engine holds references
 * (`acquire`/`release`, c-toxcore's `new_friend_connection`/`friend_connection_lock`
 * and `kill_friend_connection`): a connection to a peer that is not a friend
 * exists while someone holds it, and comes up only when the other side holds
 * one to us too. Packets are whole net_crypto payloads, id byte first.
 *
 * Listeners must not be called from inside a port method (deliver later, as a
 * network does); the engine defers re-entrant input anyway.
 */
import type { DhtPublicKey, LongTermPublicKey } from '../crypto/index.js';

export interface ConferencePortListeners {
  /** A friend connection (any: friend or conference peer) went online or offline. */
  status(peer: LongTermPublicKey, online: boolean): void;
  /** A lossless packet with id 97..100 arrived on the friend connection to `peer`. */
  lossless(peer: LongTermPublicKey, packet: Uint8Array): void;
  /** A lossy packet with id 199 arrived on the friend connection to `peer`. */
  lossy(peer: LongTermPublicKey, packet: Uint8Array): void;
  /** A Messenger packet with id 96 (invite) arrived from `friend`, who is online. */
  invite(friend: LongTermPublicKey, packet: Uint8Array): void;
}

export interface ConferencePort {
  /** Our long-term (real) public key. */
  readonly selfPublicKey: LongTermPublicKey;
  /** Our DHT key of this session, which peer lists carry for us. */
  selfDhtPublicKey(): DhtPublicKey;

  /**
   * Takes one reference to the friend connection to `peer`, creating it when
   * none exists; a newly created one is told `dhtPublicKey` when given (the key
   * from the conference's peer list), an existing one keeps what it knows.
   */
  acquire(peer: LongTermPublicKey, dhtPublicKey?: DhtPublicKey): void;
  /** Drops one reference taken by `acquire`; the connection ends when nobody holds it. */
  release(peer: LongTermPublicKey): void;
  /** Whether a friend connection to `peer` exists (held by us, by Messenger, or by anyone). */
  hasConnection(peer: LongTermPublicKey): boolean;
  /** Whether the friend connection to `peer` is up. */
  isOnline(peer: LongTermPublicKey): boolean;
  /** The DHT key the friend connection to `peer` uses, if it knows one. */
  dhtPublicKeyOf(peer: LongTermPublicKey): DhtPublicKey | undefined;
  /** Sends a lossless packet (97..100) on the connection to `peer`; false when it is not up or the queue refused it. */
  sendLossless(peer: LongTermPublicKey, packet: Uint8Array): boolean;
  /** Sends a lossy packet (199); false when the connection is not up. */
  sendLossy(peer: LongTermPublicKey, packet: Uint8Array): boolean;

  /** Whether `peer` is a Messenger friend (confirmed). */
  isFriend(peer: LongTermPublicKey): boolean;
  /** Sends a Messenger packet 96 to a friend; false unless the friend is online. */
  sendInvite(friend: LongTermPublicKey, packet: Uint8Array): boolean;

  /** Attaches the listeners; returns the function that detaches them. */
  subscribe(listeners: ConferencePortListeners): () => void;
}
