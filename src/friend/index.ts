/**
 * Public surface of the friend layer (tox-protocol.md §7.1–§7.2): shared
 * friend connections (`FriendConnections`), the incoming friend-request
 * filter with its admission hook and rate limit (`FriendRequests`), constants
 * and the wire codecs (`friendCodecs`).
 */
export * from './constants.js';
export * from './wire.js';
export {
  FriendConnections,
  type FriendConnectionsDeps,
  type FriendConnectionsEvents,
  type FriendConnectionsOptions,
  type FriendDropReason,
  type FriendRelayPort,
} from './connections.js';
export {
  FriendRequests,
  type FriendRequestAdmission,
  type FriendRequestDropReason,
  type FriendRequestsDeps,
  type FriendRequestsEvents,
  type FriendRequestsOptions,
} from './requests.js';
