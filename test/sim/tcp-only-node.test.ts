// A TCP-only ToxNode (network.udp.enabled=false) in simulation (issue #8): its config names one
// relay and nothing else. It opens no UDP socket; onion announce/search, the friend request and
// the net_crypto session all run through the relay (another ToxNode with tcpRelayPort, serving UDP
// and TCP on one port number), and it chats with a UDP friend: messages both ways with receipts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualScheduler, SeededRandom, silentLogger, toHex } from '../../src/base/index.js';
import { SimNetwork } from '../../src/net/sim/index.js';
import { parseConfig } from '../../src/runtime/config/index.js';
import { ToxNode } from '../../src/runtime/tox-node.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('TCP-only node', () => {
  it('befriends and chats with a UDP node through its one configured relay, with no UDP socket', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tocsin-tcp-only-sim-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const scheduler = new ManualScheduler({ unixSeconds: 1_700_000_000 });
    const seed = new SeededRandom(808);
    const sim = new SimNetwork({ scheduler, random: seed.fork(), conditions: { latencyMs: 20 } });
    let datagramsOfHidden = 0;
    const hiddenIp = '203.0.113.9';
    sim.filter((d) => {
      if (d.from.ip === hiddenIp || d.to.ip === hiddenIp) datagramsOfHidden++;
      return 'pass';
    });

    const node = async (name: string, ip: string, network: Record<string, unknown>): Promise<ToxNode> => {
      const parsed = parseConfig({ identities: [{ id: name, network: { mode: 'public', lanDiscovery: false, udp: { host: ip, portRange: [33445, 33445] }, ...network } }] });
      const n = new ToxNode({ env: { scheduler, random: seed.fork(), net: sim.host(ip), log: silentLogger() }, profilePath: join(dir, `${name}.tox`), network: parsed.identities[0]!.network, initial: { name }, autoSaveMs: 0 });
      await n.start();
      cleanup.push(() => n.stop());
      return n;
    };
    // Public (non-LAN) addresses, as c-toxcore ignores LAN nodes named in responses over TCP.
    const relay = await node('relay', '198.51.100.1', { tcpRelayPort: 33445 });
    const boot = [{ host: '198.51.100.1', port: 33445, publicKey: toHex(relay.dhtPublicKey) }];
    const others = [];
    for (let i = 2; i <= 6; i++) others.push(await node(`udp${i}`, `198.51.100.${i}`, { bootstrap: boot }));
    const friend = others[3]!;
    const hidden = await node('hidden', hiddenIp, { udp: { enabled: false }, relays: boot });
    expect(() => hidden.udpAddress).toThrow();

    await scheduler.runUntil(() => hidden.connectionStatus === 'tcp', { timeoutMs: 120_000, stepMs: 250, describe: () => hidden.layers.onion.counters });
    const connectedAt = scheduler.now();
    friend.on('friendRequest', (pk) => friend.acceptFriendRequest(pk));
    hidden.addFriend(friend.toxIdText, 'hello from behind a relay');
    const friendKey = friend.publicKey;
    await scheduler.runUntil(() => hidden.friend(friendKey).connection === 'tcp' && friend.friends()[0]?.connection === 'tcp', {
      timeoutMs: 300_000,
      stepMs: 250,
      describe: () => ({ hidden: hidden.friends(), friend: friend.friends(), hiddenRelays: hidden.layers.tcp.relaySummaries().length, hiddenNetCrypto: hidden.layers.netCrypto.counters }),
    });
    const onlineAt = scheduler.now();

    const atFriend: string[] = [];
    friend.on('friendMessage', (_f, text) => atFriend.push(text));
    const atHidden: string[] = [];
    hidden.on('friendMessage', (_f, text) => atHidden.push(text));
    const receiptsHidden: number[] = [];
    hidden.on('friendReceipt', (_f, id) => receiptsHidden.push(id));
    const receiptsFriend: number[] = [];
    friend.on('friendReceipt', (_f, id) => receiptsFriend.push(id));
    const ids: number[] = [];
    const friendIds: number[] = [];
    for (let i = 0; i < 50; i++) {
      ids.push(hidden.sendMessage(friendKey, `h ${i}`));
      friendIds.push(friend.sendMessage(hidden.publicKey, `f ${i}`));
    }
    await scheduler.runUntil(() => atFriend.length === 50 && atHidden.length === 50 && receiptsHidden.length === 50 && receiptsFriend.length === 50, { timeoutMs: 60_000, stepMs: 50 });
    expect(atFriend).toEqual(Array.from({ length: 50 }, (_, i) => `h ${i}`));
    expect(atHidden).toEqual(Array.from({ length: 50 }, (_, i) => `f ${i}`));
    expect(receiptsHidden).toEqual(ids);
    expect(receiptsFriend).toEqual(friendIds);
    expect(datagramsOfHidden).toBe(0);
    console.log(`[tcp-only sim] onion connected through the relay after ${connectedAt / 1000} s, friend online after ${onlineAt / 1000} s virtual`);
  }, 120_000);
});
