// One user's frame/byte budget held cluster-wide: each node sums what each user spent locally and, every
// report interval, charges it to a token bucket in Redis (one pipelined script call per active user).
import type { Redis } from 'ioredis';
import type { Log } from './logger.js';
import type { SignalServerLimits } from './options.js';

/** What a node asks before letting a user's frame through, and tells after it did. */
export interface ClusterUserBudgets {
  /** The cluster's bucket for this user, as last reported, less what this node spent since, is empty. */
  exhausted(userId: string): boolean;
  /** This node let a frame of `bytes` of this user through. */
  spend(userId: string, bytes: number): void;
  close(): void;
}

/** Often enough that a node's unreported spending stays small, rarely enough to cost Redis little. */
export const USER_BUDGET_REPORT_MS = 250;

/**
 * A token bucket refilled by Redis's own clock (nodes' clocks may disagree), charged with what a node
 * spent. It may go negative: a debt the user pays off by waiting, so an overshoot is never forgiven.
 * Returns the frames and bytes left. A rate of 0 turns that dimension off.
 */
const CHARGE_SCRIPT = `
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'f', 'b', 't')
local fRate, fBurst, bRate, bBurst = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local elapsed = math.max(0, ms - (tonumber(state[3]) or ms)) / 1000
local f = math.min(fBurst, (tonumber(state[1]) or fBurst) + elapsed * fRate) - tonumber(ARGV[1])
local b = math.min(bBurst, (tonumber(state[2]) or bBurst) + elapsed * bRate) - tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'f', tostring(f), 'b', tostring(b), 't', ms)
local refill = 0
if fRate > 0 then refill = math.max(refill, (fBurst - f) / fRate) end
if bRate > 0 then refill = math.max(refill, (bBurst - b) / bRate) end
redis.call('PEXPIRE', KEYS[1], math.ceil(refill * 1000) + 1000)
return { tostring(f), tostring(b) }
`;

interface UserState {
  /** Spent on this node since the last report. */
  frames: number;
  bytes: number;
  /** Being charged by the report on its way: still spent until Redis's answer counts it. */
  chargingFrames: number;
  chargingBytes: number;
  /** The cluster's bucket at the last report (Infinity before any). */
  framesLeft: number;
  bytesLeft: number;
}

interface ChargingRedis extends Redis {
  handsetChargeUser(
    key: string,
    frames: number,
    bytes: number,
    ...flows: number[]
  ): Promise<[string, string]>;
}

/** Null when the user budget is unlimited in both dimensions: nothing to share. */
export function createClusterUserBudgets(deps: {
  redis: Redis;
  prefix: string;
  limits: SignalServerLimits;
  log: Log;
  reportMs?: number;
}): ClusterUserBudgets | null {
  const { limits, log } = deps;
  const flow = (perSecond: number, burst: number) =>
    Number.isFinite(perSecond) && Number.isFinite(burst) ? [perSecond, burst] : [0, 0];
  const flows = [
    ...flow(limits.userMessagesPerSecond, limits.userMessageBurst),
    ...flow(limits.userBytesPerSecond, limits.userByteBurst),
  ];
  if (flows[0] === 0 && flows[2] === 0) return null;
  const redis = deps.redis as ChargingRedis;
  if (typeof redis.handsetChargeUser !== 'function') {
    redis.defineCommand('handsetChargeUser', { numberOfKeys: 1, lua: CHARGE_SCRIPT });
  }
  const users = new Map<string, UserState>();
  const key = (userId: string) => `${deps.prefix}:user-budget:${userId}`;
  let reporting = false;
  let redisDown = false;

  async function report(): Promise<void> {
    if (reporting || users.size === 0) return;
    reporting = true;
    const batch = [...users].map(([userId, state]) => {
      const charged = { userId, state, frames: state.frames, bytes: state.bytes };
      state.chargingFrames = state.frames;
      state.chargingBytes = state.bytes;
      state.frames = 0;
      state.bytes = 0;
      return charged;
    });
    try {
      const pipeline = redis.pipeline() as unknown as {
        handsetChargeUser(...args: unknown[]): unknown;
        exec(): Promise<[Error | null, unknown][] | null>;
      };
      for (const { userId, frames, bytes } of batch) {
        pipeline.handsetChargeUser(key(userId), frames, bytes, ...flows);
      }
      const results = (await pipeline.exec()) ?? [];
      if (results.length !== batch.length) throw new Error('the pipeline lost replies');
      batch.forEach(({ userId, state }, i) => {
        const [error, reply] = results[i] ?? [new Error('no reply'), null];
        if (error) throw error;
        const [framesLeft, bytesLeft] = (reply as [string, string]).map(Number);
        state.chargingFrames = 0;
        state.chargingBytes = 0;
        state.framesLeft = flows[0] === 0 ? Number.POSITIVE_INFINITY : (framesLeft ?? 0);
        state.bytesLeft = flows[2] === 0 ? Number.POSITIVE_INFINITY : (bytesLeft ?? 0);
        // Nothing spent here since, and the cluster's bucket has room: forget the user until it sends.
        if (state.frames === 0 && state.bytes === 0 && state.framesLeft > 0 && state.bytesLeft > 0) {
          users.delete(userId);
        }
      });
      if (redisDown) log('info', 'user-budget-restored', {});
      redisDown = false;
    } catch (error) {
      // Fail open: each node's own per-user budget still holds; honest users keep talking.
      if (!redisDown) log('warn', 'user-budget-unavailable', { message: (error as Error).message });
      redisDown = true;
      users.clear();
    } finally {
      reporting = false;
    }
  }

  const timer = setInterval(() => void report(), deps.reportMs ?? USER_BUDGET_REPORT_MS);
  timer.unref();

  return {
    exhausted(userId) {
      const state = users.get(userId);
      if (!state) return false;
      const frames = state.chargingFrames + state.frames;
      return state.framesLeft - frames < 1 || state.bytesLeft - state.chargingBytes - state.bytes <= 0;
    },
    spend(userId, bytes) {
      let state = users.get(userId);
      if (!state) {
        state = {
          frames: 0,
          bytes: 0,
          chargingFrames: 0,
          chargingBytes: 0,
          framesLeft: Number.POSITIVE_INFINITY,
          bytesLeft: Number.POSITIVE_INFINITY,
        };
        users.set(userId, state);
      }
      state.frames += 1;
      state.bytes += bytes;
    },
    close() {
      clearInterval(timer);
      users.clear();
    },
  };
}
