/**
 * The receive side of a data channel's counter nonces (tox-protocol.md §5.4,
 * §12.2): a packet names the low 16 bits of its nonce, which we place in the
 * 65536-wide window above our receive nonce; a packet from the window's last
 * third moves the window up by 21845. On top of c-toxcore we remember which
 * nonces of the window already opened, so a replayed packet is refused
 * (c-toxcore would process it again).
 */
import { open, incrementNonceBy, type BoxScratch, type Nonce, type SharedKey } from '../crypto/index.js';
import { NONCE_WINDOW_STEP } from './constants.js';

const WINDOW = 65536;

export type OpenResult = Uint8Array | 'decryptFailed' | 'replayed';

export class ReceiveNonce {
  private readonly base: Uint8Array;
  /** How far `base` has moved from the handshake's base nonce. */
  private baseIndex = 0;
  private readonly seen = new Uint8Array(WINDOW / 8);
  private readonly scratch = new Uint8Array(24);

  constructor(baseNonce: Uint8Array) {
    this.base = new Uint8Array(baseNonce);
  }

  /** Whether this window started from `baseNonce` (a re-sent handshake must not reset it). */
  startedFrom(baseNonce: Uint8Array): boolean {
    if (this.baseIndex !== 0) return true;
    for (let i = 0; i < 24; i++) if (this.base[i] !== baseNonce[i]) return false;
    return true;
  }

  /** Opens a packet naming `nonceLow` (through `scratch` when given: fewer copies). */
  open(key: SharedKey, nonceLow: number, sealed: Uint8Array, scratch?: BoxScratch): OpenResult {
    const low = (this.base[22]! << 8) | this.base[23]!;
    const diff = (nonceLow - low) & 0xffff;
    const slot = (this.baseIndex + diff) % WINDOW;
    if (this.seen[slot >> 3]! & (1 << (slot & 7))) return 'replayed';
    this.scratch.set(this.base);
    incrementNonceBy(this.scratch, diff);
    const plain = scratch ? scratch.open(key, this.scratch as Nonce, sealed) : open(key, this.scratch as Nonce, sealed);
    if (!plain) return 'decryptFailed';
    this.seen[slot >> 3]! |= 1 << (slot & 7);
    if (diff > 2 * NONCE_WINDOW_STEP) this.advance();
    return plain;
  }

  private advance(): void {
    // Slots of the oldest third now stand for nonces the window just reached.
    for (let k = 0; k < NONCE_WINDOW_STEP; k++) {
      const slot = (this.baseIndex + k) % WINDOW;
      this.seen[slot >> 3]! &= ~(1 << (slot & 7));
    }
    incrementNonceBy(this.base, NONCE_WINDOW_STEP);
    this.baseIndex += NONCE_WINDOW_STEP;
  }
}
