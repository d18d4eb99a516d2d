// The honest side of the hostile-load measurement: authenticated pairs in a call exchanging candidates at
// a fixed rate (the step's time is the caller's round trip through the server), `/health` polled as a
// monitor would, and a new login every second. It runs in its own process, apart from the flood.
import { get } from 'node:http';
import { quantile } from '../harness/stats.js';
import { callEnvelopes } from './envelopes.js';
import { type Link, linkProblems } from './link.js';
import { openWsLinks, type WsKind } from './ws-links.js';

export interface ProbeTarget {
  kind: WsKind;
  url: string;
  /** Polled for liveness: Handset's `/health`, PeerJS's `/`, any answer of the bare relay's HTTP server. */
  healthUrl: string;
  secret: string;
}

export interface ProbeReport {
  steps: { sent: number; completed: number; lost: number; p50Ms: number; p99Ms: number };
  health: { sent: number; answered: number; p50Ms: number; p99Ms: number };
  logins: { attempted: number; succeeded: number; p50Ms: number };
  /** Hostile envelopes the server passed on to the honest users. */
  hostileDelivered: number;
  honestLinksClosed: number;
  honestErrorFrames: number;
  lastError: string;
}

/** A step or login not done by then counts as lost, with this time in the percentiles. */
const GIVE_UP_MS = 5_000;
const HEALTH_EVERY_MS = 250;
const LOGIN_EVERY_MS = 1_000;
const MAX_HEALTH_IN_FLIGHT = 20;

let links: Link[] = [];
let warmCalls: { userId: string; callId: string }[] = [];
let round = 0;

/** Opens `pairs` honest pairs, each in one call (invite → ringing): the steps run in it, the flood intrudes on it. */
export async function openHonest(
  target: ProbeTarget,
  pairs: number,
): Promise<{ victims: { userId: string; callId: string }[] }> {
  closeHonest();
  round += 1;
  const userIds = Array.from({ length: pairs * 2 }, (_, index) => `honest${round}-${index}`);
  links = await openWsLinks({
    kind: target.kind,
    urls: [target.url],
    userIds,
    secret: target.secret,
    concurrency: 8,
  });
  warmCalls = [];
  const bound: Promise<void>[] = [];
  for (let pair = 0; pair < pairs; pair += 1) {
    const caller = links[pair * 2] as Link;
    const callee = links[pair * 2 + 1] as Link;
    const callId = `warm${round}-${pair}`;
    warmCalls.push({ userId: callee.userId, callId });
    bound.push(
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`warm-up call ${callId} not answered`)), GIVE_UP_MS);
        callee.onEnvelope = (message) => {
          if (message.type === 'invite') {
            callee.send(
              callEnvelopes.ringing({ from: callee.userId, to: caller.userId, callId }, `${callId}-r`),
            );
          }
        };
        caller.onEnvelope = (message) => {
          if (message.type === 'ringing' && message.callId === callId) {
            clearTimeout(timer);
            resolve();
          }
        };
        caller.send(callEnvelopes.invite({ from: caller.userId, to: callee.userId, callId }, `${callId}-i`));
      }),
    );
  }
  await Promise.all(bound);
  return { victims: warmCalls };
}

export function closeHonest(): void {
  for (const link of links) link.close();
  links = [];
}

function stepQuantiles(samples: number[], lost: number): { p50Ms: number; p99Ms: number } {
  const all = [...samples, ...new Array<number>(lost).fill(GIVE_UP_MS)];
  return { p50Ms: quantile(all, 0.5), p99Ms: quantile(all, 0.99) };
}

