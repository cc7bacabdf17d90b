// Smoke test of the c-toxcore interop harness (test/support/): two c-toxcore instances on
// loopback find each other, exchange a friend request, messages, a custom packet and a file, share
// a conference; savedata and toxencryptsave round-trip; tox-bootstrapd starts and serves a node;
// the native libsodium bindings for benchmarks work.
// Opens UDP/TCP sockets, so the Tox parts skip outside a private network namespace (fail in CI):
//   unshare -n sh -c 'ip link set lo up && exec npx vitest run test/interop/harness.test.ts'

import { afterEach, describe, expect, test } from 'vitest';
import { type Bootstrapd, requireBootstrapd, startBootstrapd } from '../support/bootstrapd.js';
import { Connection, FileControl, FileKind, MessageType, ToxcoreError, UserStatus } from '../support/toxcore/constants.js';
import { toxIsDataEncrypted, toxPassDecrypt, toxPassEncrypt } from '../support/toxcore/encryptsave.js';
import { ToxcoreInstance, type ToxcoreOptions } from '../support/toxcore/instance.js';
import { requireToxcore, toxcoreVersion } from '../support/toxcore/lib.js';
import { nativeSodium, nativeSodiumAvailable } from '../support/native-sodium.js';
import { requirePrivateNetwork } from '../support/netns.js';

// Each require* throws in CI when its precondition is missing; outside CI the suites skip.
const runTox = requirePrivateNetwork() && requireToxcore() !== null;
const runBootstrapd = runTox && requireBootstrapd();

const TIMEOUT = 90_000;
const ONLINE_MS = 40_000;
const SHORT_MS = 10_000;

const live: ToxcoreInstance[] = [];
async function make(options?: ToxcoreOptions): Promise<ToxcoreInstance> {
  const instance = await ToxcoreInstance.create(options);
  live.push(instance);
  return instance;
}

afterEach(() => {
  for (const instance of live.splice(0)) instance.kill();
});

/** ToxcoreError's C error name, for `expect(...).toThrow`-style checks. */
function errorName(body: () => unknown): string | undefined {
  try {
    body();
  } catch (error) {
    if (error instanceof ToxcoreError) return error.codeName;
    throw error;
  }
  return undefined;
}

