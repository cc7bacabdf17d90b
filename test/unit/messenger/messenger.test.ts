// Messenger API misuse and hostile packets, on a two-node simulated network (no loss): typed
// errors with stable codes, packets from a friend that is not online or malformed ones dropped,
// oversized names cut by the codec limits, nospam change refusing old requests, delete friend.
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../../src/base/index.js';
import { simFriendPair } from './stack.js';

// Known DHT keys (as a conference peer list gives them): no onion search needed.
const pair = () => simFriendPair(11, { latencyMs: 5 }, '10.1.0', 30_000);

describe('Messenger', () => {
  it('throws typed errors for misuse', async () => {
    const { a, b } = await pair();
    const m = a.messenger;
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (err) {
        return (err as { code?: string }).code;
      }
      return undefined;
    };
    expect(code(() => m.sendMessage(7, utf8Encode('x')))).toBe('FRIEND_NOT_FOUND');
    expect(code(() => m.sendMessage(0, new Uint8Array(0)))).toBe('NO_MESSAGE');
    expect(code(() => m.sendMessage(0, new Uint8Array(1373)))).toBe('MESSAGE_TOO_LONG');
    expect(m.sendMessage(0, new Uint8Array(1372).fill(65))).toBe(1);
    expect(code(() => m.addFriendNoRequest(b.keys.publicKey))).toBe('FRIEND_ALREADY_ADDED');
    expect(code(() => m.addFriendNoRequest(a.keys.publicKey))).toBe('OWN_KEY');
    expect(code(() => m.addFriend({ publicKey: b.keys.publicKey, nospam: new Uint8Array(4) }, new Uint8Array(0)))).toBe('NO_MESSAGE');
    expect(code(() => m.addFriend({ publicKey: b.keys.publicKey, nospam: new Uint8Array(4) }, new Uint8Array(1017)))).toBe('MESSAGE_TOO_LONG');
    expect(code(() => m.setName(new Uint8Array(129)))).toBe('MESSAGE_TOO_LONG');
    expect(code(() => m.setStatusMessage(new Uint8Array(1008)))).toBe('MESSAGE_TOO_LONG');
    expect(code(() => m.sendLosslessPacket(0, Uint8Array.of(150)))).toBe('BAD_PACKET_ID');
    expect(code(() => m.sendLossyPacket(0, Uint8Array.of(199)))).toBe('BAD_PACKET_ID');
    expect(code(() => m.sendLosslessPacket(0, new Uint8Array(1374).fill(160)))).toBe('MESSAGE_TOO_LONG');
  });

  it('drops malformed packets and ignores bad user status values', async () => {
    const { scheduler, a, b } = await pair();
    const names: number[] = [];
    b.messenger.on('friendName', () => names.push(1));
    const send = (bytes: number[]): void => void a.nc.sendLossless(b.keys.publicKey, Uint8Array.from(bytes));
    send([0x30, ...new Uint8Array(129)]); // name over 128 bytes
    send([0x32, 7]); // unknown user status
    send([0x33]); // typing without a byte
    send([0x40]); // empty message
    send([0x18, 1]); // ONLINE with a payload
    send([0x7f, 1]); // unknown id
    send([0x11, 1, 2, 3]); // malformed share relays
    await scheduler.advance(1_000);
    expect(names).toEqual([]);
    expect(b.messenger.drops).toEqual({ notOnline: 0, malformed: 5, unknownId: 1 });
    expect(b.connections.drops.get('malformedShareRelays')).toBe(1);
    expect(b.messenger.friendInfo(0).online).toBe(true);
  });

  it('deleting a friend takes it offline on both sides', async () => {
    const { scheduler, a, b } = await pair();
    a.messenger.deleteFriend(0);
    expect(a.messenger.friendNumbers()).toEqual([]);
    await scheduler.runUntil(() => !b.messenger.friendInfo(0).online, { timeoutMs: 5_000 });
  });
});
