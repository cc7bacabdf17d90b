/**
 * net_crypto bench: lossless throughput of 100-byte payloads on real loopback
 * UDP, ours⇄ours (windowed, and an unpaced burst of 10,000 with delivery
 * confirmed), ours→c-toxcore, each against a c-toxcore pair measured in the
 * same run (messages of the same size; its read receipts are net_crypto
 * acknowledgements, which is what our windows wait for too).
 * Every peer lives in this process and is driven by one event loop, like the
 * c-toxcore pair (which is iterated back to back). Must run inside a private
 * network namespace (scripts/bench.ts re-executes itself in one).
 */
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { CryptoRandom, RealScheduler, silentLogger } from '../../src/base/index.js';
import { generateKeyPair, type DhtPublicKey, type DhtSecretKey, type LongTermPublicKey, type LongTermSecretKey } from '../../src/crypto/index.js';
import { ipPort, PacketRouter } from '../../src/net/index.js';
import { NodeNetStack } from '../../src/net/node/index.js';
import { NetCrypto, staticDhtKeys } from '../../src/netcrypto/index.js';
import { Connection } from '../../test/support/toxcore/constants.js';
import { ToxcoreInstance } from '../../test/support/toxcore/instance.js';
import { requireToxcore } from '../../test/support/toxcore/lib.js';
import { medianOf, type BenchRow } from './measure.js';

const WINDOW = 4096;
const WINDOWED_MESSAGES = 100_000;
/** Messages sent before measuring (JIT warm-up for us; the same courtesy for c-toxcore). */
const WARM_UP = 20_000;
const BURST = 10_000;
const PAYLOAD = 100;
const TIMEOUT_MS = 120_000;
const PACKET_ID_ONLINE = 24;
const PACKET_ID_MESSAGE = 64;
const PACKET_ID_CUSTOM = 160;

/** Waits until `pred` holds: checked every millisecond, or after every event-loop turn when `poll` (driving c-toxcore) is given. */
async function until(what: string, pred: () => boolean, timeoutMs = TIMEOUT_MS, poll?: () => void): Promise<void> {
  const start = performance.now();
  while (!pred()) {
    if (performance.now() - start > timeoutMs) throw new Error(`netcrypto bench: timed out waiting for ${what}`);
    poll?.();
    if (poll) await yieldToLoop();
    else await sleep(1);
  }
}

interface OurNode {
  nc: NetCrypto;
  pk: LongTermPublicKey;
  dhtPk: DhtPublicKey;
  port: number;
  received: number;
  close(): Promise<void>;
}

async function ourNode(): Promise<OurNode> {
  const scheduler = new RealScheduler();
  const random = new CryptoRandom();
  const stack = new NodeNetStack({ scheduler });
  const socket = await stack.bindUdp({ host: '127.0.0.1', port: 0 });
  const router = new PacketRouter(silentLogger());
  socket.onMessage((data, from) => router.dispatch(data, from));
  const keyPair = generateKeyPair<LongTermPublicKey, LongTermSecretKey>(random);
  const dht = generateKeyPair<DhtPublicKey, DhtSecretKey>(random);
  const nc = new NetCrypto({ scheduler, random, log: silentLogger(), keyPair, dht: staticDhtKeys(dht, scheduler), sendUdp: (to, d) => socket.send(to, d), router });
  nc.onNewConnection = () => true;
  const node: OurNode = {
    nc,
    pk: keyPair.publicKey,
    dhtPk: dht.publicKey,
    port: socket.local.port,
    received: 0,
    async close() {
      nc.stop();
      await stack.close();
    },
  };
  nc.on('lossless', () => node.received++);
  nc.start();
  return node;
}

function payload(id: number): Uint8Array {
  const p = new Uint8Array(1 + PAYLOAD);
  p[0] = id;
  return p;
}

/** Our two nodes, connected. */
async function ourPair(): Promise<[OurNode, OurNode]> {
  const a = await ourNode();
  const b = await ourNode();
  a.nc.connect(b.pk, b.dhtPk, ipPort('127.0.0.1', b.port));
  await until('our pair to connect', () => a.nc.isConnected(b.pk) && b.nc.isConnected(a.pk), 10_000);
  return [a, b];
}

