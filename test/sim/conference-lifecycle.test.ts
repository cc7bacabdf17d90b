// Leaving, freezing and restarting on the in-memory friend-connection network (8 peers joined along
// an invite chain, 10 % loss): a kill peer and a timeout each produce exactly one leave event per
// peer; a peer restarted from its snapshot rejoins with packet 100, is seen again, and both sends
// and receives afterwards. Failures print the seed.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/base/index.js';
import { FREEZE_TIMEOUT_MS, PACKET_ID_REJOIN } from '../../src/conference/index.js';
import { ConferenceNet, joinInviteChain, peerKeys, type ConferenceNode } from '../support/conference-net.js';

const SEED = 8088;
const PEERS = 8;

async function conference(seed: number) {
  const net = new ConferenceNet({ seed, conditions: { loss: 0.1, latencyMs: 15, jitterMs: 10 } });
  const nodes = Array.from({ length: PEERS }, (_, i) => net.addNode({ label: `p${i}` }));
  const numbers = await joinInviteChain(net, nodes);
  const converged = (members: readonly ConferenceNode[]): boolean => {
    const want = members.map((n) => n.keyHex).sort().join();
    return members.every((n) => peerKeys(n, numbers[nodes.indexOf(n)]!).join() === want);
  };
  await net.scheduler.runUntil(() => converged(nodes), { timeoutMs: 60_000, describe: () => ({ seed }) });
  await net.scheduler.advance(5_000);
  return { net, nodes, numbers, converged };
}

function leavesOf(node: ConferenceNode, who: ConferenceNode) {
  return node.events.leaves.filter((e) => toHex(e.peer.publicKey) === who.keyHex);
}

function joinsOf(node: ConferenceNode, who: ConferenceNode) {
  return node.events.joins.filter((e) => toHex(e.peer.publicKey) === who.keyHex);
}

/** `from` says `text`; true once every node in `to` got it exactly once. */
async function deliver(net: ConferenceNet, from: ConferenceNode, number: number, to: readonly ConferenceNode[], text: string): Promise<void> {
  from.conferences.sendMessage(number, text);
  await net.scheduler.runUntil(() => to.every((n) => n.events.messages.some((m) => m.text === text)), { timeoutMs: 30_000 });
  await net.scheduler.advance(5_000);
  for (const n of to) expect(n.events.messages.filter((m) => m.text === text), n.label).toHaveLength(1);
}

