// Untrusted input: malformed packets, bad or unknown file numbers, data for files not accepted,
// oversized and overlong chunks, controls the state does not allow, offers on busy numbers, random
// bytes and a throwing listener. Everything is counted and dropped; handlePacket never throws; only
// controls for unknown transfers are answered (with one kill, and never a kill for a kill).
import { describe, expect, it } from 'vitest';
import { SeededRandom, toHex } from '../../../../src/base/index.js';
import { FILE_PACKET_ID, MAX_FILE_DATA_SIZE } from '../../../../src/messenger/files/index.js';
import { collect, content, rig, serve, single } from './helpers.js';

const ID = 'bb'.repeat(32);
const hex = (v: number | bigint, bytes: number): string => v.toString(16).padStart(bytes * 2, '0');
const offer = (n: number, size: number | bigint): string => '50' + hex(n, 1) + '00000000' + hex(BigInt(size), 8) + ID;
const control = (sendReceive: number, n: number, c: number, position?: bigint): string =>
  '51' + hex(sendReceive, 1) + hex(n, 1) + hex(c, 1) + (position === undefined ? '' : hex(position, 8));
const data = (n: number, length: number): string => '52' + hex(n, 1) + 'cd'.repeat(length);

describe('hostile file packets', () => {
  it('drops malformed packets and foreign ids as malformed, answering none of them', () => {
    const s = single();
    const bad = [
      '50' + '05' + '00000001' + '0102030405060708' + ID.slice(2),
      '50' + '05' + '00000001' + '0102030405060708' + ID + '61'.repeat(256),
      '51',
      '5100',
      '510009',
      '51020900',
      '51000904',
      '51010003000000000000',
      '5100090000',
      '52',
      data(1, MAX_FILE_DATA_SIZE + 1),
    ];
    for (const p of bad) s.receive(p);
    s.engine.handlePacket(0, 0x40, new Uint8Array([1, 2, 3]));
    expect(s.engine.counters.droppedFor('malformed')).toBe(bad.length + 1);
    expect(s.engine.counters.totalDropped()).toBe(bad.length + 1);
    expect(s.port.take()).toEqual([]);
    expect(s.engine.transfers(0)).toEqual([]);
  });

  it('drops packets from a friend that is not online', () => {
    const s = single();
    s.engine.handlePacket(1, FILE_PACKET_ID.sendRequest, Buffer.from(offer(0, 10).slice(2), 'hex'));
    s.engine.handlePacket(1, FILE_PACKET_ID.control, Buffer.from(control(1, 0, 0).slice(2), 'hex'));
    expect(s.engine.counters.droppedFor('friendOffline')).toBe(2);
    expect(s.engine.transfers(1)).toEqual([]);
    expect(s.port.take()).toEqual([]);
  });

  it('answers a control for an unknown transfer with a kill in the matching direction, but not a kill', () => {
    const s = single();
    s.receive(control(1, 9, 0)); // "accept your file 9": we send no file 9
    s.receive(control(0, 9, 1)); // "pause my file 9": we receive no file 9
    s.receive(control(1, 200, 3, 5n));
    s.receive(control(0, 9, 2)); // a kill is never answered (no kill ping-pong)
    expect(s.port.take()).toEqual([control(0, 9, 2), control(1, 9, 2), control(0, 200, 2)]);
    expect(s.engine.counters.killsAnswered).toBe(3);
    expect(s.engine.counters.droppedFor('unknownFile')).toBe(4);
  });

  it('drops data for unknown files and for files not accepted, and offers on busy numbers', () => {
    const s = single();
    const offers: number[] = [];
    s.engine.on('offer', (_f, o) => offers.push(o.fileNumber));
    const chunks: number[] = [];
    s.engine.on('chunk', (_f, _n, _p, d) => chunks.push(d.length));
    s.receive(data(4, 10));
    s.receive(offer(4, 5000));
    s.receive(data(4, MAX_FILE_DATA_SIZE));
    s.receive(offer(4, 7)); // number 4 is still in use
    expect(offers).toEqual([5 << 16]);
    expect(s.engine.transfer(0, 5 << 16)).toMatchObject({ size: 5000n, state: 'notAccepted', transferred: 0n });
    expect(chunks).toEqual([]);
    expect(s.engine.counters.droppedFor('unknownFile')).toBe(1);
    expect(s.engine.counters.droppedFor('notTransferring')).toBe(1);
    expect(s.engine.counters.droppedFor('fileNumberInUse')).toBe(1);
    expect(s.port.take()).toEqual([]);
  });

  it('drops controls the transfer state does not take', () => {
    const s = single();
    const out = s.engine.sendFile(0, { size: 10 * MAX_FILE_DATA_SIZE });
    s.receive(offer(0, 100));
    const incoming = 1 << 16;
    const seen: string[] = [];
    s.engine.on('control', (_f, n, c) => seen.push(`${n}:${c}`));
    s.receive(control(0, 0, 0)); // the sender "resumes" an offer we have not accepted
    s.receive(control(0, 0, 1)); // the sender pauses a transfer that has not started
    s.receive(control(0, 0, 3, 1n)); // only the receiver seeks
    s.receive(control(1, out, 1)); // pause before accepting
    s.receive(control(1, out, 3, 10n * 1371n)); // seek to the size
    s.receive(control(1, out, 0)); // accepted: fine
    s.receive(control(1, out, 3, 0n)); // seek after accepting
    s.receive(control(1, out, 0)); // resume of a transfer not paused
    s.receive(control(1, out, 1)); // pause: fine
    s.receive(control(1, out, 1)); // pause again
    expect(s.engine.counters.droppedFor('badControl')).toBe(8);
    expect(seen).toEqual([`${out}:resume`, `${out}:pause`]);
    expect(s.engine.transfer(0, out)).toMatchObject({ state: 'pausedByThem', transferred: 0n });
    expect(s.engine.transfer(0, incoming)).toMatchObject({ state: 'notAccepted', transferred: 0n });
  });

  it('cuts data past the announced size before the application sees it', () => {
    const s = single();
    s.receive(offer(2, 100));
    const n = 3 << 16;
    s.engine.control(0, n, 'accept');
    const chunks: Array<[bigint, number]> = [];
    const done: number[] = [];
    s.engine.on('chunk', (_f, _n, p, d) => chunks.push([p, d.length]));
    s.engine.on('completed', (_f, fn) => done.push(fn));
    s.receive(data(2, MAX_FILE_DATA_SIZE));
    s.receive(data(2, 10)); // after the end: the transfer is gone
    expect(chunks).toEqual([[0n, 100], [100n, 0]]);
    expect(done).toEqual([n]);
    expect(s.engine.counters.bytesTruncated).toBe(MAX_FILE_DATA_SIZE - 100);
    expect(s.engine.counters.droppedFor('unknownFile')).toBe(1);
  });

  it('survives random and mutated packets without throwing, and contains a throwing listener', () => {
    const s = single();
    const random = new SeededRandom(31337);
    s.receive(offer(1, 10_000_000));
    s.engine.control(0, 2 << 16, 'accept');
    const valid = [offer(3, 50), control(1, 0, 0), control(0, 1, 1), control(1, 0, 3, 7n), data(1, 1371), data(1, 5)].map((h) =>
      Uint8Array.from(Buffer.from(h, 'hex')),
    );
    for (let i = 0; i < 5000; i++) {
      let p: Uint8Array;
      if (i % 2 === 0) {
        p = random.bytes(1 + random.int(60));
        p[0] = FILE_PACKET_ID.sendRequest + random.int(3);
      } else {
        p = valid[random.int(valid.length)]!.slice();
        for (let k = 0; k < 3; k++) p[1 + random.int(p.length - 1)] = random.int(256);
      }
      expect(() => s.engine.handlePacket(0, p[0]!, p.subarray(1))).not.toThrow();
    }
    expect(s.engine.counters.droppedFor('internalError')).toBe(0);
    expect(s.engine.counters.totalDropped()).toBeGreaterThan(1000);

    // A fresh session, so the offer below lands on a free number.
    s.engine.setFriendOnline(0, false);
    s.engine.setFriendOnline(0, true);
    s.engine.on('offer', () => {
      throw new Error('listener bug');
    });
    expect(() => s.receive(offer(77, 1))).not.toThrow();
    expect(s.engine.counters.droppedFor('internalError')).toBe(1);
  });

  it('ends in silence when both sides cancel the same transfer at once', async () => {
    const r = rig();
    const size = 1024 * 1024;
    const sink = collect(r.b, r.friendOfB, size);
    const n = r.a.sendFile(r.friendOfA, { size });
    serve(r.a, r.friendOfA, n, content(size, 1));
    await r.scheduler.runUntil(() => sink.received > size / 4, { timeoutMs: 10_000 });
    r.a.control(r.friendOfA, n, 'cancel');
    r.b.control(r.friendOfB, sink.fileNumber!, 'cancel');
    const controlsSent = (): number => (r.ab.sentById.get(FILE_PACKET_ID.control) ?? 0) + (r.ba.sentById.get(FILE_PACKET_ID.control) ?? 0);
    const before = controlsSent();
    await r.scheduler.advance(2_000);
    expect(controlsSent()).toBe(before);
    expect(r.a.counters.killsAnswered + r.b.counters.killsAnswered).toBe(0);
    expect(toHex(new Uint8Array([r.a.transfers(r.friendOfA).length, r.b.transfers(r.friendOfB).length]))).toBe('0000');
    r.stop();
  });
});
