// The call machine's vocabulary: every action, guard, actor and delay the chart (call-machine.ts) refers
// to by name, implemented once here.
import { assertEvent, assign, emit, enqueueActions, raise, setup } from 'xstate';
import type { EndCode, EndedBy, EndReason } from '../end-reason.js';
import { HandsetError } from '../errors.js';
import type { PeerConnectionPort } from '../ports.js';
import type { HangupReason, IceCandidateInit, SessionDescription } from '../protocol.js';
import {
  answerOf,
  answerSelectedOf,
  busyReplyTo,
  cancelOf,
  candidateBatchesOf,
  declineOf,
  hangupOf,
  inviteOf,
  negotiationOf,
  ringingOf,
} from './call-messages.js';
import { type CallContext, type CallInput, MAX_BUFFERED_REMOTE_CANDIDATES } from './context.js';
import type { CallEmitted, CallEvent } from './events.js';
import { errorName, guards, remainingLifetime } from './guards.js';
import {
  openCamera,
  openDevice,
  openScreen,
  stopAllTracks,
  watchDataChannel,
  watchLocalTracks,
} from './in-call-media.js';
import { defaultMediaState } from './local-media.js';
import {
  acquireMedia,
  answerRenegotiation,
  applyRemoteAnswer,
  createAnswer,
  createOffer,
  createRenegotiationOffer,
  type RenegotiationOutput,
  watchPeerConnection,
} from './negotiation.js';
import { routeEnvelope } from './signal-routing.js';
import { sampleCallStats } from './stats-sampler.js';

export interface EndParams {
  code: EndCode;
  by: EndedBy;
  detail?: string | undefined;
}

const HANGUP_END_CODES: Record<HangupReason, EndCode> = {
  normal: 'hangup',
  'connection-failed': 'connection-failed',
  'negotiation-failed': 'negotiation-failed',
  'protocol-error': 'protocol-error',
  'media-failed': 'media-failed',
};

/** The end the peer announced: its hang-up reason, or its reject reason. */
export const endAsPeerSaid = ({ event }: { event: CallEvent }): EndParams => {
  assertEvent(event, ['remote.hangup', 'remote.reject']);
  if (event.type === 'remote.hangup') return { code: HANGUP_END_CODES[event.envelope.reason], by: 'remote' };
  return { code: event.envelope.reason === 'busy' ? 'busy' : 'declined', by: 'remote' };
};

/** A getUserMedia failure, with the platform's error name as detail. */
export const endWithMediaError =
  (code: 'media-denied' | 'media-failed') =>
  ({ event }: { event: { error?: unknown } }): EndParams => ({
    code,
    by: 'local',
    detail: errorName(event.error),
  });

/** The chart's shorthand for the `end` action with a fixed reason. */
export const endWith = (code: EndCode, by: EndedBy) => ({ type: 'end', params: { code, by } }) as const;

/** The chart's shorthand for: tell the peer why we hang up, then end with the matching reason. */
export const hangUpWith = (reason: HangupReason, code: EndCode, by: EndedBy) =>
  [{ type: 'sendHangup', params: { reason } }, endWith(code, by)] as const;

/** The output of a promise actor, as an action parameter. */
export const outputOf = <T>({ event }: { event: { output: T } }): T => event.output;

function addRemoteCandidates(context: CallContext, candidates: readonly IceCandidateInit[]): void {
  const pc = context.pc!;
  const refused = (error: unknown) => context.ports.reportError(context.ports.candidateRejected(error));
  for (const candidate of candidates) {
    // A candidate the connection refuses (garbage from the peer, or one for a stale ICE generation)
    // must not end the call: other candidates may still connect it. Some platforms throw instead of rejecting.
    try {
      pc.addIceCandidate(candidate).catch(refused);
    } catch (error) {
      refused(error);
    }
  }
}

