// The peer's side of the call in words (muted, camera off, on hold, sharing), for the page's second status
// element: what the peer's media-state messages say, as sentences a screen reader can announce.
import type { CallState, CallView } from '@handset/core';

/** States in which the peer's media state means something (it is only told once the call is connected). */
const LIVE_STATES: ReadonlySet<CallState> = new Set([
  'connected',
  'on-hold',
  'renegotiating',
  'reconnecting',
]);

/** One sentence per thing the peer has changed from an ordinary call; none when all is as usual. */
export function describePeerState(view: CallView): string[] {
  if (!LIVE_STATES.has(view.state)) return [];
  const peer = view.peerId ?? 'Your peer';
  const { remoteMedia } = view;
  const lines: string[] = [];
  if (view.hold === 'remote' || view.hold === 'both') lines.push(`${peer} put the call on hold`);
  if (!remoteMedia.microphone) lines.push(`${peer} muted their microphone`);
  if (remoteMedia.screen) lines.push(`${peer} is sharing their screen`);
  // While sharing, the screen goes instead of the camera: "camera off" would only confuse.
  else if (remoteMedia.video && !remoteMedia.camera) lines.push(`${peer} turned their camera off`);
  return lines;
}
