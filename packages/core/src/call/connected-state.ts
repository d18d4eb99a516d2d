// A call in progress: regions side by side — the ICE connection (with its restarts), SDP renegotiation
// (perfect negotiation), each with a bound on every wait, and the controls (connected-controls.ts).
import { and, or } from 'xstate';
import { hangUpWith, outputOf } from './call-setup.js';
import { connectedControls } from './connected-controls.js';
import { callSetup } from './control-actions.js';

const ended = '#call.ended';
const addHeldCandidates = ['addBufferedRemoteCandidates', 'clearBufferedRemoteCandidates'] as const;

export const connectedState = callSetup.createStateConfig({
  type: 'parallel',
  // Sampling lives and dies with this state: no stats timer outlives the connection.
  invoke: {
    src: 'sampleCallStats',
    input: ({ context }) => ({
      pc: context.pc,
      callId: context.callId,
      intervalMs: context.settings.timeouts.statsIntervalMs,
    }),
  },
  // The peer assumes everything on and nothing held: it is told only what differs.
  entry: { type: 'sendMediaState', params: { onlyIfChanged: true } },
  on: {
    // Candidates still held from before the answer was applied (connected while it was) go first, in order.
    'remote.candidates': { actions: [...addHeldCandidates, 'addRemoteCandidates'] },
    // Held, no media flows on purpose: the quality says so rather than `lost`. A first sample is also the
    // latest moment held candidates are handed over, if the peer sent no more.
    'stats.sampled': [
      { guard: 'isOnHold', actions: [...addHeldCandidates, 'publishHeldStats'] },
      { actions: [...addHeldCandidates, 'publishStats'] },
    ],
    'media.changed': { actions: { type: 'sendMediaState', params: { onlyIfChanged: false } } },
  },
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
            // The link dropped and came back: the device may be on another network, its candidates stale.
            // Restart rather than wait for ICE to notice (seconds) or fail (tens of seconds): the impolite
            // side at once; the polite side first waits briefly for the peer's restart, because when both
            // links came back together (a broker or server restart) two restarts back to back cost both sides
            // a second renegotiation, and some stacks (werift) carry no media after one.
            'link.changed': [
              { guard: and(['isLinkUp', 'isPolitePeer']), target: 'awaitingPeerRestart' },
              { guard: 'isLinkUp', target: 'reconnecting' },
            ],
          },
        },
        // Polite side, link back, ICE still up: the peer's restart offer (answered by the negotiation region)
        // renews both sides' candidates; with none in time (only our network changed), restart ourselves.
        awaitingPeerRestart: {
          after: { peerIceRestartWait: 'reconnecting' },
          on: {
            'remote.negotiate': { guard: 'isRemoteOffer', target: 'stable' },
            // ICE broke meanwhile: the path is gone, nothing to wait for.
            'pc.iceState': { guard: or(['isIceDisconnected', 'isIceFailed']), target: 'reconnecting' },
          },
        },
        // A bare `disconnected` is given a grace period: consent checks often resume on their own (a Wi-Fi
        // blip), and a restart then would cost both sides a renegotiation for nothing.
        interrupted: {
          after: { iceDisconnectGrace: 'reconnecting' },
          on: {
            'pc.iceState': [
              { guard: 'isIceUp', target: 'stable' },
              { guard: 'isIceFailed', target: 'reconnecting' },
            ],
            // ...unless the link came back meanwhile: then it was more than a blip.
            'link.changed': { guard: 'isLinkUp', target: 'reconnecting' },
          },
        },
        reconnecting: {
          entry: 'countIceRestart',
          after: {
            iceRestartTimeout: [
              { guard: 'hasIceRestartsLeft', target: 'reconnecting', reenter: true },
              {
                target: ended,
                actions: hangUpWith('connection-failed', 'connection-failed', 'local'),
              },
            ],
          },
          on: {
            'pc.iceState': { guard: 'isIceUp', target: 'stable', actions: 'resetIceRestarts' },
            // The restart offer made while the link was down was lost with it: make a new one now rather than
            // wait out iceRestartTimeout. It counts as an attempt, so a flapping link cannot restart forever.
            'link.changed': {
              guard: and(['isLinkUp', 'hasIceRestartsLeft']),
              target: 'reconnecting',
              reenter: true,
            },
          },
          initial: 'restartWanted',
          states: {
            // The request is repeated each time the negotiation region settles, until it takes one: a
            // request made while it was busy is not lost, and costs no extra attempt.
            restartWanted: {
              entry: 'requestIceRestart',
              on: {
                'negotiation.iceRestartTaken': 'restartOffered',
                'negotiation.settled': { target: 'restartWanted', reenter: true },
              },
            },
            // A restart on a path that still works (the link came back, ICE never went down) brings no ICE
            // state change to wait for: the restart is done when its negotiation is.
            restartOffered: {
              on: {
                'negotiation.settled': {
                  guard: 'isIceAlreadyUp',
                  target: '#call.active.phase.connected.ice.stable',
                  actions: 'resetIceRestarts',
                },
              },
            },
          },
        },
      },
    },
    negotiation: {
      initial: 'stable',
      states: {
        stable: {
          // A held offer goes first: it was the peer's turn, and a request made at the settle waits for the next.
          entry: ['answerHeldRemoteOffer', 'announceNegotiationSettled'],
          on: {
            'negotiation.restartIce': { target: 'offering', actions: 'noteIceRestartTaken' },
            'negotiation.offer': { target: 'offering', actions: 'noteOfferTaken' },
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
            onDone: { target: 'awaitingAnswer', actions: { type: 'sendNegotiation', params: outputOf } },
            onError: {
              target: ended,
              actions: hangUpWith('negotiation-failed', 'negotiation-failed', 'local'),
            },
          },
          on: {
            'remote.negotiate': { guard: and(['isRemoteOffer', 'isPolitePeer']), target: 'answering' },
          },
        },
        awaitingAnswer: {
          // A lost answer (the peer is gone, or signaling too) must not leave the call renegotiating forever.
          after: {
            renegotiationTimeout: {
              target: ended,
              actions: hangUpWith('negotiation-failed', 'negotiation-failed', 'local'),
            },
          },
          on: {
            'remote.negotiate': [
              { guard: 'isRemoteAnswer', target: 'applyingAnswer' },
              // Offers crossed: the polite side yields, the impolite side ignores the peer's offer.
              { guard: and(['isRemoteOffer', 'isPolitePeer']), target: 'answering' },
            ],
            // The previous restart offer got no answer (signaling was down too): offer again.
            'negotiation.restartIce': { target: 'offering', actions: 'noteIceRestartTaken' },
          },
        },
        applyingAnswer: {
          invoke: {
            src: 'applyRemoteAnswer',
            input: ({ context, event }) => ({
              pc: context.pc!,
              sdp: event.type === 'remote.negotiate' ? event.envelope.description.sdp : '',
            }),
            onDone: { target: 'stable', actions: 'noteOfferAnswered' },
            onError: {
              target: ended,
              actions: hangUpWith('protocol-error', 'protocol-error', 'remote'),
            },
          },
          // Not a collision: the peer answered ours and then made its own offer (an ICE restart of its own
          // right after ours). Dropping it would leave the peer waiting out its restart timer.
          on: { 'remote.negotiate': { guard: 'isRemoteOffer', actions: 'holdRemoteOffer' } },
        },
        answering: {
          invoke: {
            src: 'answerRenegotiation',
            input: ({ context, event }) => ({
              pc: context.pc!,
              sdp: event.type === 'remote.negotiate' ? event.envelope.description.sdp : '',
            }),
            onDone: { target: 'stable', actions: { type: 'sendNegotiation', params: outputOf } },
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
    // After ice and negotiation: when both are owed an offer, the ICE restart is taken first and pays for both.
    ...connectedControls.states,
  },
});
