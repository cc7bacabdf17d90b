/**
 * The onion relay (tox-protocol.md §4.3–§4.4): acts as node A, B or C for
 * anyone. Forward requests (0x80–0x82) are peeled one layer with our DHT key and
 * sent on with a return blob sealed under a symmetric key that rotates every
 * 2 h (random, or derived from a secret seed so that a restarted node still
 * opens the blobs its previous session sealed); responses (0x8C–0x8E) unwrap one blob and go back one hop. Node A
 * may also serve clients of our TCP relay (packet 0x08 in, 0x09 out).
 */
import { InvalidStateError, utf8Encode, type Logger, type Random, type Scheduler, type TimerHandle } from '../../base/index.js';
import { open, randomNonce, secretboxOpen, secretboxSeal, sha256, SharedKeyCache, type DhtKeyPair, type Nonce } from '../../crypto/index.js';
import type { IpPort, PacketRouter } from '../../net/index.js';
import type { OnionRequest } from '../../tcp/index.js';
import { ONION_PACKET_ID as ID, RELAY_KEY_ROTATION_MS } from '../constants.js';
import { DropCounter, tryEncode, tryShared } from '../drops.js';
import type { OnionSendPort, OnionTcpResponseSink } from '../ports.js';
import type { ReturnAddress } from '../wire/fields.js';
import {
  OnionExitLayer,
  OnionHopLayer,
  OnionRequest0,
  OnionRequest1,
  OnionRequest2,
  OnionResponse1,
  OnionResponse2,
  OnionResponse3,
  ReturnBlob1,
  ReturnBlob2,
  ReturnBlob3,
  ReturnPlain1,
  ReturnPlain2,
  ReturnPlain3,
  type OnionHopLayerValue,
} from '../wire/packets.js';

export interface OnionRelayDeps {
  scheduler: Scheduler;
  random: Random;
  log: Logger;
  socket: OnionSendPort;
  router: PacketRouter;
  /** Our current DHT key pair (read at start: the DHT renews it per session). */
  dhtKeyPair: () => DhtKeyPair;
  /**
   * A secret (our long-term secret key) to derive the return-blob key from,
   * per 2 h epoch of Unix time, instead of drawing it at random. Paths peers
   * built through our previous session then keep working after a restart
   * (their forward layers die with the DHT key, but a friend's announce
   * entry whose return path crosses us stays reachable). Invisible on the wire.
   */
  returnKeySeed?: Uint8Array;
}

const RETURN_KEY_DOMAIN = utf8Encode('tocsin onion relay return key v1');

/** Payload ids node C forwards to D, and response ids relays pass back. */
const FORWARDED_TO_D = new Set<number>([ID.announceRequest, ID.dataRequest, ID.announceRequestNew]);
const RETURNED = new Set<number>([ID.announceResponse, ID.dataResponse, ID.announceResponseNew]);
const HANDLED_IDS = [ID.request0, ID.request1, ID.request2, ID.response3, ID.response2, ID.response1] as const;

export class OnionRelay {
  readonly drops: DropCounter;
  readonly forwarded = { request0: 0, request1: 0, request2: 0, response3: 0, response2: 0, response1: 0, tcpRequest: 0, tcpResponse: 0 };
  private symmetricKey: Uint8Array;
  private keyEpoch = -1;
  private keys: SharedKeyCache | undefined;
  private rotation: TimerHandle | undefined;
  private tcpSink: OnionTcpResponseSink | undefined;
  private readonly log: Logger;

  constructor(private readonly deps: OnionRelayDeps) {
    this.log = deps.log.child({ layer: 'onion-relay' });
    this.drops = new DropCounter(this.log);
    this.symmetricKey = deps.random.bytes(32);
  }

  get isRunning(): boolean {
    return this.keys !== undefined;
  }

  start(): void {
    if (this.keys) throw new InvalidStateError('onion relay already started');
    this.keys = new SharedKeyCache(this.deps.dhtKeyPair().secretKey, this.deps.scheduler);
    this.rotateKey();
    const r = this.deps.router;
    r.register(ID.request0, (d, f) => this.handleRequest0(d, f));
    r.register(ID.request1, (d, f) => this.handleRequest1(d, f));
    r.register(ID.request2, (d, f) => this.handleRequest2(d, f));
    r.register(ID.response3, (d, f) => this.handleResponse3(d, f));
    r.register(ID.response2, (d, f) => this.handleResponse2(d, f));
    r.register(ID.response1, (d, f) => this.handleResponse1(d, f));
    this.rotation = this.deps.scheduler.every(RELAY_KEY_ROTATION_MS, () => this.rotateKey());
  }

