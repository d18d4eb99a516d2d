// Scale-out over Redis: each node subscribes to its own channel; presence is a set of node ids per
// user; call membership is bound first-come in Redis and cached per node. Stale presence (a node that
// died) heals itself: a publish nobody receives removes that node from the user's set. Envelopes travel
// sealed (cluster-frame.ts): Redis is a network like any other, not a trusted bus.
import type { Envelope } from '@handset/core';
import type { TokenSecret } from '@handset/token';
import { Redis, type RedisOptions } from 'ioredis';
import { SignalingError } from '../signaling-error.js';
import { callMembers, type LocalCallRegistry } from './call-registry.js';
import type { Cluster } from './cluster.js';
import { createClusterFrames } from './cluster-frame.js';
import { createClusterUserBudgets } from './cluster-user-budget.js';
import type { Log } from './logger.js';
import type { RedisClusterOptions, SignalServerLimits } from './options.js';

interface RedisClusterDeps extends RedisClusterOptions {
  nodeId: string;
  log: Log;
  limits: SignalServerLimits;
  localCalls: LocalCallRegistry;
  /** The token secret, which every node of the cluster shares: it keys the frames' seals. */
  secret: TokenSecret;
}

/** Redis answers in well under a millisecond on a LAN; seconds of silence mean it hangs. */
const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;
/** A frame sealed longer ago than this (clocks of nodes disagree by less) is dropped as stale. */
const CLUSTER_FRAME_MAX_AGE_MS = 30_000;

/** The URL without its password, for messages and logs. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable Redis URL)';
  }
}

export function createRedisCluster(deps: RedisClusterDeps): Cluster {
  const { nodeId, log, limits, localCalls } = deps;
  const prefix = deps.prefix ?? 'handset';
  const settings: RedisOptions = {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    commandTimeout: deps.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    ...(deps.username === undefined ? {} : { username: deps.username }),
    ...(deps.password === undefined ? {} : { password: deps.password }),
    ...(deps.tls === undefined ? {} : { tls: deps.tls }),
  };
  // Without an offline queue a command fails at once while Redis is away, instead of waiting for it:
  // a login during an outage is refused now (and retried by the client), not after seconds of silence.
  const commands = new Redis(deps.url, { ...settings, enableOfflineQueue: false });
  const subscriber = new Redis(deps.url, settings);
  const frames = createClusterFrames(deps.secret, nodeId, CLUSTER_FRAME_MAX_AGE_MS);
  const lastError = new Map<string, string>();
  const nodeChannel = (id: string) => `${prefix}:node:${id}`;
  const presenceKey = (userId: string) => `${prefix}:presence:${userId}`;
  const callKey = (callId: string) => `${prefix}:call:${callId}`;
  const usersHere = new Set<string>();
  const userBudgets = createClusterUserBudgets({ redis: commands, prefix, limits, log });
  let closed = false;

  for (const [name, client] of [
    ['commands', commands],
    ['subscriber', subscriber],
  ] as const) {
    client.on('error', (error: Error) => {
      lastError.set(name, error.message);
      log('warn', 'redis-error', { client: name, message: error.message });
    });
  }
  // After Redis comes back (it may have lost everything), announce again who is here.
  commands.on('ready', () => {
    if (usersHere.size === 0) return;
    const pipeline = commands.pipeline();
    for (const userId of usersHere) pipeline.sadd(presenceKey(userId), nodeId);
    pipeline.exec().catch(() => {});
  });

  return {
    nodeId,
    userBudgets,
    async start(onEnvelope) {
      subscriber.on('message', (channel: string, frame: string) => {
        if (channel !== nodeChannel(nodeId)) return;
        const opened = frames.open(frame);
        if (opened.ok) onEnvelope(opened.envelope);
        else log('warn', 'cluster-bad-frame', { code: opened.code, message: opened.message });
      });
      try {
        // Both attempts settle before any teardown: a TLS handshake cut midway errors where no one listens.
        const attempts = await Promise.allSettled([commands.connect(), subscriber.connect()]);
        for (const attempt of attempts) if (attempt.status === 'rejected') throw attempt.reason;
        await subscriber.subscribe(nodeChannel(nodeId));
      } catch (error) {
        // Nothing may keep retrying behind a server that failed to start.
        subscriber.disconnect();
        commands.disconnect();
        const cause = [...new Set([...lastError.values(), (error as Error).message])].join('; ');
        throw SignalingError.of(
          'cluster-unavailable',
          `cannot use Redis at ${redactedUrl(deps.url)}: ${cause}`,
          error,
        );
      }
    },
    async userArrived(userId) {
      usersHere.add(userId);
      try {
        await commands.sadd(presenceKey(userId), nodeId);
      } catch (error) {
        // The login is refused: this node must not announce the user when Redis comes back.
        usersHere.delete(userId);
        throw error;
      }
    },
    async userLeft(userId) {
      usersHere.delete(userId);
      await commands.srem(presenceKey(userId), nodeId);
    },
    async publish(envelope: Envelope) {
      const nodes = await commands.smembers(presenceKey(envelope.to));
      const frame = frames.seal(envelope);
      let reached = false;
      for (const other of nodes) {
        if (other === nodeId) continue;
        const receivers = await commands.publish(nodeChannel(other), frame);
        if (receivers > 0) reached = true;
        else await commands.srem(presenceKey(envelope.to), other);
      }
      return reached;
    },
    async admit(callId, from, to) {
      const members = callMembers(from, to);
      const known = localCalls.lookup(callId);
      if (known !== undefined) {
        if (known === members) localCalls.remember(callId, members);
        return known === members;
      }
      try {
        const record = frames.sealCallRecord(callId, members);
        const set = await commands.set(callKey(callId), record, 'PX', limits.callRecordTtlMs, 'NX');
        if (set === 'OK') {
          localCalls.remember(callId, members);
          return true;
        }
        const stored = await commands.get(callKey(callId));
        // Gone since the SET (expired): the first sender now is as good as the first sender then.
        if (stored === null) return localCalls.admit(callId, from, to);
        const bound = frames.openCallRecord(callId, stored);
        if (bound === null) {
          // Not written by a node of this cluster: nobody may use the call id (fail closed).
          log('warn', 'cluster-bad-call-record', { callId });
          return false;
        }
        localCalls.remember(callId, bound);
        return bound === members;
      } catch (error) {
        // Redis down: this node's own view is the best there is; keep calls working.
        log('warn', 'redis-admit-failed', { callId, message: (error as Error).message });
        return localCalls.admit(callId, from, to);
      }
    },
    health() {
      return commands.status === 'ready' ? 'connected' : 'down';
    },
    async close() {
      if (closed) return;
      closed = true;
      userBudgets?.close();
      try {
        if (usersHere.size > 0 && commands.status === 'ready') {
          const pipeline = commands.pipeline();
          for (const userId of usersHere) pipeline.srem(presenceKey(userId), nodeId);
          await pipeline.exec();
        }
      } finally {
        usersHere.clear();
        subscriber.disconnect();
        commands.disconnect();
      }
    },
  };
}
