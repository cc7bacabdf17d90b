// File transfers through the Messenger on the simulated network (issue #5): a 10 MiB file each
// way intact (SHA-256) under 20 % loss with reordering and duplication, and one transfer paused
// and resumed and another cancelled by the receiver.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/base/index.js';
import { sha256 } from '../../src/crypto/index.js';
import type { LinkConditions } from '../../src/net/sim/index.js';
import { simFriendPair, type StackNode } from '../unit/messenger/stack.js';

const MiB = 1024 * 1024;

const friends = (seed: number, conditions: Partial<LinkConditions>) => simFriendPair(seed, conditions, '10.2.0', 120_000);

/** Serves `content` for every outgoing file of `from`; `to` accepts every offer and collects the data. */
function serve(from: StackNode, to: StackNode, content: Uint8Array): { received: Uint8Array; bytes: () => number; done: () => boolean; offers: number[] } {
  const received = new Uint8Array(content.length);
  let bytes = 0;
  let done = false;
  const offers: number[] = [];
  from.messenger.files.on('chunkRequest', (friend, file, position, length) => {
    if (length === 0) return;
    const at = Number(position);
    from.messenger.files.sendChunk(friend, file, position, content.subarray(at, at + length));
  });
  to.messenger.files.on('offer', (friend, offer) => {
    offers.push(offer.fileNumber);
    to.messenger.files.control(friend, offer.fileNumber, 'accept');
  });
  to.messenger.files.on('chunk', (_friend, _file, position, data) => {
    received.set(data, Number(position));
    bytes += data.length;
  });
  to.messenger.files.on('completed', (_friend, file) => {
    if (offers.includes(file)) done = true;
  });
  return { received, bytes: () => bytes, done: () => done, offers };
}

describe('file transfers between our friends', () => {
  it('a 10 MiB file each way arrives intact under 20 % loss with reordering and duplication', async () => {
    const seed = 7007;
    const { scheduler, a, b, random } = await friends(seed, { latencyMs: 20, jitterMs: 10, loss: 0.2, duplicate: 0.05, reorder: 0.1, reorderDelayMs: 40 });
    const toB = random.bytes(10 * MiB);
    const toA = random.bytes(10 * MiB);
    const atB = serve(a, b, toB);
    const atA = serve(b, a, toA);
    a.messenger.files.sendFile(0, { size: toB.length, name: 'to-b.bin' });
    b.messenger.files.sendFile(0, { size: toA.length, name: 'to-a.bin' });
    await scheduler.runUntil(() => atB.done() && atA.done(), { timeoutMs: 3_600_000, stepMs: 100, describe: () => ({ seed, b: atB.bytes(), a: atA.bytes() }) });
    expect(toHex(sha256(atB.received))).toBe(toHex(sha256(toB)));
    expect(toHex(sha256(atA.received))).toBe(toHex(sha256(toA)));
    console.log(`[files sim] 10 MiB each way under 20 % loss in ${(scheduler.now() / 1000).toFixed(1)} s virtual`);
    a.stop();
    b.stop();
  }, 600_000);

  it('pause and resume, then a cancel by the receiver', async () => {
    const { scheduler, a, b, random } = await friends(8008, { latencyMs: 10 });
    const content = random.bytes(2 * MiB);
    const atB = serve(a, b, content);
    const controls: string[] = [];
    a.messenger.files.on('control', (_f, _n, control) => controls.push(control));
    const file = a.messenger.files.sendFile(0, { size: content.length, name: 'paused.bin' });
    await scheduler.runUntil(() => atB.bytes() > 256 * 1024, { timeoutMs: 60_000 });
    b.messenger.files.control(0, atB.offers[0]!, 'pause');
    await scheduler.runUntil(() => controls.includes('pause'), { timeoutMs: 10_000 });
    await scheduler.advance(2_000);
    const whilePaused = atB.bytes();
    await scheduler.advance(2_000);
    expect(atB.bytes()).toBe(whilePaused);
    b.messenger.files.control(0, atB.offers[0]!, 'resume');
    await scheduler.runUntil(() => atB.done(), { timeoutMs: 120_000 });
    expect(toHex(sha256(atB.received))).toBe(toHex(sha256(content)));
    expect(file).toBe(0);

    // A second file, cancelled by the receiver midway: both sides forget it.
    const second = a.messenger.files.sendFile(0, { size: content.length, name: 'cancelled.bin' });
    await scheduler.runUntil(() => atB.offers.length === 2 && atB.bytes() > content.length + 100_000, { timeoutMs: 60_000 });
    b.messenger.files.control(0, atB.offers[1]!, 'cancel');
    await scheduler.runUntil(() => controls.includes('cancel'), { timeoutMs: 10_000 });
    expect(a.messenger.files.transfer(0, second)).toBeUndefined();
    expect(b.messenger.files.transfer(0, atB.offers[1]!)).toBeUndefined();
    a.stop();
    b.stop();
    await scheduler.advance(1_000);
    expect(scheduler.pending()).toBe(0);
  }, 120_000);
});
