// The onion client's tables (issue #4): node lists (which node takes which slot, when an entry
// times out, which named nodes get asked), path sets (c-toxcore's use counts and timeouts,
// replacement, the is_path_used reuse), and the path-node rings (bounded, newest first).
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/base/index.js';
import { generateKeyPair, type DhtKeyPair, type DhtPublicKey } from '../../../src/crypto/index.js';
import { ipPort, type PackedNode } from '../../../src/net/index.js';
import { MAX_PATH_NODES, MAX_STORED_PINGED_NODES, PATH_MAX_LIFETIME_MS, PATHS_PER_SET } from '../../../src/onion/index.js';
import { OnionNodeList } from '../../../src/onion/client/node-list.js';
import { createPath, PathNodePool, PathSet, type PathHop } from '../../../src/onion/client/paths.js';

/** A key at XOR distance `d` (first byte) from the all-zero reference. */
const at = (d: number, tail = 0): DhtPublicKey => {
  const k = new Uint8Array(32);
  k[0] = d;
  k[31] = tail;
  return k as DhtPublicKey;
};
const REF = new Uint8Array(32);
const addr = (i: number) => ipPort(`10.0.0.${i}`, 33445);
const response = (d: number, isStored = 0, pingIdOrKey = new Uint8Array(32).fill(d)) => ({ publicKey: at(d), address: addr(d), isStored, pingIdOrKey, pathUsed: 6 });

describe('OnionNodeList', () => {
  it('fills up, then takes a timed-out slot or replaces the farthest node only for a closer one', () => {
    const list = new OnionNodeList(REF, 3);
    for (const d of [10, 20, 30]) expect(list.update(response(d), 0)).toBeDefined();
    expect(list.update(response(40), 0)).toBeUndefined(); // farther than all
    expect(list.update(response(5), 0)).toBeDefined(); // replaces 30
    expect(list.find(at(30))).toBeUndefined();
    // 20 times out: 3 unanswered pings, the last one 15 s old.
    const twenty = list.find(at(20))!;
    twenty.pingsSinceResponse = 3;
    twenty.lastPinged = 1_000;
    expect(list.timedOut(twenty, 15_999)).toBe(false);
    expect(list.timedOut(twenty, 16_000)).toBe(true);
    expect(list.live(16_000).map((n) => n.publicKey[0])).toEqual([10, 5]);
    expect(list.update(response(90), 16_000)).toBeDefined(); // any node takes a dead slot
    expect(list.find(at(20))).toBeUndefined();
    expect(list.size).toBe(3);
  });

  it('a response resets the ping count, keeps the first-pass marker, and files data keys and ping ids apart', () => {
    const list = new OnionNodeList(REF, 8);
    const node = list.update(response(7, 0, new Uint8Array(32).fill(1)), 100)!;
    expect(node.lastPinged).toBeUndefined();
    expect(node.addedAt).toBe(100);
    node.lastPinged = 200;
    node.pingsSinceResponse = 2;
    list.update(response(7, 1, new Uint8Array(32).fill(2)), 300);
    expect(node).toMatchObject({ isStored: 1, pingsSinceResponse: 0, lastPinged: 200, addedAt: 100, lastHeard: 300 });
    expect(node.dataPk).toEqual(new Uint8Array(32).fill(2));
    expect(node.pingId).toEqual(new Uint8Array(32).fill(1)); // the ping id of the earlier response stays
  });

  it('asks named nodes only if they would enter, not listed, at most once per 10 s, remembering 9', () => {
    const list = new OnionNodeList(REF, 2);
    list.update(response(10), 0);
    list.update(response(20), 0);
    expect(list.shouldAsk(at(10), 0)).toBe(false); // listed
    expect(list.shouldAsk(at(30), 0)).toBe(false); // would not enter
    expect(list.shouldAsk(at(15), 0)).toBe(true);
    expect(list.shouldAsk(at(15), 9_999)).toBe(false);
    expect(list.shouldAsk(at(15), 10_000)).toBe(true);
    // The memory is a 9-entry ring: after 9 other nodes, 15 may be asked again at once.
    for (let i = 0; i < MAX_STORED_PINGED_NODES; i++) expect(list.shouldAsk(at(1, i), 10_000)).toBe(true);
    expect(list.shouldAsk(at(15), 10_000)).toBe(true);
    expect(list.pingedMemory).toBe(MAX_STORED_PINGED_NODES);
  });
});

