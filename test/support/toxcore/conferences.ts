// Conference (old group chat) API of the c-toxcore instance wrapper. 0.2.18 from Debian has no
// NGC, so these are the only groups. Owns: create/delete/invite/join, messages, titles, peers
// (online and offline), chat list, id and type.
// Gotchas (research notes): invite needs the friend online; join needs the cookie from the
// conference_invite event; your own messages come back with peerNumberIsOurs = true; peer
// numbers are renumbered when someone leaves, so key peers by public key.

import { type ConferenceType, MessageType, withError } from './constants.js';
import { keyBytes, utf8 } from './core.js';
import { ToxcoreFiles } from './files.js';

export class ToxcoreConferences extends ToxcoreFiles {
  conferenceNew(): number {
    this.ensureAlive();
    return withError('TOX_ERR_CONFERENCE_NEW', 'tox_conference_new', (e) => this.fn.tox_conference_new(this.tox, e));
  }

  conferenceDelete(conference: number): void {
    this.ensureAlive();
    withError('TOX_ERR_CONFERENCE_DELETE', 'tox_conference_delete', (e) =>
      this.fn.tox_conference_delete(this.tox, conference, e));
  }

  conferenceInvite(friend: number, conference: number): void {
    this.ensureAlive();
    withError('TOX_ERR_CONFERENCE_INVITE', 'tox_conference_invite', (e) =>
      this.fn.tox_conference_invite(this.tox, friend, conference, e));
  }

  /** Returns the new conference number. */
  conferenceJoin(friend: number, cookie: Uint8Array): number {
    this.ensureAlive();
    return withError('TOX_ERR_CONFERENCE_JOIN', 'tox_conference_join', (e) =>
      this.fn.tox_conference_join(this.tox, friend, cookie, cookie.length, e));
  }

  conferenceSendMessage(conference: number, text: string | Uint8Array, type: MessageType = MessageType.NORMAL): void {
    this.ensureAlive();
    const msg = utf8(text);
    withError('TOX_ERR_CONFERENCE_SEND_MESSAGE', 'tox_conference_send_message', (e) =>
      this.fn.tox_conference_send_message(this.tox, conference, type, msg, msg.length, e));
  }

  /** Throws TOX_ERR_CONFERENCE_TITLE_INVALID_LENGTH until a title has been set. */
  conferenceGetTitle(conference: number): string {
    this.ensureAlive();
    return withError('TOX_ERR_CONFERENCE_TITLE', 'tox_conference_get_title', (e) => {
      const size = this.fn.tox_conference_get_title_size(this.tox, conference, e);
      return this.readText(e[0] === 0 ? size : 0, (out) => this.fn.tox_conference_get_title(this.tox, conference, out, e));
    });
  }

  conferenceSetTitle(conference: number, title: string | Uint8Array): void {
    this.ensureAlive();
    const bytes = utf8(title);
    withError('TOX_ERR_CONFERENCE_TITLE', 'tox_conference_set_title', (e) =>
      this.fn.tox_conference_set_title(this.tox, conference, bytes, bytes.length, e));
  }

  conferencePeerCount(conference: number): number {
    this.ensureAlive();
    return withError('TOX_ERR_CONFERENCE_PEER_QUERY', 'tox_conference_peer_count', (e) =>
      this.fn.tox_conference_peer_count(this.tox, conference, e));
  }

  conferencePeerName(conference: number, peer: number): string {
    this.ensureAlive();
    return withError('TOX_ERR_CONFERENCE_PEER_QUERY', 'tox_conference_peer_get_name', (e) => {
      const size = this.fn.tox_conference_peer_get_name_size(this.tox, conference, peer, e);
      return this.readText(e[0] === 0 ? size : 0, (out) =>
        this.fn.tox_conference_peer_get_name(this.tox, conference, peer, out, e));
    });
  }

  conferencePeerPublicKey(conference: number, peer: number): Uint8Array {
    this.ensureAlive();
    return withError('TOX_ERR_CONFERENCE_PEER_QUERY', 'tox_conference_peer_get_public_key', (e) =>
      this.readBytes(32, (out) => this.fn.tox_conference_peer_get_public_key(this.tox, conference, peer, out, e)));
  }

  conferencePeerNumberIsOurs(conference: number, peer: number): boolean {
    this.ensureAlive();
    return withError('TOX_ERR_CONFERENCE_PEER_QUERY', 'tox_conference_peer_number_is_ours', (e) =>
      this.fn.tox_conference_peer_number_is_ours(this.tox, conference, peer, e));
  }

  conferenceOfflinePeerCount(conference: number): number {
    this.ensureAlive();
    return withError('TOX_ERR_CONFERENCE_PEER_QUERY', 'tox_conference_offline_peer_count', (e) =>
      this.fn.tox_conference_offline_peer_count(this.tox, conference, e));
  }

  conferenceOfflinePeerPublicKey(conference: number, offlinePeer: number): Uint8Array {
    this.ensureAlive();
    return withError('TOX_ERR_CONFERENCE_PEER_QUERY', 'tox_conference_offline_peer_get_public_key', (e) =>
      this.readBytes(32, (out) =>
        this.fn.tox_conference_offline_peer_get_public_key(this.tox, conference, offlinePeer, out, e)));
  }

  conferenceChatlist(): number[] {
    this.ensureAlive();
    const list = new Uint32Array(this.fn.tox_conference_get_chatlist_size(this.tox));
    if (list.length > 0) this.fn.tox_conference_get_chatlist(this.tox, list);
    return Array.from(list);
  }

  conferenceGetType(conference: number): ConferenceType {
    this.ensureAlive();
    return withError('TOX_ERR_CONFERENCE_GET_TYPE', 'tox_conference_get_type', (e) =>
      this.fn.tox_conference_get_type(this.tox, conference, e)) as ConferenceType;
  }

  /** The 32-byte conference id (same on every member). */
  conferenceGetId(conference: number): Uint8Array {
    this.ensureAlive();
    const id = new Uint8Array(32);
    if (!this.fn.tox_conference_get_id(this.tox, conference, id)) {
      throw new Error(`tox_conference_get_id failed: no conference ${conference}`);
    }
    return id;
  }

  conferenceById(id: Uint8Array | string): number {
    this.ensureAlive();
    const bytes = keyBytes(id, 32, 'conference id');
    return withError('TOX_ERR_CONFERENCE_BY_ID', 'tox_conference_by_id', (e) =>
      this.fn.tox_conference_by_id(this.tox, bytes, e));
  }
}
