// Decides whether a validated envelope concerns the call a machine holds, and turns it into that
// machine's typed `remote.*` event. Messages for other calls, other devices or from third parties stop here.
import type { Envelope, EnvelopeOf } from '../protocol.js';

export type RemoteEvent =
  | { type: 'remote.invite'; envelope: EnvelopeOf<'invite'> }
  | { type: 'remote.ringing'; envelope: EnvelopeOf<'ringing'> }
  | { type: 'remote.answer'; envelope: EnvelopeOf<'answer'> }
  | { type: 'remote.answerSelected'; envelope: EnvelopeOf<'answer-selected'> }
  | { type: 'remote.candidates'; envelope: EnvelopeOf<'candidates'> }
  | { type: 'remote.reject'; envelope: EnvelopeOf<'reject'> }
  | { type: 'remote.cancel'; envelope: EnvelopeOf<'cancel'> }
  | { type: 'remote.hangup'; envelope: EnvelopeOf<'hangup'> }
  | { type: 'remote.negotiate'; envelope: EnvelopeOf<'negotiate'> }
  | { type: 'remote.mediaState'; envelope: EnvelopeOf<'media-state'> }
  | { type: 'remote.unavailable'; envelope: EnvelopeOf<'unavailable'> };

export interface CallAddress {
  readonly deviceId: string;
  readonly callId: string | null;
  readonly peerId: string | null;
  /** The peer's device once the call is bound to one; before that any of the peer's devices may speak. */
  readonly peerDevice: string | null;
}

/** Messages a callee's device may send before the caller has picked one device. */
const SENT_BEFORE_DEVICE_CHOSEN = new Set<Envelope['type']>(['ringing', 'answer', 'reject', 'unavailable']);

/** The `remote.*` event an envelope becomes for this call, or null when it is not for this call. */
export function routeEnvelope(call: CallAddress, envelope: Envelope): RemoteEvent | null {
  if (envelope.toDevice !== undefined && envelope.toDevice !== call.deviceId) return null;
  // Invites are always handed over: idle answers them by ringing, a busy call by `busy`, glare by its rule.
  if (envelope.type === 'invite') return { type: 'remote.invite', envelope };
  if (envelope.callId !== call.callId || envelope.from !== call.peerId) return null;
  if (
    call.peerDevice !== null &&
    envelope.fromDevice !== call.peerDevice &&
    !SENT_BEFORE_DEVICE_CHOSEN.has(envelope.type)
  ) {
    return null;
  }
  switch (envelope.type) {
    case 'ringing':
      return { type: 'remote.ringing', envelope };
    case 'answer':
      return { type: 'remote.answer', envelope };
    case 'answer-selected':
      return { type: 'remote.answerSelected', envelope };
    case 'candidates':
      return { type: 'remote.candidates', envelope };
    case 'reject':
      return { type: 'remote.reject', envelope };
    case 'cancel':
      return { type: 'remote.cancel', envelope };
    case 'hangup':
      return { type: 'remote.hangup', envelope };
    case 'negotiate':
      return { type: 'remote.negotiate', envelope };
    case 'media-state':
      return { type: 'remote.mediaState', envelope };
    case 'unavailable':
      return { type: 'remote.unavailable', envelope };
  }
}
