// The server's log: core's `Logger` bound to `handset:ws`, silent unless a logger is injected. Per-attempt
// refusals are throttled here, so a flood of bad origins or bad hellos cannot fill the log.
import { type BoundLogger, type Logger, namespacedLogger } from '@handset/core';

/** What the server's modules log through. */
export type Log = BoundLogger;

/**
 * Each throttled event is logged in full `loggedPerPeriod` times per period; the rest are counted and
 * summarized in one `refusals-unlogged` entry at the end of the period (and at close).
 */
export const REFUSAL_LOG = { loggedPerPeriod: 10, periodMs: 10_000 } as const;

/** The per-attempt refusals, and the field counting each in the summary. */
const THROTTLED: Readonly<Record<string, string>> = {
  'origin-refused': 'originRefused',
  'connection-refused': 'connectionRefused',
};

export interface ServerLog {
  readonly log: Log;
  /** Writes the pending summary and stops the period timer. */
  close(): void;
}

export function createServerLog(sink: Logger | undefined): ServerLog {
  const log = namespacedLogger(sink, 'handset:ws');
  let logged = new Map<string, number>();
  let unlogged = new Map<string, number>();
  // Armed by the first refusal of a period, so an idle server keeps no timer.
  let period: ReturnType<typeof setTimeout> | null = null;

  function endPeriod(): void {
    if (period) clearTimeout(period);
    period = null;
    if (unlogged.size > 0) {
      const counts = Object.fromEntries([...unlogged].map(([event, n]) => [THROTTLED[event], n]));
      log('warn', 'refusals-unlogged', { ...counts, periodMs: REFUSAL_LOG.periodMs });
    }
    logged = new Map();
    unlogged = new Map();
  }

  const throttled: Log = (level, event, fields) => {
    if (!(event in THROTTLED)) {
      log(level, event, fields);
      return;
    }
    if (!period) {
      period = setTimeout(endPeriod, REFUSAL_LOG.periodMs);
      period.unref();
    }
    const count = logged.get(event) ?? 0;
    if (count < REFUSAL_LOG.loggedPerPeriod) {
      logged.set(event, count + 1);
      log(level, event, fields);
    } else unlogged.set(event, (unlogged.get(event) ?? 0) + 1);
  };

  return { log: throttled, close: endPeriod };
}