  stop(): void {
    if (!this.keys) return;
    this.keys = undefined;
    this.rotation?.cancel();
    this.rotation = undefined;
    for (const id of HANDLED_IDS) this.deps.router.unregister(id);
  }

  /** Where responses for clients of our TCP relay go (runtime/ sets the relay server). */
  setTcpResponseSink(sink: OnionTcpResponseSink | undefined): void {
    this.tcpSink = sink;
  }

  /** New return-blob key: every path through us made before this dies (c-toxcore: every 2 h). */
  rotateKey(): void {
    if (!this.deps.returnKeySeed) this.symmetricKey = this.deps.random.bytes(32);
    else this.keyEpoch = -1;
  }

  /** The return-blob key in use now. */
  private returnKey(): Uint8Array {
    const seed = this.deps.returnKeySeed;
    if (!seed) return this.symmetricKey;
    const epoch = Math.floor((this.deps.scheduler.unixSeconds() * 1000) / RELAY_KEY_ROTATION_MS);
    if (epoch !== this.keyEpoch) {
      const input = new Uint8Array(RETURN_KEY_DOMAIN.length + seed.length + 8);
      input.set(RETURN_KEY_DOMAIN);
      input.set(seed, RETURN_KEY_DOMAIN.length);
      new DataView(input.buffer).setBigUint64(RETURN_KEY_DOMAIN.length + seed.length, BigInt(epoch));
      this.symmetricKey = sha256(input);
      this.keyEpoch = epoch;
    }
    return this.symmetricKey;
  }

  /** The TCP layer's `OnionForwarder`: a relay client's packet 0x08, run as a decrypted 0x80. */
  forwardOnionRequest(request: OnionRequest, returnToken: Uint8Array): void {
    if (!this.keys || returnToken.length !== 16) return this.drops.drop('tcpRequestRejected');
    this.forwarded.tcpRequest++;
    this.sendLayer1({ nextHop: request.nextHop, publicKey: request.temporaryKey, sealed: request.payload }, request.nonce, { kind: 'tcp', token: returnToken });
  }

  // ---------------------------------------------------------------- forward path

