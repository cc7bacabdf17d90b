// Relaying at the packet level against a scripted port (group.c §8.6): the echo to an origin heard
// directly, never back to the relaying connection otherwise, dedup, queries for unknown origins,
// kill and freeze, our own echoed messages, and c-toxcore 0.2.18's lossy fan-out.
import { beforeEach, describe, expect, it } from 'vitest';
import { toHex, utf8Decode } from '../../../src/base/index.js';
import { InvitePacket, LeavingPeerMessage, LossyPacket, MessagePacket, type ConferenceType } from '../../../src/conference/index.js';
import type { LongTermPublicKey } from '../../../src/crypto/index.js';
import { engine, key, type Engine } from './helpers.js';

const te = new TextEncoder();
const A = key(0x80);

interface Setup {
  a: Engine;
  g: number;
  number: Map<string, number>;
  groupOf: Map<string, number>;
}

/** A creates a conference and takes accepts from `peers` (friends, online), in that order. */
async function conference(peers: LongTermPublicKey[], type: ConferenceType = 'text'): Promise<Setup> {
  const a = engine(A);
  const g = a.conferences.create(type);
  const id = a.conferences.info(g).id;
  const groupOf = new Map<string, number>();
  peers.forEach((p, i) => {
    a.port.befriend(p);
    a.port.setOnline(p, true);
    groupOf.set(toHex(p), 10 + i);
    a.port.receiveInvite(p, InvitePacket.encode({ kind: 1, joinerGroupNumber: 10 + i, inviterGroupNumber: g, type: type === 'av' ? 1 : 0, id }));
  });
  await a.scheduler.advance(50);
  a.port.take();
  const number = new Map(a.conferences.peers(g).map((p) => [toHex(p.publicKey), p.peerNumber]));
  return { a, g, number, groupOf };
}

function message(s: Setup, origin: LongTermPublicKey | number, messageNumber: number, messageId: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const peerNumber = typeof origin === 'number' ? origin : s.number.get(toHex(origin))!;
  return MessagePacket.encode({ groupNumber: s.g, peerNumber, messageNumber, messageId, data });
}

/** Recipients of the relayed copies, checking that only the group number changed. */
function relayedTo(s: Setup, original: Uint8Array): string[] {
  return s.a.port.take().map((sent) => {
    const m = MessagePacket.decode(sent.packet);
    expect(m.groupNumber).toBe(s.groupOf.get(sent.to));
    expect(toHex(sent.packet.subarray(3))).toBe(toHex(original.subarray(3)));
    return sent.to;
  });
}

const B = key(0x40);
const C = key(0x90);
const D = key(0x70);

