/**
 * Node records ("Client_data") and a fixed-size list of them with key and
 * address indexes. Each record keeps one association per IP family: address,
 * last heard, last probed, and the address some other node reported for the
 * list's target ("returned" address, used for NAT traversal). Implements the
 * update rules shared by the close list and DHT-friend lists (§3.4): updating a
 * known key, re-keying a slot that a new key arrives from, and never letting a
 * LAN address replace a non-LAN one.
 */
import type { DhtPublicKey } from '../crypto/index.js';
import { formatIpPort, ipPortEqual, isLan, type IpPort } from '../net/index.js';
import { BAD_NODE_TIMEOUT_MS } from './constants.js';

export const NEVER = Number.NEGATIVE_INFINITY;

export interface Association {
  address: IpPort | undefined;
  /** Last time we heard from the node on this address. */
  heardAt: number;
  /** Last time we sent it a periodic nodes request. */
  pingedAt: number;
  /** Address another node reported for this list's target. */
  returned: IpPort | undefined;
  returnedAt: number;
  /** The report was about us (close list only). */
  returnedIsSelf: boolean;
}

export interface ClientEntry {
  publicKey: DhtPublicKey;
  /** Hex of `publicKey`, the index key. */
  id: string;
  v4: Association;
  v6: Association;
}

export function emptyAssociation(): Association {
  return { address: undefined, heardAt: NEVER, pingedAt: NEVER, returned: undefined, returnedAt: NEVER, returnedIsSelf: false };
}

export function isBad(assoc: Association, now: number): boolean {
  return assoc.heardAt + BAD_NODE_TIMEOUT_MS <= now;
}

/** Both families bad (an empty slot counts as bad): the slot may be reused. */
export function isReplaceable(entry: ClientEntry | undefined, now: number): boolean {
  return entry === undefined || (isBad(entry.v4, now) && isBad(entry.v6, now));
}

export function associationFor(entry: ClientEntry, address: IpPort): Association {
  return address.family === 4 ? entry.v4 : entry.v6;
}

/** The fresher good association (IPv4 on ties), as c-toxcore picks for nodes responses. */
export function freshestAssociation(entry: ClientEntry): Association {
  return entry.v4.heardAt >= entry.v6.heardAt ? entry.v4 : entry.v6;
}

export class ClientList {
  readonly slots: Array<ClientEntry | undefined>;
  private readonly byKey = new Map<string, ClientEntry>();
  private readonly byAddress = new Map<string, ClientEntry>();
  /** Bumped by every change to an entry's key or address, not by last-heard times (lets readers cache derived views). */
  version = 0;
  /** Latest last-heard time of any addressed association (and of any non-LAN one); recomputed after removals. */
  private heardMax = NEVER;
  private heardMaxNonLan = NEVER;
  private heardMaxStale = false;

  constructor(readonly size: number) {
    this.slots = new Array<ClientEntry | undefined>(size).fill(undefined);
  }

  get occupied(): number {
    return this.byKey.size;
  }

  get(id: string): ClientEntry | undefined {
    return this.byKey.get(id);
  }

  entries(): IterableIterator<ClientEntry> {
    return this.byKey.values();
  }

  /**
   * c-toxcore's `client_or_ip_port_in_list`: refreshes the entry for `publicKey`
   * (or re-keys the entry already holding `address`). False if neither exists.
   */
  refresh(publicKey: DhtPublicKey, id: string, address: IpPort, now: number): boolean {
    const known = this.byKey.get(id);
    if (known) {
      this.updateAddress(known, address, now);
      return true;
    }
    const sameAddress = this.byAddress.get(formatIpPort(address));
    if (!sameAddress) return false;
    // The node at this address restarted with a new key: the slot now belongs to the new key.
    this.version++;
    this.byKey.delete(sameAddress.id);
    sameAddress.publicKey = publicKey;
    sameAddress.id = id;
    this.byKey.set(id, sameAddress);
    const other = address.family === 4 ? sameAddress.v6 : sameAddress.v4;
    this.setAddress(sameAddress, other, undefined);
    Object.assign(other, emptyAssociation());
    this.heard(associationFor(sameAddress, address), now);
    return true;
  }

