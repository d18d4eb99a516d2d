// Invites per sender→recipient pair. Every invite that reaches a user in a call costs that user a `busy`
// reply from her own budget; bounding each pair's invites keeps a third party from spending it.
import { type Flow, TokenBucket } from './rate-limiter.js';

/** Pairs remembered at most; past it, pairs with a full bucket (the same as new) are forgotten first. */
const MAX_TRACKED_PAIRS = 10_000;

export class InviteLimiter {
  private readonly pairs = new Map<string, TokenBucket>();

  constructor(
    private readonly flow: Flow,
    private readonly now: () => number = Date.now,
  ) {}

  /** Spends one invite from `from` to `to`; false when that pair's budget is spent. */
  take(from: string, to: string): boolean {
    // Ids never contain a newline, so the key is unambiguous.
    const key = `${from}\n${to}`;
    let bucket = this.pairs.get(key);
    if (!bucket) {
      this.prune();
      bucket = new TokenBucket(this.flow, this.now);
      this.pairs.set(key, bucket);
    }
    return bucket.take();
  }

  private prune(): void {
    if (this.pairs.size < MAX_TRACKED_PAIRS) return;
    for (const [key, bucket] of this.pairs) if (bucket.full) this.pairs.delete(key);
    // Still full of busy pairs: forget the oldest (a Map keeps insertion order), the bound holds.
    for (const key of this.pairs.keys()) {
      if (this.pairs.size < MAX_TRACKED_PAIRS) break;
      this.pairs.delete(key);
    }
  }
}
