import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/base/index.js';
import { generateKeyPair, keyId, type DhtPublicKey } from '../../../src/crypto/index.js';
import { ipPort } from '../../../src/net/index.js';
import { BAD_NODE_TIMEOUT_MS, CLOSE_BUCKET_SIZE, closer, commonPrefixBits } from '../../../src/dht/index.js';
import { CloseList } from '../../../src/dht/close-list.js';
import { DhtFriend } from '../../../src/dht/dht-friend.js';
import { DhtTables } from '../../../src/dht/tables.js';

const random = new SeededRandom(7);
const newKey = (): DhtPublicKey => generateKeyPair<DhtPublicKey, never>(random).publicKey;

/** A key sharing exactly `bits` leading bits with `base`. */
function keyInBucket(base: Uint8Array, bits: number): DhtPublicKey {
  const k = new Uint8Array(random.bytes(32));
  const byte = Math.floor(bits / 8);
  const r = bits % 8;
  k.set(base.subarray(0, byte));
  const keep = (0xff << (8 - r)) & 0xff;
  const flip = 0x80 >> r;
  k[byte] = (base[byte]! & keep) | (~base[byte]! & flip) | (k[byte]! & (flip - 1));
  return k as DhtPublicKey;
}

describe('close list', () => {
  let self: DhtPublicKey;
  beforeAll(() => {
    self = newKey();
  });

  it('files nodes by common prefix and caps the bucket at 8 (first come, no eviction)', () => {
    const list = new CloseList(self);
    const keys = Array.from({ length: 10 }, () => keyInBucket(self, 3));
    for (const k of keys) expect(commonPrefixBits(k, self)).toBe(3);
    const added = keys.map((k, i) => list.add(k, keyId(k), ipPort('10.0.0.1', 1000 + i), 0));
    expect(added.filter(Boolean)).toHaveLength(CLOSE_BUCKET_SIZE);
    expect(added.slice(8)).toEqual([false, false]);
    expect(list.canAdd(keys[9]!, 0)).toBe(false);
    // Another bucket is unaffected.
    expect(list.canAdd(keyInBucket(self, 4), 0)).toBe(true);
  });

  it('lets a new node take the slot of a bad one (122 s without news)', () => {
    const list = new CloseList(self);
    const keys = Array.from({ length: 9 }, () => keyInBucket(self, 1));
    keys.slice(0, 8).forEach((k, i) => list.add(k, keyId(k), ipPort('10.0.0.1', 2000 + i), 0));
    expect(list.add(keys[8]!, keyId(keys[8]!), ipPort('10.0.0.2', 1), BAD_NODE_TIMEOUT_MS - 1)).toBe(false);
    // Keep one node fresh; the rest go bad.
    list.refresh(keys[0]!, keyId(keys[0]!), ipPort('10.0.0.1', 2000), 100_000);
    expect(list.add(keys[8]!, keyId(keys[8]!), ipPort('10.0.0.2', 1), BAD_NODE_TIMEOUT_MS)).toBe(true);
    expect(list.get(keyId(keys[0]!))).toBeDefined();
    expect(list.get(keyId(keys[8]!))).toBeDefined();
  });

  it('never lets a LAN address replace a non-LAN one', () => {
    const list = new CloseList(self);
    const k = keyInBucket(self, 5);
    list.add(k, keyId(k), ipPort('198.51.100.7', 33445), 0);
    list.refresh(k, keyId(k), ipPort('192.168.1.7', 33445), 10);
    expect(list.get(keyId(k))!.v4.address).toEqual(ipPort('198.51.100.7', 33445));
    list.refresh(k, keyId(k), ipPort('203.0.113.9', 1), 20);
    expect(list.get(keyId(k))!.v4.address).toEqual(ipPort('203.0.113.9', 1));
  });

  it('re-keys the slot when a new key arrives from a known address', () => {
    const list = new CloseList(self);
    const a = keyInBucket(self, 6);
    const b = keyInBucket(self, 6);
    list.add(a, keyId(a), ipPort('10.1.1.1', 5), 0);
    expect(list.refresh(b, keyId(b), ipPort('10.1.1.1', 5), 1)).toBe(true);
    expect(list.get(keyId(a))).toBeUndefined();
    expect(list.get(keyId(b))!.v4.heardAt).toBe(1);
  });

  it('keeps IPv4 and IPv6 associations apart, clearing the other family on reuse', () => {
    const list = new CloseList(self);
    const k = keyInBucket(self, 2);
    list.add(k, keyId(k), ipPort('10.0.0.9', 9), 0);
    list.refresh(k, keyId(k), ipPort('::1', 9), 5);
    const e = list.get(keyId(k))!;
    expect(e.v4.address?.ip).toBe('10.0.0.9');
    expect(e.v6.address?.ip).toBe('::1');
  });
});

describe('DHT friend lists', () => {
  it('keep the 8 nodes closest to the target', () => {
    const target = newKey();
    const friend = new DhtFriend(target, keyId(target), 1n);
    const keys = Array.from({ length: 40 }, () => newKey());
    keys.forEach((k, i) => friend.tryStore(k, keyId(k), ipPort('10.0.0.3', 100 + i), 0));
    const expected = [...keys].sort((a, b) => (closer(target, a, b) === 1 ? -1 : 1)).slice(0, 8).map(keyId).sort();
    expect([...friend.list.entries()].map((e) => e.id).sort()).toEqual(expected);
  });
});