/**
 * Sends `total` copies of `packet` from `sender` to `to`, keeping at most
 * `window` unacknowledged (window = total: all at once). Resolves with packets
 * per second once the last one is acknowledged and `received()` reached total.
 */
async function oursThroughput(
  sender: NetCrypto,
  to: LongTermPublicKey,
  packet: Uint8Array,
  total: number,
  window: number,
  received: () => number,
  poll?: () => void,
): Promise<number> {
  let sent = 0;
  let acked = 0;
  let first = -1;
  let last = -1;
  const fill = (): void => {
    while (sent < total && sent - acked < window) {
      const r = sender.sendLossless(to, packet);
      if (!r.ok) break;
      if (first < 0) first = r.packetNumber;
      last = r.packetNumber;
      sent++;
    }
  };
  const onDelivered = (_peer: LongTermPublicKey, below: number): void => {
    acked = (below - first) >>> 0;
    fill();
  };
  sender.on('delivered', onDelivered);
  const start = performance.now();
  fill();
  await until('delivery', () => (fill(), sent === total && sender.isDelivered(to, last) && received() >= total), TIMEOUT_MS, poll);
  const seconds = (performance.now() - start) / 1000;
  sender.off('delivered', onDelivered);
  return total / seconds;
}

async function withOurPair<T>(body: (a: OurNode, b: OurNode) => Promise<T>): Promise<T> {
  const [a, b] = await ourPair();
  try {
    return await body(a, b);
  } finally {
    await a.close();
    await b.close();
  }
}

// ------------------------------------------------------------------ c-toxcore

interface ToxPair {
  a: ToxcoreInstance;
  b: ToxcoreInstance;
  bOnA: number;
  aOnB: number;
}

async function toxPair(): Promise<ToxPair> {
  const a = await ToxcoreInstance.create({ localDiscovery: false });
  const b = await ToxcoreInstance.create({ localDiscovery: false });
  b.on('friend_request', (pk) => b.friendAddNoRequest(pk));
  b.bootstrap('127.0.0.1', a.udpPort, a.dhtId);
  const bOnA = a.friendAdd(b.address, 'bench');
  await ToxcoreInstance.iterateUntil([a, b], () => {
    const f = b.friendList()[0];
    return a.friendConnectionStatus(bOnA) !== Connection.NONE && f !== undefined && b.friendConnectionStatus(f) !== Connection.NONE;
  }, { timeoutMs: 60_000, what: 'c-toxcore pair online' });
  return { a, b, bOnA, aOnB: b.friendList()[0]! };
}

const TEXT = 'x'.repeat(PAYLOAD);

/** c-toxcore pair: `total` messages A→B with at most `window` without read receipt. */
async function toxThroughput(p: ToxPair, total: number, window: number): Promise<number> {
  let sent = 0;
  let receipts = 0;
  let got = 0;
  const onReceipt = (): void => void receipts++;
  const onMessage = (): void => void got++;
  p.a.on('friend_read_receipt', onReceipt);
  p.b.on('friend_message', onMessage);
  const start = performance.now();
  for (;;) {
    while (sent < total && sent - receipts < window) {
      p.a.friendSendMessage(p.bOnA, TEXT);
      sent++;
    }
    p.a.iterate();
    p.b.iterate();
    if (receipts === total && got === total) break;
    if (performance.now() - start > TIMEOUT_MS) throw new Error('netcrypto bench: c-toxcore pair timed out');
    await yieldToLoop();
  }
  const seconds = (performance.now() - start) / 1000;
  p.a.off('friend_read_receipt', onReceipt);
  p.b.off('friend_message', onMessage);
  return total / seconds;
}

