import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom, concatBytes, fromHex, toHex, utf8Encode } from '../../../src/base/index.js';
import { ipPort } from '../../../src/net/index.js';
import {
  FRIEND_RECORD_SIZE,
  ProfileError,
  SECTION_TYPE,
  createProfile,
  decodeSavedata,
  encodeSavedata,
  type Profile,
  type UnknownSection,
} from '../../../src/storage/index.js';
import { dhtKey, fullProfile } from './profile-fixtures.js';

function section(type: number, body: Uint8Array, cookie = 0x01ce): Uint8Array {
  const header = new Uint8Array(8);
  const view = new DataView(header.buffer);
  view.setUint32(0, body.length, true);
  view.setUint16(4, type, true);
  view.setUint16(6, cookie, true);
  return concatBytes(header, body);
}

/** Offsets of each top-level section header in an encoding (walks the framing). */
function sectionOffsets(bytes: Uint8Array): Map<number, number> {
  const offsets = new Map<number, number>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at < bytes.length; ) {
    const type = view.getUint16(at + 4, true);
    offsets.set(type, at);
    at += 8 + view.getUint32(at, true);
  }
  return offsets;
}

function expectProfileError(fn: () => unknown, code: string, message?: RegExp): ProfileError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProfileError);
    expect((err as ProfileError).code).toBe(code);
    if (message) expect((err as ProfileError).message).toMatch(message);
    return err as ProfileError;
  }
  throw new Error(`expected ProfileError ${code}, nothing was thrown`);
}

describe('savedata round trip', () => {
  it('keeps every field of a full profile', () => {
    const profile = fullProfile();
    const bytes = encodeSavedata(profile);
    expect(decodeSavedata(bytes)).toEqual(profile);
    expect(encodeSavedata(decodeSavedata(bytes))).toEqual(bytes);
  });

  it('keeps a fresh, empty profile', () => {
    const profile = createProfile(new SeededRandom(9));
    expect(decodeSavedata(encodeSavedata(profile))).toEqual(profile);
  });
});

describe('savedata layout', () => {
  it('matches the documented skeleton byte for byte', () => {
    const random = new SeededRandom(3);
    const base = createProfile(random);
    const nodeKey = dhtKey(random);
    const profile: Profile = {
      ...base,
      nospam: fromHex('01020304'),
      name: utf8Encode('Alice'),
      dhtNodes: [{ transport: 'udp', address: ipPort('127.0.0.1', 33445), publicKey: nodeKey }],
    };
    const keys = toHex(base.keyPair.publicKey) + toHex(base.keyPair.secretKey);
    const pnode = '02' + '7f000001' + '82a5' + toHex(nodeKey);
    const expected = [
      '00000000', '1f1bed15',
      '44000000', '0100', 'ce01', '01020304', keys,
      '33000000', '0200', 'ce01', '0d005901', '27000000', '0400', 'ce11', pnode,
      '00000000', '0300', 'ce01',
      '05000000', '0400', 'ce01', '416c696365',
      '00000000', '0500', 'ce01',
      '01000000', '0600', 'ce01', '00',
      '00000000', '0a00', 'ce01',
      '00000000', '0b00', 'ce01',
      '00000000', '1400', 'ce01',
      '00000000', 'ff00', 'ce01',
    ].join('');
    expect(toHex(encodeSavedata(profile))).toBe(expected);
  });

  it('writes the sections in c-toxcore order', () => {
    const order = [...sectionOffsets(encodeSavedata(fullProfile())).keys()];
    expect(order).toEqual([1, 2, 3, 4, 5, 6, 10, 11, 20, 255]);
  });

  it('lays out a friend record at c-toxcore offsets (BE lengths, zero padding)', () => {
    const profile = fullProfile();
    const friend = {
      ...profile.friends[2]!,
      requestMessage: fromHex('aabbcc'),
      name: utf8Encode('Bob'),
      statusMessage: utf8Encode('out'),
      nospam: fromHex('deadbeef'),
      lastSeen: 0x0102_0304_0506,
    };
    const bytes = encodeSavedata({ ...profile, friends: [friend] });
    const start = sectionOffsets(bytes).get(SECTION_TYPE.FRIENDS)! + 8;
    const record = bytes.subarray(start, start + FRIEND_RECORD_SIZE);
    expect(new DataView(bytes.buffer).getUint32(start - 8, true)).toBe(FRIEND_RECORD_SIZE);
    expect(record[0]).toBe(3);
    expect(record.subarray(1, 33)).toEqual(friend.publicKey);
    expect(toHex(record.subarray(33, 36))).toBe('aabbcc');
    expect(record.subarray(36, 1057).every((b) => b === 0)).toBe(true);
    expect(toHex(record.subarray(1057, 1060))).toBe('000003');
    expect(toHex(record.subarray(1060, 1063))).toBe(toHex(utf8Encode('Bob')));
    expect(toHex(record.subarray(1188, 1190))).toBe('0003');
    expect(toHex(record.subarray(1190, 1193))).toBe(toHex(utf8Encode('out')));
    expect(toHex(record.subarray(2197, 2200))).toBe('000003');
    expect(record[2200]).toBe(2);
    expect(toHex(record.subarray(2201, 2204))).toBe('000000');
    expect(toHex(record.subarray(2204, 2208))).toBe('deadbeef');
    expect(toHex(record.subarray(2208, 2216))).toBe('0000010203040506');
  });

  it('ignores padding and buffer bytes past each length, as c-toxcore does', () => {
    const profile = fullProfile();
    const bytes = encodeSavedata(profile);
    const start = sectionOffsets(bytes).get(SECTION_TYPE.FRIENDS)! + 8;
    const dirty = bytes.slice();
    for (const at of [1057, 2197, 2201, 2202, 2203, 1000, 1100, 1200]) dirty[start + at] = 0x5a;
    expect(decodeSavedata(dirty)).toEqual(profile);
  });

  it('writes conference integers little endian with the saved (offset) numbers as given', () => {
    const profile = fullProfile();
    const bytes = encodeSavedata(profile);
    const start = sectionOffsets(bytes).get(SECTION_TYPE.CONFERENCES)! + 8;
    const conference = profile.conferences[0]!;
    const view = new DataView(bytes.buffer, start);
    expect(bytes[start]).toBe(0);
    expect(bytes.subarray(start + 1, start + 33)).toEqual(conference.id);
    expect(view.getUint32(33, true)).toBe(65536 + 17);
    expect(view.getUint16(37, true)).toBe(8192 + 3);
    expect(view.getUint16(39, true)).toBe(4242);
    expect(view.getUint32(41, true)).toBe(2);
    expect(bytes[start + 45]).toBe(8);
    const peer = start + 46 + 8;
    expect(bytes.subarray(peer, peer + 32)).toEqual(conference.peers[0]!.publicKey);
    expect(view.getUint16(54 + 64, true)).toBe(7);
    expect(view.getBigUint64(54 + 66, true)).toBe(1_700_000_000n);
    expect(bytes[peer + 74]).toBe(5);
  });
});

