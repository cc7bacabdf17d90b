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
  import('../../src/messenger/files/index.js').then((m) => m.fileTransferCodecs),
  import('../../src/friend/index.js').then((m) => m.friendCodecs),
  import('../../src/messenger/index.js').then((m) => m.messengerCodecs),
  import('../../src/conference/index.js').then((m) => m.conferenceCodecs),
]);

export function allRegistries(): PacketRegistry[] {
  return [...registries];
}
