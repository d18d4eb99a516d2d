// What a connection needs from the server it belongs to: its limits and log, authentication, sessions
// and the router, the shared budgets' flows, the TURN relay and the per-turn write batch.
import type { Envelope } from '@handset/core';
import type { SignalingError } from '../signaling-error.js';
import type { AdmissionTicket } from './admission.js';
import type { Connection } from './connection.js';
import type { Log } from './logger.js';
import type { SignalServerLimits } from './options.js';
import type { Flow, RateLimiter } from './rate-limiter.js';
import type { Opened } from './router.js';
import type { Session } from './sessions.js';
import type { TurnRelay } from './turn-relay.js';
import type { WelcomeFrames } from './welcome-frame.js';
import type { WriteBatch } from './write-batch.js';

/** What a connection needs from the server it belongs to. */
export interface ConnectionHost {
  readonly limits: SignalServerLimits;
  readonly log: Log;
  /**
   * A connection's rate limiter, made at its first frame (`now`): its own budget, full, its address's and,
   * once logged in, its user's (the flows are the server's, shared).
   */
  rateLimiter(ticket: AdmissionTicket, now: number): RateLimiter;
  /** Bad frames a connection may send: a burst of `badFramesBeforeClose`, refilling one per second. */
  readonly badFrameFlow: Flow;
  /** The token verified (`expiresAt` in ms), with a refusal already mapped to the adapter's auth codes. */
  authenticate(
    token: string,
  ): { ok: true; userId: string; expiresAt: number } | { ok: false; error: SignalingError };
  /** Synchronous on a single node; a promise only while another node must be told. */
  openSession(userId: string, sessionId: string | undefined): Opened | Promise<Opened>;
  /** `bye`: gone now. `dropped`: keep the session for its grace period. */
  endSession(session: Session, how: 'bye' | 'dropped'): void;
  /**
   * Stamps, checks membership and routes; returns the error to tell the sender, if any. Synchronous when
   * it can be (a single node), so a frame costs no promise.
   */
  relay(
    session: Session,
    envelope: Envelope,
    /** The frame `envelope` was decoded from. */
    text: string,
  ): SignalingError | null | Promise<SignalingError | null>;
  forget(connection: Connection): void;
  /** The TURN relay whose fresh credentials each user gets in its welcome and before they expire. */
  readonly turn?: TurnRelay;
  /** The welcome frames of this server (a template per server). */
  readonly welcomes: WelcomeFrames;
  /** The server's per-turn write batch: what this connection sends in one turn leaves in one write. */
  readonly writes: WriteBatch;
}
