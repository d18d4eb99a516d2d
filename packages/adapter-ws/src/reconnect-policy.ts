// When to try again after the link drops: a small replaceable object (LiveKit's ReconnectPolicy).

export interface ReconnectContext {
  /** Retries already made since the link dropped (0 for the first retry). */
  attempt: number;
  /** Time since the link dropped (or since the first connection attempt began). */
  elapsedMs: number;
}

export interface ReconnectPolicy {
  /** Milliseconds to wait before the next attempt, or null to give up (the transport closes). */
  nextRetryDelayMs(context: ReconnectContext): number | null;
}

/** LiveKit's table: quick first retries for a blip, then a steady pace. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [0, 300, 1_200, 2_700, 4_800];

export interface DefaultReconnectPolicyOptions {
  delaysMs?: readonly number[];
  /** Delay once the table is used up. Default 7000. */
  steadyDelayMs?: number;
  /** Up to this much random delay is added from the third retry on, so clients do not stampede. */
  maxJitterMs?: number;
  /** Give up after this long without a link. Default: never (a phone keeps trying). */
  giveUpAfterMs?: number;
  random?: () => number;
}

export function createDefaultReconnectPolicy(options: DefaultReconnectPolicyOptions = {}): ReconnectPolicy {
  const delays = options.delaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const steady = options.steadyDelayMs ?? 7_000;
  const maxJitter = options.maxJitterMs ?? 1_000;
  const giveUpAfter = options.giveUpAfterMs ?? Number.POSITIVE_INFINITY;
  const random = options.random ?? Math.random;
  return {
    nextRetryDelayMs({ attempt, elapsedMs }) {
      if (elapsedMs >= giveUpAfter) return null;
      const base = delays[attempt] ?? steady;
      // The first two retries answer a blip: no jitter, they should be as quick as possible.
      return attempt <= 1 ? base : base + Math.round(random() * maxJitter);
    },
  };
}
