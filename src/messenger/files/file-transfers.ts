/**
 * The file-transfer engine of c-toxcore 0.2.18's Messenger (tox-protocol.md
 * §7.5): per friend up to 256 outgoing and 256 incoming transfers, offers,
 * accept/resume, pause (tracked per side), kill, seek before accept, and the
 * pull model for data — every tick the engine asks the application for chunks
 * (`chunkRequest`) within the room the friend's lossless send queue has left
 * after a reserve for other traffic, round-robin over the transfers, at most
 * 128 rounds; the application answers with `sendChunk`. A transfer ends when
 * its last chunk is acknowledged (outgoing) or fully received (incoming), is
 * killed by either side, or is dropped when the friend goes offline. Packets
 * from the friend are untrusted: counted, logged at debug and dropped.
 */
import { EventEmitter } from 'eventemitter3';
import { AdaptiveTicker, InvalidArgumentError, utf8Encode, type Logger, type Random, type Scheduler } from '../../base/index.js';
import {
  DEFAULT_FILE_TICK_MS,
  IDLE_FILE_TICK_MS,
  FILE_CONTROL,
  FILE_ID_LENGTH,
  FILE_KIND,
  FILE_PACKET_ID,
  MAX_CONCURRENT_FILE_PIPES,
  MAX_CHUNKS_PER_PUMP,
  MAX_FILE_DATA_SIZE,
  MAX_FILENAME_LENGTH,
  MIN_FREE_SLOTS,
  UNKNOWN_FILE_SIZE,
} from './constants.js';
import { FileTransferCounters, type FileDropReason } from './counters.js';
import { FileTransferError } from './errors.js';
import type { FileTransferPort, LosslessSendResult } from './ports.js';
import { apiFileNumber, infoOf, isPaused, newTransfer, parseFileNumber, type FileDirection, type FileTransferInfo, type Transfer } from './transfer.js';
import { FileControl, FileData, FileSendRequest, decodeAfterId } from './wire.js';

/** What we can do to a transfer: accept and resume are one control (ACCEPT), cancel is KILL. */
export type FileControlAction = 'accept' | 'resume' | 'pause' | 'cancel';
/** What the friend did to a transfer (an accept of our offer arrives as 'resume', as in c-toxcore). */
export type ReceivedFileControl = 'resume' | 'pause' | 'cancel';

export interface FileTransferEvents {
  /** The friend offers a file (c-toxcore's file_recv); seek first to resume a broken one, then accept. */
  offer: (friendNumber: number, offer: FileTransferInfo) => void;
  /** The friend accepted/resumed, paused or cancelled a transfer (file_recv_control). */
  control: (friendNumber: number, fileNumber: number, control: ReceivedFileControl) => void;
  /**
   * Answer with `sendChunk(friendNumber, fileNumber, position, exactly length bytes)`,
   * in order; a stream may end with a shorter chunk. Length 0: the friend has
   * acknowledged the whole file (file_chunk_request).
   */
  chunkRequest: (friendNumber: number, fileNumber: number, position: bigint, length: number) => void;
  /** Incoming data at `position`; an empty chunk: the file is complete (file_recv_chunk). */
  chunk: (friendNumber: number, fileNumber: number, position: bigint, data: Uint8Array) => void;
  /** Ended well, right after the empty chunk (incoming) or zero-length chunk request (outgoing). */
  completed: (friendNumber: number, fileNumber: number) => void;
  /** The friend went offline and the transfer is gone (c-toxcore's break_files drops them without telling). */
  broken: (friendNumber: number, fileNumber: number) => void;
}

export interface SendFileOptions {
  /** FILE_KIND.data (default), FILE_KIND.avatar, or any u32. */
  kind?: number;
  /** Bytes; UNKNOWN_FILE_SIZE for a stream (ended by a chunk shorter than 1371 bytes). */
  size: bigint | number;
  /** At most 255 bytes once UTF-8 encoded. */
  name?: string | Uint8Array;
  /** 32 bytes; random when omitted. Avatars should use `avatarFileId(image)`. */
  fileId?: Uint8Array;
}

export interface FileTransfersDeps {
  port: FileTransferPort;
  scheduler: Scheduler;
  random: Random;
  log: Logger;
}

export interface FileTransfersOptions {
  /** How often chunks are requested and finished transfers checked (default 50 ms). */
  tickIntervalMs?: number;
}

