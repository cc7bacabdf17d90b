// net_crypto wire formats: exact sizes, the request packet encoding of tox-protocol.md §12.1,
// c-toxcore's padding rule, and the nonce window arithmetic of §12.2.
import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom, fromHex, toHex } from '../../../src/base/index.js';
import { generateKeyPair, incrementNonceBy, precompute, seal, type DhtPublicKey, type DhtSecretKey, type Nonce, type SharedKey } from '../../../src/crypto/index.js';
import {
  COOKIE_REQUEST_SIZE,
  COOKIE_RESPONSE_SIZE,
  CookieRequest,
  CookieResponse,
  DataPacket,
  DataPlain,
  HANDSHAKE_SIZE,
  Handshake,
  RequestPayload,
  decodeRequestBytes,
  encodeRequestBytes,
  paddingFor,
} from '../../../src/netcrypto/index.js';
import { ReceiveNonce } from '../../../src/netcrypto/nonce-window.js';

const random = new SeededRandom(7);

describe('packet sizes', () => {
  it('cookie request 145, cookie response 161, handshake 385 bytes', () => {
    expect(CookieRequest.size({ senderDhtPk: random.bytes(32), nonce: random.bytes(24), sealed: random.bytes(88) })).toBe(COOKIE_REQUEST_SIZE);
    expect(CookieResponse.size({ nonce: random.bytes(24), sealed: random.bytes(136) })).toBe(COOKIE_RESPONSE_SIZE);
    expect(Handshake.size({ cookie: random.bytes(112), nonce: random.bytes(24), sealed: random.bytes(248) })).toBe(HANDSHAKE_SIZE);
  });

  it('rejects a handshake one byte short or long', () => {
    const good = Handshake.encode({ cookie: random.bytes(112), nonce: random.bytes(24), sealed: random.bytes(248) });
    expect(Handshake.tryDecode(good).ok).toBe(true);
    expect(Handshake.tryDecode(good.subarray(0, 384)).ok).toBe(false);
    expect(Handshake.tryDecode(Uint8Array.of(...good, 0)).ok).toBe(false);
  });

  it('data packets are 28..1400 bytes', () => {
    expect(DataPacket.tryDecode(new Uint8Array(27).fill(0x1b)).ok).toBe(false);
    expect(DataPacket.tryDecode(new Uint8Array(28).fill(0x1b)).ok).toBe(true);
    expect(DataPacket.tryDecode(new Uint8Array(1400).fill(0x1b)).ok).toBe(true);
    expect(DataPacket.tryDecode(new Uint8Array(1401).fill(0x1b)).ok).toBe(false);
  });
});

describe('data plaintext', () => {
  it("pads with c-toxcore's (1373 - len) mod 8 zeros", () => {
    const payload = Uint8Array.of(64, 104, 105);
    const plain = DataPlain.encode({ bufferStart: 10, packetNumber: 0xfffffffe, payload });
    expect(paddingFor(3)).toBe(2);
    expect(toHex(plain)).toBe('0000000a' + 'fffffffe' + '0000' + '406869');
    expect(paddingFor(1373)).toBe(0);
    expect(DataPlain.size({ bufferStart: 0, packetNumber: 0, payload: new Uint8Array(1373).fill(16) })).toBe(8 + 1373);
  });

  it('decodes any amount of padding and refuses an all-zero payload', () => {
    const v = DataPlain.decode(fromHex('00000001' + '00000002' + '000000000000' + '10ff'));
    expect(v).toMatchObject({ bufferStart: 1, packetNumber: 2 });
    expect(toHex(v.payload)).toBe('10ff');
    expect(DataPlain.tryDecode(fromHex('00000001000000020000')).ok).toBe(false);
    expect(DataPlain.tryDecode(fromHex('0000000100000002')).ok).toBe(false);
  });
});

