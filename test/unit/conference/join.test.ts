// Joining at the packet level against a scripted port (group.c §8.5): the invite and its answers,
// the joiner's peer query and how the peer list makes it connected, the inviter's new peer
// announcement and peer list, the member answer, ONLINE acceptance, rejoin, peer introduced and
// title responses.
import { beforeEach, describe, expect, it } from 'vitest';
import { toHex, utf8Decode } from '../../../src/base/index.js';
import {
  DirectPacket,
  InvitePacket,
  MessagePacket,
  NewPeerMessage,
  OnlinePacket,
  RejoinPacket,
  ConferenceError,
  type DirectBody,
} from '../../../src/conference/index.js';
import { dhtOf, engine, hex, key, type Engine } from './helpers.js';

const te = new TextEncoder();
const A = key(0x80);
const B = key(0x40);
const C = key(0x90);
const groupId = new Uint8Array(32).fill(7);

function direct(groupNumber: number, body: DirectBody): Uint8Array {
  return DirectPacket.encode({ groupNumber, body });
}

function decodeSent(e: Engine) {
  return e.port.take().map((s) => ({ to: s.to, kind: s.kind, id: s.packet[0], packet: s.packet }));
}

describe('the joiner', () => {
  let b: Engine;
  beforeEach(() => {
    b = engine(B);
    b.port.befriend(A);
    b.port.setOnline(A, true);
  });

  it('surfaces an invite with its 35-byte cookie, answers it with an accept and a peer query, and waits', () => {
    b.port.receiveInvite(A, InvitePacket.encode({ kind: 0, inviterGroupNumber: 5, type: 0, id: groupId }));
    expect(b.events.invites).toHaveLength(1);
    const invite = b.events.invites[0]!;
    expect([toHex(invite.friend), invite.type, hex(invite.cookie)]).toEqual([toHex(A), 'text', `000500${toHex(groupId)}`]);
    const n = b.conferences.join(A, invite.cookie);
    const sent = decodeSent(b);
    expect(sent.map((s) => [s.kind, hex(s.packet)])).toEqual([
      ['invite', `60010000000500${toHex(groupId)}`],
      ['lossless', '62000508'],
    ]);
    expect(b.conferences.info(n).connected).toBe(false);
    expect(b.conferences.peers(n)).toEqual([]);
    expect(() => b.conferences.sendMessage(n, 'too early')).toThrow(expect.objectContaining({ code: 'NO_CONNECTION' }));
    expect(b.port.holds.get(toHex(A))).toBe(1);
    expect(b.conferences.connections(n)).toEqual([{ publicKey: A, online: true, reasons: ['introducer'], groupNumber: 5 }]);
  });

  it('becomes connected when the peer list names it, adopts its peer number, and then says its name', async () => {
    b.port.receiveInvite(A, InvitePacket.encode({ kind: 0, inviterGroupNumber: 5, type: 0, id: groupId }));
    const n = b.conferences.join(A, b.events.invites[0]!.cookie);
    b.port.take();
    b.port.receive(A, direct(n, { kind: 9, peers: [
      { peerNumber: 0, publicKey: A, dhtPublicKey: dhtOf(A), name: te.encode('alice') },
      { peerNumber: 777, publicKey: B, dhtPublicKey: dhtOf(B), name: new Uint8Array(0) },
    ] }));
    b.port.receive(A, direct(n, { kind: 10, title: te.encode('topic') }));
    expect(b.events.connected).toEqual([{ conference: n }]);
    expect(b.conferences.info(n)).toMatchObject({ connected: true, peerNumber: 777 });
    expect(b.conferences.peers(n).map((p) => [p.peerNumber, utf8Decode(p.name), p.self])).toEqual([
      // Our own entry as the introducer listed it; our name goes out at the end of this step.
      [777, '', true],
      [0, 'alice', false],
    ]);
    expect(b.events.joins.map((j) => utf8Decode(j.peer.name))).toEqual(['alice']);
    expect(b.events.titles.map((t) => [utf8Decode(t.title), t.by])).toEqual([['topic', undefined]]);
    await b.scheduler.advance(50);
    const sent = decodeSent(b).map((s) => MessagePacket.decode(s.packet));
    // The name right after joining, then the tick's ping (message numbers 1 and 2, from peer 777, to A's group 5).
    expect(sent.map((m) => [m.groupNumber, m.peerNumber, m.messageNumber, m.messageId, utf8Decode(m.data)])).toEqual([
      [5, 777, 1, 48, 'me'],
      [5, 777, 2, 0, ''],
    ]);
  });

  it('refuses bad cookies, non-friends, and a conference it is already in', () => {
    const invite = InvitePacket.encode({ kind: 0, inviterGroupNumber: 5, type: 0, id: groupId }).subarray(2);
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
        return undefined;
      } catch (err) {
        return err instanceof ConferenceError ? err.code : String(err);
      }
    };
    expect(code(() => b.conferences.join(A, invite.subarray(1)))).toBe('INVALID_COOKIE');
    const av = invite.slice();
    av[2] = 1;
    expect(code(() => b.conferences.join(A, av, 'text'))).toBe('WRONG_TYPE');
    av[2] = 9;
    expect(code(() => b.conferences.join(A, av))).toBe('WRONG_TYPE');
    expect(code(() => b.conferences.join(C, invite))).toBe('FRIEND_NOT_FOUND');
    b.port.befriend(C);
    expect(code(() => b.conferences.join(C, invite))).toBe('FRIEND_NOT_ONLINE');
    expect(b.conferences.list()).toEqual([]);
    b.conferences.join(A, invite);
    expect(code(() => b.conferences.join(A, invite))).toBe('ALREADY_JOINED');
  });
});

