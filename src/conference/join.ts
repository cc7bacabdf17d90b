/**
 * Joining and introductions (tox-protocol.md §8.5, group.c): invites and their
 * answers over Messenger, the ONLINE exchange, rejoin (packet 100), and the
 * direct packets (peer introduced, peer query, peer response, title response).
 */
import type { Random } from '../base/index.js';
import { keyId, keysEqual, type LongTermPublicKey } from '../crypto/index.js';
import type { Conference } from './conference.js';
import {
  DESIRED_CLOSEST,
  DIRECT_PEER_INTRODUCED,
  DIRECT_PEER_QUERY,
  DIRECT_PEER_RESPONSE,
  DIRECT_TITLE_RESPONSE,
  INVITE_KIND_ACCEPT,
  INVITE_KIND_INVITE,
  INVITE_KIND_MEMBER,
  MESSAGE_NEW_PEER,
  PEER_NUMBER_TRIES,
} from './constants.js';
import { REASON_INTRODUCER, REASON_INTRODUCING } from './connections.js';
import type { ConferenceCounters } from './counters.js';
import { InvitePacket, NewPeerMessage, type DirectBody, type InviteCookie, type OnlinePacket, type PeerEntry, type RejoinPacket } from './wire/index.js';

/** How the packet handlers find conferences. */
export interface ConferenceDirectory {
  readonly counters: ConferenceCounters;
  readonly random: Random;
  byNumber(groupNumber: number): Conference | undefined;
  byTypeAndId(type: number, id: Uint8Array): Conference | undefined;
}

/** An invitation for a conference we are not in: the application decides. */
export interface ReceivedInvite {
  readonly friend: LongTermPublicKey;
  readonly type: number;
  readonly cookie: InviteCookie;
}

/** Messenger packet 96 from a friend (c-toxcore `handle_friend_invite_packet`); returns an invite to surface, if any. */
export function handleInvitePacket(dir: ConferenceDirectory, friend: LongTermPublicKey, packet: InvitePacket): ReceivedInvite | undefined {
  if (packet.kind === INVITE_KIND_INVITE) {
    const existing = dir.byTypeAndId(packet.type, packet.id);
    if (!existing) return { friend, type: packet.type, cookie: { inviterGroupNumber: packet.inviterGroupNumber, type: packet.type, id: packet.id } };
    // Invited to a conference we already are in: answer as a member, without asking anyone.
    if (existing.status === 'connected') sendInviteResponse(existing, friend, packet);
    return undefined;
  }
  const conference = dir.byNumber(packet.inviterGroupNumber);
  if (!conference || !conference.matches(packet.type, packet.id)) {
    dir.counters.drop('badInviteAnswer');
    return undefined;
  }
  const member = packet.kind === INVITE_KIND_MEMBER;
  const peerNumber = member ? packet.peerNumber : freePeerNumber(conference, dir.random);
  if (peerNumber === undefined || !conference.port.hasConnection(friend)) {
    dir.counters.drop('badInviteAnswer');
    return undefined;
  }
  const dhtPublicKey = conference.dhtKeyOf(friend);
  const peer = conference.addPeer(friend, dhtPublicKey, peerNumber, true);
  if (peer) peer.heard = true;
  const index = conference.addConnection(friend, REASON_INTRODUCING);
  if (member) {
    conference.addConnection(friend, REASON_INTRODUCER);
    conference.sendDirectTo(friend, packet.joinerGroupNumber, { kind: DIRECT_PEER_QUERY });
  }
  const connection = conference.connections.at(index);
  if (connection) {
    connection.groupNumber = packet.joinerGroupNumber;
    connection.online = true;
  }
  // c-toxcore announces even when addpeer failed; a refused peer is not announced here.
  if (peer) conference.sendMessage(MESSAGE_NEW_PEER, NewPeerMessage.encode({ peerNumber, publicKey: friend, dhtPublicKey }));
  return undefined;
}

/** A random peer number no current or frozen peer has, within 1 + PEER_NUMBER_TRIES draws. */
function freePeerNumber(conference: Conference, random: Random): number | undefined {
  for (let tries = 0; tries <= PEER_NUMBER_TRIES; tries++) {
    const candidate = random.int(0x10000);
    if (conference.peers.indexByNumber(candidate) < 0 && conference.peers.frozenIndexByNumber(candidate) < 0) return candidate;
  }
  return undefined;
}

/**
 * Answers an invite (c-toxcore `send_invite_response`): accept for a conference
 * we are joining, member for one we are in. The inviter becomes our introducer,
 * online at once, and gets a peer query.
 */
export function sendInviteResponse(conference: Conference, friend: LongTermPublicKey, cookie: InviteCookie): boolean {
  const member = conference.status === 'connected';
  const answer: InvitePacket = member
    ? { kind: INVITE_KIND_MEMBER, joinerGroupNumber: conference.number, inviterGroupNumber: cookie.inviterGroupNumber, type: cookie.type, id: cookie.id, peerNumber: conference.peerNumber }
    : { kind: INVITE_KIND_ACCEPT, joinerGroupNumber: conference.number, inviterGroupNumber: cookie.inviterGroupNumber, type: cookie.type, id: cookie.id };
  if (!conference.port.sendInvite(friend, InvitePacket.encode(answer))) return false;
  if (!member) {
    conference.type = cookie.type;
    conference.id = cookie.id.slice();
  }
  if (!conference.port.hasConnection(friend)) return false;
  const index = conference.addConnection(friend, REASON_INTRODUCER);
  if (member) conference.addConnection(friend, REASON_INTRODUCING);
  const connection = conference.connections.at(index);
  if (connection) {
    connection.groupNumber = cookie.inviterGroupNumber;
    connection.online = true;
  }
  conference.sendDirectTo(friend, cookie.inviterGroupNumber, { kind: DIRECT_PEER_QUERY });
  return true;
}

