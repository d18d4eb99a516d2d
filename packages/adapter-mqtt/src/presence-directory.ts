// What the transport knows about other users' presence: a bounded cache of retained presence topics it
// watches, so that an envelope to an offline user is answered `unavailable` at once instead of by timeout.
import { PRESENCE_ONLINE, type TopicLayout } from './topics.js';

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
  /** Reads waiting out their settle period, woken as soon as a device is seen online. */
  readonly waiters: Set<() => void>;
  /**
   * Settles once the retained presence has been read: true, or false if the broker refused the
   * subscription (presence cannot be known). Null until a read is under way.
   */
  ready: Promise<boolean> | null;
}

export class PresenceDirectory {
  /** Insertion order is recency: a lookup moves its user to the end, eviction takes the first. */
  private readonly watches = new Map<string, Watch>();
  private closed = false;

  /**
   * @param settleMs how long a read waits for an `online` device after the SUBACK before it takes the
   *   user for offline.
   */
  constructor(
    private readonly layout: TopicLayout,
    private readonly link: PresenceLink,
    private readonly capacity: number,
    private readonly settleMs: number,
  ) {}

  /** Presence of `userId`, watching it from now on. Rejects if the link dropped before it was read. */
  async lookup(userId: string): Promise<PresenceState> {
    let watch = this.watches.get(userId);
    if (watch) {
      this.watches.delete(userId);
      this.watches.set(userId, watch);
    } else {
      watch = { devices: new Map(), waiters: new Set(), ready: null };
      this.watches.set(userId, watch);
      this.evictOverflow();
    }
    if (!watch.ready) {
      const current = watch;
      const attempt: Promise<boolean> = this.read(userId, current).catch((error: unknown) => {
        // Forget the failed read so the next lookup (after reconnecting) tries again.
        if (current.ready === attempt) current.ready = null;
        throw error;
      });
      current.ready = attempt;
    }
    const granted = await watch.ready;
    if (!granted) return 'unknown';
    if (isOnline(watch)) return 'online';
    // Evicted while it was read: it heard no more, so its silence proves nothing.
    return this.watches.get(userId) === watch ? 'offline' : 'unknown';
  }

  /** Feeds a retained or live presence message. Returns false if the topic is not a watched presence. */
  record(userId: string, deviceId: string, payload: string): boolean {
    const watch = this.watches.get(userId);
    if (!watch) return false;
    if (payload === PRESENCE_ONLINE) {
      watch.devices.set(deviceId, true);
      wake(watch);
    } else {
      watch.devices.delete(deviceId);
    }
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
      const attempt: Promise<boolean> = this.read(userId, watch).catch(() => {
        // The link dropped again: presence is unknown until the next reconnect reads it.
        if (watch.ready === attempt) watch.ready = null;
        return false;
      });
      watch.ready = attempt;
    }
  }

  /** The transport closed: no read waits out its settle period any more. */
  close(): void {
    this.closed = true;
    for (const watch of this.watches.values()) wake(watch);
  }

  /**
   * Subscribes, then waits until a device is seen online or the settle period has passed. No round trip
   * proves that the retained messages have all arrived: aedes writes them on later event-loop turns than
   * the SUBACK, so the acknowledgement of a request sent after the SUBACK can overtake them (seen in
   * browsers, whose round trips are fast). An offline user therefore costs the settle period, an online
   * one only the time its retained `online` takes to arrive.
   */
  private async read(userId: string, watch: Watch): Promise<boolean> {
    const granted = await this.link.subscribe(this.layout.presenceFilter(userId));
    if (!granted) return false;
    if (isOnline(watch) || this.closed) return true;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        watch.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.settleMs);
      watch.waiters.add(done);
    });
    // Nobody online: make sure the link did not drop while we waited (that would reject, not say offline).
    if (!isOnline(watch) && !this.closed) await this.link.barrier();
    return true;
  }

  private evictOverflow(): void {
    while (this.watches.size > this.capacity) {
      const oldest = this.watches.entries().next();
      if (oldest.done) return;
      const [userId, watch] = oldest.value;
      this.watches.delete(userId);
      // An evicted user's read hears no more: end its wait (its lookup answers `unknown`).
      wake(watch);
      this.link.unsubscribe(this.layout.presenceFilter(userId));
    }
  }
}

function isOnline(watch: Watch): boolean {
  return [...watch.devices.values()].some(Boolean);
}

function wake(watch: Watch): void {
  for (const waiter of [...watch.waiters]) waiter();
}
