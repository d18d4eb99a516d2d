// Server options and the limits' defaults, in one place so the README's limits table has one source.
import type { ConnectionOptions } from 'node:tls';
import { type Logger, PROTOCOL_LIMITS } from '@handset/core';
import type { TokenPolicy, TokenSecret } from '@handset/token';
import type { TurnRelayOptions } from './turn-relay.js';

export interface SignalServerLimits {
  /** Largest frame accepted after authentication, in bytes; a larger one closes the connection with 1009. */
  maxFrameBytes: number;
  /** Largest frame accepted before authentication (the `hello`, whose token is at most 4096 characters); 1009 above. */
  maxHelloBytes: number;
  /** Sustained frames per second per connection (token bucket refill rate). */
  messagesPerSecond: number;
  /** Frames a connection may send in a burst above the sustained rate (bucket size). */
  messageBurst: number;
  /** Sustained bytes per second per connection (frames are charged their size). */
  bytesPerSecond: number;
  /** Bytes a connection may send in a burst; at least `maxFrameBytes`, or the largest frames never pass. */
  byteBurst: number;
  /**
   * Sustained frames per second of one user, summed over its connections (reconnecting does not reset it);
   * with Redis, over its connections on every node (approximate: see the README's Redis section).
   */
  userMessagesPerSecond: number;
  userMessageBurst: number;
  /** Sustained bytes per second of one user, summed over its connections (with Redis, on every node). */
  userBytesPerSecond: number;
  userByteBurst: number;
  /** Sustained frames per second from one source address (all its connections, any user). */
  addressMessagesPerSecond: number;
  addressMessageBurst: number;
  /** Sustained bytes per second from one source address. */
  addressBytesPerSecond: number;
  addressByteBurst: number;
  /** Frames dropped for rate (any of the budgets above) before the connection is closed with 1008. */
  rateViolationsBeforeClose: number;
  /** Bad frames (each answered with an error frame) before the connection is closed with 1008; one is forgiven per second. */
  badFramesBeforeClose: number;
  /** Bytes the server lets wait in one connection's send buffer; past this it is a slow consumer, closed with 4008. */
  maxBufferedBytes: number;
  /** Frames of one connection accepted but not yet handled (handling waits, e.g. on Redis); more are dropped. */
  maxFramesInFlight: number;
  /** New TCP connections per second from one source address; beyond the burst they are dropped unanswered. */
  addressConnectsPerSecond: number;
  addressConnectBurst: number;
  /** Open TCP connections (pending or authenticated) from one source address; more are dropped unanswered. */
  maxConnectionsPerAddress: number;
  /**
   * Connections not yet authenticated (TCP, HTTP, upgraded before `welcome`). A new one beyond this evicts the
   * oldest pending connection of the address holding the most, so a flood cannot lock out a fresh login.
   */
  maxPendingConnections: number;
  /** Time a TCP connection has to finish its HTTP request or upgrade (headers included), else it is dropped. */
  upgradeTimeoutMs: number;
  /** Sessions (devices) one user may hold at once, counting those in their grace period. */
  maxConnectionsPerUser: number;
  /** Time a new connection has to send its `hello`, else closed with 1008. */
  handshakeTimeoutMs: number;
  /** Silence after which an authenticated connection counts as dead (the client pings every 1.5 s by default). */
  idleTimeoutMs: number;
  /** How long a dropped session is kept, queueing what is addressed to it, before its user is offline. */
  sessionGraceMs: number;
  /** Envelopes queued per session during its grace period; the oldest are dropped beyond this. */
  maxQueuedPerSession: number;
  /** Bytes of envelopes queued (or kept unacknowledged) per session; the oldest are dropped beyond this. */
  maxQueuedBytesPerSession: number;
  /** Calls whose members the server remembers (oldest forgotten first). */
  maxTrackedCalls: number;
  /** A call not seen for this long is forgotten. */
  callRecordTtlMs: number;
  /**
   * Right after the server starts (for `sessionGraceMs`), envelopes a returning client sends to a user not
   * back yet are held for that user (`sessionGraceMs` from the first, `maxQueuedPerSession` per user): at most
   * this many in all; beyond it the sender hears `unavailable` at once.
   */
  maxHeldForAbsent: number;
  /** Bytes (encoded envelopes) those held envelopes may take in all; beyond it, `unavailable` at once. */
  maxHeldBytesForAbsent: number;
  /**
   * Invites one sender may send one recipient, sustained (per minute) and in a burst; the excess is
   * refused to the sender (`rate-limited`) and never reaches the recipient, whose phone would spend its
   * own budget answering each one `busy`.
   */
  pairInvitesPerMinute: number;
  pairInviteBurst: number;
}

