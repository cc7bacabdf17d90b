/** The simulated test network: determinism, waits and their errors, scripted peers, plugin failures, clean stop. */
import { access, readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin, isToxError } from '../../../../src/runtime/sdk/index.js';
import { createTestNetwork, type TestNetwork } from '../../../../src/runtime/sdk/testing.js';
import echo from '../../../../plugins/echo/index.js';

const opened: TestNetwork[] = [];
async function open(...args: Parameters<typeof createTestNetwork>): Promise<TestNetwork> {
  const net = await createTestNetwork(...args);
  opened.push(net);
  return net;
}
afterEach(async () => {
  for (const net of opened.splice(0)) await net.stop();
});

/** A peer befriends the bot (the bot accepts by hand: no auto-accept plugin) and gets an echo; returns what a run depends on. */
async function echoRun(seed: number): Promise<{ keys: string[]; onlineAt: number; replyAt: number }> {
  const net = await open({ plugins: [echo], seed });
  const alice = await net.peer('alice');
  alice.requestFriend(net.bot, 'hi');
  const request = await net.bot.next('friend.request');
  net.bot.acceptFriend(alice);
  expect(request.publicKey).toBe(alice.publicKey);
  await alice.waitOnline(net.bot);
  const onlineAt = net.scheduler.now();
  alice.send(net.bot, 'same every time');
  expect((await alice.next('friend.message')).text).toBe('same every time');
  return { keys: [net.bot.publicKey, alice.publicKey], onlineAt, replyAt: net.scheduler.now() };
}

describe('createTestNetwork', () => {
  it('is deterministic for a seed: same keys and the same virtual timings', async () => {
    const a = await echoRun(5);
    const b = await echoRun(5);
    const c = await echoRun(6);
    expect(b).toEqual(a);
    expect(c.keys).not.toEqual(a.keys);
    // Cold start to friends online is onion-paced (seconds of virtual time), not instant and not stuck.
    expect(a.onlineAt).toBeGreaterThan(3_000);
    expect(a.onlineAt).toBeLessThan(30_000);
  });

  it('next() returns past events first, leaves the others, and times out in virtual time with a clear error', async () => {
    const net = await open({ plugins: [], seed: 3, timeoutMs: 20_000 });
    const alice = await net.peer('alice');
    const bob = await net.peer('bob');
    await alice.addFriend(bob);
    alice.send(bob, 'one');
    alice.send(bob, 'two');
    alice.send(bob, 'three');
    expect((await bob.next('friend.message', { where: (e) => e.text === 'two' })).text).toBe('two');
    expect((await bob.next('friend.message')).text).toBe('one');
    expect((await bob.next('friend.message')).text).toBe('three');
    const before = net.scheduler.now();
    const err = await bob.next('friend.message').catch((e: unknown) => e);
    expect(isToxError(err, 'TIMEOUT')).toBe(true);
    expect((err as Error).message).toBe('timed out after 20000 ms of virtual time waiting for bob to see a friend.message event');
    expect(net.scheduler.now() - before).toBeGreaterThanOrEqual(20_000);
    expect(bob.seen('friend.message').map((e) => e.text)).toEqual(['one', 'two', 'three']);
  });

  it('lets scripted peers befriend each other and meet in a conference with a title', async () => {
    const net = await open({ plugins: [], seed: 4 });
    const alice = await net.peer('alice');
    const bob = await net.peer('bob');
    const carol = await net.peer('carol');
    await alice.addFriend(bob);
    await alice.addFriend(carol);
    const room = alice.createConference('plans');
    await alice.invite(bob, room);
    await alice.invite(carol, room);
    expect((await bob.next('conference.connected')).conference.id).toBe(room.id);
    await net.until('carol and bob to see each other', () => carol.peersIn(room).length === 3 && bob.peersIn(room).length === 3);
    carol.setTitle(room, 'new plans');
    expect(await bob.next('conference.title', { where: (e) => e.peer !== undefined })).toMatchObject({ title: 'new plans', peer: { name: 'carol' } });
    carol.sendConference(room, 'hello all');
    expect((await bob.next('conference.message', { where: (e) => !e.peer.isSelf })).peer.publicKey).toBe(carol.publicKey);
    expect(net.bot.node.friends()).toEqual([]);
  });

  it('records plugin failures on the bot, which keeps running', async () => {
    const broken = definePlugin({ name: 'broken', setup: (bot) => void bot.on('friend.message', () => { throw new Error('boom'); }) });
    const net = await open({ plugins: [{ plugin: broken }, echo], seed: 9 });
    const alice = await net.peer('alice');
    net.bot.acceptFriend(alice); // no auto-accept plugin: accept ahead of the request
    await alice.addFriend(net.bot);
    alice.send(net.bot, 'still there?');
    expect((await alice.next('friend.message')).text).toBe('still there?');
    expect(net.bot.errors.map((e) => [e.plugin, (e.error as Error).message])).toEqual([['broken', 'boom']]);
  });

  it('starts peers asked for at once one after another, in call order, as if awaited one by one', async () => {
    const one = await open({ plugins: [], seed: 11 });
    const apart = [await one.peer('alice'), await one.peer('bob'), await one.peer('carol')].map((p) => p.publicKey);
    const net = await open({ plugins: [], seed: 11 });
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((n) => net.peer(n)));
    expect([alice!, bob!, carol!].map((p) => p.publicKey)).toEqual(apart);
    expect(new Set([alice!, bob!, carol!].map((p) => p.node.udpAddress.ip)).size).toBe(3);
    await Promise.all([bob!.addFriend(carol!), alice!.addFriend(bob!)]);
    await expect(Promise.all([net.peer('dave'), net.peer('dave')])).rejects.toThrow(/already has a node named "dave"/);
  });

  it('refuses duplicate or unusable peer names', async () => {
    const net = await open({ plugins: [], seed: 1, name: 'helper' });
    await expect(net.peer('helper')).rejects.toThrow(/already has a node named "helper"/);
    await expect(net.peer('no spaces')).rejects.toThrow(/test node name/);
  });

  it('stops every node and the network: no timer left, profiles removed', async () => {
    const net = await createTestNetwork({ plugins: [echo], seed: 2 });
    const alice = await net.peer('alice');
    alice.requestFriend(net.bot);
    await net.advance(2_000);
    await access(net.profileDir);
    await net.stop();
    await net.stop();
    expect(net.scheduler.pending()).toBe(0);
    expect(net.sim.closed).toBe(true);
    await expect(access(net.profileDir)).rejects.toThrow(/ENOENT/);
    await expect(net.peer('late')).rejects.toThrow(/stopped/);
  });

  it('is shown verbatim in docs/plugins.md', async () => {
    const source = await readFile(new URL('./docs-example.network.test.ts', import.meta.url), 'utf8');
    const guide = await readFile(new URL('../../../../docs/plugins.md', import.meta.url), 'utf8');
    const body = source.replace(/^\/\*\*.*\*\/\n/, '').replaceAll("'../../../../", "'../../");
    expect(guide).toContain(body);
  });
});
