/**
 * Profile <-> c-toxcore 0.2.18 savedata bytes. Reading accepts any section
 * order, skips unknown sections, and ignores whatever follows END (c-toxcore
 * pads its buffer with zeros). Writing emits every section in c-toxcore's
 * order with exact sizes and nothing after END. Damage is reported as
 * ProfileError naming the section and offset.
 */
import { concatBytes, toHex } from '../../base/index.js';
import type { PacketDef } from '../../binary/index.js';
import { keysEqual, publicKeyOf, type LongTermKeyPair } from '../../crypto/index.js';
import type { PackedNode } from '../../net/index.js';
import { isEncryptedData } from '../encrypted.js';
import { ProfileError } from '../errors.js';
import { describeSection, joinSections, splitSections, type RawSection } from './container.js';
import { FRIEND_RECORD_SIZE } from './friends.js';
import { emptyProfileContent, type Profile } from './profile.js';
import {
  Conferences,
  DHT_NODES_TYPE,
  DHT_SECTION_COOKIE,
  DHT_STATE_MAGIC,
  DhtNodes,
  DhtStateMagic,
  Friends,
  Name,
  NospamKeys,
  PathNodes,
  SAVEDATA_MAGIC,
  SECTION_COOKIE,
  SECTION_HEADER_SIZE,
  SECTION_TYPE,
  SavedataHeader,
  Status,
  StatusMessage,
  TcpRelays,
} from './sections.js';

const HEADER_SIZE = 8;
const DHT_MAGIC_SIZE = 4;

export interface UnknownSection {
  readonly type: number;
  readonly offset: number;
  readonly length: number;
}

export interface DecodeSavedataOptions {
  /** Told about each section this model does not know; it is skipped, as c-toxcore does. */
  onUnknownSection?: (section: UnknownSection) => void;
}

function badSection(section: RawSection, what: string, problem: string, cause?: unknown): ProfileError {
  return new ProfileError(
    'PROFILE_BAD_SECTION',
    `${what} at offset ${section.offset}: ${problem}`,
    { offset: section.offset, sectionType: section.type },
    cause === undefined ? undefined : { cause },
  );
}

/** Decodes a section body with its registered codec; a DecodeError becomes PROFILE_BAD_SECTION. */
function decodeBody<T>(def: PacketDef<T>, section: RawSection, what = describeSection(section.type)): T {
  const result = def.tryDecode(section.body);
  if (result.ok) return result.value;
  const { path, reason, offset } = result.error;
  const at = section.offset + SECTION_HEADER_SIZE + offset;
  throw badSection(section, what, `${path ? `${path}: ` : ''}${reason} (byte ${at} of the file)`, result.error);
}

function describeDhtSection(type: number): string {
  return type === DHT_NODES_TYPE ? `DHT NODES sub-section (type ${type})` : `DHT sub-section (type ${type})`;
}

/** The DHT section: a magic, then sub-sections of which only NODES is known (a later one replaces an earlier one). */
function decodeDht(section: RawSection): PackedNode[] {
  const what = describeSection(section.type);
  if (section.body.length < DHT_MAGIC_SIZE || !DhtStateMagic.tryDecode(section.body.subarray(0, DHT_MAGIC_SIZE)).ok) {
    throw badSection(section, what, `does not start with the DHT state magic 0x${DHT_STATE_MAGIC.toString(16).toUpperCase().padStart(8, '0')}`);
  }
  const inner = splitSections(section.body.subarray(DHT_MAGIC_SIZE), section.offset + SECTION_HEADER_SIZE + DHT_MAGIC_SIZE, DHT_SECTION_COOKIE, {
    describe: describeDhtSection,
  });
  let nodes: PackedNode[] = [];
  for (const sub of inner.sections) {
    if (sub.type === DHT_NODES_TYPE) nodes = decodeBody(DhtNodes, sub, describeDhtSection(sub.type));
  }
  return nodes;
}

function checkKeys(keyPair: LongTermKeyPair, where: string): void {
  if (!keysEqual(publicKeyOf(keyPair.secretKey), keyPair.publicKey)) {
    throw new ProfileError('PROFILE_KEY_MISMATCH', `${where}: the public key is not the one derived from the secret key`);
  }
}