/** Runs the honest traffic for `durationMs`, then waits up to 5 s for what is still in flight. */
export async function runProbe(
  target: ProbeTarget,
  options: { durationMs: number; stepsPerSecond: number },
): Promise<ProbeReport> {
  linkProblems.errorFrames = 0;
  linkProblems.unexpectedCloses = 0;
  linkProblems.lastError = '';
  const pairs = Math.floor(links.length / 2);
  const stepSentAt = new Map<string, number>();
  const stepSamples: number[] = [];
  let stepsSent = 0;
  let hostileDelivered = 0;
  const prefix = `s${round}-`;
  for (let pair = 0; pair < pairs; pair += 1) {
    const caller = links[pair * 2] as Link;
    const callee = links[pair * 2 + 1] as Link;
    const callId = warmCalls[pair]?.callId ?? '';
    callee.onEnvelope = (message) => {
      if (message.type === 'candidates' && message.id.startsWith(prefix)) {
        const reply = `re-${message.id}`;
        callee.send(callEnvelopes.candidates({ from: callee.userId, to: caller.userId, callId }, reply));
      } else if (message.callId === callId) {
        hostileDelivered += 1;
      }
    };
    caller.onEnvelope = (message) => {
      const at = stepSentAt.get(message.id);
      if (at === undefined) return;
      stepSentAt.delete(message.id);
      stepSamples.push(performance.now() - at);
    };
  }
  // One `candidates` each way per step, in the pair's call: trickle ICE, the steady traffic of a live call
  // (repeated invites would meet the server's per-pair invite limit, as they should).
  const step = setInterval(() => {
    const pair = stepsSent % pairs;
    const caller = links[pair * 2] as Link;
    const callee = links[pair * 2 + 1] as Link;
    const id = `${prefix}${stepsSent}`;
    stepsSent += 1;
    stepSentAt.set(`re-${id}`, performance.now());
    const callId = warmCalls[pair]?.callId ?? '';
    caller.send(callEnvelopes.candidates({ from: caller.userId, to: callee.userId, callId }, id));
  }, 1000 / Math.max(1, options.stepsPerSecond));
  const health = pollHealth(target.healthUrl);
  const logins = tryLogins(target);
  await new Promise((resolve) => setTimeout(resolve, options.durationMs));
  clearInterval(step);
  const [healthReport, loginReport] = await Promise.all([health.stop(), logins.stop()]);
  const giveUpAt = performance.now() + GIVE_UP_MS;
  while (stepSentAt.size > 0 && performance.now() < giveUpAt) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // Steps answered after their 5 s count as lost, like those never answered.
  const late = stepSamples.filter((ms) => ms > GIVE_UP_MS).length;
  const inTime = stepSamples.filter((ms) => ms <= GIVE_UP_MS);
  const lost = stepSentAt.size + late;
  for (const link of links) link.onEnvelope = () => {};
  return {
    steps: { sent: stepsSent, completed: inTime.length, lost, ...stepQuantiles(inTime, lost) },
    health: healthReport,
    logins: loginReport,
    hostileDelivered,
    honestLinksClosed: linkProblems.unexpectedCloses,
    honestErrorFrames: linkProblems.errorFrames,
    lastError: linkProblems.lastError,
  };
}

/** One GET every 250 ms on a fresh connection, as an external monitor would; 5 s to answer. */
function pollHealth(url: string): { stop(): Promise<ProbeReport['health']> } {
  const samples: number[] = [];
  let sent = 0;
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  const poll = () => {
    if (inFlight >= MAX_HEALTH_IN_FLIGHT) return;
    sent += 1;
    inFlight += 1;
    const started = performance.now();
    const done = new Promise<void>((resolve) => {
      const request = get(url, { agent: false }, (response) => {
        response.resume();
        response.once('end', () => {
          const elapsed = performance.now() - started;
          if (elapsed <= GIVE_UP_MS) samples.push(elapsed);
          resolve();
        });
      });
      // A whole-request deadline (Node's `timeout` is only for an idle socket).
      const deadline = setTimeout(() => request.destroy(), GIVE_UP_MS);
      request.once('error', () => resolve());
      request.once('close', () => {
        clearTimeout(deadline);
        resolve();
      });
    }).finally(() => {
      inFlight -= 1;
      pending.delete(done);
    });
    pending.add(done);
  };
  poll();
  const timer = setInterval(poll, HEALTH_EVERY_MS);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      const unanswered = sent - samples.length;
      const all = [...samples, ...new Array<number>(unanswered).fill(GIVE_UP_MS)];
      return {
        sent,
        answered: samples.length,
        p50Ms: quantile(all, 0.5),
        p99Ms: quantile(all, 0.99),
      };
    },
  };
}

/** A new user logs in every second; it counts if it is ready (Handset: welcomed) within 5 s. */
function tryLogins(target: ProbeTarget): { stop(): Promise<ProbeReport['logins']> } {
  const times: number[] = [];
  let attempted = 0;
  const pending = new Set<Promise<void>>();
  const attempt = () => {
    attempted += 1;
    const started = performance.now();
    const userId = `login${round}-${attempted}`;
    const opening = openWsLinks({
      kind: target.kind,
      urls: [target.url],
      userIds: [userId],
      secret: target.secret,
      concurrency: 1,
    });
    const done = new Promise<void>((resolve) => {
      const giveUp = setTimeout(resolve, GIVE_UP_MS);
      opening.then(
        ([link]) => {
          const elapsed = performance.now() - started;
          if (elapsed <= GIVE_UP_MS) times.push(elapsed);
          link?.close();
          clearTimeout(giveUp);
          resolve();
        },
        () => {
          clearTimeout(giveUp);
          resolve();
        },
      );
    }).finally(() => pending.delete(done));
    pending.add(done);
  };
  attempt();
  const timer = setInterval(attempt, LOGIN_EVERY_MS);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      return { attempted, succeeded: times.length, p50Ms: quantile(times, 0.5) };
    },
  };
}
