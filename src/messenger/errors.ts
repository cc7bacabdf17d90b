/** Messenger API misuse: `ToxError`s with stable codes the runtime can switch on. */
import { ToxError } from '../base/index.js';

export type MessengerErrorCode =
  | 'FRIEND_NOT_FOUND'
  | 'FRIEND_NOT_CONNECTED'
  | 'FRIEND_ALREADY_ADDED'
  | 'OWN_KEY'
  | 'NO_MESSAGE'
  | 'MESSAGE_TOO_LONG'
  | 'BAD_PACKET_ID'
  | 'SENDQ';

export class MessengerError extends ToxError {
  constructor(code: MessengerErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}
