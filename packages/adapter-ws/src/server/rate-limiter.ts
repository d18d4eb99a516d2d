// Token buckets for what a sender may spend (frames and bytes), and one frame's verdict against every
// budget it draws on: its connection's, its user's (shared by the user's connections) and its address's.

export type RateVerdict = 'accept' | 'drop' | 'drop-and-warn' | 'close';

/** A sustained rate and the burst allowed above it. `Infinity` in either turns the bucket off. */
export interface Flow {
  perSecond: number;
  burst: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly unlimited: boolean;

  constructor(
    private readonly flow: Flow,
    private readonly now: () => number = Date.now,
  ) {
    // Infinity * 0 is NaN: an unlimited bucket must never do arithmetic.
    this.unlimited = !Number.isFinite(flow.perSecond) || !Number.isFinite(flow.burst);
    this.tokens = flow.burst;
    this.last = now();
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.flow.burst, this.tokens + ((now - this.last) / 1000) * this.flow.perSecond);
    this.last = now;
  }

  canTake(amount: number): boolean {
    if (this.unlimited) return true;
    this.refill();
    return this.tokens >= amount;
  }

  /** Spends `amount` if it is there; a refused take spends nothing. */
  take(amount = 1): boolean {
    if (!this.canTake(amount)) return false;
    if (!this.unlimited) this.tokens -= amount;
    return true;
  }

  /** At least `fraction` of the bucket is available (a calm sender). */
  atLeast(fraction: number): boolean {
    return this.canTake(this.flow.burst * fraction);
  }

  /** A full bucket is the same as a fresh one, so whoever holds it may forget it. */
  get full(): boolean {
    return this.unlimited || this.atLeast(1);
  }
}

/** A budget several connections draw on (a user's, an address's): room for a frame, and its charge. */
export interface SharedBudget {
  canTake(bytes: number): boolean;
  take(bytes: number): void;
}

/**
 * Frames and bytes together: a frame passes only when both have room. Two token buckets in one object
 * (one clock reading, no bucket objects of its own): a server holds one per connection and per user.
 */
export class TrafficBudget implements SharedBudget {
  private frameTokens: number;
  private byteTokens: number;
  private last: number;

  constructor(
    private readonly frames: Flow,
    private readonly bytes: Flow,
    private readonly now: () => number = Date.now,
  ) {
    this.frameTokens = frames.burst;
    this.byteTokens = bytes.burst;
    this.last = now();
  }

  private refill(): void {
    const now = this.now();
    const seconds = (now - this.last) / 1000;
    this.last = now;
    // Infinity * 0 is NaN: an unlimited flow never does arithmetic.
    if (isLimited(this.frames)) {
      this.frameTokens = Math.min(this.frames.burst, this.frameTokens + seconds * this.frames.perSecond);
    }
    if (isLimited(this.bytes)) {
      this.byteTokens = Math.min(this.bytes.burst, this.byteTokens + seconds * this.bytes.perSecond);
    }
  }

  canTake(bytes: number): boolean {
    this.refill();
    return this.has(this.frames, this.frameTokens, 1) && this.has(this.bytes, this.byteTokens, bytes);
  }

  /** Charges a frame of `bytes`; each bucket spends only what it has (a refused take spends nothing). */
  take(bytes: number): void {
    this.refill();
    if (isLimited(this.frames) && this.frameTokens >= 1) this.frameTokens -= 1;
    if (isLimited(this.bytes) && this.byteTokens >= bytes) this.byteTokens -= bytes;
  }

  /** At least `fraction` of the frame bucket is available (a calm sender). */
  atLeast(fraction: number): boolean {
    this.refill();
    return this.has(this.frames, this.frameTokens, this.frames.burst * fraction);
  }

  get full(): boolean {
    this.refill();
    return (
      this.has(this.frames, this.frameTokens, this.frames.burst) &&
      this.has(this.bytes, this.byteTokens, this.bytes.burst)
    );
  }

  private has(flow: Flow, tokens: number, amount: number): boolean {
    return !isLimited(flow) || tokens >= amount;
  }
}

function isLimited(flow: Flow): boolean {
  return Number.isFinite(flow.perSecond) && Number.isFinite(flow.burst);
}

/**
 * Budgets by key (user id, address), shared by everyone holding the key. A budget nobody holds that has
 * refilled is dropped by `sweep`, so the table stays as small as the set of recent senders.
 */
export class BudgetTable {
  private readonly entries = new Map<string, { budget: TrafficBudget; holders: number }>();

  constructor(private readonly create: () => TrafficBudget) {}

  acquire(key: string): TrafficBudget {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { budget: this.create(), holders: 0 };
      this.entries.set(key, entry);
    }
    entry.holders += 1;
    return entry.budget;
  }

  release(key: string): void {
    const entry = this.entries.get(key);
    if (entry) entry.holders -= 1;
  }

  sweep(): void {
    for (const [key, entry] of this.entries) {
      if (entry.holders <= 0 && entry.budget.full) this.entries.delete(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * One connection's rate policy: a frame passes when every budget it draws on has room (all or none are
 * charged); drops are counted, and a sender that keeps being dropped is closed.
 */
export class RateLimiter {
  private violations = 0;
  /** The two budgets shared with other connections, as fields (no array held per connection). */
  private first: SharedBudget | null = null;
  private second: SharedBudget | null = null;

  constructor(
    private readonly own: TrafficBudget,
    private readonly violationsBeforeClose: number,
  ) {}

  /** Adds a budget shared with other connections (the address's, then the user's once known). */
  share(budget: SharedBudget): void {
    // A connection draws on two at most; a later user budget would replace the earlier one.
    if (this.first === null) this.first = budget;
    else this.second = budget;
  }

  take(bytes: number): RateVerdict {
    // Every frame passes here: no array or closure per call.
    const { first, second } = this;
    const room =
      this.own.canTake(bytes) &&
      (first === null || first.canTake(bytes)) &&
      (second === null || second.canTake(bytes));
    if (room) {
      this.own.take(bytes);
      first?.take(bytes);
      second?.take(bytes);
      // A bucket still half full means the sender calmed down: forgive earlier violations.
      if (this.violations > 0 && this.own.atLeast(0.5)) this.violations = 0;
      return 'accept';
    }
    this.violations += 1;
    if (this.violations >= this.violationsBeforeClose) return 'close';
    return this.violations === 1 ? 'drop-and-warn' : 'drop';
  }
}