describe('the inviter', () => {
  let a: Engine;
  let g: number;
  let id: Uint8Array;
  beforeEach(() => {
    a = engine(A);
    a.port.befriend(B);
    a.port.setOnline(B, true);
    g = a.conferences.create();
    id = a.conferences.info(g).id;
  });

  it('sends the invite as [96][0][u16 group][type][id], to online friends only', () => {
    a.conferences.invite(g, B);
    expect(decodeSent(a).map((s) => [s.kind, hex(s.packet)])).toEqual([['invite', `6000000000${toHex(id)}`]]);
    expect(() => a.conferences.invite(g, C)).toThrow(expect.objectContaining({ code: 'FRIEND_NOT_FOUND' }));
    a.port.befriend(C);
    expect(() => a.conferences.invite(g, C)).toThrow(expect.objectContaining({ code: 'FRIEND_NOT_ONLINE' }));
    expect(() => a.conferences.invite(g + 1, B)).toThrow(expect.objectContaining({ code: 'CONFERENCE_NOT_FOUND' }));
  });

  it('takes an accept: a random peer number, an introducing connection, a new peer announcement, then its peer list', () => {
    a.conferences.setTitle(g, 'topic');
    a.port.receiveInvite(B, InvitePacket.encode({ kind: 1, joinerGroupNumber: 3, inviterGroupNumber: g, type: 0, id }));
    const [announce] = decodeSent(a);
    const m = MessagePacket.decode(announce!.packet);
    expect([announce!.to, m.groupNumber, m.peerNumber, m.messageNumber, m.messageId]).toEqual([toHex(B), 3, 0, 1, 16]);
    const newPeer = NewPeerMessage.decode(m.data);
    expect([toHex(newPeer.publicKey), toHex(newPeer.dhtPublicKey)]).toEqual([toHex(B), toHex(dhtOf(B))]);
    // B is also one of our closest peers now (the ring is updated at the end of the step).
    expect(a.conferences.connections(g)).toEqual([{ publicKey: B, online: true, reasons: ['closest', 'introducing'], groupNumber: 3 }]);
    expect(a.conferences.peers(g).map((p) => p.peerNumber)).toEqual([0, newPeer.peerNumber]);

    a.port.receive(B, direct(g, { kind: 8 }));
    const replies = decodeSent(a).map((s) => DirectPacket.decode(s.packet));
    expect(replies.map((r) => [r.groupNumber, r.body.kind])).toEqual([
      [3, 9],
      [3, 10],
    ]);
    const listed = replies[0]!.body.kind === 9 ? replies[0]!.body.peers : [];
    expect(listed.map((p) => [p.peerNumber, toHex(p.publicKey), utf8Decode(p.name)])).toEqual([
      [0, toHex(A), 'me'],
      [newPeer.peerNumber, toHex(B), ''],
    ]);
  });

  it('ignores an answer naming another conference', () => {
    a.port.receiveInvite(B, InvitePacket.encode({ kind: 1, joinerGroupNumber: 3, inviterGroupNumber: g, type: 0, id: groupId }));
    a.port.receiveInvite(B, InvitePacket.encode({ kind: 1, joinerGroupNumber: 3, inviterGroupNumber: g + 1, type: 0, id }));
    expect(a.port.take()).toEqual([]);
    expect(a.conferences.counters.droppedFor('badInviteAnswer')).toBe(2);
  });

  it('answers an invite to a conference it is in as a member, and takes a member answer with its peer number', () => {
    a.port.receiveInvite(B, InvitePacket.encode({ kind: 0, inviterGroupNumber: 9, type: 0, id }));
    expect(a.events.invites).toEqual([]);
    expect(decodeSent(a).map((s) => hex(s.packet))).toEqual([`60020000000900${toHex(id)}0000`, '62000908']);
    expect(a.conferences.connections(g)[0]!.reasons).toEqual(['introducing', 'introducer']);

    const other = engine(C);
    other.port.befriend(B);
    other.port.setOnline(B, true);
    const h = other.conferences.create();
    const hid = other.conferences.info(h).id;
    other.port.receiveInvite(B, InvitePacket.encode({ kind: 2, joinerGroupNumber: 4, inviterGroupNumber: h, type: 0, id: hid, peerNumber: 4242 }));
    const sent = decodeSent(other);
    expect(hex(sent[0]!.packet)).toBe('62000408');
    expect(NewPeerMessage.decode(MessagePacket.decode(sent[1]!.packet).data).peerNumber).toBe(4242);
    expect(other.conferences.peers(h).map((p) => p.peerNumber)).toEqual([0, 4242]);
  });
});

