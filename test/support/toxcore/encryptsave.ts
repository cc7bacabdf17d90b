// toxencryptsave through libtoxcore.so.2: passphrase encryption of savedata blobs, the
// reference for a TS implementation ("toxEsave" magic, salt, nonce, secretbox; +80 bytes).
// Owns: toxPassEncrypt / toxPassDecrypt / toxIsDataEncrypted; errors carry TOX_ERR_* names.

import { withError } from './constants.js';
import { utf8 } from './core.js';
import { toxcore } from './lib.js';

/** TOX_PASS_ENCRYPTION_EXTRA_LENGTH */
export const PASS_ENCRYPTION_EXTRA_LENGTH = 80;

export function toxPassEncrypt(data: Uint8Array, passphrase: string | Uint8Array): Uint8Array {
  const { fn } = toxcore();
  const pass = utf8(passphrase);
  const out = new Uint8Array(data.length + PASS_ENCRYPTION_EXTRA_LENGTH);
  withError('TOX_ERR_ENCRYPTION', 'tox_pass_encrypt', (e) =>
    fn.tox_pass_encrypt(data, data.length, pass, pass.length, out, e));
  return out;
}

export function toxPassDecrypt(data: Uint8Array, passphrase: string | Uint8Array): Uint8Array {
  const { fn } = toxcore();
  const pass = utf8(passphrase);
  // Short input: let c-toxcore report TOX_ERR_DECRYPTION_INVALID_LENGTH without a negative size.
  const out = new Uint8Array(Math.max(0, data.length - PASS_ENCRYPTION_EXTRA_LENGTH));
  withError('TOX_ERR_DECRYPTION', 'tox_pass_decrypt', (e) =>
    fn.tox_pass_decrypt(data, data.length, pass, pass.length, out, e));
  return out;
}

/** tox_is_data_encrypted (checks the 8-byte "toxEsave" magic); false for shorter input. */
export function toxIsDataEncrypted(data: Uint8Array): boolean {
  if (data.length < 8) return false;
  return toxcore().fn.tox_is_data_encrypted(data);
}
