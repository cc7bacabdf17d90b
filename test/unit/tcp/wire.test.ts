// TCP relay wire formats: exact sizes and limits of seed 002 (2032 / 2048 / 2050), the packet
// union, IPP19 strictness, and the streaming frame decoder under random re-chunking.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../../src/base/index.js';
import { DecodeError } from '../../../src/binary/index.js';
import { ipPort } from '../../../src/net/index.js';
import {
  CLIENT_HANDSHAKE_SIZE,
  ClientHandshake,
  ConnectNotification,
  Data,
  decodeTcpPacket,
  encodeFrame,
  encodeTcpPacket,
  Frame,
  FrameDecoder,
  MAX_FRAME_PAYLOAD_SIZE,
  MAX_FRAME_SIZE,
  MAX_PACKET_SIZE,
  onionIpPort,
  OnionRequest,
  OobSend,
  PingRequest,
  RouteRequest,
  RouteResponse,
  SERVER_HANDSHAKE_SIZE,
  ServerHandshake,
  tcpCodecs,
} from '../../../src/tcp/index.js';

const pk = new Uint8Array(32).fill(7);

describe('tcp packet sizes', () => {
  it('match seed 002 and c-toxcore', () => {
    expect(MAX_PACKET_SIZE).toBe(2032);
    expect(MAX_FRAME_PAYLOAD_SIZE).toBe(2048);
    expect(MAX_FRAME_SIZE).toBe(2050);
    expect(CLIENT_HANDSHAKE_SIZE).toBe(128);
    expect(SERVER_HANDSHAKE_SIZE).toBe(96);
    expect(ClientHandshake.codec.fixedSize).toBe(128);
    expect(ServerHandshake.codec.fixedSize).toBe(96);
    expect(RouteRequest.encode({ publicKey: pk })).toHaveLength(33);
    expect(RouteResponse.encode({ connectionId: 16, publicKey: pk })).toHaveLength(34);
    expect(ConnectNotification.encode({ connectionId: 16 })).toHaveLength(2);
    expect(PingRequest.encode({ pingId: 1n })).toHaveLength(9);
  });

  it('registers every packet once', () => {
    expect(tcpCodecs.all().map((d) => d.name)).toEqual([
      'tcp.RouteRequest',
      'tcp.RouteResponse',
      'tcp.ConnectNotification',
      'tcp.DisconnectNotification',
      'tcp.PingRequest',
      'tcp.PongResponse',
      'tcp.OobSend',
      'tcp.OobReceive',
      'tcp.OnionRequest',
      'tcp.OnionResponse',
      'tcp.ForwardRequest',
      'tcp.Forwarding',
      'tcp.Data',
      'tcp.ClientHandshake',
      'tcp.ServerHandshake',
      'tcp.HandshakePayload',
      'tcp.Frame',
    ]);
  });

  it('bounds OOB data to 1..1024 bytes', () => {
    expect(() => OobSend.decode(concatBytes(Uint8Array.of(6), pk))).toThrow(DecodeError);
    expect(OobSend.decode(concatBytes(Uint8Array.of(6), pk, new Uint8Array(1024))).data).toHaveLength(1024);
    expect(() => OobSend.decode(concatBytes(Uint8Array.of(6), pk, new Uint8Array(1025)))).toThrow(DecodeError);
  });

  it('data uses ids 16..255 and carries up to 2031 bytes', () => {
    expect(Data.decode(Uint8Array.of(16, 1, 2))).toEqual({ connectionId: 16, payload: Uint8Array.of(1, 2) });
    expect(() => Data.decode(Uint8Array.of(15, 1))).toThrow(DecodeError);
    expect(Data.decode(new Uint8Array(2032).fill(255)).payload).toHaveLength(2031);
    expect(() => Data.decode(new Uint8Array(2033).fill(255))).toThrow(DecodeError);
  });

  it('decodes the union by first byte and re-encodes it', () => {
    const packets = [
      { kind: 'routeRequest', publicKey: pk },
      { kind: 'routeResponse', connectionId: 0, publicKey: pk },
      { kind: 'connectNotification', connectionId: 20 },
      { kind: 'disconnectNotification', connectionId: 20 },
      { kind: 'ping', pingId: 5n },
      { kind: 'pong', pingId: 5n },
      { kind: 'oobSend', destination: pk, data: Uint8Array.of(1) },
      { kind: 'oobReceive', sender: pk, data: Uint8Array.of(1) },
      { kind: 'onionResponse', payload: Uint8Array.of(0x84, 1) },
      { kind: 'forwardRequest', body: Uint8Array.of(2, 127, 0, 0, 1, 0x82, 0xa5, 7) },
      { kind: 'forwarding', data: Uint8Array.of(7, 8) },
      { kind: 'data', connectionId: 255, payload: Uint8Array.of(9) },
    ] as const;
    for (const p of packets) expect(decodeTcpPacket(encodeTcpPacket(p))).toEqual(p);
    expect(decodeTcpPacket(Uint8Array.of(0x0c, 1))).toEqual({ kind: 'unsupported', id: 0x0c });
    expect(() => decodeTcpPacket(new Uint8Array(0))).toThrow(DecodeError);
  });
});

