// What a person reads when a call ends: one sentence per end code, from the point of view of this side.
import type { CallView, EndCode, EndReason } from '@handset/core';

type Describe = (peer: string, reason: EndReason, view: CallView) => string;

const ENDINGS: Record<EndCode, Describe> = {
  hangup: (peer, reason) => (reason.by === 'local' ? 'You hung up.' : `${peer} hung up.`),
  cancelled: (peer, reason) =>
    reason.by === 'local' ? 'You cancelled the call.' : `Missed call: ${peer} hung up before you answered.`,
  declined: (peer, reason) =>
    reason.by === 'local' ? 'You declined the call.' : `${peer} declined the call.`,
  busy: (peer) => `${peer} is busy in another call. Try again later.`,
  'no-answer': (peer, _reason, view) =>
    view.direction === 'incoming' ? `Missed call from ${peer}.` : `No answer from ${peer}.`,
  unavailable: (peer) =>
    `${peer} is not online. They need to log in with that ID (and the same transport) first.`,
  'answered-elsewhere': () => 'The call was answered on another of your devices.',
  'media-denied': () =>
    'The camera or microphone was refused. Allow access in the browser (the icon in the address bar) and try again.',
  'media-failed': (_peer, reason) =>
    `The camera or microphone could not be opened${reason.detail ? ` (${reason.detail})` : ''}. Is another app using it?`,
  'negotiation-failed': () => 'The browser could not set up the call (WebRTC negotiation failed).',
  'connection-failed': (peer) =>
    `The media connection to ${peer} could not be made or was lost. Both devices must reach each other directly (same network; this demo uses no STUN/TURN server).`,
  'protocol-error': (peer) => `${peer}'s browser sent a description this browser cannot use.`,
  unauthenticated: () => 'The signaling server refused your login (token). Log in again, then call.',
  'signaling-unavailable': () =>
    'The signaling server cannot be reached right now, so the call could not be placed. Check the connection and try again.',
  'platform-error': () => 'The browser refused to set up the call (see the console for the error).',
};

export function describeEnding(view: CallView): string {
  if (!view.endReason) return '';
  return ENDINGS[view.endReason.code](view.peerId ?? 'The other side', view.endReason, view);
}

/** Endings that are simply how calls finish, as opposed to something the user should notice or fix. */
export function isOrdinaryEnding(reason: EndReason): boolean {
  if (reason.code === 'hangup' || reason.code === 'answered-elsewhere') return true;
  return reason.by === 'local' && (reason.code === 'cancelled' || reason.code === 'declined');
}
