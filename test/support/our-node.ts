/** Starts one of our ToxNodes on real loopback sockets for interop tests (local mode, no LAN discovery, plus network `overrides`). */
import { join } from 'node:path';
import { CryptoRandom, RealScheduler, silentLogger } from '../../src/base/index.js';
import { NodeNetStack } from '../../src/net/node/index.js';
import { parseConfig } from '../../src/runtime/config/index.js';
import { ToxNode } from '../../src/runtime/tox-node.js';

/** A started node with its profile at `<dir>/<name>.tox`; stopping it (and its sockets) is pushed onto `cleanups`. */
export async function startOurNode(dir: string, name: string, cleanups: Array<() => unknown>, overrides: Record<string, unknown> = {}): Promise<ToxNode> {
  const scheduler = new RealScheduler();
  const net = new NodeNetStack({ scheduler });
  const network = parseConfig({ identities: [{ id: name, network: { lanDiscovery: false, ...overrides } }] }).identities[0]!.network;
  const node = new ToxNode({ env: { scheduler, random: new CryptoRandom(), net, log: silentLogger() }, profilePath: join(dir, `${name}.tox`), network, initial: { name } });
  cleanups.push(async () => {
    await node.stop();
    await net.close();
  });
  await node.start();
  return node;
}