describe('onion request over TCP', () => {
  it('encodes IPP19 like c-toxcore (family 2, IPv4 then 12 zero bytes, port BE)', () => {
    const bytes = OnionRequest.encode({ nonce: new Uint8Array(24), nextHop: ipPort('10.1.2.3', 33445), temporaryKey: pk, payload: new Uint8Array(103) });
    expect(bytes[0]).toBe(8);
    expect([...bytes.subarray(25, 44)]).toEqual([2, 10, 1, 2, 3, ...new Array<number>(12).fill(0), 0x82, 0xa5]);
    expect(bytes).toHaveLength(1 + 24 + 19 + 32 + 103);
    expect(onionIpPort.size(ipPort('::1', 1))).toBe(19);
  });

  it('rejects non-zero IPv4 padding, unknown families and out-of-range payloads', () => {
    const good = OnionRequest.encode({ nonce: new Uint8Array(24), nextHop: ipPort('::1', 1), temporaryKey: pk, payload: new Uint8Array(200) });
    expect(OnionRequest.decode(good).nextHop).toEqual(ipPort('::1', 1));
    const v4 = OnionRequest.encode({ nonce: new Uint8Array(24), nextHop: ipPort('1.2.3.4', 1), temporaryKey: pk, payload: new Uint8Array(200) });
    const padded = v4.slice();
    padded[25 + 10] = 1;
    expect(() => OnionRequest.decode(padded)).toThrow(DecodeError);
    const family = v4.slice();
    family[25] = 11;
    expect(() => OnionRequest.decode(family)).toThrow(DecodeError);
    expect(() => OnionRequest.decode(v4.subarray(0, v4.length - 98))).toThrow(DecodeError);
    expect(() => OnionRequest.decode(concatBytes(v4, new Uint8Array(1085)))).toThrow(DecodeError);
  });
});

describe('FrameDecoder', () => {
  const frameArb = fc.uint8Array({ minLength: 17, maxLength: 2048 });

  it('yields the same frames whatever the chunk boundaries', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 1, maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 40 }), (frames, cuts) => {
        const stream = concatBytes(...frames.map((f) => encodeFrame(f)));
        const decoder = new FrameDecoder();
        const got: Uint8Array[] = [];
        let at = 0;
        let i = 0;
        while (at < stream.length) {
          const size = cuts[i++ % cuts.length]!;
          decoder.push(stream.subarray(at, at + size), (f) => got.push(f.slice()));
          expect(decoder.buffered).toBeLessThanOrEqual(MAX_FRAME_SIZE);
          at += size;
        }
        expect(got).toEqual(frames);
        expect(decoder.buffered).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('byte-by-byte delivery works too', () => {
    const frames = [new Uint8Array(17).fill(1), new Uint8Array(2048).fill(2)];
    const stream = concatBytes(...frames.map((f) => encodeFrame(f)));
    const decoder = new FrameDecoder();
    const got: Uint8Array[] = [];
    for (const byte of stream) decoder.push(Uint8Array.of(byte), (f) => got.push(f.slice()));
    expect(got).toEqual(frames);
  });

  it('fails on frames longer than 2048 bytes or too short to hold a sealed packet, then stays halted', () => {
    for (const length of [2049, 65535, 0, 16]) {
      const decoder = new FrameDecoder();
      const frames: Uint8Array[] = [];
      const bad = Uint8Array.of(length >> 8, length & 0xff, 1, 2, 3);
      expect(() => decoder.push(concatBytes(encodeFrame(new Uint8Array(20)), bad), (f) => frames.push(f))).toThrow(DecodeError);
      expect(frames).toHaveLength(1);
      decoder.push(encodeFrame(new Uint8Array(20)), (f) => frames.push(f));
      expect(frames).toHaveLength(1);
    }
    expect(() => Frame.decode(Uint8Array.of(0x08, 0x01, ...new Array<number>(2049).fill(0)))).toThrow(DecodeError);
  });

  it('a split oversize length is caught as soon as both length bytes are in', () => {
    const decoder = new FrameDecoder();
    decoder.push(Uint8Array.of(0x08), () => undefined);
    expect(() => decoder.push(Uint8Array.of(0x01), () => undefined)).toThrow(/2049/);
    expect(decoder.buffered).toBeLessThanOrEqual(2);
  });
});
