// The manager's API and cadence against a scripted port: start/stop and timers, pings every 20 s,
// freezing after 60 s of silence and when every connection is gone, our name, leaving, title and
// message errors, and events that listeners may answer from.
import { beforeEach, describe, expect, it } from 'vitest';
import { toHex, utf8Decode } from '../../../src/base/index.js';
import { InvitePacket, LeavingPeerMessage, MessagePacket, MESSAGE_KILL_PEER, MESSAGE_NAME, MESSAGE_PING } from '../../../src/conference/index.js';
import { engine, key, type Engine } from './helpers.js';

const A = key(0x80);
const B = key(0x40);
const C = key(0x90);

/** A with a conference that B and C joined (accepts), both online. */
function withPeers(): { a: Engine; g: number } {
  const a = engine(A);
  const g = a.conferences.create();
  const id = a.conferences.info(g).id;
  [B, C].forEach((p, i) => {
    a.port.befriend(p);
    a.port.setOnline(p, true);
    a.port.receiveInvite(p, InvitePacket.encode({ kind: 1, joinerGroupNumber: i, inviterGroupNumber: g, type: 0, id }));
  });
  a.port.take();
  return { a, g };
}

function sentMessages(a: Engine, to = B) {
  return a.port
    .take()
    .filter((s) => s.to === toHex(to) && s.packet[0] === 99)
    .map((s) => MessagePacket.decode(s.packet));
}