/** Parses plaintext savedata (tox_get_savedata output). Throws ProfileError. */
export function decodeSavedata(bytes: Uint8Array, options: DecodeSavedataOptions = {}): Profile {
  if (isEncryptedData(bytes)) throw new ProfileError('PROFILE_ENCRYPTED', 'the profile is passphrase-encrypted (toxEsave); decrypt it first');
  if (bytes.length < HEADER_SIZE) {
    throw new ProfileError('PROFILE_TRUNCATED', `${bytes.length} bytes is too short for the 8-byte savedata header`, { length: bytes.length });
  }
  if (!SavedataHeader.tryDecode(bytes.subarray(0, HEADER_SIZE)).ok) {
    throw new ProfileError('PROFILE_BAD_MAGIC', `not a Tox profile: it starts with ${toHex(bytes.subarray(0, HEADER_SIZE), true)}, expected 000000001F1BED15`);
  }
  const { sections, end } = splitSections(bytes.subarray(HEADER_SIZE), HEADER_SIZE, SECTION_COOKIE, { endType: SECTION_TYPE.END });
  if (!end) {
    throw new ProfileError('PROFILE_TRUNCATED', `the profile ends at byte ${bytes.length} without an END section (truncated?)`, { length: bytes.length });
  }
  if (end.body.length !== 0) throw badSection(end, describeSection(end.type), `END must be empty, it declares ${end.body.length} bytes`);

  const profile = emptyProfileContent();
  let identity: Pick<Profile, 'nospam' | 'keyPair'> | undefined;
  for (const section of sections) {
    switch (section.type) {
      case SECTION_TYPE.NOSPAMKEYS: {
        const { nospam, publicKey, secretKey } = decodeBody(NospamKeys, section);
        identity = { nospam, keyPair: { publicKey, secretKey } };
        checkKeys(identity.keyPair, `${describeSection(section.type)} at offset ${section.offset}`);
        break;
      }
      case SECTION_TYPE.DHT:
        profile.dhtNodes = decodeDht(section);
        break;
      case SECTION_TYPE.FRIENDS:
        if (section.body.length % FRIEND_RECORD_SIZE !== 0) {
          throw badSection(section, describeSection(section.type), `${section.body.length} bytes is not a whole number of ${FRIEND_RECORD_SIZE}-byte friend records`);
        }
        profile.friends.push(...decodeBody(Friends, section));
        break;
      case SECTION_TYPE.NAME:
        profile.name = decodeBody(Name, section);
        break;
      case SECTION_TYPE.STATUSMESSAGE:
        profile.statusMessage = decodeBody(StatusMessage, section);
        break;
      case SECTION_TYPE.STATUS:
        profile.userStatus = decodeBody(Status, section);
        break;
      case SECTION_TYPE.TCP_RELAY:
        profile.tcpRelays = decodeBody(TcpRelays, section);
        break;
      case SECTION_TYPE.PATH_NODE:
        profile.pathNodes = decodeBody(PathNodes, section);
        break;
      case SECTION_TYPE.CONFERENCES:
        profile.conferences.push(...decodeBody(Conferences, section));
        break;
      default:
        options.onUnknownSection?.({ type: section.type, offset: section.offset, length: section.body.length });
    }
  }
  if (!identity) throw new ProfileError('PROFILE_MISSING_KEYS', 'the profile has no NOSPAMKEYS section, so no identity');
  return { ...identity, ...profile };
}

/**
 * Serialises a profile exactly as c-toxcore 0.2.18 lays it out (minus its
 * trailing zero padding). Throws ProfileError for a mismatched key pair and
 * EncodeError for values past the format's limits.
 */
export function encodeSavedata(profile: Profile): Uint8Array {
  checkKeys(profile.keyPair, 'cannot save the profile');
  const { publicKey, secretKey } = profile.keyPair;
  const dht = concatBytes(
    DhtStateMagic.encode(DHT_STATE_MAGIC),
    joinSections([{ type: DHT_NODES_TYPE, body: DhtNodes.encode(profile.dhtNodes) }], DHT_SECTION_COOKIE),
  );
  const sections = joinSections(
    [
      { type: SECTION_TYPE.NOSPAMKEYS, body: NospamKeys.encode({ nospam: profile.nospam, publicKey, secretKey }) },
      { type: SECTION_TYPE.DHT, body: dht },
      { type: SECTION_TYPE.FRIENDS, body: Friends.encode(profile.friends) },
      { type: SECTION_TYPE.NAME, body: Name.encode(profile.name) },
      { type: SECTION_TYPE.STATUSMESSAGE, body: StatusMessage.encode(profile.statusMessage) },
      { type: SECTION_TYPE.STATUS, body: Status.encode(profile.userStatus) },
      { type: SECTION_TYPE.TCP_RELAY, body: TcpRelays.encode(profile.tcpRelays) },
      { type: SECTION_TYPE.PATH_NODE, body: PathNodes.encode(profile.pathNodes) },
      { type: SECTION_TYPE.CONFERENCES, body: Conferences.encode(profile.conferences) },
      { type: SECTION_TYPE.END, body: new Uint8Array(0) },
    ],
    SECTION_COOKIE,
  );
  return concatBytes(SavedataHeader.encode({ zero: 0, magic: SAVEDATA_MAGIC }), sections);
}
