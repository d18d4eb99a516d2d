// The life of one signaling link, whatever its wire: connecting → authenticating → open → backingOff →
// closed. The wire itself (a WebSocket, an mqtt.js client) is the `connection` actor an adapter provides.
import { assign, emit, fromCallback, sendTo, setup } from 'xstate';
import type { ReconnectPolicy } from '../reconnect-policy.js';
import { TransportError } from '../transport-error.js';

/** What a wire tells the link about the connection attempt it is running. */
export type WireReport =
  /** The socket is up and the credentials are on their way. */
  | { type: 'wire.connected' }
  /** The server or broker accepted the credentials: envelopes may flow. */
  | { type: 'wire.authenticated' }
  /** Anything heard from the server: proof the link is alive (heartbeat). */
  | { type: 'wire.activity' }
  /** This connection ended. A permanent error closes the link; otherwise it backs off and retries. */
  | { type: 'wire.lost'; error?: TransportError }
  /** A failure that leaves the connection as it is (a refused message), unless it is permanent. */
  | { type: 'wire.error'; error: TransportError }
  /** The server wants fresh credentials (the token expired): reconnect at once, asking for a new token. */
  | { type: 'wire.reauthenticate' };

export type LinkEvent = WireReport | { type: 'close' };

/** What the link asks of the live connection. */
export type ConnectionCommand = { type: 'ping' };

/** The events an app-facing driver hears from the link (XState's `emit`). */
export type LinkEmitted = { type: 'transport-error'; error: TransportError };

export interface LinkHeartbeat {
  /** How often to ping the server while open. */
  intervalMs: number;
  /** Silence from the server after which the link counts as dead. */
  timeoutMs: number;
}

export interface LinkInput {
  policy: ReconnectPolicy;
  /** Wall-clock time for the policy's `elapsedMs`; the simulated clock's in tests. */
  now: () => number;
  /** Time for one attempt to connect and be accepted. */
  connectTimeoutMs: number;
  /** Null for a wire that watches its own liveness (MQTT keepalive). */
  heartbeat: LinkHeartbeat | null;
}

export interface LinkContext extends LinkInput {
  /** Retries made since the link was last open (or first started). */
  attempt: number;
  /** When the link was last lost (or first started): the policy's `elapsedMs` counts from here. */
  downSinceMs: number;
  /** The policy's answer for the coming retry; null means it gave up. */
  retryDelayMs: number | null;
}

type ErrorEvent = Extract<LinkEvent, { error?: TransportError }>;

function errorOf(event: LinkEvent): TransportError | undefined {
  return 'error' in event ? (event as ErrorEvent).error : undefined;
}

