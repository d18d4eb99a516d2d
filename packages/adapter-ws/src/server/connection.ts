// One client socket: handshake, token lifetime, rate and byte budgets, send-buffer bound, frame
// classification, then hand-off to the server's router. Every bad input is answered here, once.

import type { Socket } from 'node:net';
import { decodeEnvelope } from '@handset/core';
import type { RawData } from 'ws';
import { CLOSE_CODES } from '../close-codes.js';
import {
  type ClassifiedFrame,
  type ClientControlFrame,
  classifyClientFrame,
  encodeControlFrame,
  errorFrame,
} from '../control-frames.js';
import type { SignalingError, SignalingErrorCode } from '../signaling-error.js';
import type { AdmissionTicket } from './admission.js';
import { BadFrames } from './bad-frames.js';
import type { ConnectionHost } from './connection-host.js';
import type { RateLimiter } from './rate-limiter.js';
import type { Opened } from './router.js';
import { NO_DEADLINE, onServerClock, serverNow } from './server-clock.js';
import { frameBytes, frameText, listenTo, type ServerSocket, setFrameLimit } from './server-socket.js';
import type { Session, SessionLink } from './sessions.js';
import type { Corkable } from './write-batch.js';

export type { ConnectionHost } from './connection-host.js';

type Hello = Extract<ClientControlFrame, { kind: 'hello' }>;

/**
 * A client that does not answer our close frame (it is not reading, or never meant to) is cut this long
 * after it, instead of ws's 30 s: a closed slow consumer or evicted pending socket must not hold on.
 */
const CLOSE_DEADLINE_MS = 5_000;

export class Connection {
  private state: 'handshake' | 'open' | 'closed' = 'handshake';
  private session: Session | null = null;
  /**
   * The last frame still being handled asynchronously (a hello, or any frame behind a slow Redis); later
   * frames wait behind it, in order. Null when every frame so far was handled synchronously.
   */
  private waiting: Promise<void> | null = null;
  /** Frames accepted but not yet handled (waiting behind `waiting`, e.g. behind a slow Redis). */
  private inFlight = 0;
  /** Set when a frame was dropped for `maxFramesInFlight`, so one error frame covers the whole episode. */
  private overloaded = false;
  /** Made at the first bad frame (`bad-frames.ts`). */
  private badFrames: BadFrames | null = null;
  private finished = false;
  /** Made at the first frame: an idle connection holds no limiter and no budget of its own. */
  private rate: RateLimiter | null = null;
  /**
   * Deadlines are numbers checked by the server's one sweep (`checkDeadlines`), not timers: an idle
   * connection holds no timer, closure or promise of its own. Times are on the server's clock
   * (`serverNow`, small integers); NO_DEADLINE when there is none.
   */
  private handshakeDeadline: number;
  /** When the last frame arrived; the connection is idle `idleTimeoutMs` after it. */
  private lastActive = 0;
  private closeDeadline: ReturnType<typeof setTimeout> | null = null;
  private turnRefreshTimer: ReturnType<typeof setInterval> | null = null;
  /** When the token this connection logged in with expires (ms); frames after it are not relayed. */
  private expiresAt = NO_DEADLINE;
  /** What the session writes to: this connection itself. */
  get link(): SessionLink {
    return this;
  }

  constructor(
    private readonly socket: ServerSocket,
    private readonly host: ConnectionHost,
    private readonly ticket: AdmissionTicket,
    /** The TCP socket under `socket` (the upgrade request's), corked while a turn's frames are written. */
    private readonly tcp: Corkable & Pick<Socket, 'remoteAddress' | 'remotePort'>,
  ) {
    ticket.onEvict(this);
    this.handshakeDeadline = serverNow() + host.limits.handshakeTimeoutMs;
    listenTo(socket, this);
  }

