/**
 * One Messenger friend: the persistent record (what the profile saves, same
 * field names as storage's SavedFriend) plus the session state — online, the
 * "already sent" flags of our name/status/typing, the friend-request retry
 * clock and the receipts awaiting acknowledgement.
 */
import { keyId, type LongTermPublicKey } from '../crypto/index.js';
import { FRIEND_REQUEST_TIMEOUT_MS } from './constants.js';

export type UserStatus = 'online' | 'away' | 'busy';
export const USER_STATUS_WIRE: readonly UserStatus[] = ['online', 'away', 'busy'];

/** `added`: a request is to be sent; `requestSent`: it went out; `confirmed`: a mutual friend. */
export type FriendRecordStatus = 'added' | 'requestSent' | 'confirmed';

/** The saved part of a friend (structurally storage's SavedFriend). */
export interface FriendRecord {
  status: FriendRecordStatus;
  publicKey: LongTermPublicKey;
  requestMessage: Uint8Array;
  name: Uint8Array;
  statusMessage: Uint8Array;
  userStatus: UserStatus;
  nospam: Uint8Array;
  /** Unix seconds; 0 = never. */
  lastSeen: number;
}

interface PendingReceipt {
  readonly packetNumber: number;
  readonly messageId: number;
}

export class MessengerFriend {
  readonly id: string;
  online = false;
  typing = false;
  /** Our typing state toward this friend. */
  ourTyping = false;
  onlineSent = false;
  nameSent = false;
  statusMessageSent = false;
  userStatusSent = false;
  typingSent = false;
  requestSentAt = 0;
  requestTimeoutMs = FRIEND_REQUEST_TIMEOUT_MS;
  lastMessageId = 0;
  readonly receipts: PendingReceipt[] = [];
  /** Index of the first receipt not yet reported (the array is compacted lazily). */
  receiptHead = 0;

  constructor(
    readonly number: number,
    readonly record: FriendRecord,
  ) {
    this.id = keyId(record.publicKey);
  }

  get publicKey(): LongTermPublicKey {
    return this.record.publicKey;
  }

  /** Resets what going online resends (c-toxcore clears the "sent" flags). */
  resetSent(): void {
    this.nameSent = false;
    this.statusMessageSent = false;
    this.userStatusSent = false;
    this.typingSent = false;
  }

  nextMessageId(): number {
    this.lastMessageId = (this.lastMessageId + 1) >>> 0;
    if (this.lastMessageId === 0) this.lastMessageId = 1;
    return this.lastMessageId;
  }

  pendingReceipts(): number {
    return this.receipts.length - this.receiptHead;
  }

  /** Removes and returns the message ids of every receipt not yet reported. */
  takePendingReceipts(): number[] {
    const ids = this.receipts.slice(this.receiptHead).map((r) => r.messageId);
    this.receipts.length = 0;
    this.receiptHead = 0;
    return ids;
  }

  /** Pops receipts whose packets are acknowledged, in order. */
  popDelivered(isDelivered: (packetNumber: number) => boolean): number[] {
    const out: number[] = [];
    while (this.receiptHead < this.receipts.length && isDelivered(this.receipts[this.receiptHead]!.packetNumber)) {
      out.push(this.receipts[this.receiptHead]!.messageId);
      this.receiptHead++;
    }
    if (this.receiptHead > 1024 && this.receiptHead * 2 > this.receipts.length) {
      this.receipts.splice(0, this.receiptHead);
      this.receiptHead = 0;
    }
    return out;
  }
}