export const linkMachine = setup({
  types: {
    context: {} as LinkContext,
    events: {} as LinkEvent,
    input: {} as LinkInput,
    emitted: {} as LinkEmitted,
  },
  actors: {
    /** One connection attempt on the wire; adapters provide it (see `createLink`). */
    connection: fromCallback<ConnectionCommand>(() => () => {}),
  },
  guards: {
    isPermanentFailure: ({ event }) => errorOf(event)?.permanent === true,
    carriesError: ({ event }) => errorOf(event) !== undefined,
    hasHeartbeat: ({ context }) => context.heartbeat !== null,
    policyGaveUp: ({ context }) => context.retryDelayMs === null,
  },
  delays: {
    connectTimeout: ({ context }) => context.connectTimeoutMs,
    heartbeatInterval: ({ context }) => context.heartbeat?.intervalMs ?? 0,
    silenceTimeout: ({ context }) => context.heartbeat?.timeoutMs ?? 0,
    retryDelay: ({ context }) => Math.max(0, context.retryDelayMs ?? 0),
  },
  actions: {
    resetAttempts: assign({ attempt: 0 }),
    markDown: assign({ downSinceMs: ({ context }) => context.now() }),
    planRetry: assign(({ context }) => ({
      retryDelayMs: context.policy.nextRetryDelayMs({
        attempt: context.attempt,
        elapsedMs: context.now() - context.downSinceMs,
      }),
      attempt: context.attempt + 1,
    })),
    sendPing: sendTo('connection', { type: 'ping' }),
    reportError: emit(({ event }) => ({
      type: 'transport-error' as const,
      error: errorOf(event) ?? TransportError.of('connect-failed', 'the link failed'),
    })),
    /** A failed attempt says why when the wire knows; otherwise it is a connection failure. */
    reportConnectFailure: emit(({ event }) => ({
      type: 'transport-error' as const,
      error: errorOf(event) ?? TransportError.of('connect-failed', 'the connection attempt failed'),
    })),
    reportConnectTimeout: emit(({ context }) => ({
      type: 'transport-error' as const,
      error: TransportError.of(
        'connect-failed',
        `no answer from the server within ${context.connectTimeoutMs} ms`,
      ),
    })),
    reportGaveUp: emit({
      type: 'transport-error' as const,
      error: TransportError.of('reconnect-gave-up', 'the reconnect policy gave up'),
    }),
  },
}).createMachine({
  id: 'link',
  context: ({ input }) => ({ ...input, attempt: 0, downSinceMs: input.now(), retryDelayMs: null }),
  initial: 'wire',
  on: {
    close: '.closed',
    'wire.error': [
      { guard: 'isPermanentFailure', target: '.closed', actions: 'reportError' },
      { actions: 'reportError' },
    ],
  },
  states: {
    /** A connection exists on the wire (or is being made); it is torn down on leaving. */
    wire: {
      invoke: { id: 'connection', src: 'connection' },
      initial: 'connecting',
      on: {
        'wire.reauthenticate': { target: 'wire', reenter: true },
        // Before the link is open, any end of the connection is a failed attempt (`open` has its own).
        'wire.lost': [
          { guard: 'isPermanentFailure', target: 'closed', actions: 'reportError' },
          { target: 'backingOff', actions: 'reportConnectFailure' },
        ],
      },
      states: {
        connecting: {
          on: { 'wire.connected': 'authenticating', 'wire.authenticated': 'open' },
          after: { connectTimeout: { target: '#link.backingOff', actions: 'reportConnectTimeout' } },
        },
        authenticating: {
          on: { 'wire.authenticated': 'open' },
          after: { connectTimeout: { target: '#link.backingOff', actions: 'reportConnectTimeout' } },
        },
        open: {
          entry: 'resetAttempts',
          exit: 'markDown',
          initial: 'choosingWatch',
          on: {
            'wire.lost': [
              { guard: 'isPermanentFailure', target: '#link.closed', actions: 'reportError' },
              { guard: 'carriesError', target: '#link.backingOff', actions: 'reportError' },
              { target: '#link.backingOff' },
            ],
          },
          states: {
            choosingWatch: {
              always: [{ guard: 'hasHeartbeat', target: 'watched' }, { target: 'unwatched' }],
            },
            /** The wire watches its own liveness (MQTT keepalive). */
            unwatched: {},
            /** Pings at an interval; silence past the timeout drops the link. */
            watched: {
              type: 'parallel',
              // Each region re-arms a timer of its own child, so that neither restarts the other's.
              states: {
                pinging: {
                  initial: 'waiting',
                  states: {
                    waiting: {
                      after: {
                        heartbeatInterval: { target: 'waiting', reenter: true, actions: 'sendPing' },
                      },
                    },
                  },
                },
                listening: {
                  initial: 'hearing',
                  states: {
                    hearing: {
                      on: { 'wire.activity': { target: 'hearing', reenter: true } },
                      after: { silenceTimeout: '#link.backingOff' },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    /** Waiting out the policy's delay before the next attempt. */
    backingOff: {
      entry: 'planRetry',
      always: { guard: 'policyGaveUp', target: 'closed', actions: 'reportGaveUp' },
      after: { retryDelay: 'wire' },
    },
    closed: { type: 'final' },
  },
});
