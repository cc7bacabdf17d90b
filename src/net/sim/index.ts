/**
 * The simulated network: SimNetwork (hosts, link conditions, partitions,
 * filters, traces, counters) whose SimHosts implement NetStack. Tests and the
 * runtime's simulation mode import this entry point; protocol layers never do.
 */
export { SimNetwork, DEFAULT_STREAM_SETTINGS, type SimNetworkOptions, type StreamSettings } from './network.js';
export { SimHost, EPHEMERAL_FIRST, EPHEMERAL_LAST } from './host.js';
export { SimDatagramSocket } from './datagram.js';
export { SimStreamSocket, SimStreamListener } from './stream.js';
export { DEFAULT_LINK, PERFECT_LINK, type LinkConditions } from './conditions.js';
export type { DatagramFilter, Fate, FilterDecision, SimDatagram, SimStats, TraceEvent, TraceObserver } from './trace.js';
