// The engine against a recording port: exact packets for each API call, typed errors with stable
// codes, file numbering, flow control (budget, reserve, round robin, 256 chunks per pump, re-request after a
// refused chunk), sender completion on acknowledgement, friends going offline, and the lifecycle.
import { describe, expect, it } from 'vitest';
import { ManualScheduler, SeededRandom, silentLogger } from '../../../../src/base/index.js';
import { sha256 } from '../../../../src/crypto/index.js';
import {
  FileTransfers,
  MAX_CHUNKS_PER_PUMP,
  MAX_CONCURRENT_FILE_PIPES,
  MAX_FILE_DATA_SIZE,
  apiFileNumber,
  parseFileNumber,
} from '../../../../src/messenger/files/index.js';
import { FakePort, codeOf, collect, content, rig, serve, single } from './helpers.js';

const ID = 'aa'.repeat(32);
const hex = (v: number | bigint, bytes: number): string => v.toString(16).padStart(bytes * 2, '0');
const offer = (n: number, size: number | bigint, kind = 0): string => '50' + hex(n, 1) + hex(kind, 4) + hex(BigInt(size), 8) + ID;
const control = (sendReceive: number, n: number, c: number, position?: bigint): string =>
  '51' + hex(sendReceive, 1) + hex(n, 1) + hex(c, 1) + (position === undefined ? '' : hex(position, 8));

/** Records chunk requests without answering them. */
function requests(engine: FileTransfers): Array<[number, bigint, number]> {
  const out: Array<[number, bigint, number]> = [];
  engine.on('chunkRequest', (_f, n, position, length) => out.push([n, position, length]));
  return out;
}

