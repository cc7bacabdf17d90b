// Profile interop with c-toxcore 0.2.18: its savedata (plain and tox_pass_encrypt'ed) loads in
// our storage layer with every field equal to what its API reports, and profiles we write
// (plain and encrypted) load in c-toxcore with the same identity, friends, name, status and
// conference. Opens UDP sockets (tox_new), so it runs only inside a private network namespace:
//   unshare -n sh -c 'ip link set lo up && exec npx vitest run test/interop/profile.test.ts'

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { SeededRandom, fromHex, utf8Decode, utf8Encode } from '../../src/base/index.js';
import { nospamNumber, toxIdBytes, type DhtPublicKey } from '../../src/crypto/index.js';
import { ipPort } from '../../src/net/index.js';
import {
  createProfile,
  decodeSavedata,
  decryptData,
  encodeSavedata,
  loadProfile,
  readFileIfExists,
  saveProfile,
  type Profile,
  type SavedFriend,
} from '../../src/storage/index.js';
import { ConferenceType, UserStatus } from '../support/toxcore/constants.js';
import { toxIsDataEncrypted, toxPassDecrypt, toxPassEncrypt } from '../support/toxcore/encryptsave.js';
import { ToxcoreInstance, type ToxcoreOptions } from '../support/toxcore/instance.js';
import { requireToxcore } from '../support/toxcore/lib.js';
import { requirePrivateNetwork } from '../support/netns.js';

// Each require* throws in CI when its precondition is missing; outside CI the suite skips.
const run = requirePrivateNetwork() && requireToxcore() !== null;

const PASSPHRASE = 'correct horse battery staple';
const USER_STATUS = { online: UserStatus.NONE, away: UserStatus.AWAY, busy: UserStatus.BUSY } as const;

const live: ToxcoreInstance[] = [];
async function make(options?: ToxcoreOptions): Promise<ToxcoreInstance> {
  const instance = await ToxcoreInstance.create(options);
  live.push(instance);
  return instance;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tocsin-profile-interop-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  for (const instance of live.splice(0)) instance.kill();
});

/** A c-toxcore instance with a profile in every state: a friend request pending, a confirmed friend, a titled conference. */
async function populatedToxcore(random: SeededRandom) {
  const tox = await make();
  tox.name = 'Alice ✓ c-toxcore';
  tox.statusMessage = 'testing savedata interop';
  tox.userStatus = UserStatus.AWAY;
  tox.nospam = 0x0badf00d;
  const bob = createProfile(random);
  const carol = createProfile(random);
  const requested = tox.friendAdd(toxIdBytes({ publicKey: bob.keyPair.publicKey, nospam: bob.nospam }), 'Hi Bob, please add me');
  const confirmed = tox.friendAddNoRequest(carol.keyPair.publicKey);
  const conference = tox.conferenceNew();
  tox.conferenceSetTitle(conference, 'Interop room');
  return { tox, bob, requested, confirmed, conference };
}

/** Checks a profile we decoded against what the c-toxcore instance reports through its API. */
function expectMatchesToxcore(profile: Profile, tox: ToxcoreInstance): void {
  expect(profile.keyPair.publicKey).toEqual(tox.publicKey);
  expect(profile.keyPair.secretKey).toEqual(tox.secretKey);
  expect(nospamNumber(profile.nospam)).toBe(tox.nospam);
  expect(toxIdBytes({ publicKey: profile.keyPair.publicKey, nospam: profile.nospam })).toEqual(tox.address);
  expect(utf8Decode(profile.name)).toBe(tox.name);
  expect(utf8Decode(profile.statusMessage)).toBe(tox.statusMessage);
  expect(USER_STATUS[profile.userStatus]).toBe(tox.userStatus);
  const friends = tox.friendList();
  expect(profile.friends).toHaveLength(friends.length);
  friends.forEach((friend, i) => {
    const saved = profile.friends[i]!;
    expect(saved.publicKey).toEqual(tox.friendPublicKey(friend));
    expect(utf8Decode(saved.name)).toBe(tox.friendName(friend));
    expect(utf8Decode(saved.statusMessage)).toBe(tox.friendStatusMessage(friend));
    expect(USER_STATUS[saved.userStatus]).toBe(tox.friendUserStatus(friend));
  });
  const conferences = tox.conferenceChatlist();
  expect(profile.conferences).toHaveLength(conferences.length);
  conferences.forEach((conference, i) => {
    const saved = profile.conferences[i]!;
    expect(saved.id).toEqual(tox.conferenceGetId(conference));
    expect(saved.type).toBe(tox.conferenceGetType(conference) === ConferenceType.TEXT ? 'text' : 'av');
    expect(utf8Decode(saved.title)).toBe(tox.conferenceGetTitle(conference));
    expect(saved.peers.map((p) => p.publicKey)).toEqual(
      Array.from({ length: tox.conferenceOfflinePeerCount(conference) }, (_, p) => tox.conferenceOfflinePeerPublicKey(conference, p)),
    );
  });
}

