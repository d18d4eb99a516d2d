// The client side of the WebSocket adapter: core's SignalingTransport over a WebSocket, with hello/resume,
// heartbeat, reconnect by policy, and an outgoing queue. Browser-safe: no Node module, the WebSocket
// constructor comes in as an option.
import type { Envelope, SignalingTransport, TransportErrorReason, TransportStatus } from '@handset/core';
import { encodeEnvelope, TransportError } from '@handset/core';
import { BehaviorSubject, type Observable, Subject } from 'rxjs';
import { CLOSE_CODES } from './close-codes.js';
import { classifyServerFrame, encodeControlFrame, type ServerControlFrame } from './control-frames.js';
import { createDefaultReconnectPolicy, type ReconnectPolicy } from './reconnect-policy.js';
import { isAuthErrorCode } from './signaling-error.js';
import { transportErrorOfFrame } from './wire-errors.js';

// Handler parameters compare bivariantly, so both the browser's WebSocket and ws's fit this shape.
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The slice of the WebSocket API the transport uses (the browser's and the `ws` package's both fit). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export type TokenSource = string | (() => string | Promise<string>);

export interface WsTransportOptions {
  /** The signaling server, e.g. `wss://signal.example.com/`. */
  url: string;
  /** The token, or a function called before every connection attempt (so it can be refreshed). */
  token: TokenSource;
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
}

export interface WsTransport extends SignalingTransport {
  /** Failures worth reporting: refused tokens, server error frames, dropped envelopes, giving up. */
  readonly errors$: Observable<TransportError>;
  /** The server session this transport resumes after a reconnect (null before the first welcome). */
  readonly sessionId: string | null;
}

const OPEN = 1;

