/**
 * Structured logging: levels, child loggers that carry bindings (node, layer,
 * peer...), and two line formats (human text or JSON lines). Loggers are plain
 * objects handed down through constructors; there is no global logger.
 */

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVEL_RANK: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, silent: 100 };

export type LogFields = Record<string, unknown>;

export interface LogRecord {
  level: Exclude<LogLevel, 'silent'>;
  msg: string;
  /** Wall-clock milliseconds; supplied by the sink's clock so tests can fix it. */
  time: number;
  fields: LogFields;
}

export interface LogSink {
  write(record: LogRecord): void;
}

export interface Logger {
  readonly level: LogLevel;
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
  trace(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose records all carry `bindings` (merged over the parent's). */
  child(bindings: LogFields): Logger;
}

class StructuredLogger implements Logger {
  constructor(
    readonly level: LogLevel,
    private readonly sink: LogSink,
    private readonly bindings: LogFields,
    private readonly clock: () => number,
  ) {}

  enabled(level: Exclude<LogLevel, 'silent'>): boolean {
    return LEVEL_RANK[level] >= LEVEL_RANK[this.level];
  }

  trace(msg: string, fields?: LogFields): void { this.emit('trace', msg, fields); }
  debug(msg: string, fields?: LogFields): void { this.emit('debug', msg, fields); }
  info(msg: string, fields?: LogFields): void { this.emit('info', msg, fields); }
  warn(msg: string, fields?: LogFields): void { this.emit('warn', msg, fields); }
  error(msg: string, fields?: LogFields): void { this.emit('error', msg, fields); }

  child(bindings: LogFields): Logger {
    return new StructuredLogger(this.level, this.sink, { ...this.bindings, ...bindings }, this.clock);
  }

  private emit(level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields): void {
    if (!this.enabled(level)) return;
    this.sink.write({ level, msg, time: this.clock(), fields: fields ? { ...this.bindings, ...fields } : this.bindings });
  }
}

/** Anything with a `write(string)` method: process.stderr, a file stream, an array collector. */
export interface TextOutput {
  write(line: string): unknown;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message, ...(value as unknown as LogFields) };
  return value;
}

/** One JSON object per line: {"time":...,"level":"info","msg":"...",...fields}. */
export function jsonLinesSink(out: TextOutput): LogSink {
  return {
    write(r) {
      out.write(JSON.stringify({ time: r.time, level: r.level, msg: r.msg, ...r.fields }, jsonReplacer) + '\n');
    },
  };
}

/** Human-readable lines: `12:00:00.000 INFO  msg key=value ...`. */
export function textSink(out: TextOutput): LogSink {
  return {
    write(r) {
      const stamp = new Date(r.time).toISOString().slice(11, 23);
      const extra = Object.entries(r.fields)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v, jsonReplacer)}`)
        .join(' ');
      out.write(`${stamp} ${r.level.toUpperCase().padEnd(5)} ${r.msg}${extra ? ' ' + extra : ''}\n`);
    },
  };
}

/** Collects records in memory (tests, the console mode). */
export class MemorySink implements LogSink {
  readonly records: LogRecord[] = [];
  write(record: LogRecord): void {
    this.records.push(record);
  }
}

export interface LoggerOptions {
  level?: LogLevel;
  sink?: LogSink;
  bindings?: LogFields;
  /** Milliseconds for the `time` field (default: Date.now). */
  clock?: () => number;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return new StructuredLogger(
    options.level ?? 'info',
    options.sink ?? textSink(process.stderr),
    options.bindings ?? {},
    options.clock ?? (() => Date.now()),
  );
}

/** A logger that drops everything. */
export function silentLogger(): Logger {
  return createLogger({ level: 'silent', sink: { write() {} } });
}
