/**
 * CONFERENCES section (0x14) of c-toxcore 0.2.18: conferences back to back,
 * all integers little endian.
 *
 * Conference: [1 type][32 id][u32 message number][u16 lossy message number]
 *             [u16 our peer number][u32 peer count][1 title length][title][peers]
 * Peer:       [32 real pk][32 DHT pk][u16 peer number][u64 last active][1 name length][name]
 *
 * Message numbers are the SAVED values (see profile.ts). The peer count sits
 * before the title on the wire, which no combinator expresses, so the
 * conference codec reads its head and peers in two steps; its `shape` is the
 * equivalent struct (same fields, same sizes) that generators walk.
 */
import { array, boundedUint, bytes, mapped, struct, u16le, u32le, varBytes, type Codec } from '../../binary/index.js';
import type { DhtPublicKey, LongTermPublicKey } from '../../crypto/index.js';
import { indexOf, secondsU64 } from './fields.js';
import {
  CONFERENCE_TYPES,
  MAX_CONFERENCE_TITLE_LENGTH,
  MAX_NAME_LENGTH,
  MAX_SAVED_CONFERENCE_PEERS,
  MAX_SAVED_CONFERENCES,
  type ConferenceType,
  type SavedConference,
  type SavedConferencePeer,
} from './profile.js';

const conferenceTypeCodec: Codec<ConferenceType> = mapped(
  boundedUint(1, CONFERENCE_TYPES.length - 1),
  (value) => CONFERENCE_TYPES[value]!,
  (type) => indexOf(CONFERENCE_TYPES, type, 'conference type'),
);

export const savedConferencePeer: Codec<SavedConferencePeer> = struct({
  publicKey: bytes(32) as Codec<LongTermPublicKey>,
  dhtPublicKey: bytes(32) as Codec<DhtPublicKey>,
  peerNumber: u16le,
  lastActive: secondsU64(true),
  name: varBytes(boundedUint(1, MAX_NAME_LENGTH), MAX_NAME_LENGTH),
});

const headFields = {
  type: conferenceTypeCodec,
  id: bytes(32),
  messageNumber: u32le,
  lossyMessageNumber: u16le,
  ourPeerNumber: u16le,
};
const title = varBytes(boundedUint(1, MAX_CONFERENCE_TITLE_LENGTH), MAX_CONFERENCE_TITLE_LENGTH);
const peerCount = boundedUint(4, MAX_SAVED_CONFERENCE_PEERS, true);

/** Wire order: the head with the peer count, then the peers. */
const conferenceHead = struct({ ...headFields, peerCount, title });
/** Value order (what the conference is): identical fields and sizes, count beside its peers. */
const conferenceValue = struct({ ...headFields, title, peers: array(savedConferencePeer, { prefix: peerCount, max: MAX_SAVED_CONFERENCE_PEERS }) });

export const savedConference: Codec<SavedConference> = {
  shape: conferenceValue.shape,
  fixedSize: undefined,
  size: (conference) => conferenceValue.size(conference),
  write(w, conference) {
    conferenceHead.write(w, { ...conference, peerCount: conference.peers.length });
    for (const peer of conference.peers) savedConferencePeer.write(w, peer);
  },
  read(r) {
    const { peerCount: count, ...head } = conferenceHead.read(r);
    // An item loop rather than `array(…, { count }).read(r)`: building a codec compiles code.
    const peers: SavedConferencePeer[] = [];
    r.enter('peers');
    for (let i = 0; i < count; i++) {
      r.enter(i);
      peers.push(savedConferencePeer.read(r));
      r.leave();
    }
    r.leave();
    return { ...head, peers };
  },
};

/** CONFERENCES section body. */
export const conferenceList: Codec<SavedConference[]> = array(savedConference, { rest: true, max: MAX_SAVED_CONFERENCES });
