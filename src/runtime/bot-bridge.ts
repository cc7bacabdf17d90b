/**
 * The bridge between one ToxNode and its plugins: `ToxNodeBotApi` implements
 * the plugins' `BotNodeApi` port over the node's Messenger and conference
 * API, and `publishNodeEvents` turns the node's events into `BotEvent`s on a
 * bus.
 */
import { isToxError } from '../base/index.js';
import type { BotNodeApi, ConferenceInfo, FriendInfo, MessageType, SelfInfo, SendResult } from './bot/port.js';
import {
  publicKeyHex,
  type BotEventBus,
  type ConferenceId,
  type ConferenceRef,
  type FriendRef,
  type PeerRef,
  type PublicKeyHex,
  type UserStatus,
} from './events.js';
import type { ConferenceSummary, FriendEventRef, FriendSummary, ToxNode, ToxNodeEvents } from './tox-node.js';

function friendInfo(f: FriendSummary): FriendInfo {
  return { publicKey: f.publicKey, number: f.number, name: f.name, statusMessage: f.statusMessage, status: f.status, connection: f.connection };
}

function conferenceInfo(c: ConferenceSummary): ConferenceInfo {
  return { id: c.id, number: c.number, type: c.type, title: c.title, connected: c.connected };
}

function isNotFound(err: unknown): boolean {
  return isToxError(err) && err.code === 'CONFERENCE_NOT_FOUND';
}

/** A send the node refused, as a result (the outbox retries `queue-full` and `not-connected`). */
function sendFailure(err: unknown): SendResult {
  if (!isToxError(err)) throw err;
  switch (err.code) {
    case 'SENDQ':
      return { ok: false, reason: 'queue-full' };
    case 'FRIEND_NOT_CONNECTED':
    case 'NO_CONNECTION':
      return { ok: false, reason: 'not-connected' };
    case 'FRIEND_NOT_FOUND':
    case 'CONFERENCE_NOT_FOUND':
      return { ok: false, reason: 'not-found' };
    case 'MESSAGE_TOO_LONG':
      return { ok: false, reason: 'too-long' };
    default:
      return { ok: false, reason: 'failed', detail: err.message };
  }
}

export class ToxNodeBotApi implements BotNodeApi {
  constructor(private readonly node: ToxNode) {}

  self(): SelfInfo {
    const n = this.node;
    return { publicKey: n.publicKey, toxId: n.toxIdText, name: n.name, statusMessage: n.statusMessage, status: n.status, connection: n.connectionStatus };
  }

  async setName(name: string): Promise<void> {
    this.node.setName(name);
  }

  async setStatusMessage(statusMessage: string): Promise<void> {
    this.node.setStatusMessage(statusMessage);
  }

  async setStatus(status: UserStatus): Promise<void> {
    this.node.setStatus(status);
  }

  friends(): readonly FriendInfo[] {
    return this.node.friends().map(friendInfo);
  }

  friend(publicKey: PublicKeyHex): FriendInfo | undefined {
    return this.node.friends().find((f) => f.publicKey === publicKey) ?? undefined;
  }

  async acceptFriendRequest(publicKey: PublicKeyHex): Promise<FriendRef> {
    return this.ref(this.node.acceptFriendRequest(publicKey));
  }

  async addFriend(toxId: string, message: string): Promise<FriendRef> {
    return this.ref(this.node.addFriend(toxId, message));
  }

  async deleteFriend(publicKey: PublicKeyHex): Promise<void> {
    this.node.deleteFriend(publicKey);
  }

  async sendFriendMessage(publicKey: PublicKeyHex, text: string, type: MessageType): Promise<SendResult> {
    try {
      return { ok: true, messageId: this.node.sendMessage(publicKey, text, type) };
    } catch (err) {
      return sendFailure(err);
    }
  }

  conferences(): readonly ConferenceInfo[] {
    return this.node.conferences().map(conferenceInfo);
  }