describe.skipIf(!runTox)('c-toxcore harness', () => {
  test('loads libtoxcore 0.2.x', () => {
    expect(toxcoreVersion()).toMatch(/^0\.2\.\d+$/);
  });

  test('two instances on loopback: friends, messages, packets, files, conference', async () => {
    const a = await make();
    const b = await make();
    const both = [a, b];
    expect(a.udpPort).not.toBe(b.udpPort);

    const requests: string[] = [];
    b.on('friend_request', (pk, message) => {
      requests.push(message);
      b.friendAddNoRequest(pk);
    });
    b.bootstrap('127.0.0.1', a.udpPort, a.dhtId);
    const bOnA = a.friendAdd(b.address, 'hello from A');
    const aOnB = (): number | undefined => b.friendList()[0];

    const onlineMs = await ToxcoreInstance.iterateUntil(both, () => {
      const friend = aOnB();
      return a.friendConnectionStatus(bOnA) !== Connection.NONE
        && friend !== undefined && b.friendConnectionStatus(friend) !== Connection.NONE;
    }, { timeoutMs: ONLINE_MS, what: 'both friend connections' });
    const friendA = aOnB() ?? -1;
    expect(requests).toEqual(['hello from A']);
    expect(b.friendPublicKey(friendA)).toEqual(a.publicKey);
    expect(b.friendByPublicKey(a.publicKey)).toBe(friendA);
    expect(onlineMs).toBeLessThan(ONLINE_MS);

    // messages, read receipt, profile propagation
    const messages: Array<[number, string]> = [];
    const receipts: number[] = [];
    b.on('friend_message', (_friend, type, text) => messages.push([type, text]));
    a.on('friend_read_receipt', (_friend, id) => receipts.push(id));
    const id = a.friendSendMessage(bOnA, 'ping');
    a.friendSendMessage(bOnA, 'waves', MessageType.ACTION);
    a.name = 'Alice';
    a.statusMessage = 'testing';
    a.userStatus = UserStatus.AWAY;
    await ToxcoreInstance.iterateUntil(both, () => messages.length === 2 && receipts.includes(id)
      && b.friendName(friendA) === 'Alice' && b.friendUserStatus(friendA) === UserStatus.AWAY,
    { timeoutMs: SHORT_MS, what: 'messages, receipt and profile' });
    expect(messages).toEqual([[MessageType.NORMAL, 'ping'], [MessageType.ACTION, 'waves']]);
    expect(b.friendStatusMessage(friendA)).toBe('testing');

    // lossless custom packet
    const packets: Uint8Array[] = [];
    b.on('friend_lossless_packet', (_friend, data) => packets.push(data));
    a.friendSendLosslessPacket(bOnA, Uint8Array.of(160, 1, 2, 3));
    await ToxcoreInstance.iterateUntil(both, () => packets.length === 1, { timeoutMs: SHORT_MS, what: 'packet' });
    expect(packets[0]).toEqual(Uint8Array.of(160, 1, 2, 3));

    // file transfer A → B (several chunks)
    const content = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) % 256);
    const received = new Uint8Array(content.length);
    let receivedBytes = 0;
    let done = false;
    b.on('file_recv', (friend, file, kind, size, filename) => {
      expect([kind, size, filename]).toEqual([FileKind.DATA, BigInt(content.length), 'data.bin']);
      b.fileControl(friend, file, FileControl.RESUME);
    });
    b.on('file_recv_chunk', (_friend, _file, position, data) => {
      if (data.length === 0) done = true;
      received.set(data, position);
      receivedBytes += data.length;
    });
    a.on('file_chunk_request', (friend, file, position, length) => {
      if (length > 0) a.fileSendChunk(friend, file, position, content.subarray(position, position + length));
    });
    const fileId = Uint8Array.from({ length: 32 }, (_, i) => i);
    const fileNumber = a.fileSend(bOnA, FileKind.DATA, content.length, fileId, 'data.bin');
    expect(a.fileGetFileId(bOnA, fileNumber)).toEqual(fileId);
    await ToxcoreInstance.iterateUntil(both, () => done || receivedBytes === content.length,
      { timeoutMs: SHORT_MS, what: 'file transfer' });
    expect(received).toEqual(content);

    // conference: A creates, invites B; B joins from the invite callback
    let joined: number | undefined;
    b.on('conference_invite', (friend, _type, cookie) => {
      joined = b.conferenceJoin(friend, cookie);
    });
    const conference = a.conferenceNew();
    a.conferenceSetTitle(conference, 'interop');
    a.conferenceInvite(bOnA, conference);
    await ToxcoreInstance.iterateUntil(both, () => joined !== undefined
      && a.conferencePeerCount(conference) === 2 && b.conferencePeerCount(joined) === 2,
    { timeoutMs: SHORT_MS, what: 'conference join' });
    const joinedB = joined ?? -1;
    expect(b.conferenceGetId(joinedB)).toEqual(a.conferenceGetId(conference));
    expect(b.conferenceChatlist()).toEqual([joinedB]);

    const conferenceMessages: string[] = [];
    b.on('conference_message', (conf, peer, _type, text) => {
      if (!b.conferencePeerNumberIsOurs(conf, peer)) conferenceMessages.push(text);
    });
    a.conferenceSendMessage(conference, 'hello conference');
    await ToxcoreInstance.iterateUntil(both, () => conferenceMessages.length === 1,
      { timeoutMs: SHORT_MS, what: 'conference message' });
    expect(conferenceMessages).toEqual(['hello conference']);
    await ToxcoreInstance.iterateUntil(both, () => errorName(() => b.conferenceGetTitle(joinedB)) === undefined
      && b.conferenceGetTitle(joinedB) === 'interop', { timeoutMs: SHORT_MS, what: 'conference title' });
    const peerKeys = [0, 1].map((peer) => Buffer.from(b.conferencePeerPublicKey(joinedB, peer)).toString('hex'));
    expect(peerKeys.sort()).toEqual([a.publicKey, b.publicKey].map((k) => Buffer.from(k).toString('hex')).sort());
  }, TIMEOUT);

  test('savedata round trip keeps the identity, profile and friends', async () => {
    const a = await make();
    a.name = 'Saved';
    a.nospam = 0x01020304;
    const friendKey = (await make()).publicKey;
    a.friendAddNoRequest(friendKey);
    const blob = a.savedata();
    const address = a.address;
    a.kill();

    const restored = await make({ savedata: blob });
    expect(restored.address).toEqual(address);
    expect(restored.nospam).toBe(0x01020304);
    expect(restored.name).toBe('Saved');
    expect(restored.friendList()).toHaveLength(1);
    expect(restored.friendPublicKey(0)).toEqual(friendKey);

    const fromKey = await make({ secretKey: restored.secretKey });
    expect(fromKey.publicKey).toEqual(restored.publicKey);
  }, TIMEOUT);

  test('toxencryptsave round trip', async () => {
    const a = await make();
    const blob = a.savedata();
    const encrypted = toxPassEncrypt(blob, 'correct horse');
    expect(encrypted.length).toBe(blob.length + 80);
    expect(toxIsDataEncrypted(encrypted)).toBe(true);
    expect(toxIsDataEncrypted(blob)).toBe(false);
    expect(toxPassDecrypt(encrypted, 'correct horse')).toEqual(blob);
    expect(errorName(() => toxPassDecrypt(encrypted, 'wrong'))).toBe('TOX_ERR_DECRYPTION_FAILED');
    await expect(make({ savedata: encrypted })).rejects.toThrow('TOX_ERR_NEW_LOAD_ENCRYPTED');
  }, TIMEOUT);

  test('C errors surface with their TOX_ERR names', async () => {
    const a = await make();
    expect(errorName(() => a.friendAdd(a.address, 'me'))).toBe('TOX_ERR_FRIEND_ADD_OWN_KEY');
    const corrupt = a.address;
    corrupt[37] = (corrupt[37] ?? 0) ^ 0xff;
    expect(errorName(() => a.friendAdd(corrupt, 'hi'))).toBe('TOX_ERR_FRIEND_ADD_BAD_CHECKSUM');
    expect(errorName(() => a.tcpPort)).toBe('TOX_ERR_GET_PORT_NOT_BOUND');
    expect(errorName(() => a.friendSendMessage(7, 'x'))).toBe('TOX_ERR_FRIEND_SEND_MESSAGE_FRIEND_NOT_FOUND');
    const port = a.udpPort;
    await expect(make({ startPort: port })).rejects.toThrow('TOX_ERR_NEW_PORT_ALLOC');
  }, TIMEOUT);
});

