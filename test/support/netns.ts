// Guard for the rule "Tox nodes and tox-bootstrapd run only inside a private network namespace"
// (unshare -n: only `lo` exists, so LAN discovery, DHT or relay traffic cannot leave the machine).
// Owns: detecting non-loopback interfaces of this process's namespace and the CI rule for it.

import { networkInterfaces } from 'node:os';

const HINT = "run inside a private network namespace: unshare -n sh -c 'ip link set lo up && exec …'";

/** Names of interfaces with a non-internal address (none inside `unshare -n`). */
export function externalInterfaces(): string[] {
  return Object.entries(networkInterfaces())
    .filter(([, addresses]) => (addresses ?? []).some((address) => !address.internal))
    .map(([name]) => name);
}

/** Throws unless this process is in a loopback-only network namespace. */
export function assertPrivateNetwork(what: string): void {
  const external = externalInterfaces();
  if (external.length > 0) {
    throw new Error(`refusing to start ${what} with external interfaces (${external.join(', ')}); ${HINT}`);
  }
}

/**
 * True inside a loopback-only namespace; false outside it (interop tests then skip). With
 * CI=true, being outside throws: in CI that is a failure, never a skip.
 */
export function requirePrivateNetwork(): boolean {
  if (externalInterfaces().length === 0) return true;
  if (process.env.CI === 'true') assertPrivateNetwork('c-toxcore interop tests');
  return false;
}
