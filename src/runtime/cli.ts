/**
 * The `tocsin` executable (run through tsx by scripts/tocsin.mjs and `npm
 * start`): runs `main` from cli/main.ts on the process's arguments, streams
 * and environment, and exits with its code. The commands live in cli/.
 */
import { resolve } from 'node:path';
import { main } from './cli/main.js';

export { main };

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === new URL(`file://${resolve(process.argv[1])}`).href;
if (invokedDirectly) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }).then(
    (code) => {
      if (code !== 0) process.exit(code);
    },
    (err: unknown) => {
      process.stderr.write(`tocsin: ${String(err)}\n`);
      process.exit(1);
    },
  );
}
