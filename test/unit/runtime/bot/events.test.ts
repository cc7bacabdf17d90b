/** Event vocabulary: key normalisation, the bus, kind queries, and the context shortcuts. */
import { describe, expect, it } from 'vitest';
import { BOT_EVENT_KINDS, BotEventBus, conferenceId, publicKeyHex, type BotEvent } from '../../../../src/runtime/events.js';
import { MemoryBotNode, kindsOf } from '../../../../src/runtime/bot/index.js';
import { fixture } from './helpers.js';

describe('keys', () => {
  it('normalises keys to upper-case hex and rejects anything else', () => {
    const lower = 'ab'.repeat(32);
    expect(publicKeyHex(lower)).toBe(lower.toUpperCase());
    expect(publicKeyHex(new Uint8Array(32).fill(0xab))).toBe(lower.toUpperCase());
    expect(conferenceId(new Uint8Array(32))).toBe('0'.repeat(64));
    expect(() => publicKeyHex('xyz')).toThrow(/64 hexadecimal/);
    expect(() => publicKeyHex(new Uint8Array(31))).toThrow(/32 bytes/);
    expect(() => publicKeyHex(`${'0'.repeat(74)}01`)).toThrow(/checksum/);
    const self = new MemoryBotNode().self();
    expect(publicKeyHex(self.toxId)).toBe(self.publicKey);
  });
});

describe('BotEventBus', () => {
  it('emits on the kind and on *', () => {
    const bus = new BotEventBus();
    const got: string[] = [];
    bus.on('friend.offline', (e) => void got.push(`kind:${e.friend.name}`));
    bus.on('*', (e) => void got.push(`all:${e.kind}`));
    const f = fixture();
    bus.publish({ kind: 'friend.offline', friend: f.alice });
    bus.publish({ kind: 'self.connection', status: 'none' });
    expect(got).toEqual(['kind:alice', 'all:friend.offline', 'all:self.connection']);
  });
});

describe('kind queries', () => {
  it('expand prefixes and lists', () => {
    expect([...kindsOf('conference.peer.*')]).toEqual(['conference.peer.join', 'conference.peer.leave', 'conference.peer.rename']);
    expect([...kindsOf(['friend.file.*', 'runtime.error'])]).toEqual(['friend.file.offer', 'friend.file.chunk', 'friend.file.progress', 'friend.file.done', 'runtime.error']);
    expect(kindsOf('*').size).toBe(BOT_EVENT_KINDS.length);
    expect(() => kindsOf([])).toThrow(/at least one/);
  });
});

describe('BotContext shortcuts', () => {
  it('expose text, friend, conference, peer, sender and the reply target', async () => {
    const f = fixture();
    const events: BotEvent[] = [
      { kind: 'friend.message', friend: f.alice, text: 'hi' },
      { kind: 'conference.action', conference: f.room, peer: f.bob, text: 'waves' },
      { kind: 'conference.title', conference: f.room, title: 't', peer: undefined },
      { kind: 'friend.request', publicKey: f.bob.publicKey, message: 'add me' },
      { kind: 'conference.invite', friend: f.alice, conferenceId: f.room.id, conferenceType: 'text', cookie: new Uint8Array(0) },
    ];
    const view = events.map((e) => {
      const ctx = f.ctx(e);
      return [ctx.text, ctx.friend?.name, ctx.conference?.number, ctx.peer?.name, ctx.sender, ctx.replyTarget?.type];
    });
    expect(view).toEqual([
      ['hi', 'alice', undefined, undefined, f.alice.publicKey, 'friend'],
      ['waves', undefined, 0, 'bob', f.bob.publicKey, 'conference'],
      [undefined, undefined, 0, undefined, undefined, 'conference'],
      [undefined, undefined, undefined, undefined, f.bob.publicKey, undefined],
      [undefined, 'alice', undefined, undefined, f.alice.publicKey, 'friend'],
    ]);
    const request = f.ctx(events[3]!);
    expect(request.canReply).toBe(false);
    await expect(request.reply('x')).rejects.toMatchObject({ code: 'NO_REPLY_TARGET' });
    const action = f.ctx(events[0]!);
    await action.replyAction('nods');
    expect(f.node.sent).toEqual([{ to: { type: 'friend', publicKey: f.alice.publicKey }, text: 'nods', type: 'action' }]);
  });
});
