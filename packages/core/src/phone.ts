// The public face of Handset: a phone for one user on one transport. It validates what the network
// sends, hands it to the current call's statechart (or answers for calls that have ended), tells the call
// how the link is, and shows the app observables; it keeps no call state.
import { nanoid } from 'nanoid';
import { BehaviorSubject, distinctUntilChanged, map, type Observable, Subject } from 'rxjs';
import { type Actor, createActor } from 'xstate';
import { callMachine } from './call/call-machine.js';
import { DEFAULT_TIMEOUTS } from './call/context.js';
import type { PortName } from './call/events.js';
import type { CallStats } from './call-stats.js';
import { type CallState, type CallView, callViewOf, sameCallView } from './call-view.js';
import { EndedCalls } from './ended-calls.js';
import { HandsetError } from './errors.js';
import { createInCallControls, PendingControls } from './in-call-controls.js';
import {
  INITIAL_LINK_FACTS,
  type LinkFacts,
  linkConditionOf,
  withError,
  withStatus,
} from './link-condition.js';
import type { Phone, PhoneEvent, PhoneOptions } from './phone-api.js';
import type { Clock, IceServerConfig, PeerConnectionConfig } from './ports.js';
import {
  createEnvelope,
  decodeEnvelope,
  type EnvelopeDraft,
  type MediaKinds,
  metadataProblem,
  validateEnvelope,
} from './protocol.js';
import { guardRelayOnly, type RelayRefusal } from './relay-only-guard.js';

export type { CallOptions, Phone, PhoneEvent, PhoneOptions } from './phone-api.js';

const DEFAULT_MEDIA: MediaKinds = { audio: true, video: true };

/** The host's timers (every JS platform has them; core is compiled without DOM or Node types). */
const PLATFORM_CLOCK: Clock = {
  setTimeout: (callback, timeoutMs) => (globalThis as unknown as Clock).setTimeout(callback, timeoutMs),
  clearTimeout: (handle) => (globalThis as unknown as Clock).clearTimeout(handle),
};

/** The warning before a relay-only call ends `connection-failed`; never carries the credentials. */
function turnRefused(refusal: RelayRefusal): HandsetError {
  const why =
    refusal.errorCode !== undefined
      ? ` (${refusal.errorCode}${refusal.errorText ? ` ${refusal.errorText}` : ''})`
      : '';
  return new HandsetError(
    'turn-refused',
    `relay only, and the TURN server gave no relay candidate${why}: wrong or expired credentials, or the relay is unreachable`,
    { cause: refusal },
  );
}

