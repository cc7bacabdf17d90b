import { describe, expect, it } from 'vitest';
import { SeededRandom, concatBytes, utf8Encode } from '../../../src/base/index.js';
import { secretboxOpen } from '../../../src/crypto/index.js';
import {
  ENCRYPTION_EXTRA_LENGTH,
  EncryptedDataError,
  decryptData,
  derivePassKey,
  encryptData,
  isEncryptedData,
} from '../../../src/storage/index.js';

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(EncryptedDataError);
  await expect(promise).rejects.toMatchObject({ code });
}

describe('toxEsave', () => {
  const plain = utf8Encode('savedata goes here');

  it('lays out magic, salt from Random, nonce from Random, then the secretbox', async () => {
    const sealed = await encryptData(plain, 'hunter2', new SeededRandom(1));
    const random = new SeededRandom(1);
    const salt = random.bytes(32);
    const nonce = random.bytes(24);
    expect(sealed.length).toBe(plain.length + ENCRYPTION_EXTRA_LENGTH);
    expect(ENCRYPTION_EXTRA_LENGTH).toBe(80);
    expect(Buffer.from(sealed.subarray(0, 8)).toString('latin1')).toBe('toxEsave');
    expect(sealed.subarray(8, 40)).toEqual(salt);
    expect(sealed.subarray(40, 64)).toEqual(nonce);
    const key = await derivePassKey('hunter2', salt);
    expect(secretboxOpen(key, nonce, sealed.subarray(64))).toEqual(plain);
  });

  it('round-trips with string, byte and empty passphrases', async () => {
    for (const pass of ['pässwörd', utf8Encode('bytes'), '']) {
      const sealed = await encryptData(plain, pass, new SeededRandom(2));
      expect(isEncryptedData(sealed)).toBe(true);
      expect(await decryptData(sealed, pass)).toEqual(plain);
    }
  });

  it('treats a string passphrase as its UTF-8 bytes', async () => {
    const sealed = await encryptData(plain, 'ünï', new SeededRandom(3));
    expect(await decryptData(sealed, utf8Encode('ünï'))).toEqual(plain);
  });

  it('derives the key as scrypt(SHA-256(passphrase), salt, N=16384, r=8, p=2)', async () => {
    const { createHash, scryptSync } = await import('node:crypto');
    const salt = new Uint8Array(32).fill(7);
    const expected = scryptSync(createHash('sha256').update('pw').digest(), salt, 32, { N: 16384, r: 8, p: 2, maxmem: 64 << 20 });
    expect(await derivePassKey('pw', salt)).toEqual(new Uint8Array(expected));
  });

  it('reports a wrong passphrase and damaged ciphertext as WRONG_PASSPHRASE', async () => {
    const sealed = await encryptData(plain, 'right', new SeededRandom(4));
    await expectCode(decryptData(sealed, 'wrong'), 'WRONG_PASSPHRASE');
    const damaged = sealed.slice();
    damaged[damaged.length - 1]! ^= 1;
    await expectCode(decryptData(damaged, 'right'), 'WRONG_PASSPHRASE');
  });

  it('reports short data and a missing magic by their own codes', async () => {
    const sealed = await encryptData(plain, 'pw', new SeededRandom(5));
    await expectCode(decryptData(sealed.subarray(0, ENCRYPTION_EXTRA_LENGTH), 'pw'), 'ENCRYPTED_TOO_SHORT');
    await expectCode(decryptData(concatBytes(utf8Encode('TOXeSAVE'), sealed.subarray(8)), 'pw'), 'ENCRYPTED_BAD_MAGIC');
    await expectCode(encryptData(new Uint8Array(0), 'pw', new SeededRandom(6)), 'EMPTY_PLAINTEXT');
  });

  it('detects the magic only at the start', () => {
    expect(isEncryptedData(utf8Encode('toxEsav'))).toBe(false);
    expect(isEncryptedData(utf8Encode('xtoxEsave'))).toBe(false);
    expect(isEncryptedData(utf8Encode('toxEsave'))).toBe(true);
  });
});
