/**
 * Conferences in the profile (tox-protocol.md §8.9, group.c `save_conf` /
 * `load_group`), as a plain snapshot the runtime converts to and from the
 * storage layer's `SavedConference` (this layer may not import storage; the
 * two types match field for field). Only connected conferences are saved;
 * message numbers are stored ahead by 65536 / 8192 so they never repeat; on
 * load every peer is frozen and we are added with our current DHT key and name.
 */
import { InvalidArgumentError } from '../base/index.js';
import { type DhtPublicKey, type LongTermPublicKey } from '../crypto/index.js';
import { Conference, type ConferenceHost } from './conference.js';
import {
  CONFERENCE_TYPE_AV,
  CONFERENCE_TYPE_TEXT,
  GROUP_ID_SIZE,
  MAX_NAME_LENGTH,
  MAX_TITLE_LENGTH,
  SAVE_OFFSET_LOSSY_MESSAGE_NUMBER,
  SAVE_OFFSET_MESSAGE_NUMBER,
} from './constants.js';
import { newPeer } from './peers.js';

export type ConferenceType = 'text' | 'av';

export function typeName(type: number): ConferenceType | undefined {
  return type === CONFERENCE_TYPE_TEXT ? 'text' : type === CONFERENCE_TYPE_AV ? 'av' : undefined;
}

export function typeByte(type: ConferenceType): number {
  return type === 'text' ? CONFERENCE_TYPE_TEXT : CONFERENCE_TYPE_AV;
}

/** One saved peer: storage's `SavedConferencePeer`. */
export interface ConferenceSnapshotPeer {
  publicKey: LongTermPublicKey;
  dhtPublicKey: DhtPublicKey;
  peerNumber: number;
  /** Unix seconds the peer was last active. */
  lastActive: number;
  name: Uint8Array;
}

/** One saved conference: storage's `SavedConference`. */
export interface ConferenceSnapshot {
  type: ConferenceType;
  id: Uint8Array;
  /** Our message number + 65536 (mod 2^32): where counting resumes after a load. */
  messageNumber: number;
  /** Our lossy message number + 8192 (mod 2^16). */
  lossyMessageNumber: number;
  ourPeerNumber: number;
  title: Uint8Array;
  /** Every current and frozen peer but ourselves. */
  peers: ConferenceSnapshotPeer[];
}

/** The snapshot of a connected conference (`now`: monotonic ms, `unixNow`: wall-clock seconds). */
export function snapshotOf(conference: Conference, now: number, unixNow: number): ConferenceSnapshot {
  const peers: ConferenceSnapshotPeer[] = [];
  for (const peer of [...conference.peers.current, ...conference.peers.frozen]) {
    if (peer.keyHex === conference.selfKeyHex) continue;
    peers.push({
      publicKey: peer.publicKey,
      dhtPublicKey: peer.dhtPublicKey,
      peerNumber: peer.peerNumber,
      lastActive: Math.max(0, unixNow - Math.round((now - peer.lastActive) / 1000)),
      name: peer.name.slice(),
    });
  }
  return {
    type: typeName(conference.type) ?? 'text',
    id: conference.id.slice(),
    messageNumber: (conference.messageNumber + SAVE_OFFSET_MESSAGE_NUMBER) >>> 0,
    lossyMessageNumber: (conference.lossyMessageNumber + SAVE_OFFSET_LOSSY_MESSAGE_NUMBER) & 0xffff,
    ourPeerNumber: conference.peerNumber,
    title: conference.title.slice(),
    peers,
  };
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new InvalidArgumentError(`conference snapshot: ${what}`);
}

/** A conference rebuilt from its snapshot: connected, every peer frozen, ourselves current. */
export function conferenceFromSnapshot(host: ConferenceHost, number: number, self: LongTermPublicKey, snapshot: ConferenceSnapshot, unixNow: number): Conference {
  check(snapshot.type === 'text' || snapshot.type === 'av', 'unknown type');
  check(snapshot.id.length === GROUP_ID_SIZE, 'id must be 32 bytes');
  check(snapshot.title.length <= MAX_TITLE_LENGTH, 'title too long');
  check(Number.isInteger(snapshot.ourPeerNumber) && snapshot.ourPeerNumber >= 0 && snapshot.ourPeerNumber <= 0xffff, 'bad peer number');
  const conference = new Conference(host, number, self, 'connected');
  conference.type = typeByte(snapshot.type);
  conference.id = snapshot.id.slice();
  conference.messageNumber = snapshot.messageNumber >>> 0;
  conference.lossyMessageNumber = snapshot.lossyMessageNumber & 0xffff;
  conference.peerNumber = snapshot.ourPeerNumber;
  conference.title = snapshot.title.slice();
  const now = host.now();
  for (const saved of snapshot.peers) {
    check(saved.publicKey.length === 32 && saved.dhtPublicKey.length === 32, 'peer keys must be 32 bytes');
    check(saved.name.length <= MAX_NAME_LENGTH, 'peer name too long');
    const peer = newPeer(saved.publicKey, saved.dhtPublicKey, saved.peerNumber & 0xffff, now - Math.max(0, unixNow - saved.lastActive) * 1000);
    peer.name = saved.name.slice();
    peer.isFriend = host.port.isFriend(saved.publicKey);
    conference.peers.frozen.push(peer);
  }
  conference.maxFrozen = Math.max(conference.maxFrozen, conference.peers.frozen.length);
  const me = conference.addPeer(self, host.port.selfDhtPublicKey(), conference.peerNumber, true);
  check(me !== undefined, 'a saved peer has our peer number');
  conference.setPeerName(me!, host.selfName());
  return conference;
}
