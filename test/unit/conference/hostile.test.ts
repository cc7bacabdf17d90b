// Hostile input from a conference member (B) against a scripted port: malformed packets and random
// bytes, forged peer numbers, a peer claiming another's key (or ours), message-number replays and
// floods of new-peer messages. Everything is dropped or bounded, nothing throws, and no false
// join or leave event reaches the application.
import { beforeEach, describe, expect, it } from 'vitest';
import { SeededRandom, toHex } from '../../../src/base/index.js';
import {
  DirectPacket,
  InvitePacket,
  LossyPacket,
  MAX_FROZEN_DEFAULT,
  MessagePacket,
  NewPeerMessage,
  OnlinePacket,
  RejoinPacket,
} from '../../../src/conference/index.js';
import type { DhtPublicKey, LongTermPublicKey } from '../../../src/crypto/index.js';
import { dhtOf, engine, key, type Engine } from './helpers.js';

const A = key(0x80);
const B = key(0x40);
const C = key(0x90);
const MAX_PEERS = 64;

interface Setup {
  a: Engine;
  g: number;
  id: Uint8Array;
  b: number;
  c: number;
  /** B's next message number. */
  next: () => number;
}

function setup(): Setup {
  const a = engine(A, { maxPeers: MAX_PEERS });
  const g = a.conferences.create('av');
  const id = a.conferences.info(g).id;
  for (const [i, p] of [B, C].entries()) {
    a.port.befriend(p);
    a.port.setOnline(p, true);
    a.port.receiveInvite(p, InvitePacket.encode({ kind: 1, joinerGroupNumber: i, inviterGroupNumber: g, type: 1, id }));
  }
  const number = (k: LongTermPublicKey): number => a.conferences.peers(g).find((p) => toHex(p.publicKey) === toHex(k))!.peerNumber;
  let n = 0;
  a.port.take();
  return { a, g, id, b: number(B), c: number(C), next: () => ++n };
}

function fromB(s: Setup, messageId: number, data: Uint8Array, origin = s.b, messageNumber = s.next()): Uint8Array {
  return MessagePacket.encode({ groupNumber: s.g, peerNumber: origin, messageNumber, messageId, data });
}

/** The application saw no peer come or go since `mark`. */
function expectNoPeerEvents(s: Setup, mark = 0): void {
  const churn = s.a.events.all.slice(mark).filter((e) => e.name === 'peerJoin' || e.name === 'peerLeave' || e.name === 'peerListChanged');
  expect(churn).toEqual([]);
}

