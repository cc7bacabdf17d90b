// The onion client's cadences against c-toxcore 0.2.18's onion_client.c (issue #4): re-announce
// 3 s / 15 s / 120 s once stable, the last-chance random path, topping lists up from (bootstrap)
// path nodes, the "announced" rule, the friend search cadence (3 s while new, then
// 2^(run_count−2) s, spaced by interval/4), DHT-PK timers, and our one addition: a friend seen
// online but unreachable is searched as a new one.
import { describe, expect, it } from 'vitest';
import { ManualScheduler, SeededRandom } from '../../../src/base/index.js';
import { generateKeyPair, type DhtKeyPair, type DhtPublicKey, type LongTermPublicKey } from '../../../src/crypto/index.js';
import { ipPort } from '../../../src/net/index.js';
import { AnnounceState, isAnnounced, runAnnounce, runFriend, type CadenceHost } from '../../../src/onion/client/cadence.js';
import { OnionFriend } from '../../../src/onion/client/friend.js';
import { OnionNodeList } from '../../../src/onion/client/node-list.js';
import { createPath, PathNodePool, PathSet, type PathHop } from '../../../src/onion/client/paths.js';

interface Sent {
  friend: OnionFriend | undefined;
  node: number;
  pingId: Uint8Array | undefined;
  pathNum: number | undefined;
  at: number;
}

/** Keys at XOR distance `d` (first byte) from the all-zero reference key. */
const at = (d: number): DhtPublicKey => {
  const k = new Uint8Array(32);
  k[0] = d;
  return k as DhtPublicKey;
};
const REF = new Uint8Array(32);
const addr = (d: number) => ipPort(`10.0.1.${d}`, 33445);

function fakeHost(options: { dhtPkSent?: number; answerSearches?: boolean } = {}) {
  const random = new SeededRandom(21);
  const sent: Sent[] = [];
  const dhtPk: Array<{ via: string; at: number }> = [];
  let now = 0;
  const host: CadenceHost = {
    random,
    pathNodes: new PathNodePool(() => at(255)),
    bootstrapNodes: new PathNodePool(() => at(255)),
    selfNodes: new OnionNodeList(REF, 12),
    selfPaths: new PathSet(random),
    announce: (friend, node, pingId, pathNum, when) => {
      sent.push({ friend, node: node.publicKey[0]!, pingId, pathNum, at: when });
      // Searches are answered at once (not stored), so nodes stay live.
      if (friend && options.answerSearches) friend.nodes.update({ publicKey: node.publicKey, address: node.address, isStored: 0, pingIdOrKey: new Uint8Array(32), pathUsed: undefined }, when);
      return true;
    },
    sendDhtPk: (_friend, via) => {
      dhtPk.push({ via, at: now });
      return options.dhtPkSent ?? 0;
    },
  };
  const setNow = (t: number) => (now = t);
  return { host, sent, dhtPk, setNow };
}

/** A confirmed self path created at `t`. */
function selfPath(host: CadenceHost, t: number) {
  const keys = generateKeyPair(new SeededRandom(5)) as DhtKeyPair;
  const hop = (i: number): PathHop => ({ publicKey: generateKeyPair(new SeededRandom(i)).publicKey as DhtPublicKey, address: addr(i) });
  const path = host.selfPaths.use(0, t, () => [hop(1), hop(2), hop(3)], (hops, num) => createPath(hops, num, keys, host.random, t))!;
  host.selfPaths.succeeded(path.pathNum, t);
  return path;
}

const stored = (d: number, pathUsed: number | undefined) => ({ publicKey: at(d), address: addr(d), isStored: 2, pingIdOrKey: new Uint8Array(32).fill(d), pathUsed });

