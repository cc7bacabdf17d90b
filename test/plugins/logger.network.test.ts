/** The logger plugin on a simulated network: events from real peers end up as JSON lines in its file. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestNetwork, type TestNetwork } from '../../src/runtime/sdk/testing.js';
import autoAccept from '../../plugins/auto-accept/index.js';
import logger from '../../plugins/logger/index.js';

interface Line {
  kind: string;
  unix: number;
  ms: number;
  [field: string]: unknown;
}

let net: TestNetwork | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

const readLines = async (file: string): Promise<Line[]> =>
  (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);

describe('logger plugin on a test network', () => {
  it('writes a friend message and a conference message from real peers as JSON lines', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tocsin-logger-net-'));
    net = await createTestNetwork({
      plugins: [{ plugin: logger, options: { path: 'logs/events.jsonl', include: ['friend.message', 'conference.*'], exclude: ['conference.peer.*', 'conference.title'] } }, autoAccept],
      dataDir,
      seed: 31,
    });
    const alice = await net.peer('alice');
    await alice.addFriend(net.bot, 'hello bot');
    alice.send(net.bot, 'hello, logger');
    await net.bot.next('friend.message');
    const room = alice.createConference('log room');
    await alice.invite(net.bot, room);
    alice.sendConference(room, 'for the record');
    await net.bot.next('conference.message', { where: (e) => !e.peer.isSelf });
    const startedAt = net.scheduler.unixSeconds();
    await net.stop(); // flushes the file

    const lines = await readLines(join(dataDir, 'logs/events.jsonl'));
    const friendLines = lines.filter((l) => l.kind === 'friend.message');
    expect(friendLines).toHaveLength(1);
    expect(friendLines[0]).toMatchObject({ text: 'hello, logger', friend: { publicKey: alice.publicKey, name: 'alice' } });
    const said = lines.filter((l) => l.kind === 'conference.message' && (l['peer'] as { isSelf: boolean }).isSelf === false);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({ text: 'for the record', conference: { id: room.id }, peer: { publicKey: alice.publicKey, name: 'alice' } });
    // The invite went in too, its cookie summarised by length; excluded kinds did not.
    const invite = lines.find((l) => l.kind === 'conference.invite');
    expect(invite).toMatchObject({ conferenceId: room.id, friend: { publicKey: alice.publicKey } });
    expect(invite!['cookie']).toEqual({ bytes: expect.any(Number) });
    expect(lines.some((l) => l.kind.startsWith('conference.peer.') || l.kind === 'conference.title' || l.kind.startsWith('friend.') && l.kind !== 'friend.message')).toBe(false);
    // Lines are in order of the bot's clock and stamped with the virtual wall clock.
    expect(lines.map((l) => l.ms)).toEqual([...lines.map((l) => l.ms)].sort((a, b) => a - b));
    for (const l of lines) expect(Math.abs(l.unix - startedAt)).toBeLessThan(120);
    expect(net.bot.errors).toEqual([]);
  });
});
