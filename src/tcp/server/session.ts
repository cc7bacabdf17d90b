/**
 * One client connection on the relay server: its stage (handshake, unconfirmed,
 * confirmed, closed), the secure link once the handshake is done, its routing
 * slots (connection ids 16..255) and its keep-alive state.
 */
import type { DhtPublicKey } from '../../crypto/index.js';
import type { StreamSocket } from '../../net/index.js';
import { CLIENT_HANDSHAKE_SIZE } from '../constants.js';
import { ExactReader, type SecureLink, type SendResult } from '../secure-stream.js';

export type SessionStage = 'handshake' | 'unconfirmed' | 'confirmed' | 'closed';

/** A routing slot: registered for `peerKey`; `link` is set while the peer registered us too ("online"). */
export interface Route {
  readonly peerKey: DhtPublicKey;
  readonly peerId: string;
  link: { readonly session: ServerSession; readonly slot: number } | undefined;
}

export class ServerSession {
  stage: SessionStage = 'handshake';
  readonly handshake = new ExactReader(CLIENT_HANDSHAKE_SIZE);
  link: SecureLink | undefined;
  publicKey: DhtPublicKey | undefined;
  keyId = '';
  /** Unique per confirmed connection: onion return tokens carry it, so a reused slot never gets a stale response. */
  identifier = 0n;
  /** Slot i holds connection id i + 16. */
  readonly routes: Array<Route | undefined> = [];
  routeCount = 0;
  lastPinged = 0;
  /** Outstanding ping id, 0n when none. */
  pingId = 0n;

  constructor(
    readonly socket: StreamSocket,
    readonly openedAt: number,
  ) {}

  send(plain: Uint8Array, priority: boolean): SendResult {
    return this.link ? this.link.send(plain, priority) : 'closed';
  }
}
