// Handset's signaling server with its defaults, except the traffic budgets (per connection, user and
// address: production safeguards that would otherwise be the figure measured, and every bench connection
// comes from 127.0.0.1), the idle timeout (bench clients hold connections without the real client's pings)
// and the per-address connection caps (10,000 connections from one address).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { startSignalServer as StartSignalServer } from '@handset/adapter-ws/server';
import type { RunningServer } from './running-server.js';

const UNLIMITED = Number.POSITIVE_INFINITY;

export const BENCH_LIMITS = {
  messagesPerSecond: UNLIMITED,
  messageBurst: UNLIMITED,
  bytesPerSecond: UNLIMITED,
  byteBurst: UNLIMITED,
  userMessagesPerSecond: UNLIMITED,
  userMessageBurst: UNLIMITED,
  userBytesPerSecond: UNLIMITED,
  userByteBurst: UNLIMITED,
  addressMessagesPerSecond: UNLIMITED,
  addressMessageBurst: UNLIMITED,
  addressBytesPerSecond: UNLIMITED,
  addressByteBurst: UNLIMITED,
  addressConnectsPerSecond: UNLIMITED,
  addressConnectBurst: UNLIMITED,
  maxConnectionsPerAddress: 1_000_000,
  idleTimeoutMs: 10 * 60 * 1000,
  // Each bench pair places many calls a minute; the per-pair invite limit guards users, not throughput.
  pairInvitesPerMinute: UNLIMITED,
  pairInviteBurst: UNLIMITED,
};

export async function startHandsetServer(options: {
  secret: string;
  redisUrl?: string;
  nodeId?: string;
}): Promise<RunningServer> {
  const startSignalServer = await serverModule();
  const server = await startSignalServer({
    secret: options.secret,
    limits: BENCH_LIMITS,
    ...(options.redisUrl ? { redis: { url: options.redisUrl } } : {}),
    ...(options.nodeId ? { nodeId: options.nodeId } : {}),
  });
  return { url: server.url, close: () => server.close({ drainMs: 0 }) };
}

/**
 * `HANDSET_SERVER_MODULE=<path to a build's server/index.js>` runs another build of the server (e.g. a copy
 * of dist made before a change, kept where it resolves the package's dependencies), to compare the two.
 */
async function serverModule(): Promise<typeof StartSignalServer> {
  const other = process.env.HANDSET_SERVER_MODULE;
  const module: { startSignalServer: typeof StartSignalServer } = other
    ? await import(pathToFileURL(resolve(other)).href)
    : await import('@handset/adapter-ws/server');
  return module.startSignalServer;
}