  /**
   * The credentials offered in the upgrade (`UPGRADE_AUTH_PROTOCOL`): handled as the hello frame they
   * stand for, before any frame; frames that arrive meanwhile wait behind it, as behind a hello.
   */
  helloInUpgrade(offered: ClassifiedFrame<Hello>): void {
    if (offered.type !== 'control') {
      const message = offered.type === 'invalid-control' ? offered.message : 'no hello offered';
      this.refuse('invalid-control-frame', message, CLOSE_CODES.policyViolation);
      return;
    }
    try {
      const pending = this.hello(offered.frame);
      if (pending) this.track(pending.catch((error: unknown) => this.internalError(error)));
    } catch (error) {
      this.internalError(error);
    }
  }

  /** Run by the server's sweep every so often (`now` on the server's clock): ends a connection past a deadline. */
  checkDeadlines(now: number): void {
    if (this.state === 'handshake') {
      if (this.handshakeDeadline !== NO_DEADLINE && now >= this.handshakeDeadline) {
        this.refuse(
          'handshake-timeout',
          'no hello within the handshake timeout',
          CLOSE_CODES.policyViolation,
        );
      }
      return;
    }
    if (this.state !== 'open') return;
    if (this.expiresAt !== NO_DEADLINE && now >= this.expiresAt) {
      this.expire();
      return;
    }
    if (now - this.lastActive >= this.host.limits.idleTimeoutMs) {
      this.host.log('info', 'idle-timeout', { remote: this.remote, userId: this.userId });
      this.terminate();
    }
  }

  /** Evicted from the pending pool before it logged in. */
  evict(): void {
    this.refuse('server-busy', 'too many connections are waiting to log in', CLOSE_CODES.tryAgainLater);
  }

  logSocketError(error: Error): void {
    this.host.log('warn', 'socket-error', { remote: this.remote, message: error.message });
  }

  /** The peer's address and port, for logs (read when logged: an idle connection keeps no string for it). */
  get remote(): string {
    return `${this.tcp.remoteAddress ?? '?'}:${this.tcp.remotePort ?? '?'}`;
  }

  get userId(): string | null {
    return this.session?.userId ?? null;
  }

  send(frame: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    // A client that does not read would make the server hold everything sent to it: close it instead.
    if (this.socket.bufferedAmount + frame.length > this.host.limits.maxBufferedBytes) {
      this.slowConsumer();
      return;
    }
    this.host.writes.hold(this.tcp);
    this.socket.send(frame);
  }

  /** Graceful shutdown: tell the client, then close with 1012 so it reconnects elsewhere or later. */
  shutdown(message: string): void {
    this.send(encodeControlFrame({ kind: 'shutdown', message }));
    this.close(CLOSE_CODES.serviceRestart, 'server-shutdown');
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.stopTimers();
    this.socket.close(code, reason);
    this.closeDeadline = setTimeout(() => this.socket.terminate(), CLOSE_DEADLINE_MS);
  }

  terminate(): void {
    this.state = 'closed';
    this.stopTimers();
    this.socket.terminate();
  }

  /** A frame from the socket (ws's 'message'). */
  receive(data: RawData, isBinary: boolean): void {
    if (this.state === 'closed') return;
    // One clock reading per frame: the budgets, the idle deadline and the token's expiry all use it.
    const now = serverNow();
    this.lastActive = now;
    // Charged before any decoding: a rejected frame costs a length and a few subtractions.
    const size = frameBytes(data);
    this.rate ??= this.host.rateLimiter(this.ticket, now);
    const verdict = this.rate.take(size, now);
    if (verdict === 'close') {
      this.refuse('rate-limited', 'rate limit exceeded persistently', CLOSE_CODES.policyViolation);
      return;
    }
    if (verdict !== 'accept') {
      if (verdict === 'drop-and-warn')
        this.badFrame('rate-limited', 'rate limit exceeded; frames are being dropped', undefined, false);
      return;
    }
    if (isBinary) {
      this.badFrame('malformed-json', 'binary frames are not part of the protocol');
      return;
    }
    // Frames are handled in order; while handling stalls, the queue of this one connection stays bounded.
    if (this.inFlight >= this.host.limits.maxFramesInFlight) {
      if (!this.overloaded) {
        this.overloaded = true;
        this.badFrame('rate-limited', 'the server is still handling earlier frames', undefined, false);
      }
      return;
    }
    this.overloaded = false;
    const text = frameText(data);
    // Handled at once when nothing is pending; behind the pending frame otherwise, so order holds.
    const previous = this.waiting;
    if (previous === null) {
      const pending = this.handleSafely(text, size, now);
      if (pending) this.track(pending);
      return;
    }
    this.track(previous.then(() => this.handleSafely(text, size, serverNow())));
  }

