/**
 * What the simulated network reports: trace events for observers, the
 * datagram filter hook and its decisions, and the network-wide counters.
 */
import type { IpPort } from '../address.js';

/**
 * What happened to a datagram or stream segment. `delivered` and
 * `unreachable` (no socket bound there, or no host with that address) are
 * reported at arrival time; the others when the packet was sent, except a
 * stream segment that finds its link partitioned, reported when it stalls.
 */
export type Fate = 'delivered' | 'lost' | 'filtered' | 'partitioned' | 'mtu' | 'unreachable';

export interface TraceEvent {
  /** Virtual time of the event. */
  readonly time: number;
  readonly transport: 'udp' | 'tcp';
  readonly from: IpPort;
  readonly to: IpPort;
  readonly size: number;
  /** The packet id for Tox datagrams; -1 for an empty payload. */
  readonly firstByte: number;
  readonly fate: Fate;
}

export type TraceObserver = (event: TraceEvent) => void;

/** A datagram as a filter sees it (at send time, after partitions, before MTU and loss). */
export interface SimDatagram {
  readonly time: number;
  readonly from: IpPort;
  readonly to: IpPort;
  /** The network's own copy: a filter may read it, or return a replacement. */
  readonly data: Uint8Array;
}

/**
 * A filter's verdict: `undefined`/'pass' lets it through unchanged, 'drop'
 * drops it (fate 'filtered'), an object delays it by `delayMs` and/or replaces
 * its bytes with `data` (later filters see the replacement).
 */
export type FilterDecision = undefined | 'pass' | 'drop' | { readonly delayMs?: number; readonly data?: Uint8Array };

export type DatagramFilter = (datagram: SimDatagram) => FilterDecision;

export interface SimStats {
  datagramsSent: number;
  datagramsDelivered: number;
  datagramBytesDelivered: number;
  datagramsLost: number;
  /** Extra copies created by the duplication knob. */
  datagramsDuplicated: number;
  datagramsFiltered: number;
  datagramsPartitioned: number;
  datagramsOverMtu: number;
  datagramsUnreachable: number;
  streamsOpened: number;
  streamsRefused: number;
  /** Streams closed with CONNECTION_TIMEOUT because a partition stalled them. */
  streamsTimedOut: number;
  segmentsDelivered: number;
  streamBytesDelivered: number;
}

export function emptyStats(): SimStats {
  return {
    datagramsSent: 0,
    datagramsDelivered: 0,
    datagramBytesDelivered: 0,
    datagramsLost: 0,
    datagramsDuplicated: 0,
    datagramsFiltered: 0,
    datagramsPartitioned: 0,
    datagramsOverMtu: 0,
    datagramsUnreachable: 0,
    streamsOpened: 0,
    streamsRefused: 0,
    streamsTimedOut: 0,
    segmentsDelivered: 0,
    streamBytesDelivered: 0,
  };
}
