/**
 * The relay's routing core (c-toxcore TCP_server.c semantics): confirmed
 * clients indexed by DHT key and by identifier, routing requests and the
 * 240-slot table per client, connect/disconnect notifications on both sides,
 * data forwarding with the peer's connection id, OOB, and onion responses
 * routed back by return token. Closing connections is the server's job: the
 * hub asks for it through `close`.
 */
import { keyId, keysEqual, type DhtPublicKey } from '../../crypto/index.js';
import { MAX_PACKET_SIZE, MAX_ROUTES_PER_CLIENT, NUM_RESERVED_IDS } from '../constants.js';
import { ONION_RETURN_TOKEN_SIZE } from '../ports.js';
import type { SendResult } from '../secure-stream.js';
import { ConnectNotification, DisconnectNotification, OnionResponse, OobReceive, RouteResponse } from '../wire/packets.js';
import type { ServerSession } from './session.js';
import type { ServerCloseReason, TcpServerStats } from './stats.js';

export class RelayHub {
  private readonly byKey = new Map<string, ServerSession>();
  private readonly byIdentifier = new Map<bigint, ServerSession>();
  private counter = 0n;

  constructor(
    private readonly stats: TcpServerStats,
    private readonly close: (session: ServerSession, reason: ServerCloseReason) => void,
  ) {}

  get size(): number {
    return this.byKey.size;
  }

  sessions(): ServerSession[] {
    return [...this.byKey.values()];
  }

  has(publicKey: Uint8Array): boolean {
    return this.byKey.has(keyId(publicKey));
  }

  get(publicKey: Uint8Array): ServerSession | undefined {
    return this.byKey.get(keyId(publicKey));
  }

  /** Makes `session` the confirmed client for its key, replacing an older connection with the same key. */
  admit(session: ServerSession, now: number): void {
    const older = this.byKey.get(session.keyId);
    if (older) this.close(older, 'replaced');
    session.stage = 'confirmed';
    session.identifier = ++this.counter;
    session.lastPinged = now;
    session.pingId = 0n;
    this.byKey.set(session.keyId, session);
    this.byIdentifier.set(session.identifier, session);
  }

  /** Forgets a closing session: its linked peers get disconnect notifications. */
  remove(session: ServerSession): void {
    for (let slot = 0; slot < session.routes.length; slot++) this.freeSlot(session, slot);
    session.routes.length = 0;
    if (this.byKey.get(session.keyId) === session) this.byKey.delete(session.keyId);
    if (this.byIdentifier.get(session.identifier) === session) this.byIdentifier.delete(session.identifier);
  }

  /** Handles a routing request; false when the session was closed. */
  routeRequest(session: ServerSession, target: DhtPublicKey): boolean {
    if (keysEqual(target, session.publicKey!)) return this.respond(session, 0, target);
    const targetId = keyId(target);
    let free = -1;
    for (let slot = 0; slot < MAX_ROUTES_PER_CLIENT; slot++) {
      const route = session.routes[slot];
      if (route) {
        if (route.peerId === targetId) return this.respond(session, slot + NUM_RESERVED_IDS, target);
      } else if (free < 0) {
        free = slot;
      }
    }
    if (free < 0) return this.respond(session, 0, target);
    if (!this.respond(session, free + NUM_RESERVED_IDS, target)) return false;
    const route = { peerKey: target, peerId: targetId, link: undefined };
    session.routes[free] = route;
    session.routeCount++;
    this.linkIfMutual(session, free);
    return session.stage !== 'closed';
  }

  /** A client's disconnect notification; false (close it) for a free or reserved id, as c-toxcore does. */
  disconnect(session: ServerSession, connectionId: number): boolean {
    const slot = connectionId - NUM_RESERVED_IDS;
    if (slot < 0 || !session.routes[slot]) return false;
    this.freeSlot(session, slot);
    return true;
  }

