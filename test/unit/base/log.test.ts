/** Structured logging: level filtering, child bindings, JSON lines and text formats. */
import { describe, expect, it } from 'vitest';
import { MemorySink, createLogger, jsonLinesSink, silentLogger, textSink, type LogLevel } from '../../../src/base/index.js';

function collector(): { lines: string[]; write(line: string): void } {
  const lines: string[] = [];
  return { lines, write: (line) => void lines.push(line) };
}

describe('logger', () => {
  it('drops records below its level', () => {
    const expected: Record<LogLevel, string[]> = {
      trace: ['trace', 'debug', 'info', 'warn', 'error'],
      debug: ['debug', 'info', 'warn', 'error'],
      info: ['info', 'warn', 'error'],
      warn: ['warn', 'error'],
      error: ['error'],
      silent: [],
    };
    for (const [level, kept] of Object.entries(expected) as Array<[LogLevel, string[]]>) {
      const sink = new MemorySink();
      const log = createLogger({ level, sink, clock: () => 0 });
      log.trace('m');
      log.debug('m');
      log.info('m');
      log.warn('m');
      log.error('m');
      expect(sink.records.map((r) => r.level), level).toEqual(kept);
      expect(log.enabled('warn')).toBe(kept.includes('warn'));
    }
  });

  it('defaults to info', () => {
    const log = createLogger({ sink: new MemorySink() });
    expect(log.level).toBe('info');
    expect(log.enabled('debug')).toBe(false);
    expect(log.enabled('info')).toBe(true);
  });

  it('merges child bindings over the parent, and call fields over both', () => {
    const sink = new MemorySink();
    const root = createLogger({ level: 'debug', sink, bindings: { node: 'a', layer: 'root' }, clock: () => 5 });
    const child = root.child({ layer: 'dht', peer: 'p1' });
    const grandchild = child.child({ peer: 'p2' });
    child.info('hello', { layer: 'override', n: 1 });
    grandchild.debug('deep');
    root.warn('plain');
    expect(sink.records).toEqual([
      { level: 'info', msg: 'hello', time: 5, fields: { node: 'a', layer: 'override', peer: 'p1', n: 1 } },
      { level: 'debug', msg: 'deep', time: 5, fields: { node: 'a', layer: 'dht', peer: 'p2' } },
      { level: 'warn', msg: 'plain', time: 5, fields: { node: 'a', layer: 'root' } },
    ]);
    expect(child.level).toBe('debug');
  });

  it('writes one JSON object per line, encoding bytes, bigints and errors', () => {
    const out = collector();
    const log = createLogger({ sink: jsonLinesSink(out), bindings: { node: 'n1' }, clock: () => 1234 });
    log.info('sent', { data: Uint8Array.of(0xde, 0xad), id: 2n ** 64n - 1n, err: new RangeError('bad') });
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]!.endsWith('\n')).toBe(true);
    expect(out.lines[0]!.indexOf('\n')).toBe(out.lines[0]!.length - 1);
    expect(JSON.parse(out.lines[0]!)).toEqual({
      time: 1234,
      level: 'info',
      msg: 'sent',
      node: 'n1',
      data: 'dead',
      id: '18446744073709551615',
      err: { name: 'RangeError', message: 'bad' },
    });
  });

  it('writes human-readable text lines with a UTC time of day', () => {
    const out = collector();
    const log = createLogger({ level: 'trace', sink: textSink(out), clock: () => Date.UTC(2024, 0, 1, 13, 5, 7, 89) });
    log.warn('slow peer', { peer: 'abc', rtt: 12, key: Uint8Array.of(1, 2) });
    log.trace('bare');
    expect(out.lines).toEqual(['13:05:07.089 WARN  slow peer peer=abc rtt=12 key="0102"\n', '13:05:07.089 TRACE bare\n']);
  });

  it('silentLogger enables no level, in children too', () => {
    const log = silentLogger();
    for (const level of ['trace', 'debug', 'info', 'warn', 'error'] as const) {
      expect(log.enabled(level)).toBe(false);
      expect(log.child({ a: 1 }).enabled(level)).toBe(false);
    }
  });
});
