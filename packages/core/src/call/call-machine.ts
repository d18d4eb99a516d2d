// The life of one call, from idle to ended, as a single statechart. It owns the peer connection, the local
// media and the ICE trickle; every name below is implemented in call-setup.ts.
import { and, not } from 'xstate';
import { endAsPeerSaid, endWith, endWithMediaError, hangUpWith, outputOf } from './call-setup.js';
import { candidateTrickle } from './candidate-trickle.js';
import { connectedState } from './connected-state.js';
import { initialContext } from './context.js';
import { callSetup } from './control-actions.js';
import { isCallingUnanswered } from './guards.js';
import { mediaControls } from './media-controls.js';

const ended = '#call.ended';

/** The link closed for good (credentials refused, or nothing to reach): no message of this call can leave. */
const linkGoneForGood = {
  'link.changed': [
    { guard: 'isLinkRefused' as const, target: ended, actions: endWith('unauthenticated', 'local') },
    {
      guard: 'isLinkUnreachable' as const,
      target: ended,
      actions: endWith('signaling-unavailable', 'local'),
    },
  ],
};

/** The call statechart (XState v5): one call from dialing or ringing to its end reason. */
export const callMachine = callSetup.createMachine({
  id: 'call',
  context: ({ input }) => initialContext(input),
  on: { signal: { actions: 'routeSignal' } },
  initial: 'idle',
  states: {
    idle: {
      on: {
        'user.call': [
          // A link that cannot carry the invite ends the call at once, naming why.
          {
            guard: 'isLinkRefused',
            target: 'ended',
            actions: ['startOutgoingCall', endWith('unauthenticated', 'local')],
          },
          {
            guard: 'isLinkUnreachable',
            target: 'ended',
            actions: ['startOutgoingCall', endWith('signaling-unavailable', 'local')],
          },
          { guard: 'isLinkUp', target: 'active.phase.acquiringMedia', actions: 'startOutgoingCall' },
          { target: 'active.phase.awaitingSignaling', actions: 'startOutgoingCall' },
        ],
        'remote.invite': {
          guard: 'isInviteAlive',
          target: 'active.phase.incoming',
          actions: 'acceptIncomingInvite',
        },
      },
    },
    // Three regions: where the call stands (phase), its microphone and camera (media), which the user
    // may switch from the first ring on, and our ICE candidates on their way to the peer (trickle).
    active: {
      type: 'parallel',
      entry: 'createPeerConnection',
      exit: 'closePeerConnection',
      invoke: [
        { src: 'watchPeerConnection', input: ({ context }) => ({ pc: context.pc }) },
        { id: 'localTracks', src: 'watchLocalTracks', input: {} },
        { src: 'watchDataChannel', input: ({ context }) => ({ channel: context.channel }) },
      ],
      on: {
        'remote.invite': [
          {
            guard: and([isCallingUnanswered, 'isInviteFromPeer', 'hasLesserCallId']),
            target: '.phase.answering',
            reenter: true,
            // Our dropped invite may be ringing the peer's other devices: cancel it before moving on.
            actions: ['sendCancel', 'adoptCrossingInvite'],
          },
          // Glare won, or the same invite delivered twice: nothing to say.
          { guard: and([isCallingUnanswered, 'isInviteFromPeer']) },
          { guard: 'isRepeatOfThisCall' },
          // Busy, at most once per sender per window: a flood of invites cannot spend our send budget.
          {
            guard: and(['isBusyReplyDue', 'isBusyWindowClosed']),
            actions: ['replyBusy', 'noteBusyReply', 'openBusyWindow'],
          },
          { guard: 'isBusyReplyDue', actions: ['replyBusy', 'noteBusyReply'] },
        ],
        'busy.windowClosed': { actions: 'forgetBusyReplies' },
        'remote.hangup': { target: ended, actions: { type: 'end', params: endAsPeerSaid } },
        'remote.cancel': { target: ended, actions: endWith('cancelled', 'remote') },
        'remote.candidates': [
          { guard: 'hasRoomForRemoteCandidates', actions: 'bufferRemoteCandidates' },
          { actions: ['bufferRemoteCandidates', 'warnCandidatesDropped'] },
        ],
        // Even after connecting: the device the caller chose is another of ours.
        'remote.answerSelected': {
          guard: 'isAnsweredElsewhere',
          target: ended,
          actions: endWith('answered-elsewhere', 'remote'),
        },
        'port.failed': {
          target: ended,
          actions: ['reportPortFailure', ...hangUpWith('negotiation-failed', 'platform-error', 'local')],
        },
        // Telling the peer would only throw again.
        'send.failed': { target: ended, actions: endWith('platform-error', 'local') },
        'pc.track': { actions: 'storeRemoteStream' },
        'user.hangup': {
          target: ended,
          actions: hangUpWith('normal', 'hangup', 'local'),
        },
        // The peer's microphone, camera, screen and hold, in the order it said them.
        'remote.mediaState': { guard: 'isNewerMediaState', actions: 'storeRemoteMedia' },
        // One frame, one message; a hostile frame is dropped with a warning and the call goes on.
        'channel.message': [
          { guard: not('isMessageText'), actions: 'warnMessageNotText' },
          { guard: 'isMessageOversize', actions: 'warnMessageTooLarge' },
          { actions: 'receiveCallMessage' },
        ],
      },
      states: {
        media: mediaControls,
        trickle: candidateTrickle,
        phase: {
          initial: 'acquiringMedia',
          states: {
            /** A call made while the link is reconnecting: nothing is opened or sent until it is back. */
            awaitingSignaling: {
              after: { signalingWait: { target: ended, actions: endWith('signaling-unavailable', 'local') } },
              on: {
                'link.changed': [
                  { guard: 'isLinkUp', target: 'acquiringMedia' },
                  { guard: 'isLinkRefused', target: ended, actions: endWith('unauthenticated', 'local') },
                  {
                    guard: 'isLinkUnreachable',
                    target: ended,
                    actions: endWith('signaling-unavailable', 'local'),
                  },
                ],
                'user.hangup': { target: ended, actions: endWith('cancelled', 'local') },
              },
            },
            acquiringMedia: {
              invoke: {
                src: 'acquireMedia',
                input: ({ context }) => ({ getUserMedia: context.ports.getUserMedia, media: context.media }),
                onDone: { target: 'outgoing', actions: { type: 'storeLocalStream', params: outputOf } },
                onError: [
                  {
                    guard: 'isPermissionDenied',
                    target: ended,
                    actions: { type: 'end', params: endWithMediaError('media-denied') },
                  },
                  { target: ended, actions: { type: 'end', params: endWithMediaError('media-failed') } },
                ],
              },
              on: {
                'user.hangup': { target: ended, actions: endWith('cancelled', 'local') },
                ...linkGoneForGood,
              },
            },
            outgoing: {
              after: {
                inviteTimeout: {
                  target: ended,
                  actions: ['sendCancel', endWith('no-answer', 'local')],
                },
              },
              on: {
                'user.hangup': {
                  target: ended,
                  actions: ['sendCancel', endWith('cancelled', 'local')],
                },
                // The callee's other devices may still be ringing: cancel them.
                'remote.reject': {
                  target: ended,
                  actions: ['sendCancel', { type: 'end', params: endAsPeerSaid }],
                },
                // One callee device hung up (its media failed...): the others must stop ringing too.
                'remote.hangup': {
                  target: ended,
                  actions: ['sendCancel', { type: 'end', params: endAsPeerSaid }],
                },
                // The link closed for good: the invite can be neither answered nor cancelled.
                ...linkGoneForGood,
                'remote.unavailable': { target: ended, actions: endWith('unavailable', 'remote') },
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
                            { type: 'sendInvite', params: outputOf },
                            'sendQueuedCandidates',
                            'clearQueuedCandidates',
                          ],
                        },
                        onError: {
                          target: ended,
                          actions: endWith('negotiation-failed', 'local'),
                        },
                      },
                      on: {
                        // Nothing was sent yet: the peer needs no word from us.
                        'user.hangup': { target: ended, actions: endWith('cancelled', 'local') },
                      },
                    },
                    inviting: { on: { 'remote.ringing': { target: '#call.active.phase.outgoing.ringing' } } },
                  },
                },
                ringing: {},
              },
            },
            incoming: {
              entry: 'sendRinging',
              after: {
                // The caller's invite ran out without a cancel reaching us: a missed call.
                inviteLifetime: { target: ended, actions: endWith('no-answer', 'remote') },
              },
              on: {
                'user.answer': { target: 'answering', actions: 'chooseMedia' },
                'user.reject': {
                  target: ended,
                  actions: ['sendDeclined', endWith('declined', 'local')],
                },
                'user.hangup': {
                  target: ended,
                  actions: ['sendDeclined', endWith('declined', 'local')],
                },
                ...linkGoneForGood,
              },
            },
            answering: {
              // The answer still has to reach the caller: a link gone for good cannot carry it.
              on: linkGoneForGood,
              initial: 'acquiringMedia',
              states: {
                acquiringMedia: {
                  always: { guard: 'hasLocalMedia', target: 'creatingAnswer' },
                  // The caller's cancel may never come: a permission prompt nobody answers must not hold the call.
                  after: {
                    answerMediaTimeout: {
                      target: ended,
                      actions: [
                        { type: 'sendHangup', params: { reason: 'media-failed' } },
                        { type: 'end', params: { code: 'media-failed', by: 'local', detail: 'timeout' } },
                      ],
                    },
                  },
                  invoke: {
                    src: 'acquireMedia',
                    // The caller's offer is applied meanwhile: the answer does not wait for it after the camera.
                    input: ({ context }) => ({
                      getUserMedia: context.ports.getUserMedia,
                      media: context.media,
                      offer: { pc: context.pc!, sdp: context.remoteOfferSdp! },
                    }),
                    onDone: {
                      target: 'creatingAnswer',
                      actions: { type: 'storeLocalStream', params: outputOf },
                    },
                    onError: [
                      // The caller sent an offer we cannot use: the peer is told so, as when creating the answer.
                      {
                        guard: 'isRemoteDescriptionRefused',
                        target: ended,
                        actions: hangUpWith('protocol-error', 'protocol-error', 'remote'),
                      },
                      {
                        guard: 'isPermissionDenied',
                        target: ended,
                        actions: [
                          { type: 'sendHangup', params: { reason: 'media-failed' } },
                          { type: 'end', params: endWithMediaError('media-denied') },
                        ],
                      },
                      {
                        target: ended,
                        actions: [
                          { type: 'sendHangup', params: { reason: 'media-failed' } },
                          { type: 'end', params: endWithMediaError('media-failed') },
                        ],
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
                      target: '#call.active.phase.connecting.checking',
                      actions: [
                        { type: 'sendAnswer', params: outputOf },
                        'sendQueuedCandidates',
                        'clearQueuedCandidates',
                        'addBufferedRemoteCandidates',
                        'clearBufferedRemoteCandidates',
                      ],
                    },
                    onError: [
                      {
                        guard: 'isRemoteDescriptionRefused',
                        target: ended,
                        actions: hangUpWith('protocol-error', 'protocol-error', 'remote'),
                      },
                      {
                        target: ended,
                        actions: hangUpWith('negotiation-failed', 'negotiation-failed', 'local'),
                      },
                    ],
                  },
                },
              },
            },
            connecting: {
              after: {
                connectTimeout: {
                  target: ended,
                  actions: hangUpWith('connection-failed', 'connection-failed', 'local'),
                },
              },
              initial: 'applyingAnswer',
              states: {
                applyingAnswer: {
                  // ICE up means the platform has the answer (the caller's checks need the callee's
                  // credentials from it); the promise's settling is only news of that, and may come later.
                  // The candidates held for the answer stay held: handed over before that promise settles,
                  // Chromium blocks the page in addIceCandidate (~20 ms seen); the connected call adds them
                  // with the peer's next candidates, or at its first stats sample.
                  on: { 'pc.iceState': { guard: 'isIceUp', target: '#call.active.phase.connected' } },
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
                    onError: {
                      target: ended,
                      actions: hangUpWith('protocol-error', 'protocol-error', 'remote'),
                    },
                  },
                },
                checking: {
                  always: [
                    { guard: 'isIceAlreadyUp', target: '#call.active.phase.connected' },
                    // ICE can fail while the answer is still being applied (a relay-only call refused by TURN).
                    {
                      guard: 'isIceAlreadyFailed',
                      target: ended,
                      actions: hangUpWith('connection-failed', 'connection-failed', 'local'),
                    },
                  ],
                  on: {
                    'remote.candidates': { actions: 'addRemoteCandidates' },
                    'pc.iceState': [
                      { guard: 'isIceUp', target: '#call.active.phase.connected' },
                      {
                        guard: 'isIceFailed',
                        target: ended,
                        actions: hangUpWith('connection-failed', 'connection-failed', 'local'),
                      },
                    ],
                  },
                },
              },
            },
            connected: connectedState,
          },
        },
      },
    },
    ended: { type: 'final', entry: 'stopLocalMedia' },
  },
  output: ({ context }) => context.endReason,
});
