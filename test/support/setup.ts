/** Per-file test setup: libsodium must be ready before any crypto call. */
import { beforeAll } from 'vitest';
import { initCrypto } from '../../src/crypto/index.js';

beforeAll(async () => {
  await initCrypto();
});