describe('savedata reading rules', () => {
  it('tolerates the zero padding c-toxcore leaves after END (and any trailing bytes)', () => {
    const profile = fullProfile();
    const bytes = encodeSavedata(profile);
    expect(decodeSavedata(concatBytes(bytes, new Uint8Array(816)))).toEqual(profile);
    expect(decodeSavedata(concatBytes(bytes, fromHex('0102030405')))).toEqual(profile);
  });

  it('skips unknown sections and reports them', () => {
    const profile = fullProfile();
    const bytes = encodeSavedata(profile);
    const at = sectionOffsets(bytes).get(SECTION_TYPE.NAME)!;
    const withUnknown = concatBytes(bytes.subarray(0, at), section(0x15, fromHex('0102030405')), bytes.subarray(at));
    const seen: UnknownSection[] = [];
    expect(decodeSavedata(withUnknown, { onUnknownSection: (s) => seen.push(s) })).toEqual(profile);
    expect(seen).toEqual([{ type: 0x15, offset: at, length: 5 }]);
  });

  it('accepts sections in any order and missing optional sections', () => {
    const profile = createProfile(new SeededRandom(5));
    const bytes = encodeSavedata(profile);
    const offsets = sectionOffsets(bytes);
    const keys = bytes.subarray(offsets.get(SECTION_TYPE.NOSPAMKEYS)!, offsets.get(SECTION_TYPE.DHT)!);
    const name = section(SECTION_TYPE.NAME, utf8Encode('late'));
    const minimal = concatBytes(bytes.subarray(0, 8), name, keys, section(SECTION_TYPE.END, new Uint8Array(0)));
    expect(decodeSavedata(minimal)).toEqual({ ...profile, name: utf8Encode('late') });
  });

  it('ignores unknown DHT sub-sections', () => {
    const profile = createProfile(new SeededRandom(5));
    const bytes = encodeSavedata(profile);
    const offsets = sectionOffsets(bytes);
    const keys = bytes.subarray(offsets.get(SECTION_TYPE.NOSPAMKEYS)!, offsets.get(SECTION_TYPE.DHT)!);
    const dht = section(SECTION_TYPE.DHT, concatBytes(fromHex('0d005901'), section(9, fromHex('ff'), 0x11ce)));
    const decoded = decodeSavedata(concatBytes(bytes.subarray(0, 8), keys, dht, section(SECTION_TYPE.END, new Uint8Array(0))));
    expect(decoded.dhtNodes).toEqual([]);
  });
});

