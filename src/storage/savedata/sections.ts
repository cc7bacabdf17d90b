/**
 * Every savedata structure declared once, as registered packet definitions:
 * the outer header, the section header (shared by the top level, cookie
 * 0x01CE, and the DHT sub-sections, cookie 0x11CE) and each section body.
 * Section framing is assembled by container.ts; profile <-> sections by savedata.ts.
 */
import { PacketRegistry, bytes, literal, rest, struct, u16le, u32le, type Codec } from '../../binary/index.js';
import type { LongTermPublicKey, LongTermSecretKey } from '../../crypto/index.js';
import { packedNode, packedNodeList, packedUdpNode } from '../../net/index.js';
import { conferenceList } from './conferences.js';
import { userStatusCodec } from './fields.js';
import { friendList } from './friends.js';
import { MAX_NAME_LENGTH, MAX_SAVED_DHT_NODES, MAX_SAVED_PATH_NODES, MAX_SAVED_TCP_RELAYS, MAX_STATUS_MESSAGE_LENGTH } from './profile.js';

/** Section types, in the order c-toxcore 0.2.18 writes them. */
export const SECTION_TYPE = {
  NOSPAMKEYS: 0x01,
  DHT: 0x02,
  FRIENDS: 0x03,
  NAME: 0x04,
  STATUSMESSAGE: 0x05,
  STATUS: 0x06,
  TCP_RELAY: 0x0a,
  PATH_NODE: 0x0b,
  CONFERENCES: 0x14,
  END: 0xff,
} as const;

export const SECTION_COOKIE = 0x01ce;
export const DHT_SECTION_COOKIE = 0x11ce;
/** The only DHT sub-section type. */
export const DHT_NODES_TYPE = 0x04;
export const SAVEDATA_MAGIC = 0x15ed1b1f;
export const DHT_STATE_MAGIC = 0x0159000d;

export const storageCodecs = new PacketRegistry('storage');

/** `00 00 00 00` then the magic, little endian (`1F 1B ED 15`). */
export const SavedataHeader = storageCodecs.define('SavedataHeader', struct({ zero: literal(0, 4), magic: literal(SAVEDATA_MAGIC, 4, true) }));

/** `[u32 LE body length][u16 LE type][u16 LE cookie]`; the cookie is checked by the container to name the damage. */
export const SectionHeader = storageCodecs.define('SectionHeader', struct({ length: u32le, type: u16le, cookie: u16le }));
export const SECTION_HEADER_SIZE = 8;

export const NospamKeys = storageCodecs.define(
  'NospamKeys',
  struct({ nospam: bytes(4), publicKey: bytes(32) as Codec<LongTermPublicKey>, secretKey: bytes(32) as Codec<LongTermSecretKey> }),
);

/** The DHT section starts with this magic, then DHT sub-sections. */
export const DhtStateMagic = storageCodecs.define('DhtStateMagic', literal(DHT_STATE_MAGIC, 4, true));
/** Body of the DHT NODES sub-section. */
export const DhtNodes = storageCodecs.define('DhtNodes', packedNodeList(packedUdpNode, MAX_SAVED_DHT_NODES));

/** Non-canonical: padding and buffer bytes past each length are ignored, as c-toxcore does (see friends.ts). */
export const Friends = storageCodecs.define('Friends', friendList, { nonCanonical: true });

export const Name = storageCodecs.define('Name', rest(MAX_NAME_LENGTH));
export const StatusMessage = storageCodecs.define('StatusMessage', rest(MAX_STATUS_MESSAGE_LENGTH));
export const Status = storageCodecs.define('Status', userStatusCodec);
/** c-toxcore accepts UDP as well as TCP nodes here, so any PNODE is. */
export const TcpRelays = storageCodecs.define('TcpRelays', packedNodeList(packedNode, MAX_SAVED_TCP_RELAYS));
export const PathNodes = storageCodecs.define('PathNodes', packedNodeList(packedUdpNode, MAX_SAVED_PATH_NODES));
export const Conferences = storageCodecs.define('Conferences', conferenceList);