export function createWsTransport(options: WsTransportOptions): WsTransport {
  const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  const policy = options.reconnectPolicy ?? createDefaultReconnectPolicy();
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 1_500;
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 4_500;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const maxQueued = options.maxQueuedEnvelopes ?? 1_000;

  const status$ = new BehaviorSubject<TransportStatus>('connecting');
  const incoming = new Subject<string>();
  const errors = new Subject<TransportError>();

  /** The live socket; events from any other (older) socket are ignored. */
  let socket: WebSocketLike | null = null;
  /** True between the server's welcome and the link's end: envelopes may be written. */
  let welcomed = false;
  let sessionId: string | null = null;
  /** Not yet written to any socket. */
  const queue: Envelope[] = [];
  /** Written, but no pong has confirmed the server read them: resent after a reconnect. */
  let unconfirmed: { envelope: Envelope; afterPing: number }[] = [];
  let pingSeq = 0;
  /** Envelopes received in this session; the server resends what lies past it after a reconnect. */
  let received = 0;
  let attempt = 0;
  let downSince = Date.now();
  let authRefused = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let connectTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  let silenceTimer: ReturnType<typeof setTimeout> | undefined;

  function isClosed(): boolean {
    return status$.value === 'closed';
  }

  function report(reason: TransportErrorReason, message: string, cause?: unknown): void {
    errors.next(TransportError.of(reason, message, { cause }));
  }

  async function connect(): Promise<void> {
    retryTimer = undefined;
    if (status$.value === 'closed') return;
    let token: string;
    try {
      const supplied = typeof options.token === 'string' ? options.token : await options.token();
      if (typeof supplied !== 'string' || supplied.length === 0)
        throw new TypeError('not a non-empty string');
      token = supplied;
    } catch (cause) {
      report('token-unavailable', 'the token supplier failed', cause);
      linkLost();
      return;
    }
    if (isClosed()) return;
    let ws: WebSocketLike;
    try {
      if (!Socket) throw new TypeError('no WebSocket constructor: pass one as the WebSocket option');
      ws = new Socket(options.url);
    } catch (cause) {
      report('connect-failed', 'could not create a WebSocket', cause);
      linkLost();
      return;
    }
    socket = ws;
    connectTimer = setTimeout(() => abandon(ws), connectTimeoutMs);
    ws.onopen = () => {
      if (socket !== ws) return;
      ws.send(
        encodeControlFrame(
          sessionId ? { kind: 'hello', token, sessionId, received } : { kind: 'hello', token },
        ),
      );
    };
    ws.onmessage = (event) => {
      if (socket === ws && typeof event.data === 'string') onFrame(event.data);
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      if (event.code === CLOSE_CODES.authRefused || authRefused) {
        // The error frame normally says why; if it was lost, the close reason carries the same code.
        if (!authRefused) {
          const wireCode = isAuthErrorCode(event.reason) ? event.reason : event.code;
          errors.next(TransportError.of('token-refused', 'the server refused the token', { wireCode }));
        }
        finish();
        return;
      }
      linkLost();
    };
    ws.onerror = () => {
      // A close event always follows; that is where the link is handled.
    };
  }

  function onFrame(text: string): void {
    armSilenceTimer();
    const classified = classifyServerFrame(text);
    if (classified.type === 'envelope') {
      if (!welcomed) return;
      received += 1;
      incoming.next(text);
      return;
    }
    if (classified.type === 'control') control(classified.frame);
  }

  function control(frame: ServerControlFrame): void {
    switch (frame.kind) {
      case 'welcome': {
        clearTimeout(connectTimer);
        sessionId = frame.sessionId;
        if (!frame.resumed) received = 0;
        attempt = 0;
        welcomed = true;
        startHeartbeat();
        // Resend what the old link may have lost, then what waited; only then say `open`, so anything
        // sent in reaction to `open` goes after them.
        const pending = [...unconfirmed.map((u) => u.envelope), ...queue.splice(0)];
        unconfirmed = [];
        for (const envelope of pending) write(envelope);
        if (status$.value !== 'open') status$.next('open');
        return;
      }
      case 'pong':
        unconfirmed = unconfirmed.filter((u) => u.afterPing >= frame.t);
        return;
      case 'error':
        if (isAuthErrorCode(frame.code)) authRefused = true;
        errors.next(transportErrorOfFrame(frame.code, frame.message));
        return;
      case 'shutdown':
        // The 1012 close that follows starts the reconnect.
        return;
    }
  }

  function write(envelope: Envelope): void {
    if (!socket || socket.readyState !== OPEN) {
      queue.push(envelope);
      return;
    }
    socket.send(encodeEnvelope(envelope));
    unconfirmed.push({ envelope, afterPing: pingSeq });
    if (unconfirmed.length > maxQueued) unconfirmed.shift();
  }

  function startHeartbeat(): void {
    stopHeartbeat();
    armSilenceTimer();
    pingTimer = setInterval(() => {
      if (socket && socket.readyState === OPEN) {
        pingSeq += 1;
        socket.send(encodeControlFrame({ kind: 'ping', t: pingSeq, received }));
      }
    }, heartbeatIntervalMs);
  }

  function armSilenceTimer(): void {
    clearTimeout(silenceTimer);
    if (!welcomed) return;
    const ws = socket;
    silenceTimer = setTimeout(() => {
      if (ws) abandon(ws);
    }, heartbeatTimeoutMs);
  }

  function stopHeartbeat(): void {
    clearInterval(pingTimer);
    clearTimeout(silenceTimer);
  }

  /** A link that went silent or never got going: drop it without waiting for a close handshake. */
  function abandon(ws: WebSocketLike): void {
    if (socket !== ws) return;
    socket = null;
    try {
      ws.close();
    } catch {
      // Already closing; it is not ours any more either way.
    }
    linkLost();
  }

  function linkLost(): void {
    welcomed = false;
    stopHeartbeat();
    clearTimeout(connectTimer);
    if (status$.value === 'closed') return;
    if (status$.value === 'open') {
      status$.next('reconnecting');
      downSince = Date.now();
      attempt = 0;
    }
    const delay = policy.nextRetryDelayMs({ attempt, elapsedMs: Date.now() - downSince });
    attempt += 1;
    if (delay === null) {
      report('reconnect-gave-up', 'the reconnect policy gave up');
      finish();
      return;
    }
    retryTimer = setTimeout(() => void connect(), Math.max(0, delay));
  }

  function finish(): void {
    if (status$.value === 'closed') return;
    welcomed = false;
    stopHeartbeat();
    clearTimeout(connectTimer);
    clearTimeout(retryTimer);
    const ws = socket;
    socket = null;
    try {
      ws?.close(CLOSE_CODES.normal, 'bye');
    } catch {
      // Closing a socket that is already closing.
    }
    queue.length = 0;
    unconfirmed = [];
    status$.next('closed');
    status$.complete();
    incoming.complete();
    errors.complete();
  }

  void connect();

  return {
    incoming$: incoming.asObservable(),
    status$: status$.asObservable(),
    errors$: errors.asObservable(),
    get sessionId() {
      return sessionId;
    },
    send(envelope) {
      if (status$.value === 'closed') return;
      if (welcomed) {
        write(envelope);
        return;
      }
      queue.push(envelope);
      if (queue.length > maxQueued) {
        queue.shift();
        report('queue-overflow', `more than ${maxQueued} envelopes queued; the oldest was dropped`);
      }
    },
    close() {
      if (status$.value === 'closed') return;
      // Say bye so the server ends the session now: callers hear `unavailable`, not a grace period.
      if (welcomed && socket && socket.readyState === OPEN) socket.send(encodeControlFrame({ kind: 'bye' }));
      finish();
    },
  };
}
