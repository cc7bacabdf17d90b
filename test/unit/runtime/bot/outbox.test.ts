/** The outbox: per-destination FIFO, token-bucket pacing, queue-full backoff, failures, close. */
import { describe, expect, it } from 'vitest';
import { ManualScheduler, silentLogger } from '../../../../src/base/index.js';
import { MemoryBotNode, Outbox, SendError, TOX_LIMITS, type Destination, type SendResult } from '../../../../src/runtime/bot/index.js';

function setup(options: ConstructorParameters<typeof Outbox>[1] = {}) {
  const scheduler = new ManualScheduler();
  const node = new MemoryBotNode();
  const friend = node.addTestFriend('alice');
  const conference = node.addTestConference('room');
  const outbox = new Outbox({ node, scheduler, log: silentLogger() }, options);
  const toFriend: Destination = { type: 'friend', publicKey: friend.publicKey };
  const toConference: Destination = { type: 'conference', id: conference.id };
  return { scheduler, node, friend, conference, outbox, toFriend, toConference };
}

describe('Outbox', () => {
  it('sends a burst at once, then paces at the sustained rate', async () => {
    const { scheduler, node, outbox, toFriend } = setup({ friend: { burst: 3, perSecond: 2 } });
    const sent = Array.from({ length: 6 }, (_, i) => outbox.send(toFriend, `m${i}`));
    await scheduler.advance(0);
    expect(node.sent.map((s) => s.text)).toEqual(['m0', 'm1', 'm2']);
    await scheduler.advance(499);
    expect(node.sent).toHaveLength(3);
    await scheduler.advance(1);
    expect(node.sent).toHaveLength(4);
    await scheduler.advance(1000);
    expect(node.sent.map((s) => s.text)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    await expect(Promise.all(sent)).resolves.toHaveLength(6);
    expect(scheduler.pending()).toBe(0);
  });

  it('keeps separate buckets per destination', async () => {
    const { scheduler, node, outbox, toFriend, toConference } = setup({ friend: { burst: 1, perSecond: 1 }, conference: { burst: 1, perSecond: 1 } });
    void outbox.send(toFriend, 'f1');
    void outbox.send(toFriend, 'f2');
    void outbox.send(toConference, 'c1');
    await scheduler.advance(0);
    expect(node.sent.map((s) => s.text)).toEqual(['f1', 'c1']);
    await scheduler.advance(1000);
    expect(node.sent.map((s) => s.text)).toEqual(['f1', 'c1', 'f2']);
  });

  it('splits long text at the destination limit and never interleaves two messages', async () => {
    const { scheduler, node, outbox, toFriend, toConference } = setup({ friend: { burst: 1, perSecond: 1 } });
    const long = `${'a'.repeat(1000)} ${'b'.repeat(1000)}`;
    const first = outbox.send(toFriend, long);
    const second = outbox.send(toFriend, 'after');
    await scheduler.advance(5000);
    expect(node.sent.map((s) => s.text)).toEqual(['a'.repeat(1000), 'b'.repeat(1000), 'after']);
    await expect(first).resolves.toEqual({ parts: 2, messageIds: [1, 2] });
    await expect(second).resolves.toEqual({ parts: 1, messageIds: [3] });
    const conf = outbox.send(toConference, 'x'.repeat(TOX_LIMITS.conferenceMessage + 1));
    await scheduler.advance(5000);
    await expect(conf).resolves.toMatchObject({ parts: 2 });
    expect(node.sentTo({ id: toConference.id, number: 0 }).map((t) => t.length)).toEqual([TOX_LIMITS.conferenceMessage, 1]);
  });

  it('waits with exponential backoff while the node says queue-full, then delivers in order', async () => {
    const { scheduler, node, outbox, toFriend } = setup({ retryInitialMs: 100, retryMaxMs: 400 });
    let refusals = 4;
    node.sendHook = (): SendResult | undefined => (refusals-- > 0 ? { ok: false, reason: 'queue-full' } : undefined);
    const a = outbox.send(toFriend, 'a');
    const b = outbox.send(toFriend, 'b');
    await scheduler.advance(0);
    expect(node.sent).toHaveLength(0);
    // Retries after 100, 200, 400, 400 ms.
    await scheduler.advance(100 + 200 + 400 + 399);
    expect(node.sent).toHaveLength(0);
    await scheduler.advance(1);
    expect(node.sent.map((s) => s.text)).toEqual(['a', 'b']);
    await expect(Promise.all([a, b])).resolves.toHaveLength(2);
  });

  it('rejects a message the node refuses for good and goes on with the next', async () => {
    const { scheduler, node, outbox, toFriend } = setup();
    node.sendHook = (_to, text) => (text === 'bad' ? { ok: false, reason: 'not-connected' } : undefined);
    const bad = outbox.send(toFriend, 'bad');
    const good = outbox.send(toFriend, 'good');
    await scheduler.advance(0);
    await expect(bad).rejects.toMatchObject({ code: 'SEND_FAILED', details: { reason: 'not-connected' } });
    await expect(good).resolves.toMatchObject({ parts: 1 });
  });

  it('turns a throwing port into SEND_FAILED', async () => {
    const { scheduler, node, outbox, toFriend } = setup();
    node.sendHook = () => {
      throw new Error('boom');
    };
    const p = outbox.send(toFriend, 'x');
    await scheduler.advance(0);
    await expect(p).rejects.toMatchObject({ code: 'SEND_FAILED' });
  });

  it('applies backpressure to callers with OUTBOX_FULL and refuses empty text', async () => {
    const { outbox, toFriend } = setup({ maxQueued: 2, friend: { burst: 1, perSecond: 1 } });
    void outbox.send(toFriend, '1');
    void outbox.send(toFriend, '2');
    await expect(outbox.send(toFriend, '3')).rejects.toMatchObject({ code: 'OUTBOX_FULL' });
    await expect(outbox.send(toFriend, '')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('close() rejects what is queued and leaves no timer behind', async () => {
    const { scheduler, outbox, toFriend } = setup({ friend: { burst: 1, perSecond: 1 } });
    const first = outbox.send(toFriend, '1');
    const second = outbox.send(toFriend, '2');
    await scheduler.advance(0);
    expect(scheduler.pending()).toBe(1);
    outbox.close();
    await expect(first).resolves.toMatchObject({ parts: 1 });
    await expect(second).rejects.toBeInstanceOf(SendError);
    await expect(second).rejects.toMatchObject({ code: 'OUTBOX_CLOSED' });
    expect(scheduler.pending()).toBe(0);
    expect(outbox.pending()).toBe(0);
    await expect(outbox.send(toFriend, '3')).rejects.toMatchObject({ code: 'OUTBOX_CLOSED' });
  });

  it('rejects bad rate settings', () => {
    const scheduler = new ManualScheduler();
    expect(() => new Outbox({ node: new MemoryBotNode(), scheduler, log: silentLogger() }, { friend: { perSecond: 0 } })).toThrow(/perSecond/);
  });
});
