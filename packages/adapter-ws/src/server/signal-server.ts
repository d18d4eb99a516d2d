// The signaling server: plain node:http + ws. Authenticates each connection, stamps the sender, checks
// call membership, routes to every session of the addressee (here or, with Redis, on other nodes).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HandsetError } from '@handset/core';
import { checkTokenPolicy, createToken, verifyToken } from '@handset/token';
import { nanoid } from 'nanoid';
import { WebSocketServer } from 'ws';
import { CLOSE_CODES } from '../close-codes.js';
import {
  HELLO_PROTOCOL,
  helloOfUpgrade,
  offersUpgradeAuth,
  UPGRADE_AUTH_PROTOCOL,
} from '../control-frames.js';
import { SignalingError } from '../signaling-error.js';
import { Admission } from './admission.js';
import { LocalCallRegistry } from './call-registry.js';
import type { Cluster } from './cluster.js';
import { Connection, type ConnectionHost } from './connection.js';
import { createServerLog } from './logger.js';
import { DEFAULT_LIMITS, type SignalServerLimits, type SignalServerOptions } from './options.js';
import { createOriginPolicy, DEFAULT_ALLOWED_ORIGINS, DEV_ALLOWED_ORIGINS } from './origin-policy.js';
import { BudgetPolicy, RateLimiter, TrafficBudget } from './rate-limiter.js';
import { createRedisCluster } from './redis-cluster.js';
import { createRouter } from './router.js';
import { serverNow } from './server-clock.js';
import { ServerSocket } from './server-socket.js';
import { SessionTable } from './sessions.js';
import { checkTokenSecret, listenOn } from './startup.js';
import { createTurnRelay } from './turn-relay.js';
import { WelcomeFrames } from './welcome-frame.js';
import { WriteBatch } from './write-batch.js';

/** What `GET /health` shows anyone: status and counts, never the node's name (it names its Redis channel). */
export interface HealthReport {
  status: 'ok' | 'draining';
  dev: boolean;
  uptimeMs: number;
  connections: number;
  sessions: number;
  users: number;
  cluster: 'disabled' | 'connected' | 'down';
}

export interface SignalServer {
  /** `ws://host:port/`, what clients connect to. */
  readonly url: string;
  /** `http://host:port`, for `/health` and (dev) `/dev-token`. */
  readonly httpUrl: string;
  readonly port: number;
  readonly nodeId: string;
  /** A token signed with this server's secret (for tests, embedding, and your own login endpoint). */
  issueToken(userId: string, ttlSeconds?: number): string;
  health(): HealthReport;
  /** Graceful shutdown: refuse new connections, tell clients (`shutdown`, 1012), wait up to `drainMs`, stop. */
  close(options?: { drainMs?: number }): Promise<void>;
}

const DEV_TOKEN_TTL_SECONDS = 24 * 60 * 60;