describe('hostile conference input', () => {
  let s: Setup;
  beforeEach(() => {
    s = setup();
  });

  it('survives malformed packets and random bytes: nothing escapes, state stays bounded', () => {
    const random = new SeededRandom(99);
    const valid = [
      fromB(s, 64, new TextEncoder().encode('hello')),
      fromB(s, 16, NewPeerMessage.encode({ peerNumber: 5, publicKey: key(0x33) as LongTermPublicKey, dhtPublicKey: dhtOf(key(0x33)) })),
      DirectPacket.encode({ groupNumber: s.g, body: { kind: 9, peers: [{ peerNumber: 9, publicKey: key(0x34), dhtPublicKey: dhtOf(key(0x34)), name: new Uint8Array(3) }] } }),
      OnlinePacket.encode({ groupNumber: 1, type: 1, id: s.id }),
      RejoinPacket.encode({ type: 1, id: s.id }),
      LossyPacket.encode({ groupNumber: s.g, peerNumber: s.b, lossyNumber: 1, lossyId: 192, data: new Uint8Array(8) }),
      InvitePacket.encode({ kind: 1, joinerGroupNumber: 3, inviterGroupNumber: s.g, type: 1, id: s.id }),
    ];
    const ids = [96, 97, 98, 99, 100, 199];
    for (let i = 0; i < 5000; i++) {
      let packet: Uint8Array;
      if (i % 2 === 0) {
        packet = random.bytes(random.int(80));
        if (packet.length > 0) packet[0] = ids[random.int(ids.length)]!;
        if (packet.length > 2 && random.int(2) === 0) packet[2] = s.g;
      } else {
        packet = valid[random.int(valid.length)]!.slice();
        for (let m = 1 + random.int(3); m > 0 && packet.length > 0; m--) {
          const at = random.int(packet.length);
          if (random.int(3) === 0) packet = packet.subarray(0, at);
          else packet[at] = random.int(256);
        }
      }
      const kind = packet[0] === 199 ? 'lossy' : packet[0] === 96 ? 'invite' : 'lossless';
      expect(() => {
        if (kind === 'lossy') s.a.port.receiveLossy(B, packet);
        else if (kind === 'invite') s.a.port.receiveInvite(B, packet);
        else s.a.port.receive(B, packet);
      }).not.toThrow();
    }
    const counters = s.a.conferences.counters;
    expect(counters.droppedFor('internalError')).toBe(0);
    expect(counters.droppedFor('malformed')).toBeGreaterThan(500);
    expect(s.a.conferences.connections(s.g).length).toBeLessThanOrEqual(16);
    expect(s.a.conferences.frozenPeers(s.g).length).toBeLessThanOrEqual(MAX_FROZEN_DEFAULT);
    s.a.conferences.sendMessage(s.g, 'still here');
  });

  it('drops messages from forged peer numbers, asking the relay at most once a second', () => {
    const mark = s.a.events.all.length;
    for (let origin = 1000; origin < 1100; origin++) s.a.port.receive(B, fromB(s, 64, new TextEncoder().encode('forged'), origin));
    expect(s.a.events.messages).toEqual([]);
    expectNoPeerEvents(s, mark);
    expect(s.a.port.take().map((p) => toHex(p.packet))).toEqual(['62000008']);
    expect(s.a.conferences.counters.droppedFor('unknownPeer')).toBe(100);
  });

  it('refuses a peer claiming another peer\'s key, or ours, under a new number', () => {
    const mark = s.a.events.all.length;
    const claim = (publicKey: LongTermPublicKey, peerNumber: number): void =>
      s.a.port.receive(B, fromB(s, 16, NewPeerMessage.encode({ peerNumber, publicKey, dhtPublicKey: new Uint8Array(32) as DhtPublicKey })));
    claim(C, 4242);
    claim(A, 4243);
    claim(B, 4244);
    expect(s.a.conferences.counters.droppedFor('renumber')).toBe(3);
    expect(s.a.port.take()).toEqual([]);
    const numbers = new Map(s.a.conferences.peers(s.g).map((p) => [toHex(p.publicKey), p.peerNumber]));
    expect(numbers).toEqual(new Map([[toHex(A), 0], [toHex(B), s.b], [toHex(C), s.c]]));
    // A peer list claiming our key under another number is refused too; we keep ours.
    s.a.port.receive(B, DirectPacket.encode({ groupNumber: s.g, body: { kind: 9, peers: [{ peerNumber: 7, publicKey: A, dhtPublicKey: dhtOf(A), name: new Uint8Array(0) }] } }));
    expect(s.a.conferences.info(s.g).peerNumber).toBe(0);
    expect(s.a.conferences.peers(s.g).filter((p) => p.self).map((p) => p.peerNumber)).toEqual([0]);
    // C still gets through under its own number.
    s.a.port.receive(C, MessagePacket.encode({ groupNumber: s.g, peerNumber: s.c, messageNumber: 1, messageId: 64, data: new TextEncoder().encode('still me') }));
    expect(s.a.events.messages.map((m) => m.text)).toEqual(['still me']);
    expectNoPeerEvents(s, mark);
  });

  it('drops replayed message numbers: repeats, and anything older than the last 8', () => {
    const say = (n: number): Uint8Array => MessagePacket.encode({ groupNumber: s.g, peerNumber: s.c, messageNumber: n, messageId: 64, data: new TextEncoder().encode(`m${n}`) });
    for (let n = 100; n < 110; n++) s.a.port.receive(C, say(n));
    s.a.port.take();
    for (let n = 95; n < 110; n++) s.a.port.receive(B, say(n));
    expect(s.a.events.messages.map((m) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `m${100 + i}`));
    expect(s.a.port.take()).toEqual([]);
    expect(s.a.conferences.counters.droppedFor('duplicate')).toBe(15);
  });

  it('keeps a flood of made-up peers bounded and silent, and forgets them quietly', async () => {
    const mark = s.a.events.all.length;
    const random = new SeededRandom(5);
    for (let i = 0; i < 2000; i++) {
      const fake = random.bytes(32) as LongTermPublicKey;
      s.a.port.receive(B, fromB(s, 16, NewPeerMessage.encode({ peerNumber: 2000 + i, publicKey: fake, dhtPublicKey: dhtOf(fake) })));
    }
    expect(s.a.conferences.counters.droppedFor('peerCap')).toBeGreaterThanOrEqual(2000 - MAX_PEERS);
    expect(s.a.conferences.peers(s.g)).toHaveLength(3);
    expect(s.a.conferences.connections(s.g).length).toBeLessThanOrEqual(16);
    // B and C stay alive; the made-up peers never speak and freeze without anyone noticing.
    for (let t = 0; t < 7; t++) {
      await s.a.scheduler.advance(10_000);
      s.a.port.receive(B, fromB(s, 0, new Uint8Array(0)));
      s.a.port.receive(C, MessagePacket.encode({ groupNumber: s.g, peerNumber: s.c, messageNumber: t + 1, messageId: 0, data: new Uint8Array(0) }));
    }
    expect(s.a.conferences.frozenPeers(s.g).length).toBeLessThanOrEqual(MAX_FROZEN_DEFAULT);
    expect(s.a.conferences.frozenPeers(s.g).length).toBeGreaterThan(0);
    expect(s.a.conferences.peers(s.g)).toHaveLength(3);
    expectNoPeerEvents(s, mark);
    expect(s.a.conferences.counters.droppedFor('internalError')).toBe(0);
  });
});
