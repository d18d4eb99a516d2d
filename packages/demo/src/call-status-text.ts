// The one line that says where the call is, in words, for the status element (and screen readers).
import type { CallState, CallView } from '@handset/core';

const LINES: Record<CallState, (peer: string) => string> = {
  idle: () => 'Ready. Enter a Peer ID and press Call.',
  'acquiring-media': () => 'Opening your camera and microphone…',
  dialing: (peer) => `Calling ${peer}…`,
  ringing: (peer) => `Ringing ${peer}…`,
  incoming: (peer) => `Incoming call from ${peer}`,
  answering: (peer) => `Answering ${peer}…`,
  connecting: (peer) => `Connecting to ${peer}…`,
  connected: (peer) => `In a call with ${peer}`,
  reconnecting: (peer) => `Connection to ${peer} interrupted, reconnecting…`,
  renegotiating: (peer) => `In a call with ${peer} (updating media…)`,
  ended: () => 'Call ended',
};

export function describeCallState(view: CallView): string {
  return LINES[view.state](view.peerId ?? 'your peer');
}