describe('ONLINE, rejoin, peer introduced and titles', () => {
  let a: Engine;
  let g: number;
  let id: Uint8Array;
  let bNumber: number;
  beforeEach(async () => {
    a = engine(A);
    a.port.befriend(B);
    a.port.setOnline(B, true);
    g = a.conferences.create();
    id = a.conferences.info(g).id;
    a.port.receiveInvite(B, InvitePacket.encode({ kind: 1, joinerGroupNumber: 3, inviterGroupNumber: g, type: 0, id }));
    bNumber = a.conferences.peers(g)[1]!.peerNumber;
    // B introduces C to everyone.
    a.port.receive(B, MessagePacket.encode({ groupNumber: g, peerNumber: bNumber, messageNumber: 1, messageId: 16, data: NewPeerMessage.encode({ peerNumber: 55, publicKey: C, dhtPublicKey: dhtOf(C) }) }));
    await a.scheduler.advance(50);
    a.port.take();
  });

  it('connects to a new closest peer and exchanges ONLINE only over an existing, not yet online entry', () => {
    expect(a.port.holds.get(toHex(C))).toBe(1);
    expect(a.conferences.connections(g).find((c) => toHex(c.publicKey) === toHex(C))).toMatchObject({ online: false, reasons: ['closest'] });
    a.port.setOnline(C, true);
    expect(decodeSent(a).map((s) => hex(s.packet))).toEqual([`61000000${toHex(id)}`]);
    a.port.receive(C, OnlinePacket.encode({ groupNumber: 12, type: 0, id }));
    // Not our first online connection and C is no introducer: no query, just our ONLINE back.
    expect(decodeSent(a).map((s) => hex(s.packet))).toEqual([`61000000${toHex(id)}`]);
    expect(a.conferences.connections(g).find((c) => toHex(c.publicKey) === toHex(C))).toMatchObject({ online: true, groupNumber: 12 });
    a.port.receive(C, OnlinePacket.encode({ groupNumber: 12, type: 0, id }));
    expect(a.conferences.counters.droppedFor('alreadyOnline')).toBe(1);
    const D = key(0x10);
    a.port.setOnline(D, true);
    a.port.receive(D, OnlinePacket.encode({ groupNumber: 1, type: 0, id }));
    expect(a.conferences.counters.droppedFor('notAConnection')).toBe(1);
    expect(a.port.take()).toEqual([]);
  });

  it('takes a rejoin from a frozen peer back with an introducing connection and an ONLINE', async () => {
    await a.scheduler.advance(61_000);
    expect(a.conferences.frozenPeers(g).map((p) => p.peerNumber).sort()).toEqual([55, bNumber].sort());
    a.port.take();
    a.port.setOnline(C, true);
    a.port.receive(C, RejoinPacket.encode({ type: 0, id }));
    // The answer to the rejoin, then the ONLINE of the closest connection C gets back (c-toxcore's next connect_to_closest sends it too).
    expect(decodeSent(a).map((s) => hex(s.packet))).toEqual([`61000000${toHex(id)}`, `61000000${toHex(id)}`]);
    expect(a.conferences.frozenPeers(g).map((p) => p.peerNumber)).toEqual([bNumber]);
    expect(a.conferences.connections(g).find((c) => toHex(c.publicKey) === toHex(C))!.reasons).toContain('introducing');
    a.port.setOnline(key(0x11), true);
    a.port.receive(key(0x11), RejoinPacket.encode({ type: 0, id }));
    expect(a.conferences.counters.droppedFor('unknownRejoin')).toBe(1);
  });

  it('drops the introducing reason on peer introduced, releasing a connection kept for nothing else', () => {
    expect(a.conferences.connections(g).find((c) => toHex(c.publicKey) === toHex(B))!.reasons).toEqual(['closest', 'introducing']);
    a.port.receive(B, direct(g, { kind: 1 }));
    expect(a.conferences.connections(g).find((c) => toHex(c.publicKey) === toHex(B))!.reasons).toEqual(['closest']);
  });

  it('applies a title response only while its title is not fresh, and title messages always', () => {
    a.port.receive(B, direct(g, { kind: 10, title: te.encode('first') }));
    a.port.receive(B, direct(g, { kind: 10, title: te.encode('second') }));
    expect(utf8Decode(a.conferences.title(g))).toBe('first');
    a.port.receive(B, MessagePacket.encode({ groupNumber: g, peerNumber: bNumber, messageNumber: 2, messageId: 49, data: te.encode('third') }));
    expect(a.events.titles.map((t) => [utf8Decode(t.title), t.by?.peerNumber])).toEqual([
      ['first', undefined],
      ['third', bNumber],
    ]);
  });
});