  /** Counts a frame whose handling has not finished, until it has. */
  private track(pending: Promise<void>): void {
    this.inFlight += 1;
    const tracked = pending.finally(() => {
      this.inFlight -= 1;
      if (this.waiting === tracked) this.waiting = null;
    });
    this.waiting = tracked;
  }

  /** A frame's handling, never throwing: a bug costs that frame a log line, not the connection. */
  private handleSafely(text: string, size: number, now: number): Promise<void> | undefined {
    try {
      return this.handle(text, size, now)?.catch((error: unknown) => this.internalError(error));
    } catch (error) {
      this.internalError(error);
      return undefined;
    }
  }

  private internalError(error: unknown): void {
    this.host.log('error', 'internal-error', { remote: this.remote, error: String(error) });
  }

  /**
   * One frame (`size`: its UTF-8 bytes as received; `now`: when its handling starts), in order; a promise
   * only while something asynchronous (a hello, the cluster) is awaited.
   */
  private handle(text: string, size: number, now: number): Promise<void> | undefined {
    if (this.state === 'closed') return undefined;
    if (this.state === 'open' && this.expiresAt !== NO_DEADLINE && now >= this.expiresAt) {
      // The timer may run late on a busy loop; a frame that arrives after expiry is never relayed.
      this.expire();
      return undefined;
    }
    const classified = classifyClientFrame(text);
    if (this.state === 'handshake') {
      if (classified.type === 'control' && classified.frame.kind === 'hello') {
        return this.hello(classified.frame);
      }
      this.refuse('handshake-required', 'the first frame must be a hello', CLOSE_CODES.policyViolation);
      return undefined;
    }
    if (classified.type === 'invalid-control') {
      this.badFrame('invalid-control-frame', classified.message);
      return undefined;
    }
    if (classified.type === 'control') {
      this.control(classified.frame);
      return undefined;
    }
    const decoded = decodeEnvelope(text, size);
    if (!decoded.ok) {
      this.badFrame(decoded.error.code as SignalingErrorCode, decoded.error.message);
      return undefined;
    }
    const session = this.session;
    if (!session) return undefined;
    const { envelope } = decoded;
    const refused = this.host.relay(session, envelope, text);
    if (refused instanceof Promise) return refused.then((error) => this.relayRefused(error, envelope.id));
    this.relayRefused(refused, envelope.id);
    return undefined;
  }

  private relayRefused(refused: SignalingError | null, envelopeId: string): void {
    // A rate refusal is the sender's pace, not garbage: it does not count toward badFramesBeforeClose.
    if (refused)
      this.badFrame(refused.reason, refused.message, envelopeId, refused.reason !== 'rate-limited');
  }

  private control(frame: ClientControlFrame): void {
    switch (frame.kind) {
      case 'ping':
        if (frame.received !== undefined) this.session?.acknowledge(frame.received);
        this.send(encodeControlFrame({ kind: 'pong', t: frame.t }));
        return;
      case 'hello':
        this.badFrame('invalid-control-frame', 'already authenticated');
        return;
      case 'bye': {
        const session = this.session;
        this.session = null;
        if (session) this.host.endSession(session, 'bye');
        this.close(CLOSE_CODES.normal, 'bye');
        return;
      }
    }
  }

  /** A login: synchronous on a single node (no promise per connection), a promise with a cluster. */
  private hello(frame: Hello): Promise<void> | undefined {
    this.handshakeDeadline = NO_DEADLINE;
    const verified = this.host.authenticate(frame.token);
    if (!verified.ok) {
      this.refuse(verified.error.reason, verified.error.message, CLOSE_CODES.authRefused);
      return undefined;
    }
    const opened = this.host.openSession(verified.userId, frame.sessionId);
    if (opened instanceof Promise) return opened.then((later) => this.welcome(frame, verified, later));
    this.welcome(frame, verified, opened);
    return undefined;
  }

