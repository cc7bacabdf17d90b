// Friend API of the c-toxcore instance wrapper.
// Owns: adding/removing friends, friend queries (key, connection, name, status, typing),
// messages, typing notifications and custom (lossless/lossy) packets.

import { type Connection, MessageType, type UserStatus, withError } from './constants.js';
import { ToxcoreCore, keyBytes, utf8 } from './core.js';

export class ToxcoreFriends extends ToxcoreCore {
  /** tox_friend_add with the 38-byte address (or its hex); sends a friend request. */
  friendAdd(address: Uint8Array | string, message: string | Uint8Array): number {
    this.ensureAlive();
    const addr = keyBytes(address, 38, 'Tox address');
    const msg = utf8(message);
    return withError('TOX_ERR_FRIEND_ADD', 'tox_friend_add', (e) =>
      this.fn.tox_friend_add(this.tox, addr, msg, msg.length, e));
  }

  /** tox_friend_add_norequest with the 32-byte public key (accepting a request). */
  friendAddNoRequest(publicKey: Uint8Array | string): number {
    this.ensureAlive();
    const pk = keyBytes(publicKey, 32, 'public key');
    return withError('TOX_ERR_FRIEND_ADD', 'tox_friend_add_norequest', (e) =>
      this.fn.tox_friend_add_norequest(this.tox, pk, e));
  }

  friendDelete(friend: number): void {
    this.ensureAlive();
    withError('TOX_ERR_FRIEND_DELETE', 'tox_friend_delete', (e) => this.fn.tox_friend_delete(this.tox, friend, e));
  }

  friendByPublicKey(publicKey: Uint8Array | string): number {
    this.ensureAlive();
    const pk = keyBytes(publicKey, 32, 'public key');
    return withError('TOX_ERR_FRIEND_BY_PUBLIC_KEY', 'tox_friend_by_public_key', (e) =>
      this.fn.tox_friend_by_public_key(this.tox, pk, e));
  }

  friendList(): number[] {
    this.ensureAlive();
    const list = new Uint32Array(this.fn.tox_self_get_friend_list_size(this.tox));
    if (list.length > 0) this.fn.tox_self_get_friend_list(this.tox, list);
    return Array.from(list);
  }

  friendPublicKey(friend: number): Uint8Array {
    this.ensureAlive();
    return withError('TOX_ERR_FRIEND_GET_PUBLIC_KEY', 'tox_friend_get_public_key', (e) =>
      this.readBytes(32, (out) => this.fn.tox_friend_get_public_key(this.tox, friend, out, e)));
  }

  friendConnectionStatus(friend: number): Connection {
    this.ensureAlive();
    return withError('TOX_ERR_FRIEND_QUERY', 'tox_friend_get_connection_status', (e) =>
      this.fn.tox_friend_get_connection_status(this.tox, friend, e)) as Connection;
  }

  friendName(friend: number): string {
    this.ensureAlive();
    return withError('TOX_ERR_FRIEND_QUERY', 'tox_friend_get_name', (e) => {
      const size = this.fn.tox_friend_get_name_size(this.tox, friend, e);
      return this.readText(e[0] === 0 ? size : 0, (out) => this.fn.tox_friend_get_name(this.tox, friend, out, e));
    });
  }

  friendStatusMessage(friend: number): string {
    this.ensureAlive();
    return withError('TOX_ERR_FRIEND_QUERY', 'tox_friend_get_status_message', (e) => {
      const size = this.fn.tox_friend_get_status_message_size(this.tox, friend, e);
      return this.readText(e[0] === 0 ? size : 0, (out) =>
        this.fn.tox_friend_get_status_message(this.tox, friend, out, e));
    });
  }

  friendUserStatus(friend: number): UserStatus {
    this.ensureAlive();
    return withError('TOX_ERR_FRIEND_QUERY', 'tox_friend_get_status', (e) =>
      this.fn.tox_friend_get_status(this.tox, friend, e)) as UserStatus;
  }

  friendTyping(friend: number): boolean {
    this.ensureAlive();
    return withError('TOX_ERR_FRIEND_QUERY', 'tox_friend_get_typing', (e) =>
      this.fn.tox_friend_get_typing(this.tox, friend, e));
  }

  setTyping(friend: number, typing: boolean): void {
    this.ensureAlive();
    withError('TOX_ERR_SET_TYPING', 'tox_self_set_typing', (e) =>
      this.fn.tox_self_set_typing(this.tox, friend, typing, e));
  }

  /** tox_friend_send_message; returns the message id that friend_read_receipt reports. */
  friendSendMessage(friend: number, text: string | Uint8Array, type: MessageType = MessageType.NORMAL): number {
    this.ensureAlive();
    const msg = utf8(text);
    return withError('TOX_ERR_FRIEND_SEND_MESSAGE', 'tox_friend_send_message', (e) =>
      this.fn.tox_friend_send_message(this.tox, friend, type, msg, msg.length, e));
  }

  /** tox.h: the first byte must be 69 or in 160..191. */
  friendSendLosslessPacket(friend: number, data: Uint8Array): void {
    this.ensureAlive();
    withError('TOX_ERR_FRIEND_CUSTOM_PACKET', 'tox_friend_send_lossless_packet', (e) =>
      this.fn.tox_friend_send_lossless_packet(this.tox, friend, data, data.length, e));
  }

  /** tox.h: the first byte must be in 192..254. */
  friendSendLossyPacket(friend: number, data: Uint8Array): void {
    this.ensureAlive();
    withError('TOX_ERR_FRIEND_CUSTOM_PACKET', 'tox_friend_send_lossy_packet', (e) =>
      this.fn.tox_friend_send_lossy_packet(this.tox, friend, data, data.length, e));
  }
}