/** A profile of ours with every kind of content c-toxcore restores. */
function ourProfile(random: SeededRandom): Profile {
  const base = createProfile(random);
  const key = () => createProfile(random).keyPair.publicKey;
  const friend = (status: SavedFriend['status'], extra: Partial<SavedFriend> = {}): SavedFriend => ({
    status,
    publicKey: key(),
    requestMessage: new Uint8Array(0),
    name: new Uint8Array(0),
    statusMessage: new Uint8Array(0),
    userStatus: 'online',
    nospam: new Uint8Array(4),
    lastSeen: 0,
    ...extra,
  });
  return {
    ...base,
    nospam: fromHex('c0ffee42'),
    name: utf8Encode('Tocsin ✓ bot'),
    statusMessage: utf8Encode('written by the TypeScript node'),
    userStatus: 'busy',
    friends: [
      friend('added', { requestMessage: utf8Encode('Hello from Tocsin'), nospam: fromHex('01020304') }),
      friend('confirmed', { name: utf8Encode('Dave'), statusMessage: utf8Encode('gone fishing'), userStatus: 'away', lastSeen: 1_700_000_321 }),
      friend('requestSent', { requestMessage: utf8Encode('Second request'), nospam: fromHex('a0b0c0d0') }),
    ],
    dhtNodes: [{ transport: 'udp', address: ipPort('127.0.0.1', 33445), publicKey: random.bytes(32) as DhtPublicKey }],
    tcpRelays: [{ transport: 'tcp', address: ipPort('127.0.0.1', 33446), publicKey: random.bytes(32) as DhtPublicKey }],
    conferences: [
      {
        type: 'text',
        id: random.bytes(32),
        messageNumber: 65536 + 5,
        lossyMessageNumber: 8192 + 1,
        ourPeerNumber: 100,
        title: utf8Encode('Tocsin room'),
        peers: [
          { publicKey: key(), dhtPublicKey: random.bytes(32) as DhtPublicKey, peerNumber: 7, lastActive: 1_700_000_000, name: utf8Encode('erin') },
          { publicKey: key(), dhtPublicKey: random.bytes(32) as DhtPublicKey, peerNumber: 9, lastActive: 1_700_000_100, name: new Uint8Array(0) },
        ],
      },
    ],
  };
}

/** Checks that c-toxcore, loaded from our profile, reports our identity, profile, friends and conference. */
function expectToxcoreMatches(tox: ToxcoreInstance, profile: Profile): void {
  expect(tox.address).toEqual(toxIdBytes({ publicKey: profile.keyPair.publicKey, nospam: profile.nospam }));
  expect(tox.secretKey).toEqual(profile.keyPair.secretKey);
  expect(tox.name).toBe(utf8Decode(profile.name));
  expect(tox.statusMessage).toBe(utf8Decode(profile.statusMessage));
  expect(tox.userStatus).toBe(USER_STATUS[profile.userStatus]);
  expect(tox.friendList().map((f) => tox.friendPublicKey(f))).toEqual(profile.friends.map((f) => f.publicKey));
  const confirmed = profile.friends.findIndex((f) => f.status === 'confirmed');
  expect(tox.friendName(confirmed)).toBe(utf8Decode(profile.friends[confirmed]!.name));
  expect(tox.friendStatusMessage(confirmed)).toBe(utf8Decode(profile.friends[confirmed]!.statusMessage));
  expect(tox.friendUserStatus(confirmed)).toBe(USER_STATUS[profile.friends[confirmed]!.userStatus]);
  const [conference, ...others] = tox.conferenceChatlist();
  expect(others).toEqual([]);
  const saved = profile.conferences[0]!;
  expect(tox.conferenceGetId(conference!)).toEqual(saved.id);
  expect(tox.conferenceGetTitle(conference!)).toBe(utf8Decode(saved.title));
  expect(tox.conferenceOfflinePeerCount(conference!)).toBe(saved.peers.length);
  saved.peers.forEach((peer, i) => expect(tox.conferenceOfflinePeerPublicKey(conference!, i)).toEqual(peer.publicKey));
}

