// Per-origin dedup of group.c: the last 8 (message number, id) pairs with wrapping u32 order and
// "newest wins" for name and title, and the 256-entry lossy window over u16 numbers.
import { describe, expect, it } from 'vitest';
import { MESSAGE_NAME, MESSAGE_PING, MESSAGE_TEXT, MESSAGE_TITLE } from '../../../src/conference/index.js';
import { acceptLossy, acceptMessage, type DedupState } from '../../../src/conference/dedup.js';

const fresh = (): DedupState => ({ messageInfos: [], lossy: undefined });

describe('acceptMessage', () => {
  it('takes new numbers once, in any order while fewer than 8 are remembered', () => {
    const s = fresh();
    expect(acceptMessage(s, 10, MESSAGE_TEXT)).toBe(true);
    expect(acceptMessage(s, 10, MESSAGE_TEXT)).toBe(false);
    expect(acceptMessage(s, 12, MESSAGE_TEXT)).toBe(true);
    expect(acceptMessage(s, 11, MESSAGE_TEXT)).toBe(true);
    expect(acceptMessage(s, 11, MESSAGE_PING)).toBe(false);
    expect(s.messageInfos.map((i) => i.number)).toEqual([12, 11, 10]);
  });

  it('keeps the newest 8 and refuses anything older than all of them', () => {
    const s = fresh();
    for (let n = 100; n < 108; n++) expect(acceptMessage(s, n, MESSAGE_PING)).toBe(true);
    expect(acceptMessage(s, 99, MESSAGE_TEXT)).toBe(false);
    expect(acceptMessage(s, 120, MESSAGE_TEXT)).toBe(true);
    expect(s.messageInfos).toHaveLength(8);
    expect(s.messageInfos.map((i) => i.number)).toEqual([120, 107, 106, 105, 104, 103, 102, 101]);
    // A gap inside the window still fills.
    expect(acceptMessage(s, 110, MESSAGE_TEXT)).toBe(true);
    expect(acceptMessage(s, 100, MESSAGE_TEXT)).toBe(false);
  });

  it('orders numbers across the u32 wrap', () => {
    const s = fresh();
    expect(acceptMessage(s, 0xffff_fffe, MESSAGE_TEXT)).toBe(true);
    expect(acceptMessage(s, 1, MESSAGE_TEXT)).toBe(true);
    expect(acceptMessage(s, 0xffff_ffff, MESSAGE_TEXT)).toBe(true);
    expect(s.messageInfos.map((i) => i.number)).toEqual([1, 0xffff_ffff, 0xffff_fffe]);
  });

  it('lets the newest name and title win: an older one is refused once a newer one was seen', () => {
    const s = fresh();
    expect(acceptMessage(s, 20, MESSAGE_NAME)).toBe(true);
    expect(acceptMessage(s, 19, MESSAGE_NAME)).toBe(false);
    expect(acceptMessage(s, 18, MESSAGE_TITLE)).toBe(true);
    expect(acceptMessage(s, 17, MESSAGE_TEXT)).toBe(true);
    expect(acceptMessage(s, 16, MESSAGE_TITLE)).toBe(false);
    expect(acceptMessage(s, 21, MESSAGE_NAME)).toBe(true);
  });
});

describe('acceptLossy', () => {
  it('takes each number once inside the window and slides it forward', () => {
    const s = fresh();
    expect(acceptLossy(s, 1000)).toBe(true);
    expect(acceptLossy(s, 1000)).toBe(false);
    expect(acceptLossy(s, 999)).toBe(true);
    expect(acceptLossy(s, 1000 - 255)).toBe(true);
    expect(acceptLossy(s, 1000 - 256)).toBe(false); // behind the window
    expect(acceptLossy(s, 1010)).toBe(true);
    expect(acceptLossy(s, 1005)).toBe(true);
    expect(acceptLossy(s, 1010)).toBe(false);
  });

  it('forgets everything after a jump of a window or more, and refuses numbers half the space away', () => {
    const s = fresh();
    acceptLossy(s, 10);
    acceptLossy(s, 11);
    expect(acceptLossy(s, 11 + 300)).toBe(true);
    expect(acceptLossy(s, 11 + 299)).toBe(true);
    expect(acceptLossy(s, 11 + 300 - 255)).toBe(true);
    expect(acceptLossy(s, (311 + 0x9000) & 0xffff)).toBe(false);
    expect(acceptLossy(s, 0xfff0)).toBe(false);
  });

  it('wraps at 2^16', () => {
    const s = fresh();
    expect(acceptLossy(s, 0xfffe)).toBe(true);
    expect(acceptLossy(s, 0xffff)).toBe(true);
    expect(acceptLossy(s, 0)).toBe(true);
    expect(acceptLossy(s, 1)).toBe(true);
    expect(acceptLossy(s, 0xffff)).toBe(false);
    expect(acceptLossy(s, 0)).toBe(false);
  });
});
