/** The registry every net_crypto wire format is declared in (picked up by the registry-wide wire tests). */
import { PacketRegistry } from '../../binary/index.js';

export const netcryptoCodecs = new PacketRegistry('netcrypto');
