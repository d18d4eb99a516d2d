// Runs the link machine for a transport: gives it the adapter's wire as the `connection` actor, and turns
// its states into the transport's `status$` and its failures into `errors$`.
import { BehaviorSubject, type Observable, Subject } from 'rxjs';
import { type Actor, createActor, fromCallback, type SnapshotFrom } from 'xstate';
import type { LogLevel } from '../logger.js';
import type { Clock } from '../ports.js';
import { createDefaultReconnectPolicy, type ReconnectPolicy } from '../reconnect-policy.js';
import type { TransportStatus } from '../transport.js';
import type { TransportError } from '../transport-error.js';
import { type ConnectionCommand, type LinkHeartbeat, linkMachine, type WireReport } from './link-machine.js';

/** One live connection attempt, as an adapter runs it. */
export interface LinkConnection {
  /** Sends a heartbeat ping (only called when the link has a heartbeat). */
  ping?(): void;
  /** Tears the connection down: the link left it (dropped, timed out, closed). Reports after this are ignored. */
  close(): void;
}

/**
 * The adapter's side: start one connection attempt (ask for the token, open the socket, say hello) and
 * report its progress. Called again for every retry.
 */
export type LinkWire = (report: (event: WireReport) => void) => LinkConnection;

export interface LinkOptions {
  wire: LinkWire;
  reconnectPolicy?: ReconnectPolicy;
  /** The timers of the link (connect timeout, heartbeat, backoff). Default: the platform's. */
  clock?: Clock;
  /** Default `Date.now`. */
  now?: () => number;
  /** Time for one attempt to connect and be accepted. Default 10 s. */
  connectTimeoutMs?: number;
  /** Omit for a wire that watches its own liveness. */
  heartbeat?: LinkHeartbeat;
  /**
   * Called once the link is open, just before `status$` says so: flush queued envelopes here, so that
   * anything sent in reaction to `open` goes after them.
   */
  onOpen?(): void;
  /** Called once when the link is closed for good, after `status$` completed. */
  onClosed?(): void;
  /** Where the link logs its status changes and errors (already namespaced by the transport). */
  log?: (level: LogLevel, event: string, fields?: Readonly<Record<string, unknown>>) => void;
}

export interface Link {
  readonly status$: Observable<TransportStatus>;
  readonly errors$: Observable<TransportError>;
  readonly status: TransportStatus;
  /** Starts the first connection attempt (once; later calls do nothing). */
  start(): void;
  /** Reports a failure outside any connection attempt (a dropped envelope); a permanent one closes. */
  report(error: TransportError): void;
  /** Closes the link for good. */
  close(): void;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** The transport status a link state stands for; `previous` tells a first attempt from a reconnect. */
export function statusOfLink(
  snapshot: SnapshotFrom<typeof linkMachine>,
  previous: TransportStatus,
): TransportStatus {
  if (snapshot.status !== 'active' || snapshot.matches('closed')) return 'closed';
  if (snapshot.matches({ wire: 'open' })) return 'open';
  return previous === 'connecting' ? 'connecting' : 'reconnecting';
}

export function createLink(options: LinkOptions): Link {
  const status$ = new BehaviorSubject<TransportStatus>('connecting');
  const errors = new Subject<TransportError>();

  const connection = fromCallback<ConnectionCommand>(({ sendBack, receive }) => {
    let live = true;
    const attempt = options.wire((event) => {
      if (live) sendBack(event);
    });
    receive((command) => {
      if (command.type === 'ping') attempt.ping?.();
    });
    return () => {
      live = false;
      attempt.close();
    };
  });

  const actor: Actor<typeof linkMachine> = createActor(linkMachine.provide({ actors: { connection } }), {
    ...(options.clock ? { clock: options.clock } : {}),
    input: {
      policy: options.reconnectPolicy ?? createDefaultReconnectPolicy(),
      now: options.now ?? Date.now,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      heartbeat: options.heartbeat ?? null,
    },
  });
  const log = options.log ?? (() => {});
  actor.on('transport-error', ({ error }) => {
    log(error.permanent ? 'error' : 'warn', 'transport-error', {
      reason: error.reason,
      wireCode: error.wireCode,
      message: error.message,
    });
    if (!errors.closed) errors.next(error);
  });

  function follow(snapshot: SnapshotFrom<typeof linkMachine>): void {
    const previous = status$.value;
    if (previous === 'closed') return;
    const next = statusOfLink(snapshot, previous);
    if (next === previous) return;
    if (next === 'open') options.onOpen?.();
    log('info', 'link-status', { status: next });
    status$.next(next);
    if (next !== 'closed') return;
    status$.complete();
    errors.complete();
    options.onClosed?.();
  }

  let started = false;
  function start(): void {
    if (started) return;
    started = true;
    actor.subscribe({ next: follow });
    actor.start();
  }

  return {
    status$: status$.asObservable(),
    errors$: errors.asObservable(),
    get status() {
      return status$.value;
    },
    start,
    report(error) {
      if (status$.value !== 'closed') actor.send({ type: 'wire.error', error });
    },
    close() {
      if (status$.value === 'closed') return;
      // Closed before it started: start it, so that the close is a transition like any other.
      start();
      if (actor.getSnapshot().status === 'active') actor.send({ type: 'close' });
      else follow(actor.getSnapshot());
    },
  };
}