describe.skipIf(!run)('profiles written by c-toxcore', () => {
  test('load in ours with every field equal to what c-toxcore reports', async () => {
    const { tox, bob, requested, confirmed } = await populatedToxcore(new SeededRandom(1));
    const savedata = tox.savedata();
    const profile = decodeSavedata(savedata);

    expectMatchesToxcore(profile, tox);
    const request = profile.friends[requested]!;
    expect(['added', 'requestSent']).toContain(request.status);
    expect(utf8Decode(request.requestMessage)).toBe('Hi Bob, please add me');
    expect(request.nospam).toEqual(bob.nospam);
    expect(profile.friends[confirmed]!.status).toBe('confirmed');
    expect(profile.conferences[0]!.messageNumber).toBeGreaterThanOrEqual(65536);

    // Our writer reproduces c-toxcore's bytes exactly; c-toxcore pads the rest of its buffer with zeros.
    const ours = encodeSavedata(profile);
    expect(savedata.subarray(0, ours.length)).toEqual(ours);
    expect(savedata.subarray(ours.length).every((b) => b === 0)).toBe(true);
  });

  test('encrypted with tox_pass_encrypt, they decrypt and load in ours', async () => {
    const { tox } = await populatedToxcore(new SeededRandom(2));
    const savedata = tox.savedata();
    const path = join(dir, 'from-toxcore.tox');
    await writeFile(path, toxPassEncrypt(savedata, PASSPHRASE));

    expect(await decryptData((await readFileIfExists(path))!, PASSPHRASE)).toEqual(savedata);
    const profile = await loadProfile(path, { passphrase: PASSPHRASE });
    expectMatchesToxcore(profile, tox);
    await expect(loadProfile(path)).rejects.toMatchObject({ code: 'PROFILE_ENCRYPTED' });
    await expect(loadProfile(path, { passphrase: 'wrong' })).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
  });
});

describe.skipIf(!run)('profiles written by ours', () => {
  test('load in c-toxcore with the same Tox ID, friends, name, status message and conference', async () => {
    const profile = ourProfile(new SeededRandom(3));
    const tox = await make({ savedata: encodeSavedata(profile) });
    expectToxcoreMatches(tox, profile);

    // c-toxcore's own save of it reads back the same: pending requests are re-added (status
    // "added"), conference numbers move on by the save offsets, everything else is kept.
    const again = decodeSavedata(tox.savedata());
    const [conference] = profile.conferences;
    expect(again).toEqual({
      ...profile,
      friends: profile.friends.map((f) => (f.status === 'requestSent' ? { ...f, status: 'added' } : f)),
      pathNodes: again.pathNodes,
      conferences: [
        { ...conference!, messageNumber: conference!.messageNumber + 65536, lossyMessageNumber: conference!.lossyMessageNumber + 8192 },
      ],
    });
  });

  test('encrypted by ours, they decrypt with tox_pass_decrypt and load in c-toxcore', async () => {
    const profile = ourProfile(new SeededRandom(4));
    const path = join(dir, 'from-ours.tox');
    await saveProfile(path, profile, { passphrase: PASSPHRASE, random: new SeededRandom(5) });
    const sealed = (await readFileIfExists(path))!;

    expect(toxIsDataEncrypted(sealed)).toBe(true);
    await expect(make({ savedata: sealed })).rejects.toThrow('TOX_ERR_NEW_LOAD_ENCRYPTED');
    const plain = toxPassDecrypt(sealed, PASSPHRASE);
    expect(plain).toEqual(encodeSavedata(profile));
    expectToxcoreMatches(await make({ savedata: plain }), profile);
  });
});
