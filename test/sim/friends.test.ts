// Friends end to end on the simulated network (issue #5): full stacks (DHT, onion, net_crypto,
// friend_connection, friend requests, Messenger). A friend request with a message travels through
// the onion and is accepted; both friends come online; messages arrive in order with receipts;
// name, status message, user status and typing propagate; custom packets go each way; a friend
// that disappears goes offline and its unacknowledged messages are reported undelivered.
import { describe, expect, it } from 'vitest';
import { ManualScheduler, SeededRandom, utf8Decode, utf8Encode } from '../../src/base/index.js';
import type { LinkConditions } from '../../src/net/sim/index.js';
import { SimNetwork } from '../../src/net/sim/index.js';
import { simStackNode, type StackNode } from '../unit/messenger/stack.js';

async function world(seed: number, count: number, conditions: Partial<LinkConditions> = { latencyMs: 20 }): Promise<{ scheduler: ManualScheduler; net: SimNetwork; nodes: StackNode[] }> {
  const scheduler = new ManualScheduler();
  const random = new SeededRandom(seed);
  const net = new SimNetwork({ scheduler, random: random.fork(), conditions });
  const nodes: StackNode[] = [];
  for (let i = 0; i < count; i++) nodes.push(await simStackNode(net, scheduler, `10.0.0.${i + 1}`, random));
  for (const n of nodes) n.start();
  for (const n of nodes.slice(1)) n.dht.bootstrap({ address: nodes[0]!.address, publicKey: nodes[0]!.dht.publicKey });
  return { scheduler, net, nodes };
}

