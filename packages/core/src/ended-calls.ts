// The calls a phone has ended, remembered boundedly, so that what still arrives for one (a replayed invite,
// an ICE-restart offer from a peer that never heard the hang-up) is answered with a hang-up, never rung again.
import type { Envelope, EnvelopeDraft } from './protocol.js';

export interface EndedCall {
  readonly callId: string;
  readonly peerId: string;
}

/** Message types that are themselves an ending: answering one with a hang-up could only start a loop. */
const ENDINGS = new Set<Envelope['type']>(['hangup', 'cancel', 'reject', 'unavailable']);

export const ENDED_CALLS_REMEMBERED = 64;
/** Hang-ups sent in reply for one ended call; enough for a peer to hear one, too few to reflect a flood. */
export const HANGUP_REPLIES_PER_CALL = 3;

export type LateMessageVerdict =
  /** Not a call this phone ended: the current call decides. */
  | { kind: 'not-ended' }
  /** For an ended call, but nothing to say (an ending, another device's, a third party's, or limit reached). */
  | { kind: 'drop' }
  | { kind: 'reply'; hangup: EnvelopeDraft };

export class EndedCalls {
  /** Insertion order is age order: the oldest is forgotten first. */
  private readonly calls = new Map<string, { peerId: string; replies: number }>();

  constructor(
    private readonly self: { userId: string; deviceId: string },
    private readonly capacity = ENDED_CALLS_REMEMBERED,
  ) {}

  remember(call: EndedCall): void {
    this.calls.delete(call.callId);
    this.calls.set(call.callId, { peerId: call.peerId, replies: 0 });
    while (this.calls.size > this.capacity) this.calls.delete(this.calls.keys().next().value!);
  }

  verdict(envelope: Envelope): LateMessageVerdict {
    const call = this.calls.get(envelope.callId);
    if (!call) return { kind: 'not-ended' };
    const forUs = envelope.toDevice === undefined || envelope.toDevice === this.self.deviceId;
    if (!forUs || envelope.from !== call.peerId || ENDINGS.has(envelope.type)) return { kind: 'drop' };
    if (call.replies >= HANGUP_REPLIES_PER_CALL) return { kind: 'drop' };
    call.replies++;
    return { kind: 'reply', hangup: hangupFor(this.self, envelope) };
  }
}

function hangupFor(self: { userId: string; deviceId: string }, late: Envelope): EnvelopeDraft {
  return {
    type: 'hangup',
    callId: late.callId,
    from: self.userId,
    fromDevice: self.deviceId,
    to: late.from,
    toDevice: late.fromDevice,
    reason: 'normal',
  };
}
