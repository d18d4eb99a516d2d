// The life of one call, from idle to ended, as a single statechart. It owns the peer connection, the
// local media and the ICE trickle; the ports it is given are its only way to touch the world.
import { and, assign, cancel, or, raise, setup, stateIn } from 'xstate';
import type { EndCode, EndReason } from './end-reason.js';
import type { HandsetError } from './errors.js';
import {
  acquireMedia,
  answerRenegotiation,
  applyRemoteAnswer,
  createAnswer,
  createOffer,
  createRenegotiationOffer,
  type PeerConnectionSignal,
  RemoteDescriptionError,
  type RenegotiationOutput,
  stopTracks,
  watchPeerConnection,
} from './negotiation.js';
import type { GetUserMedia, MediaStreamPort, PeerConnectionPort } from './ports.js';
import type {
  Envelope,
  EnvelopeDraft,
  HangupReason,
  IceCandidateInit,
  MediaKinds,
  SessionDescription,
} from './protocol.js';
import { type RemoteEvent, routeEnvelope } from './signal-routing.js';

export interface CallTimeouts {
  /** How long the caller waits for an answer; also the lifetime written into the invite. */
  inviteMs: number;
  /** From answer to ICE connected. */
  connectMs: number;
  /** How long ICE may stay `disconnected` before an ICE restart starts. */
  iceDisconnectGraceMs: number;
  /** How long one ICE restart may take before the next one (or giving up). */
  iceRestartMs: number;
  /** Local candidates gathered within this window travel in one message. */
  candidateBatchMs: number;
}

export const DEFAULT_TIMEOUTS: CallTimeouts = {
  inviteMs: 30_000,
  connectMs: 30_000,
  iceDisconnectGraceMs: 2_000,
  iceRestartMs: 10_000,
  candidateBatchMs: 20,
};

export interface CallSettings {
  readonly userId: string;
  readonly deviceId: string;
  readonly timeouts: CallTimeouts;
  /** ICE restarts tried, one after another, before the call ends as `connection-failed`. */
  readonly maxIceRestarts: number;
}

/** What the machine may do to the world. The phone builds these from the user's options. */
export interface CallPorts {
  /** Sends a message; the port adds the protocol version and a message id. Never throws. */
  send(draft: EnvelopeDraft): void;
  createPeerConnection(): PeerConnectionPort;
  getUserMedia: GetUserMedia;
  /** Problems that do not end the call (a remote candidate refused...) but that the app should hear of. */
  reportError(error: HandsetError): void;
  candidateRejected(error: unknown): HandsetError;
}

export interface CallInput {
  settings: CallSettings;
  ports: CallPorts;
}

export type CallDirection = 'outgoing' | 'incoming';

export interface CallContext {
  readonly settings: CallSettings;
  readonly ports: CallPorts;
  callId: string | null;
  direction: CallDirection | null;
  peerId: string | null;
  peerDevice: string | null;
  media: MediaKinds;
  /** The caller's offer, kept from the invite until the user answers. */
  remoteOfferSdp: string | null;
  /** How long the invite we are ringing for still has to live, measured on arrival. */
  inviteRemainingMs: number;
  pc: PeerConnectionPort | null;
  localStream: MediaStreamPort | null;
  remoteStream: MediaStreamPort | null;
  /** Remote candidates that arrived before the remote description they belong to. */
  pendingRemoteCandidates: IceCandidateInit[];
  /** Local candidates waiting for the batch window to close (or for our description to be sent). */
  queuedLocalCandidates: IceCandidateInit[];
  /** The last local candidate has been gathered; the next batch carries `end: true`. */
  localGatheringComplete: boolean;
  iceRestartAttempts: number;
  endReason: EndReason | null;
}

export type UserEvent =
  | { type: 'user.call'; callId: string; peerId: string; media: MediaKinds }
  | { type: 'user.answer'; media?: MediaKinds }
  | { type: 'user.reject' }
  | { type: 'user.hangup' };

