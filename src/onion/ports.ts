/**
 * The onion layer's ports. Engines send UDP through `OnionSendPort`; the TCP
 * relay layer plugs in through the TCP layer's own ports (`OnionForwarder`,
 * implemented by `OnionRelay`; `OnionRelayPort`, used by `OnionClient` for
 * onion over TCP, §4.9) plus `OnionTcpResponseSink`, which runtime/ points at
 * the relay server so responses reach its clients.
 */
import type { IpPort } from '../net/index.js';

export type { OnionForwarder, OnionRelayPort, RelayInfo } from '../tcp/index.js';

/** What the onion engines need from the UDP socket. */
export interface OnionSendPort {
  send(to: IpPort, data: Uint8Array): boolean;
  /** The address the socket is bound to, when known (a real socket's). */
  readonly local?: IpPort;
}

/** Delivers an onion response (0x84/0x86/0x88 payload) to a client of our TCP relay as packet 0x09. */
export interface OnionTcpResponseSink {
  deliverOnionResponse(returnToken: Uint8Array, payload: Uint8Array): boolean;
}