  private welcome(frame: Hello, verified: { expiresAt: number }, opened: Opened): void {
    if ('refused' in opened) {
      this.refuse(opened.refused.reason, opened.refused.message, opened.closeCode);
      return;
    }
    const { session, resumed } = opened;
    if (this.state === 'closed') {
      // The socket went away while the session was being opened: it starts its grace period at once.
      this.host.endSession(session, 'dropped');
      return;
    }
    this.session = session;
    this.state = 'open';
    this.ticket.authenticated(session.userId);
    // A connection that has sent frames draws on its user's budget from now on; one that has not takes
    // it with its first frame.
    this.rate?.share(this.ticket.userBudget());
    setFrameLimit(this.socket, this.host.limits.maxFrameBytes);
    this.expiresAt = onServerClock(verified.expiresAt);
    this.lastActive = serverNow();
    this.send(this.host.welcomes.for(session.userId, session.id, resumed));
    this.armTurnRefresh(session.userId);
    session.attach(this.link, resumed ? (frame.received ?? 0) : 0);
    this.host.log('info', 'session-open', { userId: session.userId, sessionId: session.id, resumed });
  }

  /** Fresh TURN credentials before the last ones expire, for calls that outlive them. */
  private armTurnRefresh(userId: string): void {
    const turn = this.host.turn;
    if (!turn) return;
    this.turnRefreshTimer = setInterval(
      () => this.send(encodeControlFrame({ kind: 'ice-servers', iceServers: turn.iceServersFor(userId) })),
      turn.refreshEveryMs,
    );
  }

  private expire(): void {
    this.refuse('token-expired', 'the token expired: reconnect with a fresh one', CLOSE_CODES.tokenExpired);
  }

  private slowConsumer(): void {
    if (this.state === 'closed') return;
    this.host.log('warn', 'slow-consumer', {
      remote: this.remote,
      userId: this.userId,
      bufferedBytes: this.socket.bufferedAmount,
    });
    // No error frame: it would only queue behind what the client is not reading.
    this.close(CLOSE_CODES.slowConsumer, 'slow-consumer');
  }

  private badFrame(code: SignalingErrorCode, message: string, ref?: string, counts = true): void {
    this.badFrames ??= new BadFrames(this.host.badFrameFlow);
    const verdict = this.badFrames.record(counts);
    if (verdict === 'close') {
      this.refuse('too-many-bad-frames', 'too many bad frames', CLOSE_CODES.policyViolation);
      return;
    }
    this.send(errorFrame(code, message, ref));
    if (verdict === 'answer') return;
    this.host.log('warn', 'bad-frame', { remote: this.remote, userId: this.userId, code, message, ref });
    if (verdict === 'answer-log-and-mute') {
      this.host.log('warn', 'bad-frames-muted', { remote: this.remote, userId: this.userId });
    }
  }

  private refuse(code: SignalingErrorCode, message: string, closeCode: number): void {
    if (this.state === 'closed') return;
    this.host.log('warn', 'connection-refused', { remote: this.remote, userId: this.userId, code, message });
    this.send(errorFrame(code, message));
    this.close(closeCode, code);
  }

  /** The socket closed (ws's 'close'), whoever closed it. */
  closed(code: number): void {
    if (this.finished) return;
    this.finished = true;
    this.state = 'closed';
    this.stopTimers();
    if (this.closeDeadline) clearTimeout(this.closeDeadline);
    const session = this.session;
    this.session = null;
    if (session && session.link === this.link) this.host.endSession(session, 'dropped');
    this.ticket.release();
    this.host.forget(this);
    this.host.log('debug', 'connection-closed', { remote: this.remote, userId: session?.userId, code });
  }

  private stopTimers(): void {
    if (this.turnRefreshTimer) clearInterval(this.turnRefreshTimer);
  }
}
