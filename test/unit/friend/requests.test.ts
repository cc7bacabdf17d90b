// Friend requests (tox-protocol.md §7.2) through the real filter with a fake onion and friend
// layer: nospam match, dedup of resends, already-friends, malformed and oversized packets,
// the admission hook, and a flood from many keys that the rate limit bounds.
import { EventEmitter } from 'eventemitter3';
import { describe, expect, it } from 'vitest';
import { ManualScheduler, SeededRandom, silentLogger, utf8Encode } from '../../../src/base/index.js';
import { generateKeyPair, type LongTermPublicKey } from '../../../src/crypto/index.js';
import { FriendRequests, FriendRequestBody, type FriendConnections } from '../../../src/friend/index.js';
import type { OnionClient } from '../../../src/onion/index.js';

function setup(options: { burst?: number; perMinute?: number } = {}) {
  const scheduler = new ManualScheduler();
  const random = new SeededRandom(77);
  const onion = new EventEmitter();
  const connections = new EventEmitter();
  const nospam = Uint8Array.of(1, 2, 3, 4);
  const friends = new Set<string>();
  const requests = new FriendRequests(
    {
      scheduler,
      log: silentLogger(),
      onion: onion as unknown as OnionClient,
      connections: connections as unknown as FriendConnections,
      nospam: () => nospam,
      isFriend: (pk) => friends.has(pk.join()),
    },
    options,
  );
  const got: string[] = [];
  requests.on('request', (_pk, msg) => got.push(new TextDecoder().decode(msg)));
  requests.start();
  const key = (): LongTermPublicKey => generateKeyPair<LongTermPublicKey, never>(random).publicKey;
  const viaOnion = (from: LongTermPublicKey, data: Uint8Array): void => void onion.emit('onionData', 0x20, from, data);
  return { scheduler, requests, onion, connections, nospam, friends, got, key, viaOnion };
}

describe('friend requests', () => {
  it('accepts a well-formed request once and drops resends, wrong nospam and friends', () => {
    const t = setup();
    const a = t.key();
    t.viaOnion(a, FriendRequestBody.encode({ nospam: t.nospam, message: utf8Encode('hi') }));
    t.viaOnion(a, FriendRequestBody.encode({ nospam: t.nospam, message: utf8Encode('hi') }));
    t.viaOnion(t.key(), FriendRequestBody.encode({ nospam: Uint8Array.of(9, 9, 9, 9), message: utf8Encode('spam') }));
    const friend = t.key();
    t.friends.add(friend.join());
    t.viaOnion(friend, FriendRequestBody.encode({ nospam: t.nospam, message: utf8Encode('again') }));
    t.connections.emit('friendRequest', t.key(), t.nospam, utf8Encode('direct'));
    expect(t.got).toEqual(['hi', 'direct']);
    expect(Object.fromEntries(t.requests.drops)).toEqual({ duplicate: 1, wrongNospam: 1, alreadyFriend: 1 });
  });

  it('drops empty, oversized and truncated requests without throwing', () => {
    const t = setup();
    t.viaOnion(t.key(), new Uint8Array(4));
    t.viaOnion(t.key(), Uint8Array.of(1, 2));
    const big = new Uint8Array(4 + 1017);
    big.set(t.nospam);
    t.viaOnion(t.key(), big);
    t.onion.emit('onionData', 0x21, t.key(), new Uint8Array(10));
    expect(t.got).toEqual([]);
    expect(t.requests.drops.get('malformed')).toBe(3);
  });

  it('the admission hook can deny, and a flood from many keys is rate-limited in constant memory', async () => {
    const t = setup({ burst: 5, perMinute: 60 });
    t.requests.admission = (_pk, msg) => new TextDecoder().decode(msg) !== 'deny me';
    t.viaOnion(t.key(), FriendRequestBody.encode({ nospam: t.nospam, message: utf8Encode('deny me') }));
    for (let i = 0; i < 10_000; i++) t.viaOnion(t.key(), FriendRequestBody.encode({ nospam: t.nospam, message: utf8Encode(`flood ${i}`) }));
    expect(t.got).toHaveLength(4);
    expect(t.requests.drops.get('denied')).toBe(1);
    expect(t.requests.drops.get('rateLimited')).toBe(10_000 - 4);
    // One token per second afterwards.
    await t.scheduler.advance(1_000);
    t.viaOnion(t.key(), FriendRequestBody.encode({ nospam: t.nospam, message: utf8Encode('later') }));
    expect(t.got.at(-1)).toBe('later');
    t.requests.stop();
    expect(t.onion.listenerCount('onionData')).toBe(0);
  });
});