describe('Conferences', () => {
  it('leaves no timer behind when stopped, and says goodbye with a freeze peer message', () => {
    const { a, g } = withPeers();
    expect(a.scheduler.pending()).toBe(1);
    a.conferences.stop();
    expect(a.scheduler.pending()).toBe(0);
    const bye = sentMessages(a);
    expect(bye.map((m) => [m.messageId, LeavingPeerMessage.decode(m.data).peerNumber])).toEqual([[18, a.conferences.info(g).peerNumber]]);
    expect(a.port.holds.size).toBe(0);
    expect(a.port.listeners).toBeUndefined();
    // What the profile needs is still there.
    expect(a.conferences.snapshot()).toHaveLength(1);
  });

  it('pings every 20 s and freezes a peer silent for 60 s', async () => {
    const { a, g } = withPeers();
    const bNumber = a.conferences.peers(g).find((p) => toHex(p.publicKey) === toHex(B))!.peerNumber;
    // C keeps talking, B does not.
    for (let t = 0; t < 59; t++) {
      await a.scheduler.advance(1000);
      a.port.receive(C, MessagePacket.encode({ groupNumber: g, peerNumber: a.conferences.peers(g).find((p) => toHex(p.publicKey) === toHex(C))!.peerNumber, messageNumber: t + 1, messageId: MESSAGE_PING, data: new Uint8Array(0) }));
    }
    const pings = sentMessages(a).filter((m) => m.messageId === MESSAGE_PING && m.peerNumber === 0);
    // Numbers 1 and 2 announced B and C; then a ping at the first tick and every 20 s.
    expect(pings.map((m) => m.messageNumber)).toEqual([3, 4, 5]);
    expect(a.events.leaves).toEqual([]);
    await a.scheduler.advance(1100);
    expect(a.events.leaves.map((e) => [e.peer.peerNumber, e.reason])).toEqual([[bNumber, 'frozen']]);
    expect(a.conferences.frozenPeers(g).map((p) => p.peerNumber)).toEqual([bNumber]);
  });

  it('freezes everyone when its last connection goes offline', () => {
    const { a, g } = withPeers();
    a.port.setOnline(B, false);
    expect(a.events.leaves).toEqual([]);
    a.port.setOnline(C, false);
    expect(a.events.leaves.map((e) => e.reason)).toEqual(['frozen', 'frozen']);
    expect(a.conferences.peers(g).map((p) => p.self)).toEqual([true]);
  });

  it('sends our new name to every connected conference', () => {
    const { a } = withPeers();
    a.conferences.setName(new TextEncoder().encode('new name'));
    expect(sentMessages(a).map((m) => [m.messageId, utf8Decode(m.data)])).toEqual([[MESSAGE_NAME, 'new name']]);
    expect(() => a.conferences.setName(new Uint8Array(129))).toThrow(expect.objectContaining({ code: 'NAME_TOO_LONG' }));
  });

  it('leaves for good with a kill peer message, and reuses the number', () => {
    const { a, g } = withPeers();
    a.conferences.leave(g);
    expect(sentMessages(a).map((m) => [m.messageId, LeavingPeerMessage.decode(m.data).peerNumber])).toEqual([[MESSAGE_KILL_PEER, 0]]);
    expect(a.port.holds.size).toBe(0);
    expect(a.conferences.list()).toEqual([]);
    expect(() => a.conferences.info(g)).toThrow(expect.objectContaining({ code: 'CONFERENCE_NOT_FOUND' }));
    expect(a.conferences.create()).toBe(g);
  });

  describe('sending', () => {
    let a: Engine;
    let g: number;
    beforeEach(() => {
      ({ a, g } = withPeers());
    });

    it('refuses empty, oversized and unconnected messages with stable codes', () => {
      expect(() => a.conferences.sendMessage(g, '')).toThrow(expect.objectContaining({ code: 'EMPTY_MESSAGE' }));
      expect(() => a.conferences.sendMessage(g, new Uint8Array(1364))).toThrow(expect.objectContaining({ code: 'MESSAGE_TOO_LONG' }));
      a.conferences.sendAction(g, new Uint8Array(1363).fill(0x61));
      const alone = a.conferences.create();
      expect(() => a.conferences.sendMessage(alone, 'anyone?')).toThrow(expect.objectContaining({ code: 'NO_CONNECTION' }));
      a.port.accepting = false;
      expect(() => a.conferences.sendMessage(g, 'queue full')).toThrow(expect.objectContaining({ code: 'SEND_FAILED' }));
    });

    it('sets titles of 1..128 bytes, sending them only when not alone, without an event for our own', () => {
      expect(() => a.conferences.setTitle(g, '')).toThrow(expect.objectContaining({ code: 'TITLE_EMPTY' }));
      expect(() => a.conferences.setTitle(g, 'x'.repeat(129))).toThrow(expect.objectContaining({ code: 'TITLE_TOO_LONG' }));
      a.conferences.setTitle(g, 'topic');
      expect(sentMessages(a).map((m) => [m.messageId, utf8Decode(m.data)])).toEqual([[49, 'topic']]);
      a.conferences.setTitle(g, 'topic');
      expect(a.port.take()).toEqual([]);
      const alone = a.conferences.create();
      a.conferences.setTitle(alone, 'solo');
      expect(a.port.take()).toEqual([]);
      expect(utf8Decode(a.conferences.title(alone))).toBe('solo');
      expect(a.events.titles).toEqual([]);
    });
  });

  it('lets listeners call back into the API, and survives a listener that throws', () => {
    const { a, g } = withPeers();
    const cNumber = a.conferences.peers(g).find((p) => toHex(p.publicKey) === toHex(C))!.peerNumber;
    a.conferences.on('message', (e) => a.conferences.sendMessage(e.conference, `re: ${e.text}`));
    a.conferences.on('message', () => {
      throw new Error('listener bug');
    });
    const say = (n: number, text: string): void =>
      a.port.receive(C, MessagePacket.encode({ groupNumber: g, peerNumber: cNumber, messageNumber: n, messageId: 64, data: new TextEncoder().encode(text) }));
    say(1, 'ping');
    say(2, 'again');
    const out = sentMessages(a).map((m) => utf8Decode(m.data));
    expect(out).toEqual(['ping', 're: ping', 'again', 're: again']);
    expect(a.events.messages.map((e) => e.text)).toEqual(['ping', 'again']);
    expect(a.conferences.counters.droppedFor('internalError')).toBe(0);
  });
});
