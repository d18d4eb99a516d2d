// Handset's signaling server with its defaults, except the per-connection rate limit (50 frames/s, a
// production safeguard that would otherwise be the figure measured) and the idle timeout (bench clients
// hold connections without the 2 s pings of the real client).
import { startSignalServer } from '@handset/adapter-ws/server';
import type { RunningServer } from './running-server.js';

export const BENCH_LIMITS = {
  messagesPerSecond: 1_000_000,
  messageBurst: 1_000_000,
  idleTimeoutMs: 10 * 60 * 1000,
  // Each bench pair places many calls a minute; the per-pair invite limit guards users, not throughput.
  pairInvitesPerMinute: Number.POSITIVE_INFINITY,
  pairInviteBurst: Number.POSITIVE_INFINITY,
};

export async function startHandsetServer(options: {
  secret: string;
  redisUrl?: string;
  nodeId?: string;
}): Promise<RunningServer> {
  const server = await startSignalServer({
    secret: options.secret,
    limits: BENCH_LIMITS,
    ...(options.redisUrl ? { redis: { url: options.redisUrl } } : {}),
    ...(options.nodeId ? { nodeId: options.nodeId } : {}),
  });
  return { url: server.url, close: () => server.close({ drainMs: 0 }) };
}
