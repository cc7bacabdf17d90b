/**
 * The per-plugin persistent store: a JSON object of key → value kept in
 * memory and written through lowdb with an adapter over the storage layer's
 * `writeFileAtomic` (temp file, fsync, rename; the previous version kept as
 * `.bak`). Writes are serialised and coalesced. A store file that is not a
 * JSON object fails to open with PLUGIN_STORE_CORRUPT naming the file, and is
 * never written over. Values are copied on `set` and frozen, so what `get`
 * returns cannot drift from what is on disk.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { backupPathOf, readFileIfExists, writeFileAtomic } from '../../storage/index.js';
import { PluginStoreError, describeError } from './errors.js';

type StoreData = Record<string, unknown>;

export interface PluginStore {
  /** The backing file, or undefined for an in-memory store. */
  readonly file: string | undefined;
  get<T = unknown>(key: string): T | undefined;
  has(key: string): boolean;
  keys(): string[];
  /** Stores a JSON-serialisable value; resolves once it is on disk. `undefined` deletes. */
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  /** Reads, transforms and stores one value. */
  update<T>(key: string, fn: (current: T | undefined) => T): Promise<T>;
  /** Resolves when every write so far has finished. */
  flush(): Promise<void>;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** JSON round trip: rejects what JSON cannot hold (bigint, cycles) and detaches the value from the caller. */
function jsonCopy(value: unknown, key: string, file: string | undefined): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new PluginStoreError('PLUGIN_STORE_INVALID', `cannot store "${key}": ${describeError(err)}`, file, { cause: err });
  }
  if (text === undefined) throw new PluginStoreError('PLUGIN_STORE_INVALID', `cannot store "${key}": ${typeof value} is not JSON`, file);
  return deepFreeze(JSON.parse(text));
}

/** lowdb adapter over atomic files; refuses to read anything but a JSON object. */
class AtomicJsonFile implements Adapter<StoreData> {
  constructor(readonly path: string) {}

  async read(): Promise<StoreData | null> {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await readFileIfExists(this.path);
    } catch (err) {
      throw new PluginStoreError('PLUGIN_STORE_IO', `cannot read plugin store ${this.path}: ${describeError(err)}`, this.path, { cause: err });
    }
    if (bytes === undefined) return null;
    let value: unknown;
    try {
      value = JSON.parse(decoder.decode(bytes));
    } catch (err) {
      throw this.corrupt(bytes.length === 0 ? 'the file is empty' : `not valid JSON (${describeError(err)})`, err);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw this.corrupt('expected a JSON object at the top level');
    return value as StoreData;
  }

  async write(data: StoreData): Promise<void> {
    try {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFileAtomic(this.path, `${JSON.stringify(data, null, 2)}\n`, { backup: true });
    } catch (err) {
      throw new PluginStoreError('PLUGIN_STORE_IO', `cannot write plugin store ${this.path}: ${describeError(err)}`, this.path, { cause: err });
    }
  }

  private corrupt(why: string, cause?: unknown): PluginStoreError {
    return new PluginStoreError(
      'PLUGIN_STORE_CORRUPT',
      `plugin store ${this.path} is corrupted: ${why}. It was left untouched; repair it, restore ${backupPathOf(this.path)}, or remove it to start empty.`,
      this.path,
      { cause },
    );
  }
}

class JsonStore implements PluginStore {
  private queued: Promise<void> | undefined;
  private last: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Low<StoreData>,
    readonly file: string | undefined,
  ) {}

  get<T = unknown>(key: string): T | undefined {
    return Object.hasOwn(this.db.data, key) ? (this.db.data[key] as T) : undefined;
  }

  has(key: string): boolean {
    return Object.hasOwn(this.db.data, key);
  }

  keys(): string[] {
    return Object.keys(this.db.data);
  }

  set(key: string, value: unknown): Promise<void> {
    if (value === undefined) return this.delete(key);
    let copy: unknown;
    try {
      copy = jsonCopy(value, key, this.file);
    } catch (err) {
      return Promise.reject(err);
    }
    this.db.data[key] = copy;
    return this.persist();
  }

  delete(key: string): Promise<void> {
    if (!this.has(key)) return Promise.resolve();
    delete this.db.data[key];
    return this.persist();
  }

  async update<T>(key: string, fn: (current: T | undefined) => T): Promise<T> {
    const next = fn(this.get<T>(key));
    await this.set(key, next);
    return this.get<T>(key) as T;
  }

  flush(): Promise<void> {
    return this.last;
  }

  /** Queues one write of the current data; writes not yet started are shared, so bursts of changes cost one write. */
  private persist(): Promise<void> {
    if (!this.queued) {
      const write = this.last.then(() => {
        this.queued = undefined;
        return this.db.write();
      });
      this.queued = write;
      this.last = write.catch(() => undefined);
    }
    return this.queued;
  }
}

/** Opens (reading it once) the store kept in `file`; a missing file is an empty store. */
export async function openPluginStore(file: string): Promise<PluginStore> {
  const db = new Low<StoreData>(new AtomicJsonFile(file), {});
  await db.read();
  for (const value of Object.values(db.data)) deepFreeze(value);
  return new JsonStore(db, file);
}

/** A store that lives only in memory (tests, and bots run without a data directory). */
export function memoryPluginStore(initial: Record<string, unknown> = {}): PluginStore {
  const data: StoreData = {};
  const store = new JsonStore(new Low<StoreData>({ read: async () => data, write: async () => undefined }, data), undefined);
  for (const [k, v] of Object.entries(initial)) data[k] = jsonCopy(v, k, undefined);
  return store;
}
