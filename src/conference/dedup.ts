/**
 * Per-origin duplicate suppression, exactly as group.c does it: the last
 * MAX_LAST_MESSAGE_INFOS `(message number, id)` pairs of lossless group
 * messages (newest first, wrapping u32 order, "newest wins" for name and
 * title), and a MAX_LOSSY_COUNT-entry window over the u16 lossy numbers.
 */
import { MAX_LAST_MESSAGE_INFOS, MAX_LOSSY_COUNT, MESSAGE_NAME, MESSAGE_TITLE } from './constants.js';

export interface MessageInfo {
  readonly number: number;
  readonly id: number;
}

export interface LossyWindow {
  readonly received: Uint8Array;
  bottom: number;
  top: number;
}

export interface DedupState {
  /** Strictly decreasing message numbers (wrapping), at most MAX_LAST_MESSAGE_INFOS. */
  messageInfos: MessageInfo[];
  /** Allocated on the first lossy packet from this origin. */
  lossy: LossyWindow | undefined;
}

/** Whether `a` is after `b` in wrapping u32 order (c-toxcore: `a − (b + 1) ≤ 2^31`). */
function isNewer(a: number, b: number): boolean {
  return ((a - (b + 1)) >>> 0) <= 0x8000_0000;
}

/**
 * Records a lossless group message if it is new (c-toxcore `check_message_info`);
 * false for a repeat, a number older than every remembered one once 8 are kept,
 * or a name/title older than one already seen.
 */
export function acceptMessage(state: DedupState, number: number, id: number): boolean {
  const infos = state.messageInfos;
  const newestWins = id === MESSAGE_NAME || id === MESSAGE_TITLE;
  let slot = 0;
  for (; slot < infos.length; slot++) {
    const info = infos[slot]!;
    if (isNewer(number, info.number)) break;
    if (number === info.number) return false;
    if (newestWins && id === info.id) return false;
  }
  if (slot === MAX_LAST_MESSAGE_INFOS) return false;
  infos.splice(slot, 0, { number, id });
  if (infos.length > MAX_LAST_MESSAGE_INFOS) infos.length = MAX_LAST_MESSAGE_INFOS;
  return true;
}

/** Whether a lossy packet is new (c-toxcore `lossy_packet_not_received` returning 0); records it if so. */
export function acceptLossy(state: DedupState, number: number): boolean {
  const w = (state.lossy ??= { received: new Uint8Array(MAX_LOSSY_COUNT), bottom: 0, top: 0 });
  const slot = number % MAX_LOSSY_COUNT;
  if (w.bottom === w.top) {
    w.top = number;
    w.bottom = (number - MAX_LOSSY_COUNT + 1) & 0xffff;
    w.received[slot] = 1;
    return true;
  }
  const fromBottom = (number - w.bottom) & 0xffff;
  if (fromBottom < MAX_LOSSY_COUNT) {
    if (w.received[slot] !== 0) return false;
    w.received[slot] = 1;
    return true;
  }
  if (fromBottom > 0x8000) return false;
  const fromTop = (number - w.top) & 0xffff;
  if (fromTop >= MAX_LOSSY_COUNT) w.received.fill(0);
  else for (let i = w.bottom; i !== w.bottom + fromTop; i++) w.received[i % MAX_LOSSY_COUNT] = 0;
  w.top = number;
  w.bottom = (number - MAX_LOSSY_COUNT + 1) & 0xffff;
  w.received[slot] = 1;
  return true;
}
