/**
 * Friends bench (issue #5), medians over `runs`, in one run:
 *  - cold start → friend online: two of our nodes, friends in their saved
 *    profiles, started together next to two helper nodes; time until both
 *    see each other online (DHT, onion search, net_crypto, Messenger ONLINE);
 *    and fresh nodes adding each other, ours⇄c-toxcore and the c-toxcore pair;
 *  - messages/s (100 B, every one receipted): at most W = 4096 unreceipted in
 *    flight, and an unpaced burst of 10,000, for ours⇄ours, ours→c-toxcore,
 *    c-toxcore→ours and the c-toxcore pair;
 *  - file MB/s (10 MiB) for the same four.
 * Everything runs in this process on loopback; must run inside a private
 * network namespace (scripts/bench.ts re-executes itself in one).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { CryptoRandom, RealScheduler, silentLogger } from '../../src/base/index.js';
import type { DhtPublicKey } from '../../src/crypto/index.js';
import { ipPort } from '../../src/net/index.js';
import { NodeNetStack } from '../../src/net/node/index.js';
import { parseConfig } from '../../src/runtime/config/index.js';
import { ToxNode } from '../../src/runtime/tox-node.js';
import { Connection, FileControl } from '../../test/support/toxcore/constants.js';
import { ToxcoreInstance } from '../../test/support/toxcore/instance.js';
import { requireToxcore } from '../../test/support/toxcore/lib.js';
import { medianOf, type BenchRow } from './measure.js';

const WINDOW = 4096;
const WINDOWED = 20_000;
const BURST = 10_000;
const FILE_SIZE = 10 * 1024 * 1024;
const TIMEOUT_MS = 180_000;
const TEXT = 'x'.repeat(100);

async function until(what: string, pred: () => boolean, poll?: () => void): Promise<number> {
  const start = performance.now();
  while (!pred()) {
    if (performance.now() - start > TIMEOUT_MS) throw new Error(`friends bench: timed out waiting for ${what}`);
    poll?.();
    await yieldToLoop();
  }
  return performance.now() - start;
}

interface Ours {
  node: ToxNode;
  path: string;
  close(): Promise<void>;
}

/** One of our nodes with its profile at `dir/name.tox` (created, or loaded when it exists). */
async function ourNode(dir: string, name: string): Promise<Ours> {
  const scheduler = new RealScheduler();
  const net = new NodeNetStack({ scheduler });
  const network = parseConfig({ identities: [{ id: 'bench', network: { lanDiscovery: false } }] }).identities[0]!.network;
  const path = join(dir, `${name}.tox`);
  const node = new ToxNode({ env: { scheduler, random: new CryptoRandom(), net, log: silentLogger() }, profilePath: path, network, autoSaveMs: 0 });
  await node.start();
  return {
    node,
    path,
    async close() {
      await node.stop();
      await net.close();
    },
  };
}

/** Two of our nodes made friends directly (DHT keys given, as a saved conference peer would). */
async function ourPair(dir: string, names: [string, string]): Promise<[Ours, Ours]> {
  const a = await ourNode(dir, names[0]);
  const b = await ourNode(dir, names[1]);
  a.node.dhtEngine.bootstrap({ address: b.node.udpAddress, publicKey: b.node.dhtPublicKey });
  b.node.dhtEngine.bootstrap({ address: a.node.udpAddress, publicKey: a.node.dhtPublicKey });
  introduce(a.node, b.node.publicKey, b.node.dhtPublicKey);
  introduce(b.node, a.node.publicKey, a.node.dhtPublicKey);
  await until('our pair online', () => a.node.friends()[0]?.connection !== 'none' && b.node.friends()[0]?.connection !== 'none');
  return [a, b];
}

function introduce(node: ToxNode, publicKey: string, dhtPk: Uint8Array): void {
  const n = node.acceptFriendRequest(publicKey);
  node.layers.connections.acquire(node.layers.friendKey(n), dhtPk as DhtPublicKey);
}

