/**
 * Layering (architecture C2): the real src/ and plugins/ trees obey the layer
 * table, entry points, banned globals and built-in module rules. The checker
 * itself is first run on small synthetic trees so it is known to catch things.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkFiles, formatViolations, importClosure, loadSources, type SourceFile } from './import-rules.js';

/** `file:line:rule` for each violation in a synthetic tree given as path → source. */
function check(tree: Record<string, string>): string[] {
  const files: SourceFile[] = Object.entries(tree).map(([path, text]) => ({ path, text }));
  return checkFiles(files).map((v) => `${v.file}:${v.line}:${v.rule}`);
}

const TIME_AND_RANDOMNESS = [
  'Date.now();',
  'new Date(0);',
  'performance.now();',
  'setTimeout(f, 1);',
  'setInterval(f, 1);',
  'setImmediate(f);',
  'Math.random();',
  'crypto.getRandomValues(b);',
  'randomBytes(4);',
  'randomFillSync(b);',
].join('\n');

describe('import-rules checker (synthetic trees)', () => {
  it('accepts allowed edges, index entry points and intra-layer imports', () => {
    expect(check({
      'src/dht/dht.ts': "import { a } from '../net/index.js';\nimport type { B } from '../crypto/index.js';\nimport { c } from './wire/ping.js';\nimport { createHash } from 'node:crypto';",
      'src/runtime/node.ts': "import { udp } from '../net/node/index.js';\nimport { sim } from '../net/sim/index.js';\nimport { kv } from '../storage/index.js';",
      'src/net/sim/host.ts': "import { x } from '../node/udp.js';\nimport { y } from '../address.js';",
      'src/net/node/udp.ts': "import { createSocket } from 'node:dgram';",
      'src/storage/file-kv.ts': "import { writeFile } from 'node:fs/promises';",
      'plugins/echo/index.ts': "import { definePlugin } from '../../src/runtime/sdk/index.js';\nimport { helper } from './helper.js';",
    })).toEqual([]);
  });

  it('reports edges the layer table does not allow, in every import form', () => {
    expect(check({
      'src/netcrypto/a.ts': "import { Dht } from '../dht/index.js';",
      'src/binary/b.ts': "// header\nimport type { Key } from '../crypto/index.js';",
      'src/base/c.ts': "export * from '../binary/index.js';\nimport '../net/index.js';\nconst m = await import('../crypto/index.js');",
      'src/dht/d.ts': "import { tcp } from '../tcp/index.js';\nimport { s } from '../../test/support/x.js';",
    })).toEqual([
      'src/base/c.ts:1:layer', 'src/base/c.ts:2:layer', 'src/base/c.ts:3:layer',
      'src/binary/b.ts:2:layer',
      'src/dht/d.ts:1:layer', 'src/dht/d.ts:2:layer',
      'src/netcrypto/a.ts:1:layer',
    ]);
  });

  it('reports imports that bypass a layer index and misuse of the net/node and net/sim entry points', () => {
    expect(check({
      'src/onion/a.ts': "import { Ping } from '../dht/wire/ping.js';",
      'src/dht/b.ts': "import { udp } from '../net/node/index.js';\nimport { sim } from '../net/sim/index.js';",
      'src/runtime/c.ts': "import { UdpSocket } from '../net/node/udp.js';",
    })).toEqual(['src/dht/b.ts:1:entry-point', 'src/dht/b.ts:2:entry-point', 'src/onion/a.ts:1:entry-point', 'src/runtime/c.ts:1:entry-point']);
  });

  it('reports real time and randomness outside src/base, ignoring comments, strings and regexes', () => {
    const violations = check({ 'src/dht/t.ts': TIME_AND_RANDOMNESS, 'src/base/t.ts': TIME_AND_RANDOMNESS });
    expect(violations).toEqual(TIME_AND_RANDOMNESS.split('\n').map((_, i) => `src/dht/t.ts:${i + 1}:banned-global`));
    expect(check({
      'src/net/quiet.ts': [
        '// Date.now() is banned; so is setTimeout',
        '/* Math.random() */ const a = 1;',
        "const s = 'performance.now()' + \"setInterval\" + `randomBytes`;",
        "const doc = \"import x from '../dht/wire/x.js'\";",
        "const re = /Date.now|'/; const t = x / 2; // setImmediate",
      ].join('\n'),
      'src/net/loud.ts': "const re = /'/;\nconst t = `${Date.now()}`;\nconst u = `a${`b${Math.random()}`}c`; setTimeout(f);",
    })).toEqual(['src/net/loud.ts:2:banned-global', 'src/net/loud.ts:3:banned-global', 'src/net/loud.ts:3:banned-global']);
  });

  it('reports socket and fs built-ins outside their owners', () => {
    expect(check({
      'src/dht/a.ts': "import dgram from 'node:dgram';\nimport { Socket } from 'net';",
      'src/net/sim/b.ts': "import { createServer } from 'node:net';",
      'src/crypto/c.ts': "import { readFile } from 'node:fs';\nimport fs from 'fs/promises';",
      'src/runtime/d.ts': "import { readFile } from 'node:fs';",
    })).toEqual(['src/crypto/c.ts:1:node-builtin', 'src/crypto/c.ts:2:node-builtin', 'src/dht/a.ts:1:node-builtin', 'src/dht/a.ts:2:node-builtin', 'src/net/sim/b.ts:1:node-builtin']);
  });

  it('reports plugins reaching past the SDK, and src folders that are not layers', () => {
    expect(check({
      'plugins/echo/index.ts': "import { Scope } from '../../src/base/index.js';\nimport { host } from '../../src/runtime/bot/host.js';\nsetTimeout(f, 5);",
      'src/widgets/w.ts': 'export const w = 1;',
    })).toEqual(['plugins/echo/index.ts:1:plugin', 'plugins/echo/index.ts:2:plugin', 'plugins/echo/index.ts:3:banned-global', 'src/widgets/w.ts:1:unknown-location']);
  });

  it('lets plugin files (their tests included) import the SDK and its test kits, and nothing else of src', () => {
    expect(check({
      'plugins/echo/index.ts': "import { definePlugin } from '../../src/runtime/sdk/index.js';",
      'plugins/echo/echo.test.ts': [
        "import { conferenceId } from '../../src/runtime/sdk/index.js';",
        "import { createTestBot, MemoryBotNode } from '../../src/runtime/sdk/testing.js';",
        "import type { TestNetwork } from '../../src/runtime/sdk/testing';",
        "import echo from './index.js';",
      ].join('\n'),
    })).toEqual([]);
    expect(check({
      'plugins/echo/echo.test.ts': [
        "import { MemoryBotNode } from '../../src/runtime/bot/testing.js';",
        "import { createTestNetwork } from '../../src/runtime/testing/network.js';",
        "import { SimNetwork } from '../../src/net/sim/index.js';",
        "import { x } from '../../src/runtime/sdk/other.js';",
        "import { y } from '../other-plugin/index.js';",
      ].join('\n'),
    })).toEqual([1, 2, 3, 4, 5].map((line) => `plugins/echo/echo.test.ts:${line}:plugin`));
  });
});

