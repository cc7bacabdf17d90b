// 32 conference engines on the in-memory friend-connection network (ManualScheduler, 10 % loss):
// joined along a linear invite chain (each peer invites the next, its only friend), they converge
// on one peer list, every message reaches every other peer exactly once, title and name changes
// propagate, and a split of the ring reconverges after it heals. Failures print the seed.
import { describe, expect, it } from 'vitest';
import { toHex, utf8Decode } from '../../src/base/index.js';
import { ConferenceNet, joinInviteChain, peerKeys, type ConferenceNode } from '../support/conference-net.js';

const SEED = 20250602;
const PEERS = 32;

async function chain(seed: number): Promise<{ net: ConferenceNet; nodes: ConferenceNode[]; numbers: number[] }> {
  const net = new ConferenceNet({ seed, conditions: { loss: 0.1, latencyMs: 20, jitterMs: 20 } });
  const nodes = Array.from({ length: PEERS }, (_, i) => net.addNode({ label: `p${i}` }));
  const numbers = await joinInviteChain(net, nodes, { timeoutMs: 300_000 });
  return { net, nodes, numbers };
}

function converged(nodes: readonly ConferenceNode[], numbers: readonly number[], members: readonly ConferenceNode[] = nodes): boolean {
  const want = members.map((n) => n.keyHex).sort().join();
  return members.every((n) => peerKeys(n, numbers[nodes.indexOf(n)]!).join() === want);
}

/** Every node sends one message; returns them. */
function everyoneSays(nodes: readonly ConferenceNode[], numbers: readonly number[], tag: string, senders = nodes): string[] {
  return senders.map((n) => {
    const text = `${tag} from ${n.label}`;
    n.conferences.sendMessage(numbers[nodes.indexOf(n)]!, text);
    return text;
  });
}

/**
 * Per public key, a node's join and leave events alternate, starting with a join, and the
 * peers published now are exactly those whose last event is a join.
 */
function expectConsistentEvents(node: ConferenceNode, number: number): void {
  const state = new Map<string, boolean>();
  for (const { name, event } of node.events.all) {
    if (name !== 'peerJoin' && name !== 'peerLeave') continue;
    const key = toHex((event as { peer: { publicKey: Uint8Array } }).peer.publicKey);
    const joining = name === 'peerJoin';
    expect(state.get(key) ?? false, `${node.label}: ${name} of ${key.slice(0, 8)}`).toBe(!joining);
    state.set(key, joining);
  }
  const present = [...state].filter(([, here]) => here).map(([k]) => k);
  expect(present.sort()).toEqual(peerKeys(node, number).filter((k) => k !== node.keyHex));
}

function received(node: ConferenceNode, tag: string): string[] {
  return node.events.messages.map((m) => m.text).filter((t) => t.startsWith(`${tag} `)).sort();
}

