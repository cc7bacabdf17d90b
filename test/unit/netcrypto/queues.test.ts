// The lossless machinery without the network: the growing packet ring, send and receive
// queues, request packets between them, wrap-around of the u32 packet numbers, and
// c-toxcore's `cryptpacket_received` rule.
import { describe, expect, it } from 'vitest';
import { PacketRing } from '../../../src/netcrypto/packet-ring.js';
import { ReceiveQueue } from '../../../src/netcrypto/receive-queue.js';
import { SendQueue } from '../../../src/netcrypto/send-queue.js';
import { RequestPayload, decodeRequestBytes } from '../../../src/netcrypto/index.js';

const NEAR_WRAP = 0xffff_fff0;
const p = (n: number): Uint8Array => Uint8Array.of(16, n & 0xff);

describe('PacketRing', () => {
  it('grows while keeping every packet at its number, across the u32 wrap', () => {
    const ring = new PacketRing(NEAR_WRAP);
    for (let i = 0; i < 1000; i++) ring.push(p(i), i, 0);
    expect(ring.end).toBe((NEAR_WRAP + 1000) >>> 0);
    expect(ring.length).toBe(1000);
    for (let i = 0; i < 1000; i++) expect(ring.get((NEAR_WRAP + i) >>> 0)).toEqual(p(i));
    ring.advanceTo((NEAR_WRAP + 500) >>> 0);
    expect(ring.stored).toBe(500);
    expect(ring.get(NEAR_WRAP)).toBeUndefined();
  });

  it('puts far ahead without aliasing older slots', () => {
    const ring = new PacketRing();
    ring.put(0, p(0), 0, 0);
    ring.put(100, p(100), 0, 0);
    expect(ring.get(0)).toEqual(p(0));
    expect(ring.get(100)).toEqual(p(100));
    expect(ring.get(36)).toBeUndefined();
    expect(ring.stored).toBe(2);
  });
});

describe('request packets between a receive and a send queue', () => {
  it('frees what arrived, retransmits what is missing, across the wrap', () => {
    const send = new SendQueue(NEAR_WRAP);
    const receive = new ReceiveQueue(NEAR_WRAP);
    for (let i = 0; i < 40; i++) send.enqueue(p(i));
    for (let n = send.peek(); n !== undefined; n = send.peek()) send.sent(n, 0);
    expect(send.inFlight).toBe(40);
    const lost = new Set([0, 5, 17, 30]);
    const delivered: number[] = [];
    for (let i = 0; i < 40; i++) {
      if (lost.has(i)) continue;
      expect(receive.add((NEAR_WRAP + i) >>> 0, p(i))).toBe('added');
      for (let d = receive.shift(); d !== undefined; d = receive.shift()) delivered.push(d[1]!);
    }
    expect(delivered).toEqual([]); // packet 0 is missing
    const request = RequestPayload.decode(receive.buildRequest());
    expect(request.missing).toEqual([0, 5, 17, 30]);
    const result = send.applyRequest(request, 1000, 10, 500);
    // The walk ends at the last missing packet (offset 30): 27 freed; 31..39 wait for the next acknowledgement.
    expect(result).toMatchObject({ lost: 4, acked: 27 });
    expect(send.inFlight).toBe(9);
    const resent: number[] = [];
    for (let n = send.peek(); n !== undefined; n = send.peek()) {
      resent.push((n - NEAR_WRAP) >>> 0);
      send.sent(n, 1000);
    }
    expect(resent).toEqual([0, 5, 17, 30]);
    for (const i of resent) receive.add((NEAR_WRAP + i) >>> 0, p(i));
    for (let d = receive.shift(); d !== undefined; d = receive.shift()) delivered.push(d[1]!);
    expect(delivered).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(receive.start).toBe((NEAR_WRAP + 40) >>> 0);
    const ack = send.ackUpTo(receive.start);
    expect(ack?.acked).toBe(13);
    expect(send.inFlight).toBe(0);
    expect(send.length).toBe(0);
  });

  it('a requested packet overtaken by a later one is lost after the reordering guard', () => {
    const send = new SendQueue();
    send.enqueue(p(0));
    send.enqueue(p(1));
    send.sent(send.peek()!, 100);
    send.sent(send.peek()!, 100);
    expect(send.applyRequest({ missing: [0], span: 2 }, 105, 10, 500).lost).toBe(0);
    expect(send.applyRequest({ missing: [0], span: 1 }, 111, 10, 500).lost).toBe(1);
    expect(send.peek()).toBe(0);
  });

  it('a requested packet nothing overtook (the tail of a burst) is lost only after the tail guard', () => {
    const send = new SendQueue();
    for (let i = 0; i < 3; i++) send.enqueue(p(i));
    for (let n = send.peek(); n !== undefined; n = send.peek()) send.sent(n, 100);
    expect(send.applyRequest({ missing: [0, 1, 2], span: 3 }, 200, 10, 500).lost).toBe(0);
    expect(send.inFlight).toBe(3);
    expect(send.applyRequest({ missing: [0, 1, 2], span: 3 }, 601, 10, 500).lost).toBe(3);
  });

  it('an acknowledgement outside [start, end] is refused', () => {
    const send = new SendQueue();
    send.enqueue(p(0));
    expect(send.ackUpTo(2)).toBeUndefined();
    expect(send.ackUpTo(0xffff_ffff)).toBeUndefined();
    expect(send.ackUpTo(1)?.acked).toBe(1);
  });

  it("isDelivered follows c-toxcore's wrap-safe rule", () => {
    const send = new SendQueue(NEAR_WRAP);
    for (let i = 0; i < 32; i++) send.enqueue(p(i));
    send.ackUpTo((NEAR_WRAP + 20) >>> 0);
    expect(send.isDelivered((NEAR_WRAP + 19) >>> 0)).toBe(true);
    expect(send.isDelivered((NEAR_WRAP + 20) >>> 0)).toBe(false);
    expect(send.isDelivered((NEAR_WRAP + 31) >>> 0)).toBe(false);
  });

  it('the receive window takes 32768 numbers past its start, no more; setEnd never goes back', () => {
    const receive = new ReceiveQueue(NEAR_WRAP);
    expect(receive.add((NEAR_WRAP + 32767) >>> 0, p(1))).toBe('added');
    expect(receive.add((NEAR_WRAP + 32768) >>> 0, p(1))).toBe('outOfWindow');
    expect(receive.add((NEAR_WRAP - 5) >>> 0, p(1))).toBe('duplicate');
    expect(receive.setEnd((NEAR_WRAP + 100) >>> 0)).toBe(false);
    expect(receive.setEnd((NEAR_WRAP + 32768) >>> 0)).toBe(true);
    expect(decodeRequestBytes(receive.buildRequest().subarray(1)).missing.length).toBe(1372);
  });
});
