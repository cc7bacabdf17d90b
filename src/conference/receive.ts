/**
 * Dispatch of conference packets arriving on friend connections (c-toxcore
 * `g_handle_packet` / `handle_lossy`): ONLINE and rejoin name their
 * conference by type and id; everything else by our group number, and only on
 * a friend connection that is one of that conference's connections.
 */
import { keyId, type LongTermPublicKey } from '../crypto/index.js';
import { PACKET_ID_DIRECT, PACKET_ID_LOSSY, PACKET_ID_MESSAGE, PACKET_ID_ONLINE, PACKET_ID_REJOIN } from './constants.js';
import type { Conference } from './conference.js';
import { handleDirect, handleOnline, handleRejoin, type ConferenceDirectory } from './join.js';
import { handleLossy, handleMessage } from './relay.js';
import { DirectPacket, LossyPacket, MessagePacket, OnlinePacket, RejoinPacket } from './wire/index.js';

/** c-toxcore drops anything shorter than `[id][u16][1]`. */
const MIN_PACKET_LENGTH = 4;

export function receiveLossless(dir: ConferenceDirectory, from: LongTermPublicKey, packet: Uint8Array, now: number): void {
  if (packet.length < MIN_PACKET_LENGTH) return dir.counters.drop('malformed');
  switch (packet[0]) {
    case PACKET_ID_ONLINE: {
      const online = OnlinePacket.tryDecode(packet);
      return online.ok ? handleOnline(dir, from, online.value, now) : dir.counters.drop('malformed');
    }
    case PACKET_ID_REJOIN: {
      const rejoin = RejoinPacket.tryDecode(packet);
      return rejoin.ok ? handleRejoin(dir, from, rejoin.value) : dir.counters.drop('malformed');
    }
    case PACKET_ID_DIRECT: {
      const target = addressed(dir, from, packet);
      if (!target) return;
      const direct = DirectPacket.tryDecode(packet);
      return direct.ok ? handleDirect(target.conference, target.connection, direct.value.body) : dir.counters.drop('malformed');
    }
    case PACKET_ID_MESSAGE: {
      const target = addressed(dir, from, packet);
      if (!target) return;
      const message = MessagePacket.tryDecode(packet);
      return message.ok ? handleMessage(target.conference, target.connection, message.value, dir.counters) : dir.counters.drop('malformed');
    }
    default:
      return dir.counters.drop('malformed');
  }
}

export function receiveLossy(dir: ConferenceDirectory, from: LongTermPublicKey, packet: Uint8Array): void {
  if (packet[0] !== PACKET_ID_LOSSY) return dir.counters.drop('malformed');
  const target = addressed(dir, from, packet);
  if (!target) return;
  const lossy = LossyPacket.tryDecode(packet);
  return lossy.ok ? handleLossy(target.conference, target.connection, lossy.value, dir.counters) : dir.counters.drop('malformed');
}

/** The conference named by the group number after the id, and the slot of `from` among its connections. */
function addressed(dir: ConferenceDirectory, from: LongTermPublicKey, packet: Uint8Array): { conference: Conference; connection: number } | undefined {
  if (packet.length < 3) {
    dir.counters.drop('malformed');
    return undefined;
  }
  const conference = dir.byNumber((packet[1]! << 8) | packet[2]!);
  if (!conference) {
    dir.counters.drop('unknownConference');
    return undefined;
  }
  const connection = conference.connections.indexOf(keyId(from));
  if (connection < 0) {
    dir.counters.drop('notAConnection');
    return undefined;
  }
  return { conference, connection };
}
