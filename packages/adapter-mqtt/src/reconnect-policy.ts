// When to try the broker again after the link dropped: a small replaceable object, as in LiveKit's client.

export interface ReconnectContext {
  /** 0 for the first attempt after a drop. */
  readonly attempt: number;
  /** Time since the link dropped. */
  readonly elapsedMs: number;
}

export interface ReconnectPolicy {
  /** Delay before the next attempt, or null to give up (the transport then reports `closed`). */
  nextRetryDelayMs(context: ReconnectContext): number | null;
}

const DEFAULT_DELAYS_MS = [0, 300, 1200, 2700, 4800] as const;
const STEADY_DELAY_MS = 7000;

/**
 * LiveKit's table: quick first retries, then every 7 s, never giving up. Jitter (up to +30 %) keeps a
 * broker that restarts from being hit by every client in the same millisecond.
 */
export function createDefaultReconnectPolicy(random: () => number = Math.random): ReconnectPolicy {
  return {
    nextRetryDelayMs({ attempt }) {
      const base = DEFAULT_DELAYS_MS[attempt] ?? STEADY_DELAY_MS;
      return Math.round(base * (1 + 0.3 * random()));
    },
  };
}
