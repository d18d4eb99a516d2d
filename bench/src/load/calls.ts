// Signaling-only calls: invite → ringing → answer → candidates both ways → hangup, no media. Each pair of
// users runs `callsPerPair` calls in `slotsPerPair` parallel slots; a call's time runs from the invite
// leaving the caller to the hangup reaching the callee.
import { quantile } from '../harness/stats.js';
import { type Addressing, callEnvelopes } from './envelopes.js';
import type { Link } from './link.js';

export interface CallsResult {
  completed: number;
  elapsedMs: number;
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  timedOut: boolean;
}

let runCounter = 0;

export function runCalls(
  links: readonly Link[],
  options: { slotsPerPair: number; callsPerSlot: number; timeLimitMs: number },
): Promise<CallsResult> {
  runCounter += 1;
  const run = runCounter;
  const pairs = Math.floor(links.length / 2);
  const expected = pairs * options.slotsPerPair * options.callsPerSlot;
  const startedAt = new Map<string, number>();
  const durations: number[] = [];
  let messageCounter = 0;
  const nextId = () => `r${run}-${messageCounter++}`;
  const started = performance.now();
  return new Promise((resolve) => {
    let finished = false;
    const finish = (timedOut: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(limit);
      for (const link of links) link.onEnvelope = () => {};
      const elapsedMs = performance.now() - started;
      resolve({
        completed: durations.length,
        elapsedMs,
        callsPerSecond: (durations.length / elapsedMs) * 1000,
        p50Ms: quantile(durations, 0.5),
        p99Ms: quantile(durations, 0.99),
        timedOut,
      });
    };
    const limit = setTimeout(() => finish(true), options.timeLimitMs);
    for (let pair = 0; pair < pairs; pair += 1) {
      const caller = links[pair * 2] as Link;
      const callee = links[pair * 2 + 1] as Link;
      const callsLeft = new Map<number, number>();
      const toCallee = (callId: string): Addressing => ({ from: caller.userId, to: callee.userId, callId });
      const toCaller = (callId: string): Addressing => ({ from: callee.userId, to: caller.userId, callId });
      const dial = (slot: number) => {
        const left = callsLeft.get(slot) ?? options.callsPerSlot;
        if (left === 0 || finished) return;
        callsLeft.set(slot, left - 1);
        const callId = `r${run}-p${pair}-s${slot}-${left}`;
        startedAt.set(callId, performance.now());
        caller.send(callEnvelopes.invite(toCallee(callId), nextId()));
      };
      callee.onEnvelope = (message) => {
        if (message.type === 'invite') {
          callee.send(callEnvelopes.ringing(toCaller(message.callId), nextId()));
          callee.send(callEnvelopes.answer(toCaller(message.callId), nextId()));
          callee.send(callEnvelopes.candidates(toCaller(message.callId), nextId()));
        } else if (message.type === 'hangup') {
          const at = startedAt.get(message.callId);
          if (at === undefined) return;
          startedAt.delete(message.callId);
          durations.push(performance.now() - at);
          if (durations.length >= expected) finish(false);
          else dial(Number(/-s(\d+)-/.exec(message.callId)?.[1] ?? 0));
        }
      };
      caller.onEnvelope = (message) => {
        // The callee's candidates come last: trickle ours, then hang up (a call of zero length).
        if (message.type === 'candidates') {
          caller.send(callEnvelopes.candidates(toCallee(message.callId), nextId()));
          caller.send(callEnvelopes.hangup(toCallee(message.callId), nextId()));
        }
      };
      for (let slot = 0; slot < options.slotsPerPair; slot += 1) dial(slot);
    }
  });
}
