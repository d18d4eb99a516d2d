// Our ICE candidates on their way to the peer: a region beside the call's phase. The first candidate leaves
// at once; while its batch window is open, later ones wait and ride together; end-of-candidates leaves at once.
import { callSetup } from './control-actions.js';

const sendNow = ['sendQueuedCandidates', 'clearQueuedCandidates'] as const;

export const candidateTrickle = callSetup.createStateConfig({
  initial: 'idle',
  states: {
    /** No batch window open: the next candidate is the first of a burst, and nothing waits to be sent. */
    idle: {
      on: {
        'pc.candidate': [
          // The description it belongs to is still being made: it waits (that description's message, or the
          // window, carries it), so that no candidate reaches the peer before its description.
          { guard: 'isDescriptionBeingMade', target: 'batching', actions: 'queueLocalCandidate' },
          { target: 'batching', actions: ['queueLocalCandidate', ...sendNow] },
        ],
        'pc.candidatesEnd': [
          { guard: 'isDescriptionBeingMade', target: 'batching', actions: 'markGatheringComplete' },
          { actions: ['markGatheringComplete', ...sendNow] },
        ],
      },
    },
    /**
     * A message of candidates has just left (or waits for its description): those gathered now are kept for
     * one window, so a host with many interfaces sends one message per window rather than one per candidate.
     */
    batching: {
      after: {
        candidateBatchWindow: [
          { guard: 'isDescriptionBeingMade', target: 'batching', reenter: true },
          { guard: 'hasQueuedCandidates', target: 'batching', reenter: true, actions: sendNow },
          { target: 'idle' },
        ],
      },
      on: {
        'pc.candidate': { actions: 'queueLocalCandidate' },
        // Nothing more is coming: there is no burst left to wait for.
        'pc.candidatesEnd': [
          { guard: 'isDescriptionBeingMade', actions: 'markGatheringComplete' },
          { target: 'idle', actions: ['markGatheringComplete', ...sendNow] },
        ],
      },
    },
  },
});
