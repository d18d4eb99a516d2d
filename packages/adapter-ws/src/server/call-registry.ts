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

/** In-process registry, bounded in size and age (a Map keeps insertion order: oldest first). */
export class LocalCallRegistry implements CallRegistry {
  private readonly calls = new Map<string, { members: string; seenAt: number }>();

  constructor(
    private readonly maxCalls: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  admit(callId: string, from: string, to: string): boolean {
    const members = callMembers(from, to);
    const now = this.now();
    const known = this.calls.get(callId);
    if (known && now - known.seenAt < this.ttlMs) {
      if (known.members !== members) return false;
      this.calls.delete(callId);
    }
    this.calls.set(callId, { members, seenAt: now });
    this.evict(now);
    return true;
  }

  /** Remembers a binding learnt elsewhere (another node, through Redis). */
  remember(callId: string, members: string): void {
    this.calls.delete(callId);
    this.calls.set(callId, { members, seenAt: this.now() });
    this.evict(this.now());
  }

  lookup(callId: string): string | undefined {
    const known = this.calls.get(callId);
    return known && this.now() - known.seenAt < this.ttlMs ? known.members : undefined;
  }

  get size(): number {
    return this.calls.size;
  }

  private evict(now: number): void {
    for (const [callId, record] of this.calls) {
      if (this.calls.size <= this.maxCalls && now - record.seenAt < this.ttlMs) break;
      this.calls.delete(callId);
    }
  }
}
