// Throughput: every pair keeps `window` envelopes in flight, each received envelope is answered by a new
// one to the sender, until `total` envelopes have arrived or the time limit passes.
import { sdpEnvelope } from './envelopes.js';
import type { Link } from './link.js';

export interface EchoResult {
  received: number;
  elapsedMs: number;
  perSecond: number;
  timedOut: boolean;
}

let runCounter = 0;

export function runEcho(
  links: readonly Link[],
  options: { window: number; total: number; timeLimitMs: number },
): Promise<EchoResult> {
  runCounter += 1;
  const prefix = `e${runCounter}-`;
  let sent = 0;
  let received = 0;
  const started = performance.now();
  return new Promise((resolve) => {
    let finished = false;
    const finish = (timedOut: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(limit);
      const elapsedMs = performance.now() - started;
      for (const link of links) link.onEnvelope = () => {};
      resolve({ received, elapsedMs, perSecond: (received / elapsedMs) * 1000, timedOut });
    };
    const limit = setTimeout(() => finish(true), options.timeLimitMs);
    const sendFrom = (from: Link, to: Link, callId: string) => {
      sent += 1;
      from.send(sdpEnvelope({ from: from.userId, to: to.userId, callId }, `${prefix}${sent}`));
    };
    for (let index = 0; index + 1 < links.length; index += 2) {
      const a = links[index] as Link;
      const b = links[index + 1] as Link;
      const callId = `relay-${a.userId}`;
      a.onEnvelope = () => {
        received += 1;
        if (received >= options.total) finish(false);
        else if (sent < options.total) sendFrom(a, b, callId);
      };
      b.onEnvelope = () => {
        received += 1;
        if (received >= options.total) finish(false);
        else if (sent < options.total) sendFrom(b, a, callId);
      };
    }
    for (let round = 0; round < options.window; round += 1) {
      for (let index = 0; index + 1 < links.length; index += 2) {
        if (sent < options.total) {
          const a = links[index] as Link;
          const b = links[index + 1] as Link;
          sendFrom(a, b, `relay-${a.userId}`);
        }
      }
    }
  });
}
