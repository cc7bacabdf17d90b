/**
 * The connections of one engine, found by the peer's real key (the API), by
 * UDP address (incoming datagrams) and by DHT key (TCP relays). An address
 * belongs to at most one connection, as in c-toxcore's `ip_port_list`.
 */
import { keyId, type DhtPublicKey, type LongTermPublicKey } from '../crypto/index.js';
import { formatIpPort, type IpPort } from '../net/index.js';
import type { Connection } from './connection.js';

export class ConnectionTable {
  private readonly byPeer = new Map<string, Connection>();
  private readonly byAddress = new Map<string, Connection>();
  private readonly byDhtPk = new Map<string, Connection>();
  /** Callers keep passing the same key objects: skip the hex conversion for them. */
  private readonly byKeyObject = new WeakMap<Uint8Array, Connection>();

  get size(): number {
    return this.byPeer.size;
  }

  all(): Connection[] {
    return [...this.byPeer.values()];
  }

  add(conn: Connection): void {
    this.byPeer.set(conn.id, conn);
    this.byDhtPk.set(keyId(conn.dhtPk), conn);
  }

  remove(conn: Connection): void {
    if (this.byPeer.get(conn.id) === conn) this.byPeer.delete(conn.id);
    const dhtId = keyId(conn.dhtPk);
    if (this.byDhtPk.get(dhtId) === conn) this.byDhtPk.delete(dhtId);
    for (const address of conn.udp.all()) {
      const key = formatIpPort(address);
      if (this.byAddress.get(key) === conn) this.byAddress.delete(key);
    }
  }

  byPeerKey(peer: LongTermPublicKey): Connection | undefined {
    const cached = this.byKeyObject.get(peer);
    if (cached !== undefined && !cached.closed) return cached;
    const conn = this.byPeer.get(keyId(peer));
    if (conn !== undefined) this.byKeyObject.set(peer, conn);
    return conn;
  }

  byDht(dhtPk: DhtPublicKey): Connection | undefined {
    return this.byDhtPk.get(keyId(dhtPk));
  }

  byUdp(address: IpPort): Connection | undefined {
    return this.byAddress.get(formatIpPort(address));
  }

  /**
   * Sets the connection's endpoint for the address family, `confirmedAt` when
   * a valid packet just came from it. False if another connection owns it.
   */
  setEndpoint(conn: Connection, address: IpPort, confirmedAt: number | undefined): boolean {
    const key = formatIpPort(address);
    const owner = this.byAddress.get(key);
    if (owner !== undefined && owner !== conn) return false;
    const replaced = conn.udp.set(address, confirmedAt);
    if (replaced !== undefined) {
      const old = formatIpPort(replaced);
      if (this.byAddress.get(old) === conn) this.byAddress.delete(old);
    }
    this.byAddress.set(key, conn);
    return true;
  }
}