/** One friend's transfers, by wire number (c-toxcore's file_sending / file_receiving arrays). */
interface FriendFiles {
  readonly outgoing: Map<number, Transfer>;
  readonly incoming: Map<number, Transfer>;
  /** The send queue refused a chunk since the current round of requests began: ask for no more. */
  refused: boolean;
}

const EMPTY = new Uint8Array(0);
const CHUNK = BigInt(MAX_FILE_DATA_SIZE);

export class FileTransfers extends EventEmitter<FileTransferEvents> {
  readonly counters = new FileTransferCounters();
  private readonly friends = new Map<number, FriendFiles>();
  private readonly tickMs: number;
  /** Every tick interval while a transfer exists, every second otherwise. */
  private ticker: AdaptiveTicker | undefined;
  private pumping = false;

  constructor(
    private readonly deps: FileTransfersDeps,
    options: FileTransfersOptions = {},
  ) {
    super();
    this.tickMs = options.tickIntervalMs ?? DEFAULT_FILE_TICK_MS;
    if (!Number.isFinite(this.tickMs) || this.tickMs <= 0) throw new InvalidArgumentError(`tickIntervalMs must be > 0, got ${this.tickMs}`);
  }

  get isRunning(): boolean {
    return this.ticker !== undefined;
  }

  start(): void {
    if (this.ticker) return;
    this.ticker = new AdaptiveTicker(this.deps.scheduler, this.tickMs, IDLE_FILE_TICK_MS, () => this.tick(), () => this.hasTransfers());
    this.ticker.start();
  }

  private hasTransfers(): boolean {
    for (const files of this.friends.values()) if (files.outgoing.size > 0 || files.incoming.size > 0) return true;
    return false;
  }

  /** Cancels the tick and forgets every transfer and online friend (no packets, no events). */
  stop(): void {
    this.ticker?.stop();
    this.ticker = undefined;
    this.friends.clear();
  }

  /**
   * The Messenger's view of the friend changed (its ONLINE packet arrived, or
   * the connection went down). Going offline drops every transfer with that
   * friend, each announced by `broken`.
   */
  setFriendOnline(friendNumber: number, online: boolean): void {
    if (online) {
      if (!this.friends.has(friendNumber)) this.friends.set(friendNumber, { outgoing: new Map(), incoming: new Map(), refused: false });
      return;
    }
    const files = this.friends.get(friendNumber);
    if (!files) return;
    this.friends.delete(friendNumber);
    for (const t of [...sorted(files.outgoing), ...sorted(files.incoming)]) {
      this.emit('broken', friendNumber, apiFileNumber(t.direction, t.wireNumber));
    }
  }

  // ------------------------------------------------------------------ API

  /** Offers a file to an online friend (c-toxcore's new_filesender); returns its file number (0..255). */
  sendFile(friendNumber: number, options: SendFileOptions): number {
    const kind = options.kind ?? FILE_KIND.data;
    if (!Number.isInteger(kind) || kind < 0 || kind > 0xffff_ffff) throw new InvalidArgumentError(`file kind must be a u32, got ${kind}`);
    const size = toU64(options.size, 'file size');
    const name = typeof options.name === 'string' ? utf8Encode(options.name) : (options.name ?? EMPTY).slice();
    if (name.length > MAX_FILENAME_LENGTH) throw new FileTransferError('FILE_NAME_TOO_LONG', `file name of ${name.length} bytes exceeds ${MAX_FILENAME_LENGTH}`);
    if (options.fileId !== undefined && (!(options.fileId instanceof Uint8Array) || options.fileId.length !== FILE_ID_LENGTH)) {
      throw new InvalidArgumentError(`a file id is ${FILE_ID_LENGTH} bytes`);
    }
    const fileId = options.fileId?.slice() ?? this.deps.random.bytes(FILE_ID_LENGTH);
    const files = this.online(friendNumber);
    let wireNumber = 0;
    while (wireNumber < MAX_CONCURRENT_FILE_PIPES && files.outgoing.has(wireNumber)) wireNumber++;
    if (wireNumber === MAX_CONCURRENT_FILE_PIPES) throw new FileTransferError('FILE_TOO_MANY', `all ${MAX_CONCURRENT_FILE_PIPES} outgoing file numbers are in use`, { friendNumber });
    const packet = FileSendRequest.encode({ fileNumber: wireNumber, kind, size, fileId, fileName: name });
    this.check(this.deps.port.sendLossless(friendNumber, packet), friendNumber);
    files.outgoing.set(wireNumber, newTransfer('outgoing', wireNumber, kind, size, fileId, name));
    this.ticker?.wake();
    return wireNumber;
  }

