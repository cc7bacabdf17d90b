/**
 * Bootstrap node lists in the JSON format Tox clients download (nodes.tox.chat:
 * `{ "nodes": [{ "ipv4", "ipv6", "port", "public_key", ... }] }`). Entries with
 * IP literals become ready-to-use nodes; host names are returned separately for
 * the runtime to resolve.
 */
import { z } from 'zod';
import { InvalidArgumentError, fromHex } from '../base/index.js';
import type { DhtPublicKey } from '../crypto/index.js';
import { ipPort, parseIp, type PackedNode } from '../net/index.js';

const nodeSchema = z.object({
  ipv4: z.string().optional(),
  ipv6: z.string().optional(),
  port: z.number().int().min(1).max(65535),
  public_key: z.string().regex(/^[0-9a-fA-F]{64}$/),
  status_udp: z.boolean().optional(),
});
const fileSchema = z.object({ nodes: z.array(z.unknown()) });

export interface UnresolvedBootstrapNode {
  host: string;
  port: number;
  publicKey: DhtPublicKey;
}

export interface BootstrapNodeList {
  nodes: PackedNode[];
  hostnames: UnresolvedBootstrapNode[];
  /** Entries that did not parse (skipped). */
  skipped: number;
}

/** Parses a nodes JSON document (text or already-parsed value). Bad entries are skipped; a bad document throws. */
export function parseBootstrapNodesJson(json: string | unknown, options: { ipv6?: boolean; onlyUdpUp?: boolean } = {}): BootstrapNodeList {
  let doc: unknown = json;
  if (typeof json === 'string') {
    try {
      doc = JSON.parse(json);
    } catch (err) {
      throw new InvalidArgumentError('bootstrap nodes list is not JSON', { error: String(err) });
    }
  }
  const file = fileSchema.safeParse(doc);
  if (!file.success) throw new InvalidArgumentError('bootstrap nodes list has no "nodes" array');
  const out: BootstrapNodeList = { nodes: [], hostnames: [], skipped: 0 };
  for (const raw of file.data.nodes) {
    const parsed = nodeSchema.safeParse(raw);
    if (!parsed.success || (options.onlyUdpUp && parsed.data.status_udp === false)) {
      out.skipped++;
      continue;
    }
    const { port } = parsed.data;
    const publicKey = fromHex(parsed.data.public_key) as DhtPublicKey;
    const hosts = [parsed.data.ipv4, options.ipv6 ? parsed.data.ipv6 : undefined];
    for (const host of hosts) {
      if (host === undefined || host === '' || host === '-') continue;
      if (parseIp(host)) out.nodes.push({ transport: 'udp', address: ipPort(host, port), publicKey });
      else out.hostnames.push({ host, port, publicKey });
    }
  }
  return out;
}