describe('PathSet', () => {
  const random = new SeededRandom(8);
  const ours = (): DhtKeyPair => generateKeyPair(new SeededRandom(9)) as DhtKeyPair;
  const hop = (i: number): PathHop => ({ publicKey: generateKeyPair(new SeededRandom(100 + i)).publicKey as DhtPublicKey, address: addr(i) });
  let next = 1;
  const pick = () => [hop(next), hop(next + 1), hop(next + 2)] as const;
  const build = (now: number) => (hops: readonly [PathHop, PathHop, PathHop], num: number) => createPath(hops, num, ours(), random, now);

  it('numbers paths ≡ slot (mod 6) and credits responses only to the current path', () => {
    const set = new PathSet(random);
    const p = set.use(3, 0, pick, build(0))!;
    expect(p.pathNum % PATHS_PER_SET).toBe(3);
    expect(set.use(p.pathNum, 0, pick, build(0))).toBe(p);
    expect(set.succeeded(p.pathNum + PATHS_PER_SET, 10)).toBeUndefined();
    expect(set.succeeded(p.pathNum, 10)).toBe(p);
    expect(p).toMatchObject({ confirmed: true, usedTimes: 0, lastSuccess: 10 });
    expect(set.current(p.pathNum, 10)).toBe(p);
    expect(set.size).toBe(1);
  });

  it('a new path dies 4 s after 2 unanswered uses; an answered one 10 s after 4; any after 1200 s', () => {
    const set = new PathSet(random);
    next = 10;
    const fresh = set.use(0, 0, pick, build(0))!; // uses: 2 (start) + 1
    expect(fresh.usedTimes).toBe(3);
    set.use(0, 500, pick, build(500)); // 4th: last use at 500
    expect(set.timedOut(fresh, 4_499)).toBe(false);
    expect(set.timedOut(fresh, 4_500)).toBe(true);
    next = 20;
    const replaced = set.use(0, 4_500, pick, build(4_500))!;
    expect(replaced).not.toBe(fresh);
    expect(replaced.hops[0].address).toEqual(addr(20));

    set.succeeded(replaced.pathNum, 5_000);
    for (let i = 0; i < 3; i++) set.use(replaced.pathNum, 6_000, pick, build(6_000));
    expect(set.timedOut(replaced, 100_000)).toBe(false); // 3 unanswered uses
    set.use(replaced.pathNum, 7_000, pick, build(7_000));
    set.use(replaced.pathNum, 8_000, pick, build(8_000)); // beyond 4: lastUsed stays 7 000
    expect(replaced.lastUsed).toBe(7_000);
    expect(set.timedOut(replaced, 16_999)).toBe(false);
    expect(set.timedOut(replaced, 17_000)).toBe(true);

    const old = set.use(1, 0, pick, build(0))!;
    set.succeeded(old.pathNum, 1);
    expect(set.timedOut(old, PATH_MAX_LIFETIME_MS - 1)).toBe(false);
    expect(set.timedOut(old, PATH_MAX_LIFETIME_MS)).toBe(true);
    expect(set.current(old.pathNum, PATH_MAX_LIFETIME_MS)).toBeUndefined();
  });

  it('reuses a live path that starts where the new one would end (c-toxcore is_path_used), and fails without hops', () => {
    const set = new PathSet(random);
    next = 30;
    const first = set.use(0, 0, pick, build(0))!; // hops 30, 31, 32
    set.succeeded(first.pathNum, 0);
    next = 28; // would be 28, 29, 30: ends at the first hop of `first`
    expect(set.use(1, 0, pick, build(0))).toBe(first);
    expect(set.size).toBe(1);
    expect(set.use(2, 0, () => undefined, build(0))).toBeUndefined();
    set.clear();
    expect(set.size).toBe(0);
  });
});

describe('PathNodePool', () => {
  const self = at(1);
  const node = (i: number): PackedNode => ({ transport: 'udp', address: addr(i % 250), publicKey: at(2, i) });

  it('keeps 32 UDP nodes other than ours, newest replacing oldest, listed newest first', () => {
    const pool = new PathNodePool(() => self);
    expect(pool.add({ transport: 'udp', address: addr(1), publicKey: self })).toBe(false);
    expect(pool.add({ transport: 'tcp', address: addr(2), publicKey: at(3) })).toBe(false);
    for (let i = 0; i < MAX_PATH_NODES + 5; i++) pool.add(node(i));
    expect(pool.size).toBe(MAX_PATH_NODES);
    const order = pool.newestFirst().map((n) => n.publicKey[31]);
    expect(order.slice(0, 3)).toEqual([36, 35, 34]);
    expect(order.at(-1)).toBe(5);
    pool.add({ ...node(20), address: addr(99) }); // known key: updated in place
    expect(pool.size).toBe(MAX_PATH_NODES);
    expect(pool.newestFirst().find((n) => n.publicKey[31] === 20)!.address).toEqual(addr(99));
    pool.clear();
    expect(pool.random(new SeededRandom(1))).toBeUndefined();
  });
});