describe('savedata errors', () => {
  let bytes: Uint8Array;
  let offsets: Map<number, number>;
  beforeAll(() => {
    bytes = encodeSavedata(fullProfile());
    offsets = sectionOffsets(bytes);
  });

  it('reports every truncation as PROFILE_TRUNCATED', () => {
    for (let cut = 0; cut < bytes.length; cut += 7) {
      expectProfileError(() => decodeSavedata(bytes.subarray(0, cut)), 'PROFILE_TRUNCATED');
    }
    expectProfileError(() => decodeSavedata(bytes.subarray(0, bytes.length - 8)), 'PROFILE_TRUNCATED', /without an END section/);
  });

  it('rejects a foreign header as PROFILE_BAD_MAGIC', () => {
    const bad = bytes.slice();
    bad[4] = 0x00;
    expectProfileError(() => decodeSavedata(bad), 'PROFILE_BAD_MAGIC', /not a Tox profile/);
    expectProfileError(() => decodeSavedata(utf8Encode('{"json": true}')), 'PROFILE_BAD_MAGIC');
  });

  it('names a corrupted section header by offset', () => {
    const at = offsets.get(SECTION_TYPE.NAME)!;
    const bad = bytes.slice();
    bad[at + 6] = 0xcd;
    const err = expectProfileError(() => decodeSavedata(bad), 'PROFILE_BAD_SECTION', new RegExp(`offset ${at}.*0x01CD`));
    expect(err.details).toMatchObject({ offset: at, sectionType: SECTION_TYPE.NAME });
  });

  it('names the section type and offset of an undecodable body', () => {
    const at = offsets.get(SECTION_TYPE.STATUS)!;
    const bad = bytes.slice();
    bad[at + 8] = 7;
    expectProfileError(() => decodeSavedata(bad), 'PROFILE_BAD_SECTION', new RegExp(`STATUS \\(type 6\\) at offset ${at}`));
  });

  it('rejects a FRIENDS section that is not whole records', () => {
    const profile = fullProfile();
    const at = offsets.get(SECTION_TYPE.FRIENDS)!;
    const friends = bytes.subarray(at + 8, at + 8 + 3 * FRIEND_RECORD_SIZE);
    const broken = concatBytes(bytes.subarray(0, at), section(SECTION_TYPE.FRIENDS, friends.subarray(1)), bytes.subarray(at + 8 + friends.length));
    expect(profile.friends).toHaveLength(3);
    expectProfileError(() => decodeSavedata(broken), 'PROFILE_BAD_SECTION', /FRIENDS \(type 3\).*not a whole number/);
  });

  it('rejects a key pair whose public key does not match the secret key', () => {
    const bad = bytes.slice();
    bad[offsets.get(SECTION_TYPE.NOSPAMKEYS)! + 8 + 4]! ^= 1;
    expectProfileError(() => decodeSavedata(bad), 'PROFILE_KEY_MISMATCH', /NOSPAMKEYS/);
    const profile = fullProfile();
    expectProfileError(() => encodeSavedata({ ...profile, keyPair: { ...profile.keyPair, publicKey: fullProfile(2).keyPair.publicKey } }), 'PROFILE_KEY_MISMATCH');
  });

  it('rejects a NOSPAMKEYS section of the wrong length', () => {
    const at = offsets.get(SECTION_TYPE.NOSPAMKEYS)!;
    const keys = bytes.subarray(at + 8, at + 8 + 68);
    const bad = concatBytes(bytes.subarray(0, at), section(SECTION_TYPE.NOSPAMKEYS, keys.subarray(0, 67)), bytes.subarray(at + 8 + 68));
    expectProfileError(() => decodeSavedata(bad), 'PROFILE_BAD_SECTION', /NOSPAMKEYS/);
  });

  it('requires the identity section', () => {
    const noKeys = concatBytes(bytes.subarray(0, 8), section(SECTION_TYPE.END, new Uint8Array(0)));
    expectProfileError(() => decodeSavedata(noKeys), 'PROFILE_MISSING_KEYS');
  });

  it('requires END to be empty', () => {
    const end = offsets.get(SECTION_TYPE.END)!;
    const bad = concatBytes(bytes.subarray(0, end), section(SECTION_TYPE.END, fromHex('00')));
    expectProfileError(() => decodeSavedata(bad), 'PROFILE_BAD_SECTION', /END/);
  });

  it('rejects a DHT section without its magic', () => {
    const at = offsets.get(SECTION_TYPE.DHT)!;
    const bad = bytes.slice();
    bad[at + 8] = 0;
    expectProfileError(() => decodeSavedata(bad), 'PROFILE_BAD_SECTION', /DHT.*magic/);
  });

  it('says a toxEsave blob is encrypted', () => {
    expectProfileError(() => decodeSavedata(concatBytes(utf8Encode('toxEsave'), new Uint8Array(100))), 'PROFILE_ENCRYPTED');
  });

  it('turns damage anywhere into a ProfileError, never anything else', () => {
    const random = new SeededRandom(11);
    for (let i = 0; i < 2000; i++) {
      const bad = bytes.slice();
      for (let flips = 1 + random.int(3); flips > 0; flips--) bad[random.int(bad.length)] = random.int(256);
      try {
        decodeSavedata(bad);
      } catch (err) {
        expect(err).toBeInstanceOf(ProfileError);
      }
    }
  });
});
