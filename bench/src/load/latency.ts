// Latency at a fixed, moderate rate: envelopes leave on a 10 ms tick, round-robin over the pairs; the
// time from send to arrival is taken in this one process, so both ends read the same clock.
import { quantile } from '../harness/stats.js';
import { sdpEnvelope } from './envelopes.js';
import type { Link } from './link.js';

export interface LatencyResult {
  p50Ms: number;
  p99Ms: number;
  sent: number;
  received: number;
}

const TICK_MS = 10;
let runCounter = 0;

export function runLatency(
  links: readonly Link[],
  options: { ratePerSecond: number; count: number; timeLimitMs: number },
): Promise<LatencyResult> {
  runCounter += 1;
  const prefix = `l${runCounter}-`;
  const sentAt = new Map<string, number>();
  const samples: number[] = [];
  const pairs = Math.floor(links.length / 2);
  const perTick = Math.max(1, Math.round((options.ratePerSecond * TICK_MS) / 1000));
  let sent = 0;
  return new Promise((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(ticker);
      clearTimeout(limit);
      for (const link of links) link.onEnvelope = () => {};
      resolve({
        p50Ms: quantile(samples, 0.5),
        p99Ms: quantile(samples, 0.99),
        sent,
        received: samples.length,
      });
    };
    for (const link of links) {
      link.onEnvelope = (message) => {
        const at = sentAt.get(message.id);
        if (at === undefined) return;
        sentAt.delete(message.id);
        samples.push(performance.now() - at);
        if (samples.length >= options.count) finish();
      };
    }
    const ticker = setInterval(() => {
      for (let k = 0; k < perTick && sent < options.count; k += 1) {
        const pair = sent % pairs;
        // Alternate direction per round over the pairs, so both ends of each pair send.
        const forward = Math.floor(sent / pairs) % 2 === 0;
        const a = links[pair * 2] as Link;
        const b = links[pair * 2 + 1] as Link;
        const [from, to] = forward ? [a, b] : [b, a];
        const id = `${prefix}${sent}`;
        sent += 1;
        sentAt.set(id, performance.now());
        from.send(sdpEnvelope({ from: from.userId, to: to.userId, callId: `relay-${a.userId}` }, id));
      }
    }, TICK_MS);
    const limit = setTimeout(finish, options.timeLimitMs);
  });
}
