/**
 * Public surface of the onion layer (tox-protocol.md §4): wire codecs
 * (`onionCodecs`), the relay (nodes A, B, C), the announce store (node D), the
 * onion client, and the ports runtime/ wires to the TCP layer.
 */
export * from './constants.js';
export * from './wire/packets.js';
export type { ReturnAddress } from './wire/fields.js';
export * from './ports.js';
export { DropCounter } from './drops.js';
export { OnionRelay, type OnionRelayDeps } from './relay/relay.js';
export { AnnounceNode, type AnnounceNodeDeps } from './announce/announce-node.js';
export type { AnnounceEntry } from './announce/entries.js';
export {
  OnionClient,
  type OnionClientDeps,
  type OnionClientOptions,
  type OnionClientEvents,
  type OnionConnectionStatus,
} from './client/client.js';