export async function startSignalServer(options: SignalServerOptions = {}): Promise<SignalServer> {
  const limits: SignalServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const serverLog = createServerLog(options.logger);
  const { log } = serverLog;
  const dev = options.dev === true;
  const origins = createOriginPolicy(
    options.allowedOrigins ?? (dev ? DEV_ALLOWED_ORIGINS : DEFAULT_ALLOWED_ORIGINS),
  );
  if (!options.secret && !dev) {
    throw HandsetError.invalidArgument('a token secret is required (or run in dev mode)');
  }
  // A secret the token code refuses would fail every login, in the log only: stop here instead.
  if (options.secret !== undefined) checkTokenSecret(options.secret);
  const tokenPolicy = checkTokenPolicy(options.tokenPolicy);
  const secret = options.secret ?? randomBytes(32);
  const nodeId = options.nodeId ?? `node-${nanoid(8)}`;
  const startedAt = Date.now();
  const sessions = new SessionTable();
  const connections = new Set<Connection>();
  const localCalls = new LocalCallRegistry(limits.maxTrackedCalls, limits.callRecordTtlMs);
  const cluster: Cluster | null = options.redis
    ? createRedisCluster({ ...options.redis, nodeId, log, limits, localCalls, secret })
    : null;
  let draining = false;
  const turn = options.turn ? createTurnRelay(options.turn) : null;

  const router = createRouter({
    sessions,
    localCalls,
    cluster,
    limits,
    log,
    isDraining: () => draining,
    startedAt,
  });

  const connectionPolicy = new BudgetPolicy(
    { perSecond: limits.messagesPerSecond, burst: limits.messageBurst },
    { perSecond: limits.bytesPerSecond, burst: limits.byteBurst },
  );
  const host: ConnectionHost = {
    limits,
    log,
    rateLimiter(ticket, now) {
      const own = new TrafficBudget(connectionPolicy, now);
      const rate = new RateLimiter(own, ticket.addressBudget, limits.rateViolationsBeforeClose);
      rate.share(ticket.userBudget());
      return rate;
    },
    badFrameFlow: { perSecond: 1, burst: limits.badFramesBeforeClose },
    authenticate(token) {
      const verified = verifyToken(token, secret, Date.now(), tokenPolicy);
      if (verified.ok) return verified;
      // A token reason is one of the adapter's auth codes, so the client stops instead of retrying.
      const { reason, message } = verified.error;
      return { ok: false, error: SignalingError.of(reason, message, verified.error) };
    },
    ...(turn ? { turn } : {}),
    openSession: router.openSession,
    endSession: router.endSession,
    relay: router.relay,
    forget(connection) {
      connections.delete(connection);
    },
    writes: new WriteBatch(),
    welcomes: new WelcomeFrames(limits.sessionGraceMs, turn ?? undefined),
  };

  function health(): HealthReport {
    return {
      status: draining ? 'draining' : 'ok',
      dev,
      uptimeMs: Date.now() - startedAt,
      connections: connections.size,
      sessions: sessions.size,
      users: sessions.userCount,
      cluster: cluster ? cluster.health() : 'disabled',
    };
  }

  function respond(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify(body));
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/health') {
      respond(res, draining ? 503 : 200, health());
      return;
    }
    if (dev && req.method === 'GET' && url.pathname === '/dev-token') {
      // Never `*`: only an allowed page may read a token (a GET cannot be stopped, so refuse it too).
      const origin = req.headers.origin;
      if (!origins.allows(origin)) {
        log('warn', 'origin-refused', { origin, path: url.pathname });
        respond(res, 403, { error: 'origin-refused' });
        return;
      }
      const cors: Record<string, string> =
        origin === undefined ? {} : { 'access-control-allow-origin': origin, vary: 'Origin' };
      try {
        const userId = url.searchParams.get('user') ?? '';
        const token = createToken(userId, secret, DEV_TOKEN_TTL_SECONDS);
        log('info', 'dev-token-issued', { userId });
        respond(res, 200, { userId, token, expiresInSeconds: DEV_TOKEN_TTL_SECONDS }, cors);
      } catch (error) {
        respond(res, 400, { error: 'invalid-argument', message: (error as Error).message }, cors);
      }
      return;
    }
    respond(res, 404, { error: 'not-found' });
  }

  const admission = new Admission(limits, log, cluster?.userBudgets ?? null);
  const http = createServer(
    {
      // Node's defaults (60 s for headers, checked every 30 s) let header-dripping sockets pile up.
      headersTimeout: limits.upgradeTimeoutMs,
      requestTimeout: limits.upgradeTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, limits.upgradeTimeoutMs),
    },
    onRequest,
  );
  http.on('connection', (socket) => admission.accept(socket));
  const wss = new WebSocketServer({
    WebSocket: ServerSocket,
    server: http,
    // Before its hello a connection may send only a hello-sized frame; Connection raises this after welcome.
    maxPayload: limits.maxHelloBytes,
    perMessageDeflate: false,
    // The server keeps its own set of connections; ws's would be a second entry per connection.
    clientTracking: false,
    // Every frame of a chunk read from a socket (at most one read, 64 KiB) is handled in the same turn, so
    // what they send leaves in one write per addressee (WriteBatch). Budgets drop a flooder's excess
    // before decoding; the `hostile` bench row measured honest latency under flood with this on.
    allowSynchronousEvents: true,
    // A client that offers its credentials here is welcomed as the socket opens (no hello round trip).
    handleProtocols: (offered) => {
      if (offersUpgradeAuth(offered)) return UPGRADE_AUTH_PROTOCOL;
      if (offered.has(HELLO_PROTOCOL)) return HELLO_PROTOCOL;
      // ws's own default: the first one offered.
      return offered.values().next().value ?? false;
    },
    verifyClient: ({ origin }, done) => {
      // No Origin header: not a browser, and nothing a web page could have sent.
      if (origins.allows(origin || undefined)) return done(true);
      log('warn', 'origin-refused', { origin, path: 'upgrade' });
      done(false, 403, 'origin not allowed');
    },
  });
  wss.on('connection', (socket, req) => {
    if (draining) {
      socket.close(CLOSE_CODES.serviceRestart, 'server-shutdown');
      return;
    }
    const connection = new Connection(
      socket as ServerSocket,
      host,
      admission.ticketFor(req.socket),
      req.socket,
    );
    connections.add(connection);
    if (socket.protocol === UPGRADE_AUTH_PROTOCOL)
      connection.helloInUpgrade(helloOfUpgrade(offeredProtocols(req)));
  });
  // Handshake, idle and token deadlines of every connection, checked by one timer instead of one each.
  const sweepEveryMs = deadlineSweepPeriod(limits);
  const sweeper = setInterval(() => {
    const now = serverNow();
    for (const connection of connections) connection.checkDeadlines(now);
  }, sweepEveryMs);
  sweeper.unref();
  wss.on('error', (error) => log('error', 'server-error', { message: error.message }));
  http.on('clientError', (_error, socket) => socket.destroy());

  if (cluster) await cluster.start(router.receiveFromCluster);
  const host_ = options.host ?? '127.0.0.1';
  try {
    await listenOn(http, options.port ?? 0, host_);
  } catch (error) {
    // Nothing may outlive a server that never started: the Redis clients, the ws server.
    await cluster?.close();
    await new Promise((resolve) => wss.close(resolve));
    throw error;
  }
  const { port } = http.address() as AddressInfo;
  const authority = `${host_.includes(':') ? `[${host_}]` : host_}:${port}`;
  if (dev) {
    log('warn', 'dev-mode', {
      message: 'DEV MODE: GET /dev-token issues a token for ANY user id. Never expose this server.',
      allowedOrigins: origins.entries,
    });
  }
  log('info', 'listening', { nodeId, url: `ws://${authority}/`, cluster: cluster ? 'redis' : 'disabled' });

  let closing: Promise<void> | null = null;
  async function close({ drainMs = 2_000 }: { drainMs?: number } = {}): Promise<void> {
    draining = true;
    log('info', 'shutting-down', { nodeId, connections: connections.size });
    const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
    for (const connection of connections) connection.shutdown('the server is restarting');
    const deadline = Date.now() + drainMs;
    while (connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const connection of connections) connection.terminate();
    for (const session of [...sessions.all()]) sessions.remove(session);
    router.close();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    http.closeAllConnections();
    await httpClosed;
    if (cluster) await cluster.close();
    admission.close();
    clearInterval(sweeper);
    log('info', 'stopped', { nodeId });
    serverLog.close();
  }

  return {
    url: `ws://${authority}/`,
    httpUrl: `http://${authority}`,
    port,
    nodeId,
    issueToken: (userId, ttlSeconds = 3600) => createToken(userId, secret, ttlSeconds),
    health,
    close(opts) {
      closing ??= close(opts);
      return closing;
    },
  };
}

/** The subprotocols the upgrade offered (ws has checked the header's syntax before selecting one). */
function offeredProtocols(req: IncomingMessage): Set<string> {
  const header = req.headers['sec-websocket-protocol'] ?? '';
  return new Set(header.split(',').map((protocol) => protocol.trim()));
}

/**
 * How often deadlines are checked: a quarter of the shortest of the handshake and idle timeouts, between
 * 50 ms and 1 s, so a deadline is acted on at most that late (a token's expiry too; frames sent after it
 * are refused on arrival regardless).
 */
function deadlineSweepPeriod(limits: SignalServerLimits): number {
  const shortest = Math.min(limits.handshakeTimeoutMs, limits.idleTimeoutMs);
  return Math.min(1_000, Math.max(50, shortest / 4));
}