export const DEFAULT_LIMITS: SignalServerLimits = {
  maxFrameBytes: 2 * PROTOCOL_LIMITS.maxFrameBytes,
  maxHelloBytes: 8 * 1024,
  messagesPerSecond: 50,
  messageBurst: 200,
  bytesPerSecond: 256 * 1024,
  byteBurst: 1024 * 1024,
  userMessagesPerSecond: 100,
  userMessageBurst: 400,
  userBytesPerSecond: 512 * 1024,
  userByteBurst: 2 * 1024 * 1024,
  addressMessagesPerSecond: 400,
  addressMessageBurst: 1600,
  addressBytesPerSecond: 2 * 1024 * 1024,
  addressByteBurst: 8 * 1024 * 1024,
  rateViolationsBeforeClose: 100,
  badFramesBeforeClose: 20,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxFramesInFlight: 256,
  addressConnectsPerSecond: 20,
  addressConnectBurst: 100,
  maxConnectionsPerAddress: 256,
  maxPendingConnections: 1024,
  upgradeTimeoutMs: 10_000,
  maxConnectionsPerUser: 8,
  handshakeTimeoutMs: 5_000,
  idleTimeoutMs: 15_000,
  sessionGraceMs: 10_000,
  maxQueuedPerSession: 256,
  maxQueuedBytesPerSession: 1024 * 1024,
  maxTrackedCalls: 100_000,
  callRecordTtlMs: 60 * 60 * 1000,
  maxHeldForAbsent: 1024,
  maxHeldBytesForAbsent: 4 * 1024 * 1024,
  pairInvitesPerMinute: 20,
  pairInviteBurst: 5,
};

export interface RedisClusterOptions {
  /**
   * `redis://host:port/db` (`rediss://` for TLS); each server process sharing it forms one signaling
   * cluster. Every node must have the same `secret`: it also seals what nodes send each other.
   */
  url: string;
  /** Key and channel prefix, to share one Redis between clusters. Default `handset`. */
  prefix?: string;
  /** ACL user name (Redis 6+), with `password`. Without it, `password` is the `requirepass` one. */
  username?: string;
  /** Password of the ACL user or `requirepass`. Never logged (nor is one given in `url`). */
  password?: string;
  /** TLS options for Node's `tls.connect` (`ca`, `cert`, `key`, `servername`, ...): TLS to Redis. */
  tls?: ConnectionOptions;
  /**
   * A Redis command unanswered this long fails (a hung Redis, a frozen link): a login is refused
   * `cluster-unavailable`, a call is bound locally, a publish is given up. Default 2000.
   */
  commandTimeoutMs?: number;
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
  /**
   * How long a token may live and how far the issuer's clock may run ahead (`maxLifetimeSeconds`,
   * `clockSkewSeconds`; default @handset/token's `DEFAULT_TOKEN_POLICY`: 7 days, 60 s). A bad policy fails
   * the start with `invalid-argument`.
   */
  tokenPolicy?: TokenPolicy;
  /**
   * Browser origins allowed to open a WebSocket (and, in dev mode, to read `/dev-token`); others get HTTP 403.
   * Entries are exact origins (`https://app.example.com`), a host with any port (`http://localhost:*`), or
   * `*` for any. Requests without an `Origin` header (non-browser clients) are always let through.
   * Default: `['*']`, or in dev mode only loopback origins (`DEV_ALLOWED_ORIGINS`).
   */
  allowedOrigins?: readonly string[];
  limits?: Partial<SignalServerLimits>;
  /** Core's `Logger`; entries carry `ns: 'handset:ws'`. Silent by default. */
  logger?: Logger;
  /** Share routing and presence with other server processes through Redis pub/sub. */
  redis?: RedisClusterOptions;
  /**
   * A TURN relay (coturn with `use-auth-secret`): each user gets `iceServers` with fresh credentials in its
   * welcome and again every `refreshEveryMs`; phones use them without app code.
   */
  turn?: TurnRelayOptions;
  /** Name of this process in logs, `/health` and Redis presence. Default: random. */
  nodeId?: string;
}
