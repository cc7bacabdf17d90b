/**
 * First-byte packet dispatch for one datagram socket. Upper layers register
 * handlers for their packet ids; unknown ids and handler failures are counted,
 * logged at debug and dropped, so untrusted input never throws past here.
 */
import type { Logger } from '../base/index.js';
import { ToxError, UntrustedInputError } from '../base/index.js';
import type { IpPort } from './address.js';
import { formatIpPort } from './address.js';

export type PacketHandler = (data: Uint8Array, from: IpPort) => void;

export interface RouterStats {
  received: number;
  handled: number;
  unknown: number;
  /** Handlers that threw (malformed input surfaced as UntrustedInputError, or a bug). */
  failed: number;
  empty: number;
}

export class PacketRouter {
  private readonly handlers = new Array<PacketHandler | undefined>(256);
  readonly stats: RouterStats = { received: 0, handled: 0, unknown: 0, failed: 0, empty: 0 };
  /** Per-id drop counts, for tests of hostile input. */
  readonly droppedById = new Map<number, number>();

  constructor(private readonly log: Logger) {}

  /** Registers the handler for packet id `id`; throws if another layer already owns it. */
  register(id: number, handler: PacketHandler): void {
    if (!Number.isInteger(id) || id < 0 || id > 255) throw new ToxError('INVALID_ARGUMENT', `packet id must be 0..255, got ${id}`);
    if (this.handlers[id]) throw new ToxError('PACKET_ID_TAKEN', `packet id 0x${id.toString(16)} already has a handler`);
    this.handlers[id] = handler;
  }

  unregister(id: number): void {
    this.handlers[id] = undefined;
  }

  dispatch(data: Uint8Array, from: IpPort): void {
    this.stats.received++;
    if (data.length === 0) {
      this.stats.empty++;
      return;
    }
    const id = data[0]!;
    const handler = this.handlers[id];
    if (!handler) {
      this.stats.unknown++;
      this.countDrop(id);
      if (this.log.enabled('trace')) this.log.trace('no handler for packet', { id, from: formatIpPort(from), size: data.length });
      return;
    }
    try {
      handler(data, from);
      this.stats.handled++;
    } catch (err) {
      this.stats.failed++;
      this.countDrop(id);
      if (!(err instanceof UntrustedInputError)) {
        // Not an input error: a bug. Still contained, but visible.
        this.log.warn('packet handler failed', { id, from: formatIpPort(from), error: err instanceof Error ? err.message : String(err) });
      } else if (this.log.enabled('debug')) {
        this.log.debug('dropped malformed packet', { id, from: formatIpPort(from), reason: err.message });
      }
    }
  }

  private countDrop(id: number): void {
    this.droppedById.set(id, (this.droppedById.get(id) ?? 0) + 1);
  }
}