/** Messages/s from `send` until every receipt is in, at most `window` unreceipted. */
async function messageRate(total: number, window: number, send: () => void, receipts: () => number, poll?: () => void): Promise<number> {
  const base = receipts();
  let sent = 0;
  const start = performance.now();
  await until('receipts', () => {
    while (sent < total && sent - (receipts() - base) < window) {
      send();
      sent++;
    }
    return receipts() - base >= total;
  }, poll);
  return total / ((performance.now() - start) / 1000);
}

/** MB/s of one file from `from` (ours) to `to` (ours). */
async function ourFileRate(from: ToxNode, to: ToxNode): Promise<number> {
  const data = new Uint8Array(FILE_SIZE);
  const onRequest = (f: { number: number }, file: number, position: bigint, length: number): void => {
    if (length > 0) from.fileSendChunk(f.number, file, position, data.subarray(Number(position), Number(position) + length));
  };
  from.on('fileChunkRequest', onRequest);
  try {
    return await fileToOurs(to, () => from.sendFile(0, { size: FILE_SIZE, name: 'bench.bin' }));
  } finally {
    from.off('fileChunkRequest', onRequest);
  }
}

/** MB/s of one file into our node `to` (`send` starts it on the sender, ours or c-toxcore). */
async function fileToOurs(to: ToxNode, send: () => void, poll?: () => void): Promise<number> {
  let done = false;
  const onOffer = (f: { number: number }, offer: { fileNumber: number }): void => to.fileControl(f.number, offer.fileNumber, 'accept');
  const onDone = (_f: unknown, file: number): void => {
    if (file >= 65536) done = true; // an incoming transfer (an outgoing one may still complete late)
  };
  to.on('fileOffer', onOffer);
  to.on('fileCompleted', onDone);
  const start = performance.now();
  send();
  await until('the file into our node', () => done, poll);
  to.off('fileOffer', onOffer);
  to.off('fileCompleted', onDone);
  return FILE_SIZE / 1e6 / ((performance.now() - start) / 1000);
}

/** MB/s of one file between c-toxcore instances or from ours to c-toxcore (`send` starts it on the sender). */
async function toxFileRate(receiver: ToxcoreInstance, send: () => void, poll?: () => void): Promise<number> {
  let done = false;
  const onRecv = (f: number, file: number): void => receiver.fileControl(f, file, FileControl.RESUME);
  const onChunk = (_f: number, _file: number, _p: number, d: Uint8Array): void => {
    if (d.length === 0) done = true;
  };
  receiver.on('file_recv', onRecv);
  receiver.on('file_recv_chunk', onChunk);
  const start = performance.now();
  send();
  await until('the c-toxcore file', () => done, poll);
  receiver.off('file_recv', onRecv);
  receiver.off('file_recv_chunk', onChunk);
  return FILE_SIZE / 1e6 / ((performance.now() - start) / 1000);
}

async function coldStart(dir: string, run: number): Promise<number> {
  const helpers = [await ourNode(dir, `h1-${run}`), await ourNode(dir, `h2-${run}`)];
  helpers[1]!.node.dhtEngine.bootstrap({ address: helpers[0]!.node.udpAddress, publicKey: helpers[0]!.node.dhtPublicKey });
  // Profiles that already hold the friendship, written by a first session.
  const names: [string, string] = [`cold-a-${run}`, `cold-b-${run}`];
  for (const n of await ourPair(dir, names)) await n.close();
  const start = performance.now();
  const nodes: Ours[] = [];
  for (const name of names) {
    const n = await ourNode(dir, name);
    for (const h of helpers) n.node.dhtEngine.bootstrap({ address: h.node.udpAddress, publicKey: h.node.dhtPublicKey });
    nodes.push(n);
  }
  await until('cold start online', () => nodes.every((n) => n.node.friends()[0]?.connection !== 'none'));
  const ms = performance.now() - start;
  for (const n of [...nodes, ...helpers]) await n.close();
  return ms;
}