describe('DHT tables', () => {
  it('create two random fake friends and hand out the 4 closest good nodes', () => {
    const self = newKey();
    const tables = new DhtTables(self, random);
    expect(tables.friends).toHaveLength(2);
    const keys = Array.from({ length: 20 }, () => newKey());
    keys.forEach((k, i) => tables.addToLists(k, ipPort('10.0.0.4', 100 + i), 0));
    const target = newKey();
    const got = tables.closestNodes(target, 4, true, 1000);
    expect(got).toHaveLength(4);
    const known = [...new Set([...tables.closeList.entries(), ...tables.friends.flatMap((f) => [...f.list.entries()])].map((e) => e.id))];
    const best = keys.filter((k) => known.includes(keyId(k))).sort((a, b) => (closer(target, a, b) === 1 ? -1 : 1)).slice(0, 4);
    expect(got.map((n) => keyId(n.publicKey))).toEqual(best.map(keyId));
    for (let t = 0; t < 50; t++) {
      const other = newKey();
      const want = keys.filter((k) => known.includes(keyId(k))).sort((a, b) => (closer(other, a, b) === 1 ? -1 : 1));
      for (const max of [1, 4, 8, 100]) expect(tables.closestNodes(other, max, true, 1000).map((n) => keyId(n.publicKey))).toEqual(want.slice(0, max).map(keyId));
    }
    // LAN addresses are withheld from non-LAN requesters; bad nodes from everyone.
    expect(tables.closestNodes(target, 4, false, 1000)).toHaveLength(0);
    expect(tables.closestNodes(target, 4, true, BAD_NODE_TIMEOUT_MS)).toHaveLength(0);
  });

  it('answers from a cached copy that follows every change to the lists', () => {
    const tables = new DhtTables(newKey(), random);
    const target = newKey();
    expect(tables.closestNodes(target, 4, true, 0)).toHaveLength(0);
    expect(tables.isConnected(0)).toBe(false);
    const first = newKey();
    tables.addToLists(first, ipPort('8.8.4.4', 1), 0);
    expect(tables.closestNodes(target, 4, true, 0).map((n) => n.address.ip)).toEqual(['8.8.4.4']);
    expect([tables.isConnected(0), tables.isConnected(0, true)]).toEqual([true, true]);
    // A refresh from another address moves the node; a LAN-only close list is connected, but not to the Internet.
    tables.addToLists(first, ipPort('9.9.9.9', 1), 10);
    expect(tables.closestNodes(target, 4, true, 10).map((n) => n.address.ip)).toEqual(['9.9.9.9']);
    const lanOnly = new DhtTables(newKey(), random);
    lanOnly.addToLists(newKey(), ipPort('192.168.1.2', 1), 0);
    expect([lanOnly.isConnected(0), lanOnly.isConnected(0, true)]).toEqual([true, false]);
    // Time alone turns the node bad; being heard again brings it back.
    expect(tables.isConnected(10 + BAD_NODE_TIMEOUT_MS)).toBe(false);
    expect(tables.closestNodes(target, 4, true, 10 + BAD_NODE_TIMEOUT_MS)).toHaveLength(0);
    tables.addToLists(first, ipPort('9.9.9.9', 1), 20 + BAD_NODE_TIMEOUT_MS);
    expect(tables.isConnected(20 + BAD_NODE_TIMEOUT_MS)).toBe(true);
    tables.closeList.markAllBad(30 + BAD_NODE_TIMEOUT_MS);
    expect(tables.isConnected(30 + BAD_NODE_TIMEOUT_MS)).toBe(false);
    // A node is offered on its more recently heard family; hearing it on the other one switches it.
    const t = 40 + BAD_NODE_TIMEOUT_MS;
    tables.addToLists(first, ipPort('2001:db8::1', 1), t);
    expect(tables.isConnected(t)).toBe(true);
    expect(tables.closestNodes(target, 4, true, t).map((n) => n.address.ip)).toEqual(['2001:db8::1']);
    tables.addToLists(first, ipPort('9.9.9.9', 1), t + 1);
    expect(tables.closestNodes(target, 4, true, t + 1).map((n) => n.address.ip)).toEqual(['9.9.9.9']);
    expect(tables.isConnected(t + 1 + BAD_NODE_TIMEOUT_MS)).toBe(false);
  });

  it('asks to ping a requester now only when it is a friend missing from its own list', () => {
    const self = newKey();
    const tables = new DhtTables(self, random);
    const friendKey = newKey();
    tables.addFriend(friendKey, undefined, 0);
    expect(tables.pingDecision(friendKey, ipPort('10.0.0.5', 1), 0)).toBe('ping-now');
    expect(tables.pingDecision(newKey(), ipPort('10.0.0.5', 2), 0)).toBe('queued');
    expect(tables.pingDecision(self, ipPort('10.0.0.5', 3), 0)).toBe('ignored');
  });

  it('notify friend callbacks when the friend itself is confirmed', () => {
    const tables = new DhtTables(newKey(), random);
    const friendKey = newKey();
    const seen: string[] = [];
    tables.addFriend(friendKey, (a) => seen.push(a.ip), 0);
    tables.addToLists(friendKey, ipPort('10.9.9.9', 1), 0);
    expect(seen).toEqual(['10.9.9.9']);
    expect(tables.friendAddress(friendKey, 1)).toEqual(ipPort('10.9.9.9', 1));
  });
});
