/**
 * One plaintext TCP relay packet as a discriminated union, decoded by its first
 * byte (ids 0..11 control, 16..255 data) and encoded back. Decoding throws only
 * DecodeError; ids the protocol does not define (12..15) decode as `unsupported`
 * so each side can apply its own rule to them.
 */
import { DecodeError } from '../../binary/index.js';
import { NUM_RESERVED_IDS } from '../constants.js';
import {
  ConnectNotification,
  Data,
  DisconnectNotification,
  ForwardRequest,
  Forwarding,
  OnionRequest,
  OnionResponse,
  OobReceive,
  OobSend,
  PingRequest,
  PongResponse,
  RouteRequest,
  RouteResponse,
  TCP_PACKET_ID,
} from './packets.js';

export type TcpPacket =
  | ({ kind: 'routeRequest' } & RouteRequest)
  | ({ kind: 'routeResponse' } & RouteResponse)
  | ({ kind: 'connectNotification' } & ConnectNotification)
  | ({ kind: 'disconnectNotification' } & DisconnectNotification)
  | ({ kind: 'ping' } & PingRequest)
  | ({ kind: 'pong' } & PongResponse)
  | ({ kind: 'oobSend' } & OobSend)
  | ({ kind: 'oobReceive' } & OobReceive)
  | ({ kind: 'onionRequest' } & OnionRequest)
  | ({ kind: 'onionResponse' } & OnionResponse)
  | ({ kind: 'forwardRequest' } & ForwardRequest)
  | ({ kind: 'forwarding' } & Forwarding)
  | ({ kind: 'data' } & Data)
  | { kind: 'unsupported'; id: number };


export type TcpPacketKind = TcpPacket['kind'];

/** Decodes one plaintext packet (at least one byte). */
export function decodeTcpPacket(plain: Uint8Array): TcpPacket {
  if (plain.length === 0) throw new DecodeError('tcp.Packet', 'id', 0, 'empty packet');
  const id = plain[0]!;
  if (id >= NUM_RESERVED_IDS) return { kind: 'data', ...Data.decode(plain) };
  switch (id) {
    case TCP_PACKET_ID.routeRequest:
      return { kind: 'routeRequest', ...RouteRequest.decode(plain) };
    case TCP_PACKET_ID.routeResponse:
      return { kind: 'routeResponse', ...RouteResponse.decode(plain) };
    case TCP_PACKET_ID.connectNotification:
      return { kind: 'connectNotification', ...ConnectNotification.decode(plain) };
    case TCP_PACKET_ID.disconnectNotification:
      return { kind: 'disconnectNotification', ...DisconnectNotification.decode(plain) };
    case TCP_PACKET_ID.ping:
      return { kind: 'ping', ...PingRequest.decode(plain) };
    case TCP_PACKET_ID.pong:
      return { kind: 'pong', ...PongResponse.decode(plain) };
    case TCP_PACKET_ID.oobSend:
      return { kind: 'oobSend', ...OobSend.decode(plain) };
    case TCP_PACKET_ID.oobReceive:
      return { kind: 'oobReceive', ...OobReceive.decode(plain) };
    case TCP_PACKET_ID.onionRequest:
      return { kind: 'onionRequest', ...OnionRequest.decode(plain) };
    case TCP_PACKET_ID.onionResponse:
      return { kind: 'onionResponse', ...OnionResponse.decode(plain) };
    case TCP_PACKET_ID.forwardRequest:
      return { kind: 'forwardRequest', ...ForwardRequest.decode(plain) };
    case TCP_PACKET_ID.forwarding:
      return { kind: 'forwarding', ...Forwarding.decode(plain) };
    default:
      return { kind: 'unsupported', id };
  }
}

/** Encodes one packet; throws EncodeError for values the format cannot carry (API misuse). */
export function encodeTcpPacket(packet: Exclude<TcpPacket, { kind: 'unsupported' }>): Uint8Array {
  switch (packet.kind) {
    case 'routeRequest':
      return RouteRequest.encode(packet);
    case 'routeResponse':
      return RouteResponse.encode(packet);
    case 'connectNotification':
      return ConnectNotification.encode(packet);
    case 'disconnectNotification':
      return DisconnectNotification.encode(packet);
    case 'ping':
      return PingRequest.encode(packet);
    case 'pong':
      return PongResponse.encode(packet);
    case 'oobSend':
      return OobSend.encode(packet);
    case 'oobReceive':
      return OobReceive.encode(packet);
    case 'onionRequest':
      return OnionRequest.encode(packet);
    case 'onionResponse':
      return OnionResponse.encode(packet);
    case 'forwardRequest':
      return ForwardRequest.encode(packet);
    case 'forwarding':
      return Forwarding.encode(packet);
    case 'data':
      return Data.encode(packet);
  }
}
