// Our complete node (ToxNode: DHT, onion, net_crypto, TCP client, friend_connection, friend
// requests, Messenger) against c-toxcore 0.2.18 on loopback (issue #5): a friend request with a
// message each way, accepted; the friend comes online; 10,000 messages each way exactly once, in
// order, each with its receipt; name, status message, user status and typing both ways; a custom
// lossless packet each way; a 10 MiB file each way (SHA-256) with a pause/resume, and a cancel;
// our node restarts from its saved profile and the friendship comes
// back by itself; c-toxcore restarts from its savedata and comes back too; a message sent while the
// friend goes away is reported (undelivered or refused), never lost silently.
// Real sockets and time, so only inside a private network namespace:
//   unshare -n sh -c 'ip link set lo up && exec npx vitest run test/interop/friends.test.ts'
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, test } from 'vitest';
import { toHex } from '../../src/base/index.js';
import { sha256 } from '../../src/crypto/index.js';
import { ipPort } from '../../src/net/index.js';
import { publicKeyHex } from '../../src/runtime/events.js';
import { ToxNode } from '../../src/runtime/tox-node.js';
import { requirePrivateNetwork } from '../support/netns.js';
import { Connection, FileControl, MessageType, UserStatus } from '../support/toxcore/constants.js';
import { ToxcoreInstance } from '../support/toxcore/instance.js';
import { requireToxcore } from '../support/toxcore/lib.js';
import { startOurNode } from '../support/our-node.js';
import { waitUntil } from '../support/wait.js';

const runTox = requirePrivateNetwork() && requireToxcore() !== null;
const COUNT = 10_000;
const MiB = 1024 * 1024;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const ourNode = (dir: string, name: string): Promise<ToxNode> => startOurNode(dir, name, cleanups);

async function toxcore(bootstrapTo: readonly ToxNode[]): Promise<ToxcoreInstance> {
  const tox = await ToxcoreInstance.create({ localDiscovery: false });
  cleanups.push(() => tox.kill());
  for (const n of bootstrapTo) tox.bootstrap('127.0.0.1', n.udpAddress.port, n.dhtPublicKey);
  tox.startLoop(1);
  return tox;
}

const until = (what: string, predicate: () => boolean, timeoutMs = 60_000): Promise<number> => waitUntil(what, predicate, timeoutMs);

function link(ours: ToxNode, helpers: readonly ToxNode[], tox: ToxcoreInstance): void {
  for (const h of helpers) ours.dhtEngine.bootstrap({ address: h.udpAddress, publicKey: h.dhtPublicKey });
  ours.dhtEngine.bootstrap({ address: ipPort('127.0.0.1', tox.udpPort), publicKey: tox.dhtId });
}