  /** Accepts or resumes, pauses, or cancels a transfer in either direction (c-toxcore's file_control). */
  control(friendNumber: number, fileNumber: number, action: FileControlAction): void {
    const files = this.online(friendNumber);
    const t = this.find(files, friendNumber, fileNumber);
    const details = { friendNumber, fileNumber };
    if (action === 'pause') {
      if (t.status !== 'transferring') throw new FileTransferError('FILE_BAD_STATE', `only a transferring file can be paused, this one is ${t.status}`, details);
      if (t.pausedByUs) throw new FileTransferError('FILE_ALREADY_PAUSED', 'the transfer is already paused by us', details);
    } else if (action === 'accept' || action === 'resume') {
      if (t.status === 'transferring') {
        if (!t.pausedByUs) {
          if (t.pausedByThem) throw new FileTransferError('FILE_DENIED', 'only the friend paused this transfer; it must resume it', details);
          throw new FileTransferError('FILE_NOT_PAUSED', 'the transfer is not paused', details);
        }
      } else if (t.status !== 'notAccepted') {
        throw new FileTransferError('FILE_NOT_PAUSED', 'the transfer is finished', details);
      } else if (t.direction === 'outgoing') {
        throw new FileTransferError('FILE_DENIED', 'our own offer is accepted by the friend, not by us', details);
      }
    }
    const code = action === 'pause' ? FILE_CONTROL.pause : action === 'cancel' ? FILE_CONTROL.kill : FILE_CONTROL.accept;
    this.check(this.deps.port.sendLossless(friendNumber, controlPacket(t.direction, t.wireNumber, code)), friendNumber);
    if (action === 'cancel') {
      mapOf(files, t.direction).delete(t.wireNumber);
    } else if (action === 'pause') {
      t.pausedByUs = true;
    } else {
      t.status = 'transferring';
      t.pausedByUs = false;
    }
  }

  /** Asks the sender of a not yet accepted incoming file to start at `position` (c-toxcore's file_seek). */
  seek(friendNumber: number, fileNumber: number, position: bigint | number): void {
    const pos = toU64(position, 'seek position');
    const files = this.online(friendNumber);
    const details = { friendNumber, fileNumber };
    if (parseFileNumber(fileNumber)?.direction === 'outgoing') throw new FileTransferError('FILE_BAD_STATE', 'only an incoming file can be seeked', details);
    const t = this.find(files, friendNumber, fileNumber);
    if (t.status !== 'notAccepted') throw new FileTransferError('FILE_BAD_STATE', 'seek is only possible before accepting', details);
    if (pos >= t.size) throw new FileTransferError('FILE_INVALID_POSITION', `position ${pos} is not below the size ${t.size}`, details);
    const packet = FileControl.encode({ sendReceive: 1, fileNumber: t.wireNumber, control: { kind: FILE_CONTROL.seek, position: pos } });
    this.check(this.deps.port.sendLossless(friendNumber, packet), friendNumber);
    t.transferred = pos;
  }

  /**
   * Sends a requested chunk (c-toxcore's send_file_data): the next position,
   * exactly 1371 bytes except the file's last chunk. When the send queue
   * refuses it the call throws FILE_SENDQ and the chunk is requested again
   * (do not retry it yourself).
   */
  sendChunk(friendNumber: number, fileNumber: number, position: bigint | number, data: Uint8Array): void {
    const files = this.online(friendNumber);
    const details = { friendNumber, fileNumber };
    if (parseFileNumber(fileNumber)?.direction === 'incoming') throw new FileTransferError('FILE_NOT_FOUND', 'chunks are sent for outgoing files only', details);
    const t = this.find(files, friendNumber, fileNumber);
    if (t.status !== 'transferring') throw new FileTransferError('FILE_BAD_STATE', `the transfer is ${t.status}, not transferring`, details);
    const length = BigInt(data.length);
    if (data.length > MAX_FILE_DATA_SIZE || t.size - t.transferred < length) {
      throw new FileTransferError('FILE_INVALID_LENGTH', `a chunk of ${data.length} bytes does not fit`, details);
    }
    if (t.size !== UNKNOWN_FILE_SIZE && data.length !== MAX_FILE_DATA_SIZE && t.transferred + length !== t.size) {
      throw new FileTransferError('FILE_INVALID_LENGTH', `only the last chunk may be shorter than ${MAX_FILE_DATA_SIZE} bytes`, details);
    }
    const pos = toU64(position, 'chunk position');
    if (pos !== t.transferred || (t.requested <= pos && t.size !== 0n)) {
      throw new FileTransferError('FILE_WRONG_POSITION', `expected the requested chunk at ${t.transferred}, got ${pos}`, details);
    }
    const result = this.sendData(friendNumber, files, t, data);
    if (!result.ok && result.reason === 'QUEUE_FULL') {
      t.requested = t.transferred;
      files.refused = true;
      this.counters.chunksRefused++;
    }
    this.check(result, friendNumber);
  }

