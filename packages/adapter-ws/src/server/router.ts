// Routing and sessions: who may send what to whom, where an envelope goes (sessions here, other nodes),
// and what happens to a session when its link opens, drops or ends. Knows nothing of HTTP or sockets.
import { type Envelope, RESERVED_DEVICE_IDS, unavailableReplyTo } from '@handset/core';
import { CLOSE_CODES } from '../close-codes.js';
import { SignalingError } from '../signaling-error.js';
import type { LocalCallRegistry } from './call-registry.js';
import type { Cluster } from './cluster.js';
import type { ConnectionHost } from './connection.js';
import { InviteLimiter } from './invite-limiter.js';
import type { Log } from './logger.js';
import type { SignalServerLimits } from './options.js';
import { relayedFrame } from './relayed-frame.js';
import { RestartHold } from './restart-hold.js';
import { Session, type SessionTable } from './sessions.js';

export interface RouterDeps {
  sessions: SessionTable;
  localCalls: LocalCallRegistry;
  cluster: Cluster | null;
  limits: SignalServerLimits;
  log: Log;
  /** True while the server shuts down: no grace timers that would outlive it. */
  isDraining(): boolean;
  /** When this server started: right after, users of its previous run may still come back. */
  startedAt: number;
}

/** A login's session, new or resumed, or why there is none. */
export type Opened =
  | { session: Session; resumed: boolean }
  /** `closeCode`: 1013 for a cluster outage (not the client's fault: it may come back soon), else 1008. */
  | { refused: SignalingError; closeCode: number };

export type Router = Pick<ConnectionHost, 'openSession' | 'endSession' | 'relay'> & {
  /** Envelopes other nodes send to users they believe are here. */
  receiveFromCluster(envelope: Envelope): void;
  /** Drops what is held, without answering: the server is stopping. */
  close(): void;
};