describe('file transfer engine API', () => {
  it('numbers files as c-toxcore does: outgoing 0..255, incoming (n + 1) << 16', () => {
    expect(apiFileNumber('outgoing', 7)).toBe(7);
    expect(apiFileNumber('incoming', 0)).toBe(65536);
    expect(apiFileNumber('incoming', 255)).toBe(256 << 16);
    expect(parseFileNumber(255)).toEqual({ direction: 'outgoing', wireNumber: 255 });
    expect(parseFileNumber(256 << 16)).toEqual({ direction: 'incoming', wireNumber: 255 });
    for (const bad of [256, 65535, 65537, 257 << 16, -1, 1.5, 2 ** 32]) expect(parseFileNumber(bad), String(bad)).toBeUndefined();

    const s = single();
    for (let i = 0; i < MAX_CONCURRENT_FILE_PIPES; i++) expect(s.engine.sendFile(0, { size: 1 })).toBe(i);
    expect(codeOf(() => s.engine.sendFile(0, { size: 1 }))).toBe('FILE_TOO_MANY');
    s.engine.control(0, 17, 'cancel');
    expect(s.engine.sendFile(0, { size: 1 })).toBe(17);
    const offers: number[] = [];
    s.engine.on('offer', (_f, o) => offers.push(o.fileNumber));
    s.receive(offer(0, 10));
    s.receive(offer(255, 10));
    expect(offers).toEqual([65536, 256 << 16]);
    expect(s.engine.transfer(0, 65536)?.direction).toBe('incoming');
    expect(s.engine.transfer(0, 65537)).toBeUndefined();
    expect(s.engine.transfer(1, 0)).toBeUndefined();
  });

  it('sends the offer, control and seek packets c-toxcore expects', () => {
    const s = single();
    const n = s.engine.sendFile(0, { kind: 1, size: 0x1234, name: 'ab', fileId: new Uint8Array(32).fill(0xaa) });
    expect(s.port.take()).toEqual(['50' + '00' + '00000001' + '0000000000001234' + ID + '6162']);
    s.receive(control(1, n, 0)); // the friend accepts
    expect(s.engine.transfer(0, n)?.state).toBe('transferring');
    s.engine.control(0, n, 'pause');
    s.engine.control(0, n, 'resume');
    s.engine.control(0, n, 'cancel');
    expect(s.port.take()).toEqual([control(0, n, 1), control(0, n, 0), control(0, n, 2)]);

    s.receive(offer(4, 100));
    const incoming = 5 << 16;
    s.engine.seek(0, incoming, 42n);
    s.engine.control(0, incoming, 'accept');
    s.engine.control(0, incoming, 'pause');
    s.engine.control(0, incoming, 'cancel');
    expect(s.port.take()).toEqual([control(1, 4, 3, 42n), control(1, 4, 0), control(1, 4, 1), control(1, 4, 2)]);
  });

  it('rejects misuse with stable codes and leaves the transfer as it was', () => {
    const s = single();
    const e = s.engine;
    expect(codeOf(() => e.sendFile(0, { size: 1, name: 'é'.repeat(128) }))).toBe('FILE_NAME_TOO_LONG');
    expect(codeOf(() => e.sendFile(0, { size: 1, name: 'x'.repeat(255) }))).toBe('none');
    expect(codeOf(() => e.sendFile(1, { size: 1 }))).toBe('FRIEND_NOT_CONNECTED');
    expect(codeOf(() => e.sendFile(0, { size: 1, fileId: new Uint8Array(31) }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => e.sendFile(0, { size: -1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => e.sendFile(0, { size: 2n ** 64n }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => e.sendFile(0, { size: 1, kind: 2 ** 32 }))).toBe('INVALID_ARGUMENT');
    s.port.full = true;
    expect(codeOf(() => e.sendFile(0, { size: 1 }))).toBe('FILE_SENDQ');
    s.port.full = false;
    s.port.connected = false;
    expect(codeOf(() => e.sendFile(0, { size: 1 }))).toBe('FRIEND_NOT_CONNECTED');
    s.port.connected = true;
    expect(e.transfers(0).map((t) => t.fileNumber)).toEqual([0]);

    const out = e.sendFile(0, { size: 3 * MAX_FILE_DATA_SIZE });
    expect(codeOf(() => e.control(0, out, 'pause'))).toBe('FILE_BAD_STATE');
    expect(codeOf(() => e.control(0, out, 'accept'))).toBe('FILE_DENIED');
    expect(codeOf(() => e.sendChunk(0, out, 0, new Uint8Array(MAX_FILE_DATA_SIZE)))).toBe('FILE_BAD_STATE');
    expect(codeOf(() => e.seek(0, out, 0))).toBe('FILE_BAD_STATE');
    s.receive(control(1, out, 0));
    expect(codeOf(() => e.control(0, out, 'resume'))).toBe('FILE_NOT_PAUSED');
    e.control(0, out, 'pause');
    expect(codeOf(() => e.control(0, out, 'pause'))).toBe('FILE_ALREADY_PAUSED');
    e.control(0, out, 'resume');
    s.receive(control(1, out, 1)); // the friend pauses
    expect(codeOf(() => e.control(0, out, 'resume'))).toBe('FILE_DENIED');
    s.port.full = true;
    expect(codeOf(() => e.control(0, out, 'pause'))).toBe('FILE_SENDQ');
    expect(e.transfer(0, out)?.state).toBe('pausedByThem');
    s.port.full = false;
    expect(codeOf(() => e.control(0, 200, 'cancel'))).toBe('FILE_NOT_FOUND');
    expect(codeOf(() => e.control(0, 999, 'cancel'))).toBe('FILE_NOT_FOUND');
    expect(codeOf(() => e.control(1, out, 'cancel'))).toBe('FRIEND_NOT_CONNECTED');

    s.receive(offer(0, 100));
    const incoming = 65536;
    expect(codeOf(() => e.seek(0, incoming, 100))).toBe('FILE_INVALID_POSITION');
    expect(codeOf(() => e.seek(0, incoming, -1))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => e.seek(0, 2 << 16, 1))).toBe('FILE_NOT_FOUND');
    expect(codeOf(() => e.sendChunk(0, incoming, 0, new Uint8Array(1)))).toBe('FILE_NOT_FOUND');
    e.control(0, incoming, 'accept');
    expect(codeOf(() => e.seek(0, incoming, 1))).toBe('FILE_BAD_STATE');
    expect(codeOf(() => e.control(0, incoming, 'accept'))).toBe('FILE_NOT_PAUSED');
  });

  it('checks chunk positions and lengths like send_file_data', async () => {
    const s = single();
    const e = s.engine;
    const n = e.sendFile(0, { size: 2 * MAX_FILE_DATA_SIZE + 10 });
    s.receive(control(1, n, 0));
    const asked = requests(e);
    expect(codeOf(() => e.sendChunk(0, n, 0, new Uint8Array(MAX_FILE_DATA_SIZE)))).toBe('FILE_WRONG_POSITION'); // not requested yet
    await s.scheduler.advance(50);
    expect(asked).toEqual([[n, 0n, 1371], [n, 1371n, 1371], [n, 2742n, 10]]);
    expect(codeOf(() => e.sendChunk(0, n, 1371, new Uint8Array(MAX_FILE_DATA_SIZE)))).toBe('FILE_WRONG_POSITION'); // out of order
    expect(codeOf(() => e.sendChunk(0, n, 0, new Uint8Array(MAX_FILE_DATA_SIZE + 1)))).toBe('FILE_INVALID_LENGTH');
    expect(codeOf(() => e.sendChunk(0, n, 0, new Uint8Array(100)))).toBe('FILE_INVALID_LENGTH'); // short, not the last
    e.sendChunk(0, n, 0, new Uint8Array(MAX_FILE_DATA_SIZE));
    e.sendChunk(0, n, 1371n, new Uint8Array(MAX_FILE_DATA_SIZE));
    expect(codeOf(() => e.sendChunk(0, n, 2742, new Uint8Array(11)))).toBe('FILE_INVALID_LENGTH'); // past the size
    e.sendChunk(0, n, 2742, new Uint8Array(10));
    expect(e.transfer(0, n)?.state).toBe('finished');
    expect(codeOf(() => e.sendChunk(0, n, 2752, new Uint8Array(0)))).toBe('FILE_BAD_STATE');
    expect(s.port.take().slice(1).map((p) => p.slice(0, 4))).toEqual(['5200', '5200', '5200']);
  });

  it('requests room minus the reserve, round robin over unpaused files, at most 256 chunks per pump', async () => {
    const s = single();
    const e = s.engine;
    const files = [0, 1, 2].map(() => e.sendFile(0, { size: 100 * MAX_FILE_DATA_SIZE }));
    for (const n of files) s.receive(control(1, n, 0));
    s.receive(control(1, 1, 1)); // file 1 paused by the friend
    s.port.capacity = 40;
    s.port.ackAll();
    const asked = requests(e);
    await s.scheduler.advance(50);
    // Room 40, reserve ceil(40 / 4) = 10: 30 chunks, alternating files 0 and 2.
    expect(asked).toHaveLength(30);
    expect(asked.slice(0, 4)).toEqual([[0, 0n, 1371], [2, 0n, 1371], [0, 1371n, 1371], [2, 1371n, 1371]]);
    // Unanswered requests count against the next budget.
    await s.scheduler.advance(200);
    expect(asked).toHaveLength(30);

    const big = single();
    big.port.capacity = 600;
    const m = big.engine.sendFile(0, { size: 1000 * MAX_FILE_DATA_SIZE });
    big.receive(control(1, m, 0));
    const askedBig = requests(big.engine);
    await big.scheduler.advance(50);
    // Not c-toxcore's 128 rounds per iteration (we pump on acknowledgements, not back to back): 256 per pump.
    expect(askedBig).toHaveLength(MAX_CHUNKS_PER_PUMP);
  });

  it('takes at most three quarters of the room it finds, never the last slot, and never stalls on a small window', async () => {
    for (const [capacity, perTick] of [[64, [48, 12, 3, 0]], [16, [12, 3, 0, 0]]] as const) {
      const s = single();
      s.port.capacity = capacity;
      const size = 1000 * MAX_FILE_DATA_SIZE;
      const n = s.engine.sendFile(0, { size });
      s.receive(control(1, n, 0));
      s.port.ackAll();
      s.port.take();
      serve(s.engine, 0, n, new Uint8Array(size));
      // Nothing acknowledged: each tick takes three quarters of what is left (the reserve is at most 16).
      const sent: number[] = [];
      for (let i = 0; i < perTick.length; i++) {
        await s.scheduler.advance(50);
        sent.push(s.port.take().length);
      }
      expect(sent).toEqual(perTick);
      expect(s.port.sendQueueRoom()).toBe(1);
      s.port.ackAll();
      s.engine.notifyRoom(0);
      expect(s.port.take()).toHaveLength(perTick[0]);
    }
  });

  it('requests a chunk the queue refused again, and completes only once the last chunk is acknowledged', async () => {
    const s = single();
    const e = s.engine;
    const size = 2 * MAX_FILE_DATA_SIZE + 5;
    const file = content(size, 1);
    const n = e.sendFile(0, { size });
    s.receive(control(1, n, 0));
    const asked = requests(e);
    let refused = 0;
    const completed: number[] = [];
    e.on('completed', (_f, fn) => completed.push(fn));
    e.on('chunkRequest', (_f, fn, position, length) => {
      if (length === 0) return;
      const at = Number(position);
      s.port.full = at === MAX_FILE_DATA_SIZE && refused === 0;
      const code = codeOf(() => e.sendChunk(0, fn, position, file.subarray(at, at + length)));
      if (code === 'FILE_SENDQ') refused++;
      else expect(code).toBe('none');
      s.port.full = false;
    });
    await s.scheduler.advance(50);
    expect(refused).toBe(1);
    expect(e.counters.chunksRefused).toBe(1);
    // A refusal ends the tick's requests; the next tick asks for the refused chunk again.
    expect(asked).toHaveLength(2);
    await s.scheduler.advance(50);
    expect(asked.map(([, p, l]) => [Number(p), l])).toEqual([[0, 1371], [1371, 1371], [1371, 1371], [2742, 5]]);
    expect(e.transfer(0, n)?.state).toBe('finished');
    await s.scheduler.advance(500);
    expect(completed).toEqual([]);
    s.port.ackAll();
    await s.scheduler.advance(50);
    expect(asked.at(-1)).toEqual([n, BigInt(size), 0]);
    expect(completed).toEqual([n]);
    expect(e.transfers(0)).toEqual([]);
  });

  it('drops every transfer when the friend goes offline, announcing each, and starts afresh when it returns', async () => {
    const r = rig();
    const size = 2 * 1024 * 1024;
    const file = content(size, 2);
    const atB = collect(r.b, r.friendOfB, size);
    const atA = collect(r.a, r.friendOfA, size);
    const fromA = serve(r.a, r.friendOfA, r.a.sendFile(r.friendOfA, { size }), file);
    const fromB = serve(r.b, r.friendOfB, r.b.sendFile(r.friendOfB, { size }), file);
    r.a.sendFile(r.friendOfA, { size: 5 }); // offered, never accepted
    await r.scheduler.runUntil(() => atB.received > size / 4 && atA.received > size / 4, { timeoutMs: 10_000 });
    const broken: string[] = [];
    r.a.on('broken', (f, n) => broken.push(`a:${f}:${n}`));
    r.b.on('broken', (f, n) => broken.push(`b:${f}:${n}`));
    r.a.setFriendOnline(r.friendOfA, false);
    r.b.setFriendOnline(r.friendOfB, false);
    expect(broken).toEqual(['a:3:0', 'a:3:1', 'a:3:65536', 'b:7:0', 'b:7:65536', 'b:7:131072']);
    expect(r.a.transfers(r.friendOfA)).toEqual([]);
    expect(codeOf(() => r.a.sendFile(r.friendOfA, { size: 1 }))).toBe('FRIEND_NOT_CONNECTED');
    expect(codeOf(() => r.a.control(r.friendOfA, 0, 'pause'))).toBe('FRIEND_NOT_CONNECTED');
    await r.scheduler.advance(500);
    // What was still in flight reached engines that no longer see the friend online.
    expect(r.b.counters.droppedFor('friendOffline')).toBeGreaterThan(0);
    expect(fromA.done || fromB.done || atA.done || atB.done).toBe(false);
    for (const x of [fromA, fromB, atA, atB]) x.off();

    r.a.setFriendOnline(r.friendOfA, true);
    r.b.setFriendOnline(r.friendOfB, true);
    const again = collect(r.b, r.friendOfB, size);
    const n = r.a.sendFile(r.friendOfA, { size });
    expect(n).toBe(0);
    const server = serve(r.a, r.friendOfA, n, file);
    await r.scheduler.runUntil(() => server.done && again.done, { timeoutMs: 20_000 });
    expect(again.fileNumber).toBe(65536);
    expect(again.sha256()).toEqual(sha256(file));
    r.stop();
  });

  it('runs one tick timer between start and stop, and stop forgets every transfer', async () => {
    const scheduler = new ManualScheduler();
    const port = new FakePort();
    expect(() => new FileTransfers({ port, scheduler, random: new SeededRandom(1), log: silentLogger() }, { tickIntervalMs: 0 })).toThrow();
    const e = new FileTransfers({ port, scheduler, random: new SeededRandom(1), log: silentLogger() });
    e.start();
    e.start();
    expect(scheduler.pending()).toBe(1);
    expect(e.isRunning).toBe(true);
    e.setFriendOnline(0, true);
    e.sendFile(0, { size: 10 });
    e.stop();
    expect(scheduler.pending()).toBe(0);
    expect(e.isRunning).toBe(false);
    expect(e.transfers(0)).toEqual([]);
    await scheduler.advance(1000);
    expect(scheduler.pending()).toBe(0);
  });
});
