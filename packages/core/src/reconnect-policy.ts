// When to try again after a link drops: one small replaceable object for every transport (LiveKit's
// ReconnectPolicy), with one default table and one jitter rule.

export interface ReconnectContext {
  /** Retries already made since the link dropped (or since it was first started): 0 for the first. */
  readonly attempt: number;
  /** Time since the link dropped (or since the first connection attempt began). */
  readonly elapsedMs: number;
}

export interface ReconnectPolicy {
  /** Milliseconds to wait before the next attempt, or null to give up (the transport closes). */
  nextRetryDelayMs(context: ReconnectContext): number | null;
}

/** LiveKit's table: quick first retries for a blip, then a steady pace. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [0, 300, 1_200, 2_700, 4_800];
/** The delay once the table is used up. */
export const DEFAULT_STEADY_RETRY_DELAY_MS = 7_000;
/** Up to this much random delay is added from the third retry on. */
export const DEFAULT_MAX_RETRY_JITTER_MS = 1_000;

export interface DefaultReconnectPolicyOptions {
  delaysMs?: readonly number[];
  /** Delay once the table is used up. Default 7000. */
  steadyDelayMs?: number;
  /** Up to this much random delay is added from the third retry on. Default 1000. */
  maxJitterMs?: number;
  /** Give up after this long without a link. Default: never (a phone keeps trying). */
  giveUpAfterMs?: number;
  /** A number in [0, 1); tests pass a fixed one. */
  random?: () => number;
}

/**
 * The jitter rule: the first two retries answer a blip and go as fast as the table says; later ones add
 * up to `maxJitterMs`, so the clients of a server that restarts do not all come back in the same instant.
 */
export function createDefaultReconnectPolicy(options: DefaultReconnectPolicyOptions = {}): ReconnectPolicy {
  const delays = options.delaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const steady = options.steadyDelayMs ?? DEFAULT_STEADY_RETRY_DELAY_MS;
  const maxJitter = options.maxJitterMs ?? DEFAULT_MAX_RETRY_JITTER_MS;
  const giveUpAfter = options.giveUpAfterMs ?? Number.POSITIVE_INFINITY;
  const random = options.random ?? Math.random;
  return {
    nextRetryDelayMs({ attempt, elapsedMs }) {
      if (elapsedMs >= giveUpAfter) return null;
      const base = delays[attempt] ?? steady;
      return attempt <= 1 ? base : base + Math.round(random() * maxJitter);
    },
  };
}
