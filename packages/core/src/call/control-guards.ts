// The guards of a call's controls (microphone, camera, hold, screen, devices, messages, the peer's media
// state), each named for the question it answers.
import { and, assertEvent, not, or, stateIn } from 'xstate';
import { PROTOCOL_LIMITS, utf8Length } from '../protocol.js';
import { type CallContext, MAX_QUEUED_MESSAGES } from './context.js';
import type { CallEvent, LocalTrackKind } from './events.js';
import { MEDIA_PLACES } from './local-media.js';

type GuardArgs = { context: CallContext; event: CallEvent };

const isConnected = stateIn({ active: { phase: 'connected' } });
const isSharingScreen = stateIn(MEDIA_PLACES.sharing);

/** Which of the call's current tracks ended by itself (null: one already replaced or let go). */
function endedTrack(context: CallContext, event: CallEvent): LocalTrackKind | null {
  assertEvent(event, 'track.ended');
  return context.tracks[event.kind] === event.track ? event.kind : null;
}

export const controlGuards = {
  /** The button asks for on (`user.microphone`, `user.camera`). */
  isSwitchOn: ({ event }: GuardArgs) => {
    assertEvent(event, ['user.microphone', 'user.camera']);
    return event.on;
  },
  isSwitchOff: ({ event }: GuardArgs) => {
    assertEvent(event, ['user.microphone', 'user.camera']);
    return !event.on;
  },
  isVideoCall: ({ context }: GuardArgs) => context.media.video,
  /** The ringing call answered with audio only (only an incoming call can be answered). */
  isAnsweringWithoutVideo: and([
    ({ event }: GuardArgs) => {
      assertEvent(event, 'user.answer');
      return event.media !== undefined && !event.media.video;
    },
    stateIn({ active: { phase: 'incoming' } }),
  ]),
  isConnected,
  isSharingScreen,
  isMicrophoneEnded: ({ context, event }: GuardArgs) => endedTrack(context, event) === 'microphone',
  isCameraEnded: ({ context, event }: GuardArgs) => endedTrack(context, event) === 'camera',
  isScreenEnded: ({ context, event }: GuardArgs) => endedTrack(context, event) === 'screen',
  isCameraSwitch: ({ event }: GuardArgs) => {
    assertEvent(event, 'user.switchDevice');
    return event.kind === 'videoinput';
  },
  isMicrophoneSwitch: ({ event }: GuardArgs) => {
    assertEvent(event, 'user.switchDevice');
    return event.kind === 'audioinput';
  },
  /** A camera switch that must open the device now: the camera is on and sent (not replaced by a screen). */
  isLiveCameraSwitch: and([
    ({ event }: GuardArgs) => {
      assertEvent(event, 'user.switchDevice');
      return event.kind === 'videoinput';
    },
    stateIn(MEDIA_PLACES.cameraOn),
    not(isSharingScreen),
  ]),
  /** Later than the last one the peer sent: a reordered older media state is ignored. */
  isNewerMediaState: ({ context, event }: GuardArgs) => {
    assertEvent(event, 'remote.mediaState');
    return event.envelope.seq > context.remoteMediaSeq;
  },
  isPeerHolding: ({ context }: GuardArgs) => context.remoteMedia?.held === true,
  isChannelOpen: ({ context }: GuardArgs) => context.channel?.readyState === 'open',
  hasRoomForQueuedMessage: ({ context }: GuardArgs) => context.queuedMessages.length < MAX_QUEUED_MESSAGES,
  /** This side holds the call (alone or with the peer): directions are parked until resume. */
  isHeldHere: or([stateIn(MEDIA_PLACES.heldHere), stateIn(MEDIA_PLACES.heldByBoth)]),
  isOnHold: or([
    stateIn(MEDIA_PLACES.heldHere),
    stateIn(MEDIA_PLACES.heldByBoth),
    stateIn(MEDIA_PLACES.heldByPeer),
  ]),
  /** One frame that is text within `maxCallMessageBytes`. */
  isMessageText: ({ event }: GuardArgs) => {
    assertEvent(event, 'channel.message');
    return typeof event.data === 'string';
  },
  isMessageOversize: ({ event }: GuardArgs) => {
    assertEvent(event, 'channel.message');
    const data = event.data as string;
    // Each UTF-16 unit is at least one byte: a frame that long is over without counting.
    return (
      data.length > PROTOCOL_LIMITS.maxCallMessageBytes ||
      utf8Length(data) > PROTOCOL_LIMITS.maxCallMessageBytes
    );
  },
};
