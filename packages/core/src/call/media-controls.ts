// The microphone, the camera and device switches: a region beside the call's phase, so the buttons work
// from the first ring (remembered until media exists) to the hang-up. Video on/off mid-call lives here too:
// the camera region's `none` is an audio-only call.
import { and, not } from 'xstate';
import { outputOf } from './call-setup.js';
import type { CallContext } from './context.js';
import { callSetup } from './control-actions.js';
import type { CallEvent } from './events.js';

/** Tells the peer when connected (the connected state sends nothing before). */
const changed = 'announceMediaChanged' as const;

const openCameraInput = ({ context }: { context: CallContext }) => ({
  getUserMedia: context.ports.getUserMedia,
  pc: context.pc,
  deviceId: context.cameraDeviceId,
  addToCall: false,
});

const switchResult = { type: 'reportControlResult', params: { control: 'switch-device' } } as const;

/**
 * A device switch: getUserMedia for the chosen device, whose track then replaces the one sent (`useTrack`);
 * refused, the old device stays and the app is warned. Either way the switch's promise settles.
 */
function openingDevice<const UseTrack extends readonly unknown[]>(
  kind: 'audioinput' | 'videoinput',
  useTrack: UseTrack,
) {
  return {
    src: 'openDevice',
    input: ({ context, event }: { context: CallContext; event: CallEvent }) => ({
      getUserMedia: context.ports.getUserMedia,
      pc: context.pc,
      kind,
      deviceId: event.type === 'user.switchDevice' ? event.deviceId : '',
    }),
    onDone: { target: 'idle', actions: [...useTrack, 'watchTracks', switchResult] },
    onError: { target: 'idle', actions: ['warnDeviceFailed', switchResult] },
  } as const;
}

export const mediaControls = callSetup.createStateConfig({
  type: 'parallel',
  states: {
    microphone: {
      initial: 'on',
      states: {
        on: {
          on: {
            'user.microphone': { guard: 'isSwitchOff', target: 'off', actions: ['muteMicrophone', changed] },
            // Unplugged: reported, and the call goes on muted (the peer is told).
            'track.ended': {
              guard: 'isMicrophoneEnded',
              target: 'off',
              actions: ['warnDeviceLost', changed],
            },
          },
        },
        off: {
          on: {
            'user.microphone': { guard: 'isSwitchOn', target: 'on', actions: ['unmuteMicrophone', changed] },
            // Muted before the microphone opened: its track starts muted.
            'media.acquired': { actions: 'muteMicrophone' },
            'track.ended': {
              guard: 'isMicrophoneEnded',
              actions: 'warnDeviceLost',
            },
          },
        },
      },
    },
    camera: {
      initial: 'choosing',
      on: {
        // The callee answers a video call with audio only: there is no camera to switch.
        'user.answer': { guard: 'isAnsweringWithoutVideo', target: '.none' },
      },
      states: {
        choosing: { always: [{ guard: 'isVideoCall', target: 'on' }, { target: 'none' }] },
        on: {
          on: {
            'user.camera': [
              // While a screen goes instead of the camera, the switch only says what comes back after.
              { guard: and(['isSwitchOff', 'isSharingScreen']), target: 'off' },
              { guard: 'isSwitchOff', target: 'off', actions: ['releaseCamera', 'watchTracks', changed] },
            ],
            'track.ended': {
              guard: 'isCameraEnded',
              target: 'off',
              actions: ['warnDeviceLost', 'releaseCamera', 'watchTracks', changed],
            },
            'screen.stopped': 'opening',
            'user.stopVideo': {
              guard: 'isConnected',
              target: 'none',
              actions: ['stopSendingVideo', 'watchTracks', 'requestOffer', changed],
            },
          },
        },
        off: {
          on: {
            'user.camera': [
              { guard: and(['isSwitchOn', 'isSharingScreen']), target: 'on' },
              // No media yet: remembered; the camera opens with the rest.
              { guard: and(['isSwitchOn', 'hasLocalMedia']), target: 'opening' },
              { guard: 'isSwitchOn', target: 'on' },
            ],
            // Switched off before the camera opened: it stops at once.
            'media.acquired': { actions: ['releaseCamera', 'watchTracks'] },
            'user.stopVideo': {
              guard: 'isConnected',
              target: 'none',
              actions: ['stopSendingVideo', 'requestOffer', changed],
            },
          },
        },
        opening: {
          invoke: {
            src: 'openCamera',
            input: openCameraInput,
            onDone: {
              target: 'on',
              actions: [{ type: 'useCameraTrack', params: outputOf }, 'watchTracks', changed],
            },
            onError: { target: 'off', actions: 'warnDeviceFailed' },
          },
          on: {
            // Leaving aborts the open: a camera that opens late is stopped at once.
            'user.camera': { guard: 'isSwitchOff', target: 'off' },
            'user.stopVideo': {
              guard: 'isConnected',
              target: 'none',
              actions: ['stopSendingVideo', 'requestOffer', changed],
            },
          },
        },
        /** The call sends no video (audio-only); the peer may still send some. */
        none: {
          // Not while this side holds: the new video would flow on a held call (resume first).
          on: { 'user.startVideo': { guard: and(['isConnected', not('isHeldHere')]), target: 'starting' } },
        },
        starting: {
          invoke: {
            src: 'openCamera',
            input: (args) => ({ ...openCameraInput(args), addToCall: true }),
            onDone: {
              target: 'on',
              actions: [
                { type: 'useCameraTrack', params: outputOf },
                'markVideoSent',
                'watchTracks',
                'requestOffer',
                changed,
              ],
            },
            onError: { target: 'none', actions: 'warnDeviceFailed' },
          },
          on: { 'user.stopVideo': 'none' },
        },
      },
    },
    switching: {
      initial: 'idle',
      states: {
        idle: {
          on: {
            'user.switchDevice': [
              { guard: and(['hasLocalMedia', 'isMicrophoneSwitch']), target: 'microphone' },
              { guard: and(['hasLocalMedia', 'isLiveCameraSwitch']), target: 'camera' },
              // The camera is off (or a screen goes instead): the chosen one opens when it comes back.
              {
                guard: and(['hasLocalMedia', 'isCameraSwitch']),
                actions: [
                  'rememberCameraDevice',
                  { type: 'reportControlResult', params: { control: 'switch-device' } },
                ],
              },
            ],
          },
        },
        microphone: {
          invoke: openingDevice('audioinput', [{ type: 'useMicrophoneTrack', params: outputOf }]),
        },
        camera: {
          invoke: openingDevice('videoinput', [
            { type: 'useCameraTrack', params: outputOf },
            'noteCameraDevice',
          ]),
          // The camera went off meanwhile: the switch is abandoned (a late track is stopped).
          on: {
            'user.camera': {
              guard: 'isSwitchOff',
              target: 'idle',
              actions: { type: 'reportControlResult', params: { control: 'switch-device' } },
            },
          },
        },
      },
    },
  },
});