describe('the source tree', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const files = loadSources(root, ['src', 'plugins']);

  it('is found by the loader', () => {
    const layers = new Set(files.map((f) => f.path.split('/')[1]));
    for (const layer of ['base', 'binary', 'crypto', 'net']) expect(layers.has(layer), layer).toBe(true);
  });

  it('obeys the layering rules', () => {
    const violations = checkFiles(files);
    expect(violations, formatViolations(violations)).toEqual([]);
  });

  it('keeps the plugin SDK free of the test kits: sdk/index.ts never reaches the simulated network', () => {
    const isTestKit = (path: string): boolean =>
      path.startsWith('src/runtime/testing/') || path.startsWith('src/net/sim/') || path === 'src/runtime/bot/testing.ts' || path === 'src/runtime/sdk/testing.ts';
    const sdk = importClosure(root, 'src/runtime/sdk/index.ts');
    expect(sdk).toContain('src/runtime/bot/plugin.ts');
    expect(sdk.filter(isTestKit)).toEqual([]);
    // The walk does find them when they are there.
    const kit = importClosure(root, 'src/runtime/sdk/testing.ts');
    for (const path of ['src/runtime/bot/testing.ts', 'src/runtime/testing/network.ts', 'src/runtime/testing/test-peer.ts', 'src/net/sim/index.ts']) expect(kit).toContain(path);
  });
});
