import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/base/index.js';
import { DecodeError } from '../../../src/binary/index.js';
import { storageCodecs, type Profile } from '../../../src/storage/index.js';
import { fullProfile } from './profile-fixtures.js';

function samples(profile: Profile): Record<string, unknown> {
  return {
    'storage.SavedataHeader': { zero: 0, magic: 0x15ed1b1f },
    'storage.SectionHeader': { length: 2216, type: 3, cookie: 0x01ce },
    'storage.NospamKeys': { nospam: profile.nospam, ...profile.keyPair },
    'storage.DhtStateMagic': 0x0159000d,
    'storage.DhtNodes': profile.dhtNodes,
    'storage.Friends': profile.friends,
    'storage.Name': profile.name,
    'storage.StatusMessage': profile.statusMessage,
    'storage.Status': profile.userStatus,
    'storage.TcpRelays': profile.tcpRelays,
    'storage.PathNodes': profile.pathNodes,
    'storage.Conferences': profile.conferences,
  };
}

describe('storageCodecs', () => {
  let values: Record<string, unknown>;
  beforeAll(() => {
    values = samples(fullProfile());
  });

  it('has a sample for every registered codec', () => {
    expect(storageCodecs.all().map((d) => d.name).sort()).toEqual(Object.keys(values).sort());
  });

  it('round-trips each sample with an exact size', () => {
    for (const def of storageCodecs.all()) {
      const bytes = def.encode(values[def.name]);
      expect(bytes.length, def.name).toBe(def.size(values[def.name]));
      expect(def.decode(bytes), def.name).toEqual(values[def.name]);
    }
  });

  it('re-encodes damaged input byte for byte whenever it still decodes (canonical codecs)', () => {
    const random = new SeededRandom(21);
    for (const def of storageCodecs.all()) {
      const good = def.encode(values[def.name]);
      for (let i = 0; i < 300; i++) {
        const bad = good.slice(0, good.length - (random.int(4) === 0 ? random.int(good.length + 1) : 0));
        for (let flips = random.int(3); flips > 0 && bad.length > 0; flips--) bad[random.int(bad.length)] = random.int(256);
        const result = def.tryDecode(bad);
        if (!result.ok) {
          expect(result.error, def.name).toBeInstanceOf(DecodeError);
          continue;
        }
        if (def.nonCanonical) expect(def.decode(def.encode(result.value)), def.name).toEqual(result.value);
        else expect(def.encode(result.value), def.name).toEqual(bad);
      }
    }
  });
});
