/**
 * Every layer's packet registry, for the registry-wide wire tests. A layer that
 * defines packets adds one line to the list below.
 */
import type { PacketRegistry } from '../../src/binary/index.js';

const registries: PacketRegistry[] = await Promise.all([
  import('../../src/net/index.js').then((m) => m.netCodecs),
  import('../../src/dht/index.js').then((m) => m.dhtCodecs),
  import('../../src/netcrypto/index.js').then((m) => m.netcryptoCodecs),
  import('../../src/storage/index.js').then((m) => m.storageCodecs),
  import('../../src/tcp/index.js').then((m) => m.tcpCodecs),
  import('../../src/onion/index.js').then((m) => m.onionCodecs),
]);

export function allRegistries(): PacketRegistry[] {
  return [...registries];
}
