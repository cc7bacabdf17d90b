/**
 * Crypto bench: precomputed box + open (crypto_box_easy_afternm and its open)
 * through src/crypto (libsodium-wrappers, WebAssembly) against native libsodium
 * called through koffi, same process, same run.
 */
import { CryptoRandom } from '../../src/base/index.js';
import { generateKeyPair, open, precompute, randomNonce, seal } from '../../src/crypto/index.js';
import { nativeSodium } from '../../test/support/native-sodium.js';
import { medianOf, opsPerSecond, type BenchRow } from './measure.js';

export async function cryptoBench(runs: number): Promise<BenchRow[]> {
  const random = new CryptoRandom();
  const a = generateKeyPair(random);
  const b = generateKeyPair(random);
  const ours = precompute(b.publicKey, a.secretKey);
  const native = nativeSodium();
  const nativeKey = native.boxBeforenm(b.publicKey, a.secretKey);
  const rows: BenchRow[] = [];
  for (const size of [100, 1024]) {
    const plain = random.bytes(size);
    const nonce = randomNonce(random);
    const oursOps = await medianOf(runs, () =>
      opsPerSecond(() => {
        const c = seal(ours, nonce, plain);
        if (!open(ours, nonce, c)) throw new Error('open failed');
      }),
    );
    const nativeOps = await medianOf(runs, () =>
      opsPerSecond(() => {
        const c = native.boxEasyAfternm(plain, nonce, nativeKey);
        if (!native.boxOpenEasyAfternm(c, nonce, nativeKey)) throw new Error('open failed');
      }),
    );
    rows.push({
      area: 'crypto',
      metric: `precomputed box+open, ${size} B`,
      unit: 'ops/s',
      ours: oursOps.median,
      reference: nativeOps.median,
      referenceName: 'native libsodium (koffi)',
      higherIsBetter: true,
      samples: runs,
    });
  }
  return rows;
}
