/** LineFile: queued appends, size rotation with N kept, bounded queue, write errors counted, close semantics. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySink, createLogger } from '../../../../src/base/index.js';
import { LineFile } from '../../../../src/runtime/bot/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-linefile-'));
  dirs.push(dir);
  const sink = new MemorySink();
  return { dir, sink, log: createLogger({ level: 'debug', sink }) };
}

describe('LineFile', () => {
  it('appends lines in order, creating directories, and keeps appending to an existing file', async () => {
    const { dir, log } = setup();
    const path = join(dir, 'a/b/log.txt');
    const first = new LineFile(path, log);
    for (let i = 0; i < 100; i++) first.write(`line ${i}`);
    await first.close();
    const second = new LineFile(path, log);
    second.write('again');
    await second.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines).toHaveLength(102);
    expect(lines.slice(0, 3)).toEqual(['line 0', 'line 1', 'line 2']);
    expect(lines.at(-2)).toBe('again');
  });

  it('rotates before a file would pass maxBytes; keep 0 keeps no old file', async () => {
    const { dir, log } = setup();
    const path = join(dir, 'log.txt');
    const file = new LineFile(path, log, { maxBytes: 20, keep: 0 });
    for (let i = 0; i < 10; i++) file.write(`0123456789`);
    await file.close();
    expect(readFileSync(path, 'utf8')).toBe('0123456789\n');
    expect(existsSync(`${path}.1`)).toBe(false);
    expect(file.stats.rotations).toBe(9);
  });

  it('drops and counts lines beyond the queue bound instead of growing memory', async () => {
    const { dir, log, sink } = setup();
    const path = join(dir, 'log.txt');
    const file = new LineFile(path, log, { maxQueuedBytes: 50 });
    const accepted = Array.from({ length: 10 }, (_, i) => file.write(`line ${i} xxxxx`)).filter(Boolean).length;
    await file.close();
    expect(accepted).toBe(3);
    expect(file.stats.droppedLines).toBe(7);
    expect(readFileSync(path, 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
    expect(sink.records.filter((r) => r.msg.includes('queue full'))).toHaveLength(1);
  });

  it('counts failed writes, drops their lines and goes on; refuses writes after close', async () => {
    const { dir, log } = setup();
    const path = join(dir, 'taken');
    mkdirSync(path);
    const file = new LineFile(path, log);
    file.write('cannot land');
    await file.flush();
    expect(file.stats.failedWrites).toBe(1);
    expect(file.stats.droppedLines).toBe(1);
    await file.close();
    expect(() => file.write('late')).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(() => new LineFile(path, log, { keep: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
