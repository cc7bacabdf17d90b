/**
 * One simulated TCP handshake: the SYN travels to the destination host; a
 * listener there accepts at once (its onConnection runs when the SYN arrives)
 * and answers through the new stream; nobody listening sends a refusal back.
 * Lost SYNs (partition, no such host) end in CONNECT_TIMEOUT; an abort or the
 * network's shutdown ends it early. A stream accepted for a client that gave up
 * is destroyed, so the server side sees it close.
 */
import type { TimerHandle } from '../../base/index.js';
import type { IpPort } from '../address.js';
import { NetError } from '../errors.js';
import type { StreamSocket } from '../transport.js';
import type { SimHost } from './host.js';
import { SimStreamSocket } from './stream.js';

export class PendingConnect {
  private settled = false;
  private client: SimStreamSocket | undefined;
  private readonly timer: TimerHandle;

  constructor(
    private readonly host: SimHost,
    private readonly local: IpPort,
    private readonly to: IpPort,
    timeoutMs: number,
    private readonly signal: AbortSignal | undefined,
    private readonly resolve: (socket: StreamSocket) => void,
    private readonly reject: (error: Error) => void,
  ) {
    const network = host.network;
    this.timer = network.scheduler.after(timeoutMs, () => this.fail(new NetError('CONNECT_TIMEOUT', `connect to ${this.describe()} timed out`)));
    signal?.addEventListener('abort', this.onAbort, { once: true });
    const target = network.hostFor(host, to);
    if (target) network.sendControl(host, target, () => this.synArrived(target));
  }

  /** Fails the attempt (no-op once settled). */
  fail(error: NetError): void {
    if (this.settled) return;
    this.finish();
    if (this.client) this.client.destroy();
    else this.host.releaseClientPort(this.local.port);
    this.reject(error);
  }

  private readonly onAbort = (): void => this.fail(new NetError('ABORTED', `connect to ${this.describe()} aborted`));

  private synArrived(target: SimHost): void {
    const network = this.host.network;
    const listener = target.listenerFor(this.to);
    if (!listener) {
      network.stats.streamsRefused++;
      network.sendControl(target, this.host, () => this.fail(new NetError('CONNECTION_REFUSED', `connect to ${this.describe()} refused`)));
      return;
    }
    if (this.settled) return; // the client already gave up: the server never sees it
    network.stats.streamsOpened++;
    const [client, server] = SimStreamSocket.pair(
      { host: this.host, local: this.local, onOpen: () => this.opened() },
      { host: target, local: this.to },
    );
    this.client = client;
    listener.accept(server);
  }

  private opened(): void {
    if (this.settled || !this.client) return;
    this.finish();
    this.resolve(this.client);
  }

  private finish(): void {
    this.settled = true;
    this.timer.cancel();
    this.signal?.removeEventListener('abort', this.onAbort);
    this.host.forgetConnect(this);
  }

  private describe(): string {
    return `${this.to.family === 6 ? `[${this.to.ip}]` : this.to.ip}:${this.to.port}`;
  }
}
