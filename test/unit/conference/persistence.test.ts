// Conferences in the profile (§8.9): what a snapshot holds (message numbers ahead by 65536 / 8192,
// every peer but ourselves, last-active in unix seconds), that it is the storage layer's
// SavedConference field for field (through the real savedata codec, little endian), and that a
// restored conference has every peer frozen, resumes its numbers and rejoins friends already online.
import { describe, expect, it } from 'vitest';
import { toHex, utf8Decode } from '../../../src/base/index.js';
import { InvitePacket, MessagePacket, OnlinePacket, type ConferenceSnapshot } from '../../../src/conference/index.js';
import { storageCodecs, type SavedConference } from '../../../src/storage/index.js';
import { engine, key } from './helpers.js';

const A = key(0x80);
const B = key(0x40);
const C = key(0x90);

function joinedConference() {
  const a = engine(A);
  const g = a.conferences.create();
  const id = a.conferences.info(g).id;
  for (const [i, p] of [B, C].entries()) {
    a.port.befriend(p);
    a.port.setOnline(p, true);
    a.port.receiveInvite(p, InvitePacket.encode({ kind: 1, joinerGroupNumber: i, inviterGroupNumber: g, type: 0, id }));
  }
  a.conferences.setTitle(g, 'saved title');
  return { a, g, id };
}

describe('conference snapshots', () => {
  it('hold the conference, our numbers ahead of use, and every other peer', async () => {
    const { a, g, id } = joinedConference();
    await a.scheduler.advance(5_000);
    a.conferences.sendMessage(g, 'one');
    const [snapshot] = a.conferences.snapshot();
    // Two new peer announcements, the title, a ping, the message: number 5.
    expect(snapshot!.messageNumber).toBe(5 + 65536);
    expect(snapshot!.lossyMessageNumber).toBe(8192);
    expect([snapshot!.type, toHex(snapshot!.id), snapshot!.ourPeerNumber, utf8Decode(snapshot!.title)]).toEqual(['text', toHex(id), 0, 'saved title']);
    expect(snapshot!.peers.map((p) => toHex(p.publicKey)).sort()).toEqual([toHex(B), toHex(C)].sort());
    // Last heard 5 s ago (the accepts), in unix seconds.
    expect(snapshot!.peers.map((p) => p.lastActive)).toEqual([a.scheduler.unixSeconds() - 5, a.scheduler.unixSeconds() - 5]);
  });

  it('leave out conferences still joining', () => {
    const b = engine(B);
    b.port.befriend(A);
    b.port.setOnline(A, true);
    b.conferences.join(A, InvitePacket.encode({ kind: 0, inviterGroupNumber: 1, type: 0, id: new Uint8Array(32) }).subarray(2));
    expect(b.conferences.snapshot()).toEqual([]);
  });

  it('are the storage layer\'s SavedConference, byte for byte through the savedata codec', () => {
    const { a } = joinedConference();
    const snapshots = a.conferences.snapshot();
    const asSaved: SavedConference[] = snapshots;
    const codec = storageCodecs.all().find((d) => d.name === 'storage.Conferences')!;
    const bytes = codec.encode(asSaved);
    // [1 type][32 id][u32 LE message number]...: 65536 + 3 little endian.
    expect(toHex(bytes.subarray(33, 37))).toBe('03000100');
    const back = codec.decode(bytes) as SavedConference[];
    const restored: ConferenceSnapshot[] = back;
    const b = engine(A, {}, 2);
    b.conferences.restore(restored);
    expect(b.conferences.snapshot().map((s) => ({ ...s, peers: s.peers.map((p) => ({ ...p, lastActive: 0 })) }))).toEqual(
      snapshots.map((s) => ({ ...s, messageNumber: s.messageNumber + 65536, lossyMessageNumber: s.lossyMessageNumber + 8192, peers: s.peers.map((p) => ({ ...p, lastActive: 0 })) })),
    );
  });
});

describe('restoring conferences', () => {
  it('freezes every peer, puts us back with our DHT key and name, and resumes our numbers', () => {
    const { a } = joinedConference();
    const snapshots = a.conferences.snapshot();
    const b = engine(A, { name: new TextEncoder().encode('renamed') }, 3);
    b.port.befriend(B);
    const [n] = b.conferences.restore(snapshots);
    expect(b.conferences.info(n!)).toMatchObject({ connected: true, peerNumber: 0 });
    expect(utf8Decode(b.conferences.title(n!))).toBe('saved title');
    expect(b.conferences.peers(n!).map((p) => [p.self, utf8Decode(p.name)])).toEqual([[true, 'renamed']]);
    expect(b.conferences.frozenPeers(n!)).toHaveLength(2);
    expect(b.events.all).toEqual([]);
    // Back online with B: our first message continues from the saved number.
    const id = b.conferences.info(n!).id;
    b.port.setOnline(B, true);
    b.port.receive(B, OnlinePacket.encode({ groupNumber: 7, type: 0, id }));
    const sent = b.port.take().filter((s) => s.packet[0] === 99).map((s) => MessagePacket.decode(s.packet));
    expect(sent[0]!.messageNumber).toBe(snapshots[0]!.messageNumber + 1);
  });

  it('rejoins through friends as they come online, and at once through friends already online', () => {
    const { a } = joinedConference();
    const snapshots = a.conferences.snapshot();
    const b = engine(A, {}, 4);
    b.conferences.stop();
    b.port.befriend(B);
    b.port.befriend(C);
    b.port.online.add(toHex(C));
    b.conferences.restore(snapshots);
    b.conferences.start();
    const id = toHex(snapshots[0]!.id);
    expect(b.port.take().map((s) => [s.to, toHex(s.packet)])).toEqual([[toHex(C), `6400${id}`]]);
    b.port.setOnline(B, true);
    expect(b.port.take().map((s) => [s.to, toHex(s.packet).slice(0, 4)])).toEqual([[toHex(B), '6400'], [toHex(B), '6100']]);
    expect(b.conferences.connections(0).map((c) => c.reasons)).toEqual([['introducer'], ['introducer']]);
    expect(() => b.conferences.restore(snapshots)).toThrow(expect.objectContaining({ code: 'ALREADY_JOINED' }));
  });
});
