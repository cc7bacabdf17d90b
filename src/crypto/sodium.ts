/**
 * The libsodium-wrappers instance. It is loaded once (`await initCrypto()`),
 * after which every primitive in this layer is synchronous. The WebAssembly
 * module itself is process-wide and immutable once ready; no node state lives here.
 */
import sodiumModule from 'libsodium-wrappers';
import { ToxError } from '../base/index.js';

type Sodium = typeof sodiumModule;

let ready = false;

/** Resolves once libsodium is usable; safe to call any number of times. */
export async function initCrypto(): Promise<void> {
  await sodiumModule.ready;
  ready = true;
}

export function sodium(): Sodium {
  if (!ready) throw new ToxError('CRYPTO_NOT_READY', 'call `await initCrypto()` before using crypto');
  return sodiumModule;
}