describe('self-announce cadence', () => {
  it('skips a new node once, then announces with its ping id over its path: 3 s unannounced, 15 s announced, 120 s stable', () => {
    const { host, sent } = fakeHost();
    const path = selfPath(host, 0);
    const state = new AnnounceState();
    host.selfNodes.update({ publicKey: at(9), address: addr(9), isStored: 0, pingIdOrKey: new Uint8Array(32).fill(7), pathUsed: path.pathNum }, 0);
    runAnnounce(host, state, 0);
    expect(sent.filter((s) => s.node === 9)).toHaveLength(0);
    runAnnounce(host, state, 1_000);
    const first = sent.filter((s) => s.node === 9);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ pathNum: path.pathNum, pingId: new Uint8Array(32).fill(7) });

    host.selfNodes.update({ ...stored(8, path.pathNum), isStored: 0 }, 0);
    const times = (from: number, to: number) => {
      sent.length = 0;
      for (let t = from; t <= to; t += 1_000) {
        runAnnounce(host, state, t);
        // every announce is answered: stored from now on
        for (const s of sent.filter((x) => x.at === t)) host.selfNodes.update(stored(s.node, path.pathNum), t);
        host.selfPaths.succeeded(path.pathNum, t);
      }
      return [9, 8].map((d) => sent.filter((s) => s.node === d).map((s) => s.at / 1000));
    };
    expect(times(2_000, 4_000)).toEqual([[4], [3]]); // 3 s after the first (unanswered) one; 8 was new at 2 s
    expect(times(5_000, 50_000)).toEqual([
      [19, 34, 49],
      [18, 33, 48],
    ]); // announced: every 15 s
    // Node and path have lived 90 s and nothing is overdue: every 120 s, except that the first node of
    // the list also goes out whenever nothing was announced for 15 s (c-toxcore's last_announce rule).
    const [nine, eight] = times(51_000, 400_000);
    expect(eight).toEqual([63, 78, 198, 318]);
    expect(nine!.slice(0, 10)).toEqual([64, 79, 94, 109, 124, 139, 154, 169, 184, 213]);
    // Node and path have lived 90 s and nothing is overdue: every 120 s, except that one node
    // (the first in the list) goes out whenever nothing was announced for 15 s.
  });

  it('gives a long-lived node its last chance over a random path, and ignores it after 3 unanswered pings', () => {
    const { host, sent } = fakeHost();
    const path = selfPath(host, 0);
    const state = new AnnounceState();
    const node = host.selfNodes.update(stored(9, path.pathNum), 0)!;
    node.lastPinged = 0;
    node.pingsSinceResponse = 1;
    runAnnounce(host, state, 20_000);
    expect(sent.at(-1)).toMatchObject({ node: 9, pathNum: path.pathNum }); // young: same path
    const old = host.selfNodes.update(stored(8, path.pathNum), 0)!;
    old.lastPinged = 0;
    old.pingsSinceResponse = 2;
    sent.length = 0;
    runAnnounce(host, state, 100_000);
    expect(sent.find((s) => s.node === 8)).toMatchObject({ pathNum: undefined });
    sent.length = 0;
    runAnnounce(host, state, 200_000); // both at 3 pings now: skipped
    expect(sent.filter((s) => s.node === 8 || s.node === 9)).toHaveLength(0);
  });

  it('tops a short list up with 6 random path nodes (bootstrap nodes while none is known); a full list only every 600 s', () => {
    const { host, sent } = fakeHost();
    const state = new AnnounceState();
    runAnnounce(host, state, 0);
    expect(sent).toHaveLength(0); // nothing to ask
    host.bootstrapNodes.add({ transport: 'udp', address: addr(50), publicKey: at(50) });
    runAnnounce(host, state, 1_000);
    expect(sent.map((s) => s.node)).toEqual([50, 50, 50, 50, 50, 50]);
    host.pathNodes.add({ transport: 'udp', address: addr(60), publicKey: at(60) });
    sent.length = 0;
    runAnnounce(host, state, 2_000);
    expect(sent.map((s) => [s.node, s.pingId, s.pathNum])).toEqual(Array(6).fill([60, undefined, undefined]));
    for (let d = 1; d <= 12; d++) host.selfNodes.update(stored(d, undefined), 2_000);
    sent.length = 0;
    runAnnounce(host, state, 3_000); // full: no top-up, and the clock restarts
    expect(sent.filter((s) => s.node === 60)).toHaveLength(0);
  });

  it('is announced with a recent response, some path node, half the live nodes storing us and enough live nodes', () => {
    const { host } = fakeHost();
    const state = new AnnounceState();
    host.pathNodes.add({ transport: 'udp', address: addr(60), publicKey: at(60) });
    host.selfNodes.update(stored(1, undefined), 0);
    host.selfNodes.update({ ...stored(2, undefined), isStored: 0 }, 0);
    host.selfNodes.update({ ...stored(3, undefined), isStored: 0 }, 0);
    expect(isAnnounced(host, state, 0)).toBe(false); // no response recorded
    state.lastResponse = 0;
    expect(isAnnounced(host, state, 1_000)).toBe(true); // 1 of 3: 3/2 = 1 ≤ 1
    host.selfNodes.update({ ...stored(4, undefined), isStored: 0 }, 0);
    expect(isAnnounced(host, state, 1_000)).toBe(false); // 1 of 4
    state.lastPopulated = 5;
    host.selfNodes.update(stored(4, undefined), 0);
    expect(isAnnounced(host, state, 74_999)).toBe(true);
    expect(isAnnounced(host, state, 75_000)).toBe(false); // offline after 75 s without responses
    expect(state.lastPopulated).toBe(-Infinity);
  });
});

