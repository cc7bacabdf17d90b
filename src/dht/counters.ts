/**
 * Observable DHT counters for tests, benchmarks and the interop evidence:
 * packets received and sent by kind, drops by reason, and what our nodes
 * responses handed out. All bounded: keys are fixed kinds and reasons.
 */

export type DhtPacketKind =
  | 'pingRequest'
  | 'pingResponse'
  | 'nodesRequest'
  | 'nodesResponse'
  | 'routed'
  | 'lanDiscovery'
  | 'natPing'
  | 'ignoredAnnouncement';

export type DhtDropReason =
  | 'malformed'
  | 'fromSelf'
  | 'decryptFailed'
  | 'wrongInnerType'
  | 'unknownRequest'
  | 'expiredRequest'
  | 'requestMismatch'
  | 'emptyNodesResponse'
  | 'rateLimited'
  | 'notLan'
  | 'lanDiscoveryDisabled'
  | 'noRoute'
  | 'noCryptoHandler'
  | 'notFriend'
  | 'natPingUnexpected'
  | 'ignoredAnnouncement';

export class DhtCounters {
  readonly received: Record<DhtPacketKind, number> = zero();
  readonly sent: Record<DhtPacketKind, number> = zero();
  readonly dropped = new Map<DhtDropReason, number>();
  /** Nodes responses we sent that carried at least one node, and the nodes they carried. */
  nodesResponsesWithNodes = 0;
  nodesHandedOut = 0;
  /** Routed packets we forwarded for others. */
  forwarded = 0;

  drop(reason: DhtDropReason): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
  }

  droppedFor(reason: DhtDropReason): number {
    return this.dropped.get(reason) ?? 0;
  }

  totalDropped(): number {
    let n = 0;
    for (const v of this.dropped.values()) n += v;
    return n;
  }
}

function zero(): Record<DhtPacketKind, number> {
  return { pingRequest: 0, pingResponse: 0, nodesRequest: 0, nodesResponse: 0, routed: 0, lanDiscovery: 0, natPing: 0, ignoredAnnouncement: 0 };
}
