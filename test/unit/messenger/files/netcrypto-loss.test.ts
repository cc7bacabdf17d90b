// The file-transfer engine over two real net_crypto nodes on the simulated network (virtual time):
// a 10 MiB file each way at once, intact, under 20 % loss with jitter, reordering and duplication;
// the port is net_crypto itself (send, queue room, delivery), as the Messenger will wire it.
import { describe, expect, it } from 'vitest';
import { ManualScheduler, SeededRandom, silentLogger } from '../../../../src/base/index.js';
import { sha256, type LongTermPublicKey } from '../../../../src/crypto/index.js';
import { FILE_PACKET_ID, FileTransfers, type FileTransferPort } from '../../../../src/messenger/files/index.js';
import { SimNetwork } from '../../../../src/net/sim/index.js';
import type { NetCrypto } from '../../../../src/netcrypto/index.js';
import { makeNode, type TestNode } from '../../netcrypto/helpers.js';
import { collect, content, serve } from './helpers.js';

const FRIEND = 0;

/** The engine on top of one net_crypto connection, the friend being friend number 0. */
function filesOver(nc: NetCrypto, peer: LongTermPublicKey, scheduler: ManualScheduler, random: SeededRandom): FileTransfers {
  const port: FileTransferPort = {
    sendLossless: (_f, packet) => nc.sendLossless(peer, packet),
    sendQueueRoom: () => nc.sendQueueRoom(peer),
    isDelivered: (_f, n) => nc.isDelivered(peer, n),
  };
  const files = new FileTransfers({ port, scheduler, random, log: silentLogger() });
  nc.on('lossless', (_p, id, payload) => {
    if (id >= FILE_PACKET_ID.sendRequest && id <= FILE_PACKET_ID.data) files.handlePacket(FRIEND, id, payload);
  });
  nc.on('delivered', () => files.notifyRoom(FRIEND));
  nc.on('connected', () => files.setFriendOnline(FRIEND, true));
  nc.on('disconnected', () => files.setFriendOnline(FRIEND, false));
  files.start();
  return files;
}

describe('file transfers over net_crypto on a lossy simulated network', () => {
  it('moves 10 MiB each way intact under 20 % loss, reordering and duplication', async () => {
    const seed = 2024;
    const scheduler = new ManualScheduler();
    const random = new SeededRandom(seed);
    const net = new SimNetwork({
      scheduler,
      random: random.fork(),
      conditions: { latencyMs: 20, jitterMs: 10, loss: 0.2, duplicate: 0.05, reorder: 0.1, reorderDelayMs: 40 },
    });
    const nodes: TestNode[] = [];
    for (const ip of ['10.0.0.1', '10.0.0.2']) {
      const host = net.host(ip);
      const socket = await host.bindUdp({ host: ip, port: 33445 });
      const node = makeNode({ scheduler, random: random.fork(), address: socket.local, sendUdp: (to, d) => socket.send(to, d) });
      socket.onMessage((d, from) => node.router.dispatch(d, from));
      nodes.push(node);
    }
    const [a, b] = nodes as [TestNode, TestNode];
    const filesA = filesOver(a.nc, b.keys.publicKey, scheduler, random.fork());
    const filesB = filesOver(b.nc, a.keys.publicKey, scheduler, random.fork());
    a.nc.start();
    b.nc.start();
    a.nc.connect(b.keys.publicKey, b.dhtKeys.publicKey, b.address, { reconnect: true });
    b.nc.connect(a.keys.publicKey, a.dhtKeys.publicKey, a.address, { reconnect: true });
    await scheduler.runUntil(() => a.nc.isConnected(b.keys.publicKey) && b.nc.isConnected(a.keys.publicKey), { timeoutMs: 60_000, describe: () => ({ seed }) });

    const size = 10 * 1024 * 1024;
    const fileA = content(size, 11);
    const fileB = content(size, 12);
    const atB = collect(filesB, FRIEND, size);
    const atA = collect(filesA, FRIEND, size);
    const fromA = serve(filesA, FRIEND, filesA.sendFile(FRIEND, { size, name: 'a.bin' }), fileA);
    const fromB = serve(filesB, FRIEND, filesB.sendFile(FRIEND, { size, name: 'b.bin' }), fileB);
    const start = scheduler.now();
    await scheduler.runUntil(() => fromA.done && fromB.done && atA.done && atB.done, {
      timeoutMs: 600_000,
      stepMs: 100,
      describe: () => ({ seed, atA: atA.received, atB: atB.received, info: a.nc.connectionInfo(b.keys.publicKey) }),
    });
    console.log('10 MiB each way over net_crypto at 20 % loss:', scheduler.now() - start, 'ms virtual');
    expect(atB.sha256()).toEqual(sha256(fileA));
    expect(atA.sha256()).toEqual(sha256(fileB));
    expect(atA.contiguous && atB.contiguous).toBe(true);
    expect(net.stats.datagramsLost).toBeGreaterThan(1000);
    expect(net.stats.datagramsDuplicated).toBeGreaterThan(100);
    expect(filesA.counters.totalDropped() + filesB.counters.totalDropped()).toBe(0);
    expect(filesA.transfers(FRIEND)).toEqual([]);
    filesA.stop();
    filesB.stop();
    a.nc.stop();
    b.nc.stop();
    net.close();
    expect(scheduler.pending()).toBe(0);
  }, 300_000);
});