  private peel(publicKey: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Uint8Array | undefined {
    const key = tryShared(this.keys!, publicKey);
    return key && open(key, nonce as Nonce, sealed);
  }

  private sealReturn(plain: Uint8Array): { nonce: Uint8Array; sealed: Uint8Array } {
    const nonce = randomNonce(this.deps.random);
    return { nonce, sealed: secretboxSeal(this.returnKey(), nonce, plain) };
  }

  private handleRequest0(data: Uint8Array, from: IpPort): void {
    if (!this.keys) return;
    const packet = OnionRequest0.tryDecode(data);
    if (!packet.ok) return this.drops.drop('request0Malformed', from);
    const plain = this.peel(packet.value.senderPk, packet.value.nonce, packet.value.sealed);
    if (!plain) return this.drops.drop('request0Decrypt', from);
    const layer = OnionHopLayer.tryDecode(plain);
    if (!layer.ok) return this.drops.drop('request0Layer', from);
    this.forwarded.request0++;
    this.sendLayer1(layer.value, packet.value.nonce, { kind: 'udp', address: from });
  }

  private sendLayer1(layer: OnionHopLayerValue, nonce: Uint8Array, from: ReturnAddress): void {
    const returnPath = ReturnBlob1.encode(this.sealReturn(ReturnPlain1.encode({ from })));
    const out = tryEncode(OnionRequest1, { nonce, publicKey: layer.publicKey, body: { sealed: layer.sealed, returnPath } });
    if (!out) return this.drops.drop('request1Size');
    this.deps.socket.send(layer.nextHop, out);
  }

  private handleRequest1(data: Uint8Array, from: IpPort): void {
    if (!this.keys) return;
    const packet = OnionRequest1.tryDecode(data);
    if (!packet.ok) return this.drops.drop('request1Malformed', from);
    const { nonce, publicKey, body } = packet.value;
    const plain = this.peel(publicKey, nonce, body.sealed);
    if (!plain) return this.drops.drop('request1Decrypt', from);
    const layer = OnionHopLayer.tryDecode(plain);
    if (!layer.ok) return this.drops.drop('request1Layer', from);
    const returnPath = ReturnBlob2.encode(this.sealReturn(ReturnPlain2.encode({ from, inner: body.returnPath })));
    const out = tryEncode(OnionRequest2, { nonce, publicKey: layer.value.publicKey, body: { sealed: layer.value.sealed, returnPath } });
    if (!out) return this.drops.drop('request2Size', from);
    this.forwarded.request1++;
    this.deps.socket.send(layer.value.nextHop, out);
  }

  private handleRequest2(data: Uint8Array, from: IpPort): void {
    if (!this.keys) return;
    const packet = OnionRequest2.tryDecode(data);
    if (!packet.ok) return this.drops.drop('request2Malformed', from);
    const { nonce, publicKey, body } = packet.value;
    const plain = this.peel(publicKey, nonce, body.sealed);
    if (!plain) return this.drops.drop('request2Decrypt', from);
    const exit = OnionExitLayer.tryDecode(plain);
    if (!exit.ok) return this.drops.drop('request2Layer', from);
    if (!FORWARDED_TO_D.has(exit.value.payload[0]!)) return this.drops.drop('request2PayloadId', from);
    const returnPath = ReturnBlob3.encode(this.sealReturn(ReturnPlain3.encode({ from, inner: body.returnPath })));
    const out = new Uint8Array(exit.value.payload.length + returnPath.length);
    out.set(exit.value.payload, 0);
    out.set(returnPath, exit.value.payload.length);
    this.forwarded.request2++;
    this.deps.socket.send(exit.value.destination, out);
  }

  // ---------------------------------------------------------------- return path

  private unwrap<T>(blobDef: typeof ReturnBlob1, plainDef: { tryDecode(b: Uint8Array): { ok: true; value: T } | { ok: false } }, blob: Uint8Array): T | undefined {
    const decoded = blobDef.tryDecode(blob);
    if (!decoded.ok) return undefined;
    const plain = secretboxOpen(this.returnKey(), decoded.value.nonce, decoded.value.sealed);
    if (!plain) return undefined;
    const inner = plainDef.tryDecode(plain);
    return inner.ok ? inner.value : undefined;
  }

  private handleResponse3(data: Uint8Array, from: IpPort): void {
    if (!this.keys) return;
    const packet = OnionResponse3.tryDecode(data);
    if (!packet.ok) return this.drops.drop('response3Malformed', from);
    if (!RETURNED.has(packet.value.payload[0]!)) return this.drops.drop('response3PayloadId', from);
    const back = this.unwrap(ReturnBlob3, ReturnPlain3, packet.value.returnPath);
    if (!back) return this.drops.drop('response3ReturnPath', from);
    this.forwarded.response3++;
    this.deps.socket.send(back.from, OnionResponse2.encode({ returnPath: back.inner, payload: packet.value.payload }));
  }

  private handleResponse2(data: Uint8Array, from: IpPort): void {
    if (!this.keys) return;
    const packet = OnionResponse2.tryDecode(data);
    if (!packet.ok) return this.drops.drop('response2Malformed', from);
    if (!RETURNED.has(packet.value.payload[0]!)) return this.drops.drop('response2PayloadId', from);
    const back = this.unwrap(ReturnBlob2, ReturnPlain2, packet.value.returnPath);
    if (!back) return this.drops.drop('response2ReturnPath', from);
    this.forwarded.response2++;
    this.deps.socket.send(back.from, OnionResponse1.encode({ returnPath: back.inner, payload: packet.value.payload }));
  }

  private handleResponse1(data: Uint8Array, from: IpPort): void {
    if (!this.keys) return;
    const packet = OnionResponse1.tryDecode(data);
    if (!packet.ok) return this.drops.drop('response1Malformed', from);
    if (!RETURNED.has(packet.value.payload[0]!)) return this.drops.drop('response1PayloadId', from);
    const back = this.unwrap(ReturnBlob1, ReturnPlain1, packet.value.returnPath);
    if (!back) return this.drops.drop('response1ReturnPath', from);
    if (back.from.kind === 'udp') {
      this.forwarded.response1++;
      this.deps.socket.send(back.from.address, packet.value.payload);
    } else if (this.tcpSink?.deliverOnionResponse(back.from.token, packet.value.payload)) {
      this.forwarded.tcpResponse++;
    } else {
      this.drops.drop('response1NoTcpClient', from);
    }
  }
}
