// What the transport knows about other users' presence: a bounded cache of retained presence topics it
// watches, so that an envelope to an offline user is answered `unavailable` at once instead of by timeout.
import { PRESENCE_ONLINE, type TopicLayout } from './topics.js';

/** Bounds the wait for a user whose presence keeps changing while we read it. */
const MAX_SETTLE_ROUNDS = 8;

export type PresenceState = 'online' | 'offline' | 'unknown';

export interface PresenceLink {
  /** Subscribes; resolves true if granted, false if the broker refused, rejects if the link dropped. */
  subscribe(filter: string): Promise<boolean>;
  unsubscribe(filter: string): void;
  /** One side-effect-free round trip to the broker (resolves on its acknowledgement). */
  barrier(): Promise<void>;
}

interface Watch {
  /** Last retained payload per device (connection) of the user. */
  readonly devices: Map<string, boolean>;
  /** Presence messages received so far, to tell when the retained ones have all arrived. */
  arrivals: number;
  /**
   * Settles once the retained presence has been read: true, or false if the broker refused the
   * subscription (presence cannot be known). Null until a read is under way.
   */
  ready: Promise<boolean> | null;
}

export class PresenceDirectory {
  /** Insertion order is recency: a lookup moves its user to the end, eviction takes the first. */
  private readonly watches = new Map<string, Watch>();

  constructor(
    private readonly layout: TopicLayout,
    private readonly link: PresenceLink,
    private readonly capacity: number,
  ) {}

  /** Presence of `userId`, watching it from now on. Rejects if the link dropped before it was read. */
  async lookup(userId: string): Promise<PresenceState> {
    let watch = this.watches.get(userId);
    if (watch) {
      this.watches.delete(userId);
      this.watches.set(userId, watch);
    } else {
      watch = { devices: new Map(), arrivals: 0, ready: null };
      this.watches.set(userId, watch);
      this.evictOverflow();
    }
    if (!watch.ready) {
      const current = watch;
      const attempt: Promise<boolean> = this.read(userId).catch((error: unknown) => {
        // Forget the failed read so the next lookup (after reconnecting) tries again.
        if (current.ready === attempt) current.ready = null;
        throw error;
      });
      current.ready = attempt;
    }
    const granted = await watch.ready;
    if (!granted) return 'unknown';
    return [...watch.devices.values()].some(Boolean) ? 'online' : 'offline';
  }

  /** Feeds a retained or live presence message. Returns false if the topic is not a watched presence. */
  record(userId: string, deviceId: string, payload: string): boolean {
    const watch = this.watches.get(userId);
    if (!watch) return false;
    watch.arrivals += 1;
    if (payload === PRESENCE_ONLINE) watch.devices.set(deviceId, true);
    else watch.devices.delete(deviceId);
    return true;
  }

  /**
   * After a reconnect: read every cached user's retained presence again (a restarted broker has lost our
   * subscriptions, and presence may have changed while we were away).
   */
  rewatchAll(): void {
    for (const [userId, watch] of this.watches) {
      if (!watch.ready) continue;
      watch.devices.clear();
      const attempt: Promise<boolean> = this.read(userId).catch(() => {
        // The link dropped again: presence is unknown until the next reconnect reads it.
        if (watch.ready === attempt) watch.ready = null;
        return false;
      });
      watch.ready = attempt;
    }
  }

  /**
   * Subscribes, then waits until the retained presence messages have all arrived. A SUBACK may come
   * before them, and a broker may trickle them out one per event-loop turn (aedes does), so one round
   * trip is not enough: round trips continue until one passes with no presence message arriving.
   */
  private async read(userId: string): Promise<boolean> {
    const granted = await this.link.subscribe(this.layout.presenceFilter(userId));
    if (!granted) return false;
    for (let round = 0; round < MAX_SETTLE_ROUNDS; round += 1) {
      const before = this.watches.get(userId)?.arrivals ?? 0;
      await this.link.barrier();
      if ((this.watches.get(userId)?.arrivals ?? 0) === before) break;
    }
    return true;
  }

  private evictOverflow(): void {
    while (this.watches.size > this.capacity) {
      const oldest = this.watches.keys().next();
      if (oldest.done) return;
      this.watches.delete(oldest.value);
      this.link.unsubscribe(this.layout.presenceFilter(oldest.value));
    }
  }
}
