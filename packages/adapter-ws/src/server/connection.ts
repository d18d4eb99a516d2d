// One client socket: handshake, token lifetime, rate and byte budgets, send-buffer bound, frame
// classification, then hand-off to the server's router. Every bad input is answered here, once.
import { decodeEnvelope, type Envelope } from '@handset/core';
import type { RawData, WebSocket } from 'ws';
import { CLOSE_CODES } from '../close-codes.js';
import {
  type ClientControlFrame,
  classifyClientFrame,
  encodeControlFrame,
  errorFrame,
} from '../control-frames.js';
import type { SignalingError, SignalingErrorCode } from '../signaling-error.js';
import type { AdmissionTicket } from './admission.js';
import type { Log } from './logger.js';
import type { SignalServerLimits } from './options.js';
import { RateLimiter, TokenBucket, TrafficBudget } from './rate-limiter.js';
import type { Session, SessionLink } from './sessions.js';
import type { TurnRelay } from './turn-relay.js';

/** What a connection needs from the server it belongs to. */
export interface ConnectionHost {
  readonly limits: SignalServerLimits;
  readonly log: Log;
  /** The token verified (`expiresAt` in ms), with a refusal already mapped to the adapter's auth codes. */
  authenticate(
    token: string,
  ): { ok: true; userId: string; expiresAt: number } | { ok: false; error: SignalingError };
  openSession(
    userId: string,
    sessionId: string | undefined,
  ): Promise<{ session: Session; resumed: boolean } | { refused: SignalingError }>;
  /** `bye`: gone now. `dropped`: keep the session for its grace period. */
  endSession(session: Session, how: 'bye' | 'dropped'): void;
  /** Stamps, checks membership and routes; returns the error to tell the sender, if any. */
  relay(session: Session, envelope: Envelope): Promise<SignalingError | null>;
  forget(connection: Connection): void;
  /** The TURN relay whose fresh credentials each user gets in its welcome and before they expire. */
  readonly turn?: TurnRelay;
}

/** Bad frames logged per connection; past this a hostile client cannot flood the log. */
const MAX_LOGGED_BAD_FRAMES = 5;
/** setTimeout fires at once for delays past 2^31-1 ms: a long-lived token's timer is re-armed instead. */
const MAX_TIMER_MS = 2_147_483_647;
/**
 * A client that does not answer our close frame (it is not reading, or never meant to) is cut this long
 * after it, instead of ws's 30 s: a closed slow consumer or evicted pending socket must not hold on.
 */
const CLOSE_DEADLINE_MS = 5_000;

export class Connection {
  private state: 'handshake' | 'open' | 'closed' = 'handshake';
  private session: Session | null = null;
  private chain: Promise<void> = Promise.resolve();
  /** Frames accepted but not yet handled (waiting in `chain`, e.g. behind a slow Redis). */
  private inFlight = 0;
  /** Set when a frame was dropped for `maxFramesInFlight`, so one error frame covers the whole episode. */
  private overloaded = false;
  private badFrames = 0;
  /** Bad frames this connection may still send before it is closed (refills one per second). */
  private readonly badFrameAllowance: TokenBucket;
  private finished = false;
  private readonly rate: RateLimiter;
  private readonly handshakeTimer: ReturnType<typeof setTimeout>;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private expiryTimer: ReturnType<typeof setTimeout> | null = null;
  private closeDeadline: ReturnType<typeof setTimeout> | null = null;
  private turnRefreshTimer: ReturnType<typeof setInterval> | null = null;
  /** When the token this connection logged in with expires (ms); frames after it are not relayed. */
  private expiresAt = Number.POSITIVE_INFINITY;
  readonly link: SessionLink;

