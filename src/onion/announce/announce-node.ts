/**
 * Node D (tox-protocol.md §4.5): answers announce requests (0x83, and 0x87 of
 * newer clients with 0x88) with ping ids, stored-state and our closest DHT nodes,
 * stores announced keys with their return paths, and routes onion data requests
 * (0x85) to the announced key as 0x86 along the stored return path.
 */
import { InvalidStateError, type Logger, type Random, type Scheduler } from '../../base/index.js';
import { keysEqual, open, randomNonce, seal, SharedKeyCache, type DhtKeyPair, type Nonce } from '../../crypto/index.js';
import type { Dht } from '../../dht/index.js';
import { isLan, type IpPort, type PacketRouter } from '../../net/index.js';
import { MAX_SENT_NODES, ONION_PACKET_ID as ID, PING_ID_SIZE } from '../constants.js';
import { DropCounter, tryEncode, tryShared } from '../drops.js';
import type { OnionSendPort } from '../ports.js';
import {
  AnnounceRequestAtNode,
  AnnounceRequestNewAtNode,
  AnnounceRequestPlain,
  AnnounceResponse,
  AnnounceResponseNew,
  AnnounceResponseNewPlain,
  AnnounceResponsePlain,
  DataRequestAtNode,
  DataResponse,
  OnionResponse3,
} from '../wire/packets.js';
import { AnnounceEntries, type AnnounceEntry } from './entries.js';
import { PingIds } from './ping-id.js';

export interface AnnounceNodeDeps {
  scheduler: Scheduler;
  random: Random;
  log: Logger;
  socket: OnionSendPort;
  router: PacketRouter;
  dht: Pick<Dht, 'keyPair' | 'closestNodes'>;
}

const ZERO_PING_ID = new Uint8Array(PING_ID_SIZE);

export class AnnounceNode {
  readonly drops: DropCounter;
  readonly counters = { announceRequests: 0, stored: 0, dataRouted: 0 };
  private keys: SharedKeyCache | undefined;
  private keyPair: DhtKeyPair | undefined;
  private readonly pingIds: PingIds;
  readonly entries: AnnounceEntries;
  private readonly log: Logger;

  constructor(private readonly deps: AnnounceNodeDeps) {
    this.log = deps.log.child({ layer: 'onion-announce' });
    this.drops = new DropCounter(this.log);
    this.pingIds = new PingIds(deps.random);
    this.entries = new AnnounceEntries(() => this.deps.dht.keyPair.publicKey);
  }

  start(): void {
    if (this.keys) throw new InvalidStateError('announce node already started');
    this.keyPair = this.deps.dht.keyPair;
    this.keys = new SharedKeyCache(this.keyPair.secretKey, this.deps.scheduler);
    const r = this.deps.router;
    r.register(ID.announceRequest, (d, f) => this.handleAnnounce(d, f, false));
    r.register(ID.announceRequestNew, (d, f) => this.handleAnnounce(d, f, true));
    r.register(ID.dataRequest, (d, f) => this.handleDataRequest(d, f));
  }

  stop(): void {
    if (!this.keys) return;
    this.keys = undefined;
    this.entries.clear();
    for (const id of [ID.announceRequest, ID.announceRequestNew, ID.dataRequest]) this.deps.router.unregister(id);
  }

  private handleAnnounce(data: Uint8Array, from: IpPort, newFormat: boolean): void {
    if (!this.keys) return;
    this.counters.announceRequests++;
    const packet = (newFormat ? AnnounceRequestNewAtNode : AnnounceRequestAtNode).tryDecode(data);
    if (!packet.ok) return this.drops.drop('announceMalformed', from);
    const { nonce, senderPk, sealed, returnPath } = packet.value;
    const key = tryShared(this.keys, senderPk);
    const opened = key && open(key, nonce as Nonce, sealed);
    if (!opened) return this.drops.drop('announceDecrypt', from);
    const plain = AnnounceRequestPlain.decode(opened);
    const now = this.deps.scheduler.now();
    let entry: AnnounceEntry | undefined;
    if (!keysEqual(plain.pingId, ZERO_PING_ID) && this.pingIds.verify(plain.pingId, senderPk, from, now)) {
      entry = this.entries.put({ publicKey: senderPk, dataPk: plain.dataPk, returnTo: from, returnPath, announcedAt: now }, now);
      if (entry) this.counters.stored++;
    } else {
      entry = this.entries.get(plain.searchedPk, now);
    }
    let isStored: number;
    let pingIdOrKey: Uint8Array;
    if (entry && !keysEqual(entry.publicKey, senderPk)) {
      isStored = 1;
      pingIdOrKey = entry.dataPk;
    } else {
      isStored = entry && keysEqual(entry.dataPk, plain.dataPk) ? 2 : 0;
      pingIdOrKey = this.pingIds.issue(senderPk, from, now);
    }
    const nodes = this.deps.dht.closestNodes(plain.searchedPk, MAX_SENT_NODES, { includeLan: isLan(from) });
    const responseNonce = randomNonce(this.deps.random);
    const response = newFormat
      ? AnnounceResponseNew.encode({
          sendback: plain.sendback,
          nonce: responseNonce,
          sealed: seal(key, responseNonce, AnnounceResponseNewPlain.encode({ isStored, pingIdOrKey, nodes })),
        })
      : AnnounceResponse.encode({
          sendback: plain.sendback,
          nonce: responseNonce,
          sealed: seal(key, responseNonce, AnnounceResponsePlain.encode({ isStored, pingIdOrKey, nodes })),
        });
    this.deps.socket.send(from, OnionResponse3.encode({ returnPath, payload: response }));
  }

  private handleDataRequest(data: Uint8Array, from: IpPort): void {
    if (!this.keys) return;
    const packet = DataRequestAtNode.tryDecode(data);
    if (!packet.ok) return this.drops.drop('dataMalformed', from);
    const entry = this.entries.get(packet.value.destinationPk, this.deps.scheduler.now());
    if (!entry) return this.drops.drop('dataUnknownDestination', from);
    const payload = tryEncode(DataResponse, { nonce: packet.value.nonce, temporaryPk: packet.value.temporaryPk, sealed: packet.value.body.sealed });
    const out = payload && tryEncode(OnionResponse3, { returnPath: entry.returnPath, payload });
    if (!out) return this.drops.drop('dataSize', from);
    this.counters.dataRouted++;
    this.deps.socket.send(entry.returnTo, out);
  }
}
