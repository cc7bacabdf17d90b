/**
 * Observable net_crypto counters for tests, benches and hostile-input checks:
 * packets by kind, drops by reason, and lossless traffic totals. Bounded: the
 * keys are fixed kinds and reasons.
 */

export type NetCryptoPacketKind = 'cookieRequest' | 'cookieResponse' | 'handshake' | 'data';

export type NetCryptoDropReason =
  /** Wrong length or shape. */
  | 'malformed'
  /** A cookie response or data packet from an address no connection uses. */
  | 'unknownSource'
  /** A packet the connection's state does not take (e.g. a handshake when established). */
  | 'wrongState'
  | 'decryptFailed'
  /** A low-order public key: no shared key can be derived from it. */
  | 'weakKey'
  /** A data packet whose nonce already opened once. */
  | 'replayed'
  /** A cookie that is not ours (or was tampered with). */
  | 'badCookie'
  /** Our cookie, but older than COOKIE_TIMEOUT_S (or from the future). */
  | 'staleCookie'
  /** The handshake's cookie names another real key than the connection's. */
  | 'wrongPeer'
  | 'cookieHashMismatch'
  | 'echoMismatch'
  /** An OOB cookie request whose envelope key is not the relay-reported sender. */
  | 'senderMismatch'
  /** Nobody accepted an incoming handshake (unknown key, or the admission hook said no). */
  | 'notAdmitted'
  /** An acknowledgement outside our send window. */
  | 'badAck'
  /** Payload id 3..15 or 255. */
  | 'badPacketId'
  /** A lossless packet already received (or delivered). */
  | 'duplicate'
  /** A lossless packet number 32768 or more past the receive window start. */
  | 'outOfWindow'
  /** A request or lossy packet announcing an impossible send end. */
  | 'badBufferEnd';

export class NetCryptoCounters {
  readonly received: Record<NetCryptoPacketKind, number> = zero();
  readonly sent: Record<NetCryptoPacketKind, number> = zero();
  readonly dropped = new Map<NetCryptoDropReason, number>();
  /** Lossless packets: first transmissions, retransmissions, new arrivals delivered in order. */
  losslessSent = 0;
  losslessResent = 0;
  losslessDelivered = 0;
  lossyReceived = 0;
  requestsSent = 0;
  requestsReceived = 0;

  drop(reason: NetCryptoDropReason): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
  }

  droppedFor(reason: NetCryptoDropReason): number {
    return this.dropped.get(reason) ?? 0;
  }

  totalDropped(): number {
    let n = 0;
    for (const v of this.dropped.values()) n += v;
    return n;
  }
}

function zero(): Record<NetCryptoPacketKind, number> {
  return { cookieRequest: 0, cookieResponse: 0, handshake: 0, data: 0 };
}
