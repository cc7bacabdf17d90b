// Whole transfers between two engines on a bounded lossless link (virtual time): 10 MiB each way
// at once with SHA-256 intact and room always left for messages, pause/resume by either side,
// cancel by either side, seek before accept, avatars and file ids, streams, empty files, and an
// application that answers chunk requests asynchronously.
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../../../src/crypto/index.js';
import { FILE_KIND, MAX_FILE_DATA_SIZE, UNKNOWN_FILE_SIZE, avatarFileId } from '../../../../src/messenger/files/index.js';
import { codeOf, collect, content, rig, serve } from './helpers.js';

const MiB = 1024 * 1024;

describe('file transfers between two engines', () => {
  it('moves 10 MiB each way at once with matching SHA-256, never taking the room messages need', async () => {
    const r = rig();
    const size = 10 * MiB;
    const fileA = content(size, 1);
    const fileB = content(size, 2);
    const atB = collect(r.b, r.friendOfB, size);
    const atA = collect(r.a, r.friendOfA, size);
    const fromA = serve(r.a, r.friendOfA, r.a.sendFile(r.friendOfA, { size, name: 'a.bin' }), fileA);
    const fromB = serve(r.b, r.friendOfB, r.b.sendFile(r.friendOfB, { size: BigInt(size), name: 'b.bin' }), fileB);
    let messages = 0;
    await r.scheduler.runUntil(
      () => {
        // A chat message every step, alongside the file data: the queue always takes it.
        expect(r.ab.send(Uint8Array.of(0x40, messages & 0xff)).ok).toBe(true);
        messages++;
        return fromA.done && fromB.done && atA.done && atB.done;
      },
      { timeoutMs: 60_000, stepMs: 50, describe: () => ({ a: r.a.transfers(r.friendOfA), b: r.b.transfers(r.friendOfB) }) },
    );
    const virtualMs = r.scheduler.now();
    await r.scheduler.advance(100);
    expect(atB.received).toBe(size);
    expect(atA.received).toBe(size);
    expect(atB.contiguous && atA.contiguous).toBe(true);
    expect(atB.sha256()).toEqual(sha256(fileA));
    expect(atA.sha256()).toEqual(sha256(fileB));
    expect(r.ab.refused + r.ba.refused).toBe(0);
    // File data never took the last slot; the messages always found room.
    expect(r.ba.minRoom).toBeGreaterThanOrEqual(1);
    expect(r.ab.minRoom).toBeGreaterThanOrEqual(1);
    expect(r.a.counters.chunksSent).toBe(Math.ceil(size / MAX_FILE_DATA_SIZE));
    expect(r.b.counters.bytesReceived).toBe(size);
    expect(r.a.transfers(r.friendOfA)).toEqual([]);
    expect(r.b.transfers(r.friendOfB)).toEqual([]);
    expect(r.a.counters.totalDropped() + r.b.counters.totalDropped()).toBe(0);
    expect(r.other.b).toHaveLength(messages);
    // 10 MiB at 32 packets per 5 ms is about 1.2 s of link time.
    console.log('10 MiB each way:', virtualMs, 'ms virtual');
    expect(virtualMs).toBeLessThan(5_000);
    r.stop();
    expect(r.scheduler.pending()).toBe(0);
  }, 60_000);

  it('needs no room notifications: the 50 ms tick alone carries a transfer', async () => {
    const r = rig({ notifyRoom: false });
    const size = MiB;
    const file = content(size, 9);
    const sink = collect(r.b, r.friendOfB, size);
    const server = serve(r.a, r.friendOfA, r.a.sendFile(r.friendOfA, { size }), file);
    await r.scheduler.runUntil(() => server.done && sink.done, { timeoutMs: 10_000 });
    expect(sink.sha256()).toEqual(sha256(file));
    // About 112 chunks per tick on a 128-packet queue.
    expect(r.scheduler.now()).toBeLessThan(1_500);
    r.stop();
  });

  it('pauses and resumes from either side; a transfer paused by both needs both to resume', async () => {
    const r = rig();
    const size = 2 * MiB;
    const file = content(size, 3);
    const sink = collect(r.b, r.friendOfB, size);
    const n = r.a.sendFile(r.friendOfA, { size });
    const server = serve(r.a, r.friendOfA, n, file);
    const controlsAtA: string[] = [];
    const controlsAtB: string[] = [];
    r.a.on('control', (_f, _n, c) => controlsAtA.push(c));
    r.b.on('control', (_f, _n, c) => controlsAtB.push(c));
    await r.scheduler.runUntil(() => sink.received > size / 4, { timeoutMs: 10_000 });
    const incoming = sink.fileNumber!;
    expect(incoming).toBe(1 << 16);

    // The receiver pauses: after what was in flight, nothing more arrives.
    r.b.control(r.friendOfB, incoming, 'pause');
    await r.scheduler.advance(500);
    expect(r.a.transfer(r.friendOfA, n)?.state).toBe('pausedByThem');
    expect(r.b.transfer(r.friendOfB, incoming)?.state).toBe('pausedByUs');
    const held = sink.received;
    await r.scheduler.advance(2_000);
    expect(sink.received).toBe(held);
    expect(codeOf(() => r.a.control(r.friendOfA, n, 'resume'))).toBe('FILE_DENIED');

    // The sender pauses too: both must resume.
    r.a.control(r.friendOfA, n, 'pause');
    await r.scheduler.advance(100);
    expect(r.a.transfer(r.friendOfA, n)?.state).toBe('pausedByBoth');
    expect(r.b.transfer(r.friendOfB, incoming)?.state).toBe('pausedByBoth');
    r.b.control(r.friendOfB, incoming, 'resume');
    await r.scheduler.advance(1_000);
    expect(sink.received).toBe(held);
    expect(r.a.transfer(r.friendOfA, n)?.state).toBe('pausedByUs');
    r.a.control(r.friendOfA, n, 'resume');
    await r.scheduler.runUntil(() => sink.received > held + size / 4, { timeoutMs: 10_000 });

    // The sender pauses and resumes alone.
    r.a.control(r.friendOfA, n, 'pause');
    await r.scheduler.advance(500);
    expect(r.b.transfer(r.friendOfB, incoming)?.state).toBe('pausedByThem');
    const held2 = sink.received;
    await r.scheduler.advance(1_000);
    expect(sink.received).toBe(held2);
    r.a.control(r.friendOfA, n, 'resume');
    await r.scheduler.runUntil(() => server.done && sink.done, { timeoutMs: 30_000 });
    expect(sink.sha256()).toEqual(sha256(file));
    expect(sink.contiguous).toBe(true);
    expect(controlsAtA).toEqual(['resume', 'pause', 'resume']);
    expect(controlsAtB).toEqual(['pause', 'resume', 'pause', 'resume']);
    r.stop();
  });

  it('cancels from the receiver side and from the sender side, mid-transfer and before accepting', async () => {
    const r = rig();
    const size = 4 * MiB;
    const file = content(size, 4);
    const cancelledAtA: number[] = [];
    const cancelledAtB: number[] = [];
    r.a.on('control', (_f, n, c) => c === 'cancel' && cancelledAtA.push(n));
    r.b.on('control', (_f, n, c) => c === 'cancel' && cancelledAtB.push(n));

    // Receiver cancels mid-way.
    const sink1 = collect(r.b, r.friendOfB, size);
    const n1 = r.a.sendFile(r.friendOfA, { size });
    const server1 = serve(r.a, r.friendOfA, n1, file);
    await r.scheduler.runUntil(() => sink1.received > MiB, { timeoutMs: 10_000 });
    r.b.control(r.friendOfB, sink1.fileNumber!, 'cancel');
    expect(r.b.transfer(r.friendOfB, sink1.fileNumber!)).toBeUndefined();
    await r.scheduler.advance(500);
    expect(cancelledAtA).toEqual([n1]);
    expect(r.a.transfers(r.friendOfA)).toEqual([]);
    expect(server1.done).toBe(false);
    server1.off();
    expect(sink1.done).toBe(false);
    // Data that was in flight when B cancelled is dropped there.
    expect(r.b.counters.droppedFor('unknownFile')).toBeGreaterThan(0);
    expect(r.a.counters.killsAnswered + r.b.counters.killsAnswered).toBe(0);

    // Sender cancels mid-way (the file number is free again).
    const sink2 = collect(r.b, r.friendOfB, size);
    const n2 = r.a.sendFile(r.friendOfA, { size });
    expect(n2).toBe(n1);
    serve(r.a, r.friendOfA, n2, file);
    await r.scheduler.runUntil(() => sink2.received > MiB, { timeoutMs: 10_000 });
    r.a.control(r.friendOfA, n2, 'cancel');
    await r.scheduler.advance(500);
    expect(cancelledAtB).toEqual([sink2.fileNumber]);
    expect(r.b.transfers(r.friendOfB)).toEqual([]);

    // Receiver rejects an offer before accepting.
    const sink3 = collect(r.b, r.friendOfB, 10, false);
    const n3 = r.a.sendFile(r.friendOfA, { size: 10 });
    await r.scheduler.advance(100);
    r.b.control(r.friendOfB, sink3.fileNumber!, 'cancel');
    await r.scheduler.advance(100);
    expect(cancelledAtA).toEqual([n1, n3]);
    expect(r.a.transfers(r.friendOfA)).toEqual([]);
    r.stop();
  });

  it('seeks before accepting: both sides continue from the position', async () => {
    const r = rig();
    const size = MiB + 12345;
    const file = content(size, 5);
    const from = 3 * MAX_FILE_DATA_SIZE + 7;
    const n = r.a.sendFile(r.friendOfA, { size, name: 'resume.bin' });
    const firstRequest: bigint[] = [];
    r.a.on('chunkRequest', (_f, _n, position) => firstRequest.length === 0 && firstRequest.push(position));
    const server = serve(r.a, r.friendOfA, n, file);
    const sink = collect(r.b, r.friendOfB, size, false);
    await r.scheduler.advance(100);
    const incoming = sink.fileNumber!;
    r.b.seek(r.friendOfB, incoming, BigInt(from));
    expect(r.b.transfer(r.friendOfB, incoming)?.transferred).toBe(BigInt(from));
    r.b.control(r.friendOfB, incoming, 'accept');
    await r.scheduler.runUntil(() => server.done && sink.done, { timeoutMs: 10_000 });
    expect(firstRequest).toEqual([BigInt(from)]);
    expect(sink.bytes.subarray(0, from).every((x) => x === 0)).toBe(true);
    expect(sha256(sink.bytes.subarray(from, size))).toEqual(sha256(file.subarray(from)));
    expect(r.b.counters.bytesReceived).toBe(size - from);
    r.stop();
  });

  it('offers avatars under their hash, other files under random ids, and ends an empty avatar at once', async () => {
    const r = rig();
    const image = content(5000, 6);
    const offers: Array<{ kind: number; size: bigint; fileId: Uint8Array; fileName: string }> = [];
    r.b.on('offer', (_f, o) => offers.push({ kind: o.kind, size: o.size, fileId: o.fileId, fileName: o.fileName }));
    const avatar = r.a.sendFile(r.friendOfA, { kind: FILE_KIND.avatar, size: image.length, fileId: avatarFileId(image), name: 'me.png' });
    const doc1 = r.a.sendFile(r.friendOfA, { size: 1, name: 'ünïcode.txt' });
    const doc2 = r.a.sendFile(r.friendOfA, { size: 1, name: new Uint8Array([0xff, 0x41]) });
    expect([avatar, doc1, doc2]).toEqual([0, 1, 2]);
    expect(r.a.transfer(r.friendOfA, avatar)?.fileId).toEqual(sha256(image));
    await r.scheduler.advance(100);
    expect(offers.map((o) => [o.kind, o.size, o.fileName])).toEqual([
      [FILE_KIND.avatar, 5000n, 'me.png'],
      [FILE_KIND.data, 1n, 'ünïcode.txt'],
      [FILE_KIND.data, 1n, '\uFFFDA'],
    ]);
    expect(offers[0]!.fileId).toEqual(sha256(image));
    expect(offers[1]!.fileId).toHaveLength(32);
    expect(offers[1]!.fileId).not.toEqual(offers[2]!.fileId);
    expect(r.b.transfer(r.friendOfB, 2 << 16)?.fileId).toEqual(offers[1]!.fileId);
    expect(r.b.transfer(r.friendOfB, 3 << 16)?.fileNameBytes).toEqual(new Uint8Array([0xff, 0x41]));

    // Size 0 ("no avatar"): one empty data packet, then both ends complete.
    const completedA: number[] = [];
    const completedB: number[] = [];
    r.a.on('completed', (_f, n) => completedA.push(n));
    r.b.on('completed', (_f, n) => completedB.push(n));
    const sink = collect(r.b, r.friendOfB, 0);
    const none = r.a.sendFile(r.friendOfA, { kind: FILE_KIND.avatar, size: 0, fileId: avatarFileId(new Uint8Array(0)) });
    const server = serve(r.a, r.friendOfA, none, new Uint8Array(0));
    await r.scheduler.runUntil(() => server.done && sink.done, { timeoutMs: 5_000 });
    expect(completedA).toEqual([none]);
    expect(completedB).toEqual([sink.fileNumber]);
    expect(server.requests).toBe(1);
    r.stop();
  });

  it('streams a file of unknown size, ended by an empty chunk or by a short one', async () => {
    for (const tail of [0, 500]) {
      const r = rig();
      const chunks = 300;
      const total = chunks * MAX_FILE_DATA_SIZE + tail;
      const file = content(total, 7);
      const sink = collect(r.b, r.friendOfB, total);
      r.a.sendFile(r.friendOfA, { size: UNKNOWN_FILE_SIZE, name: 'stream' });
      let finished = false;
      r.a.on('chunkRequest', (f, fn, position, length) => {
        if (length === 0) {
          finished = true;
          return;
        }
        expect(length).toBe(MAX_FILE_DATA_SIZE);
        const at = Number(position);
        // The application decides where the stream ends.
        if (at < chunks * MAX_FILE_DATA_SIZE) r.a.sendChunk(f, fn, position, file.subarray(at, at + length));
        else if (at === chunks * MAX_FILE_DATA_SIZE) r.a.sendChunk(f, fn, position, file.subarray(at));
      });
      await r.scheduler.runUntil(() => finished && sink.done, { timeoutMs: 10_000 });
      expect(sink.received).toBe(total);
      expect(sink.sha256()).toEqual(sha256(file));
      expect(r.b.transfers(r.friendOfB)).toEqual([]);
      r.stop();
    }
  });

  it('serves an application that answers chunk requests later, never asking for more than the room', async () => {
    const r = rig({ pipe: { capacity: 64 } });
    const size = MiB;
    const file = content(size, 8);
    const sink = collect(r.b, r.friendOfB, size);
    const n = r.a.sendFile(r.friendOfA, { size });
    let pending = 0;
    let maxPending = 0;
    let finished = false;
    r.a.on('chunkRequest', (f, fn, position, length) => {
      if (length === 0) {
        finished = true;
        return;
      }
      pending++;
      maxPending = Math.max(maxPending, pending);
      // As if read from disk: the answer comes 7 ms later.
      r.scheduler.after(7, () => {
        pending--;
        const at = Number(position);
        r.a.sendChunk(f, fn, position, file.subarray(at, at + length));
      });
    });
    await r.scheduler.runUntil(() => finished && sink.done, { timeoutMs: 20_000 });
    expect(sink.sha256()).toEqual(sha256(file));
    expect(maxPending).toBeLessThanOrEqual(64 - 16);
    expect(r.ab.refused).toBe(0);
    expect(r.a.transfer(r.friendOfA, n)).toBeUndefined();
    r.stop();
  });
});
