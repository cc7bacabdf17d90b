// What the runtime will wire into NetCrypto's ports already fits them: the DHT engine as DhtKeys,
// the TCP layer's relay manager as TcpTransport (checked by the compiler), and a datagram socket's
// send as UdpSend.
import { describe, expect, it } from 'vitest';
import type { Dht } from '../../../src/dht/index.js';
import type { DatagramSocket } from '../../../src/net/index.js';
import type { DhtKeys, TcpTransport, UdpSend } from '../../../src/netcrypto/index.js';
import { TcpConnections } from '../../../src/tcp/index.js';

type Fits<Port, T extends Port> = T;
export type DhtFitsDhtKeys = Fits<DhtKeys, Dht>;
export type TcpConnectionsFitsTcpTransport = Fits<TcpTransport, TcpConnections>;
export type SocketSendFitsUdpSend = Fits<UdpSend, DatagramSocket['send']>;

describe('ports', () => {
  it('TcpConnections has every TcpTransport method', () => {
    const methods: Array<keyof TcpTransport> = ['addPeer', 'removePeer', 'peerStatus', 'sendToPeer', 'sendOob', 'subscribePeers'];
    for (const m of methods) expect(typeof TcpConnections.prototype[m]).toBe('function');
  });
});