  /** Routed data (`plain` is the whole packet); false (close it) for a free connection id. */
  forwardData(session: ServerSession, plain: Uint8Array): boolean {
    const route = session.routes[plain[0]! - NUM_RESERVED_IDS];
    if (!route) return false;
    if (!route.link) {
      this.stats.countDropped('dataNotOnline');
      return true;
    }
    const out = plain.slice();
    out[0] = route.link.slot + NUM_RESERVED_IDS;
    if (this.deliver(route.link.session, out, false) === 'sent') {
      this.stats.dataForwarded++;
      this.stats.dataBytesForwarded += plain.length - 1;
    }
    return true;
  }

  oob(session: ServerSession, destination: Uint8Array, data: Uint8Array): void {
    const target = this.byKey.get(keyId(destination));
    if (!target) {
      this.stats.countDropped('oobNoTarget');
      return;
    }
    if (this.deliver(target, OobReceive.encode({ sender: session.publicKey!, data }), false) === 'sent') this.stats.oobForwarded++;
  }

  /** The return token an onion request from `session` carries (16 bytes: identifier BE, then zeros). */
  returnToken(session: ServerSession): Uint8Array {
    const token = new Uint8Array(ONION_RETURN_TOKEN_SIZE);
    new DataView(token.buffer).setBigUint64(0, session.identifier);
    return token;
  }

  deliverOnionResponse(token: Uint8Array, payload: Uint8Array): boolean {
    if (payload.length === 0 || payload.length > MAX_PACKET_SIZE - 1) {
      this.stats.countDropped('onionResponseSize');
      return false;
    }
    const session =
      token.length === ONION_RETURN_TOKEN_SIZE
        ? this.byIdentifier.get(new DataView(token.buffer, token.byteOffset, token.byteLength).getBigUint64(0))
        : undefined;
    if (!session) {
      this.stats.countDropped('onionNoClient');
      return false;
    }
    if (this.deliver(session, OnionResponse.encode({ payload }), false) !== 'sent') return false;
    this.stats.onionResponsesDelivered++;
    return true;
  }

  private respond(session: ServerSession, connectionId: number, target: DhtPublicKey): boolean {
    if (connectionId === 0) this.stats.routesRefused++;
    else this.stats.routesGranted++;
    return this.deliver(session, RouteResponse.encode({ connectionId, publicKey: target }), true) === 'sent';
  }

  /** Links slot `slot` of `session` with the peer's slot for us, if the peer registered us and is not linked yet. */
  private linkIfMutual(session: ServerSession, slot: number): void {
    const route = session.routes[slot]!;
    const other = this.byKey.get(route.peerId);
    if (!other) return;
    const otherSlot = other.routes.findIndex((r) => r !== undefined && r.link === undefined && r.peerId === session.keyId);
    if (otherSlot < 0) return;
    route.link = { session: other, slot: otherSlot };
    other.routes[otherSlot]!.link = { session, slot };
    this.stats.routesLinked++;
    this.deliver(session, ConnectNotification.encode({ connectionId: slot + NUM_RESERVED_IDS }), true);
    this.deliver(other, ConnectNotification.encode({ connectionId: otherSlot + NUM_RESERVED_IDS }), true);
  }

  /** Frees a slot; a linked peer falls back to "registered" and is told. */
  private freeSlot(session: ServerSession, slot: number): void {
    const route = session.routes[slot];
    if (!route) return;
    session.routes[slot] = undefined;
    session.routeCount--;
    const link = route.link;
    if (!link) return;
    const back = link.session.routes[link.slot];
    if (back) back.link = undefined;
    this.deliver(link.session, DisconnectNotification.encode({ connectionId: link.slot + NUM_RESERVED_IDS }), true);
  }

  /** Sends to a session; a control packet that overflows its queue closes it. */
  private deliver(session: ServerSession, plain: Uint8Array, priority: boolean): SendResult {
    const result = session.send(plain, priority);
    if (result === 'overflow') this.close(session, 'queueOverflow');
    else if (result === 'congested') this.stats.countDropped('receiverCongested');
    return result;
  }
}