  constructor(
    private readonly socket: WebSocket,
    private readonly host: ConnectionHost,
    readonly remote: string,
    private readonly ticket: AdmissionTicket,
  ) {
    const { limits } = host;
    this.rate = new RateLimiter(
      new TrafficBudget(
        { perSecond: limits.messagesPerSecond, burst: limits.messageBurst },
        { perSecond: limits.bytesPerSecond, burst: limits.byteBurst },
      ),
      limits.rateViolationsBeforeClose,
    );
    this.rate.share(ticket.addressBudget);
    this.badFrameAllowance = new TokenBucket({ perSecond: 1, burst: limits.badFramesBeforeClose });
    ticket.onEvict(() =>
      this.refuse('server-busy', 'too many connections are waiting to log in', CLOSE_CODES.tryAgainLater),
    );
    this.link = { send: (frame) => this.send(frame), close: (code, reason) => this.close(code, reason) };
    this.handshakeTimer = setTimeout(
      () =>
        this.refuse(
          'handshake-timeout',
          'no hello within the handshake timeout',
          CLOSE_CODES.policyViolation,
        ),
      limits.handshakeTimeoutMs,
    );
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('close', (code) => this.onClose(code));
    // ws reports oversize frames (and closes with 1009 itself) and protocol errors here.
    socket.on('error', (error) => this.host.log('warn', 'socket-error', { remote, message: error.message }));
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

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.state === 'closed') return;
    this.idleTimer?.refresh();
    // Charged before any decoding: a rejected frame costs a length and a few subtractions.
    const verdict = this.rate.take(frameBytes(data));
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
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data as Uint8Array).toString('utf8');
    this.inFlight += 1;
    this.chain = this.chain
      .then(() => this.handle(text))
      .catch((error: unknown) =>
        this.host.log('error', 'internal-error', { remote: this.remote, error: String(error) }),
      )
      .finally(() => {
        this.inFlight -= 1;
      });
  }

  private async handle(text: string): Promise<void> {
    if (this.state === 'closed') return;
    if (this.state === 'open' && Date.now() >= this.expiresAt) {
      // The timer may run late on a busy loop; a frame that arrives after expiry is never relayed.
      this.expire();
      return;
    }
    const classified = classifyClientFrame(text);
    if (this.state === 'handshake') {
      if (classified.type === 'control' && classified.frame.kind === 'hello') {
        await this.hello(classified.frame);
      } else {
        this.refuse('handshake-required', 'the first frame must be a hello', CLOSE_CODES.policyViolation);
      }
      return;
    }
    if (classified.type === 'invalid-control') {
      this.badFrame('invalid-control-frame', classified.message);
      return;
    }
    if (classified.type === 'control') {
      this.control(classified.frame);
      return;
    }
    const decoded = decodeEnvelope(text);
    if (!decoded.ok) {
      this.badFrame(decoded.error.code as SignalingErrorCode, decoded.error.message);
      return;
    }
    const session = this.session;
    if (!session) return;
    const refused = await this.host.relay(session, decoded.envelope);
    // A rate refusal is the sender's pace, not garbage: it does not count toward badFramesBeforeClose.
    if (refused)
      this.badFrame(refused.reason, refused.message, decoded.envelope.id, refused.reason !== 'rate-limited');
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

  private async hello(frame: Extract<ClientControlFrame, { kind: 'hello' }>): Promise<void> {
    clearTimeout(this.handshakeTimer);
    const verified = this.host.authenticate(frame.token);
    if (!verified.ok) {
      this.refuse(verified.error.reason, verified.error.message, CLOSE_CODES.authRefused);
      return;
    }
    const opened = await this.host.openSession(verified.userId, frame.sessionId);
    if ('refused' in opened) {
      // A cluster outage is not the client's fault: it may come back soon (1013), unlike a policy refusal.
      const code =
        opened.refused.reason === 'cluster-unavailable'
          ? CLOSE_CODES.tryAgainLater
          : CLOSE_CODES.policyViolation;
      this.refuse(opened.refused.reason, opened.refused.message, code);
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
    this.rate.share(this.ticket.authenticated(session.userId));
    setFrameLimit(this.socket, this.host.limits.maxFrameBytes);
    this.expiresAt = verified.expiresAt;
    this.armExpiry();
    this.send(
      encodeControlFrame({
        kind: 'welcome',
        userId: session.userId,
        sessionId: session.id,
        resumed,
        graceMs: this.host.limits.sessionGraceMs,
        ...(this.host.turn ? { iceServers: this.host.turn.iceServersFor(session.userId) } : {}),
      }),
    );
    this.armTurnRefresh(session.userId);
    session.attach(this.link, resumed ? (frame.received ?? 0) : 0);
    this.idleTimer = setTimeout(() => {
      this.host.log('info', 'idle-timeout', { remote: this.remote, userId: session.userId });
      this.terminate();
    }, this.host.limits.idleTimeoutMs);
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

  /** Closes the link when its token expires; the client reconnects with a fresh one and resumes. */
  private armExpiry(): void {
    const remaining = this.expiresAt - Date.now();
    if (remaining <= 0) {
      this.expire();
      return;
    }
    this.expiryTimer = setTimeout(() => this.armExpiry(), Math.min(remaining, MAX_TIMER_MS));
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
    if (counts && !this.badFrameAllowance.take()) {
      this.refuse('too-many-bad-frames', 'too many bad frames', CLOSE_CODES.policyViolation);
      return;
    }
    this.send(errorFrame(code, message, ref));
    this.badFrames += 1;
    if (this.badFrames <= MAX_LOGGED_BAD_FRAMES) {
      this.host.log('warn', 'bad-frame', { remote: this.remote, userId: this.userId, code, message, ref });
      if (this.badFrames === MAX_LOGGED_BAD_FRAMES) {
        this.host.log('warn', 'bad-frames-muted', { remote: this.remote, userId: this.userId });
      }
    }
  }

  private refuse(code: SignalingErrorCode, message: string, closeCode: number): void {
    if (this.state === 'closed') return;
    this.host.log('warn', 'connection-refused', { remote: this.remote, userId: this.userId, code, message });
    this.send(errorFrame(code, message));
    this.close(closeCode, code);
  }

  private onClose(code: number): void {
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
    clearTimeout(this.handshakeTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    if (this.turnRefreshTimer) clearInterval(this.turnRefreshTimer);
  }
}

/**
 * ws has one `maxPayload` per server, fixed when a socket is upgraded; the hello-sized limit is replaced per
 * connection on its receiver (a private field: if ws renames it, the 1009 tests after login fail).
 */
function setFrameLimit(socket: WebSocket, maxBytes: number): void {
  const receiver = (socket as unknown as { _receiver?: { _maxPayload?: number } })._receiver;
  if (receiver && typeof receiver._maxPayload === 'number') receiver._maxPayload = maxBytes;
}

function frameBytes(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((total, chunk) => total + chunk.byteLength, 0);
  return data.byteLength;
}