describe(`conference: ${PEERS} peers along an invite chain under 10 % loss (seed ${SEED})`, () => {
  it('converge on one peer list, deliver every message exactly once, and propagate title and name changes', async () => {
    const { net, nodes, numbers } = await chain(SEED);
    await net.scheduler.runUntil(() => converged(nodes, numbers), { timeoutMs: 120_000, stepMs: 100, describe: () => ({ seed: SEED }) });
    // Stable: nothing joins twice and nobody leaves while the conference just runs (pings, freezing timers).
    await net.scheduler.advance(120_000);
    expect(converged(nodes, numbers)).toBe(true);
    for (const node of nodes) {
      const joined = node.events.joins.map((e) => toHex(e.peer.publicKey));
      expect(new Set(joined).size, `${node.label} joins`).toBe(joined.length);
      expect(joined.length).toBe(PEERS - 1);
      expect(node.events.leaves, `${node.label} leaves`).toEqual([]);
    }

    const said = everyoneSays(nodes, numbers, 'm1');
    await net.scheduler.runUntil(() => nodes.every((n) => received(n, 'm1').length >= PEERS - 1), { timeoutMs: 30_000, describe: () => ({ seed: SEED }) });
    await net.scheduler.advance(10_000);
    for (const node of nodes) {
      // Exactly once each, and never our own (the relay mesh echoes it back, the engine recognises it).
      expect(received(node, 'm1'), node.label).toEqual(said.filter((t) => t !== `m1 from ${node.label}`).sort());
      expect(node.events.messages.every((m) => toHex(m.peer.publicKey) !== node.keyHex)).toBe(true);
    }
    expect(nodes.reduce((sum, n) => sum + n.conferences.counters.ownEchoes, 0)).toBeGreaterThan(0);

    const renamesBefore = nodes.map((n) => n.events.renames.length);
    const titler = nodes[17]!;
    titler.conferences.setTitle(numbers[17]!, 'the chain');
    const renamer = nodes[5]!;
    renamer.conferences.setName(new TextEncoder().encode('five'));
    await net.scheduler.advance(10_000);
    for (const [i, node] of nodes.entries()) {
      expect(utf8Decode(node.conferences.title(numbers[i]!))).toBe('the chain');
      if (node === titler) continue;
      expect(node.events.titles.map((t) => [utf8Decode(t.title), t.by && toHex(t.by.publicKey)])).toEqual([['the chain', titler.keyHex]]);
      if (node === renamer) continue;
      const renames = node.events.renames.slice(renamesBefore[i]).filter((r) => toHex(r.peer.publicKey) === renamer.keyHex);
      expect(renames.map((r) => [utf8Decode(r.previousName), utf8Decode(r.peer.name)])).toEqual([['p5', 'five']]);
    }
    net.stopAll();
  }, 120_000);

  it('reconverges after a split of the ring heals', async () => {
    const { net, nodes, numbers } = await chain(SEED + 1);
    await net.scheduler.runUntil(() => converged(nodes, numbers), { timeoutMs: 120_000, stepMs: 100 });
    await net.scheduler.advance(5_000);
    const left = nodes.slice(0, PEERS / 2);
    const right = nodes.slice(PEERS / 2);

    net.partition(left);
    // Both halves notice (connections time out, peers go quiet and freeze) and carry on alone.
    await net.scheduler.runUntil(() => converged(nodes, numbers, left) && converged(nodes, numbers, right), {
      timeoutMs: 180_000,
      stepMs: 500,
      describe: () => ({ seed: SEED + 1, sizes: nodes.map((n, i) => peerKeys(n, numbers[i]!).length) }),
    });
    for (const [i, node] of nodes.entries()) {
      // Every peer across the cut left once (a node whose connections all crossed it loses
      // everyone for a while, as in c-toxcore, and sees its own half come back).
      const other = left.includes(node) ? right : left;
      const gone = new Set(node.events.leaves.map((e) => toHex(e.peer.publicKey)));
      for (const peer of other) expect(gone.has(peer.keyHex), `${node.label} saw ${peer.label} leave`).toBe(true);
      expect(node.events.leaves.every((e) => e.reason === 'frozen')).toBe(true);
      expectConsistentEvents(node, numbers[i]!);
    }
    const split = everyoneSays(nodes, numbers, 'half');
    await net.scheduler.advance(20_000);
    for (const node of nodes) {
      const mine = (left.includes(node) ? left : right).filter((n) => n !== node).map((n) => `half from ${n.label}`);
      expect(received(node, 'half'), node.label).toEqual(mine.sort());
    }
    expect(split.length).toBe(PEERS);

    net.heal();
    await net.scheduler.runUntil(() => converged(nodes, numbers), {
      timeoutMs: 180_000,
      stepMs: 500,
      describe: () => ({ seed: SEED + 1, sizes: nodes.map((n, i) => peerKeys(n, numbers[i]!).length) }),
    });
    await net.scheduler.advance(30_000);
    const healed = everyoneSays(nodes, numbers, 'whole');
    await net.scheduler.runUntil(() => nodes.every((n) => received(n, 'whole').length >= PEERS - 1), { timeoutMs: 60_000 });
    await net.scheduler.advance(10_000);
    for (const [i, node] of nodes.entries()) {
      expect(received(node, 'whole'), node.label).toEqual(healed.filter((t) => t !== `whole from ${node.label}`).sort());
      expectConsistentEvents(node, numbers[i]!);
    }
    net.stopAll();
  }, 120_000);
});
