// Lossy packets in an AV conference on the in-memory network (8 peers along an invite chain): the
// payload after the lossy id reaches the other peers untouched and at most once (256-entry window),
// through c-toxcore 0.2.18's fan-out (non-closest connections, the nearest closest one, slot 0);
// every packet reaches everyone without loss, and none is duplicated under 10 % loss.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/base/index.js';
import { ConferenceNet, joinInviteChain, peerKeys } from '../support/conference-net.js';

const AUDIO = 192;

async function avConference(seed: number, loss: number) {
  const net = new ConferenceNet({ seed, conditions: { loss, latencyMs: 15, jitterMs: 10 } });
  const nodes = Array.from({ length: 8 }, (_, i) => net.addNode({ label: `p${i}` }));
  const numbers = await joinInviteChain(net, nodes, { type: 'av' });
  const all = nodes.map((n) => n.keyHex).sort().join();
  await net.scheduler.runUntil(() => nodes.every((n, i) => peerKeys(n, numbers[i]!).join() === all), { timeoutMs: 60_000 });
  await net.scheduler.advance(5_000);
  return { net, nodes, numbers };
}

/** `[u16 sequence][frame bytes]`: what toxav puts after the 192 id, opaque here. */
function frame(sequence: number): Uint8Array {
  const out = new Uint8Array(40);
  out[0] = sequence >> 8;
  out[1] = sequence & 0xff;
  for (let i = 2; i < out.length; i++) out[i] = (sequence * 7 + i) & 0xff;
  return out;
}

describe('conference lossy packets (AV)', () => {
  it('reach every peer exactly once and untouched without loss', async () => {
    const { net, nodes, numbers } = await avConference(31, 0);
    const sender = nodes[4]!;
    for (let s = 0; s < 100; s++) {
      sender.conferences.sendLossy(numbers[4]!, AUDIO, frame(s));
      await net.scheduler.advance(20);
    }
    await net.scheduler.advance(2_000);
    for (const node of nodes.filter((n) => n !== sender)) {
      const got = node.events.lossy;
      expect(got.every((e) => e.id === AUDIO && toHex(e.peer.publicKey) === sender.keyHex)).toBe(true);
      const sequences = got.map((e) => (e.data[0]! << 8) | e.data[1]!);
      expect(sequences.sort((a, b) => a - b), node.label).toEqual(Array.from({ length: 100 }, (_, i) => i));
      for (const e of got) expect(toHex(e.data)).toBe(toHex(frame((e.data[0]! << 8) | e.data[1]!)));
    }
    expect(sender.events.lossy).toEqual([]);
    net.stopAll();
  });

  it('are never delivered twice under 10 % loss', async () => {
    const { net, nodes, numbers } = await avConference(32, 0.1);
    const sender = nodes[1]!;
    for (let s = 0; s < 200; s++) {
      sender.conferences.sendLossy(numbers[1]!, AUDIO, frame(s));
      await net.scheduler.advance(20);
    }
    await net.scheduler.advance(2_000);
    for (const node of nodes.filter((n) => n !== sender)) {
      const sequences = node.events.lossy.map((e) => (e.data[0]! << 8) | e.data[1]!);
      expect(new Set(sequences).size, node.label).toBe(sequences.length);
      expect(sequences.length, node.label).toBeGreaterThan(100);
    }
    net.stopAll();
  });
});
