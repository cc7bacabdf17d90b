// Public entry point of the c-toxcore instance wrapper: ToxcoreInstance = core + friends + files
// + conferences, plus creation from options and a real-time "iterate until" helper.
// Owns: the Tox_Options mapping (safe loopback defaults: UDP on, IPv6 off, local discovery OFF,
// a free OS-assigned UDP port instead of c-toxcore's default 33445.. range, no TCP server).
// create() refuses to run outside a loopback-only network namespace (see ../netns.ts).

import { setTimeout as sleep } from 'node:timers/promises';
import koffi from 'koffi';
import type { Ptr, ToxcoreFns } from './bindings.js';
import { SavedataType, ToxcoreError, withError } from './constants.js';
import { ToxcoreConferences } from './conferences.js';
import { keyBytes } from './core.js';
import { toxcore } from './lib.js';
import { assertPrivateNetwork } from '../netns.js';
import { freeUdpPort } from '../ports.js';

export interface ToxcoreOptions {
  /** Default true. */
  udp?: boolean;
  /** Default false. */
  ipv6?: boolean;
  /** Default FALSE (c-toxcore's default is on, and it broadcasts off-box). */
  localDiscovery?: boolean;
  /** Default: a free UDP port from the OS. */
  startPort?: number;
  /** Default: startPort. */
  endPort?: number;
  /** TCP relay server port; default 0 (no server). */
  tcpPort?: number;
  /** c-toxcore's default when omitted (true). */
  holePunching?: boolean;
  /** c-toxcore's default when omitted (true). */
  dhtAnnouncements?: boolean;
  /** A tox_get_savedata blob (TOX_SAVEDATA_TYPE_TOX_SAVE). Exclusive with secretKey. */
  savedata?: Uint8Array;
  /** A 32-byte secret key (TOX_SAVEDATA_TYPE_SECRET_KEY). Exclusive with savedata. */
  secretKey?: Uint8Array;
}

export interface IterateUntilOptions {
  timeoutMs: number;
  /** Pause between passes; default 1 ms. */
  intervalMs?: number;
  /** Used in the timeout error message. */
  what?: string;
}

/** Copies savedata into C memory: tox_options_set_savedata_data keeps the pointer until tox_new. */
function toCMemory(bytes: Uint8Array): Ptr {
  const ptr = koffi.alloc('uint8_t', Math.max(1, bytes.length)) as Ptr;
  new Uint8Array(koffi.view(ptr, bytes.length)).set(bytes);
  return ptr;
}

function newTox(fn: ToxcoreFns, o: ToxcoreOptions, startPort: number, endPort: number): Ptr {
  if (o.savedata !== undefined && o.secretKey !== undefined) {
    throw new TypeError('savedata and secretKey are mutually exclusive');
  }
  const options = withError('TOX_ERR_OPTIONS_NEW', 'tox_options_new', (e) => fn.tox_options_new(e));
  if (options === null) throw new Error('tox_options_new returned NULL');
  let data: Ptr | null = null;
  try {
    fn.tox_options_set_udp_enabled(options, o.udp ?? true);
    fn.tox_options_set_ipv6_enabled(options, o.ipv6 ?? false);
    fn.tox_options_set_local_discovery_enabled(options, o.localDiscovery ?? false);
    if (o.holePunching !== undefined) fn.tox_options_set_hole_punching_enabled(options, o.holePunching);
    if (o.dhtAnnouncements !== undefined) fn.tox_options_set_dht_announcements_enabled(options, o.dhtAnnouncements);
    fn.tox_options_set_start_port(options, startPort);
    fn.tox_options_set_end_port(options, endPort);
    fn.tox_options_set_tcp_port(options, o.tcpPort ?? 0);
    const blob = o.savedata ?? (o.secretKey === undefined ? undefined : keyBytes(o.secretKey, 32, 'secret key'));
    if (blob !== undefined) {
      data = toCMemory(blob);
      fn.tox_options_set_savedata_type(options, o.savedata !== undefined ? SavedataType.TOX_SAVE : SavedataType.SECRET_KEY);
      fn.tox_options_set_savedata_data(options, data, blob.length);
    }
    const tox = withError('TOX_ERR_NEW', 'tox_new', (e) => fn.tox_new(options, e));
    if (tox === null) throw new Error('tox_new returned NULL');
    return tox;
  } finally {
    fn.tox_options_free(options);
    if (data !== null) koffi.free(data);
  }
}

export class ToxcoreInstance extends ToxcoreConferences {
  /**
   * tox_new with loopback-safe defaults. Errors are ToxcoreError with the TOX_ERR_NEW_* name.
   * When the port was picked here and got taken meanwhile (PORT_ALLOC), retries with a new one.
   */
  static async create(options: ToxcoreOptions = {}): Promise<ToxcoreInstance> {
    assertPrivateNetwork('a c-toxcore instance');
    const lib = toxcore();
    for (let attempt = 1; ; attempt++) {
      const startPort = options.startPort ?? (await freeUdpPort());
      const endPort = options.endPort ?? startPort;
      try {
        return new ToxcoreInstance(lib, newTox(lib.fn, options, startPort, endPort));
      } catch (error) {
        const retry = options.startPort === undefined && attempt < 3
          && error instanceof ToxcoreError && error.codeName === 'TOX_ERR_NEW_PORT_ALLOC';
        if (!retry) throw error;
      }
    }
  }

  /**
   * Iterates every live instance, then checks `predicate`, until it holds or `timeoutMs` of real
   * time has passed (then throws). Returns the elapsed milliseconds.
   */
  static async iterateUntil(
    instances: Iterable<ToxcoreInstance>,
    predicate: () => boolean,
    { timeoutMs, intervalMs = 1, what = 'condition' }: IterateUntilOptions,
  ): Promise<number> {
    const list = [...instances];
    const start = performance.now();
    for (;;) {
      for (const instance of list) if (!instance.killed) instance.iterate();
      const elapsed = performance.now() - start;
      if (predicate()) return elapsed;
      if (elapsed > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(intervalMs);
    }
  }
}
