// The relay handshake and the secure link: both ends derive one session, counter nonces advance
// once per frame in both directions, tampering and wrong keys fail, re-chunked streams decode
// identically, and the send-queue policy (soft limit refuses data, hard limit overflows control).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, SeededRandom } from '../../../src/base/index.js';
import { generateKeyPair, nonceAdd, type DhtKeyPair, type Nonce } from '../../../src/crypto/index.js';
import type { StreamSocket } from '../../../src/net/index.js';
import { acceptClientHandshake, completeClientHandshake, createClientHandshake, SecureLink, type TcpSession } from '../../../src/tcp/index.js';

/** A socket that records writes and reports whatever backlog the test sets. */
class RecordingSocket implements StreamSocket {
  readonly local = { family: 4 as const, ip: '127.0.0.1', port: 1 };
  readonly remote = { family: 4 as const, ip: '127.0.0.1', port: 2 };
  readonly written: Uint8Array[] = [];
  bufferedAmount = 0;
  write(data: Uint8Array): boolean {
    this.written.push(data.slice());
    return true;
  }
  onData(): void {}
  onDrain(): void {}
  onClose(): void {}
  end(): void {}
  destroy(): void {}
  take(): Uint8Array {
    return concatBytes(...this.written.splice(0));
  }
}

function handshake(seed = 1): { client: TcpSession; server: TcpSession; clientKeys: DhtKeyPair } {
  const random = new SeededRandom(seed);
  const clientKeys = generateKeyPair(random) as DhtKeyPair;
  const serverKeys = generateKeyPair(random) as DhtKeyPair;
  const pending = createClientHandshake(clientKeys, serverKeys.publicKey, random)!;
  expect(pending.request).toHaveLength(128);
  const accepted = acceptClientHandshake(serverKeys, pending.request, random)!;
  expect(accepted.response).toHaveLength(96);
  expect(accepted.clientPublicKey).toEqual(clientKeys.publicKey);
  const client = completeClientHandshake(pending, accepted.response)!;
  return { client, server: accepted.session, clientKeys };
}

describe('tcp handshake', () => {
  it('gives both ends the same key and crossed nonces', () => {
    const { client, server } = handshake();
    expect(client.sharedKey).toEqual(server.sharedKey);
    expect(client.sendNonce).toEqual(server.recvNonce);
    expect(client.recvNonce).toEqual(server.sendNonce);
  });

  it('fails for the wrong relay key or a tampered answer', () => {
    const random = new SeededRandom(2);
    const clientKeys = generateKeyPair(random) as DhtKeyPair;
    const serverKeys = generateKeyPair(random) as DhtKeyPair;
    const other = generateKeyPair(random) as DhtKeyPair;
    const pending = createClientHandshake(clientKeys, other.publicKey, random)!;
    expect(acceptClientHandshake(serverKeys, pending.request, random)).toBeUndefined();
    const good = createClientHandshake(clientKeys, serverKeys.publicKey, random)!;
    const accepted = acceptClientHandshake(serverKeys, good.request, random)!;
    const tampered = accepted.response.slice();
    expect(createClientHandshake(clientKeys, new Uint8Array(32) as DhtKeyPair['publicKey'], random)).toBeUndefined();
    const lowOrder = good.request.slice();
    lowOrder.fill(0, 0, 32);
    expect(acceptClientHandshake(serverKeys, lowOrder, random)).toBeUndefined();
    tampered[50]! ^= 1;
    expect(completeClientHandshake(good, tampered)).toBeUndefined();
    expect(acceptClientHandshake(serverKeys, good.request.subarray(0, 127), random)).toBeUndefined();
  });
});

describe('SecureLink', () => {
  const limits = { softLimit: 1000, hardLimit: 5000 };

  it('advances the nonce once per frame and decodes any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 2032 }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.integer({ min: 1, max: 2500 }), { minLength: 1, maxLength: 20 }),
        (packets, cuts) => {
          const { client, server } = handshake();
          const startNonce = new Uint8Array(client.sendNonce) as Nonce;
          const out = new RecordingSocket();
          const sender = new SecureLink(out, client, limits);
          for (const p of packets) expect(sender.send(p, false)).toBe('sent');
          expect(client.sendNonce).toEqual(nonceAdd(startNonce, packets.length));
          const stream = out.take();
          const receiver = new SecureLink(new RecordingSocket(), server, limits);
          const got: Uint8Array[] = [];
          let at = 0;
          for (let i = 0; at < stream.length; i++) {
            const size = cuts[i % cuts.length]!;
            expect(receiver.receive(stream.subarray(at, at + size), (plain) => got.push(plain) > 0)).toBeUndefined();
            at += size;
          }
          expect(got).toEqual(packets);
          expect(server.recvNonce).toEqual(client.sendNonce);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('fails on a flipped bit, a replayed frame or an oversize frame', () => {
    const { client, server } = handshake();
    const out = new RecordingSocket();
    new SecureLink(out, client, limits).send(Uint8Array.of(4, 1, 2, 3, 4, 5, 6, 7, 8), true);
    const frame = out.take();
    const flipped = frame.slice();
    flipped[10]! ^= 1;
    expect(new SecureLink(new RecordingSocket(), { ...server, recvNonce: server.recvNonce.slice() }, limits).receive(flipped, () => true)).toBe('decryptFailed');
    const receiver = new SecureLink(new RecordingSocket(), server, limits);
    expect(receiver.receive(frame, () => true)).toBeUndefined();
    expect(receiver.receive(frame, () => true)).toBe('decryptFailed');
    const fresh = new SecureLink(new RecordingSocket(), handshake(3).server, limits);
    expect(fresh.receive(Uint8Array.of(0x08, 0x01, 0, 0), () => true)).toBe('badFrame');
  });

  it('refuses ordinary packets above the soft limit without spending a nonce; control packets overflow above the hard limit', () => {
    const { client } = handshake();
    const socket = new RecordingSocket();
    const link = new SecureLink(socket, client, limits);
    const before = client.sendNonce.slice();
    socket.bufferedAmount = 1001;
    expect(link.send(Uint8Array.of(16, 1), false)).toBe('congested');
    expect(client.sendNonce).toEqual(before);
    expect(link.send(Uint8Array.of(4, 1, 1, 1, 1, 1, 1, 1, 1), true)).toBe('sent');
    socket.bufferedAmount = 5001;
    expect(link.send(Uint8Array.of(4, 1, 1, 1, 1, 1, 1, 1, 1), true)).toBe('overflow');
    link.close();
    expect(link.send(Uint8Array.of(16, 1), false)).toBe('closed');
    expect(() => link.send(new Uint8Array(2033), true)).toThrow(/1..2032/);
  });
});
