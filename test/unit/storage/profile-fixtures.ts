/** Test profiles for the storage tests: an empty one and one with every field set. */
import { SeededRandom, utf8Encode } from '../../../src/base/index.js';
import type { DhtPublicKey, LongTermPublicKey } from '../../../src/crypto/index.js';
import { ipPort, type PackedNode } from '../../../src/net/index.js';
import { createProfile, type Profile } from '../../../src/storage/index.js';

export function dhtKey(random: SeededRandom): DhtPublicKey {
  return random.bytes(32) as DhtPublicKey;
}

export function longTermKey(random: SeededRandom): LongTermPublicKey {
  return random.bytes(32) as LongTermPublicKey;
}

export function node(random: SeededRandom, transport: 'udp' | 'tcp', ip: string, port: number): PackedNode {
  return { transport, address: ipPort(ip, port), publicKey: dhtKey(random) };
}

/** A profile with every field (and every friend status, and a conference with peers) set. */
export function fullProfile(seed = 1): Profile {
  const random = new SeededRandom(seed);
  const profile = createProfile(random);
  return {
    ...profile,
    name: utf8Encode('Tocsin bot ✓'),
    statusMessage: utf8Encode('Serving notifications since 2024'),
    userStatus: 'away',
    friends: [
      {
        status: 'added',
        publicKey: longTermKey(random),
        requestMessage: utf8Encode('Hi, this is Tocsin: please add me'),
        name: new Uint8Array(0),
        statusMessage: new Uint8Array(0),
        userStatus: 'online',
        nospam: random.bytes(4),
        lastSeen: 0,
      },
      {
        status: 'requestSent',
        publicKey: longTermKey(random),
        requestMessage: new Uint8Array(1024).fill(0x41),
        name: new Uint8Array(0),
        statusMessage: new Uint8Array(0),
        userStatus: 'online',
        nospam: random.bytes(4),
        lastSeen: 0,
      },
      {
        status: 'confirmed',
        publicKey: longTermKey(random),
        requestMessage: new Uint8Array(0),
        name: new Uint8Array(128).fill(0x6e),
        statusMessage: new Uint8Array([0xff, 0xfe, 0x00, 0x80]),
        userStatus: 'busy',
        nospam: new Uint8Array(4),
        lastSeen: 1_700_000_123,
      },
    ],
    dhtNodes: [node(random, 'udp', '127.0.0.1', 33445), node(random, 'udp', '2001:db8::1', 33446)],
    tcpRelays: [node(random, 'tcp', '10.0.0.1', 443), node(random, 'tcp', '::1', 3389)],
    pathNodes: [node(random, 'udp', '192.168.1.2', 33447)],
    conferences: [
      {
        type: 'text',
        id: random.bytes(32),
        messageNumber: 65536 + 17,
        lossyMessageNumber: 8192 + 3,
        ourPeerNumber: 4242,
        title: utf8Encode('Ops room'),
        peers: [
          { publicKey: longTermKey(random), dhtPublicKey: dhtKey(random), peerNumber: 7, lastActive: 1_700_000_000, name: utf8Encode('alice') },
          { publicKey: longTermKey(random), dhtPublicKey: dhtKey(random), peerNumber: 65535, lastActive: 2 ** 53 - 1, name: new Uint8Array(0) },
        ],
      },
      { type: 'av', id: random.bytes(32), messageNumber: 0xffff_ffff, lossyMessageNumber: 0xffff, ourPeerNumber: 0, title: new Uint8Array(0), peers: [] },
    ],
  };
}
