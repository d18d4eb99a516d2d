// The messages a call sends, built from its context: one function per message kind, so the machine's
// actions only choose what to say and when.
import {
  type EnvelopeDraft,
  type EnvelopeOf,
  type HangupReason,
  type MediaState,
  PROTOCOL_LIMITS,
  type SessionDescription,
} from '../protocol.js';
import type { CallContext } from './context.js';
import type { RenegotiationOutput } from './negotiation.js';

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

/** The header without a device: for messages every device of the peer must hear. */
function toEveryDevice(context: CallContext) {
  const { toDevice: _anyDevice, ...header } = toPeer(context);
  return header;
}

export const inviteOf = (context: CallContext, offer: SessionDescription): EnvelopeDraft => ({
  type: 'invite',
  ...toPeer(context),
  sdp: offer.sdp,
  media: context.media,
  lifetimeMs: context.settings.timeouts.inviteMs,
  ...(context.metadata !== null ? { metadata: context.metadata } : {}),
});

export const mediaStateOf = (context: CallContext, seq: number, state: MediaState): EnvelopeDraft => ({
  type: 'media-state',
  ...toPeer(context),
  seq,
  state,
});

export const ringingOf = (context: CallContext): EnvelopeDraft => ({ type: 'ringing', ...toPeer(context) });

export const answerOf = (context: CallContext, answer: SessionDescription): EnvelopeDraft => ({
  type: 'answer',
  ...toPeer(context),
  sdp: answer.sdp,
});

export const answerSelectedOf = (context: CallContext): EnvelopeDraft => ({
  type: 'answer-selected',
  ...toEveryDevice(context),
  selectedDevice: context.peerDevice!,
});

export const declineOf = (context: CallContext): EnvelopeDraft => ({
  type: 'reject',
  ...toPeer(context),
  reason: 'declined',
});

export const cancelOf = (context: CallContext): EnvelopeDraft => ({
  type: 'cancel',
  ...toEveryDevice(context),
});

export const hangupOf = (context: CallContext, reason: HangupReason): EnvelopeDraft => ({
  type: 'hangup',
  ...toPeer(context),
  reason,
});

export const negotiationOf = (
  context: CallContext,
  { description, iceRestart }: RenegotiationOutput,
): EnvelopeDraft => ({ type: 'negotiate', ...toPeer(context), description, iceRestart });

/** `busy`, to the device whose invite reached us while we are in another call. */
export const busyReplyTo = (context: CallContext, invite: EnvelopeOf<'invite'>): EnvelopeDraft => ({
  type: 'reject',
  callId: invite.callId,
  from: context.settings.userId,
  fromDevice: context.settings.deviceId,
  to: invite.from,
  toDevice: invite.fromDevice,
  reason: 'busy',
});

/**
 * The queued local candidates as messages the peer's validator accepts: at most `maxCandidatesPerMessage`
 * each, `end: true` (if gathering is complete) on the last one only.
 */
export function candidateBatchesOf(context: CallContext): EnvelopeDraft[] {
  const all = context.queuedLocalCandidates;
  const size = PROTOCOL_LIMITS.maxCandidatesPerMessage;
  const batches: EnvelopeDraft[] = [];
  for (let start = 0; start < all.length || batches.length === 0; start += size) {
    const last = start + size >= all.length;
    batches.push({
      type: 'candidates',
      ...toPeer(context),
      candidates: all.slice(start, start + size),
      end: last && context.localGatheringComplete,
    });
  }
  return batches;
}