export type CallEvent =
  | UserEvent
  | { type: 'signal'; envelope: Envelope }
  | RemoteEvent
  | PeerConnectionSignal
  | { type: 'candidates.flush' }
  | { type: 'negotiation.restartIce' };

const HANGUP_END_CODES: Record<HangupReason, EndCode> = {
  normal: 'hangup',
  'connection-failed': 'connection-failed',
  'negotiation-failed': 'negotiation-failed',
  'protocol-error': 'protocol-error',
  'media-failed': 'media-failed',
};

type Ctx = { context: CallContext };
type Args = { context: CallContext; event: CallEvent };

/** The error an `onError` transition carries, as an action parameter. */
const errorOf = ({ event }: { event: { error: unknown } }) => event.error;

/** We are calling and nobody has answered yet: the window in which invites can cross. */
const awaitingAnswer = or([stateIn('#call.active.acquiringMedia'), stateIn('#call.active.outgoing')]);

/** The header every message of this call carries. */
function toPeer(context: CallContext) {
  return {
    callId: context.callId!,
    from: context.settings.userId,
    fromDevice: context.settings.deviceId,
    to: context.peerId!,
    ...(context.peerDevice ? { toDevice: context.peerDevice } : {}),
  };
}

function ended(code: EndCode, by: EndReason['by'], detail?: string): EndReason {
  return detail === undefined ? { code, by } : { code, by, detail };
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function sendHangup(reason: HangupReason) {
  return ({ context }: Ctx) => context.ports.send({ type: 'hangup', ...toPeer(context), reason });
}

function addRemoteCandidates(context: CallContext, candidates: readonly IceCandidateInit[]): void {
  const pc = context.pc!;
  for (const candidate of candidates) {
    // A candidate the connection refuses (garbage from the peer, or one for a stale ICE generation)
    // must not end the call: other candidates may still connect it.
    pc.addIceCandidate(candidate).catch((error: unknown) =>
      context.ports.reportError(context.ports.candidateRejected(error)),
    );
  }
}

export const callMachine = setup({
  types: {
    context: {} as CallContext,
    events: {} as CallEvent,
    input: {} as CallInput,
  },
  actors: {
    acquireMedia,
    createOffer,
    createAnswer,
    applyRemoteAnswer,
    createRenegotiationOffer,
    answerRenegotiation,
    watchPeerConnection,
  },
  delays: {
    inviteTimeout: ({ context }) => context.settings.timeouts.inviteMs,
    inviteLifetime: ({ context }) => context.inviteRemainingMs,
    connectTimeout: ({ context }) => context.settings.timeouts.connectMs,
    iceDisconnectGrace: ({ context }) => context.settings.timeouts.iceDisconnectGraceMs,
    iceRestartTimeout: ({ context }) => context.settings.timeouts.iceRestartMs,
    candidateBatchWindow: ({ context }) => context.settings.timeouts.candidateBatchMs,
  },
  guards: {
    isInviteAlive: ({ event }: Args) =>
      event.type === 'remote.invite' && remainingLifetime(event.envelope) > 0,
    isInviteFromPeer: ({ context, event }: Args) =>
      event.type === 'remote.invite' && event.envelope.from === context.peerId,
    /** Glare rule: of two crossing invites, the one with the lesser call id is the call. */
    hasLesserCallId: ({ context, event }: Args) =>
      event.type === 'remote.invite' && context.callId !== null && event.envelope.callId < context.callId,
    isRepeatOfThisCall: ({ context, event }: Args) =>
      event.type === 'remote.invite' && event.envelope.callId === context.callId,
    isPermissionDenied: ({ event }: Args) =>
      'error' in event &&
      ['NotAllowedError', 'PermissionDeniedError', 'SecurityError'].includes(errorName(event.error) ?? ''),
    isRemoteDescriptionRefused: ({ event }: Args) =>
      'error' in event && event.error instanceof RemoteDescriptionError,
    hasLocalMedia: ({ context }: Args) => context.localStream !== null,
    isDeclined: ({ event }: Args) => event.type === 'remote.reject' && event.envelope.reason === 'declined',
    isAnsweredElsewhere: ({ context, event }: Args) =>
      event.type === 'remote.answerSelected' && event.envelope.selectedDevice !== context.settings.deviceId,
    isIceUp: ({ event }: Args) =>
      event.type === 'pc.iceState' && (event.state === 'connected' || event.state === 'completed'),
    isIceAlreadyUp: ({ context }: Args) =>
      context.pc?.iceConnectionState === 'connected' || context.pc?.iceConnectionState === 'completed',
    isIceDisconnected: ({ event }: Args) => event.type === 'pc.iceState' && event.state === 'disconnected',
    isIceFailed: ({ event }: Args) => event.type === 'pc.iceState' && event.state === 'failed',
    hasIceRestartsLeft: ({ context }: Args) => context.iceRestartAttempts < context.settings.maxIceRestarts,
    isRemoteOffer: ({ event }: Args) =>
      event.type === 'remote.negotiate' && event.envelope.description.type === 'offer',
    isRemoteAnswer: ({ event }: Args) =>
      event.type === 'remote.negotiate' && event.envelope.description.type === 'answer',
    /** Perfect negotiation: the callee yields to the caller's offer when both offer at once. */
    isPolitePeer: ({ context }: Args) => context.direction === 'incoming',
    hasQueuedCandidates: ({ context }: Args) =>
      context.queuedLocalCandidates.length > 0 || context.localGatheringComplete,
  },
  actions: {
    /** Hands a validated envelope to this call as a typed `remote.*` event, or drops it if it is not ours. */
    routeSignal: ({ context, event, self }) => {
      if (event.type !== 'signal') return;
      const routed = routeEnvelope(
        {
          deviceId: context.settings.deviceId,
          callId: context.callId,
          peerId: context.peerId,
          peerDevice: context.peerDevice,
        },
        event.envelope,
      );
      if (routed) self.send(routed);
    },
    startOutgoingCall: assign(({ event }) => {
      if (event.type !== 'user.call') return {};
      return {
        callId: event.callId,
        peerId: event.peerId,
        media: event.media,
        direction: 'outgoing' as const,
      };
    }),
    acceptIncomingInvite: assign(({ event }) => {
      if (event.type !== 'remote.invite') return {};
      const invite = event.envelope;
      return {
        callId: invite.callId,
        peerId: invite.from,
        peerDevice: invite.fromDevice,
        media: invite.media,
        direction: 'incoming' as const,
        remoteOfferSdp: invite.sdp,
        inviteRemainingMs: remainingLifetime(invite),
      };
    }),
    /** Glare lost: our own invite is dropped and the peer's becomes the call, answered without asking. */
    adoptCrossingInvite: assign(({ event }) => {
      if (event.type !== 'remote.invite') return {};
      const invite = event.envelope;
      return {
        callId: invite.callId,
        peerDevice: invite.fromDevice,
        direction: 'incoming' as const,
        remoteOfferSdp: invite.sdp,
        pendingRemoteCandidates: [],
        queuedLocalCandidates: [],
        localGatheringComplete: false,
      };
    }),
    chooseMedia: assign({
      media: ({ context, event }) =>
        event.type === 'user.answer' && event.media ? event.media : context.media,
    }),
    createPeerConnection: assign({ pc: ({ context }) => context.ports.createPeerConnection() }),
    closePeerConnection: ({ context }) => context.pc?.close(),
    storeLocalStream: assign((_, stream: MediaStreamPort) => ({ localStream: stream })),
    stopLocalMedia: ({ context }) => stopTracks(context.localStream),
    storeRemoteStream: assign({
      remoteStream: ({ context, event }) => (event.type === 'pc.track' ? event.stream : context.remoteStream),
    }),
    sendInvite: ({ context }, offer: SessionDescription) => {
      context.ports.send({
        type: 'invite',
        ...toPeer(context),
        sdp: offer.sdp,
        media: context.media,
        lifetimeMs: context.settings.timeouts.inviteMs,
      });
    },
    sendRinging: ({ context }) => context.ports.send({ type: 'ringing', ...toPeer(context) }),
    sendAnswer: ({ context }, answer: SessionDescription) =>
      context.ports.send({ type: 'answer', ...toPeer(context), sdp: answer.sdp }),
    /** Binds the call to the device that answered first and tells the callee's other devices to stop. */
    bindAnsweringDevice: assign({
      peerDevice: ({ context, event }) =>
        event.type === 'remote.answer' ? event.envelope.fromDevice : context.peerDevice,
    }),
    announceSelectedAnswer: ({ context }) =>
      context.ports.send({
        type: 'answer-selected',
        callId: context.callId!,
        from: context.settings.userId,
        fromDevice: context.settings.deviceId,
        to: context.peerId!,
        selectedDevice: context.peerDevice!,
      }),
    sendDeclined: ({ context }) =>
      context.ports.send({ type: 'reject', ...toPeer(context), reason: 'declined' }),
    sendCancel: ({ context }) => {
      const { toDevice: _anyDevice, ...header } = toPeer(context);
      context.ports.send({ type: 'cancel', ...header });
    },
    replyBusy: ({ context, event }) => {
      if (event.type !== 'remote.invite') return;
      const invite = event.envelope;
      context.ports.send({
        type: 'reject',
        callId: invite.callId,
        from: context.settings.userId,
        fromDevice: context.settings.deviceId,
        to: invite.from,
        toDevice: invite.fromDevice,
        reason: 'busy',
      });
    },
    sendHangup: sendHangup('normal'),
    sendHangupConnectionFailed: sendHangup('connection-failed'),
    sendHangupNegotiationFailed: sendHangup('negotiation-failed'),
    sendHangupProtocolError: sendHangup('protocol-error'),
    sendHangupMediaFailed: sendHangup('media-failed'),
    sendNegotiation: ({ context }, { description, iceRestart }: RenegotiationOutput) =>
      context.ports.send({ type: 'negotiate', ...toPeer(context), description, iceRestart }),
    queueLocalCandidate: assign({
      queuedLocalCandidates: ({ context, event }) =>
        event.type === 'pc.candidate'
          ? [...context.queuedLocalCandidates, event.candidate]
          : context.queuedLocalCandidates,
    }),
    markGatheringComplete: assign({ localGatheringComplete: true }),
    /**
     * A window opened earlier may still be pending though its candidates already left with our
     * description. XState does not clear a timer whose delayed-event id is reused: the old one would
     * outlive the call, so it is cancelled before a new window opens.
     */
    cancelCandidateFlush: cancel('candidates.flush'),
    /** Opens the batch window; candidates gathered while it is open ride along. */
    scheduleCandidateFlush: raise({ type: 'candidates.flush' } as const, {
      delay: 'candidateBatchWindow',
      id: 'candidates.flush',
    }),
    sendQueuedCandidates: ({ context }) => {
      if (context.queuedLocalCandidates.length === 0 && !context.localGatheringComplete) return;
      context.ports.send({
        type: 'candidates',
        ...toPeer(context),
        candidates: context.queuedLocalCandidates,
        end: context.localGatheringComplete,
      });
    },
    clearQueuedCandidates: assign({ queuedLocalCandidates: [], localGatheringComplete: false }),
    bufferRemoteCandidates: assign({
      pendingRemoteCandidates: ({ context, event }) =>
        event.type === 'remote.candidates'
          ? [...context.pendingRemoteCandidates, ...event.envelope.candidates]
          : context.pendingRemoteCandidates,
    }),
    addRemoteCandidates: ({ context, event }) => {
      if (event.type === 'remote.candidates') addRemoteCandidates(context, event.envelope.candidates);
    },
    addBufferedRemoteCandidates: ({ context }) =>
      addRemoteCandidates(context, context.pendingRemoteCandidates),
    clearBufferedRemoteCandidates: assign({ pendingRemoteCandidates: [] }),
    countIceRestart: assign({ iceRestartAttempts: ({ context }) => context.iceRestartAttempts + 1 }),
    resetIceRestarts: assign({ iceRestartAttempts: 0 }),
    requestIceRestart: raise({ type: 'negotiation.restartIce' } as const),
    endCancelledByUs: assign({ endReason: ended('cancelled', 'local') }),
    endCancelledByPeer: assign({ endReason: ended('cancelled', 'remote') }),
    endDeclinedByUs: assign({ endReason: ended('declined', 'local') }),
    endRejectedByPeer: assign({
      endReason: ({ event }) =>
        ended(
          event.type === 'remote.reject' && event.envelope.reason === 'busy' ? 'busy' : 'declined',
          'remote',
        ),
    }),
    endNoAnswer: assign({ endReason: ended('no-answer', 'local') }),
    endMissed: assign({ endReason: ended('no-answer', 'remote') }),
    endUnavailable: assign({ endReason: ended('unavailable', 'remote') }),
    endAnsweredElsewhere: assign({ endReason: ended('answered-elsewhere', 'remote') }),
    endHungUpByUs: assign({ endReason: ended('hangup', 'local') }),
    endHungUpByPeer: assign({
      endReason: ({ event }) =>
        ended(event.type === 'remote.hangup' ? HANGUP_END_CODES[event.envelope.reason] : 'hangup', 'remote'),
    }),
    endMediaDenied: assign((_, error: unknown) => ({
      endReason: ended('media-denied', 'local', errorName(error)),
    })),
    endMediaFailed: assign((_, error: unknown) => ({
      endReason: ended('media-failed', 'local', errorName(error)),
    })),
    endNegotiationFailed: assign({ endReason: ended('negotiation-failed', 'local') }),
    endProtocolError: assign({ endReason: ended('protocol-error', 'remote') }),
    endConnectionFailed: assign({ endReason: ended('connection-failed', 'local') }),
  },
}).createMachine({
  id: 'call',
  context: ({ input }) => ({
    settings: input.settings,
    ports: input.ports,
    callId: null,
    direction: null,
    peerId: null,
    peerDevice: null,
    media: { audio: true, video: true },
    remoteOfferSdp: null,
    inviteRemainingMs: 0,
    pc: null,
    localStream: null,
    remoteStream: null,
    pendingRemoteCandidates: [],
    queuedLocalCandidates: [],
    localGatheringComplete: false,
    iceRestartAttempts: 0,
    endReason: null,
  }),
  on: { signal: { actions: 'routeSignal' } },
  initial: 'idle',
  states: {
    idle: {
      on: {
        'user.call': { target: 'active.acquiringMedia', actions: 'startOutgoingCall' },
        'remote.invite': {
          guard: 'isInviteAlive',
          target: 'active.incoming',
          actions: 'acceptIncomingInvite',
        },
      },
    },
    active: {
      entry: 'createPeerConnection',
      exit: 'closePeerConnection',
      invoke: { src: 'watchPeerConnection', input: ({ context }) => ({ pc: context.pc! }) },
      on: {
        'remote.invite': [
          {
            guard: and([awaitingAnswer, 'isInviteFromPeer', 'hasLesserCallId']),
            target: '.answering',
            reenter: true,
            // Our dropped invite may be ringing the peer's other devices: cancel it before moving on.
            actions: ['sendCancel', 'adoptCrossingInvite'],
          },
          // Glare won, or the same invite delivered twice: nothing to say.
          { guard: and([awaitingAnswer, 'isInviteFromPeer']) },
          { guard: 'isRepeatOfThisCall' },
          { actions: 'replyBusy' },
        ],
        'remote.hangup': { target: 'ended', actions: 'endHungUpByPeer' },
        'remote.cancel': { target: 'ended', actions: 'endCancelledByPeer' },
        'remote.candidates': { actions: 'bufferRemoteCandidates' },
        'pc.candidate': [
          { guard: 'hasQueuedCandidates', actions: 'queueLocalCandidate' },
          { actions: ['queueLocalCandidate', 'cancelCandidateFlush', 'scheduleCandidateFlush'] },
        ],
        'pc.candidatesEnd': [
          { guard: 'hasQueuedCandidates', actions: 'markGatheringComplete' },
          { actions: ['markGatheringComplete', 'cancelCandidateFlush', 'scheduleCandidateFlush'] },
        ],
        'candidates.flush': { actions: ['sendQueuedCandidates', 'clearQueuedCandidates'] },
        'pc.track': { actions: 'storeRemoteStream' },
        'user.hangup': { target: 'ended', actions: ['sendHangup', 'endHungUpByUs'] },
      },
      initial: 'acquiringMedia',
      states: {
        acquiringMedia: {
          invoke: {
            src: 'acquireMedia',
            input: ({ context }) => ({ getUserMedia: context.ports.getUserMedia, media: context.media }),
            onDone: {
              target: 'outgoing',
              actions: { type: 'storeLocalStream', params: ({ event }) => event.output },
            },
            onError: [
              {
                guard: 'isPermissionDenied',
                target: '#call.ended',
                actions: { type: 'endMediaDenied', params: errorOf },
              },
              { target: '#call.ended', actions: { type: 'endMediaFailed', params: errorOf } },
            ],
          },
          on: { 'user.hangup': { target: '#call.ended', actions: 'endCancelledByUs' } },
        },
        outgoing: {
          after: { inviteTimeout: { target: '#call.ended', actions: ['sendCancel', 'endNoAnswer'] } },
          on: {
            'user.hangup': { target: '#call.ended', actions: ['sendCancel', 'endCancelledByUs'] },
            'remote.reject': { target: '#call.ended', actions: ['sendCancel', 'endRejectedByPeer'] },
            'remote.unavailable': { target: '#call.ended', actions: 'endUnavailable' },
            'remote.answer': {
              target: 'connecting',
              actions: ['bindAnsweringDevice', 'announceSelectedAnswer'],
            },
          },
          initial: 'dialing',
          states: {
            dialing: {
              initial: 'creatingOffer',
              states: {
                creatingOffer: {
                  invoke: {
                    src: 'createOffer',
                    input: ({ context }) => ({ pc: context.pc!, stream: context.localStream! }),
                    onDone: {
                      target: 'inviting',
                      actions: [
                        { type: 'sendInvite', params: ({ event }) => event.output },
                        'sendQueuedCandidates',
                        'clearQueuedCandidates',
                      ],
                    },
                    onError: { target: '#call.ended', actions: 'endNegotiationFailed' },
                  },
                  on: {
                    // Nothing was sent yet: the peer needs no word from us.
                    'user.hangup': { target: '#call.ended', actions: 'endCancelledByUs' },
                    // Candidates wait until the invite carrying our offer is out.
                    'candidates.flush': {},
                  },
                },
                inviting: {
                  on: { 'remote.ringing': { target: '#call.active.outgoing.ringing' } },
                },
              },
            },
            ringing: {},
          },
        },
        incoming: {
          entry: 'sendRinging',
          after: { inviteLifetime: { target: '#call.ended', actions: 'endMissed' } },
          on: {
            'user.answer': { target: 'answering', actions: 'chooseMedia' },
            'user.reject': { target: '#call.ended', actions: ['sendDeclined', 'endDeclinedByUs'] },
            'user.hangup': { target: '#call.ended', actions: ['sendDeclined', 'endDeclinedByUs'] },
            'remote.answerSelected': {
              guard: 'isAnsweredElsewhere',
              target: '#call.ended',
              actions: 'endAnsweredElsewhere',
            },
          },
        },
        answering: {
          on: {
            'remote.answerSelected': {
              guard: 'isAnsweredElsewhere',
              target: '#call.ended',
              actions: 'endAnsweredElsewhere',
            },
            'candidates.flush': {},
          },
          initial: 'acquiringMedia',
          states: {
            acquiringMedia: {
              always: { guard: 'hasLocalMedia', target: 'creatingAnswer' },
              invoke: {
                src: 'acquireMedia',
                input: ({ context }) => ({ getUserMedia: context.ports.getUserMedia, media: context.media }),
                onDone: {
                  target: 'creatingAnswer',
                  actions: { type: 'storeLocalStream', params: ({ event }) => event.output },
                },
                onError: [
                  {
                    guard: 'isPermissionDenied',
                    target: '#call.ended',
                    actions: ['sendHangupMediaFailed', { type: 'endMediaDenied', params: errorOf }],
                  },
                  {
                    target: '#call.ended',
                    actions: ['sendHangupMediaFailed', { type: 'endMediaFailed', params: errorOf }],
                  },
                ],
              },
            },
            creatingAnswer: {
              invoke: {
                src: 'createAnswer',
                input: ({ context }) => ({
                  pc: context.pc!,
                  stream: context.localStream!,
                  offerSdp: context.remoteOfferSdp!,
                }),
                onDone: {
                  target: '#call.active.connecting.checking',
                  actions: [
                    { type: 'sendAnswer', params: ({ event }) => event.output },
                    'sendQueuedCandidates',
                    'clearQueuedCandidates',
                    'addBufferedRemoteCandidates',
                    'clearBufferedRemoteCandidates',
                  ],
                },
                onError: [
                  {
                    guard: 'isRemoteDescriptionRefused',
                    target: '#call.ended',
                    actions: ['sendHangupProtocolError', 'endProtocolError'],
                  },
                  { target: '#call.ended', actions: ['sendHangupNegotiationFailed', 'endNegotiationFailed'] },
                ],
              },
            },
          },
        },
        connecting: {
          after: {
            connectTimeout: {
              target: '#call.ended',
              actions: ['sendHangupConnectionFailed', 'endConnectionFailed'],
            },
          },
          initial: 'applyingAnswer',
          states: {
            applyingAnswer: {
              invoke: {
                src: 'applyRemoteAnswer',
                input: ({ context, event }) => ({
                  pc: context.pc!,
                  sdp: event.type === 'remote.answer' ? event.envelope.sdp : '',
                }),
                onDone: {
                  target: 'checking',
                  actions: ['addBufferedRemoteCandidates', 'clearBufferedRemoteCandidates'],
                },
                onError: { target: '#call.ended', actions: ['sendHangupProtocolError', 'endProtocolError'] },
              },
            },
            checking: {
              always: { guard: 'isIceAlreadyUp', target: '#call.active.connected' },
              on: {
                'remote.candidates': { actions: 'addRemoteCandidates' },
                'pc.iceState': [
                  { guard: 'isIceUp', target: '#call.active.connected' },
                  {
                    guard: 'isIceFailed',
                    target: '#call.ended',
                    actions: ['sendHangupConnectionFailed', 'endConnectionFailed'],
                  },
                ],
              },
            },
          },
        },
        connected: {
          type: 'parallel',
          on: { 'remote.candidates': { actions: 'addRemoteCandidates' } },
          states: {
            ice: {
              initial: 'stable',
              states: {
                stable: {
                  on: {
                    'pc.iceState': [
                      { guard: 'isIceDisconnected', target: 'interrupted' },
                      { guard: 'isIceFailed', target: 'reconnecting' },
                    ],
                  },
                },
                interrupted: {
                  after: { iceDisconnectGrace: 'reconnecting' },
                  on: {
                    'pc.iceState': [
                      { guard: 'isIceUp', target: 'stable' },
                      { guard: 'isIceFailed', target: 'reconnecting' },
                    ],
                  },
                },
                reconnecting: {
                  entry: ['countIceRestart', 'requestIceRestart'],
                  after: {
                    iceRestartTimeout: [
                      { guard: 'hasIceRestartsLeft', target: 'reconnecting', reenter: true },
                      {
                        target: '#call.ended',
                        actions: ['sendHangupConnectionFailed', 'endConnectionFailed'],
                      },
                    ],
                  },
                  on: { 'pc.iceState': { guard: 'isIceUp', target: 'stable', actions: 'resetIceRestarts' } },
                },
              },
            },
            negotiation: {
              initial: 'stable',
              states: {
                stable: {
                  on: {
                    'negotiation.restartIce': 'offering',
                    'pc.negotiationNeeded': 'offering',
                    'remote.negotiate': { guard: 'isRemoteOffer', target: 'answering' },
                  },
                },
                offering: {
                  invoke: {
                    src: 'createRenegotiationOffer',
                    input: ({ context, event }) => ({
                      pc: context.pc!,
                      iceRestart: event.type === 'negotiation.restartIce',
                    }),
                    onDone: {
                      target: 'awaitingAnswer',
                      actions: { type: 'sendNegotiation', params: ({ event }) => event.output },
                    },
                    onError: {
                      target: '#call.ended',
                      actions: ['sendHangupNegotiationFailed', 'endNegotiationFailed'],
                    },
                  },
                  on: {
                    'remote.negotiate': {
                      guard: and(['isRemoteOffer', 'isPolitePeer']),
                      target: 'answering',
                    },
                  },
                },
                awaitingAnswer: {
                  on: {
                    'remote.negotiate': [
                      { guard: 'isRemoteAnswer', target: 'applyingAnswer' },
                      // Offers crossed: the polite side yields, the impolite side ignores the peer's offer.
                      { guard: and(['isRemoteOffer', 'isPolitePeer']), target: 'answering' },
                    ],
                    // The previous restart offer got no answer (signaling was down too): offer again.
                    'negotiation.restartIce': 'offering',
                  },
                },
                applyingAnswer: {
                  invoke: {
                    src: 'applyRemoteAnswer',
                    input: ({ context, event }) => ({
                      pc: context.pc!,
                      sdp: event.type === 'remote.negotiate' ? event.envelope.description.sdp : '',
                    }),
                    onDone: 'stable',
                    onError: {
                      target: '#call.ended',
                      actions: ['sendHangupProtocolError', 'endProtocolError'],
                    },
                  },
                },
                answering: {
                  invoke: {
                    src: 'answerRenegotiation',
                    input: ({ context, event }) => ({
                      pc: context.pc!,
                      sdp: event.type === 'remote.negotiate' ? event.envelope.description.sdp : '',
                    }),
                    onDone: {
                      target: 'stable',
                      actions: { type: 'sendNegotiation', params: ({ event }) => event.output },
                    },
                    onError: [
                      {
                        guard: 'isRemoteDescriptionRefused',
                        target: '#call.ended',
                        actions: ['sendHangupProtocolError', 'endProtocolError'],
                      },
                      {
                        target: '#call.ended',
                        actions: ['sendHangupNegotiationFailed', 'endNegotiationFailed'],
                      },
                    ],
                  },
                },
              },
            },
          },
        },
      },
    },
    ended: {
      type: 'final',
      entry: 'stopLocalMedia',
    },
  },
  output: ({ context }) => context.endReason,
});

/** What is left of an invite's lifetime, measured from when it was sent; clock skew plays no part. */
export function remainingLifetime(invite: { lifetimeMs: number; ageMs?: number | undefined }): number {
  return invite.lifetimeMs - (invite.ageMs ?? 0);
}
