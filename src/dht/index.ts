/**
 * Public surface of the DHT layer: the engine, its tables' read-only views, the
 * wire codecs (`dhtCodecs`), bootstrap node lists, the metric and constants.
 */
export * from './constants.js';
export * from './distance.js';
export * from './counters.js';
export { Dht, type DhtDeps, type DhtOptions, type DhtEvents, type DhtSendPort, type CryptoPacketHandler, type ClosestNodesOptions } from './dht.js';
export type { CloseListNode } from './tables.js';
export type { FriendAddressCallback } from './dht-friend.js';
export type { LanDiscoveryOptions } from './lan-discovery.js';
export { parseBootstrapNodesJson, type BootstrapNodeList, type UnresolvedBootstrapNode } from './bootstrap-nodes.js';
export * from './wire/packets.js';
