// The client side of the WebSocket adapter: core's SignalingTransport over a WebSocket. Core's link
// statechart owns the lifecycle (connect, heartbeat, backoff, close); this module owns the queue and
// the session resume, and `ws-wire.ts` one connection. Browser-safe: the WebSocket constructor is an option.
import {
  type Clock,
  type Envelope,
  encodeEnvelope,
  type IceServerConfig,
  isValidId,
  type Logger,
  namespacedLogger,
  type ReconnectPolicy,
  type SignalingTransport,
  type TokenSource,
  TransportError,
  type TransportStatus,
} from '@handset/core';
import { createLink, tokenSourceProblem } from '@handset/core/link';
import { type Observable, ReplaySubject, Subject } from 'rxjs';
import { encodeControlFrame } from './control-frames.js';
import { connectWs, type WebSocketConstructor, type WebSocketLike, type WsSessionState } from './ws-wire.js';

export type { TokenSource } from '@handset/core';
export type { WebSocketConstructor, WebSocketLike } from './ws-wire.js';

/** What `createWsTransport` takes: the server URL, the user and their token, and optional policies. */
export interface WsTransportOptions {
  /** The signaling server, e.g. `wss://signal.example.com/`. */
  url: string;
  /** The token, or a function called before every connection attempt (so it can be refreshed). */
  token: TokenSource;
  /**
   * The user this transport speaks for. When given, a token the server accepts for another user closes
   * the transport with `token-wrong-user` instead of sending as someone else.
   */
  userId?: string;
  /** Default `globalThis.WebSocket`; in Node 20 pass `WebSocket` from the `ws` package. */
  WebSocket?: WebSocketConstructor;
  reconnectPolicy?: ReconnectPolicy;
  /** How often to ping the server. Default 1500 ms. */
  heartbeatIntervalMs?: number;
  /** Silence from the server after which the link counts as dead. Default 4500 ms. */
  heartbeatTimeoutMs?: number;
  /** Time for the socket to open and the server to welcome us. Default 10 s. */
  connectTimeoutMs?: number;
  /** Envelopes held while the link is down; the oldest are dropped beyond this. Default 1000. */
  maxQueuedEnvelopes?: number;
  /** The link's timers (heartbeat, backoff, connect timeout). Default: the platform's. */
  clock?: Clock;
  /** Core's logger shape; entries carry `ns: 'handset:ws'`. Silent by default. */
  logger?: Logger;
}

/** The WebSocket signaling transport: a `SignalingTransport` over one socket to the Handset server. */
export interface WsTransport extends SignalingTransport {
  readonly errors$: Observable<TransportError>;
  /** The current status (what `status$` last said). */
  readonly status: TransportStatus;
  /** The server session this transport resumes after a reconnect (null before the first welcome). */
  readonly sessionId: string | null;
  /** The server's ICE servers (TURN with fresh credentials), the latest replayed; silent without a relay. */
  readonly iceServers$: Observable<IceServerConfig[]>;
}

const OPEN = 1;

/** Options that can never work, found before any connection: reported as `invalid-configuration`. */
function configurationProblem(
  options: WsTransportOptions,
  Socket: WebSocketConstructor | undefined,
): TransportError | null {
  const invalid = (message: string) => TransportError.of('invalid-configuration', message);
  let url: URL;
  try {
    url = new URL(options.url);
  } catch (cause) {
    return TransportError.of(
      'invalid-configuration',
      `url is not a URL: ${String(options.url).slice(0, 80)}`,
      {
        cause,
      },
    );
  }
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol))
    return invalid(`url must be ws://, wss://, http:// or https://, not ${url.protocol}`);
  if (options.userId !== undefined && !isValidId(options.userId))
    return invalid('userId must be 1-128 printable ASCII characters without spaces, "/", "+" or "#"');
  if (!Socket) return invalid('no WebSocket constructor: pass one as the WebSocket option');
  return tokenSourceProblem(options.token);
}

/** Connects to a Handset signaling server over WebSocket (browser or Node) and keeps the link up. */
export function createWsTransport(options: WsTransportOptions): WsTransport {
  const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  const maxQueued = options.maxQueuedEnvelopes ?? 1_000;
  const problem = configurationProblem(options, Socket);

  const incoming = new Subject<string>();
  const iceServers = new ReplaySubject<IceServerConfig[]>(1);
  /** Not yet written to any socket. */
  const queue: Envelope[] = [];
  const session: WsSessionState = { sessionId: null, received: 0, unconfirmed: [], pingSeq: 0 };
  /** The socket of the live connection attempt (set by the wire, cleared when it is torn down). */
  let socket: WebSocketLike | null = null;

  const link = createLink({
    ...(options.reconnectPolicy ? { reconnectPolicy: options.reconnectPolicy } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    log: namespacedLogger(options.logger, 'handset:ws'),
    heartbeat: {
      intervalMs: options.heartbeatIntervalMs ?? 1_500,
      timeoutMs: options.heartbeatTimeoutMs ?? 4_500,
    },
    wire: (report) =>
      connectWs(
        {
          url: options.url,
          token: options.token,
          userId: options.userId,
          // Checked above; a configuration problem never reaches the constructor.
          Socket: Socket as WebSocketConstructor,
          problem,
          session,
          isOpen: () => link.status === 'open',
          setSocket: (ws) => {
            socket = ws;
          },
          deliver: (frame) => incoming.next(frame),
          iceServers: (servers) => iceServers.next(servers),
        },
        report,
      ),
    onOpen() {
      // Resend what the old link may have lost, then what waited; only then say `open`, so anything
      // sent in reaction to `open` goes after them.
      const pending = [...session.unconfirmed.map((u) => u.envelope), ...queue.splice(0)];
      session.unconfirmed = [];
      for (const envelope of pending) write(envelope);
    },
    onClosed() {
      socket = null;
      queue.length = 0;
      session.unconfirmed = [];
      incoming.complete();
      iceServers.complete();
    },
  });

  function write(envelope: Envelope): void {
    if (!socket || socket.readyState !== OPEN) {
      queue.push(envelope);
      return;
    }
    socket.send(encodeEnvelope(envelope));
    session.unconfirmed.push({ envelope, afterPing: session.pingSeq });
    if (session.unconfirmed.length > maxQueued) session.unconfirmed.shift();
  }

  // Started after the caller has the transport (and can subscribe): even a configuration error is heard.
  queueMicrotask(() => link.start());

  return {
    incoming$: incoming.asObservable(),
    status$: link.status$,
    errors$: link.errors$,
    iceServers$: iceServers.asObservable(),
    get status() {
      return link.status;
    },
    get sessionId() {
      return session.sessionId;
    },
    send(envelope) {
      const status = link.status;
      if (status === 'closed') return;
      if (status === 'open') {
        write(envelope);
        return;
      }
      queue.push(envelope);
      if (queue.length > maxQueued) {
        queue.shift();
        link.report(
          TransportError.of(
            'queue-overflow',
            `more than ${maxQueued} envelopes queued; the oldest was dropped`,
          ),
        );
      }
    },
    close() {
      if (link.status === 'closed') return;
      // Say bye so the server ends the session now: callers hear `unavailable`, not a grace period.
      if (link.status === 'open' && socket && socket.readyState === OPEN)
        socket.send(encodeControlFrame({ kind: 'bye' }));
      link.close();
    },
  };
}