/** Our node → a c-toxcore friend: messages (id 64) counted by its friend_message callback. */
async function oursToTox(runs: number): Promise<{ median: number; samples: number[] }> {
  const ours = await ourNode();
  const tox = await ToxcoreInstance.create({ localDiscovery: false });
  try {
    const friend = tox.friendAddNoRequest(ours.pk);
    let got = 0;
    tox.on('friend_message', () => void got++);
    const toxPk = tox.publicKey as LongTermPublicKey;
    const iterate = (): void => tox.iterate();
    ours.nc.connect(toxPk, tox.dhtId as DhtPublicKey, ipPort('127.0.0.1', tox.udpPort));
    await until('c-toxcore connection', () => ours.nc.isConnected(toxPk), 10_000, iterate);
    ours.nc.sendLossless(toxPk, Uint8Array.of(PACKET_ID_ONLINE));
    await until('c-toxcore sees us online', () => tox.friendConnectionStatus(friend) === Connection.UDP, 10_000, iterate);
    const message = Uint8Array.of(PACKET_ID_MESSAGE, ...new TextEncoder().encode(TEXT));
    const run = (total: number): Promise<number> => {
      got = 0;
      return oursThroughput(ours.nc, toxPk, message, total, WINDOW, () => got, iterate);
    };
    await run(WARM_UP);
    return await medianOf(runs, () => run(WINDOWED_MESSAGES));
  } finally {
    tox.kill();
    await ours.close();
  }
}

export async function netcryptoBench(runs: number): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const haveToxcore = requireToxcore() !== null;
  const oursWindowed = await withOurPair(async (a, b) => {
    const run = (total: number): Promise<number> => {
      const before = b.received;
      return oursThroughput(a.nc, b.pk, payload(PACKET_ID_CUSTOM), total, WINDOW, () => b.received - before);
    };
    await run(WARM_UP);
    return medianOf(runs, () => run(WINDOWED_MESSAGES));
  });
  const oursBurst = await medianOf(runs, () => withOurPair((a, b) => oursThroughput(a.nc, b.pk, payload(PACKET_ID_CUSTOM), BURST, BURST, () => b.received)));
  let pairWindowed: { median: number } | undefined;
  let pairBurst: { median: number } | undefined;
  let toTox: { median: number } | undefined;
  if (haveToxcore) {
    const pair = await toxPair();
    try {
      await toxThroughput(pair, WARM_UP, WINDOW);
      pairWindowed = await medianOf(runs, () => toxThroughput(pair, WINDOWED_MESSAGES, WINDOW));
      pairBurst = await medianOf(Math.min(runs, 3), () => toxThroughput(pair, BURST, BURST));
    } finally {
      pair.a.kill();
      pair.b.kill();
    }
    toTox = await oursToTox(runs);
  }
  const reference = (m: { median: number } | undefined): Partial<BenchRow> =>
    m === undefined ? {} : { reference: m.median, referenceName: 'c-toxcore pair, same run' };
  rows.push({
    area: 'netcrypto',
    metric: `lossless ${PAYLOAD} B ours⇄ours, at most ${WINDOW} unacknowledged (loopback UDP)`,
    unit: 'msg/s',
    ours: oursWindowed.median,
    ...reference(pairWindowed),
    higherIsBetter: true,
    samples: runs,
    note: `${WINDOWED_MESSAGES.toLocaleString('en-US')} per run; c-toxcore: messages with read receipts`,
  });
  rows.push({
    area: 'netcrypto',
    metric: `unpaced burst of ${BURST.toLocaleString('en-US')} × ${PAYLOAD} B, until all acknowledged`,
    unit: 'msg/s',
    ours: oursBurst.median,
    ...reference(pairBurst),
    higherIsBetter: true,
    samples: runs,
    note: 'fresh connection per run; c-toxcore median of at most 3',
  });
  if (toTox) {
    rows.push({
      area: 'netcrypto',
      metric: `${PAYLOAD} B messages ours→c-toxcore, at most ${WINDOW} unacknowledged`,
      unit: 'msg/s',
      ours: toTox.median,
      ...reference(pairWindowed),
      higherIsBetter: true,
      samples: runs,
      note: 'c-toxcore receives (iterated back to back); reference: c-toxcore→c-toxcore',
    });
  }
  return rows;
}