/** Makes a phone for one user on one transport; throws `invalid-argument` for an id the protocol cannot carry. */
export function createPhone(options: PhoneOptions): Phone {
  const idCheck = validateEnvelope({
    v: 1,
    type: 'cancel',
    id: 'x',
    callId: 'x',
    from: options.userId,
    fromDevice: options.deviceId ?? 'x',
    to: 'x',
  });
  if (!idCheck.ok) throw HandsetError.invalidArgument(`userId/deviceId: ${idCheck.error.message}`);

  const userId = options.userId;
  const deviceId = options.deviceId ?? nanoid();
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  // The transport's servers arrive after the welcome and are refreshed before their credentials expire.
  let transportIceServers: IceServerConfig[] = [];
  // One transport for the audio, the video and the message channel (every peer is a Handset phone, which
  // bundles): a browser otherwise gathers, trickles and checks candidates for each of the three m-lines until
  // the answer arrives, three times the events, messages and checks of call setup.
  const peerConnectionConfig = (): PeerConnectionConfig => ({
    iceServers: options.iceServers ?? transportIceServers,
    ...(options.iceTransportPolicy ? { iceTransportPolicy: options.iceTransportPolicy } : {}),
    bundlePolicy: 'max-bundle',
  });
  const events = new Subject<PhoneEvent>();
  const stats = new Subject<CallStats>();
  let current: Actor<typeof callMachine>;
  let currentSubscription: { unsubscribe(): void } | undefined;
  let disposed = false;
  let link: LinkFacts = INITIAL_LINK_FACTS;
  const endedCalls = new EndedCalls({ userId, deviceId });
  const pending = new PendingControls();
  const controls = createInCallControls(
    { current: () => current, disposed: () => disposed, enumerateDevices: options.enumerateDevices },
    pending,
  );

  /** Sends on the transport, which must never throw; if it does anyway, the app hears of it. */
  function sendSafely(draft: EnvelopeDraft, callId: string | null): boolean {
    try {
      options.transport.send(createEnvelope(draft, nanoid()));
      return true;
    } catch (error) {
      reportPortFailure('send', error, callId);
      return false;
    }
  }

  function reportPortFailure(port: PortName, cause: unknown, callId: string | null): void {
    const what = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    const error = new HandsetError('port-failed', `the ${port} port threw (${what})`, { cause });
    events.next({ type: 'call-error', callId, error });
  }

  const newCall = (): Actor<typeof callMachine> => {
    const actor: Actor<typeof callMachine> = createActor(callMachine, {
      ...(options.inspect ? { inspect: options.inspect } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      input: {
        settings: { userId, deviceId, timeouts, maxIceRestarts: options.maxIceRestarts ?? 3 },
        ports: {
          // A send that throws is reported here; the call is told (`send.failed`) and ends.
          send: (draft) => {
            if (!sendSafely(draft, draft.callId)) actor.send({ type: 'send.failed' });
          },
          // The machine catches a factory that throws and reports it through `reportPortFailure`.
          createPeerConnection: () => {
            const config = peerConnectionConfig();
            return guardRelayOnly(options.peerConnectionFactory(config), config, {
              gatheringTimeoutMs: options.relayGatheringTimeoutMs ?? 5_000,
              clock: options.clock ?? PLATFORM_CLOCK,
              onRefused: (refusal) =>
                events.next({
                  type: 'call-warning',
                  callId: actor.getSnapshot().context.callId,
                  error: turnRefused(refusal),
                }),
            });
          },
          ...(options.getDisplayMedia ? { getDisplayMedia: options.getDisplayMedia } : {}),
          getUserMedia: (media) => {
            try {
              return options.getUserMedia(media);
            } catch (error) {
              reportPortFailure('get-user-media', error, actor.getSnapshot().context.callId);
              throw error;
            }
          },
          // This call's id, not the current one's: a refusal can come back after the call has ended.
          reportError: (error) =>
            events.next({ type: 'call-warning', callId: actor.getSnapshot().context.callId, error }),
          candidateRejected: (cause) =>
            new HandsetError('candidate-rejected', 'the peer connection refused a remote ICE candidate', {
              cause,
            }),
          reportPortFailure,
        },
      },
    });
    actor.on('stats', (emitted) => stats.next(emitted.stats));
    actor.on('message', ({ text }) =>
      events.next({ type: 'message', callId: actor.getSnapshot().context.callId ?? '', text }),
    );
    actor.on('control.result', (result) => pending.settle(result));
    return actor;
  };

  current = newCall();
  const view = new BehaviorSubject<CallView>(callViewOf(current.getSnapshot()));

  /** The tracks of the streams in the last view given, in order: what `sameCallView` cannot see. */
  let shownTracks: readonly unknown[] = [];

  /** Follows one call from start to end; when it ends, the next call waits in `idle`. */
  function follow(actor: Actor<typeof callMachine>): void {
    currentSubscription = actor.subscribe((snapshot) => {
      // A fresh call waits in idle unseen: the last call's view stays until the next call begins.
      if (snapshot.matches('idle')) return;
      const next = callViewOf(snapshot);
      const previous = view.value;
      // Most snapshots of call setup (candidates, batch windows) change nothing the app sees. A stream it
      // shows may gain or lose a track and stay the same object (a browser adds the peer's audio and video to
      // one stream): that is a new view too.
      const tracks = [...(next.localStream?.getTracks() ?? []), ...(next.remoteStream?.getTracks() ?? [])];
      const sameTracks =
        tracks.length === shownTracks.length && tracks.every((track, index) => track === shownTracks[index]);
      if (!sameCallView(next, previous) || !sameTracks) {
        shownTracks = tracks;
        view.next(next);
      }
      if (next.state !== previous.state) {
        events.next({
          type: 'state-changed',
          callId: next.callId,
          state: next.state,
          previous: previous.state,
        });
        if (next.state === 'incoming' && next.callId && next.peerId) {
          const { callId, peerId, media, metadata } = next;
          events.next({
            type: 'incoming-call',
            callId,
            peerId,
            media,
            ...(metadata === null ? {} : { metadata }),
          });
        }
      }
      if (snapshot.status === 'done' && next.endReason) {
        pending.abandon();
        const { callId, peerId } = snapshot.context;
        if (callId && peerId) endedCalls.remember({ callId, peerId });
        events.next({ type: 'call-ended', callId: next.callId, reason: next.endReason });
        if (!disposed) {
          current = newCall();
          follow(current);
        }
      }
    });
    actor.start();
  }
  follow(current);

  const frames = options.transport.incoming$.subscribe((frame) => {
    const decoded = decodeEnvelope(frame);
    if (!decoded.ok) {
      events.next({ type: 'protocol-error', error: decoded.error });
      return;
    }
    if (decoded.envelope.to !== userId) {
      events.next({
        type: 'protocol-error',
        error: HandsetError.protocol(
          'invalid-envelope',
          `envelope addressed to ${decoded.envelope.to}, not ${userId}`,
        ),
      });
      return;
    }
    const late = endedCalls.verdict(decoded.envelope);
    if (late.kind === 'reply') sendSafely(late.hangup, late.hangup.callId);
    if (late.kind !== 'not-ended') return;
    current.send({ type: 'signal', envelope: decoded.envelope });
  });

  /** Keeps the phone's view of the link, and tells the current call when it changes. */
  function learn(next: LinkFacts): void {
    const before = linkConditionOf(link);
    link = next;
    const after = linkConditionOf(link);
    if (after !== before) current.send({ type: 'link.changed', link: after });
  }
  const statuses = options.transport.status$.subscribe((status) => {
    learn(withStatus(link, status));
    events.next({ type: 'transport-status', status });
  });
  const transportErrors = options.transport.errors$.subscribe((error) => {
    learn(withError(link, error));
    events.next({ type: 'transport-error', error });
  });

  const iceServerUpdates = options.transport.iceServers$?.subscribe((servers) => {
    transportIceServers = servers;
    if (!options.iceServers) applyIceServers();
  });

  /**
   * Fresh credentials reach a call under way too: a call that outlives its TURN credentials must still be
   * able to restart ICE through the relay. A port without `setConfiguration` keeps the ones it started with.
   */
  function applyIceServers(): void {
    const { pc, callId } = current.getSnapshot().context;
    if (!pc?.setConfiguration) return;
    try {
      pc.setConfiguration(peerConnectionConfig());
    } catch (cause) {
      const error = new HandsetError('port-failed', 'the peer connection refused new ICE servers', { cause });
      events.next({ type: 'call-warning', callId, error });
    }
  }

  function command(event: Parameters<typeof current.send>[0], what: string): void {
    if (disposed) throw HandsetError.invalidState('the phone was disposed');
    if (!current.getSnapshot().can(event)) {
      throw HandsetError.invalidState(`cannot ${what} while the call is ${view.value.state}`);
    }
    current.send(event);
  }

  return {
    userId,
    deviceId,
    makeCall(peerId, media = DEFAULT_MEDIA, callOptions = {}) {
      const check = validateEnvelope({
        v: 1,
        type: 'cancel',
        id: 'x',
        callId: 'x',
        from: userId,
        fromDevice: 'x',
        to: peerId,
      });
      if (!check.ok) throw HandsetError.invalidArgument(`peerId: ${check.error.message}`);
      // Calling one's own other device would need to be asked for explicitly; today it is a mistake.
      if (peerId === userId) throw HandsetError.invalidArgument('a phone cannot call its own user id');
      if (!media.audio && !media.video)
        throw HandsetError.invalidArgument('a call needs audio, video or both');
      const { metadata } = callOptions;
      const problem = metadata === undefined ? null : metadataProblem(metadata);
      if (problem) throw HandsetError.invalidArgument(`metadata: ${problem}`);
      const callId = nanoid();
      command(
        {
          type: 'user.call',
          callId,
          peerId,
          media,
          link: linkConditionOf(link),
          ...(metadata === undefined ? {} : { metadata }),
        },
        'make a call',
      );
      return callId;
    },
    answerCall(media) {
      // Checked here, as makeCall does: otherwise getUserMedia refuses it and the call ends `media-failed`.
      if (media && !media.audio && !media.video) {
        throw HandsetError.invalidArgument('a call needs audio, video or both');
      }
      command(media ? { type: 'user.answer', media } : { type: 'user.answer' }, 'answer');
    },
    rejectCall() {
      command({ type: 'user.reject' }, 'reject');
    },
    hangupCall() {
      if (!disposed && current.getSnapshot().can({ type: 'user.hangup' }))
        current.send({ type: 'user.hangup' });
    },
    ...controls,
    call$: view.pipe(distinctUntilChanged()),
    events$: events.asObservable(),
    stats$: stats.asObservable(),
    dispose() {
      if (disposed) return;
      disposed = true;
      // Hang up before letting go, so the peer hears of it and the camera goes off.
      if (current.getSnapshot().can({ type: 'user.hangup' })) current.send({ type: 'user.hangup' });
      frames.unsubscribe();
      statuses.unsubscribe();
      transportErrors.unsubscribe();
      iceServerUpdates?.unsubscribe();
      currentSubscription?.unsubscribe();
      current.stop();
      pending.abandon();
      view.complete();
      events.complete();
      stats.complete();
    },
  };
}

/** Convenience for apps: the state alone, without repeats. */
export function callStates(phone: Phone): Observable<CallState> {
  return phone.call$.pipe(
    map((call) => call.state),
    distinctUntilChanged(),
  );
}