export const callSetupBase = setup({
  types: {
    context: {} as CallContext,
    events: {} as CallEvent,
    input: {} as CallInput,
    emitted: {} as CallEmitted,
  },
  actors: {
    acquireMedia,
    createOffer,
    createAnswer,
    applyRemoteAnswer,
    createRenegotiationOffer,
    answerRenegotiation,
    watchPeerConnection,
    sampleCallStats,
    openCamera,
    openScreen,
    openDevice,
    watchLocalTracks,
    watchDataChannel,
  },
  delays: {
    inviteTimeout: ({ context }) => context.settings.timeouts.inviteMs,
    inviteLifetime: ({ context }) => context.inviteRemainingMs,
    connectTimeout: ({ context }) => context.settings.timeouts.connectMs,
    iceDisconnectGrace: ({ context }) => context.settings.timeouts.iceDisconnectGraceMs,
    iceRestartTimeout: ({ context }) => context.settings.timeouts.iceRestartMs,
    peerIceRestartWait: ({ context }) => context.settings.timeouts.peerIceRestartWaitMs,
    candidateBatchWindow: ({ context }) => context.settings.timeouts.candidateBatchMs,
    signalingWait: ({ context }) => context.settings.timeouts.signalingWaitMs,
    renegotiationTimeout: ({ context }) => context.settings.timeouts.renegotiationMs,
    answerMediaTimeout: ({ context }) => context.settings.timeouts.answerMediaMs,
    busyReplyWindow: ({ context }) => context.settings.timeouts.busyReplyIntervalMs,
  },
  guards,
  actions: {
    /** Hands a validated envelope to this call as a typed `remote.*` event, or drops it if it is not ours. */
    routeSignal: ({ context, event, self }) => {
      assertEvent(event, 'signal');
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
      assertEvent(event, 'user.call');
      return {
        callId: event.callId,
        peerId: event.peerId,
        media: event.media,
        direction: 'outgoing' as const,
        metadata: event.metadata ?? null,
        // Until the callee says otherwise, it is taken to send what was asked for (not what this side later sends).
        remoteMedia: defaultMediaState(event.media),
      };
    }),
    acceptIncomingInvite: assign(({ event }) => {
      assertEvent(event, 'remote.invite');
      const invite = event.envelope;
      return {
        callId: invite.callId,
        peerId: invite.from,
        peerDevice: invite.fromDevice,
        media: invite.media,
        direction: 'incoming' as const,
        remoteOfferSdp: invite.sdp,
        inviteRemainingMs: remainingLifetime(invite),
        metadata: invite.metadata ?? null,
        // Until the caller says otherwise, it sends what it asked for, whatever this side answers with.
        remoteMedia: defaultMediaState(invite.media),
      };
    }),
    /** Glare lost: our own invite is dropped and the peer's becomes the call, answered without asking. */
    adoptCrossingInvite: assign(({ event }) => {
      assertEvent(event, 'remote.invite');
      const invite = event.envelope;
      return {
        callId: invite.callId,
        peerDevice: invite.fromDevice,
        direction: 'incoming' as const,
        remoteOfferSdp: invite.sdp,
        metadata: invite.metadata ?? null,
        remoteMedia: defaultMediaState(invite.media),
        pendingRemoteCandidates: [],
        queuedLocalCandidates: [],
        localGatheringComplete: false,
      };
    }),
    chooseMedia: assign(({ context, event }) => {
      assertEvent(event, 'user.answer');
      return { media: event.media ?? context.media };
    }),
    /**
     * A factory that throws (a browser refuses a malformed `iceServers` URL in the constructor) must not
     * take the app down: the call is told, and ends.
     */
    createPeerConnection: enqueueActions(({ context, enqueue }) => {
      let pc: PeerConnectionPort;
      try {
        pc = context.ports.createPeerConnection();
      } catch (error) {
        enqueue.raise({ type: 'port.failed', port: 'peer-connection', error });
        return;
      }
      enqueue.assign({ pc });
      // The message channel, made the same way by both sides (negotiated, id 0): it is in the first offer
      // and opens with the connection, without a round trip of its own. Without one, messages are unavailable.
      try {
        enqueue.assign({
          channel: pc.createDataChannel('handset', { negotiated: true, id: 0, ordered: true }),
        });
      } catch (cause) {
        context.ports.reportError(
          new HandsetError('port-failed', 'the peer connection refused the message channel', { cause }),
        );
      }
    }),
    reportPortFailure: ({ context, event }) => {
      assertEvent(event, 'port.failed');
      context.ports.reportPortFailure(event.port, event.error, context.callId);
    },
    /** A close() that throws must not keep the call from ending: the app gets a warning instead. */
    closePeerConnection: ({ context }) => {
      try {
        context.channel?.close();
        context.pc?.close();
      } catch (cause) {
        context.ports.reportError(
          new HandsetError('port-failed', 'the peer connection threw on close()', { cause }),
        );
      }
    },
    /** Local media arrived: its tracks are the call's, watched for a device that goes away. */
    storeLocalStream: enqueueActions(({ context, enqueue }, stream: MediaStreamPortParam) => {
      const tracks = stream.getTracks();
      const local = {
        ...context.tracks,
        microphone: tracks.find((t) => t.kind === 'audio') ?? null,
        camera: tracks.find((t) => t.kind === 'video') ?? null,
      };
      enqueue.assign({ localStream: stream, tracks: local });
      enqueue.sendTo('localTracks', { type: 'watch', tracks: local });
      enqueue.raise({ type: 'media.acquired' });
    }),
    stopLocalMedia: ({ context }) => stopAllTracks(context.localStream, context.tracks),
    storeRemoteStream: assign(({ event }) => {
      assertEvent(event, 'pc.track');
      return { remoteStream: event.stream };
    }),
    sendInvite: ({ context }, offer: SessionDescription) => context.ports.send(inviteOf(context, offer)),
    sendRinging: ({ context }) => context.ports.send(ringingOf(context)),
    sendAnswer: ({ context }, answer: SessionDescription) => context.ports.send(answerOf(context, answer)),
    /** Binds the call to the device that answered first. */
    bindAnsweringDevice: assign(({ event }) => {
      assertEvent(event, 'remote.answer');
      return { peerDevice: event.envelope.fromDevice };
    }),
    /** Tells every device of the callee which one answered; the others stop ringing. */
    announceSelectedAnswer: ({ context }) => context.ports.send(answerSelectedOf(context)),
    sendDeclined: ({ context }) => context.ports.send(declineOf(context)),
    /** To every device of the peer: ours may be ringing on more than one. */
    sendCancel: ({ context }) => context.ports.send(cancelOf(context)),
    replyBusy: ({ context, event }) => {
      assertEvent(event, 'remote.invite');
      context.ports.send(busyReplyTo(context, event.envelope));
    },
    noteBusyReply: assign(({ context, event }) => {
      assertEvent(event, 'remote.invite');
      return { busyRepliedTo: [...context.busyRepliedTo, event.envelope.from] };
    }),
    /** The first `busy` of a window opens it; each sender is answered at most once until it closes. */
    openBusyWindow: raise({ type: 'busy.windowClosed' } as const, {
      delay: 'busyReplyWindow',
      id: 'busy.window',
    }),
    forgetBusyReplies: assign({ busyRepliedTo: [] }),
    sendHangup: ({ context }, { reason }: { reason: HangupReason }) =>
      context.ports.send(hangupOf(context, reason)),
    sendNegotiation: ({ context }, output: RenegotiationOutput) =>
      context.ports.send(negotiationOf(context, output)),
    queueLocalCandidate: assign(({ context, event }) => {
      assertEvent(event, 'pc.candidate');
      return { queuedLocalCandidates: [...context.queuedLocalCandidates, event.candidate] };
    }),
    markGatheringComplete: assign({ localGatheringComplete: true }),
    sendQueuedCandidates: ({ context }) => {
      if (context.queuedLocalCandidates.length === 0 && !context.localGatheringComplete) return;
      for (const batch of candidateBatchesOf(context)) context.ports.send(batch);
    },
    clearQueuedCandidates: assign({ queuedLocalCandidates: [], localGatheringComplete: false }),
    /** Keeps what fits under the cap: an invite may ring for minutes, candidates must not pile up meanwhile. */
    bufferRemoteCandidates: assign(({ context, event }) => {
      assertEvent(event, 'remote.candidates');
      const all = [...context.pendingRemoteCandidates, ...event.envelope.candidates];
      return { pendingRemoteCandidates: all.slice(0, MAX_BUFFERED_REMOTE_CANDIDATES) };
    }),
    warnCandidatesDropped: ({ context }) =>
      context.ports.reportError(
        new HandsetError(
          'candidates-dropped',
          `more than ${MAX_BUFFERED_REMOTE_CANDIDATES} remote candidates arrived before the remote description; the rest were dropped`,
        ),
      ),
    addRemoteCandidates: ({ context, event }) => {
      assertEvent(event, 'remote.candidates');
      addRemoteCandidates(context, event.envelope.candidates);
    },
    addBufferedRemoteCandidates: ({ context }) =>
      addRemoteCandidates(context, context.pendingRemoteCandidates),
    clearBufferedRemoteCandidates: assign({ pendingRemoteCandidates: [] }),
    countIceRestart: assign({ iceRestartAttempts: ({ context }) => context.iceRestartAttempts + 1 }),
    resetIceRestarts: assign({ iceRestartAttempts: 0 }),
    requestIceRestart: raise({ type: 'negotiation.restartIce' } as const),
    noteIceRestartTaken: raise({ type: 'negotiation.iceRestartTaken' } as const),
    announceNegotiationSettled: raise({ type: 'negotiation.settled' } as const),
    /** The peer's offer came right behind its answer to ours (no collision): kept until that answer is applied. */
    holdRemoteOffer: assign({
      heldRemoteOffer: ({ event }) => {
        assertEvent(event, 'remote.negotiate');
        return event.envelope;
      },
    }),
    /** Back in stable: the offer held while an answer was applied is taken now, as if it arrived just now. */
    answerHeldRemoteOffer: enqueueActions(({ context, enqueue }) => {
      if (!context.heldRemoteOffer) return;
      enqueue.raise({ type: 'remote.negotiate', envelope: context.heldRemoteOffer });
      enqueue.assign({ heldRemoteOffer: null });
    }),
    /** Hands a stats sample to whoever listens on the call actor (the phone's `stats$`). */
    publishStats: emit(({ event }) => {
      assertEvent(event, 'stats.sampled');
      return { type: 'stats', stats: event.stats } as const;
    }),
    /** Records why the call ended; every path into `ended` runs it once. */
    end: assign((_, { code, by, detail }: EndParams) => ({
      endReason: (detail === undefined ? { code, by } : { code, by, detail }) satisfies EndReason,
    })),
  },
});

type MediaStreamPortParam = NonNullable<CallContext['localStream']>;
