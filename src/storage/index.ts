/**
 * Public surface of the storage layer: the c-toxcore savedata codec and
 * profile model, toxEsave passphrase encryption, atomic files, and the
 * profile store that ties them together. The only layer besides runtime that
 * touches the file system.
 */
export * from './errors.js';
export * from './atomic-file.js';
export * from './encrypted.js';
export * from './profile-store.js';
export * from './savedata/profile.js';
export { FRIEND_RECORD_SIZE } from './savedata/friends.js';
export { SECTION_TYPE, storageCodecs } from './savedata/sections.js';
export { decodeSavedata, encodeSavedata, type DecodeSavedataOptions, type UnknownSection } from './savedata/savedata.js';