  transfer(friendNumber: number, fileNumber: number): FileTransferInfo | undefined {
    const files = this.friends.get(friendNumber);
    const parsed = parseFileNumber(fileNumber);
    const t = files && parsed ? mapOf(files, parsed.direction).get(parsed.wireNumber) : undefined;
    return t && infoOf(friendNumber, t);
  }

  /** The friend's transfers, outgoing then incoming, by number. */
  transfers(friendNumber: number): FileTransferInfo[] {
    const files = this.friends.get(friendNumber);
    if (!files) return [];
    return [...sorted(files.outgoing), ...sorted(files.incoming)].map((t) => infoOf(friendNumber, t));
  }

  // ------------------------------------------------------------------ packets from the friend

  /** A lossless packet 80, 81 or 82 from the friend: `payload` is what follows the id byte. Never throws. */
  handlePacket(friendNumber: number, id: number, payload: Uint8Array): void {
    try {
      const files = this.friends.get(friendNumber);
      if (!files) this.drop('friendOffline', friendNumber, id);
      else if (id === FILE_PACKET_ID.sendRequest) this.onSendRequest(friendNumber, files, payload);
      else if (id === FILE_PACKET_ID.control) this.onControl(friendNumber, files, payload);
      else if (id === FILE_PACKET_ID.data) this.onData(friendNumber, files, payload);
      else this.drop('malformed', friendNumber, id, 'not a file packet id');
    } catch (err) {
      this.counters.drop('internalError');
      this.deps.log.warn('file packet handler failed', { friendNumber, id, error: err });
    }
  }

  private onSendRequest(friendNumber: number, files: FriendFiles, payload: Uint8Array): void {
    const decoded = decodeAfterId(FileSendRequest, payload);
    if (!decoded.ok) return this.drop('malformed', friendNumber, FILE_PACKET_ID.sendRequest, decoded.error.message);
    const p = decoded.value;
    if (files.incoming.has(p.fileNumber)) return this.drop('fileNumberInUse', friendNumber, FILE_PACKET_ID.sendRequest);
    const t = newTransfer('incoming', p.fileNumber, p.kind, p.size, p.fileId, p.fileName);
    files.incoming.set(p.fileNumber, t);
    this.ticker?.wake();
    this.emit('offer', friendNumber, infoOf(friendNumber, t));
  }

  private onControl(friendNumber: number, files: FriendFiles, payload: Uint8Array): void {
    const id = FILE_PACKET_ID.control;
    const decoded = decodeAfterId(FileControl, payload);
    if (!decoded.ok) return this.drop('malformed', friendNumber, id, decoded.error.message);
    const { sendReceive, fileNumber: n, control } = decoded.value;
    // 1: the friend is receiving the file, so it is one of ours.
    const direction: FileDirection = sendReceive === 1 ? 'outgoing' : 'incoming';
    const map = mapOf(files, direction);
    const t = map.get(n);
    if (!t) {
      // c-toxcore answers any control for a transfer it lacks with a kill; answering kills too could ping-pong forever.
      if (control.kind !== FILE_CONTROL.kill && this.deps.port.sendLossless(friendNumber, controlPacket(direction, n, FILE_CONTROL.kill)).ok) {
        this.counters.killsAnswered++;
      }
      return this.drop('unknownFile', friendNumber, id);
    }
    const fileNumber = apiFileNumber(direction, n);
    switch (control.kind) {
      case FILE_CONTROL.accept:
        if (direction === 'outgoing' && t.status === 'notAccepted') t.status = 'transferring';
        else if (t.pausedByThem) t.pausedByThem = false;
        else return this.drop('badControl', friendNumber, id, 'resume of a transfer that is not paused');
        this.emit('control', friendNumber, fileNumber, 'resume');
        return;
      case FILE_CONTROL.pause:
        if (t.pausedByThem || t.status !== 'transferring') return this.drop('badControl', friendNumber, id, 'pause of a paused or idle transfer');
        t.pausedByThem = true;
        this.emit('control', friendNumber, fileNumber, 'pause');
        return;
      case FILE_CONTROL.kill:
        map.delete(n);
        this.emit('control', friendNumber, fileNumber, 'cancel');
        return;
      case FILE_CONTROL.seek:
        // Only the receiver seeks, and only before accepting.
        if (direction !== 'outgoing' || t.status !== 'notAccepted') return this.drop('badControl', friendNumber, id, 'seek by the sender or after accepting');
        if (control.position >= t.size) return this.drop('badControl', friendNumber, id, 'seek past the end');
        t.requested = control.position;
        t.transferred = control.position;
        return;
    }
  }