describe.skipIf(!runTox)('friends: our node ⇄ c-toxcore', () => {
  // Regression (issue #5): with no third node, our node restarts (same port, new DHT key) and the
  // friend, which only knows our old DHT key, must find us again (c-toxcore on both sides: ≤ 40 s).
  // Its announce entry's return path still crosses our old session, and its DHT does not list our
  // new key for a while: our relay's return-blob key survives the restart and our DHT-PK names us.
  test('2-node network: after our restart (new DHT key) the friend is back within 60 s', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tocsin-friends2-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const ours = await ourNode(dir, 'ours');
    const tox = await toxcore([ours]);
    ours.on('friendRequest', (pk) => ours.acceptFriendRequest(pk));
    const usOnTox = tox.friendAdd(ours.toxIdText, 'hi');
    const toxKey = publicKeyHex(tox.publicKey);
    await until('both online', () => tox.friendConnectionStatus(usOnTox) !== Connection.NONE && ours.friends()[0]?.connection !== undefined && ours.friends()[0]!.connection !== 'none', 90_000);
    const oldDhtKey = toHex(ours.dhtPublicKey);
    await ours.stop();
    await until('c-toxcore sees us offline', () => tox.friendConnectionStatus(usOnTox) === Connection.NONE, 60_000);
    await ours.start();
    expect(toHex(ours.dhtPublicKey)).not.toBe(oldDhtKey);
    const layers = ours.layers;
    const counts = (m: Map<string, number>): string => JSON.stringify(Object.fromEntries(m));
    const backMs = await until('the friendship back after the restart', () => ours.friend(toxKey).connection !== 'none' && tox.friendConnectionStatus(usOnTox) !== Connection.NONE, 60_000).catch((err: Error) => {
      throw new Error(`${err.message}; onion ${JSON.stringify(layers.onion.counters)}, relay drops ${counts(layers.onionRelay.drops.byReason)}, net_crypto received ${JSON.stringify(layers.netCrypto.counters.received)}`);
    });
    const got: string[] = [];
    tox.on('friend_message', (_f, _t, text) => got.push(text));
    ours.sendMessage(toxKey, 'back');
    await until('a message after the restart', () => got.includes('back'), 10_000);
    console.info(`[friends interop] 2-node restart: friend back online in ${Math.round(backMs)} ms`);
  }, 240_000);

  test('request both ways, online, 10,000 messages each way with receipts, profile fields, custom packets, restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tocsin-friends-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const helpers = [await ourNode(dir, 'h1'), await ourNode(dir, 'h2')];
    helpers[1]!.dhtEngine.bootstrap({ address: helpers[0]!.udpAddress, publicKey: helpers[0]!.dhtPublicKey });
    const ours = await ourNode(dir, 'ours');
    const tox = await toxcore([...helpers, ours]);
    link(ours, helpers, tox);

    // c-toxcore → us: a request with a message, which we accept.
    const requests: string[] = [];
    ours.on('friendRequest', (pk, message) => {
      requests.push(message);
      ours.acceptFriendRequest(pk);
    });
    const start = performance.now();
    const usOnTox = tox.friendAdd(ours.toxIdText, 'hello from c-toxcore');
    const onlineMs = await until('both online', () => tox.friendConnectionStatus(usOnTox) !== Connection.NONE && ours.friends()[0]?.connection !== undefined && ours.friends()[0]!.connection !== 'none', 90_000);
    expect(requests).toEqual(['hello from c-toxcore']);
    const toxKey = publicKeyHex(tox.publicKey);
    expect(ours.friends()[0]!.publicKey).toBe(toxKey);
    console.info(`[friends interop] c-toxcore request → both online in ${Math.round(onlineMs)} ms (started ${Math.round(start)} ms)`);

    // 10,000 messages each way, in order, each with its receipt.
    const atTox: string[] = [];
    tox.on('friend_message', (_f, _t, text) => atTox.push(text));
    const receiptsOurs: number[] = [];
    ours.on('friendReceipt', (_f, id) => receiptsOurs.push(id));
    const ids: number[] = [];
    let t0 = performance.now();
    for (let i = 0; i < COUNT; i++) ids.push(ours.sendMessage(toxKey, `ours ${i}`));
    await until('our messages and receipts', () => atTox.length >= COUNT && receiptsOurs.length >= COUNT, 120_000);
    const oursToToxMs = performance.now() - t0;
    expect(atTox).toEqual(Array.from({ length: COUNT }, (_, i) => `ours ${i}`));
    expect(receiptsOurs).toEqual(ids);

    const atOurs: string[] = [];
    ours.on('friendMessage', (_f, text) => atOurs.push(text));
    const receiptsTox = new Set<number>();
    tox.on('friend_read_receipt', (_f, id) => receiptsTox.add(id));
    const toxIds: number[] = [];
    t0 = performance.now();
    let next = 0;
    // c-toxcore's own send queue: keep at most 2,048 unreceipted in flight.
    await until('c-toxcore messages and receipts', () => {
      while (next < COUNT && next - receiptsTox.size < 2048) toxIds.push(tox.friendSendMessage(usOnTox, `tox ${next++}`));
      return atOurs.length >= COUNT && receiptsTox.size >= COUNT;
    }, 180_000);
    const toxToOursMs = performance.now() - t0;
    expect(atOurs).toEqual(Array.from({ length: COUNT }, (_, i) => `tox ${i}`));
    expect(toxIds.every((id) => receiptsTox.has(id))).toBe(true);
    console.info(`[friends interop] 10,000 messages with receipts: ours → c-toxcore ${Math.round(oursToToxMs)} ms (${Math.round(COUNT / (oursToToxMs / 1000))} msg/s), c-toxcore → ours ${Math.round(toxToOursMs)} ms (${Math.round(COUNT / (toxToOursMs / 1000))} msg/s)`);

    // Name, status message, user status, typing: both ways.
    ours.setName('Tocsin');
    ours.setStatusMessage('a bot');
    ours.setStatus('away');
    ours.setTyping(toxKey, true);
    tox.name = 'Toxcore';
    tox.statusMessage = 'a client';
    tox.userStatus = UserStatus.BUSY;
    tox.setTyping(usOnTox, true);
    await until('profile fields both ways', () => {
      const f = ours.friend(toxKey);
      return tox.friendName(usOnTox) === 'Tocsin' && tox.friendStatusMessage(usOnTox) === 'a bot' && tox.friendUserStatus(usOnTox) === UserStatus.AWAY && tox.friendTyping(usOnTox)
        && f.name === 'Toxcore' && f.statusMessage === 'a client' && f.status === 'busy' && f.typing;
    }, 10_000);

    // A custom lossless packet each way.
    const atToxPackets: Uint8Array[] = [];
    tox.on('friend_lossless_packet', (_f, data) => atToxPackets.push(data));
    const atOursPackets: Uint8Array[] = [];
    ours.on('friendLosslessPacket', (_f, data) => atOursPackets.push(data));
    ours.sendLosslessPacket(toxKey, Uint8Array.of(165, 1, 2, 3));
    tox.friendSendLosslessPacket(usOnTox, Uint8Array.of(180, 4, 5));
    await until('custom packets', () => atToxPackets.length === 1 && atOursPackets.length === 1, 10_000);
    expect([...atToxPackets[0]!]).toEqual([165, 1, 2, 3]);
    expect([...atOursPackets[0]!]).toEqual([180, 4, 5]);

    // A 10 MiB file each way (SHA-256 checked); the one from c-toxcore is paused and resumed by us.
    const toTox = randomBytes(10 * MiB);
    const fromTox = randomBytes(10 * MiB);
    const rxTox = new Uint8Array(toTox.length);
    const rxOurs = new Uint8Array(fromTox.length);
    let toxDone = false;
    let oursDone = false;
    let oursBytes = 0;
    const toxControls: number[] = [];
    const ourControls: string[] = [];
    ours.on('fileChunkRequest', (f, file, position, length) => {
      if (length > 0) ours.fileSendChunk(f.number, file, position, toTox.subarray(Number(position), Number(position) + length));
    });
    tox.on('file_recv', (f, file) => tox.fileControl(f, file, FileControl.RESUME));
    tox.on('file_recv_chunk', (_f, _file, position, data) => {
      if (data.length === 0) toxDone = true;
      else rxTox.set(data, position);
    });
    tox.on('file_recv_control', (_f, _file, control) => toxControls.push(control));
    tox.on('file_chunk_request', (f, file, position, length) => {
      if (length > 0) tox.fileSendChunk(f, file, position, (file === cancelFile ? toTox : fromTox).subarray(position, position + length));
    });
    ours.on('fileOffer', (f, offer) => ours.fileControl(f.number, offer.fileNumber, 'accept'));
    ours.on('fileChunk', (_f, _file, position, data) => {
      rxOurs.set(data, Number(position));
      oursBytes += data.length;
    });
    ours.on('fileCompleted', (_f, file) => {
      if (file >= 65536) oursDone = true;
    });
    ours.on('fileControl', (_f, _file, control) => ourControls.push(control));
    let cancelFile = -1;
    t0 = performance.now();
    ours.sendFile(toxKey, { size: toTox.length, name: 'to-toxcore.bin' });
    const toxFile = tox.fileSend(usOnTox, 0, fromTox.length, null, 'to-tocsin.bin');
    await until('1 MiB from c-toxcore', () => oursBytes > MiB, 60_000);
    ours.fileControl(toxKey, (toxFile + 1) << 16, 'pause');
    await until('c-toxcore sees the pause', () => toxControls.includes(FileControl.PAUSE), 10_000);
    await sleep(300);
    const paused = oursBytes;
    await sleep(300);
    expect(oursBytes).toBe(paused);
    ours.fileControl(toxKey, (toxFile + 1) << 16, 'resume');
    await until('both 10 MiB files', () => toxDone && oursDone, 240_000);
    const filesMs = performance.now() - t0;
    expect(toHex(sha256(rxTox))).toBe(toHex(sha256(toTox)));
    expect(toHex(sha256(rxOurs))).toBe(toHex(sha256(fromTox)));
    console.info(`[friends interop] 10 MiB each way (with a pause) in ${Math.round(filesMs)} ms`);

    // A file from c-toxcore that we cancel midway: c-toxcore is told.
    const before = toxControls.length;
    oursBytes = 0;
    cancelFile = tox.fileSend(usOnTox, 0, toTox.length, null, 'cancel-me.bin');
    await until('some of the file to cancel', () => oursBytes > 256 * 1024, 60_000);
    ours.fileControl(toxKey, (cancelFile + 1) << 16, 'cancel');
    await until('c-toxcore sees the cancel', () => toxControls.slice(before).includes(FileControl.CANCEL), 10_000);

    // Us → a second c-toxcore: our request with a message, accepted there.
    const tox2 = await toxcore([...helpers, ours]);
    const toxRequests: string[] = [];
    tox2.on('friend_request', (pk, message) => {
      toxRequests.push(message);
      tox2.friendAddNoRequest(pk);
    });
    const tox2Key = publicKeyHex(tox2.publicKey);
    ours.addFriend(tox2.addressHex, 'hello from tocsin');
    const online2Ms = await until('the second c-toxcore online', () => ours.friend(tox2Key).connection !== 'none' && tox2.friendList().length === 1 && tox2.friendConnectionStatus(0) !== Connection.NONE, 90_000);
    expect(toxRequests).toEqual(['hello from tocsin']);
    expect(ours.friend(tox2Key).request).toBe('confirmed');
    const got2: string[] = [];
    tox2.on('friend_message', (_f, type, text) => got2.push(`${type}:${text}`));
    ours.sendMessage(tox2Key, 'waves', 'action');
    await until('the action', () => got2.length === 1, 10_000);
    expect(got2).toEqual([`${MessageType.ACTION}:waves`]);
    console.info(`[friends interop] our request → second c-toxcore online in ${Math.round(online2Ms)} ms`);

    // Restart from the saved profile: the friendship comes back by itself.
    await ours.stop();
    await until('c-toxcore sees us offline', () => tox.friendConnectionStatus(usOnTox) === Connection.NONE, 60_000);
    await ours.start();
    link(ours, helpers, tox);
    expect(ours.friends().map((f) => f.publicKey).sort()).toEqual([toxKey, tox2Key].sort());
    expect(() => ours.sendMessage(toxKey, 'too early')).toThrow(expect.objectContaining({ code: 'FRIEND_NOT_CONNECTED' }));
    const backMs = await until('the friendship back after the restart', () => ours.friend(toxKey).connection !== 'none' && tox.friendConnectionStatus(usOnTox) !== Connection.NONE, 90_000);
    const afterRestart: string[] = [];
    tox.on('friend_message', (_f, _t, text) => afterRestart.push(text));
    ours.sendMessage(toxKey, 'back again');
    await until('a message after the restart', () => afterRestart.includes('back again'), 10_000);
    console.info(`[friends interop] after our restart the friend is back online in ${Math.round(backMs)} ms`);

    // c-toxcore restarts from its savedata; a message sent as it goes away is reported, never lost silently.
    const saved = tox.savedata();
    const undelivered: number[] = [];
    ours.on('friendUndelivered', (_f, list) => undelivered.push(...list));
    tox.kill();
    let lostId: number | undefined;
    try {
      lostId = ours.sendMessage(toxKey, 'sent while c-toxcore goes away');
    } catch (err) {
      expect((err as { code?: string }).code).toBe('FRIEND_NOT_CONNECTED');
    }
    await until('c-toxcore offline for us', () => ours.friend(toxKey).connection === 'none', 90_000);
    if (lostId !== undefined) expect(undelivered).toContain(lostId);
    const toxAgain = await ToxcoreInstance.create({ localDiscovery: false, savedata: saved });
    cleanups.push(() => toxAgain.kill());
    for (const n of [...helpers, ours]) toxAgain.bootstrap('127.0.0.1', n.udpAddress.port, n.dhtPublicKey);
    toxAgain.startLoop(1);
    const againMs = await until('the friendship back after c-toxcore restarts', () => ours.friend(toxKey).connection !== 'none' && toxAgain.friendConnectionStatus(0) !== Connection.NONE, 90_000);
    console.info(`[friends interop] after c-toxcore restarts from its savedata the friend is back online in ${Math.round(againMs)} ms`);
  }, 600_000);
});
