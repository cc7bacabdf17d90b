// Re-runs the current command inside a private network namespace (only `lo`,
// brought up), so Tox nodes started by tests and benches cannot reach any other
// machine. Returns normally when already inside one (TOCSIN_NETNS=1) or when no
// namespace can be made (then `insideNetns()` is false and callers decide).
import { spawnSync } from 'node:child_process';

function canUnshare(flags) {
  return spawnSync('unshare', [...flags, 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' }).status === 0;
}

export function insideNetns() {
  return process.env.TOCSIN_NETNS === '1';
}

/** Exits with the child's status after running argv inside a new namespace, if one can be made. */
export function reexecInNetns(argv = [process.execPath, ...process.execArgv, ...process.argv.slice(1)]) {
  if (insideNetns()) return;
  const flags = [['-n'], ['-r', '-n']].find(canUnshare);
  if (!flags) return;
  const child = spawnSync('unshare', [...flags, 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', ...argv], {
    stdio: 'inherit',
    env: { ...process.env, TOCSIN_NETNS: '1' },
  });
  process.exit(child.status ?? 1);
}
