// The server's clock for what it keeps per connection (deadlines, last activity, budget refills): ms since
// this module loaded. Small integers (Smis) for ~24 days of uptime, where a Date.now() value in a field is
// a boxed number of its own in every connection.

const EPOCH = Date.now();
/** Up to here (about 12 days) a time is made a small integer; past it, a plain number (still correct). */
const SMALL = 2 ** 30 - 1;

/**
 * `ms` as a small integer while it is one: a difference of two Date.now() values is a heap number even
 * when whole, and one stored in a field makes that field a boxed number in every connection.
 */
function small(ms: number): number {
  return ms <= SMALL && ms >= -SMALL ? ms | 0 : ms;
}

/** Milliseconds since the server's process loaded this module. */
export function serverNow(): number {
  return small(Date.now() - EPOCH);
}

/** A wall-clock time (ms since 1970, e.g. a token's expiry) on the server's clock. */
export function onServerClock(wallClockMs: number): number {
  return small(Math.floor(wallClockMs) - EPOCH);
}

/** "No deadline" for a deadline field that must stay a small integer (never Infinity). */
export const NO_DEADLINE = -1;
