// The call machine's guards: questions about the event at hand or the call's data, each named for the
// question it answers. Each is referenced only on the events it reads (`assertEvent` says which).
import { assertEvent, or, stateIn } from 'xstate';
import type { LinkCondition } from '../link-condition.js';
import { type CallContext, MAX_BUFFERED_REMOTE_CANDIDATES, MAX_BUSY_SENDERS_PER_WINDOW } from './context.js';
import type { CallEvent } from './events.js';
import { RemoteDescriptionError } from './negotiation.js';

type GuardArgs = { context: CallContext; event: CallEvent };

/** What is left of an invite's lifetime, measured from when it was sent; clock skew plays no part. */
export function remainingLifetime(invite: { lifetimeMs: number; ageMs?: number | undefined }): number {
  return invite.lifetimeMs - (invite.ageMs ?? 0);
}

export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

const PERMISSION_ERRORS = new Set(['NotAllowedError', 'PermissionDeniedError', 'SecurityError']);
const isIceConnected = (state: string | undefined) => state === 'connected' || state === 'completed';

/** We are calling and nobody has answered yet: the window in which invites can cross. */
export const isCallingUnanswered = or([
  stateIn('#call.active.phase.awaitingSignaling'),
  stateIn('#call.active.phase.acquiringMedia'),
  stateIn('#call.active.phase.outgoing'),
]);

/** The link as this event tells it: the phone's view when the user called, or the view that just changed. */
function linkOf(event: CallEvent): LinkCondition {
  assertEvent(event, ['user.call', 'link.changed']);
  return event.link ?? 'up';
}

export const guards = {
  isInviteAlive: ({ event }: GuardArgs) => {
    assertEvent(event, 'remote.invite');
    return remainingLifetime(event.envelope) > 0;
  },
  isInviteFromPeer: ({ context, event }: GuardArgs) => {
    assertEvent(event, 'remote.invite');
    return event.envelope.from === context.peerId;
  },
  /** Glare rule: of two crossing invites, the one with the lesser call id is the call. */
  hasLesserCallId: ({ context, event }: GuardArgs) => {
    assertEvent(event, 'remote.invite');
    return context.callId !== null && event.envelope.callId < context.callId;
  },
  isRepeatOfThisCall: ({ context, event }: GuardArgs) => {
    assertEvent(event, 'remote.invite');
    return event.envelope.callId === context.callId;
  },
  isPermissionDenied: ({ event }: GuardArgs) =>
    'error' in event && PERMISSION_ERRORS.has(errorName(event.error) ?? ''),
  isRemoteDescriptionRefused: ({ event }: GuardArgs) =>
    'error' in event && event.error instanceof RemoteDescriptionError,
  hasLocalMedia: ({ context }: GuardArgs) => context.localStream !== null,
  /** The caller chose another of our devices; only a callee's device can be told so. */
  isAnsweredElsewhere: ({ context, event }: GuardArgs) => {
    assertEvent(event, 'remote.answerSelected');
    return context.direction === 'incoming' && event.envelope.selectedDevice !== context.settings.deviceId;
  },
  isLinkUp: ({ event }: GuardArgs) => linkOf(event) === 'up',
  /** The credentials were refused: no call can be made until the app logs in again. */
  isLinkRefused: ({ event }: GuardArgs) => linkOf(event) === 'refused',
  /** Closed, or never reached: waiting cannot help. */
  isLinkUnreachable: ({ event }: GuardArgs) => linkOf(event) === 'unreachable',
  /** This sender has not been answered `busy` in the current window, and the window has room for it. */
  isBusyReplyDue: ({ context, event }: GuardArgs) => {
    assertEvent(event, 'remote.invite');
    return (
      !context.busyRepliedTo.includes(event.envelope.from) &&
      context.busyRepliedTo.length < MAX_BUSY_SENDERS_PER_WINDOW
    );
  },
  isBusyWindowClosed: ({ context }: GuardArgs) => context.busyRepliedTo.length === 0,
  hasRoomForRemoteCandidates: ({ context, event }: GuardArgs) => {
    assertEvent(event, 'remote.candidates');
    return (
      context.pendingRemoteCandidates.length + event.envelope.candidates.length <=
      MAX_BUFFERED_REMOTE_CANDIDATES
    );
  },
  isIceUp: ({ event }: GuardArgs) => {
    assertEvent(event, 'pc.iceState');
    return isIceConnected(event.state);
  },
  isIceAlreadyUp: ({ context }: GuardArgs) => isIceConnected(context.pc?.iceConnectionState),
  isIceAlreadyFailed: ({ context }: GuardArgs) => context.pc?.iceConnectionState === 'failed',
  isIceDisconnected: ({ event }: GuardArgs) => {
    assertEvent(event, 'pc.iceState');
    return event.state === 'disconnected';
  },
  isIceFailed: ({ event }: GuardArgs) => {
    assertEvent(event, 'pc.iceState');
    return event.state === 'failed';
  },
  hasIceRestartsLeft: ({ context }: GuardArgs) =>
    context.iceRestartAttempts < context.settings.maxIceRestarts,
  isRemoteOffer: ({ event }: GuardArgs) => {
    assertEvent(event, 'remote.negotiate');
    return event.envelope.description.type === 'offer';
  },
  isRemoteAnswer: ({ event }: GuardArgs) => {
    assertEvent(event, 'remote.negotiate');
    return event.envelope.description.type === 'answer';
  },
  /** Perfect negotiation: the callee yields to the caller's offer when both offer at once. */
  isPolitePeer: ({ context }: GuardArgs) => context.direction === 'incoming',
  /** Candidates or end-of-candidates wait to be sent. */
  hasQueuedCandidates: ({ context }: GuardArgs) =>
    context.queuedLocalCandidates.length > 0 || context.localGatheringComplete,
  /** A local description is being made (and not yet sent): candidates gathered for it must wait for it. */
  isDescriptionBeingMade: or([
    stateIn('#call.active.phase.outgoing.dialing.creatingOffer'),
    stateIn('#call.active.phase.answering'),
    stateIn('#call.active.phase.connected.negotiation.offering'),
    stateIn('#call.active.phase.connected.negotiation.answering'),
  ]),
};