  conference(id: ConferenceId): ConferenceInfo | undefined {
    try {
      return conferenceInfo(this.node.conference(id));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  peers(id: ConferenceId): readonly PeerRef[] {
    try {
      return this.node.conferencePeers(id);
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }

  async createConference(): Promise<ConferenceRef> {
    return this.node.createConference();
  }

  async joinConference(friend: PublicKeyHex, cookie: Uint8Array): Promise<ConferenceRef> {
    return this.node.joinConference(friend, cookie);
  }

  async leaveConference(id: ConferenceId): Promise<void> {
    this.node.leaveConference(id);
  }

  async inviteToConference(friend: PublicKeyHex, id: ConferenceId): Promise<void> {
    this.node.inviteToConference(friend, id);
  }

  async setConferenceTitle(id: ConferenceId, title: string): Promise<void> {
    this.node.setConferenceTitle(id, title);
  }

  async sendConferenceMessage(id: ConferenceId, text: string, type: MessageType): Promise<SendResult> {
    try {
      this.node.sendConferenceMessage(id, text, type);
      return { ok: true };
    } catch (err) {
      return sendFailure(err);
    }
  }

  private ref(friendNumber: number): FriendRef {
    const f = this.node.friend(friendNumber);
    return { publicKey: f.publicKey, number: f.number, name: f.name };
  }
}

/** Publishes the node's friend and conference events as bot events; returns the function that unsubscribes. */
export function publishNodeEvents(node: ToxNode, bus: BotEventBus): () => void {
  const ref = (f: FriendEventRef): FriendRef => {
    let name = '';
    try {
      name = node.friend(f.number).name;
    } catch {
      // The friend was deleted meanwhile: the event still names it by key.
    }
    return { publicKey: f.publicKey, number: f.number, name };
  };
  const subscriptions: Array<() => void> = [];
  const on = <K extends keyof ToxNodeEvents>(event: K, listener: ToxNodeEvents[K]): void => {
    node.on(event, listener as never);
    subscriptions.push(() => node.off(event, listener as never));
  };
  on('selfConnection', (status) => bus.publish({ kind: 'self.connection', status }));
  on('friendRequest', (publicKey, message) => bus.publish({ kind: 'friend.request', publicKey: publicKeyHex(publicKey), message }));
  on('friendConnection', (f, status) =>
    bus.publish(status === 'none' ? { kind: 'friend.offline', friend: ref(f) } : { kind: 'friend.online', friend: ref(f), transport: status }),
  );
  on('friendMessage', (f, text, type) =>
    bus.publish({ kind: type === 'action' ? 'friend.action' : 'friend.message', friend: ref(f), text }),
  );
  on('friendReceipt', (f, messageId) => bus.publish({ kind: 'friend.receipt', friend: ref(f), messageId }));
  // The node reports a rename before the ref below reads the new name, so remember the previous one.
  const names = new Map<PublicKeyHex, string>(node.friends().map((f) => [f.publicKey, f.name]));
  on('friendName', (f, name) => {
    const previousName = names.get(f.publicKey) ?? '';
    names.set(f.publicKey, name);
    bus.publish({ kind: 'friend.name', friend: { ...ref(f), name }, previousName });
  });
  on('friendStatusMessage', (f, statusMessage) => bus.publish({ kind: 'friend.status-message', friend: ref(f), statusMessage }));
  on('friendStatus', (f, status) => bus.publish({ kind: 'friend.status', friend: ref(f), status }));
  on('friendTyping', (f, typing) => bus.publish({ kind: 'friend.typing', friend: ref(f), typing }));
  on('friendLosslessPacket', (f, data) => bus.publish({ kind: 'friend.custom-packet', friend: ref(f), lossless: true, data }));
  on('friendLossyPacket', (f, data) => bus.publish({ kind: 'friend.custom-packet', friend: ref(f), lossless: false, data }));
  on('conferenceInvite', (f, invite) =>
    bus.publish({ kind: 'conference.invite', friend: ref(f), conferenceId: invite.conferenceId, conferenceType: invite.type, cookie: invite.cookie }),
  );
  on('conferenceConnected', (conference) => bus.publish({ kind: 'conference.connected', conference }));
  on('conferenceMessage', (conference, peer, text, type) =>
    bus.publish({ kind: type === 'action' ? 'conference.action' : 'conference.message', conference, peer, text }),
  );
  on('conferenceTitle', (conference, title, peer) => bus.publish({ kind: 'conference.title', conference, title, peer }));
  on('conferencePeerJoin', (conference, peer) => bus.publish({ kind: 'conference.peer.join', conference, peer }));
  on('conferencePeerLeave', (conference, peer, reason) => bus.publish({ kind: 'conference.peer.leave', conference, peer, reason }));
  on('conferencePeerRename', (conference, peer, previousName) => bus.publish({ kind: 'conference.peer.rename', conference, peer, previousName }));
  return () => {
    for (const off of subscriptions.splice(0)) off();
  };
}