/**
 * ONLINE (c-toxcore `handle_packet_online`): only for a connection entry of
 * ours that is not online yet. We answer with our ONLINE, query an introducer
 * (or anyone when it is our first online connection), announce a peer we are
 * introducing, and ping.
 */
export function handleOnline(dir: ConferenceDirectory, from: LongTermPublicKey, packet: OnlinePacket, now: number): void {
  const conference = dir.byTypeAndId(packet.type, packet.id);
  if (!conference) return dir.counters.drop('unknownConference');
  const connection = conference.connections.get(keyId(from));
  if (!connection) return dir.counters.drop('notAConnection');
  if (connection.online) return dir.counters.drop('alreadyOnline');
  if (conference.connections.countOnline() === 0 || (connection.reasons & REASON_INTRODUCER) !== 0) {
    conference.sendDirectTo(from, packet.groupNumber, { kind: DIRECT_PEER_QUERY });
  }
  connection.groupNumber = packet.groupNumber;
  connection.online = true;
  conference.sendOnline(from);
  const peer = conference.peers.current[conference.peers.indexByKey(connection.keyHex)];
  if (peer) peer.heard = true;
  if ((connection.reasons & REASON_INTRODUCING) !== 0) {
    if (peer) {
      conference.sendMessage(MESSAGE_NEW_PEER, NewPeerMessage.encode({ peerNumber: peer.peerNumber, publicKey: from, dhtPublicKey: conference.dhtKeyOf(from) }));
    }
    conference.needSendName = true;
  }
  conference.ping(now);
}

/** Rejoin (c-toxcore `handle_packet_rejoin`): a peer we know, current or frozen, is back; we introduce it again. */
export function handleRejoin(dir: ConferenceDirectory, from: LongTermPublicKey, packet: RejoinPacket): void {
  const conference = dir.byTypeAndId(packet.type, packet.id);
  if (!conference) return dir.counters.drop('unknownConference');
  const keyHex = keyId(from);
  const known = conference.peers.current[conference.peers.indexByKey(keyHex)] ?? conference.peers.frozen[conference.peers.frozenIndexByKey(keyHex)];
  if (!known) return dir.counters.drop('unknownRejoin');
  const peer = conference.addPeer(from, conference.dhtKeyOf(from), known.peerNumber, true);
  if (peer) peer.heard = true;
  if (conference.addConnection(from, REASON_INTRODUCING) >= 0) conference.sendOnline(from);
}

/** Direct packets on one of the conference's connections (c-toxcore `handle_direct_packet`). */
export function handleDirect(conference: Conference, connectionIndex: number, body: DirectBody): void {
  const connection = conference.connections.at(connectionIndex)!;
  switch (body.kind) {
    case DIRECT_PEER_INTRODUCED:
      conference.removeConnectionReason(connectionIndex, REASON_INTRODUCING);
      return;
    case DIRECT_PEER_QUERY:
      if (connection.online) conference.sendPeers(connection);
      return;
    case DIRECT_PEER_RESPONSE:
      handlePeerResponse(conference, body.peers);
      return;
    case DIRECT_TITLE_RESPONSE:
      if (!conference.titleFresh) conference.setTitleFrom(undefined, body.title);
      return;
    default: {
      const unreachable: never = body;
      return unreachable;
    }
  }
}

/**
 * A peer list (c-toxcore `handle_send_peers`): finding ourselves in it while
 * joining gives us our peer number and makes us connected. Like c-toxcore we
 * stop at the first entry `addpeer` refuses (a frozen peer included).
 */
export function handlePeerResponse(conference: Conference, entries: readonly PeerEntry[]): void {
  for (const entry of entries) {
    if (conference.status === 'valid' && keysEqual(entry.publicKey, conference.selfPublicKey)) {
      conference.peerNumber = entry.peerNumber;
      conference.status = 'connected';
      conference.needSendName = true;
      conference.notifyConnected();
    }
    const peer = conference.addPeer(entry.publicKey, entry.dhtPublicKey, entry.peerNumber, false);
    if (!peer) return;
    peer.heard = true;
    if (!peer.nameUpdated) conference.setPeerName(peer, entry.name);
  }
}

/** Introductions end once we have more than DESIRED_CLOSEST online connections and hear the introducer through another one. */
export function introductionComplete(conference: Conference, originKeyHex: string, sourceIndex: number): void {
  if (conference.connections.countWithReason(REASON_INTRODUCER) === 0 || conference.connections.countOnline() <= DESIRED_CLOSEST) return;
  for (const [index, connection] of [...conference.connections.entries()]) {
    if (index === sourceIndex || (connection.reasons & REASON_INTRODUCER) === 0) continue;
    if (connection.keyHex === originKeyHex) conference.removeConnectionReason(index, REASON_INTRODUCER);
  }
}
