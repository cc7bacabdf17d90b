// Test I/O for the CLI: captured stdout/stderr and a stdin fed from a string (not a terminal),
// so commands run in-process through `main(argv, io)` without a child process.
import { Readable } from 'node:stream';
import type { CliIo } from '../../../../src/runtime/cli/common.js';

export interface TestIo extends CliIo {
  out(): string;
  err(): string;
}

export function testIo(options: { stdin?: string; env?: Record<string, string> } = {}): TestIo {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
    env: options.env ?? {},
    out: () => out,
    err: () => err,
  };
}
