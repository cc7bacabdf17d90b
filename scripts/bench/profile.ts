/**
 * Profile bench: load and save of a 500-friend profile. Ours decodes/encodes
 * the c-toxcore savedata format (and, separately, loads/saves it on disk with
 * the atomic writer); the reference is c-toxcore 0.2.18 loading the same bytes
 * (`tox_new` with savedata, which also creates the node) and `tox_get_savedata`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CryptoRandom, utf8Encode } from '../../src/base/index.js';
import { generateKeyPair, type LongTermPublicKey } from '../../src/crypto/index.js';
import { createProfile, decodeSavedata, encodeSavedata, loadProfile, saveProfile, type Profile } from '../../src/storage/index.js';
import { ToxcoreInstance } from '../../test/support/toxcore/instance.js';
import { medianOf, timeMs, type BenchRow } from './measure.js';

const FRIENDS = 500;

function bigProfile(random: CryptoRandom): Profile {
  const profile = createProfile(random);
  profile.name = utf8Encode('bench profile');
  profile.statusMessage = utf8Encode('five hundred friends');
  for (let i = 0; i < FRIENDS; i++) {
    profile.friends.push({
      status: 'confirmed',
      publicKey: generateKeyPair<LongTermPublicKey, never>(random).publicKey,
      requestMessage: new Uint8Array(0),
      name: utf8Encode(`friend ${i}`),
      statusMessage: utf8Encode(`status of friend ${i}`),
      userStatus: 'online',
      nospam: new Uint8Array(4),
      lastSeen: 1_700_000_000 + i,
    });
  }
  return profile;
}

/** Milliseconds per call of `op`, from a batch of `n` calls. */
async function perCall(n: number, op: () => unknown): Promise<number> {
  return (await timeMs(async () => { for (let i = 0; i < n; i++) await op(); })) / n;
}

export async function profileBench(runs: number): Promise<BenchRow[]> {
  const random = new CryptoRandom();
  const profile = bigProfile(random);
  const bytes = encodeSavedata(profile);
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-bench-profile-'));
  const file = join(dir, 'bench.tox');
  try {
    await saveProfile(file, profile, { random });
    const decode = await medianOf(runs, () => perCall(20, () => decodeSavedata(bytes)));
    const encode = await medianOf(runs, () => perCall(20, () => encodeSavedata(profile)));
    const loadFile = await medianOf(runs, () => perCall(5, () => loadProfile(file)));
    const saveFile = await medianOf(runs, () => perCall(5, () => saveProfile(file, profile, { random })));
    const ctoxLoad = await medianOf(runs, async () => {
      let instance: ToxcoreInstance | undefined;
      const ms = await timeMs(async () => { instance = await ToxcoreInstance.create({ savedata: bytes }); });
      instance?.kill();
      return ms;
    });
    const loaded = await ToxcoreInstance.create({ savedata: bytes });
    let ctoxSave;
    try {
      if (loaded.friendList().length !== FRIENDS) throw new Error('c-toxcore did not load every friend');
      ctoxSave = await medianOf(runs, () => perCall(20, () => loaded.savedata()));
    } finally {
      loaded.kill();
    }
    const note = `${FRIENDS} friends, ${bytes.length} bytes`;
    return [
      { area: 'profile', metric: 'load 500-friend savedata (decode)', unit: 'ms', ours: decode.median, reference: ctoxLoad.median, referenceName: 'c-toxcore tox_new(savedata), includes node creation', higherIsBetter: false, samples: runs, note },
      { area: 'profile', metric: 'save 500-friend savedata (encode)', unit: 'ms', ours: encode.median, reference: ctoxSave.median, referenceName: 'c-toxcore tox_get_savedata', higherIsBetter: false, samples: runs, note },
      { area: 'profile', metric: 'load 500-friend profile from disk', unit: 'ms', ours: loadFile.median, higherIsBetter: false, samples: runs, note: 'read + decode' },
      { area: 'profile', metric: 'save 500-friend profile to disk (atomic, fsync, backup)', unit: 'ms', ours: saveFile.median, higherIsBetter: false, samples: runs, note: 'encode + temp file + fsync + rename' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
