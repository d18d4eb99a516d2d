// The one line that says where the call is, in words, for the status element (and screen readers).
import type { CallState, CallView } from '@handset/core';

const ON_HOLD: Record<CallView['hold'], (peer: string) => string> = {
  local: (peer) => `You put the call with ${peer} on hold`,
  remote: (peer) => `${peer} put the call on hold`,
  both: (peer) => `On hold: you and ${peer} both put the call on hold`,
  // Not reached in `on-hold`; there for the type.
  none: (peer) => `In a call with ${peer}`,
};

const LINES: Record<CallState, (peer: string, view: CallView) => string> = {
  idle: () => 'Ready. Enter a Peer ID and press Call.',
  'acquiring-media': () => 'Opening your camera and microphone…',
  dialing: (peer) => `Calling ${peer}…`,
  ringing: (peer) => `Ringing ${peer}…`,
  incoming: (peer) => `Incoming call from ${peer}`,
  answering: (peer) => `Answering ${peer}…`,
  connecting: (peer) => `Connecting to ${peer}…`,
  connected: (peer) => `In a call with ${peer}`,
  'on-hold': (peer, view) => ON_HOLD[view.hold](peer),
  reconnecting: (peer) => `Connection to ${peer} interrupted, reconnecting…`,
  renegotiating: (peer) => `In a call with ${peer} (updating media…)`,
  ended: () => 'Call ended',
};

export function describeCallState(view: CallView): string {
  return LINES[view.state](view.peerId ?? 'your peer', view);
}
