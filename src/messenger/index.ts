/**
 * Public surface of the Messenger layer (tox-protocol.md §7.3–§7.5): the
 * engine, its friend records and events, errors with stable codes,
 * constants, the wire codecs (`messengerCodecs`), and the file-transfer
 * engine (./files) the Messenger embeds as `files`.
 */
export * from './constants.js';
export * from './errors.js';
export * from './wire.js';
export { USER_STATUS_WIRE, type FriendRecord, type FriendRecordStatus, type UserStatus } from './friend.js';
export {
  Messenger,
  type ExtraPacketHandler,
  type FriendTransport,
  type MessageKind,
  type MessengerDeps,
  type MessengerEvents,
  type SelfState,
} from './messenger.js';
export * from './files/index.js';
