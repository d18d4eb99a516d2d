// Scale-out over Redis: each node subscribes to its own channel; presence is a set of node ids per
// user; call membership is bound first-come in Redis and cached per node. Stale presence (a node that
// died) heals itself: a publish nobody receives removes that node from the user's set.
import { decodeEnvelope, type Envelope, encodeEnvelope } from '@handset/core';
import { Redis } from 'ioredis';
import { callMembers, type LocalCallRegistry } from './call-registry.js';
import type { Cluster } from './cluster.js';
import type { Log } from './logger.js';
import type { RedisClusterOptions, SignalServerLimits } from './options.js';

interface RedisClusterDeps extends RedisClusterOptions {
  nodeId: string;
  log: Log;
  limits: SignalServerLimits;
  localCalls: LocalCallRegistry;
}

export function createRedisCluster(deps: RedisClusterDeps): Cluster {
  const { nodeId, log, limits, localCalls } = deps;
  const prefix = deps.prefix ?? 'handset';
  const settings = { lazyConnect: true, maxRetriesPerRequest: 1 };
  const commands = new Redis(deps.url, settings);
  const subscriber = new Redis(deps.url, settings);
  const nodeChannel = (id: string) => `${prefix}:node:${id}`;
  const presenceKey = (userId: string) => `${prefix}:presence:${userId}`;
  const callKey = (callId: string) => `${prefix}:call:${callId}`;
  const usersHere = new Set<string>();
  let closed = false;

  for (const [name, client] of [
    ['commands', commands],
    ['subscriber', subscriber],
  ] as const) {
    client.on('error', (error: Error) =>
      log('warn', 'redis-error', { client: name, message: error.message }),
    );
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
    async start(onEnvelope) {
      await Promise.all([commands.connect(), subscriber.connect()]);
      subscriber.on('message', (channel: string, frame: string) => {
        if (channel !== nodeChannel(nodeId)) return;
        const decoded = decodeEnvelope(frame);
        if (decoded.ok) onEnvelope(decoded.envelope);
        else log('error', 'cluster-bad-frame', { code: decoded.error.code, message: decoded.error.message });
      });
      await subscriber.subscribe(nodeChannel(nodeId));
    },
    async userArrived(userId) {
      usersHere.add(userId);
      await commands.sadd(presenceKey(userId), nodeId);
    },
    async userLeft(userId) {
      usersHere.delete(userId);
      await commands.srem(presenceKey(userId), nodeId);
    },
    async publish(envelope: Envelope) {
      const nodes = await commands.smembers(presenceKey(envelope.to));
      const frame = encodeEnvelope(envelope);
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
        const set = await commands.set(callKey(callId), members, 'PX', limits.callRecordTtlMs, 'NX');
        const bound = set === 'OK' ? members : ((await commands.get(callKey(callId))) ?? members);
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
