// The server's clock for what it keeps per connection (deadlines, last activity, budget refills): ms since
// this module loaded. Small integers (Smis) for ~24 days of uptime, where a Date.now() value in a field is
// a boxed number of its own in every connection.

const EPOCH = Date.now();

/** Milliseconds since the server's process loaded this module. */
export function serverNow(): number {
  return Date.now() - EPOCH;
}

/** A wall-clock time (ms since 1970, e.g. a token's expiry) on the server's clock. */
export function onServerClock(wallClockMs: number): number {
  return wallClockMs - EPOCH;
}

/** "No deadline" for a deadline field that must stay a small integer (never Infinity). */
export const NO_DEADLINE = -1;
