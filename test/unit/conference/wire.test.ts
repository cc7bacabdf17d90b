// Byte layouts of the conference packets, written out by hand from tox-protocol.md §8.4
// (c-toxcore 0.2.18 group.c): ids, big-endian numbers, exact sizes, and what the decoders refuse.
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../src/base/index.js';
import {
  DirectPacket,
  InviteCookie,
  InvitePacket,
  LeavingPeerMessage,
  LossyPacket,
  MessagePacket,
  NewPeerMessage,
  OnlinePacket,
  RejoinPacket,
  TextMessage,
  TitleMessage,
} from '../../../src/conference/index.js';
import type { DhtPublicKey, LongTermPublicKey } from '../../../src/crypto/index.js';

const id = new Uint8Array(32).fill(0xab);
const ID = 'ab'.repeat(32);
const pk = new Uint8Array(32).fill(0x11) as LongTermPublicKey;
const dht = new Uint8Array(32).fill(0x22) as DhtPublicKey;

describe('conference wire formats', () => {
  it('invite, accept and member answers are 37, 39 and 41 bytes', () => {
    const invite = InvitePacket.encode({ kind: 0, inviterGroupNumber: 0x0102, type: 0, id });
    expect(toHex(invite)).toBe(`6000010200${ID}`);
    expect(invite.length).toBe(37);
    const accept = InvitePacket.encode({ kind: 1, joinerGroupNumber: 7, inviterGroupNumber: 0x0102, type: 1, id });
    expect(toHex(accept)).toBe(`60010007010201${ID}`);
    expect(accept.length).toBe(39);
    const member = InvitePacket.encode({ kind: 2, joinerGroupNumber: 7, inviterGroupNumber: 0x0102, type: 0, id, peerNumber: 0xbeef });
    expect(toHex(member)).toBe(`60020007010200${ID}beef`);
    expect(member.length).toBe(41);
    expect(InvitePacket.decode(member)).toEqual({ kind: 2, joinerGroupNumber: 7, inviterGroupNumber: 0x0102, type: 0, id, peerNumber: 0xbeef });
    // The cookie the invite event carries is the invite minus [96][0].
    expect(toHex(InviteCookie.encode({ inviterGroupNumber: 0x0102, type: 0, id }))).toBe(toHex(invite.subarray(2)));
  });

  it('online is 36 bytes and rejoin 34', () => {
    expect(toHex(OnlinePacket.encode({ groupNumber: 0x0a0b, type: 1, id }))).toBe(`610a0b01${ID}`);
    expect(RejoinPacket.encode({ type: 0, id }).length).toBe(34);
    expect(toHex(RejoinPacket.encode({ type: 0, id }))).toBe(`6400${ID}`);
    expect(OnlinePacket.tryDecode(fromHex(`610a0b01${ID}00`)).ok).toBe(false);
  });

  it('direct packets: peer introduced (sub-id 1), query (8), response (9) and title (10)', () => {
    expect(toHex(DirectPacket.encode({ groupNumber: 3, body: { kind: 1 } }))).toBe('62000301');
    expect(toHex(DirectPacket.encode({ groupNumber: 3, body: { kind: 8 } }))).toBe('62000308');
    const response = DirectPacket.encode({ groupNumber: 3, body: { kind: 9, peers: [{ peerNumber: 0x1234, publicKey: pk, dhtPublicKey: dht, name: new Uint8Array([0x61, 0x62]) }] } });
    expect(toHex(response)).toBe(`620003091234${'11'.repeat(32)}${'22'.repeat(32)}026162`);
    expect(toHex(DirectPacket.encode({ groupNumber: 3, body: { kind: 10, title: new Uint8Array([0x74]) } }))).toBe('6200030a74');
    // An empty title response, an unknown sub-id and a name over 128 bytes do not decode.
    expect(DirectPacket.tryDecode(fromHex('6200030a')).ok).toBe(false);
    expect(DirectPacket.tryDecode(fromHex('62000302')).ok).toBe(false);
    const longName = `620003090001${'11'.repeat(32)}${'22'.repeat(32)}81${'00'.repeat(129)}`;
    expect(DirectPacket.tryDecode(fromHex(longName)).ok).toBe(false);
  });

  it('a group message carries origin peer, u32 number, message id and data, all big endian', () => {
    const m = MessagePacket.encode({ groupNumber: 1, peerNumber: 0x0203, messageNumber: 0x04050607, messageId: 64, data: new Uint8Array([0x68, 0x69]) });
    expect(toHex(m)).toBe('63000102030405060740' + '6869');
    expect(MessagePacket.tryDecode(fromHex('6300010203040506')).ok).toBe(false);
    expect(MessagePacket.tryDecode(new Uint8Array([99, ...new Uint8Array(9), ...new Uint8Array(1364)])).ok).toBe(false);
    expect(MessagePacket.tryDecode(new Uint8Array([99, ...new Uint8Array(9), ...new Uint8Array(1363)])).ok).toBe(true);
  });

  it('message payloads: new peer (66 bytes), kill/freeze (2), title and text (not empty)', () => {
    expect(toHex(NewPeerMessage.encode({ peerNumber: 9, publicKey: pk, dhtPublicKey: dht }))).toBe(`0009${'11'.repeat(32)}${'22'.repeat(32)}`);
    expect(toHex(LeavingPeerMessage.encode({ peerNumber: 0xfffe }))).toBe('fffe');
    expect(TitleMessage.tryDecode(new Uint8Array(0)).ok).toBe(false);
    expect(TitleMessage.tryDecode(new Uint8Array(129)).ok).toBe(false);
    expect(TextMessage.tryDecode(new Uint8Array(0)).ok).toBe(false);
  });

  it('a lossy packet carries a u16 lossy number and the lossy id before the data', () => {
    const l = LossyPacket.encode({ groupNumber: 2, peerNumber: 5, lossyNumber: 0x0102, lossyId: 192, data: new Uint8Array([1, 2, 3]) });
    expect(toHex(l)).toBe('c70002000501' + '02c0010203');
    expect(LossyPacket.tryDecode(fromHex('c7000200050102')).ok).toBe(false);
  });
});