describe.skipIf(!runBootstrapd)('tox-bootstrapd harness', () => {
  let daemon: Bootstrapd | undefined;
  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
  });

  test('a c-toxcore node bootstraps to tox-bootstrapd over UDP', async () => {
    daemon = await startBootstrapd({ tcpRelay: true });
    expect(daemon.publicKey).toHaveLength(32);
    expect(daemon.tcpPort).not.toBeNull();

    const node = await make();
    const statuses: Connection[] = [];
    node.on('self_connection_status', (status) => statuses.push(status));
    node.bootstrap('127.0.0.1', daemon.udpPort, daemon.publicKey);
    await ToxcoreInstance.iterateUntil([node], () => node.connectionStatus !== Connection.NONE,
      { timeoutMs: ONLINE_MS, what: 'self connection via tox-bootstrapd' });
    expect(statuses.at(-1)).not.toBe(Connection.NONE);
  }, TIMEOUT);
});

describe.skipIf(!nativeSodiumAvailable())('native libsodium bindings', () => {
  test('precomputed crypto_box round trip between two X25519 key pairs', () => {
    const sodium = nativeSodium();
    const [skA, skB] = [sodium.randomBytes(32), sodium.randomBytes(32)];
    const shared = sodium.boxBeforenm(sodium.scalarmultBase(skB), skA);
    expect(sodium.boxBeforenm(sodium.scalarmultBase(skA), skB)).toEqual(shared);
    const nonce = sodium.randomBytes(24);
    const message = new TextEncoder().encode('tocsin');
    const boxed = sodium.boxEasyAfternm(message, nonce, shared);
    expect(boxed).toHaveLength(message.length + 16);
    expect(sodium.boxOpenEasyAfternm(boxed, nonce, shared)).toEqual(message);
    boxed[0] = (boxed[0] ?? 0) ^ 1;
    expect(sodium.boxOpenEasyAfternm(boxed, nonce, shared)).toBeNull();
  });
});
