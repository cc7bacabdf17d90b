/**
 * The moderation plugin's conference filters: a word filter (whole words, or
 * phrases as substrings, case-insensitive) and a flood filter (more than N
 * messages in S seconds), both per peer per conference, and the strike book
 * that counts offences and forgets them after a quiet period. Pure state over
 * an injected clock; the plugin decides what a strike leads to.
 */

export interface FloodLimit {
  /** More than this many messages within `seconds` is a flood (0 disables). */
  readonly messages: number;
  readonly seconds: number;
}

/** Matches forbidden words as whole words and multi-word entries as substrings, ignoring case. */
export class WordFilter {
  private readonly words: ReadonlySet<string>;
  private readonly phrases: readonly string[];

  constructor(entries: readonly string[]) {
    const lower = entries.map((w) => w.trim().toLowerCase()).filter((w) => w.length > 0);
    this.words = new Set(lower.filter((w) => !/[^\p{L}\p{N}]/u.test(w)));
    this.phrases = lower.filter((w) => /[^\p{L}\p{N}]/u.test(w));
  }

  /** The first forbidden entry found in `text`, if any. */
  match(text: string): string | undefined {
    const lower = text.toLowerCase();
    for (const token of lower.split(/[^\p{L}\p{N}]+/u)) if (this.words.has(token)) return token;
    return this.phrases.find((p) => lower.includes(p));
  }
}

/** Message times per key; `hit(key)` says whether this message makes a flood (and then starts counting afresh). */
export class FloodFilter {
  private readonly times = new Map<string, number[]>();

  constructor(private readonly limit: FloodLimit) {}

  hit(key: string, now: number): boolean {
    if (this.limit.messages === 0) return false;
    const since = now - this.limit.seconds * 1000;
    const recent = (this.times.get(key) ?? []).filter((t) => t > since);
    recent.push(now);
    if (recent.length > this.limit.messages) {
      this.times.delete(key);
      return true;
    }
    this.times.set(key, recent);
    return false;
  }

  /** Drops keys with no message inside the window (called now and then to bound memory). */
  prune(now: number): void {
    const since = now - this.limit.seconds * 1000;
    for (const [key, list] of this.times) if (list.every((t) => t <= since)) this.times.delete(key);
  }
}

/** Strikes per key, forgotten `forgetMs` after the last one. */
export class StrikeBook {
  private readonly strikes = new Map<string, { count: number; last: number }>();

  constructor(private readonly forgetMs: number) {}

  /** Adds a strike and returns the count, including this one. */
  add(key: string, now: number): number {
    const prior = this.strikes.get(key);
    const count = prior && now - prior.last < this.forgetMs ? prior.count + 1 : 1;
    this.strikes.set(key, { count, last: now });
    return count;
  }

  reset(key: string): void {
    this.strikes.delete(key);
  }

  prune(now: number): void {
    for (const [key, s] of this.strikes) if (now - s.last >= this.forgetMs) this.strikes.delete(key);
  }
}