export async function friendsBench(runs: number): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'tocsin-friends-bench-'));
  const rows: BenchRow[] = [];
  const row = (metric: string, unit: string, ours: number, higherIsBetter: boolean, reference?: number, note?: string): void => {
    rows.push({ area: 'friends', metric, unit, ours, higherIsBetter, samples: runs, ...(reference !== undefined ? { reference, referenceName: 'c-toxcore pair, same run' } : {}), ...(note ? { note } : {}) });
  };
  try {
    let run = 0;
    const cold = await medianOf(runs, () => coldStart(dir, run++));
    const [a, b] = await ourPair(dir, ['pair-a', 'pair-b']);
    let receipts = 0;
    a.node.on('friendReceipt', () => receipts++);
    const oursWindowed = await medianOf(runs, () => messageRate(WINDOWED, WINDOW, () => a.node.sendMessage(0, TEXT), () => receipts));
    const oursBurst = await medianOf(runs, () => messageRate(BURST, BURST, () => a.node.sendMessage(0, TEXT), () => receipts));
    const oursFile = await medianOf(runs, () => ourFileRate(a.node, b.node));
    await a.close();
    await b.close();

    let pair: { online: number; windowed: number; burst: number; file: number } | undefined;
    let toTox: MixedRates | undefined;
    if (requireToxcore() !== null) {
      const x = await ToxcoreInstance.create({ localDiscovery: false });
      const y = await ToxcoreInstance.create({ localDiscovery: false });
      try {
        const both = (): void => (x.iterate(), y.iterate());
        y.bootstrap('127.0.0.1', x.udpPort, x.dhtId);
        const t0 = performance.now();
        x.friendAddNoRequest(y.publicKey);
        y.friendAddNoRequest(x.publicKey);
        await until('the c-toxcore pair online', () => x.friendConnectionStatus(0) !== Connection.NONE && y.friendConnectionStatus(0) !== Connection.NONE, both);
        const online = performance.now() - t0;
        let xReceipts = 0;
        x.on('friend_read_receipt', () => xReceipts++);
        const windowed = await medianOf(runs, () => messageRate(WINDOWED, WINDOW, () => x.friendSendMessage(0, TEXT), () => xReceipts, both));
        const burst = await medianOf(Math.min(runs, 3), () => messageRate(BURST, BURST, () => x.friendSendMessage(0, TEXT), () => xReceipts, both));
        const data = new Uint8Array(FILE_SIZE);
        x.on('file_chunk_request', (f, file, position, length) => {
          if (length > 0) x.fileSendChunk(f, file, position, data.subarray(position, position + length));
        });
        const file = await medianOf(runs, () => toxFileRate(y, () => x.fileSend(0, 0, FILE_SIZE, null, 'bench.bin'), both));
        pair = { online, windowed: windowed.median, burst: burst.median, file: file.median };
      } finally {
        x.kill();
        y.kill();
      }
      toTox = await oursToToxcore(dir, runs);
    }
    row('cold start → friend online, ours⇄ours (profiles with the friendship, 2 helper nodes)', 'ms', cold.median, false, pair?.online, 'reference: the c-toxcore pair started fresh, bootstrapped to each other, adding each other');
    row(`100 B messages with receipts ours⇄ours, at most ${WINDOW} unreceipted`, 'msg/s', oursWindowed.median, true, pair?.windowed);
    row(`unpaced burst of ${BURST.toLocaleString('en-US')} × 100 B messages ours⇄ours, until all receipted`, 'msg/s', oursBurst.median, true, pair?.burst, 'c-toxcore: median of at most 3');
    row('10 MiB file ours⇄ours', 'MB/s', oursFile.median, true, pair?.file);
    if (pair) row('c-toxcore pair: friends online after adding each other (bootstrapped to each other)', 'ms', pair.online, false, undefined, 'one sample');
    if (toTox) {
      row('ours⇄c-toxcore: friends online after adding each other (fresh, bootstrapped to each other)', 'ms', toTox.online, false, pair?.online, 'one sample');
      row(`100 B messages with receipts ours→c-toxcore, at most ${WINDOW} unreceipted`, 'msg/s', toTox.windowed, true, pair?.windowed);
      row(`unpaced burst of ${BURST.toLocaleString('en-US')} × 100 B ours→c-toxcore`, 'msg/s', toTox.burst, true, pair?.burst);
      row('10 MiB file ours→c-toxcore', 'MB/s', toTox.file, true, pair?.file);
      row(`100 B messages with receipts c-toxcore→ours, at most ${WINDOW} unreceipted`, 'msg/s', toTox.fromToxcore.windowed, true, pair?.windowed);
      row(`unpaced burst of ${BURST.toLocaleString('en-US')} × 100 B c-toxcore→ours`, 'msg/s', toTox.fromToxcore.burst, true, pair?.burst, 'median of at most 3');
      row('10 MiB file c-toxcore→ours', 'MB/s', toTox.fromToxcore.file, true, pair?.file);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

interface MixedRates {
  online: number;
  /** Ours sending, c-toxcore receiving. */
  windowed: number;
  burst: number;
  file: number;
  fromToxcore: { windowed: number; burst: number; file: number };
}

async function oursToToxcore(dir: string, runs: number): Promise<MixedRates> {
  const ours = await ourNode(dir, 'to-toxcore');
  const tox = await ToxcoreInstance.create({ localDiscovery: false });
  try {
    const poll = (): void => tox.iterate();
    // As the c-toxcore pair: two fresh nodes bootstrapped to each other add each other (no DHT key given).
    tox.bootstrap('127.0.0.1', ours.node.udpAddress.port, ours.node.dhtPublicKey);
    ours.node.dhtEngine.bootstrap({ address: ipPort('127.0.0.1', tox.udpPort), publicKey: tox.dhtId });
    const t0 = performance.now();
    tox.friendAddNoRequest(ours.node.layers.netCrypto.publicKey);
    ours.node.acceptFriendRequest(Buffer.from(tox.publicKey).toString('hex'));
    await until('ours and c-toxcore online', () => ours.node.friends()[0]!.connection !== 'none' && tox.friendConnectionStatus(0) !== Connection.NONE, poll);
    const online = performance.now() - t0;
    let receipts = 0;
    ours.node.on('friendReceipt', () => receipts++);
    const windowed = await medianOf(runs, () => messageRate(WINDOWED, WINDOW, () => ours.node.sendMessage(0, TEXT), () => receipts, poll));
    const burst = await medianOf(runs, () => messageRate(BURST, BURST, () => ours.node.sendMessage(0, TEXT), () => receipts, poll));
    const data = new Uint8Array(FILE_SIZE);
    ours.node.on('fileChunkRequest', (f, file, position, length) => {
      if (length > 0) ours.node.fileSendChunk(f.number, file, position, data.subarray(Number(position), Number(position) + length));
    });
    const file = await medianOf(runs, () => toxFileRate(tox, () => ours.node.sendFile(0, { size: FILE_SIZE, name: 'bench.bin' }), poll));
    // The other direction on the same connection: c-toxcore sends, ours receives.
    let toxReceipts = 0;
    tox.on('friend_read_receipt', () => toxReceipts++);
    const backWindowed = await medianOf(runs, () => messageRate(WINDOWED, WINDOW, () => tox.friendSendMessage(0, TEXT), () => toxReceipts, poll));
    const backBurst = await medianOf(Math.min(runs, 3), () => messageRate(BURST, BURST, () => tox.friendSendMessage(0, TEXT), () => toxReceipts, poll));
    tox.on('file_chunk_request', (f, fileNumber, position, length) => {
      if (length > 0) tox.fileSendChunk(f, fileNumber, position, data.subarray(position, position + length));
    });
    const backFile = await medianOf(runs, () => fileToOurs(ours.node, () => tox.fileSend(0, 0, FILE_SIZE, null, 'bench.bin'), poll));
    return {
      online,
      windowed: windowed.median,
      burst: burst.median,
      file: file.median,
      fromToxcore: { windowed: backWindowed.median, burst: backBurst.median, file: backFile.median },
    };
  } finally {
    tox.kill();
    await ours.close();
  }
}