  private onData(friendNumber: number, files: FriendFiles, payload: Uint8Array): void {
    const id = FILE_PACKET_ID.data;
    const decoded = decodeAfterId(FileData, payload);
    if (!decoded.ok) return this.drop('malformed', friendNumber, id, decoded.error.message);
    const t = files.incoming.get(decoded.value.fileNumber);
    if (!t) return this.drop('unknownFile', friendNumber, id);
    if (t.status !== 'transferring') return this.drop('notTransferring', friendNumber, id);
    let data = decoded.value.data;
    const left = t.size - t.transferred;
    if (BigInt(data.length) > left) {
      // Never hand the application more than the announced size.
      this.counters.bytesTruncated += data.length - Number(left);
      data = data.subarray(0, Number(left));
    }
    const position = t.transferred;
    t.transferred += BigInt(data.length);
    this.counters.chunksReceived++;
    this.counters.bytesReceived += data.length;
    // A short chunk ends a stream; reaching the size ends a sized file.
    const done = data.length !== MAX_FILE_DATA_SIZE || t.transferred >= t.size;
    if (done) files.incoming.delete(t.wireNumber);
    const fileNumber = apiFileNumber('incoming', t.wireNumber);
    this.emit('chunk', friendNumber, fileNumber, position, data);
    if (!done) return;
    if (data.length > 0) this.emit('chunk', friendNumber, fileNumber, t.transferred, EMPTY);
    this.emit('completed', friendNumber, fileNumber);
  }

  // ------------------------------------------------------------------ tick: completion and chunk requests

  /**
   * The friend's send queue gained room (net_crypto's `delivered` event):
   * completes acknowledged transfers and requests chunks now instead of at
   * the next tick. Optional (the tick does the same), but it lets file data
   * follow the link's pace rather than refilling the queue once per tick.
   */
  notifyRoom(friendNumber: number): void {
    const files = this.friends.get(friendNumber);
    if (files) this.pump(friendNumber, files);
  }

  private tick(): void {
    for (const [friendNumber, files] of this.friends) this.pump(friendNumber, files);
  }

  private pump(friendNumber: number, files: FriendFiles): void {
    // A listener may call notifyRoom (or a port may report room) from inside a pump.
    if (this.pumping) return;
    this.pumping = true;
    try {
      this.completeAcknowledged(friendNumber, files);
      this.requestChunks(friendNumber, files);
    } finally {
      this.pumping = false;
    }
  }

  /** Outgoing transfers whose last chunk the friend acknowledged end with a zero-length chunk request. */
  private completeAcknowledged(friendNumber: number, files: FriendFiles): void {
    for (const t of sorted(files.outgoing)) {
      if (t.status !== 'finished' || files.outgoing.get(t.wireNumber) !== t) continue;
      if (!this.deps.port.isDelivered(friendNumber, t.lastPacketNumber)) continue;
      files.outgoing.delete(t.wireNumber);
      this.emit('chunkRequest', friendNumber, t.wireNumber, t.transferred, 0);
      this.emit('completed', friendNumber, t.wireNumber);
    }
  }

