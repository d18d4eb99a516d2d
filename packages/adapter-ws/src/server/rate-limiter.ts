// A token bucket per connection: bursts are fine, sustained floods are dropped, then closed.

export type RateVerdict = 'accept' | 'drop' | 'drop-and-warn' | 'close';

export class RateLimiter {
  private tokens: number;
  private last: number;
  private violations = 0;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly violationsBeforeClose: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  take(): RateVerdict {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    // A bucket that refilled to half means the sender calmed down: forgive earlier violations.
    if (this.tokens >= this.burst / 2) this.violations = 0;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 'accept';
    }
    this.violations += 1;
    if (this.violations >= this.violationsBeforeClose) return 'close';
    return this.violations === 1 ? 'drop-and-warn' : 'drop';
  }
}
