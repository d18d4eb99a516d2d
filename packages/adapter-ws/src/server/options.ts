// Server options and the limits' defaults, in one place so the README's limits table has one source.
import { PROTOCOL_LIMITS } from '@handset/core';
import type { TokenSecret } from '@handset/token';
import type { SignalLogger } from './logger.js';

export interface SignalServerLimits {
  /** Largest frame accepted, in bytes; a larger one closes the connection with 1009. */
  maxFrameBytes: number;
  /** Sustained frames per second per connection (token bucket refill rate). */
  messagesPerSecond: number;
  /** Frames a connection may send in a burst above the sustained rate (bucket size). */
  messageBurst: number;
  /** Frames dropped for rate before the connection is closed with 1008. */
  rateViolationsBeforeClose: number;
  /** Sessions (devices) one user may hold at once, counting those in their grace period. */
  maxConnectionsPerUser: number;
  /** Time a new connection has to send its `hello`, else closed with 1008. */
  handshakeTimeoutMs: number;
  /** Silence after which an authenticated connection counts as dead (clients ping every 2 s). */
  idleTimeoutMs: number;
  /** How long a dropped session is kept, queueing what is addressed to it, before its user is offline. */
  sessionGraceMs: number;
  /** Envelopes queued per session during its grace period; the oldest are dropped beyond this. */
  maxQueuedPerSession: number;
  /** Calls whose members the server remembers (oldest forgotten first). */
  maxTrackedCalls: number;
  /** A call not seen for this long is forgotten. */
  callRecordTtlMs: number;
}

export const DEFAULT_LIMITS: SignalServerLimits = {
  maxFrameBytes: 2 * PROTOCOL_LIMITS.maxFrameBytes,
  messagesPerSecond: 50,
  messageBurst: 200,
  rateViolationsBeforeClose: 100,
  maxConnectionsPerUser: 8,
  handshakeTimeoutMs: 5_000,
  idleTimeoutMs: 15_000,
  sessionGraceMs: 10_000,
  maxQueuedPerSession: 256,
  maxTrackedCalls: 100_000,
  callRecordTtlMs: 60 * 60 * 1000,
};

export interface RedisClusterOptions {
  /** `redis://host:port/db`; each server process sharing it forms one signaling cluster. */
  url: string;
  /** Key and channel prefix, to share one Redis between clusters. Default `handset`. */
  prefix?: string;
}

export interface SignalServerOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** HMAC secret for tokens, at least 16 bytes. Required unless `dev` (then a random one is used). */
  secret?: TokenSecret;
  /** Issues tokens for any user id at `GET /dev-token?user=`. Never in production. */
  dev?: boolean;
  limits?: Partial<SignalServerLimits>;
  logger?: SignalLogger;
  /** Share routing and presence with other server processes through Redis pub/sub. */
  redis?: RedisClusterOptions;
  /** Name of this process in logs, `/health` and Redis presence. Default: random. */
  nodeId?: string;
}
