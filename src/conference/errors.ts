/** API misuse of the conference engine: `ConferenceError` with a stable code (c-toxcore's TOX_ERR_CONFERENCE_* in spirit). */
import { ToxError } from '../base/index.js';

export type ConferenceErrorCode =
  | 'CONFERENCE_NOT_FOUND'
  /** No conference connection is online (or we are still joining). */
  | 'NO_CONNECTION'
  | 'MESSAGE_TOO_LONG'
  | 'EMPTY_MESSAGE'
  /** The packet went to no connection (every one refused it). */
  | 'SEND_FAILED'
  | 'TITLE_TOO_LONG'
  | 'TITLE_EMPTY'
  | 'NAME_TOO_LONG'
  | 'FRIEND_NOT_FOUND'
  | 'FRIEND_NOT_ONLINE'
  | 'INVALID_COOKIE'
  | 'WRONG_TYPE'
  | 'ALREADY_JOINED'
  /** Every one of the 65536 conference numbers is taken. */
  | 'TOO_MANY_CONFERENCES';

export class ConferenceError extends ToxError {
  declare readonly code: ConferenceErrorCode;

  constructor(code: ConferenceErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}
