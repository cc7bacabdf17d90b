// `tocsin profile` with a real c-toxcore 0.2.18 profile, the way a qTox/toxic user moves one:
// c-toxcore's savedata, encrypted with tox_pass_encrypt, is imported into a bot identity
// (`tocsin id` then prints c-toxcore's own Tox ID), exported encrypted again, and the export
// opens in c-toxcore (tox_pass_decrypt + tox_new) with the same identity, name and friend.
// tox_new opens UDP sockets, so this runs only inside a private network namespace:
//   unshare -n sh -c 'ip link set lo up && exec npx vitest run test/interop/cli-profile.test.ts'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { SeededRandom, toHex } from '../../src/base/index.js';
import { main } from '../../src/runtime/cli/main.js';
import { createProfile } from '../../src/storage/index.js';
import { toxPassDecrypt, toxPassEncrypt } from '../support/toxcore/encryptsave.js';
import { ToxcoreInstance } from '../support/toxcore/instance.js';
import { requireToxcore } from '../support/toxcore/lib.js';
import { requirePrivateNetwork } from '../support/netns.js';
import { testIo } from '../unit/runtime/cli/io.js';

const run = requirePrivateNetwork() && requireToxcore() !== null;
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

describe.skipIf(!run)('tocsin profile with c-toxcore savedata', () => {
  test('import an encrypted c-toxcore profile, print its ID, export it encrypted, reopen it in c-toxcore', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-cli-interop-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const original = await ToxcoreInstance.create({ localDiscovery: false });
    cleanups.push(() => original.kill());
    original.name = 'qTox user';
    const friendKey = createProfile(new SeededRandom(5)).keyPair.publicKey;
    original.friendAddNoRequest(friendKey);
    writeFileSync(join(dir, 'me.tox'), toxPassEncrypt(original.savedata(), 'qtox pass'));
    const address = toHex(original.address, true);
    original.kill();

    const config = join(dir, 'bot.json');
    writeFileSync(config, JSON.stringify({ dataDir: join(dir, 'data'), identities: [{ id: 'bot', passphraseEnv: 'BOT_PASS' }] }));
    const env = { BOT_PASS: 'bot pass', IN: 'qtox pass', OUT: 'export pass' };
    const imported = testIo({ env });
    expect(await main(['profile', 'import', join(dir, 'me.tox'), config, '--passphrase-env', 'IN'], imported)).toBe(0);
    const ids = testIo({ env });
    expect(await main(['id', config], ids)).toBe(0);
    expect(ids.out()).toBe(`bot ${address}\n`);

    expect(await main(['profile', 'export', join(dir, 'out.tox'), config, '--encrypt', '--passphrase-env', 'OUT'], testIo({ env }))).toBe(0);
    const savedata = toxPassDecrypt(new Uint8Array(readFileSync(join(dir, 'out.tox'))), 'export pass');
    const reopened = await ToxcoreInstance.create({ localDiscovery: false, savedata });
    cleanups.push(() => reopened.kill());
    expect(toHex(reopened.address, true)).toBe(address);
    expect(reopened.name).toBe('qTox user');
    expect(reopened.friendList().map((f) => toHex(reopened.friendPublicKey(f)))).toEqual([toHex(friendKey)]);
  });
});
