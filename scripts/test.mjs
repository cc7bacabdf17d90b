#!/usr/bin/env node
// Runs the whole test suite the way CI does: inside a private network namespace
// (only `lo`, so nothing a test starts can reach another machine), with vitest's
// JSON report turned into a closing `N passed, N failed` line.
// Usage: node scripts/test.mjs [vitest args...]
import { spawnSync } from 'node:child_process';
import { insideNetns, reexecInNetns } from './netns.mjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const summaryFile = process.env.TOCSIN_SUMMARY_FILE;

reexecInNetns();
if (!insideNetns()) {
  if (process.env.CI === 'true') {
    console.error('tocsin test: cannot create a private network namespace (unshare -n); CI refuses to run interop tests outside one.');
    process.exit(1);
  }
  console.error('tocsin test: no private network namespace available (needs root or user namespaces); interop tests that start Tox nodes will be skipped.');
}

const dir = mkdtempSync(join(tmpdir(), 'tocsin-test-'));
const report = join(dir, 'vitest.json');
const run = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args],
  { stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests ?? 0;
  skipped = (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
  failed = json.numFailedTests ?? 0;
  // A file that fails to load has no failed test inside it but must still count.
  for (const file of json.testResults ?? []) {
    const anyFailed = (file.assertionResults ?? []).some((t) => t.status === 'failed');
    if (file.status === 'failed' && !anyFailed) failed++;
  }
} catch (err) {
  console.error(`tocsin test: no vitest JSON report (${err.message})`);
  failed = Math.max(failed, 1);
}
rmSync(dir, { recursive: true, force: true });

const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
if (summaryFile) writeFileSync(summaryFile, line + '\n');
console.log(line);
process.exit(failed > 0 || run.status !== 0 ? 1 : 0);
