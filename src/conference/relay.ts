/**
 * Group messages (packet 99) and lossy packets (199) as group.c handles them
 * (tox-protocol.md §8.6): find the origin (thawing a frozen one), dedup,
 * act on the message, and relay it unchanged but for the group number to
 * every online connection except the one it came on, or to all of them when
 * it came straight from its origin (the echo a one-connection peer needs).
 * Our own messages coming back are recognised and never surfaced.
 */
import { keyId } from '../crypto/index.js';
import type { Conference } from './conference.js';
import {
  CONFERENCE_TYPE_AV,
  MESSAGE_ACTION,
  MESSAGE_FREEZE_PEER,
  MESSAGE_KILL_PEER,
  MESSAGE_NAME,
  MESSAGE_NEW_PEER,
  MESSAGE_PING,
  MESSAGE_TEXT,
  MESSAGE_TITLE,
} from './constants.js';
import type { ConferenceCounters } from './counters.js';
import { acceptLossy, acceptMessage } from './dedup.js';
import { introductionComplete } from './join.js';
import type { Peer } from './peers.js';
import { LeavingPeerMessage, NewPeerMessage, type LossyPacket, type MessagePacket } from './wire/index.js';

/** A message on the connection in slot `sourceIndex` (c-toxcore `handle_message_packet_group`). */
export function handleMessage(conference: Conference, sourceIndex: number, packet: MessagePacket, counters: ConferenceCounters): void {
  const source = conference.connections.at(sourceIndex)!;
  const { groupNumber: _ours, ...message } = packet;
  const freeze = message.messageId === MESSAGE_FREEZE_PEER;
  const peer = freeze ? conference.peers.current[conference.peers.indexByNumber(message.peerNumber)] : conference.notePeerActive(message.peerNumber);
  if (!peer) {
    counters.drop('unknownPeer');
    // The relaying peer knew the origin, so its peer list will tell us.
    if (!freeze && source.online) conference.queryAfterUnknownPeer(source);
    return;
  }
  introductionComplete(conference, peer.keyHex, sourceIndex);
  if (!acceptMessage(peer, message.messageNumber, message.messageId)) return counters.drop('duplicate');
  const directFromOrigin = source.keyHex === peer.keyHex;
  if (peer.keyHex !== conference.selfKeyHex) peer.heard = true;
  if (!actOn(conference, peer, message.messageId, message.data, counters)) return;
  conference.relayMessage(message, directFromOrigin ? undefined : source.keyHex);
  counters.messagesRelayed++;
}

/** Applies one message; false when it must go no further (c-toxcore returns before relaying). */
function actOn(conference: Conference, peer: Peer, messageId: number, data: Uint8Array, counters: ConferenceCounters): boolean {
  const own = peer.keyHex === conference.selfKeyHex;
  switch (messageId) {
    case MESSAGE_PING:
      return true;
    case MESSAGE_NEW_PEER: {
      const decoded = NewPeerMessage.tryDecode(data);
      if (!decoded.ok) return bad(counters, 'badPayload');
      const { peerNumber, publicKey, dhtPublicKey } = decoded.value;
      const keyHex = keyId(publicKey);
      // Ours: a relayed announcement never renumbers a current peer or ourselves (a forged key claim would cut them off).
      const current = conference.peers.current[conference.peers.indexByKey(keyHex)];
      if ((current && current.peerNumber !== peerNumber) || (keyHex === conference.selfKeyHex && peerNumber !== conference.peerNumber)) {
        return bad(counters, 'renumber');
      }
      conference.addPeer(publicKey, dhtPublicKey, peerNumber, true);
      return true;
    }
    case MESSAGE_KILL_PEER:
    case MESSAGE_FREEZE_PEER: {
      const decoded = LeavingPeerMessage.tryDecode(data);
      if (!decoded.ok) return bad(counters, 'badPayload');
      if (decoded.value.peerNumber !== peer.peerNumber || own) return bad(counters, 'foreignKill');
      if (messageId === MESSAGE_KILL_PEER) conference.deletePeer(peer);
      else conference.freezePeer(peer);
      return true;
    }
    case MESSAGE_NAME:
      return conference.setPeerName(peer, data) || bad(counters, 'badPayload');
    case MESSAGE_TITLE:
      return conference.setTitleFrom(peer, data) || bad(counters, 'badPayload');
    case MESSAGE_TEXT:
    case MESSAGE_ACTION:
      if (data.length === 0) return bad(counters, 'badPayload');
      if (own) counters.ownEchoes++;
      else conference.notifyMessage(messageId === MESSAGE_TEXT ? 'message' : 'action', peer, data);
      return true;
    default:
      return bad(counters, 'badPayload');
  }
}

function bad(counters: ConferenceCounters, reason: 'badPayload' | 'renumber' | 'foreignKill'): false {
  counters.drop(reason);
  return false;
}

/** A lossy packet on the connection in slot `sourceIndex` (c-toxcore `handle_lossy`); AV conferences only. */
export function handleLossy(conference: Conference, sourceIndex: number, packet: LossyPacket, counters: ConferenceCounters): void {
  if (conference.type !== CONFERENCE_TYPE_AV || packet.peerNumber === conference.peerNumber) return counters.drop('badLossy');
  const peer = conference.peers.current[conference.peers.indexByNumber(packet.peerNumber)];
  if (!peer) return counters.drop('badLossy');
  if (!acceptLossy(peer, packet.lossyNumber)) return counters.drop('duplicate');
  const { groupNumber: _ours, ...message } = packet;
  conference.relayLossy(message, conference.connections.at(sourceIndex)!.keyHex);
  counters.lossyRelayed++;
  conference.notifyLossy(peer, packet.lossyId, packet.data);
}
