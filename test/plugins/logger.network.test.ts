/** The logger plugin on a simulated network: real friend and conference messages end up as JSON lines. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestNetwork, type TestNetwork } from '../../src/runtime/sdk/index.js';
import autoAccept from '../../plugins/auto-accept/index.js';
import logger from '../../plugins/logger/index.js';

let net: TestNetwork | undefined;
let dir: string | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('logger plugin on a test network', () => {
  it('records a friend message and a conference message from real peers, flushed on stop', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tocsin-logger-net-'));
    net = await createTestNetwork({ plugins: [{ plugin: logger, options: { path: 'events.jsonl' } }, autoAccept], seed: 61, dataDir: dir });
    const alice = await net.peer('alice');
    await alice.addFriend(net.bot);
    alice.send(net.bot, 'hi logger');
    await net.bot.next('friend.message');
    const room = alice.createConference('log room');
    await alice.invite(net.bot, room);
    alice.sendConference(room, 'for the record');
    await net.bot.next('conference.message', { where: (e) => !e.peer.isSelf });
    await net.stop();
    net = undefined;
    const lines = (await readFile(join(dir, 'events.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const friendMessage = lines.find((l) => l.kind === 'friend.message');
    expect(friendMessage).toMatchObject({ text: 'hi logger', friend: { publicKey: alice.publicKey } });
    expect(lines.find((l) => l.kind === 'conference.message' && l.text === 'for the record')).toMatchObject({ peer: { publicKey: alice.publicKey } });
    expect(lines.find((l) => l.kind === 'conference.invite')).toMatchObject({ cookie: { bytes: expect.any(Number) } });
  });
});
