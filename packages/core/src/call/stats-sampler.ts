// The actor that samples a connected call's statistics: every `intervalMs` on the call's own clock it asks
// the peer connection for a report and sends the machine a `stats.sampled` event. It lives exactly as long
// as the connected state that invokes it, so an ended call leaves no sampling timer behind.
import { type AnyActorRef, fromCallback } from 'xstate';
import { type Stat, type StatsCounters, sampleStats } from '../call-stats.js';
import type { PeerConnectionPort, StatsReportPort } from '../ports.js';
import type { CallEvent } from './events.js';

export interface StatsSamplerInput {
  pc: PeerConnectionPort | null;
  callId: string | null;
  intervalMs: number;
}

const TICK = { type: 'stats.tick' } as const;

function entriesOf(report: StatsReportPort): Stat[] {
  const entries: Stat[] = [];
  report.forEach((stat) => {
    entries.push(stat as Stat);
  });
  return entries;
}

/**
 * The next tick is scheduled on XState's scheduler, not a timer of our own: it runs on the clock the call
 * was given (tests move it by hand), and XState cancels it when this actor stops. A platform without
 * `getStats` (or a report that fails) gives no sample; sampling goes on at the next tick.
 */
export const sampleCallStats = fromCallback<{ type: 'stats.tick' }, StatsSamplerInput>(
  ({ input, system, self, sendBack, receive }) => {
    const { pc, callId, intervalMs } = input;
    if (!pc?.getStats || !(intervalMs > 0)) return;
    let previous: StatsCounters | null = null;
    let running = true;
    const schedule = () =>
      system.scheduler.schedule(self as AnyActorRef, self as AnyActorRef, TICK, intervalMs, 'stats.tick');
    // The first report, taken at once, is only a baseline: the first sample then already has rates.
    const sample = (announce: boolean) =>
      Promise.resolve()
        .then(() => pc.getStats!())
        .then((report) => {
          if (!running) return;
          const next = sampleStats(entriesOf(report), previous, callId);
          previous = next.counters;
          if (announce) sendBack({ type: 'stats.sampled', stats: next.stats } satisfies CallEvent);
        })
        .catch(() => {
          // A report the platform could not make (a closing connection...) is skipped, not fatal.
        })
        .finally(() => {
          if (running) schedule();
        });
    receive(() => void sample(true));
    void sample(false);
    return () => {
      running = false;
    };
  },
);
