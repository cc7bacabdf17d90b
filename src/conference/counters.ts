/**
 * Observable counters of the conference engine: untrusted input dropped, by
 * reason (bounded: the reasons are fixed; each drop is logged at debug), and a
 * few protocol totals that tests and benches read.
 */
import { silentLogger, type Logger } from '../base/index.js';

export type ConferenceDropReason =
  /** Wrong length or shape (a DecodeError). */
  | 'malformed'
  /** A group number, type or id that names no conference of ours. */
  | 'unknownConference'
  /** A packet on a friend connection that is not one of the conference's connections. */
  | 'notAConnection'
  /** ONLINE on a connection that already is online. */
  | 'alreadyOnline'
  /** A rejoin from a key we do not know in that conference. */
  | 'unknownRejoin'
  /** A message from a peer number we do not know (answered by a peer query). */
  | 'unknownPeer'
  /** A repeated, too old, or superseded (name/title) message number. */
  | 'duplicate'
  /** A message whose payload does not fit its id, or an id we do not know. */
  | 'badPayload'
  /** Kill or freeze naming a peer other than its origin. */
  | 'foreignKill'
  /** A new-peer message that would renumber a current peer or ourselves. */
  | 'renumber'
  /** A peer list or new peer beyond the conference's peer cap. */
  | 'peerCap'
  /** An invite for a conference type we do not know. */
  | 'unknownType'
  /** An invite answer that does not match the conference it names, or no free peer number. */
  | 'badInviteAnswer'
  /** A lossy packet in a text conference, from ourselves, or from a peer not (or no longer) current. */
  | 'badLossy'
  /** A peer query we did not send because one went out on that connection less than a second ago. */
  | 'queryRateLimited'
  /** An exception that is not a DecodeError: a bug, logged as a warning. */
  | 'internalError';

export class ConferenceCounters {
  readonly dropped = new Map<ConferenceDropReason, number>();
  /** Our own messages that came back through the relay mesh (recognised, never dispatched). */
  ownEchoes = 0;
  messagesRelayed = 0;
  lossyRelayed = 0;

  constructor(private readonly log: Logger = silentLogger()) {}

  drop(reason: ConferenceDropReason): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
    if (this.log.enabled('debug')) this.log.debug('dropped conference input', { reason });
  }

  droppedFor(reason: ConferenceDropReason): number {
    return this.dropped.get(reason) ?? 0;
  }
}
