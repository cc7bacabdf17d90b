// c-toxcore 0.2.18 enum values (tox.h, toxencryptsave.h) and the error type the harness throws.
// Owns: value enums used by the API wrappers, TOX_ERR_* name tables, ToxcoreError and the
// out-param check helper.

export const Connection = { NONE: 0, TCP: 1, UDP: 2 } as const;
export type Connection = (typeof Connection)[keyof typeof Connection];

export const UserStatus = { NONE: 0, AWAY: 1, BUSY: 2 } as const;
export type UserStatus = (typeof UserStatus)[keyof typeof UserStatus];

export const MessageType = { NORMAL: 0, ACTION: 1 } as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export const SavedataType = { NONE: 0, TOX_SAVE: 1, SECRET_KEY: 2 } as const;

export const FileKind = { DATA: 0, AVATAR: 1 } as const;

export const FileControl = { RESUME: 0, PAUSE: 1, CANCEL: 2 } as const;
export type FileControl = (typeof FileControl)[keyof typeof FileControl];

export const ConferenceType = { TEXT: 0, AV: 1 } as const;
export type ConferenceType = (typeof ConferenceType)[keyof typeof ConferenceType];

/** Suffixes of each TOX_ERR_* enum, in declaration order (index = C value). */
export const ERRORS = {
  TOX_ERR_OPTIONS_NEW: ['OK', 'MALLOC'],
  TOX_ERR_NEW: [
    'OK', 'NULL', 'MALLOC', 'PORT_ALLOC', 'PROXY_BAD_TYPE', 'PROXY_BAD_HOST', 'PROXY_BAD_PORT',
    'PROXY_NOT_FOUND', 'LOAD_ENCRYPTED', 'LOAD_BAD_FORMAT',
  ],
  TOX_ERR_BOOTSTRAP: ['OK', 'NULL', 'BAD_HOST', 'BAD_PORT'],
  TOX_ERR_SET_INFO: ['OK', 'NULL', 'TOO_LONG'],
  TOX_ERR_FRIEND_ADD: [
    'OK', 'NULL', 'TOO_LONG', 'NO_MESSAGE', 'OWN_KEY', 'ALREADY_SENT', 'BAD_CHECKSUM',
    'SET_NEW_NOSPAM', 'MALLOC',
  ],
  TOX_ERR_FRIEND_DELETE: ['OK', 'FRIEND_NOT_FOUND'],
  TOX_ERR_FRIEND_BY_PUBLIC_KEY: ['OK', 'NULL', 'NOT_FOUND'],
  TOX_ERR_FRIEND_GET_PUBLIC_KEY: ['OK', 'FRIEND_NOT_FOUND'],
  TOX_ERR_FRIEND_QUERY: ['OK', 'NULL', 'FRIEND_NOT_FOUND'],
  TOX_ERR_SET_TYPING: ['OK', 'FRIEND_NOT_FOUND'],
  TOX_ERR_FRIEND_SEND_MESSAGE: [
    'OK', 'NULL', 'FRIEND_NOT_FOUND', 'FRIEND_NOT_CONNECTED', 'SENDQ', 'TOO_LONG', 'EMPTY',
  ],
  TOX_ERR_FILE_CONTROL: [
    'OK', 'FRIEND_NOT_FOUND', 'FRIEND_NOT_CONNECTED', 'NOT_FOUND', 'NOT_PAUSED', 'DENIED',
    'ALREADY_PAUSED', 'SENDQ',
  ],
  TOX_ERR_FILE_SEEK: [
    'OK', 'FRIEND_NOT_FOUND', 'FRIEND_NOT_CONNECTED', 'NOT_FOUND', 'DENIED', 'INVALID_POSITION',
    'SENDQ',
  ],
  TOX_ERR_FILE_GET: ['OK', 'NULL', 'FRIEND_NOT_FOUND', 'NOT_FOUND'],
  TOX_ERR_FILE_SEND: [
    'OK', 'NULL', 'FRIEND_NOT_FOUND', 'FRIEND_NOT_CONNECTED', 'NAME_TOO_LONG', 'TOO_MANY',
  ],
  TOX_ERR_FILE_SEND_CHUNK: [
    'OK', 'NULL', 'FRIEND_NOT_FOUND', 'FRIEND_NOT_CONNECTED', 'NOT_FOUND', 'NOT_TRANSFERRING',
    'INVALID_LENGTH', 'SENDQ', 'WRONG_POSITION',
  ],
  TOX_ERR_CONFERENCE_NEW: ['OK', 'INIT'],
  TOX_ERR_CONFERENCE_DELETE: ['OK', 'CONFERENCE_NOT_FOUND'],
  TOX_ERR_CONFERENCE_PEER_QUERY: ['OK', 'CONFERENCE_NOT_FOUND', 'PEER_NOT_FOUND', 'NO_CONNECTION'],
  TOX_ERR_CONFERENCE_INVITE: ['OK', 'CONFERENCE_NOT_FOUND', 'FAIL_SEND', 'NO_CONNECTION'],
  TOX_ERR_CONFERENCE_JOIN: [
    'OK', 'INVALID_LENGTH', 'WRONG_TYPE', 'FRIEND_NOT_FOUND', 'DUPLICATE', 'INIT_FAIL', 'FAIL_SEND',
  ],
  TOX_ERR_CONFERENCE_SEND_MESSAGE: [
    'OK', 'CONFERENCE_NOT_FOUND', 'TOO_LONG', 'NO_CONNECTION', 'FAIL_SEND',
  ],
  TOX_ERR_CONFERENCE_TITLE: ['OK', 'CONFERENCE_NOT_FOUND', 'INVALID_LENGTH', 'FAIL_SEND'],
  TOX_ERR_CONFERENCE_GET_TYPE: ['OK', 'CONFERENCE_NOT_FOUND'],
  TOX_ERR_CONFERENCE_BY_ID: ['OK', 'NULL', 'NOT_FOUND'],
  TOX_ERR_FRIEND_CUSTOM_PACKET: [
    'OK', 'NULL', 'FRIEND_NOT_FOUND', 'FRIEND_NOT_CONNECTED', 'INVALID', 'EMPTY', 'TOO_LONG', 'SENDQ',
  ],
  TOX_ERR_GET_PORT: ['OK', 'NOT_BOUND'],
  TOX_ERR_ENCRYPTION: ['OK', 'NULL', 'KEY_DERIVATION_FAILED', 'FAILED'],
  TOX_ERR_DECRYPTION: [
    'OK', 'NULL', 'INVALID_LENGTH', 'BAD_FORMAT', 'KEY_DERIVATION_FAILED', 'FAILED',
  ],
} as const satisfies Record<string, readonly string[]>;

export type ErrorEnum = keyof typeof ERRORS;

/** Full C name of an error value, e.g. `TOX_ERR_FRIEND_ADD_ALREADY_SENT`. */
export function errorName(kind: ErrorEnum, code: number): string {
  const suffix: string | undefined = ERRORS[kind][code];
  return suffix === undefined ? `${kind}_<unknown ${code}>` : `${kind}_${suffix}`;
}

/** Thrown by every wrapper whose C call reported an error; `codeName` is the TOX_ERR_* name. */
export class ToxcoreError extends Error {
  constructor(
    readonly fn: string,
    readonly code: number,
    readonly codeName: string,
  ) {
    super(`${fn} failed: ${codeName}`);
    this.name = 'ToxcoreError';
  }
}

/**
 * Calls `body` with a fresh error out-param (`Int32Array(1)`, passed as `int *`) and throws a
 * ToxcoreError unless the C function left it at 0 (OK).
 */
export function withError<T>(kind: ErrorEnum, fn: string, body: (err: Int32Array) => T): T {
  const err = new Int32Array(1);
  const result = body(err);
  const code = err[0] ?? 0;
  if (code !== 0) throw new ToxcoreError(fn, code, errorName(kind, code));
  return result;
}