describe('friends on the simulated network', () => {
  it('a friend request with a message is accepted, both come online, and chat works both ways', async () => {
    const { scheduler, nodes } = await world(5005, 4);
    const [a, b] = [nodes[2]!, nodes[3]!];
    const requests: Array<{ key: Uint8Array; text: string }> = [];
    b.messenger.on('friendRequest', (key, msg) => {
      requests.push({ key, text: utf8Decode(msg) });
      b.messenger.addFriendNoRequest(key);
    });
    const started = scheduler.now();
    const bNumber = a.messenger.addFriend({ publicKey: b.keys.publicKey, nospam: b.messenger.selfState.nospam }, utf8Encode('hello, it is A'));
    await scheduler.runUntil(() => a.messenger.friendInfo(bNumber).online && b.messenger.friendNumbers().length === 1 && b.messenger.friendInfo(0).online, {
      timeoutMs: 120_000,
      stepMs: 100,
      describe: () => ({ a: a.messenger.friendInfo(bNumber), req: Object.fromEntries(b.requests.drops) }),
    });
    console.log(`[friends sim] request → both online in ${(scheduler.now() - started) / 1000} s virtual`);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.text).toBe('hello, it is A');
    expect(a.messenger.friendInfo(bNumber).status).toBe('confirmed');

    // Messages with receipts, both ways.
    const gotB: string[] = [];
    const gotA: string[] = [];
    const receiptsA: number[] = [];
    b.messenger.on('friendMessage', (_f, kind, text) => gotB.push(`${kind}:${utf8Decode(text)}`));
    a.messenger.on('friendMessage', (_f, kind, text) => gotA.push(`${kind}:${utf8Decode(text)}`));
    a.messenger.on('friendReceipt', (_f, id) => receiptsA.push(id));
    const ids: number[] = [];
    for (let i = 0; i < 500; i++) ids.push(a.messenger.sendMessage(bNumber, utf8Encode(`m${i}`), i % 10 === 0 ? 'action' : 'normal'));
    b.messenger.sendMessage(0, utf8Encode('reply'));
    await scheduler.runUntil(() => receiptsA.length === 500 && gotA.length === 1, { timeoutMs: 30_000 });
    expect(gotB).toEqual(ids.map((_, i) => `${i % 10 === 0 ? 'action' : 'normal'}:m${i}`));
    expect(receiptsA).toEqual(ids);
    expect(gotA).toEqual(['normal:reply']);

    // Name, status message, user status, typing.
    a.messenger.setName(utf8Encode('Alice'));
    a.messenger.setStatusMessage(utf8Encode('testing'));
    a.messenger.setUserStatus('busy');
    a.messenger.setTyping(bNumber, true);
    await scheduler.runUntil(() => b.messenger.friendInfo(0).typing && b.messenger.friendInfo(0).userStatus === 'busy', { timeoutMs: 10_000 });
    const seen = b.messenger.friendInfo(0);
    expect(utf8Decode(seen.name)).toBe('Alice');
    expect(utf8Decode(seen.statusMessage)).toBe('testing');

    // Custom packets.
    const lossless: number[][] = [];
    const lossy: number[][] = [];
    b.messenger.on('friendLossless', (_f, p) => lossless.push([...p]));
    a.messenger.on('friendLossy', (_f, p) => lossy.push([...p]));
    a.messenger.sendLosslessPacket(bNumber, Uint8Array.of(170, 1, 2, 3));
    b.messenger.sendLossyPacket(0, Uint8Array.of(201, 9));
    await scheduler.runUntil(() => lossless.length === 1 && lossy.length >= 1, { timeoutMs: 10_000 });
    expect(lossless[0]).toEqual([170, 1, 2, 3]);
    expect(lossy[0]).toEqual([201, 9]);

    // B disappears: A reports it offline, and messages it cannot deliver are reported.
    const undelivered: number[] = [];
    a.messenger.on('friendUndelivered', (_f, list) => undelivered.push(...list));
    b.stop();
    const lost = a.messenger.sendMessage(bNumber, utf8Encode('into the void'));
    await scheduler.runUntil(() => !a.messenger.friendInfo(bNumber).online, { timeoutMs: 60_000 });
    expect(undelivered).toEqual([lost]);
    expect(() => a.messenger.sendMessage(bNumber, utf8Encode('x'))).toThrow(expect.objectContaining({ code: 'FRIEND_NOT_CONNECTED' }));
    for (const n of nodes) n.stop();
    await scheduler.advance(1_000);
    expect(scheduler.pending()).toBe(0);
  }, 120_000);

  it('10,000 messages under 20 % loss with reordering and duplication: none lost, none duplicated, in order, every receipt', async () => {
    const seed = 6006;
    const { scheduler, nodes } = await world(seed, 2, { latencyMs: 20, jitterMs: 10, loss: 0.2, duplicate: 0.05, reorder: 0.1, reorderDelayMs: 40 });
    const [a, b] = [nodes[0]!, nodes[1]!];
    // DHT keys known up front (as a conference peer list or a saved profile gives them).
    a.connections.acquire(b.keys.publicKey, b.dht.publicKey);
    b.connections.acquire(a.keys.publicKey, a.dht.publicKey);
    const fa = a.messenger.addFriendNoRequest(b.keys.publicKey);
    const fb = b.messenger.addFriendNoRequest(a.keys.publicKey);
    await scheduler.runUntil(() => a.messenger.friendInfo(fa).online && b.messenger.friendInfo(fb).online, { timeoutMs: 120_000, describe: () => ({ seed }) });
    const total = 10_000;
    const got: string[] = [];
    const gotA: string[] = [];
    const receipts: number[] = [];
    b.messenger.on('friendMessage', (_f, _k, text) => got.push(utf8Decode(text)));
    a.messenger.on('friendMessage', (_f, _k, text) => gotA.push(utf8Decode(text)));
    a.messenger.on('friendReceipt', (_f, id) => receipts.push(id));
    const ids: number[] = [];
    for (let i = 0; i < total; i++) ids.push(a.messenger.sendMessage(fa, utf8Encode(`message ${i}`)));
    for (let i = 0; i < 1000; i++) b.messenger.sendMessage(fb, utf8Encode(`back ${i}`));
    await scheduler.runUntil(() => receipts.length === total && gotA.length === 1000, {
      timeoutMs: 600_000,
      stepMs: 50,
      describe: () => ({ seed, got: got.length, receipts: receipts.length, gotA: gotA.length }),
    });
    expect(got).toEqual(Array.from({ length: total }, (_, i) => `message ${i}`));
    expect(receipts).toEqual(ids);
    expect(gotA).toEqual(Array.from({ length: 1000 }, (_, i) => `back ${i}`));
    console.log(`[friends sim] 10,000 messages under 20 % loss delivered with receipts in ${(scheduler.now() / 1000).toFixed(1)} s virtual`);
    for (const n of nodes) n.stop();
    await scheduler.advance(1_000);
    expect(scheduler.pending()).toBe(0);
  }, 240_000);
});
