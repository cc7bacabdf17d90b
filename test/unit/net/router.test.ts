/** PacketRouter: dispatch by first byte; unknown ids and failing handlers are counted, never thrown. */
import { describe, expect, it } from 'vitest';
import { createLogger, MemorySink, isToxError } from '../../../src/base/index.js';
import { WeakPublicKeyError } from '../../../src/crypto/index.js';
import { DecodeError } from '../../../src/binary/index.js';
import { ipPort, PacketRouter, type IpPort } from '../../../src/net/index.js';

const from = ipPort('10.0.0.1', 33445);

function router(level: 'debug' | 'warn' = 'debug'): { router: PacketRouter; sink: MemorySink } {
  const sink = new MemorySink();
  return { router: new PacketRouter(createLogger({ level, sink, clock: () => 0 })), sink };
}

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('PacketRouter', () => {
  it('hands each packet to the handler of its first byte, with the source', () => {
    const { router: r } = router();
    const seen: Array<[number, IpPort]> = [];
    r.register(0x02, (data, source) => seen.push([data.length, source]));
    r.dispatch(Uint8Array.of(0x02, 1, 2), from);
    expect(seen).toEqual([[3, from]]);
    expect(r.stats).toMatchObject({ received: 1, handled: 1, unknown: 0, failed: 0 });
  });

  it('counts unknown ids per id and drops them', () => {
    const { router: r } = router();
    r.dispatch(Uint8Array.of(0x99), from);
    r.dispatch(Uint8Array.of(0x99, 0), from);
    r.dispatch(Uint8Array.of(0x01), from);
    expect(r.stats).toMatchObject({ received: 3, unknown: 3, handled: 0 });
    expect(r.droppedById.get(0x99)).toBe(2);
    expect(r.droppedById.get(0x01)).toBe(1);
  });

  it('counts empty datagrams', () => {
    const { router: r } = router();
    r.dispatch(new Uint8Array(0), from);
    expect(r.stats).toMatchObject({ received: 1, empty: 1, unknown: 0 });
  });

  it('contains a DecodeError from a handler: counted, logged at debug, not rethrown', () => {
    const { router: r, sink } = router('debug');
    r.register(0x04, () => {
      throw new DecodeError('PingRequest', 'nonce', 1, 'too short');
    });
    expect(() => r.dispatch(Uint8Array.of(0x04), from)).not.toThrow();
    expect(r.stats).toMatchObject({ failed: 1, handled: 0 });
    expect(r.droppedById.get(0x04)).toBe(1);
    expect(sink.records.map((x) => x.level)).toEqual(['debug']);
  });

  it('treats a weak public key from the network like malformed input (debug, not a warning)', () => {
    const { router: r, sink } = router('debug');
    r.register(0x05, () => {
      throw new WeakPublicKeyError();
    });
    expect(() => r.dispatch(Uint8Array.of(0x05), from)).not.toThrow();
    expect(r.stats.failed).toBe(1);
    expect(sink.records.map((x) => x.level)).toEqual(['debug']);
  });

  it('contains any other handler error too, but logs it as a warning', () => {
    const { router: r, sink } = router('warn');
    r.register(0x04, () => {
      throw new TypeError('bug');
    });
    expect(() => r.dispatch(Uint8Array.of(0x04), from)).not.toThrow();
    expect(r.stats.failed).toBe(1);
    expect(sink.records).toHaveLength(1);
    expect(sink.records[0]).toMatchObject({ level: 'warn', fields: { id: 4, error: 'bug' } });
  });

  it('refuses a second handler for the same id with PACKET_ID_TAKEN, and bad ids with INVALID_ARGUMENT', () => {
    const { router: r } = router();
    r.register(0x20, () => {});
    expect(isToxError(thrown(() => r.register(0x20, () => {})), 'PACKET_ID_TAKEN')).toBe(true);
    expect(isToxError(thrown(() => r.register(256, () => {})), 'INVALID_ARGUMENT')).toBe(true);
    expect(isToxError(thrown(() => r.register(-1, () => {})), 'INVALID_ARGUMENT')).toBe(true);
  });

  it('frees an id on unregister', () => {
    const { router: r } = router();
    r.register(0x20, () => {});
    r.unregister(0x20);
    r.dispatch(Uint8Array.of(0x20), from);
    expect(r.stats.unknown).toBe(1);
    expect(() => r.register(0x20, () => {})).not.toThrow();
  });
});
