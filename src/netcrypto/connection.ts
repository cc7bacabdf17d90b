/**
 * One net_crypto connection (tox-protocol.md §5.3): the peer's keys, our
 * session key pair and base nonce, its UDP endpoints, and its state as a
 * discriminated union — COOKIE_REQUESTING and HANDSHAKE_SENT re-send a
 * "temp packet", NOT_CONFIRMED has a data channel and still re-sends its
 * handshake, ESTABLISHED has only the channel.
 */
import { keyId, type DhtPublicKey, type EphemeralKeyPair, type LongTermPublicKey, type SharedKey } from '../crypto/index.js';
import type { Channel } from './channel.js';
import { UdpEndpoints } from './endpoints.js';

/** The cookie request or handshake being re-sent every second. */
export interface TempPacket {
  readonly packet: Uint8Array;
  sends: number;
  lastSent: number;
}

export type ConnectionState =
  | { readonly kind: 'cookieRequesting'; readonly temp: TempPacket; readonly echoId: Uint8Array; readonly dhtSharedKey: SharedKey }
  | { readonly kind: 'handshakeSent'; readonly temp: TempPacket }
  | { readonly kind: 'notConfirmed'; readonly temp: TempPacket; readonly channel: Channel }
  | { readonly kind: 'established'; readonly channel: Channel };

export type ConnectionStateKind = ConnectionState['kind'];

export class Connection {
  readonly id: string;
  state!: ConnectionState;
  readonly udp = new UdpEndpoints();
  /** Set when the connection ended (late callbacks check it). */
  closed = false;

  constructor(
    readonly peer: LongTermPublicKey,
    readonly dhtPk: DhtPublicKey,
    readonly session: EphemeralKeyPair,
    /** Our base send nonce (what our handshake announces). */
    readonly baseNonce: Uint8Array,
    /** beforenm(peer real pk, our real sk). */
    readonly realSharedKey: SharedKey,
  ) {
    this.id = keyId(peer);
  }

  get channel(): Channel | undefined {
    const s = this.state;
    return s.kind === 'notConfirmed' || s.kind === 'established' ? s.channel : undefined;
  }

  get temp(): TempPacket | undefined {
    return this.state.kind === 'established' ? undefined : this.state.temp;
  }
}

export function newTemp(packet: Uint8Array): TempPacket {
  return { packet, sends: 0, lastSent: Number.NEGATIVE_INFINITY };
}
