/** Public-mode bootstrap from a nodes.tox.chat-style file: IP literals used as they are, host names resolved, bad entries skipped. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNodesFile } from '../../../src/runtime/config/index.js';

const KEY_A = 'A'.repeat(64);
const KEY_B = 'B'.repeat(64);

function file(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tocsin-nodes-')), 'nodes.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('nodes file', () => {
  it('turns entries into bootstrap nodes, resolving host names and skipping bad or UDP-down ones', async () => {
    const path = file({
      last_scan: 0,
      nodes: [
        { ipv4: '203.0.113.7', ipv6: '2001:db8::7', port: 33445, public_key: KEY_A, status_udp: true },
        { ipv4: 'node.example', ipv6: '-', port: 443, public_key: KEY_B, status_udp: true },
        { ipv4: '203.0.113.8', port: 33445, public_key: 'not a key' },
        { ipv4: '203.0.113.9', port: 33445, public_key: KEY_A, status_udp: false },
        { ipv4: 'unresolvable.example', port: 1, public_key: KEY_B },
      ],
    });
    const resolve = async (host: string): Promise<string> => {
      if (host === 'node.example') return '198.51.100.4';
      throw new Error('ENOTFOUND');
    };
    const result = await readNodesFile(path, { resolve });
    expect(result.nodes).toEqual([
      { host: '203.0.113.7', port: 33445, publicKey: KEY_A, tcpPorts: [] },
      { host: '198.51.100.4', port: 443, publicKey: KEY_B, tcpPorts: [] },
    ]);
    expect(result.skipped).toBe(3);
    const withV6 = await readNodesFile(path, { resolve, ipv6: true });
    expect(withV6.nodes.map((n) => n.host)).toContain('2001:db8::7');
  });

  it('names a missing or malformed file with a code', async () => {
    await expect(readNodesFile('/nonexistent/nodes.json')).rejects.toMatchObject({ code: 'NODES_FILE_NOT_FOUND' });
    await expect(readNodesFile(file('{ nope'))).rejects.toMatchObject({ code: 'NODES_FILE_INVALID' });
    await expect(readNodesFile(file({ servers: [] }))).rejects.toMatchObject({ code: 'NODES_FILE_INVALID' });
  });
});
