/**
 * Node D's table of announced keys (tox-protocol.md §4.5): at most 160 live
 * entries, each living 300 s; when full, a new key takes a timed-out slot or
 * replaces the entry farthest from our DHT key if it is closer.
 */
import { keyId } from '../../crypto/index.js';
import { compareDistance } from '../../dht/index.js';
import type { IpPort } from '../../net/index.js';
import { ANNOUNCE_ENTRY_TIMEOUT_MS, ANNOUNCE_MAX_ENTRIES } from '../constants.js';

export interface AnnounceEntry {
  readonly publicKey: Uint8Array;
  readonly dataPk: Uint8Array;
  /** Node C, which the response for this entry goes back through. */
  readonly returnTo: IpPort;
  readonly returnPath: Uint8Array;
  readonly announcedAt: number;
}

export class AnnounceEntries {
  private readonly entries = new Map<string, AnnounceEntry>();

  constructor(
    private readonly base: () => Uint8Array,
    private readonly capacity = ANNOUNCE_MAX_ENTRIES,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The live entry for `publicKey`. */
  get(publicKey: Uint8Array, now: number): AnnounceEntry | undefined {
    const entry = this.entries.get(keyId(publicKey));
    return entry && !this.expired(entry, now) ? entry : undefined;
  }

  /** Stores or refreshes; returns the entry, or undefined when the table has no room for this key. */
  put(entry: AnnounceEntry, now: number): AnnounceEntry | undefined {
    const id = keyId(entry.publicKey);
    if (!this.entries.has(id) && this.entries.size >= this.capacity && !this.makeRoom(entry.publicKey, now)) return undefined;
    this.entries.set(id, entry);
    return entry;
  }

  clear(): void {
    this.entries.clear();
  }

  private expired(entry: AnnounceEntry, now: number): boolean {
    return entry.announcedAt + ANNOUNCE_ENTRY_TIMEOUT_MS <= now;
  }

  private makeRoom(candidate: Uint8Array, now: number): boolean {
    let farthest: [string, AnnounceEntry] | undefined;
    for (const pair of this.entries) {
      if (this.expired(pair[1], now)) {
        this.entries.delete(pair[0]);
        return true;
      }
      if (!farthest || compareDistance(this.base(), pair[1].publicKey, farthest[1].publicKey) > 0) farthest = pair;
    }
    if (!farthest || compareDistance(this.base(), candidate, farthest[1].publicKey) >= 0) return false;
    this.entries.delete(farthest[0]);
    return true;
  }
}
