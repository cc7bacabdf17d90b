/**
 * Test support: full onion nodes (DHT + relay + node D + client) over any
 * datagram endpoint — the DHT tests' FakeNet for unit tests, src/net/sim for
 * simulations — sharing one ManualScheduler.
 */
import { silentLogger, type ManualScheduler, type SeededRandom } from '../../../src/base/index.js';
import { generateKeyPair, type LongTermKeyPair } from '../../../src/crypto/index.js';
import { Dht } from '../../../src/dht/index.js';
import { PacketRouter, type IpPort } from '../../../src/net/index.js';
import type { SimHost, SimNetwork } from '../../../src/net/sim/index.js';
import { AnnounceNode, OnionClient, OnionRelay, type OnionRelayPort, type OnionSendPort } from '../../../src/onion/index.js';

export interface OnionTestNode {
  dht: Dht;
  relay: OnionRelay;
  announce: AnnounceNode;
  client: OnionClient;
  realKeys: LongTermKeyPair;
  address: IpPort;
  router: PacketRouter;
  start(): void;
  stop(): void;
}

export function onionNodeOn(
  endpoint: { router: PacketRouter; socket: OnionSendPort; address: IpPort },
  scheduler: ManualScheduler,
  random: SeededRandom,
  tcp?: (dht: Dht) => OnionRelayPort,
): OnionTestNode {
  const { router, socket, address } = endpoint;
  const log = silentLogger();
  const dht = new Dht({ scheduler, random: random.fork(), log, socket, router }, { lanDiscovery: { send: false } });
  const realKeys = generateKeyPair(random) as LongTermKeyPair;
  const relay = new OnionRelay({ scheduler, random, log, socket, router, dhtKeyPair: () => dht.keyPair });
  const announce = new AnnounceNode({ scheduler, random, log, socket, router, dht });
  const client = new OnionClient({ scheduler, random, log, socket, router, dht, realKeyPair: realKeys, ...(tcp ? { tcp: tcp(dht) } : {}) });
  return {
    dht,
    relay,
    announce,
    client,
    realKeys,
    address,
    router,
    start() {
      dht.start();
      relay.start();
      announce.start();
      client.start();
    },
    stop() {
      client.stop();
      announce.stop();
      relay.stop();
      dht.stop();
    },
  };
}

/** An onion node on a simulated host `ip`:33445 (`host` is there for TCP). */
export async function simOnionNode(
  sim: SimNetwork,
  scheduler: ManualScheduler,
  ip: string,
  random: SeededRandom,
  tcp?: (dht: Dht, host: SimHost) => OnionRelayPort,
): Promise<OnionTestNode & { host: SimHost }> {
  const host = sim.host(ip);
  const socket = await host.bindUdp({ host: ip, port: 33445 });
  const router = new PacketRouter(silentLogger());
  socket.onMessage((data, from) => router.dispatch(data, from));
  const node = onionNodeOn({ router, socket, address: socket.local }, scheduler, random.fork(), tcp && ((dht) => tcp(dht, host)));
  return { ...node, host };
}