export function createRouter(deps: RouterDeps): Router {
  const { sessions, localCalls, cluster, limits, log } = deps;
  const outboxBounds = { maxFrames: limits.maxQueuedPerSession, maxBytes: limits.maxQueuedBytesPerSession };
  const invites = new InviteLimiter({
    perSecond: limits.pairInvitesPerMinute / 60,
    burst: limits.pairInviteBurst,
  });
  const restartHold = new RestartHold(
    {
      maxPerUser: limits.maxQueuedPerSession,
      maxTotal: limits.maxHeldForAbsent,
      maxBytes: limits.maxHeldBytesForAbsent,
      holdMs: limits.sessionGraceMs,
    },
    (userId, undelivered) => {
      log('info', 'held-for-absent-expired', { userId, undelivered: undelivered.length });
      answerUnavailable(undelivered);
    },
    (envelope) => log('warn', 'held-envelope-dropped', { userId: envelope.to, callId: envelope.callId }),
  );

  /** Routes the server's `unavailable` on behalf of an addressee nobody reaches (never for an `unavailable`). */
  function answerFor(envelope: Envelope): void {
    const reply = unavailableReplyTo(envelope, 'server');
    if (reply) void route(reply, null)?.catch(() => {});
  }

  /**
   * Delivers to the addressee's sessions here and elsewhere; answers `unavailable` if there are none.
   * Synchronous on a single node: a promise only when another node must be asked.
   */
  function route(envelope: Envelope, origin: Session | null, senderText?: string): Promise<void> | undefined {
    const reached = deliverHere(envelope, senderText);
    if (cluster) return publishThenAnswer(cluster, envelope, origin, reached);
    if (!reached) return answerAbsent(envelope, origin);
    return undefined;
  }

  /**
   * True when a session of the addressee is on this node. `senderText`: the frame `envelope` was validated
   * from, when it is relayed unchanged (sent as it is if it provably says exactly the envelope).
   */
  function deliverHere(envelope: Envelope, senderText?: string): boolean {
    const local = sessions.forUser(envelope.to);
    if (local.length === 0) return false;
    // Encoded once for every session of the addressee.
    const frame = relayedFrame(envelope, senderText);
    for (const session of local) {
      if (!session.deliver(envelope, frame)) {
        log('warn', 'held-envelope-dropped', {
          userId: envelope.to,
          sessionId: session.id,
          callId: envelope.callId,
        });
      }
    }
    return true;
  }

  async function publishThenAnswer(
    cluster: Cluster,
    envelope: Envelope,
    origin: Session | null,
    reachedHere: boolean,
  ): Promise<void> {
    let reached = reachedHere;
    try {
      reached = (await cluster.publish(envelope)) || reached;
    } catch (error) {
      log('error', 'cluster-publish-failed', { callId: envelope.callId, error: String(error) });
    }
    if (!reached) await answerAbsent(envelope, origin);
  }

  /** Nobody has the addressee: hold it for a user about to come back, or answer `unavailable`. */
  function answerAbsent(envelope: Envelope, origin: Session | null): Promise<void> | undefined {
    if (envelope.type === 'unavailable') return undefined;
    // Right after a restart the addressee may be about to come back, as the sender just did: hold it.
    const mayReturn = origin?.returning === true && Date.now() - deps.startedAt < limits.sessionGraceMs;
    if (mayReturn && restartHold.hold(envelope)) {
      log('info', 'held-for-absent', { callId: envelope.callId, from: envelope.from, to: envelope.to });
      return undefined;
    }
    log('debug', 'addressee-offline', { callId: envelope.callId, from: envelope.from, to: envelope.to });
    const reply = unavailableReplyTo(envelope, 'server');
    if (!reply) return undefined;
    if (origin) {
      origin.deliver(reply);
      return undefined;
    }
    return route(reply, null);
  }

  function receiveFromCluster(envelope: Envelope): void {
    const local = sessions.forUser(envelope.to);
    for (const session of local) session.deliver(envelope);
    if (local.length === 0) answerFor(envelope);
  }

  function expireSession(session: Session, held: readonly Envelope[]): void {
    const lastHere = sessions.remove(session);
    log('info', 'session-ended', { userId: session.userId, sessionId: session.id, held: held.length });
    if (!lastHere) return;
    if (cluster) {
      void cluster
        .userLeft(session.userId)
        .catch((error: unknown) =>
          log('error', 'cluster-presence-failed', { userId: session.userId, error: String(error) }),
        );
    }
    answerUnavailable(held);
  }

  /** Senders of what was held for a user who never came back hear `unavailable` instead of waiting. */
  function answerUnavailable(held: readonly Envelope[]): void {
    const answered = new Set<string>();
    for (const envelope of held) {
      if (envelope.type === 'unavailable' || answered.has(envelope.callId)) continue;
      answered.add(envelope.callId);
      answerFor(envelope);
    }
  }

  /** A session for the login: synchronous on a single node, a promise only when the cluster is told. */
  function openSession(userId: string, sessionId: string | undefined): Opened | Promise<Opened> {
    const existing = sessionId ? sessions.get(sessionId) : undefined;
    if (existing && existing.userId === userId) {
      // The old link is probably dead (that is why the client came back): the new one takes over.
      const old = existing.link;
      existing.link = null;
      existing.stopGrace();
      old?.close(CLOSE_CODES.sessionTakenOver, 'session-taken-over');
      return { session: existing, resumed: true };
    }
    const mine = [...sessions.forUser(userId)];
    if (mine.length >= limits.maxConnectionsPerUser) {
      // A detached session is most likely this very device, come back without its session id.
      const stale = mine.filter((s) => !s.attached).sort((a, b) => a.order - b.order)[0];
      if (!stale) {
        return {
          refused: SignalingError.of(
            'too-many-connections',
            `user has ${mine.length} connections, the limit is ${limits.maxConnectionsPerUser}`,
          ),
          closeCode: CLOSE_CODES.policyViolation,
        };
      }
      expireSession(stale, []);
    }
    const session = new Session(userId, outboxBounds, Date.now, sessionId !== undefined);
    if (sessions.add(session) && cluster) return announce(cluster, session);
    return opened(session);
  }

  async function announce(cluster: Cluster, session: Session): Promise<Opened> {
    try {
      await cluster.userArrived(session.userId);
    } catch (error) {
      // Redis went away mid-login: other nodes could not reach this user. No ghost session stays.
      sessions.remove(session);
      log('warn', 'cluster-presence-failed', { userId: session.userId, error: String(error) });
      return { refused: clusterUnavailable(), closeCode: CLOSE_CODES.tryAgainLater };
    }
    return opened(session);
  }

  function opened(session: Session): Opened {
    // Sent after the welcome, in order, like anything queued for a resumed session.
    for (const envelope of restartHold.forNewSession(session.userId)) session.deliver(envelope);
    return { session, resumed: false };
  }

  function clusterUnavailable(): SignalingError {
    return SignalingError.of('cluster-unavailable', "the cluster's Redis is unreachable; try again later");
  }

  function endSession(session: Session, how: 'bye' | 'dropped'): void {
    if (deps.isDraining()) sessions.remove(session);
    else if (how === 'bye') expireSession(session, []);
    else session.detach(limits.sessionGraceMs, (held) => expireSession(session, held));
  }

  /**
   * Stamps, checks and routes one envelope; the error to tell its sender, if any. Synchronous on a single
   * node (no promise, no microtask per frame: this is the server's hot path); a promise with a cluster.
   */
  function relay(
    session: Session,
    envelope: Envelope,
    text: string,
  ): SignalingError | null | Promise<SignalingError | null> {
    // `fromDevice` is checked like `from` is stamped: a client speaks for its own device only.
    if (RESERVED_DEVICE_IDS.has(envelope.fromDevice)) {
      log('warn', 'reserved-device', { userId: session.userId, fromDevice: envelope.fromDevice });
      return SignalingError.of('reserved-device', `device id "${envelope.fromDevice}" is the server's`);
    }
    if (!session.claimDevice(envelope.fromDevice)) {
      log('warn', 'device-mismatch', { userId: session.userId, sessionId: session.id });
      return SignalingError.of('device-mismatch', 'this session speaks for another device id');
    }
    // A resend after a reconnect: already relayed once.
    if (!session.firstSighting(envelope.id)) return null;
    if (envelope.type === 'invite' && !invites.take(session.userId, envelope.to)) {
      log('warn', 'pair-invites-limited', { userId: session.userId, to: envelope.to });
      return SignalingError.of('rate-limited', `too many invites to ${envelope.to}; try again later`);
    }
    const stamped = stampSender(envelope, session.userId);
    if (cluster) return relayThroughCluster(cluster, session, stamped);
    if (!localCalls.admit(stamped.callId, stamped.from, stamped.to)) return notInCall(session, stamped);
    // The sender's own text may go out as it is only when nothing was stamped into the envelope.
    route(stamped, session, stamped === envelope ? text : undefined);
    return null;
  }

  async function relayThroughCluster(
    cluster: Cluster,
    session: Session,
    stamped: Envelope,
  ): Promise<SignalingError | null> {
    if (!(await cluster.admit(stamped.callId, stamped.from, stamped.to))) return notInCall(session, stamped);
    await route(stamped, session);
    return null;
  }

  function notInCall(session: Session, stamped: Envelope): SignalingError {
    log('warn', 'not-in-call', { userId: session.userId, callId: stamped.callId, to: stamped.to });
    return SignalingError.of('not-in-call', 'this call belongs to other users');
  }

  return {
    openSession,
    endSession,
    relay,
    receiveFromCluster,
    close: () => restartHold.clear(),
  };
}

/**
 * The envelope as relayed: `from` is the authenticated user, and a client's own `ageMs` is dropped (only
 * the server adds it). An honest client's envelope already is that, and is not copied.
 */
function stampSender(envelope: Envelope, userId: string): Envelope {
  if (envelope.from === userId && envelope.ageMs === undefined) return envelope;
  const { ageMs: _clientAge, ...rest } = envelope;
  return { ...rest, from: userId } as Envelope;
}
