/**
 * Small field codecs shared by the savedata sections: user status, 64-bit
 * times that must fit a JS number, and fixed-size zero-padded text buffers.
 */
import { EncodeError, boundedUint, mapped, struct, u32be, u32le, type Codec } from '../../binary/index.js';
import { USER_STATUSES, type UserStatus } from './profile.js';

/** One byte: 0 online, 1 away, 2 busy. */
export const userStatusCodec: Codec<UserStatus> = mapped(
  boundedUint(1, USER_STATUSES.length - 1),
  (value) => USER_STATUSES[value]!,
  (status) => indexOf(USER_STATUSES, status, 'user status'),
);

/** Position of `value` in a wire table; API misuse (an unknown value) is an EncodeError. */
export function indexOf<T>(table: readonly T[], value: T, what: string): number {
  const index = table.indexOf(value);
  if (index < 0) throw new EncodeError(`unknown ${what} ${JSON.stringify(value)}`);
  return index;
}

const TWO_POW_32 = 2 ** 32;
/** High word limit that keeps the value at or below Number.MAX_SAFE_INTEGER. */
const MAX_HIGH_WORD = 0x1f_ffff;

/**
 * A u64 holding unix seconds, read as a number. Values of 2^53 or more are
 * rejected (no real timestamp comes close).
 */
export function secondsU64(littleEndian: boolean): Codec<number> {
  const high = boundedUint(4, MAX_HIGH_WORD, littleEndian);
  const low = littleEndian ? u32le : u32be;
  const words = littleEndian ? struct({ low, high }) : struct({ high, low });
  return mapped(
    words,
    (w) => w.high * TWO_POW_32 + w.low,
    (seconds) => {
      if (!Number.isSafeInteger(seconds) || seconds < 0) throw new EncodeError(`time ${seconds} is not a non-negative safe integer`);
      return { high: Math.floor(seconds / TWO_POW_32), low: seconds % TWO_POW_32 };
    },
  );
}

/** `text` zero-padded to exactly `size` bytes (the fixed buffers of the friend record). */
export function padTo(text: Uint8Array, size: number, what: string): Uint8Array {
  if (text.length > size) throw new EncodeError(`${what} is ${text.length} bytes, the limit is ${size}`);
  const out = new Uint8Array(size);
  out.set(text);
  return out;
}
