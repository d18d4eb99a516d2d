// Envelopes for users who may be about to come back after this server restarted: held per user, bounded
// in count, bytes and time, handed to each of the user's sessions that opens meanwhile (a user may come
// back on several devices), and answered `unavailable` when time is up if no session ever took them.
import { type Envelope, encodeEnvelope } from '@handset/core';

export interface RestartHoldLimits {
  /** Envelopes held for one user; the oldest is dropped beyond it. */
  maxPerUser: number;
  /** Envelopes held in all; `hold` refuses beyond it. */
  maxTotal: number;
  /** Encoded bytes held in all; `hold` refuses beyond it. */
  maxBytes: number;
  /** How long a user's envelopes are held, from the first one. */
  holdMs: number;
}

interface Held {
  envelope: Envelope;
  bytes: number;
  heldAt: number;
  /** Handed to at least one session: its sender must not hear `unavailable` for it. */
  delivered: boolean;
}

export class RestartHold {
  private readonly byUser = new Map<string, { held: Held[]; timer: ReturnType<typeof setTimeout> }>();
  private total = 0;
  private bytes = 0;

  constructor(
    private readonly limits: RestartHoldLimits,
    /** Time is up: what no session of the user took, for the senders to hear `unavailable`. */
    private readonly onExpired: (userId: string, envelopes: Envelope[]) => void,
    /** An envelope dropped because the user's share was full (for the log). */
    private readonly onDropped: (envelope: Envelope) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Holds `envelope` for its addressee; false (nothing held) when the total count or bytes are spent. */
  hold(envelope: Envelope): boolean {
    const bytes = Buffer.byteLength(encodeEnvelope(envelope));
    if (this.total + 1 > this.limits.maxTotal || this.bytes + bytes > this.limits.maxBytes) return false;
    let entry = this.byUser.get(envelope.to);
    if (!entry) {
      const userId = envelope.to;
      const timer = setTimeout(() => this.expire(userId), this.limits.holdMs);
      // A held envelope must not keep a stopping process alive.
      timer.unref?.();
      entry = { held: [], timer };
      this.byUser.set(userId, entry);
    }
    entry.held.push({ envelope, bytes, heldAt: this.now(), delivered: false });
    this.total += 1;
    this.bytes += bytes;
    if (entry.held.length > this.limits.maxPerUser) {
      const dropped = entry.held.shift() as Held;
      this.forgetOne(dropped);
      this.onDropped(dropped.envelope);
    }
    return true;
  }

  /**
   * Everything held for `userId`, oldest first, each with the time it waited added to `ageMs`, for a
   * session of that user that just opened. Kept until the hold runs out, for the user's other devices.
   */
  forNewSession(userId: string): Envelope[] {
    const entry = this.byUser.get(userId);
    if (!entry) return [];
    const now = this.now();
    return entry.held.map((held) => {
      held.delivered = true;
      return { ...held.envelope, ageMs: (held.envelope.ageMs ?? 0) + (now - held.heldAt) };
    });
  }

  /** Drops everything without answering (the server is stopping). */
  clear(): void {
    for (const { timer } of this.byUser.values()) clearTimeout(timer);
    this.byUser.clear();
    this.total = 0;
    this.bytes = 0;
  }

  private expire(userId: string): void {
    const entry = this.byUser.get(userId);
    if (!entry) return;
    this.byUser.delete(userId);
    for (const held of entry.held) this.forgetOne(held);
    const undelivered = entry.held.filter((held) => !held.delivered).map((held) => held.envelope);
    this.onExpired(userId, undelivered);
  }

  private forgetOne(held: Held): void {
    this.total -= 1;
    this.bytes -= held.bytes;
  }
}
