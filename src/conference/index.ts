/**
 * Public surface of the conference layer (c-toxcore 0.2.18 group chats,
 * tox-protocol.md §8): the manager `Conferences`, its port to friend_connection
 * and Messenger, events, errors, counters, the persistence snapshot, constants,
 * and the wire codecs (`conferenceCodecs`).
 */
export * from './constants.js';
export * from './ports.js';
export * from './events.js';
export * from './errors.js';
export * from './counters.js';
export { Conferences, type ConferencesDeps, type ConferencesOptions, type ConferenceInfo, type ConferencePeer, type ConferenceConnectionInfo } from './conferences.js';
export type { ConferenceSnapshot, ConferenceSnapshotPeer, ConferenceType } from './persistence.js';
export * from './wire/index.js';