describe('friend search cadence', () => {
  const friendFor = () => new OnionFriend(generateKeyPair(new SeededRandom(77)).publicKey as LongTermPublicKey, new SeededRandom(78), new ManualScheduler());
  /** A friend whose list holds nodes at distances `ds` (relative to the friend's key). */
  function listed(ds: number[], isStored = 0) {
    const friend = friendFor();
    for (const d of ds) {
      const k = new Uint8Array(friend.realPk);
      k[0]! ^= d;
      friend.nodes.update({ publicKey: k as DhtPublicKey, address: addr(d), isStored, pingIdOrKey: new Uint8Array(32).fill(1), pathUsed: undefined }, 0);
    }
    return friend;
  }
  const pinged = (sent: Sent[]) => sent.filter((s) => s.friend).map((s) => s.at / 1000);

  it('searches every node each 3 s while new, then backs off with run_count (one step per 4 searches), spaced by interval/4', () => {
    const { host, sent } = fakeHost({ answerSearches: true });
    const friend = listed([1, 2, 3, 4, 5, 6, 7, 8]);
    for (let t = 0; t <= 200_000; t += 1_000) runFriend(host, friend, t);
    const times = pinged(sent);
    // t=0 marks the new nodes; 8 searches at 3, 6 and 9 s (24 = run_count 6, no longer new) ...
    expect(times.slice(0, 24)).toEqual([...Array(8).fill(3), ...Array(8).fill(6), ...Array(8).fill(9)]);
    expect(friend.runCount).toBeGreaterThan(5);
    // ... then every node once per 16 s (interval 2^4 s), one search per 4 s; per 32 s, one per 8 s; ...
    const gaps = times.slice(24).map((t, i, a) => (i === 0 ? t - 9 : t - a[i - 1]!));
    expect(gaps).toEqual([16, 4, 4, 4, 8, 8, 8, 8, 16, 16, 16, 16, 32, 32]);
    expect(friend.searchInterval()).toBeGreaterThanOrEqual(64_000);
  });

  it('skips nodes with 3 unanswered searches, tops a short list up with 8 random path nodes, and leaves online friends alone', () => {
    const { host, sent } = fakeHost();
    for (let i = 0; i < 20; i++) host.pathNodes.add({ transport: 'udp', address: addr(100 + i), publicKey: at(100 + i) });
    const friend = listed([1, 2, 3]);
    for (const n of friend.nodes.live(0)) {
      n.lastPinged = 0;
      n.pingsSinceResponse = 3;
    }
    runFriend(host, friend, 1_000);
    expect(sent.filter((s) => s.node < 100)).toHaveLength(0);
    expect(sent.filter((s) => s.node >= 100 && s.friend === friend)).toHaveLength(8);
    sent.length = 0;
    friend.online = true;
    runFriend(host, friend, 2_000);
    expect(sent).toHaveLength(0);
  });

  it('sends DHT-PK through the onion every 3 s ten times, then every 30 s, and through the DHT every 20 s, retrying every tick until a copy goes out', () => {
    const { host, dhtPk, setNow } = fakeHost({ dhtPkSent: 1 });
    const friend = friendFor();
    for (let t = 0; t <= 90_000; t += 1_000) {
      setNow(t);
      runFriend(host, friend, t);
    }
    // Beyond c-toxcore (timing only): the first ten 3 s apart, then c-toxcore's 30 s.
    expect(dhtPk.filter((d) => d.via === 'onion').map((d) => d.at / 1000)).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 57, 87]);
    expect(dhtPk.filter((d) => d.via === 'dht').map((d) => d.at / 1000)).toEqual([0, 20, 40, 60, 80]);
    const failing = fakeHost({ dhtPkSent: 0 });
    const other = friendFor();
    for (let t = 0; t <= 3_000; t += 1_000) runFriend(failing.host, other, t);
    expect(failing.dhtPk.filter((d) => d.via === 'onion')).toHaveLength(4);
  });

  it('searches a friend seen online but unreachable as a new one (beyond c-toxcore)', () => {
    const { host, sent } = fakeHost();
    const friend = listed([1, 2, 3, 4, 5, 6, 7, 8]);
    friend.runCount = 12;
    runFriend(host, friend, 1_000);
    expect(friend.runCount).toBe(12); // nothing seen: c-toxcore's back-off
    friend.lastDhtPkReceived = 1_000; // its DHT-PK just reached us, but no node stores it
    runFriend(host, friend, 2_000);
    expect(friend.isNew).toBe(true);
    expect(friend.searchInterval()).toBe(3_000);
    // Reachable (enough nodes store it): the back-off is c-toxcore's again.
    friend.runCount = 12;
    for (const n of friend.nodes.live(0).slice(0, 2)) friend.nodes.update({ publicKey: n.publicKey, address: n.address, isStored: 1, pingIdOrKey: new Uint8Array(32).fill(3), pathUsed: undefined }, 2_000);
    expect(friend.dataNodes(2_000)).toHaveLength(2);
    runFriend(host, friend, 3_000);
    expect(friend.runCount).toBe(12);
    // Seen stored a minute ago, unreachable now: new again.
    friend.lastDhtPkReceived = -Infinity;
    friend.lastSeenStored = 30_000;
    for (const n of friend.nodes.live(0)) n.isStored = 0;
    sent.length = 0;
    runFriend(host, friend, 89_000);
    expect(sent.filter((s) => s.friend === friend)).toHaveLength(8); // every node at once (interval 3 s, no spacing)
  });
});
