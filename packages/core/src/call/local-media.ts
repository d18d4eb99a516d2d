// What this side sends, read from where the call stands (the media and connected regions) and its data:
// one function for both the call view and the `media-state` message, so the two never disagree.
import type { StateValue } from 'xstate';
import type { MediaKinds, MediaState } from '../protocol.js';
import type { CallContext } from './context.js';

/** The places a media state is read from, as state values (`snapshot.matches` and `stateIn` take them). */
export const MEDIA_PLACES = {
  microphoneOn: { active: { media: { microphone: 'on' } } },
  cameraOn: { active: { media: { camera: 'on' } } },
  sharing: { active: { phase: { connected: { screen: 'on' } } } },
  heldHere: { active: { phase: { connected: { hold: 'local' } } } },
  heldByBoth: { active: { phase: { connected: { hold: 'both' } } } },
  heldByPeer: { active: { phase: { connected: { hold: 'remote' } } } },
} as const satisfies Record<string, StateValue>;

export function localMediaOf(
  context: Pick<CallContext, 'media'>,
  inState: (place: StateValue) => boolean,
): MediaState {
  const sharing = inState(MEDIA_PLACES.sharing);
  return {
    microphone: context.media.audio && inState(MEDIA_PLACES.microphoneOn),
    // The camera is sending only while it is on and no screen goes instead of it.
    camera: context.media.video && inState(MEDIA_PLACES.cameraOn) && !sharing,
    screen: sharing,
    held: inState(MEDIA_PLACES.heldHere) || inState(MEDIA_PLACES.heldByBoth),
    video: context.media.video,
  };
}

/** What a side is taken to send before it says anything: all its call carries, nothing held. */
export const isDefaultMediaState = (state: MediaState): boolean =>
  state.microphone && state.camera && !state.screen && !state.held && state.video;

/** The media a side is taken to send before it says anything: everything its call carries on, nothing held. */
export function defaultMediaState(media: MediaKinds): MediaState {
  return { microphone: media.audio, camera: media.video, screen: false, held: false, video: media.video };
}