  /** c-toxcore's `update_client_with_reset`: slot `index` now holds `publicKey` at `address`, other family cleared. */
  store(index: number, publicKey: DhtPublicKey, id: string, address: IpPort, now: number): ClientEntry {
    this.version++;
    const old = this.slots[index];
    if (old) this.remove(old);
    const entry: ClientEntry = { publicKey, id, v4: emptyAssociation(), v6: emptyAssociation() };
    const assoc = associationFor(entry, address);
    this.setAddress(entry, assoc, address);
    this.heard(assoc, now);
    this.slots[index] = entry;
    this.byKey.set(id, entry);
    return entry;
  }

  /** Records that another node reported `address` for `id` (c-toxcore's `update_client_data`). */
  recordReturned(id: string, address: IpPort, now: number, aboutSelf: boolean): boolean {
    const entry = this.byKey.get(id);
    if (!entry) return false;
    const assoc = associationFor(entry, address);
    assoc.returned = address;
    assoc.returnedAt = now;
    assoc.returnedIsSelf = aboutSelf;
    return true;
  }

  /** Every heard association becomes merely bad (heard exactly the bad-node timeout ago), so probing resumes. */
  markAllBad(now: number): void {
    this.heardMaxStale = true;
    for (const entry of this.byKey.values()) {
      for (const assoc of [entry.v4, entry.v6]) if (assoc.heardAt !== NEVER) assoc.heardAt = now - BAD_NODE_TIMEOUT_MS;
    }
  }

  /** Reorders slots: replaceable entries first, then farthest from `base` first (c-toxcore's `sort_client_list`). */
  sortForReplacement(base: Uint8Array, now: number, compare: (base: Uint8Array, a: Uint8Array, b: Uint8Array) => number): void {
    // Wrapped because Array#sort moves `undefined` (empty slots) to the end without comparing.
    const sorted = this.slots.map((entry) => ({ entry })).sort(({ entry: a }, { entry: b }) => {
      const ra = isReplaceable(a, now);
      const rb = isReplaceable(b, now);
      if (ra || rb) return ra === rb ? 0 : ra ? -1 : 1;
      return compare(base, b!.publicKey, a!.publicKey);
    });
    sorted.forEach(({ entry }, i) => (this.slots[i] = entry));
  }

  /** Latest time any association with an address (non-LAN only, if asked) was heard from; NEVER for none. */
  latestHeard(nonLanOnly: boolean): number {
    if (this.heardMaxStale) {
      this.heardMaxStale = false;
      this.heardMax = NEVER;
      this.heardMaxNonLan = NEVER;
      for (const entry of this.byKey.values()) {
        for (let family = 0; family < 2; family++) this.noteHeard(family === 0 ? entry.v4 : entry.v6);
      }
    }
    return nonLanOnly ? this.heardMaxNonLan : this.heardMax;
  }

  private heard(assoc: Association, now: number): void {
    assoc.heardAt = now;
    if (!this.heardMaxStale) this.noteHeard(assoc);
  }

  private noteHeard(assoc: Association): void {
    if (!assoc.address) return;
    if (assoc.heardAt > this.heardMax) this.heardMax = assoc.heardAt;
    if (assoc.heardAt > this.heardMaxNonLan && !isLan(assoc.address)) this.heardMaxNonLan = assoc.heardAt;
  }

  private updateAddress(entry: ClientEntry, address: IpPort, now: number): void {
    const assoc = associationFor(entry, address);
    if (assoc.address && !isLan(assoc.address) && isLan(address)) return;
    if (!assoc.address || !ipPortEqual(assoc.address, address)) this.setAddress(entry, assoc, address);
    this.heard(assoc, now);
  }

  private setAddress(entry: ClientEntry, assoc: Association, address: IpPort | undefined): void {
    this.version++;
    this.heardMaxStale = true;
    if (assoc.address) {
      const key = formatIpPort(assoc.address);
      if (this.byAddress.get(key) === entry) this.byAddress.delete(key);
    }
    assoc.address = address;
    if (address) this.byAddress.set(formatIpPort(address), entry);
  }

  private remove(entry: ClientEntry): void {
    this.setAddress(entry, entry.v4, undefined);
    this.setAddress(entry, entry.v6, undefined);
    if (this.byKey.get(entry.id) === entry) this.byKey.delete(entry.id);
  }
}
