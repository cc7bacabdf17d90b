/** Messenger packet ids and limits (tox-protocol.md §7.3, §7.4, §13). */

export const MESSENGER_PACKET_ID = {
  online: 0x18,
  offline: 0x19,
  nickname: 0x30,
  statusMessage: 0x31,
  userStatus: 0x32,
  typing: 0x33,
  message: 0x40,
  action: 0x41,
  msi: 0x45,
  fileSendRequest: 0x50,
  fileControl: 0x51,
  fileData: 0x52,
  conferenceInvite: 0x60,
} as const;

/** File-transfer packet ids, routed to the file engine (src/messenger/files). */
export const FILE_PACKET_IDS: readonly number[] = [MESSENGER_PACKET_ID.fileSendRequest, MESSENGER_PACKET_ID.fileControl, MESSENGER_PACKET_ID.fileData];

export const CUSTOM_LOSSLESS_MIN = 160;
export const CUSTOM_LOSSLESS_MAX = 191;
export const CUSTOM_LOSSY_MIN = 200;
export const CUSTOM_LOSSY_MAX = 254;

export const MAX_NAME_LENGTH = 128;
export const MAX_STATUS_MESSAGE_LENGTH = 1007;
export const MAX_MESSAGE_LENGTH = 1372;
export const MAX_FRIEND_REQUEST_LENGTH = 1016;
/** A custom packet, id byte included (MAX_CRYPTO_DATA_SIZE). */
export const MAX_CUSTOM_PACKET_SIZE = 1373;

/** A friend request that got no answer is sent again after this long, doubled per try. */
export const FRIEND_REQUEST_TIMEOUT_MS = 5_000;
/** Messenger's own tick (c-toxcore iterates at least every 50 ms). */
export const MESSENGER_TICK_MS = 50;
/** Ours: the Messenger tick while no friend is connected and no request waits to go out. */
export const IDLE_TICK_MS = 1_000;
