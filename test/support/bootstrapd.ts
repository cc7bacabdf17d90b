// tox-bootstrapd (toxcore-utils, c-toxcore 0.2.18) as a child process for interop tests.
// Owns: the generated config (free UDP/TCP ports, keys and pid file in a private temp dir, no
// IPv6, no LAN discovery, no MOTD, no bootstrap_nodes), startup (public key from the
// `Public Key: <hex>` line or the 64-byte keys file, ports bound per /proc/net), and teardown
// (also on process exit, so a crashed test run leaves no daemon behind).
// The daemon binds 0.0.0.0: startBootstrapd() refuses to run outside a loopback-only network
// namespace (see netns.ts).

import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertPrivateNetwork } from './netns.js';
import { freeTcpPort, freeUdpPort } from './ports.js';

export interface BootstrapdOptions {
  /** Run the TCP relay (enable_tcp_relay); default true. */
  tcpRelay?: boolean;
  /** Serve the TCP relay on the UDP port number (as public nodes do with 33445); default false. */
  samePort?: boolean;
  /** Give up when the daemon is not ready within this time; default 10 s. */
  startupTimeoutMs?: number;
}

export interface Bootstrapd {
  /** DHT (UDP) port on 0.0.0.0. */
  readonly udpPort: number;
  /** TCP relay port, or null when started with tcpRelay: false. */
  readonly tcpPort: number | null;
  /** The daemon's key: it is both its DHT id (for tox_bootstrap) and its TCP relay key. */
  readonly publicKey: Uint8Array;
  /** Everything the daemon printed so far (stdout and stderr). */
  output(): string;
  /** Kills the daemon (SIGTERM, then SIGKILL after 5 s) and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
}

const BINARY = 'tox-bootstrapd';

function findBinary(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, BINARY);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this PATH entry
    }
  }
  return null;
}

/**
 * True when tox-bootstrapd is on PATH; false outside CI when it is missing (tests then skip).
 * With CI=true a missing daemon throws: in CI it is a failure, never a skip.
 */
export function requireBootstrapd(): boolean {
  if (findBinary() !== null) return true;
  if (process.env.CI === 'true') throw new Error(`${BINARY} is not on PATH in CI`);
  return false;
}

function config(dir: string, udpPort: number, tcpPort: number, tcpRelay: boolean): string {
  return [
    `port = ${udpPort}`,
    `keys_file_path = "${join(dir, 'keys')}"`,
    `pid_file_path = "${join(dir, 'pid')}"`,
    'enable_ipv6 = false',
    'enable_ipv4_fallback = true',
    'enable_lan_discovery = false',
    `enable_tcp_relay = ${tcpRelay}`,
    `tcp_relay_ports = [${tcpPort}]`,
    'enable_motd = false',
    '',
  ].join('\n');
}

/** Local ports in /proc/net/{udp,tcp} of this network namespace; TCP only in LISTEN (0A). */
function boundPorts(proto: 'udp' | 'tcp'): Set<number> {
  const ports = new Set<number>();
  for (const line of readFileSync(`/proc/net/${proto}`, 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    if (local === undefined || (proto === 'tcp' && fields[3] !== '0A')) continue;
    const port = local.split(':')[1];
    if (port !== undefined) ports.add(Number.parseInt(port, 16));
  }
  return ports;
}

function keysFilePublicKey(path: string): Uint8Array | null {
  try {
    const keys = readFileSync(path);
    return keys.length === 64 ? Uint8Array.from(keys.subarray(0, 32)) : null;
  } catch {
    return null;
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Starts tox-bootstrapd on free ports and resolves once it is ready. */
export async function startBootstrapd(options: BootstrapdOptions = {}): Promise<Bootstrapd> {
  assertPrivateNetwork(BINARY);
  const tcpRelay = options.tcpRelay ?? true;
  const timeoutMs = options.startupTimeoutMs ?? 10_000;
  const binary = findBinary();
  if (binary === null) throw new Error(`${BINARY} is not on PATH`);

  const dir = mkdtempSync(join(tmpdir(), 'tocsin-bootstrapd-'));
  const udpPort = await freeUdpPort();
  const tcpPort = options.samePort === true ? udpPort : await freeTcpPort();
  const configPath = join(dir, 'tox-bootstrapd.conf');
  writeFileSync(configPath, config(dir, udpPort, tcpPort, tcpRelay));

  let log = '';
  let spawnError: Error | null = null;
  const child = spawn(binary, ['--config', configPath, '--foreground', '--log-backend=stdout'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { log += chunk; });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { log += chunk; });
  child.on('error', (error) => { spawnError = error; });

  // If this process ends without stop() (crash, forgotten teardown), do not orphan the daemon.
  const onExit = (): void => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= terminate(child).finally(() => {
      process.off('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    });
    return stopping;
  };

  try {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (spawnError !== null) throw spawnError;
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${BINARY} exited during startup (${child.exitCode ?? child.signalCode})`);
      }
      const printed = /Public Key: ([0-9A-Fa-f]{64})/.exec(log)?.[1];
      const publicKey = printed !== undefined
        ? Uint8Array.from(Buffer.from(printed, 'hex'))
        : keysFilePublicKey(join(dir, 'keys'));
      const ready = publicKey !== null && boundPorts('udp').has(udpPort)
        && (!tcpRelay || boundPorts('tcp').has(tcpPort));
      if (ready) {
        return { udpPort, tcpPort: tcpRelay ? tcpPort : null, publicKey, output: () => log, stop };
      }
      if (performance.now() > deadline) throw new Error(`${BINARY} not ready after ${timeoutMs} ms`);
      await sleep(10);
    }
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- ${BINARY} output ---\n${log}`, { cause: error });
  }
}
