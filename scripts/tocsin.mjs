#!/usr/bin/env node
// The `tocsin` bin: runs the TypeScript CLI through tsx.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const child = spawnSync(process.execPath, [tsx, join(root, 'src/runtime/cli.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(child.status ?? 1);
