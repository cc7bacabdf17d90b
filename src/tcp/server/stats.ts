/**
 * Observable counters of a relay server, for tests, benchmarks and interop
 * evidence: connections by stage, packets by kind, why connections were closed
 * and why packets were dropped. Keys are fixed sets, so memory stays bounded.
 */
import type { TcpPacketKind } from '../wire/decode.js';

export type ServerCloseReason =
  /** The client closed or reset the stream. */
  | 'peerClosed'
  /** No valid 128-byte handshake (or first packet) within the handshake timeout. */
  | 'handshakeTimeout'
  /** The handshake did not authenticate. */
  | 'badHandshake'
  /** A frame length outside 17..2048. */
  | 'badFrame'
  /** A frame that did not open with the next nonce. */
  | 'decryptFailed'
  /** A packet of a known kind with the wrong size (including OOB data of 0 or > 1024 bytes). */
  | 'malformed'
  /** A packet a client may not send: ids 1, 7, 9..15. */
  | 'unexpectedPacket'
  /** Data or a disconnect notification for a free connection id. */
  | 'freeConnectionId'
  | 'pongZero'
  | 'pongTimeout'
  /** A control packet did not fit the client's send queue: it does not read. */
  | 'queueOverflow'
  /** A newer connection confirmed the same key. */
  | 'replaced'
  /** Pushed out of the full pending set by a newer connection. */
  | 'evicted'
  /** Confirmed while the server held its maximum of clients. */
  | 'serverFull'
  | 'stopped';

export type ServerDropReason =
  /** Data for a connection id whose peer is not connected yet. */
  | 'dataNotOnline'
  /** The receiving client's queue is over its soft limit (it reads too slowly). */
  | 'receiverCongested'
  /** OOB for a key not connected to this relay. */
  | 'oobNoTarget'
  /** An onion request while no OnionForwarder is configured (c-toxcore ignores them too). */
  | 'onionNoForwarder'
  /** An onion request of acceptable length whose contents onion_send_1 would refuse. */
  | 'onionMalformed'
  /** An onion response for a client that is gone. */
  | 'onionNoClient'
  | 'onionResponseSize'
  /** An NGC forward request (0x0A): we run no forwarding module, so it is counted and dropped. */
  | 'forwardUnsupported'
  /** A connect notification from a client (ignored, as c-toxcore does). */
  | 'clientConnectNotification';

export class TcpServerStats {
  /** Streams accepted from the listener. */
  accepted = 0;
  /** Valid client handshakes answered. */
  handshakes = 0;
  /** Clients confirmed by a first valid packet. */
  confirmed = 0;
  pingsSent = 0;
  pongsReceived = 0;
  /** Routing requests answered with a connection id / refused with 0. */
  routesGranted = 0;
  routesRefused = 0;
  /** Pairs linked (connect notifications sent to both). */
  routesLinked = 0;
  dataForwarded = 0;
  dataBytesForwarded = 0;
  oobForwarded = 0;
  onionRequestsForwarded = 0;
  onionResponsesDelivered = 0;
  readonly received = new Map<TcpPacketKind, number>();
  readonly closed = new Map<ServerCloseReason, number>();
  readonly dropped = new Map<ServerDropReason, number>();

  countReceived(kind: TcpPacketKind): void {
    this.received.set(kind, (this.received.get(kind) ?? 0) + 1);
  }

  countClosed(reason: ServerCloseReason): void {
    this.closed.set(reason, (this.closed.get(reason) ?? 0) + 1);
  }

  countDropped(reason: ServerDropReason): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
  }
}
