/**
 * `LineFile`: an append-only file of text lines (JSON lines, logs) for
 * plugins, opened through `PluginServices.openLineFile`. `write(line)` only
 * queues: one background loop appends queued lines in batches, so a caller
 * (an event handler) never waits on the disk. When the next line would take
 * the file past `maxBytes` the file is rotated: `<file>.<keep-1>` →
 * `<file>.<keep>` ... `<file>` → `<file>.1`, the oldest dropped. Text queued
 * beyond `maxQueuedBytes` is dropped and counted rather than growing memory.
 * A failed write is logged, counted and its lines dropped; the file is
 * reopened for the next batch. `close()` writes what is queued, then closes.
 */
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InvalidArgumentError, InvalidStateError, type Logger } from '../../base/index.js';

export interface LineFileOptions {
  /** Rotate before the file would grow past this many bytes (default 10 MiB; 0 never rotates). */
  maxBytes?: number;
  /** Rotated files kept besides the current one (default 5; 0 keeps none). */
  keep?: number;
  /** Queued text allowed while the disk is slow; more is dropped (default 4 MiB). */
  maxQueuedBytes?: number;
}

export interface LineFileStats {
  readonly droppedLines: number;
  readonly failedWrites: number;
  readonly rotations: number;
}

const DEFAULTS = { maxBytes: 10 * 1024 * 1024, keep: 5, maxQueuedBytes: 4 * 1024 * 1024 } as const;

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function isMissing(err: unknown): boolean {
  return (err as { code?: unknown } | undefined)?.code === 'ENOENT';
}

export class LineFile {
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly maxQueuedBytes: number;
  private queue: string[] = [];
  private queuedBytes = 0;
  private handle: FileHandle | undefined;
  private size = 0;
  private draining: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private counts = { droppedLines: 0, failedWrites: 0, rotations: 0 };

  constructor(
    readonly file: string,
    private readonly log: Logger,
    options: LineFileOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULTS.maxBytes;
    this.keep = options.keep ?? DEFAULTS.keep;
    this.maxQueuedBytes = options.maxQueuedBytes ?? DEFAULTS.maxQueuedBytes;
    for (const [name, value] of [['maxBytes', this.maxBytes], ['keep', this.keep], ['maxQueuedBytes', this.maxQueuedBytes]] as const) {
      if (!Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError(`LineFile ${name} must be a non-negative integer`, { got: value });
    }
  }

  get stats(): LineFileStats {
    return { ...this.counts };
  }

  /** Queues one line (a newline is added); false when it was dropped because the queue is full. Throws after `close()`. */
  write(line: string): boolean {
    if (this.closing) throw new InvalidStateError(`the line file ${this.file} is closed`);
    const text = `${line}\n`;
    const bytes = byteLength(text);
    if (this.queuedBytes + bytes > this.maxQueuedBytes) {
      if (this.counts.droppedLines++ === 0) this.log.warn('line file queue full; dropping lines', { file: this.file });
      return false;
    }
    this.queue.push(text);
    this.queuedBytes += bytes;
    this.draining ??= this.drain();
    return true;
  }

  /** Resolves when every line queued so far is written (or dropped on a write error). */
  flush(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  /** Writes what is queued and closes the file; idempotent. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      await this.flush();
      await this.closeHandle();
    })());
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) await this.writeBatch();
    // The loop's last check and this line run in one turn, so no write() can slip in between.
    this.draining = undefined;
  }

  private async writeBatch(): Promise<void> {
    let lines = 0;
    let bytes = 0;
    try {
      const handle = this.handle ?? (await this.openFile());
      const first = byteLength(this.queue[0]!);
      if (this.maxBytes > 0 && this.size > 0 && this.size + first > this.maxBytes) {
        await this.rotate();
        return;
      }
      const room = this.maxBytes > 0 ? this.maxBytes - this.size : Number.POSITIVE_INFINITY;
      bytes = first;
      lines = 1;
      while (lines < this.queue.length) {
        const next = byteLength(this.queue[lines]!);
        if (bytes + next > room) break;
        bytes += next;
        lines++;
      }
      const chunk = this.queue.slice(0, lines).join('');
      await handle.appendFile(chunk, 'utf8');
      this.size += bytes;
    } catch (err) {
      this.counts.failedWrites++;
      this.counts.droppedLines += Math.max(lines, 1);
      this.log.error('line file write failed; lines dropped', { file: this.file, error: err });
      lines = Math.max(lines, 1);
      bytes = this.queue.slice(0, lines).reduce((n, t) => n + byteLength(t), 0);
      await this.closeHandle().catch(() => undefined);
    }
    this.queue.splice(0, lines);
    this.queuedBytes -= bytes;
  }

  private async openFile(): Promise<FileHandle> {
    await mkdir(dirname(this.file), { recursive: true });
    const handle = await open(this.file, 'a');
    this.size = (await handle.stat()).size;
    this.handle = handle;
    return handle;
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private async rotate(): Promise<void> {
    await this.closeHandle();
    for (let i = this.keep - 1; i >= 1; i--) {
      await rename(`${this.file}.${i}`, `${this.file}.${i + 1}`).catch((err: unknown) => {
        if (!isMissing(err)) throw err;
      });
    }
    if (this.keep > 0) await rename(this.file, `${this.file}.1`);
    else await rm(this.file, { force: true });
    this.size = 0;
    this.counts.rotations++;
  }
}
