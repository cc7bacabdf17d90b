/**
 * A tiny in-memory datagram network for DHT unit tests: each node gets a fake
 * send port and a PacketRouter; datagrams are delivered through the shared
 * ManualScheduler within `latencyMs`, optionally filtered. (Network-scale
 * scenarios use src/net/sim instead: test/sim/dht-*.test.ts.)
 */
import { ManualScheduler, SeededRandom, silentLogger } from '../../../src/base/index.js';
import { formatIpPort, ipPort, PacketRouter, type IpPort } from '../../../src/net/index.js';
import { Dht, type DhtOptions } from '../../../src/dht/index.js';

export interface Sent {
  from: IpPort;
  to: IpPort;
  data: Uint8Array;
}

export class FakeNet {
  readonly scheduler = new ManualScheduler();
  readonly random = new SeededRandom(1234);
  readonly routers = new Map<string, PacketRouter>();
  readonly log: Sent[] = [];
  latencyMs = 1;
  /** Datagrams for which this returns false are lost. */
  filter: (p: Sent) => boolean = () => true;

  /** Datagrams are delivered in batches at the next multiple of `latencyMs` (one timer per slot). */
  private readonly batches = new Map<number, Sent[]>();

  private enqueue(p: Sent): void {
    const now = this.scheduler.now();
    const slot = (Math.floor(now / this.latencyMs) + 1) * this.latencyMs;
    let batch = this.batches.get(slot);
    if (!batch) {
      batch = [];
      this.batches.set(slot, batch);
      this.scheduler.after(slot - now, () => {
        this.batches.delete(slot);
        for (const d of batch!) this.routers.get(formatIpPort(d.to))?.dispatch(d.data, d.from);
      });
    }
    batch.push(p);
  }

  endpoint(address: IpPort): { router: PacketRouter; socket: { send(to: IpPort, data: Uint8Array): boolean } } {
    const router = new PacketRouter(silentLogger());
    this.routers.set(formatIpPort(address), router);
    const socket = {
      send: (to: IpPort, data: Uint8Array): boolean => {
        const p = { from: address, to, data: new Uint8Array(data) };
        this.log.push(p);
        if (!this.filter(p)) return true;
        this.enqueue(p);
        return true;
      },
    };
    return { router, socket };
  }

  node(ip: string, port: number, options: DhtOptions = {}): { dht: Dht; address: IpPort; router: PacketRouter } {
    const address = ipPort(ip, port);
    const { router, socket } = this.endpoint(address);
    const dht = new Dht(
      { scheduler: this.scheduler, random: this.random.fork(), log: silentLogger(), socket, router },
      { lanDiscovery: { send: false }, ...options },
    );
    return { dht, address, router };
  }

  /** Delivers raw bytes to `to` as if sent from `from`. */
  inject(from: IpPort, to: IpPort, data: Uint8Array): void {
    this.routers.get(formatIpPort(to))?.dispatch(data, from);
  }

  sentBy(address: IpPort, id?: number): Sent[] {
    return this.log.filter((p) => formatIpPort(p.from) === formatIpPort(address) && (id === undefined || p.data[0] === id));
  }
}