describe('relaying group messages', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await conference([B, C, D]);
  });

  it('echoes a message back to its origin when it came straight from it', () => {
    const m = message(s, B, 1, 64, te.encode('hi'));
    s.a.port.receive(B, m);
    expect(relayedTo(s, m).sort()).toEqual([B, C, D].map((k) => toHex(k)).sort());
    expect(s.a.events.messages.map((e) => [utf8Decode(e.bytes), e.text, toHex(e.peer.publicKey), e.peer.peerNumber])).toEqual([['hi', 'hi', toHex(B), s.number.get(toHex(B))]]);
  });

  it('relays to every connection but the relaying one otherwise, once', () => {
    const m = message(s, C, 1, 65, te.encode('waves'));
    s.a.port.receive(B, m);
    expect(relayedTo(s, m).sort()).toEqual([C, D].map((k) => toHex(k)).sort());
    s.a.port.receive(D, m);
    expect(s.a.port.take()).toEqual([]);
    expect(s.a.events.actions.map((e) => e.text)).toEqual(['waves']);
    expect(s.a.conferences.counters.droppedFor('duplicate')).toBe(1);
  });

  it('asks the relaying peer for its peer list when the origin is unknown, at most once a second', async () => {
    for (let i = 1; i <= 3; i++) s.a.port.receive(B, message(s, 31337, i, 64, te.encode('who?')));
    expect(s.a.port.take().map((p) => toHex(p.packet))).toEqual([`6200${(10).toString(16).padStart(2, '0')}08`]);
    expect(s.a.conferences.counters.droppedFor('queryRateLimited')).toBe(2);
    await s.a.scheduler.advance(1000);
    s.a.port.take();
    s.a.port.receive(B, message(s, 31337, 4, 64, te.encode('who?')));
    expect(s.a.port.take()).toHaveLength(1);
    expect(s.a.events.messages).toEqual([]);
  });

  it('honours kill and freeze only from the peer they name', () => {
    const foreign = message(s, B, 1, 17, LeavingPeerMessage.encode({ peerNumber: s.number.get(toHex(C))! }));
    s.a.port.receive(B, foreign);
    expect(s.a.port.take()).toEqual([]);
    expect(s.a.conferences.counters.droppedFor('foreignKill')).toBe(1);

    const kill = message(s, C, 1, 17, LeavingPeerMessage.encode({ peerNumber: s.number.get(toHex(C))! }));
    s.a.port.receive(B, kill);
    // C's own connection went with it.
    expect(relayedTo(s, kill)).toEqual([toHex(D)]);
    expect(s.a.events.leaves.map((e) => [toHex(e.peer.publicKey), e.reason])).toEqual([[toHex(C), 'left']]);

    s.a.port.receive(D, message(s, D, 1, 18, LeavingPeerMessage.encode({ peerNumber: s.number.get(toHex(D))! })));
    expect(s.a.events.leaves.map((e) => e.reason)).toEqual(['left', 'frozen']);
    expect(s.a.conferences.frozenPeers(s.g).map((p) => toHex(p.publicKey))).toEqual([toHex(D)]);
    // Any message from a frozen peer thaws it.
    s.a.port.receive(B, message(s, D, 2, 0));
    expect(s.a.events.joins.filter((e) => toHex(e.peer.publicKey) === toHex(D))).toHaveLength(2);
  });

  it('recognises our own message coming back and never reports it as another peer\'s message', () => {
    s.a.conferences.sendMessage(s.g, 'mine');
    const sent = s.a.port.take();
    expect(sent).toHaveLength(3);
    const echo = sent.find((p) => p.to === toHex(B))!.packet;
    const back = MessagePacket.encode({ ...MessagePacket.decode(echo), groupNumber: s.g });
    s.a.port.receive(B, back);
    expect(s.a.events.messages).toEqual([]);
    expect(s.a.conferences.counters.ownEchoes).toBe(1);
    // c-toxcore relays the echo on like any message it did not get from its origin.
    expect(relayedTo(s, back).sort()).toEqual([C, D].map((k) => toHex(k)).sort());
  });
});

describe('relaying lossy packets (AV)', () => {
  const E = key(0x20);
  const F = key(0xc0);

  it('goes to the non-closest connections, the nearest closest one below us, and slot 0, as 0.2.18 does', async () => {
    // Closest to 0x80: 0x70 and 0x40 below, 0x90 and 0xc0 above; 0x20 is not. Accept order puts F in slot 0.
    const s = await conference([D, C, E, B, F], 'av');
    expect(toHex(s.a.conferences.connections(s.g)[0]!.publicKey)).toBe(toHex(F));
    expect(s.a.conferences.connections(s.g).find((c) => toHex(c.publicKey) === toHex(E))!.reasons).toEqual(['introducing']);
    const lossy = LossyPacket.encode({ groupNumber: s.g, peerNumber: s.number.get(toHex(D))!, lossyNumber: 7, lossyId: 192, data: new Uint8Array([1, 2, 3]) });
    s.a.port.receiveLossy(D, lossy);
    const sent = s.a.port.take();
    expect(sent.every((p) => p.kind === 'lossy' && toHex(p.packet.subarray(3)) === toHex(lossy.subarray(3)))).toBe(true);
    // E (not closest), B (nearest closest below), F (slot 0); never C, the one c-toxcore meant to pick as "largest".
    expect(sent.map((p) => p.to).sort()).toEqual([B, E, F].map((k) => toHex(k)).sort());
    expect(s.a.events.lossy.map((e) => [e.id, [...e.data], toHex(e.peer.publicKey)])).toEqual([[192, [1, 2, 3], toHex(D)]]);
    s.a.port.receiveLossy(C, lossy);
    expect(s.a.port.take()).toEqual([]);
    expect(s.a.events.lossy).toHaveLength(1);
  });

  it('is dropped in a text conference', async () => {
    const s = await conference([B]);
    s.a.port.receiveLossy(B, LossyPacket.encode({ groupNumber: s.g, peerNumber: s.number.get(toHex(B))!, lossyNumber: 1, lossyId: 192, data: new Uint8Array(4) }));
    expect(s.a.conferences.counters.droppedFor('badLossy')).toBe(1);
    expect(() => s.a.conferences.sendLossy(s.g, 192, new Uint8Array(4))).toThrow(expect.objectContaining({ code: 'WRONG_TYPE' }));
  });
});
