/**
 * A ring of packets indexed by u32 packet number (wrapping arithmetic), holding
 * the numbers [start, end) with at most PACKET_BUFFER_SIZE of them. Storage
 * grows in powers of two as the window widens, so an idle connection costs a
 * few hundred bytes instead of c-toxcore's fixed 32768-slot arrays. Each slot
 * has its bytes plus a time, a sequence number and a flag byte the send side uses.
 */
import { PACKET_BUFFER_SIZE } from './constants.js';

const INITIAL_CAPACITY = 64;

/** `a - b` in u32 arithmetic. */
export function u32Diff(a: number, b: number): number {
  return (a - b) >>> 0;
}

export class PacketRing {
  start: number;
  end: number;
  /** Packets currently stored (holes excluded). */
  stored = 0;
  private slots: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(INITIAL_CAPACITY).fill(undefined);
  private times = new Float64Array(INITIAL_CAPACITY);
  private seqs = new Float64Array(INITIAL_CAPACITY);
  private flagBytes = new Uint8Array(INITIAL_CAPACITY);
  private mask = INITIAL_CAPACITY - 1;

  /** Numbering starts at `first` (0 on a new connection; tests start near the u32 wrap). */
  constructor(first = 0) {
    this.start = first >>> 0;
    this.end = this.start;
  }

  /** Numbers in [start, end), holes included. */
  get length(): number {
    return u32Diff(this.end, this.start);
  }

  /** True when `n` lies in [start, end). */
  inWindow(n: number): boolean {
    return u32Diff(n, this.start) < u32Diff(this.end, this.start);
  }

  get(n: number): Uint8Array | undefined {
    return this.inWindow(n) ? this.slots[n & this.mask] : undefined;
  }

  /** Stores `data` as packet `n` (caller checked `n - start < PACKET_BUFFER_SIZE`); extends `end` past it. */
  put(n: number, data: Uint8Array, time: number, flags: number): void {
    const offset = u32Diff(n, this.start);
    if (offset >= this.length) {
      this.ensureCapacity(offset + 1);
      this.end = (n + 1) >>> 0;
    }
    const i = n & this.mask;
    if (this.slots[i] === undefined) this.stored++;
    this.slots[i] = data;
    this.times[i] = time;
    this.flagBytes[i] = flags;
  }

  /** Appends at `end`; returns the new packet's number. */
  push(data: Uint8Array, time: number, flags: number): number {
    const n = this.end;
    this.put(n, data, time, flags);
    return n;
  }

  remove(n: number): Uint8Array | undefined {
    if (!this.inWindow(n)) return undefined;
    const i = n & this.mask;
    const data = this.slots[i];
    if (data !== undefined) {
      this.slots[i] = undefined;
      this.stored--;
    }
    return data;
  }

  time(n: number): number {
    return this.times[n & this.mask]!;
  }

  setTime(n: number, time: number): void {
    this.times[n & this.mask] = time;
  }

  seq(n: number): number {
    return this.seqs[n & this.mask]!;
  }

  setSeq(n: number, seq: number): void {
    this.seqs[n & this.mask] = seq;
  }

  flags(n: number): number {
    return this.flagBytes[n & this.mask]!;
  }

  setFlags(n: number, flags: number): void {
    this.flagBytes[n & this.mask] = flags;
  }

  /** Moves `start` to `n` (within [start, end]) dropping everything below; `visit` sees each stored packet first. */
  advanceTo(n: number, visit?: (number: number) => void): void {
    for (let k = this.start; k !== n; k = (k + 1) >>> 0) {
      const i = k & this.mask;
      if (this.slots[i] !== undefined) {
        visit?.(k);
        this.slots[i] = undefined;
        this.stored--;
      }
    }
    this.start = n;
  }

  /** Moves `end` (never below start, never more than PACKET_BUFFER_SIZE past it). */
  setEnd(n: number): void {
    this.ensureCapacity(u32Diff(n, this.start));
    this.end = n;
  }

  /** Grows storage to hold `needed` numbers from `start`; must run before `end` moves. */
  private ensureCapacity(needed: number): void {
    if (needed <= this.mask + 1) return;
    let capacity = this.mask + 1;
    while (capacity < needed) capacity *= 2;
    capacity = Math.min(capacity, PACKET_BUFFER_SIZE);
    const slots = new Array<Uint8Array | undefined>(capacity).fill(undefined);
    const times = new Float64Array(capacity);
    const seqs = new Float64Array(capacity);
    const flags = new Uint8Array(capacity);
    const mask = capacity - 1;
    for (let k = this.start; k !== this.end; k = (k + 1) >>> 0) {
      const from = k & this.mask;
      const data = this.slots[from];
      if (data === undefined) continue;
      const to = k & mask;
      slots[to] = data;
      times[to] = this.times[from]!;
      seqs[to] = this.seqs[from]!;
      flags[to] = this.flagBytes[from]!;
    }
    this.slots = slots;
    this.times = times;
    this.seqs = seqs;
    this.flagBytes = flags;
    this.mask = mask;
  }
}
