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

/**
 * A budget several connections draw on (a user's, an address's): room for a frame at `now` (ms), and its
 * charge right after (the same clock reading: one per frame, not one per budget and step).
 */
export interface SharedBudget {
  canTake(bytes: number, now: number): boolean;
  take(bytes: number): void;
}

/**
 * The flows of one kind of budget (a connection's, a user's, an address's), made once per server: a budget
 * holds its tokens and its last refill, not its own copy of the policy.
 */
export class BudgetPolicy {
  readonly framesLimited: boolean;
  readonly bytesLimited: boolean;

  constructor(
    readonly frames: Flow,
    readonly bytes: Flow,
  ) {
    // Infinity * 0 is NaN: an unlimited flow never does arithmetic.
    this.framesLimited = isLimited(frames);
    this.bytesLimited = isLimited(bytes);
  }
}

/**
 * Frames and bytes together: a frame passes only when both have room. Two token buckets in one object
 * (one clock reading, no bucket objects of its own). An unlimited flow keeps no tokens (0): an Infinity
 * field would be a boxed number in every budget.
 */
export class TrafficBudget implements SharedBudget {
  private frameTokens: number;
  private byteTokens: number;
  private last: number;

  constructor(
    private readonly policy: BudgetPolicy,
    now: number,
  ) {
    this.frameTokens = policy.framesLimited ? policy.frames.burst : 0;
    this.byteTokens = policy.bytesLimited ? policy.bytes.burst : 0;
    this.last = now;
  }

  private refill(now: number): void {
    // A clock read before the last refill (another connection's frame of the same turn) adds nothing.
    if (now <= this.last) return;
    const seconds = (now - this.last) / 1000;
    this.last = now;
    const { policy } = this;
    if (policy.framesLimited) {
      this.frameTokens = Math.min(policy.frames.burst, this.frameTokens + seconds * policy.frames.perSecond);
    }
    if (policy.bytesLimited) {
      this.byteTokens = Math.min(policy.bytes.burst, this.byteTokens + seconds * policy.bytes.perSecond);
    }
  }

  /** Refills up to `now`; true when a frame of `bytes` fits. */
  canTake(bytes: number, now: number): boolean {
    const { policy } = this;
    if (!policy.framesLimited && !policy.bytesLimited) return true;
    this.refill(now);
    return (
      (!policy.framesLimited || this.frameTokens >= 1) && (!policy.bytesLimited || this.byteTokens >= bytes)
    );
  }

  /**
   * Charges a frame of `bytes`, as refilled by the `canTake` just before it; each bucket spends only what
   * it has (a refused take spends nothing).
   */
  take(bytes: number): void {
    const { policy } = this;
    if (policy.framesLimited && this.frameTokens >= 1) this.frameTokens -= 1;
    if (policy.bytesLimited && this.byteTokens >= bytes) this.byteTokens -= bytes;
  }

  /** At least `fraction` of the frame bucket was available at the last refill (a calm sender). */
  atLeast(fraction: number): boolean {
    const { policy } = this;
    return !policy.framesLimited || this.frameTokens >= policy.frames.burst * fraction;
  }

  /** Refilled to the brim at `now`: the same as a fresh budget, so whoever holds it may forget it. */
  fullAt(now: number): boolean {
    const { policy } = this;
    if (!policy.framesLimited && !policy.bytesLimited) return true;
    this.refill(now);
    return (
      (!policy.framesLimited || this.frameTokens >= policy.frames.burst) &&
      (!policy.bytesLimited || this.byteTokens >= policy.bytes.burst)
    );
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

  constructor(private readonly create: (now: number) => TrafficBudget) {}

  acquire(key: string, now: number): TrafficBudget {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { budget: this.create(now), holders: 0 };
      this.entries.set(key, entry);
    }
    entry.holders += 1;
    return entry.budget;
  }

  release(key: string): void {
    const entry = this.entries.get(key);
    if (entry) entry.holders -= 1;
  }

  sweep(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.holders <= 0 && entry.budget.fullAt(now)) this.entries.delete(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * One connection's rate policy: a frame passes when every budget it draws on has room (all or none are
 * charged); drops are counted, and a sender that keeps being dropped is closed. Made at a connection's
 * first frame: an idle connection holds no limiter and no budget of its own.
 */
export class RateLimiter {
  private violations = 0;
  /** The user's budget, shared with the user's other connections: once the connection has logged in. */
  private user: SharedBudget | null = null;

  constructor(
    private readonly own: TrafficBudget,
    /** Shared by every connection from the same address. */
    private readonly address: SharedBudget,
    private readonly violationsBeforeClose: number,
  ) {}

  /** The user's budget, once the connection has logged in. */
  share(user: SharedBudget | null): void {
    this.user = user;
  }

  take(bytes: number, now: number): RateVerdict {
    // Every frame passes here: one clock reading, no array or closure per call.
    const { own, address, user } = this;
    const room =
      own.canTake(bytes, now) && address.canTake(bytes, now) && (user === null || user.canTake(bytes, now));
    if (room) {
      own.take(bytes);
      address.take(bytes);
      user?.take(bytes);
      // A bucket still half full means the sender calmed down: forgive earlier violations.
      if (this.violations > 0 && own.atLeast(0.5)) this.violations = 0;
      return 'accept';
    }
    this.violations += 1;
    if (this.violations >= this.violationsBeforeClose) return 'close';
    return this.violations === 1 ? 'drop-and-warn' : 'drop';
  }
}
