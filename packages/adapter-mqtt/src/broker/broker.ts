// The embedded broker: aedes with Handset's access control, listening on TCP and on WebSocket (MQTT over
// WebSocket, for browsers). Node only.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Socket,
  type Server as TcpServer,
} from 'node:net';
import type { Duplex } from 'node:stream';
import { HandsetError, type Logger, namespacedLogger } from '@handset/core';
import { createOriginPolicy, DEFAULT_ALLOWED_ORIGINS, DEV_ALLOWED_ORIGINS } from '@handset/core/server';
import type { TokenPolicy, TokenSecret } from '@handset/token';
import { Aedes } from 'aedes';
import { WebSocketServer } from 'ws';
import { createTopicLayout, DEFAULT_TOPIC_PREFIX } from '../topics.js';
import { createAccessControl } from './access-control.js';
import { type AdmissionLimits, createAdmission } from './admission.js';
import { answerNoSubscribers } from './no-subscribers.js';
import { createSlowConsumerGuard } from './slow-consumer.js';
import { disconnectAtTokenExpiry } from './token-expiry.js';
import { type BrokerTurnOptions, createTurnIssuer, grantTurnCredentials } from './turn-grants.js';
import { createMqttWebSocketStream } from './websocket-stream.js';

export interface BrokerLimits extends AdmissionLimits {
  /**
   * Largest MQTT packet accepted, CONNECT included, before and after login; advertised to MQTT 5 clients
   * in CONNACK (Maximum Packet Size). A larger packet is cut as soon as its fixed header announces its
   * length. Also the WebSocket listener's largest message (ws `maxPayload`).
   */
  maxPacketBytes: number;
  /** Longest session a client may keep after its link drops (MQTT 5 Session Expiry Interval is clamped). */
  maxSessionExpirySeconds: number;
  /**
   * Bytes written to a client but not yet taken by its socket; a delivery past it closes the client
   * (`slow-consumer`), so a device that stops reading cannot make the broker buffer without bound.
   */
  maxQueuedBytesPerConnection: number;
}

/** The embedded broker's limits unless `limits` overrides them (README: "Limits"). */
export const DEFAULT_BROKER_LIMITS: Readonly<BrokerLimits> = Object.freeze({
  maxConnectionsPerAddress: 100,
  maxPendingConnections: 200,
  handshakeDeadlineMs: 10_000,
  maxPacketBytes: 131_072,
  maxSessionExpirySeconds: 600,
  maxQueuedBytesPerConnection: 1_048_576,
});

/** What `startBroker` takes: listeners, token secret, limits and TURN; every field has a default. */
export interface BrokerOptions {
  /** Address both listeners bind to. Default 127.0.0.1. */
  host?: string;
  /** MQTT over TCP; 0 picks a free port, null disables the listener. Default 0. */
  port?: number | null;
  /** MQTT over WebSocket; 0 picks a free port, null disables the listener. Default 0. */
  wsPort?: number | null;
  /** Verifies client tokens (at least 16 bytes). Required unless `dev`. */
  secret?: TokenSecret;
  /** Accepts any valid user id without a token, and says so loudly in the log. */
  dev?: boolean;
  /**
   * How long a token may live and how far the issuer's clock may run ahead (`maxLifetimeSeconds`,
   * `clockSkewSeconds`; default @handset/token's `DEFAULT_TOKEN_POLICY`: 7 days, 60 s). A bad policy fails
   * the start with `invalid-argument`.
   */
  tokenPolicy?: TokenPolicy;
  topicPrefix?: string;
  /** Core's `Logger`; entries carry `ns: 'handset:mqtt-broker'`. Silent by default. */
  logger?: Logger;
  /** Clock for token expiry (tests). */
  now?: () => number;
  /** Overrides some of `DEFAULT_BROKER_LIMITS`. */
  limits?: Partial<BrokerLimits>;
  /**
   * Browser origins allowed to open the WebSocket listener; others get HTTP 403. Entries are exact origins
   * (`https://app.example.com`), a host with any port (`http://localhost:*`), or `*` for any. Upgrades
   * without an `Origin` header (non-browser clients) are always let through. Default: `['*']`, or in dev
   * mode only loopback origins (core's `DEV_ALLOWED_ORIGINS`), as the signaling server.
   */
  allowedOrigins?: readonly string[];
  /**
   * A TURN relay (coturn with `use-auth-secret`, the signaling server's scheme): each connection that
   * subscribes to its own ice topic gets fresh credentials there, and again every 3/4 of `ttlSeconds`.
   * A bad option fails the start with `invalid-argument`.
   */
  turn?: BrokerTurnOptions;
}

/** A running embedded broker: where it listens, its aedes instance, and `close()`. */
export interface HandsetBroker {
  /** `mqtt://host:port`, or null if the TCP listener is disabled. */
  readonly tcpUrl: string | null;
  /** `ws://host:port`, or null if the WebSocket listener is disabled. */
  readonly wsUrl: string | null;
  readonly port: number | null;
  readonly wsPort: number | null;
  /** The aedes instance, for embedding applications that want its events. */
  readonly aedes: Aedes;
  /** Disconnects every client, then stops both listeners. */
  close(): Promise<void>;
}