describe(`conference lifecycle (${PEERS} peers, 10 % loss, seed ${SEED})`, () => {
  it('a peer that leaves is gone for everyone exactly once, and the rest keep talking', async () => {
    const { net, nodes, numbers, converged } = await conference(SEED);
    const leaver = nodes[3]!;
    leaver.conferences.leave(numbers[3]!);
    expect(leaver.conferences.list()).toEqual([]);
    const rest = nodes.filter((n) => n !== leaver);
    await net.scheduler.runUntil(() => converged(rest), { timeoutMs: 30_000 });
    await net.scheduler.advance(2 * FREEZE_TIMEOUT_MS);
    for (const n of rest) {
      expect(leavesOf(n, leaver).map((e) => e.reason), n.label).toEqual(['left']);
      expect(joinsOf(n, leaver), n.label).toHaveLength(1);
    }
    await deliver(net, nodes[0]!, numbers[0]!, rest.slice(1), 'after the leave');
    net.stopAll();
    // Once what is in flight has landed, no engine or network timer is left.
    await net.scheduler.advance(10_000);
    expect(net.scheduler.pending()).toBe(0);
  });

  it('a peer that vanishes is frozen by everyone exactly once after the timeout', async () => {
    const { net, nodes, numbers, converged } = await conference(SEED + 1);
    const lost = nodes[5]!;
    const rest = nodes.filter((n) => n !== lost);
    const crashedAt = net.scheduler.now();
    net.crash(lost);
    await net.scheduler.runUntil(() => converged(rest), { timeoutMs: 3 * FREEZE_TIMEOUT_MS, stepMs: 100 });
    // Nobody notices before c-toxcore's freeze timeout (its connections only time out after 32 s).
    expect(net.scheduler.now() - crashedAt).toBeGreaterThanOrEqual(32_000);
    await net.scheduler.advance(2 * FREEZE_TIMEOUT_MS);
    for (const n of rest) {
      expect(leavesOf(n, lost).map((e) => e.reason), n.label).toEqual(['frozen']);
      expect(n.conferences.frozenPeers(numbers[nodes.indexOf(n)]!).map((p) => toHex(p.publicKey))).toContain(lost.keyHex);
    }
    await deliver(net, nodes[7]!, numbers[7]!, rest.slice(0, -1), 'after the crash');
    net.stopAll();
  });

  it('a peer restarted from its snapshot rejoins (packet 100), is seen again and talks both ways', async () => {
    const { net, nodes, numbers, converged } = await conference(SEED + 2);
    const index = 6;
    const before = nodes[index]!;
    const rejoins: string[] = [];
    const watch = (n: ConferenceNode): void => {
      const inner = n.port.sendLossless.bind(n.port);
      n.port.sendLossless = (peer, packet) => {
        if (packet[0] === PACKET_ID_REJOIN) rejoins.push(`${n.label}->${toHex(peer).slice(0, 8)}`);
        return inner(peer, packet);
      };
    };
    nodes.forEach(watch);
    const messageNumber = before.conferences.snapshot()[0]!.messageNumber;
    const after = await net.restart(before, { downtimeMs: 10_000 });
    watch(after);
    nodes[index] = after;
    // The clean exit told everyone (freeze peer): one leave each, no timeout needed.
    for (const n of nodes.filter((m) => m !== after)) expect(leavesOf(n, before).map((e) => e.reason), n.label).toEqual(['frozen']);
    expect(after.conferences.list()).toEqual([0]);
    expect(after.conferences.frozenPeers(0)).toHaveLength(PEERS - 1);
    const restored = (after.conferences as unknown as { snapshot(): Array<{ messageNumber: number }> }).snapshot()[0]!;
    expect(restored.messageNumber).toBe((messageNumber + 65536) >>> 0);

    numbers[index] = 0;
    await net.scheduler.runUntil(() => converged(nodes), { timeoutMs: 120_000, stepMs: 100, describe: () => ({ rejoins }) });
    // Its friends came online again and it rejoined through them.
    expect(rejoins.some((r) => r.startsWith(`${after.label}->`))).toBe(true);
    for (const n of nodes.filter((m) => m !== after)) expect(joinsOf(n, after), n.label).toHaveLength(2);
    await deliver(net, nodes[1]!, numbers[1]!, [after], 'welcome back');
    await deliver(net, after, 0, nodes.filter((m) => m !== after), 'glad to be back');
    net.stopAll();
  });

  it('a peer that crashes and is back before the freeze timeout rejoins without anyone seeing it leave', async () => {
    const { net, nodes, numbers, converged } = await conference(SEED + 3);
    const index = 2;
    const after = await net.restart(nodes[index]!, { crash: true, downtimeMs: 5_000 });
    nodes[index] = after;
    numbers[index] = 0;
    await net.scheduler.runUntil(() => converged(nodes), { timeoutMs: 120_000, stepMs: 100 });
    await net.scheduler.advance(2 * FREEZE_TIMEOUT_MS);
    expect(converged(nodes)).toBe(true);
    for (const n of nodes.filter((m) => m !== after)) {
      expect(leavesOf(n, after), n.label).toEqual([]);
      expect(joinsOf(n, after), n.label).toHaveLength(1);
    }
    await deliver(net, after, 0, nodes.filter((m) => m !== after), 'never left');
    await deliver(net, nodes[7]!, numbers[7]!, [after], 'good');
    net.stopAll();
  });
});
