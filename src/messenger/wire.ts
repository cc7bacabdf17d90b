/**
 * Messenger's own packets (tox-protocol.md §7.4), declared once in
 * `messengerCodecs`: ONLINE/OFFLINE, name, status message, user status,
 * typing, and messages/actions. File-transfer packets belong to
 * src/messenger/files; conference packets to src/conference.
 */
import { mapped, PacketRegistry, rest, struct, u8, type Codec } from '../binary/index.js';
import { MAX_MESSAGE_LENGTH, MAX_NAME_LENGTH, MAX_STATUS_MESSAGE_LENGTH, MESSENGER_PACKET_ID as ID } from './constants.js';

export const messengerCodecs = new PacketRegistry('messenger');

function boundedRest(min: number, max: number): Codec<Uint8Array> {
  return mapped(
    rest(max),
    (value, fail) => (value.length < min ? fail(`${value.length} bytes, at least ${min} needed`) : value),
    (value) => value,
  );
}

export const Online = messengerCodecs.define('Online', struct({}), { id: ID.online });
export const Offline = messengerCodecs.define('Offline', struct({}), { id: ID.offline });
export const Nickname = messengerCodecs.define('Nickname', struct({ name: rest(MAX_NAME_LENGTH) }), { id: ID.nickname });
export const StatusMessage = messengerCodecs.define('StatusMessage', struct({ message: rest(MAX_STATUS_MESSAGE_LENGTH) }), { id: ID.statusMessage });
/** 0 online, 1 away, 2 busy; larger values are decoded and ignored by the engine (c-toxcore). */
export const UserStatusPacket = messengerCodecs.define('UserStatus', struct({ status: u8 }), { id: ID.userStatus });
export const Typing = messengerCodecs.define('Typing', struct({ typing: u8 }), { id: ID.typing });
export const Message = messengerCodecs.define('Message', struct({ text: boundedRest(1, MAX_MESSAGE_LENGTH) }), { id: ID.message });
export const Action = messengerCodecs.define('Action', struct({ text: boundedRest(1, MAX_MESSAGE_LENGTH) }), { id: ID.action });

