// Which two users each call belongs to: the first envelope of a call binds its callId to sender and
// addressee; from then on nobody else may send for it, and its members may only address each other.

export interface CallRegistry {
  /** True when `from` may send an envelope for `callId` to `to` (binding the call on first sight). */
  admit(callId: string, from: string, to: string): boolean | Promise<boolean>;
}

export function callMembers(from: string, to: string): string {
  // Order-free key: "a b" for both directions. Ids never contain spaces.
  return from < to ? `${from} ${to}` : `${to} ${from}`;
}

/**
 * A call's two members as given when it was bound (either may send to the other), when its last envelope
 * was seen and when the record last moved to the end of the registry's order. Updated in place.
 */
class CallRecord {
  constructor(
    readonly first: string,
    readonly second: string,
    public seenAt: number,
    public placedAt: number,
  ) {}

  /** True for an envelope between the two members, in either direction (no key string per envelope). */
  joins(from: string, to: string): boolean {
    return (from === this.first && to === this.second) || (from === this.second && to === this.first);
  }
}

/**
 * A record is moved to the end of the order (a Map delete and set) at most this often: the order is then
 * last-seen to within this much, and a call's envelopes cost one lookup each in between.
 */
const REORDER_AFTER_MS = 1_000;

/** In-process registry, bounded in size and age (a Map keeps insertion order: about oldest first). */
export class LocalCallRegistry implements CallRegistry {
  private readonly calls = new Map<string, CallRecord>();
  /** When records past their age were last dropped: stale ones are ignored anyway, so once a second. */
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly maxCalls: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  admit(callId: string, from: string, to: string): boolean {
    const now = this.now();
    const known = this.calls.get(callId);
    if (known && now - known.seenAt < this.ttlMs) {
      if (!known.joins(from, to)) return false;
      known.seenAt = now;
      if (now - known.placedAt < REORDER_AFTER_MS) return true;
      this.place(callId, known, now);
    } else this.place(callId, new CallRecord(from, to, now, now), now);
    this.evict(now);
    return true;
  }

  /** Remembers a binding learnt elsewhere (another node, through Redis). */
  remember(callId: string, members: string): void {
    const [first = '', second = ''] = members.split(' ');
    const now = this.now();
    this.place(callId, new CallRecord(first, second, now, now), now);
    this.evict(now);
  }

  lookup(callId: string): string | undefined {
    const known = this.calls.get(callId);
    return known && this.now() - known.seenAt < this.ttlMs
      ? callMembers(known.first, known.second)
      : undefined;
  }

  get size(): number {
    return this.calls.size;
  }

  /** Moves (or adds) the record to the end of the order. */
  private place(callId: string, record: CallRecord, now: number): void {
    this.calls.delete(callId);
    record.placedAt = now;
    this.calls.set(callId, record);
  }

  private evict(now: number): void {
    if (this.calls.size <= this.maxCalls && now - this.lastSweep < REORDER_AFTER_MS) return;
    this.lastSweep = now;
    for (const [callId, record] of this.calls) {
      if (this.calls.size <= this.maxCalls && now - record.seenAt < this.ttlMs) break;
      this.calls.delete(callId);
    }
  }
}