describe('request packet (§12.1)', () => {
  it('window [10, 20) with 10 and 13 missing encodes as 01 01 03', () => {
    const missing = [0, 3];
    const { bytes, span } = encodeRequestBytes(missing, 10);
    expect(toHex(bytes)).toBe('0103');
    expect(span).toBe(4);
    expect(toHex(RequestPayload.encode({ missing, span }))).toBe('010103');
    expect(decodeRequestBytes(bytes)).toEqual({ missing: [0, 3], span: 4 });
  });

  it('long runs of present packets give 00 bytes: start 3, missing 3, 6, 1024', () => {
    const missing = [0, 3, 1021];
    const { bytes, span } = encodeRequestBytes(missing, 1027);
    expect(toHex(RequestPayload.encode({ missing, span }))).toBe('01' + '0103000000fd');
    expect(span).toBe(1022);
    expect(decodeRequestBytes(bytes)).toEqual({ missing, span: 1022 });
  });

  it('an empty window is the bare id; trailing present runs still emit zeros (c-toxcore walks to the end)', () => {
    expect(toHex(RequestPayload.encode({ missing: [], span: 0 }))).toBe('01');
    expect(toHex(encodeRequestBytes([], 600).bytes)).toBe('0000');
  });

  it('a missing packet exactly 255 after the previous is byte 255', () => {
    const { bytes } = encodeRequestBytes([254], 300);
    expect(toHex(bytes)).toBe('ff');
    expect(decodeRequestBytes(bytes).missing).toEqual([254]);
  });

  it('stops at the byte budget', () => {
    const missing = Array.from({ length: 2000 }, (_, i) => i);
    const { bytes, span } = encodeRequestBytes(missing, 2000, 1372);
    expect(bytes.length).toBe(1372);
    expect(span).toBe(1372);
  });

  it('every byte string decodes and re-encodes exactly', () => {
    for (let i = 0; i < 200; i++) {
      const bytes = random.bytes(random.int(40));
      const value = decodeRequestBytes(bytes);
      expect(toHex(encodeRequestBytes(value.missing, value.span).bytes)).toBe(toHex(bytes));
    }
  });
});

describe('receive nonce window (§12.2)', () => {
  let key: SharedKey;
  beforeAll(() => {
    key = precompute(generateKeyPair<DhtPublicKey, DhtSecretKey>(random).publicKey, generateKeyPair<DhtPublicKey, DhtSecretKey>(random).secretKey);
  });

  function sealAt(base: Uint8Array, offset: number): { low: number; sealed: Uint8Array } {
    const nonce = new Uint8Array(base);
    incrementNonceBy(nonce, offset);
    return { low: (nonce[22]! << 8) | nonce[23]!, sealed: seal(key, nonce as Nonce, Uint8Array.of(1, 2, 3)) };
  }

  it('places a packet whose low bits wrapped (recv 0xFFF0, packet 0x0005 is 21 ahead)', () => {
    const base = new Uint8Array(24);
    base[21] = 0x07;
    base[22] = 0xff;
    base[23] = 0xf0;
    const window = new ReceiveNonce(base);
    const p = sealAt(base, 21);
    expect(p.low).toBe(0x0005);
    expect(window.open(key, p.low, p.sealed)).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('refuses a replay, moves by 21845 past two thirds, and then refuses what fell behind', () => {
    const base = random.bytes(24);
    const window = new ReceiveNonce(base);
    const first = sealAt(base, 5);
    expect(window.open(key, first.low, first.sealed)).toBeInstanceOf(Uint8Array);
    expect(window.open(key, first.low, first.sealed)).toBe('replayed');
    const far = sealAt(base, 43717);
    expect(window.open(key, far.low, far.sealed)).toBeInstanceOf(Uint8Array);
    // The window now starts 21845 later: offset 100 is 65536 - 21745 ahead of it, i.e. a different nonce.
    const behind = sealAt(base, 100);
    expect(window.open(key, behind.low, behind.sealed)).toBe('decryptFailed');
    const ahead = sealAt(base, 21845 + 65535);
    expect(window.open(key, ahead.low, ahead.sealed)).toBeInstanceOf(Uint8Array);
  });

  it('a slot reused after the window moved opens again (it is a different nonce)', () => {
    const base = random.bytes(24);
    const window = new ReceiveNonce(base);
    const old = sealAt(base, 10);
    expect(window.open(key, old.low, old.sealed)).toBeInstanceOf(Uint8Array);
    expect(window.open(key, sealAt(base, 43700).low, sealAt(base, 43700).sealed)).toBeInstanceOf(Uint8Array);
    const reused = sealAt(base, 65536 + 10);
    expect(window.open(key, reused.low, reused.sealed)).toBeInstanceOf(Uint8Array);
  });
});