  /**
   * c-toxcore's do_reqchunk_filecb: one chunk per transferring, unpaused file
   * per round, rounds while the budget lasts. The budget is the queue room minus a
   * reserve for messages and other control traffic, minus chunks already
   * requested but not sent yet (an application answering asynchronously).
   * c-toxcore queues file data only while its rate limiter lets packets out
   * at once, and keeps 16 slots of its 32768-packet buffer free. Our room is
   * net_crypto's window-based room, which can be as small as 16, so file data
   * takes at most three quarters of the room it finds (the reserve is a
   * quarter, at most 16): it never builds a backlog, so a message waits
   * behind at most a window of packets in flight, never behind queued file data.
   */
  private requestChunks(friendNumber: number, files: FriendFiles): void {
    const active = sorted(files.outgoing).filter((t) => t.status === 'transferring');
    if (active.length === 0) return;
    files.refused = false;
    const room = this.deps.port.sendQueueRoom(friendNumber);
    let budget = Math.min(MAX_CHUNKS_PER_PUMP, room - Math.min(MIN_FREE_SLOTS, Math.ceil(room / 4)));
    for (const t of active) budget -= Math.ceil(Number(t.requested - t.transferred) / MAX_FILE_DATA_SIZE);
    while (budget > 0) {
      let asked = false;
      for (const t of active) {
        if (budget <= 0) break;
        if (files.outgoing.get(t.wireNumber) !== t || t.status !== 'transferring' || isPaused(t)) continue;
        if (t.size === 0n) {
          // An empty file is one empty data packet (retried next round if the queue refuses it).
          this.sendData(friendNumber, files, t, EMPTY);
          continue;
        }
        if (t.requested >= t.size) continue;
        const left = t.size - t.requested;
        const length = left < CHUNK ? Number(left) : MAX_FILE_DATA_SIZE;
        const position = t.requested;
        t.requested += BigInt(length);
        budget--;
        asked = true;
        this.emit('chunkRequest', friendNumber, t.wireNumber, position, length);
        if (this.friends.get(friendNumber) !== files || files.refused) return;
      }
      if (!asked) return;
    }
  }

  // ------------------------------------------------------------------ helpers

  /** Sends one FILE_DATA packet of an outgoing transfer and accounts for it when the queue took it. */
  private sendData(friendNumber: number, files: FriendFiles, t: Transfer, data: Uint8Array): LosslessSendResult {
    const result = this.deps.port.sendLossless(friendNumber, FileData.encode({ fileNumber: t.wireNumber, data }));
    if (!result.ok) return result;
    t.transferred += BigInt(data.length);
    this.counters.chunksSent++;
    this.counters.bytesSent += data.length;
    if (data.length !== MAX_FILE_DATA_SIZE || t.transferred === t.size) {
      t.status = 'finished';
      t.lastPacketNumber = result.packetNumber;
    }
    return result;
  }

  private online(friendNumber: number): FriendFiles {
    const files = this.friends.get(friendNumber);
    if (!files) throw new FileTransferError('FRIEND_NOT_CONNECTED', `friend ${friendNumber} is not online`, { friendNumber });
    return files;
  }

  private find(files: FriendFiles, friendNumber: number, fileNumber: number): Transfer {
    const parsed = parseFileNumber(fileNumber);
    const t = parsed && mapOf(files, parsed.direction).get(parsed.wireNumber);
    if (!t) throw new FileTransferError('FILE_NOT_FOUND', `no file transfer ${fileNumber} with friend ${friendNumber}`, { friendNumber, fileNumber });
    return t;
  }

  /** Throws the API error for a packet the port refused. */
  private check(result: LosslessSendResult, friendNumber: number): void {
    if (result.ok) return;
    if (result.reason === 'QUEUE_FULL') throw new FileTransferError('FILE_SENDQ', 'the send queue is full', { friendNumber });
    throw new FileTransferError('FRIEND_NOT_CONNECTED', `friend ${friendNumber} is not connected`, { friendNumber });
  }

  private drop(reason: FileDropReason, friendNumber: number, id: number, detail?: string): void {
    this.counters.drop(reason);
    this.deps.log.debug('file packet dropped', { friendNumber, id, reason, detail });
  }
}

function mapOf(files: FriendFiles, direction: FileDirection): Map<number, Transfer> {
  return direction === 'outgoing' ? files.outgoing : files.incoming;
}

function sorted(map: Map<number, Transfer>): Transfer[] {
  return [...map.values()].sort((a, b) => a.wireNumber - b.wireNumber);
}

/** A FILE_CONTROL without a position, about a transfer in `direction` as seen by us. */
function controlPacket(direction: FileDirection, wireNumber: number, kind: 0 | 1 | 2): Uint8Array {
  return FileControl.encode({ sendReceive: direction === 'incoming' ? 1 : 0, fileNumber: wireNumber, control: { kind } });
}

function toU64(value: bigint | number, what: string): bigint {
  const v = typeof value === 'bigint' ? value : Number.isSafeInteger(value) ? BigInt(value) : -1n;
  if (v < 0n || v > UNKNOWN_FILE_SIZE) throw new InvalidArgumentError(`${what} must be an integer in 0..2^64-1, got ${String(value)}`);
  return v;
}
