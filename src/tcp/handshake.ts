/**
 * The TCP relay handshake (tox-protocol.md §6.1). The client seals a fresh
 * temporary key and base nonce to the relay's DHT key (128 bytes); the relay
 * answers with its own (96 bytes). Both then use beforenm(their temporary pk,
 * our temporary sk) with counter nonces starting at the exchanged base nonces.
 */
import type { Random } from '../base/index.js';
import {
  generateKeyPair,
  open,
  tryPrecompute,
  randomNonce,
  seal,
  type DhtKeyPair,
  type DhtPublicKey,
  type EphemeralKeyPair,
  type EphemeralPublicKey,
  type Nonce,
  type SharedKey,
} from '../crypto/index.js';
import { CLIENT_HANDSHAKE_SIZE, SERVER_HANDSHAKE_SIZE } from './constants.js';
import { ClientHandshake, HandshakePayload, ServerHandshake } from './wire/packets.js';

/** Keys and counters of an established link; the nonces advance by one per frame. */
export interface TcpSession {
  readonly sharedKey: SharedKey;
  readonly sendNonce: Uint8Array;
  readonly recvNonce: Uint8Array;
}

export interface PendingClientHandshake {
  /** The 128 bytes to send. */
  readonly request: Uint8Array;
  readonly temporary: EphemeralKeyPair;
  readonly sendNonce: Nonce;
  readonly staticKey: SharedKey;
}

/** The client's 128 bytes; undefined when the relay key is unusable (a low-order point, e.g. from a hostile share-relays packet). */
export function createClientHandshake(self: DhtKeyPair, relayPublicKey: DhtPublicKey, random: Random): PendingClientHandshake | undefined {
  const staticKey = tryPrecompute(relayPublicKey, self.secretKey);
  if (!staticKey) return undefined;
  const temporary = generateKeyPair<EphemeralPublicKey, EphemeralKeyPair['secretKey']>(random);
  const sendNonce = randomNonce(random);
  const nonce = randomNonce(random);
  const sealed = seal(staticKey, nonce, HandshakePayload.encode({ temporaryKey: temporary.publicKey, baseNonce: sendNonce }));
  return { request: ClientHandshake.encode({ publicKey: self.publicKey, nonce, sealed }), temporary, sendNonce, staticKey };
}

/** The session from the relay's 96-byte answer, or undefined if it does not open. */
export function completeClientHandshake(pending: PendingClientHandshake, response: Uint8Array): TcpSession | undefined {
  if (response.length !== SERVER_HANDSHAKE_SIZE) return undefined;
  const packet = ServerHandshake.decode(response);
  const plain = open(pending.staticKey, packet.nonce as Nonce, packet.sealed);
  if (!plain) return undefined;
  const payload = HandshakePayload.decode(plain);
  const sharedKey = tryPrecompute(payload.temporaryKey as EphemeralPublicKey, pending.temporary.secretKey);
  if (!sharedKey) return undefined;
  return { sharedKey, sendNonce: new Uint8Array(pending.sendNonce), recvNonce: payload.baseNonce };
}

export interface AcceptedHandshake {
  readonly clientPublicKey: DhtPublicKey;
  /** The 96 bytes to send back. */
  readonly response: Uint8Array;
  readonly session: TcpSession;
}

/** Server side: opens a client's 128 bytes; undefined if they do not authenticate. */
export function acceptClientHandshake(self: DhtKeyPair, request: Uint8Array, random: Random): AcceptedHandshake | undefined {
  if (request.length !== CLIENT_HANDSHAKE_SIZE) return undefined;
  const packet = ClientHandshake.decode(request);
  const clientPublicKey = packet.publicKey as DhtPublicKey;
  const staticKey = tryPrecompute(clientPublicKey, self.secretKey);
  if (!staticKey) return undefined;
  const plain = open(staticKey, packet.nonce as Nonce, packet.sealed);
  if (!plain) return undefined;
  const theirs = HandshakePayload.decode(plain);
  const temporary = generateKeyPair<EphemeralPublicKey, EphemeralKeyPair['secretKey']>(random);
  const sharedKey = tryPrecompute(theirs.temporaryKey as EphemeralPublicKey, temporary.secretKey);
  if (!sharedKey) return undefined;
  const sendNonce = randomNonce(random);
  const nonce = randomNonce(random);
  const sealed = seal(staticKey, nonce, HandshakePayload.encode({ temporaryKey: temporary.publicKey, baseNonce: sendNonce }));
  return {
    clientPublicKey,
    response: ServerHandshake.encode({ nonce, sealed }),
    session: { sharedKey, sendNonce, recvNonce: theirs.baseNonce },
  };
}
