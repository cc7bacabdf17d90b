/**
 * Bootstrap nodes from a nodes file in the JSON format Tox clients download
 * (nodes.tox.chat style), for identities in public mode: IP literals are used
 * as they are, host names are resolved with the system resolver. Entries that
 * do not parse or resolve are skipped (and counted), like Tox clients do.
 */
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { ToxError, toHex } from '../../base/index.js';
import { parseBootstrapNodesJson } from '../../dht/index.js';
import type { BootstrapNodeConfig } from './schema.js';

export interface NodesFileResult {
  nodes: BootstrapNodeConfig[];
  skipped: number;
}

export type HostResolver = (host: string) => Promise<string>;

const systemResolver: HostResolver = async (host) => (await lookup(host)).address;

export async function readNodesFile(path: string, options: { ipv6?: boolean; resolve?: HostResolver } = {}): Promise<NodesFileResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ToxError('NODES_FILE_NOT_FOUND', `${path}: cannot read the nodes file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { path });
  }
  let list;
  try {
    list = parseBootstrapNodesJson(text, { ipv6: options.ipv6 ?? false, onlyUdpUp: true });
  } catch (err) {
    throw new ToxError('NODES_FILE_INVALID', `${path}: ${(err as Error).message}`, { path });
  }
  const nodes: BootstrapNodeConfig[] = list.nodes.map((n) => ({ host: n.address.ip, port: n.address.port, publicKey: toHex(n.publicKey, true), tcpPorts: [] }));
  let skipped = list.skipped;
  const resolve = options.resolve ?? systemResolver;
  for (const named of list.hostnames) {
    try {
      nodes.push({ host: await resolve(named.host), port: named.port, publicKey: toHex(named.publicKey, true), tcpPorts: [] });
    } catch {
      skipped++;
    }
  }
  return { nodes, skipped };
}
