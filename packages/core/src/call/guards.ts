// The call machine's guards: questions about the event at hand or the call's data, each named for the
// question it answers. Each is referenced only on the events it reads (`assertEvent` says which).
import { assertEvent, or, stateIn } from 'xstate';
import type { CallContext } from './context.js';
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
  stateIn('#call.active.acquiringMedia'),
  stateIn('#call.active.outgoing'),
]);

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
  isAnsweredElsewhere: ({ context, event }: GuardArgs) => {
    assertEvent(event, 'remote.answerSelected');
    return event.envelope.selectedDevice !== context.settings.deviceId;
  },
  isIceUp: ({ event }: GuardArgs) => {
    assertEvent(event, 'pc.iceState');
    return isIceConnected(event.state);
  },
  isIceAlreadyUp: ({ context }: GuardArgs) => isIceConnected(context.pc?.iceConnectionState),
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
  /** A flush is already scheduled: a candidate gathered now rides along with the queued ones. */
  isBatchWindowOpen: ({ context }: GuardArgs) =>
    context.queuedLocalCandidates.length > 0 || context.localGatheringComplete,
};
