/**
 * The packed node format (PNODE) shared by DHT responses, onion, TCP relays and
 * savedata: [1 ip type][4|16 address][2 port BE][32 public key]. Types: 2 UDP/IPv4,
 * 10 UDP/IPv6, 130 TCP/IPv4, 138 TCP/IPv6.
 */
import { PacketRegistry, array, bytes, mapped, struct, u16be, u8, union, type Codec } from '../binary/index.js';
import type { DhtPublicKey } from '../crypto/index.js';
import { ipBytes, ipPortFromBytes, type IpPort } from './address.js';

export type NodeTransport = 'udp' | 'tcp';

export interface PackedNode {
  readonly transport: NodeTransport;
  readonly address: IpPort;
  readonly publicKey: DhtPublicKey;
}

export const IP_TYPE = { udp4: 2, udp6: 10, tcp4: 130, tcp6: 138 } as const;

const rawNode = union('ipType', u8, {
  [IP_TYPE.udp4]: struct({ ip: bytes(4), port: u16be, publicKey: bytes(32) }),
  [IP_TYPE.udp6]: struct({ ip: bytes(16), port: u16be, publicKey: bytes(32) }),
  [IP_TYPE.tcp4]: struct({ ip: bytes(4), port: u16be, publicKey: bytes(32) }),
  [IP_TYPE.tcp6]: struct({ ip: bytes(16), port: u16be, publicKey: bytes(32) }),
});

function isMapped(ip: Uint8Array): boolean {
  return ip.length === 16 && ip.subarray(0, 10).every((x) => x === 0) && ip[10] === 0xff && ip[11] === 0xff;
}

function nodeCodec(allowTcp: boolean): Codec<PackedNode> {
  return mapped(
    rawNode,
    (raw, fail): PackedNode => {
      const tcp = raw.ipType === IP_TYPE.tcp4 || raw.ipType === IP_TYPE.tcp6;
      if (tcp && !allowTcp) fail('TCP node where only UDP nodes are allowed');
      // A mapped IPv4 inside an IPv6 node would re-encode differently; c-toxcore never sends one.
      if (isMapped(raw.ip)) fail('IPv4-mapped address in an IPv6 node');
      return { transport: tcp ? 'tcp' : 'udp', address: ipPortFromBytes(raw.ip, raw.port), publicKey: raw.publicKey as DhtPublicKey };
    },
    (node) => {
      const v6 = node.address.family === 6;
      const ipType = node.transport === 'tcp' ? (v6 ? IP_TYPE.tcp6 : IP_TYPE.tcp4) : v6 ? IP_TYPE.udp6 : IP_TYPE.udp4;
      return { ipType, ip: ipBytes(node.address), port: node.address.port, publicKey: node.publicKey } as never;
    },
  );
}

/** Any PNODE (UDP or TCP). */
export const packedNode = nodeCodec(true);
/** A PNODE that must be UDP (DHT nodes responses, onion, DHT savedata). */
export const packedUdpNode = nodeCodec(false);

/** A bare concatenation of nodes filling the buffer (savedata sections). */
export function packedNodeList(node: Codec<PackedNode>, max: number): Codec<PackedNode[]> {
  return array(node, { rest: true, max });
}

export const netCodecs = new PacketRegistry('net');
netCodecs.define('PackedNode', packedNode);
netCodecs.define('PackedUdpNode', packedUdpNode);