/** Starts Handset's embedded MQTT broker (aedes) with its access rules, admission limits and presence. */
export async function startBroker(options: BrokerOptions = {}): Promise<HandsetBroker> {
  if (!options.dev && options.secret === undefined) {
    throw HandsetError.invalidArgument(
      'startBroker needs a token secret (or dev: true for local development)',
    );
  }
  // Checked before anything listens: a bad relay configuration fails the start.
  const turn = options.turn ? createTurnIssuer(options.turn) : null;
  const host = options.host ?? '127.0.0.1';
  const log = namespacedLogger(options.logger, 'handset:mqtt-broker');
  if (options.dev) log('warn', 'dev-mode', { note: 'DEV MODE: every user id is accepted without a token' });
  const layout = createTopicLayout(options.topicPrefix ?? DEFAULT_TOPIC_PREFIX);
  const limits: BrokerLimits = { ...DEFAULT_BROKER_LIMITS, ...options.limits };
  const now = options.now ?? Date.now;
  const origins = createOriginPolicy(
    options.allowedOrigins ?? (options.dev ? DEV_ALLOWED_ORIGINS : DEFAULT_ALLOWED_ORIGINS),
  );
  const access = createAccessControl({
    layout,
    log,
    now,
    dev: options.dev ?? false,
    ...(options.secret !== undefined ? { secret: options.secret } : {}),
    ...(options.tokenPolicy !== undefined ? { tokenPolicy: options.tokenPolicy } : {}),
  });
  /** The TCP socket under each WebSocket stream, for admission and for counting queued bytes. */
  const socketOf = new WeakMap<Duplex, Socket>();
  // Bound once the broker exists: the answer for an inbox nobody reads follows the broker's subscriptions.
  let authorizePublish = access.authorizePublish;
  const aedes = await Aedes.createBroker({
    authenticate: access.authenticate,
    authorizeSubscribe: access.authorizeSubscribe,
    authorizePublish: (client, packet, done) => authorizePublish(client, packet, done),
    authorizeForward: createSlowConsumerGuard(
      limits.maxQueuedBytesPerConnection,
      (conn) => socketOf.get(conn),
      log,
    ),
    maximumPacketSize: limits.maxPacketBytes,
    connectTimeout: limits.handshakeDeadlineMs,
    sessionExpiryIntervalLimit: limits.maxSessionExpirySeconds,
  });
  const logConnectionError = (clientId: string | null, error: Error) => {
    if (error.message === 'packet too large') {
      log('warn', 'connection-closed', { clientId, code: 'packet-too-large' });
    } else log('debug', 'connection-error', { clientId, error: error.message });
  };
  aedes.on('clientError', (client, error) => logConnectionError(client.id, error));
  aedes.on('connectionError', (client, error) => logConnectionError(client.id, error));
  authorizePublish = answerNoSubscribers(aedes, layout, access.authorizePublish);
  disconnectAtTokenExpiry(aedes, access.tokenExpiresAt, now, log);
  if (turn) grantTurnCredentials(aedes, layout, turn, access.userOf, log);

  const admission = createAdmission(limits, (socket, code) =>
    log('warn', 'connection-refused', { address: socket.remoteAddress, code }),
  );
  aedes.on('clientReady', (client) => {
    const conn = client.conn as unknown as Duplex;
    const socket = socketOf.get(conn) ?? (conn as Socket);
    admission.loggedIn(socket);
  });

  const closers: (() => Promise<void>)[] = [];
  let port: number | null = null;
  let wsPort: number | null = null;
  try {
    if (options.port !== null) {
      const tcp = createTcpServer((socket) => {
        if (admission.admit(socket) === null) aedes.handle(socket);
      });
      port = await listen(tcp, options.port ?? 0, host);
      closers.push(() => closeServer(tcp));
    }
    if (options.wsPort !== null) {
      const http = createHttpServer((_request, response) => {
        response.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n');
      });
      // Admission sees the TCP socket under HTTP, so a dripped upgrade request counts and times out too.
      http.on('connection', (socket: Socket) => admission.admit(socket));
      const wss = new WebSocketServer({
        server: http,
        maxPayload: limits.maxPacketBytes,
        // A page on another site must not reach a broker on this machine or network through its visitor.
        verifyClient: ({ origin }, done) => {
          if (origins.allows(origin || undefined)) return done(true);
          log('warn', 'origin-refused', { origin });
          done(false, 403, 'Forbidden');
        },
      });
      wss.on('connection', (socket, request) => {
        const stream = createMqttWebSocketStream(socket);
        socketOf.set(stream, request.socket);
        // A dropped socket errors the stream; aedes learns of it through `close`.
        stream.on('error', () => {});
        aedes.handle(stream, request);
      });
      wsPort = await listen(http, options.wsPort ?? 0, host);
      closers.push(async () => {
        for (const socket of wss.clients) socket.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await closeServer(http);
      });
    }
  } catch (error) {
    await Promise.all(closers.map((close) => close()));
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw error;
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  log('info', 'listening', { host, port, wsPort });

  let closing: Promise<void> | null = null;
  return {
    tcpUrl: port === null ? null : `mqtt://${urlHost}:${port}`,
    wsUrl: wsPort === null ? null : `ws://${urlHost}:${wsPort}`,
    port,
    wsPort,
    aedes,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        await Promise.all(closers.map((close) => close()));
        log('info', 'closed');
      })();
      return closing;
    },
  };
}

function listen(server: TcpServer | HttpServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: TcpServer | HttpServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}
