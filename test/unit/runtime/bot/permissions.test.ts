/** Roles keyed by public key: config validation, resolution order, runtime changes, requireRole. */
import { describe, expect, it } from 'vitest';
import { Composer, Permissions, hasRole, permissionsSchema, requireRole, run, testPublicKey, type BotContext } from '../../../../src/runtime/bot/index.js';
import { conferenceId, publicKeyHex } from '../../../../src/runtime/events.js';
import { formatToxId } from '../../../../src/crypto/index.js';
import { conferenceMessage, fixture, friendMessage } from './helpers.js';

const OWNER = testPublicKey(1);
const ADMIN = testPublicKey(2);
const USER = testPublicKey(3);
const BANNED = testPublicKey(4);
const OTHER = testPublicKey(5);
const ROOM = conferenceId(testPublicKey(99));

describe('Permissions', () => {
  it('orders roles', () => {
    expect(hasRole('owner', 'admin')).toBe(true);
    expect(hasRole('user', 'admin')).toBe(false);
    expect(hasRole('banned', 'user')).toBe(false);
  });

  it('resolves owner > global banned > conference entry > global entry > default', () => {
    const p = Permissions.fromConfig({
      owner: [OWNER],
      admin: [ADMIN],
      banned: [BANNED],
      conferences: { [ROOM.toLowerCase()]: { banned: [ADMIN, OWNER], admin: [USER, BANNED] } },
    });
    expect(p.roleOf(OWNER)).toBe('owner');
    expect(p.roleOf(OWNER, ROOM)).toBe('owner');
    expect(p.roleOf(ADMIN)).toBe('admin');
    expect(p.roleOf(ADMIN, ROOM)).toBe('banned');
    expect(p.roleOf(USER, ROOM)).toBe('admin');
    expect(p.roleOf(BANNED, ROOM)).toBe('banned');
    expect(p.roleOf(OTHER)).toBe('user');
    expect(p.roleOf(undefined)).toBe('user');
  });

  it('supports allow-list bots through the default role', () => {
    const p = Permissions.fromConfig({ default: 'banned', user: [USER] });
    expect(p.roleOf(USER)).toBe('user');
    expect(p.roleOf(OTHER)).toBe('banned');
  });

  it('accepts lower-case keys and whole Tox IDs', () => {
    const key = testPublicKey(0x4242);
    const bytes = Uint8Array.from(Buffer.from(key, 'hex'));
    const toxId = formatToxId({ publicKey: bytes as never, nospam: new Uint8Array([1, 2, 3, 4]) });
    const p = Permissions.fromConfig({ admin: [toxId], banned: [OTHER.toLowerCase()] });
    expect(p.roleOf(publicKeyHex(bytes))).toBe('admin');
    expect(p.roleOf(OTHER)).toBe('banned');
  });

  it('reports bad config with paths', () => {
    expect(() => Permissions.fromConfig({ admin: ['nope'] })).toThrow(/permissions\.admin\.0: a public key must be 64 hexadecimal characters/);
    expect(() => Permissions.fromConfig({ admin: [USER], banned: [USER] })).toThrow(/permissions\.admin\.0: .* is already listed as banned/);
    expect(() => Permissions.fromConfig({ conferences: { xyz: {} } })).toThrow(/permissions\.conferences\.xyz: a conference id is 64 hexadecimal characters/);
    expect(() => Permissions.fromConfig({ admins: [] } as never)).toThrow(/Unrecognized key/);
    expect(permissionsSchema.safeParse({}).success).toBe(true);
  });

  it('changes at runtime, globally or per conference', () => {
    const p = new Permissions();
    p.set(USER, 'admin', { conference: ROOM });
    expect(p.roleOf(USER, ROOM)).toBe('admin');
    expect(p.roleOf(USER)).toBe('user');
    p.set(USER, 'banned');
    expect(p.roleOf(USER, ROOM)).toBe('banned');
    p.clear(USER);
    expect(p.roleOf(USER, ROOM)).toBe('admin');
    p.clear(USER, { conference: ROOM });
    expect(p.roleOf(USER, ROOM)).toBe('user');
    expect(() => p.set(USER, 'owner', { conference: ROOM })).toThrow(/owners are global/);
    p.set(OWNER, 'owner');
    expect([...p.listed()]).toEqual([[OWNER, 'owner']]);
  });
});

describe('requireRole', () => {
  it('lets the role through and drops (or answers) the others', async () => {
    const f = fixture();
    f.permissions.set(f.alice.publicKey, 'admin');
    const seen: string[] = [];
    const bot = new Composer<BotContext>();
    bot.use(requireRole('admin', { deny: 'reply' }), (ctx) => void seen.push(ctx.text ?? ''));
    await run(bot, f.ctx(friendMessage(f.alice, 'from admin')));
    await run(bot, f.ctx(conferenceMessage(f.room, f.bob, 'from user')));
    await f.scheduler.advance(0);
    expect(seen).toEqual(['from admin']);
    expect(f.node.sentTo(f.room)).toEqual(['Sorry, this needs the admin role.']);
    const silent = new Composer<BotContext>(requireRole('owner'), () => void seen.push('owner only'));
    await run(silent, f.ctx(friendMessage(f.alice, 'x')));
    await f.scheduler.advance(0);
    expect(f.node.sentTo(f.alice)).toEqual([]);
  });

  it('computes ctx.role in the event conference', () => {
    const f = fixture();
    f.permissions.set(f.bob.publicKey, 'admin', { conference: f.room.id });
    expect(f.ctx(conferenceMessage(f.room, f.bob, 'x')).role).toBe('admin');
    expect(f.ctx({ kind: 'self.connection', status: 'udp' }).role).toBe('user');
    expect(f.ctx({ kind: 'friend.request', publicKey: f.bob.publicKey, message: 'hi' }).role).toBe('user');
  });
});
