// The actions of a call's controls — microphone, camera, hold, screen, devices, video, messages and the
// media state both sides tell each other — added to the call machine's vocabulary (call-setup.ts).
import { assertEvent, assign, emit, enqueueActions, raise, sendTo, stateIn } from 'xstate';
import { HandsetError } from '../errors.js';
import type { MediaTrackPort, TransceiverDirection } from '../ports.js';
import { mediaStateOf } from './call-messages.js';
import { callSetupBase } from './call-setup.js';
import type { LocalTracks } from './context.js';
import { controlGuards } from './control-guards.js';
import { errorName } from './guards.js';
import { stopTrack, transceiverOf } from './in-call-media.js';
import { isDefaultMediaState, localMediaOf, MEDIA_PLACES } from './local-media.js';

/** A sender's replaceTrack that fails leaves nothing running (the track it dropped is stopped already). */
const ignoreRefusal = () => {};

function setEnabled(track: MediaTrackPort | null, enabled: boolean): void {
  if (track) track.enabled = enabled;
}

/** Stops the camera's track and takes it off the video sender, unless a screen went there instead. */
function releaseCameraOf(pc: Parameters<typeof transceiverOf>[0], tracks: LocalTracks): LocalTracks {
  stopTrack(tracks.camera);
  const sender = transceiverOf(pc, 'video')?.sender;
  if (sender && tracks.camera && sender.track === tracks.camera) {
    sender.replaceTrack(null).catch(ignoreRefusal);
  }
  return { ...tracks, camera: null };
}

/** The error a refused control reports: its code, and the platform's error as cause. */
function refused(code: 'device-failed' | 'screen-share-failed', what: string, cause: unknown): HandsetError {
  const name = errorName(cause);
  return new HandsetError(code, `${what} failed${name ? ` (${name})` : ''}; the call goes on`, { cause });
}

export const callSetup = callSetupBase.extend({
  guards: controlGuards,
  actions: {
    /** Tells the track watcher which tracks are the call's now. */
    watchTracks: sendTo('localTracks', ({ context }) => ({ type: 'watch', tracks: context.tracks }) as const),
    muteMicrophone: ({ context }) => setEnabled(context.tracks.microphone, false),
    unmuteMicrophone: ({ context }) => setEnabled(context.tracks.microphone, true),
    /** Camera off: its light goes off (the track stops); the peer gets no video until it comes on again. */
    releaseCamera: assign(({ context }) => ({ tracks: releaseCameraOf(context.pc, context.tracks) })),
    /** A new camera track is the call's: the one it replaces (if any) stops. */
    useCameraTrack: assign(({ context }, track: MediaTrackPort) => {
      if (context.tracks.camera !== track) stopTrack(context.tracks.camera);
      return { tracks: { ...context.tracks, camera: track } };
    }),
    /** Video added to an audio call: the call now carries video from this side. */
    markVideoSent: assign(({ context }) => ({ media: { ...context.media, video: true } })),
    /**
     * Video taken out of the call: the camera stops and its transceiver only receives (or nothing, if the
     * peer sends no video either); the renegotiation that follows tells the peer.
     */
    stopSendingVideo: assign(({ context }) => {
      const tracks = releaseCameraOf(context.pc, context.tracks);
      const transceiver = transceiverOf(context.pc, 'video');
      const direction = context.remoteMedia?.video === false ? 'inactive' : 'recvonly';
      const index = transceiver ? (context.pc?.getTransceivers().indexOf(transceiver) ?? -1) : -1;
      const directionsBeforeHold = [...context.directionsBeforeHold];
      // Held by this side: the transceiver stays inactive; resume restores the new direction.
      if (index >= 0 && index < directionsBeforeHold.length) directionsBeforeHold[index] = direction;
      else if (transceiver) transceiver.direction = direction;
      return { tracks, media: { ...context.media, video: false }, directionsBeforeHold };
    }),
    /** The screen goes instead of the camera, whose track stops (it is opened again when sharing stops). */
    shareScreen: assign(({ context }, track: MediaTrackPort) => {
      stopTrack(context.tracks.camera);
      return { tracks: { ...context.tracks, camera: null, screen: track } };
    }),
    /** Sharing stops: the screen's track stops and leaves the sender (the camera comes back by `screen.stopped`). */
    unshareScreen: enqueueActions(({ context, enqueue }) => {
      const screen = context.tracks.screen;
      stopTrack(screen);
      const transceiver = transceiverOf(context.pc, 'video');
      if (transceiver && transceiver.sender.track === screen) {
        transceiver.sender.replaceTrack(null).catch(ignoreRefusal);
        // In an audio call the screen had a transceiver of its own: it stops sending, by renegotiation.
        if (!context.media.video && transceiver.direction !== 'inactive') {
          transceiver.direction = transceiver.direction === 'sendrecv' ? 'recvonly' : 'inactive';
          enqueue.raise({ type: 'negotiation.offerWanted' });
        }
      }
      const tracks = { ...context.tracks, screen: null };
      enqueue.assign({ tracks });
      enqueue.sendTo('localTracks', { type: 'watch', tracks });
      enqueue.raise({ type: 'screen.stopped' });
    }),
    /** A switched microphone: the old track stops; the new one is muted if the microphone is. */
    useMicrophoneTrack: enqueueActions(({ context, enqueue, check }, track: MediaTrackPort) => {
      if (context.tracks.microphone !== track) stopTrack(context.tracks.microphone);
      setEnabled(track, check(stateIn(MEDIA_PLACES.microphoneOn)));
      enqueue.assign({ tracks: { ...context.tracks, microphone: track } });
    }),
    /** A camera chosen while the camera is off: it is the one opened when the camera comes on. */
    rememberCameraDevice: assign(({ event }) => {
      assertEvent(event, 'user.switchDevice');
      return { cameraDeviceId: event.deviceId };
    }),
    noteCameraDevice: assign(({ context }) => ({
      cameraDeviceId: context.tracks.camera?.getSettings?.().deviceId ?? context.cameraDeviceId,
    })),
    /** Hold: every transceiver goes `inactive` (media stops both ways); the directions are kept for resume. */
    holdMedia: assign(({ context }) => {
      const transceivers = context.pc?.getTransceivers() ?? [];
      const before = transceivers.map((t) => t.direction);
      for (const t of transceivers) if (t.direction !== 'stopped') t.direction = 'inactive';
      return { directionsBeforeHold: before };
    }),
    resumeMedia: assign(({ context }) => {
      const transceivers = context.pc?.getTransceivers() ?? [];
      transceivers.forEach((t, i) => {
        const before: TransceiverDirection | undefined = context.directionsBeforeHold[i];
        if (t.direction !== 'stopped') t.direction = before && before !== 'stopped' ? before : 'sendrecv';
      });
      return { directionsBeforeHold: [] };
    }),
    requestOffer: raise({ type: 'negotiation.offerWanted' }),
    askForOffer: raise({ type: 'negotiation.offer' }),
    noteOfferTaken: raise({ type: 'negotiation.offerTaken' }),
    noteOfferAnswered: raise({ type: 'negotiation.offerAnswered' }),
    announceMediaChanged: raise({ type: 'media.changed' }),
    announceMediaAcquired: raise({ type: 'media.acquired' }),
    /**
     * Tells the peer what this side sends now, with the next `seq`. `onlyIfChanged`: on entering
     * `connected`, where the peer already assumes the default.
     */
    sendMediaState: enqueueActions(({ context, enqueue, check }, params: { onlyIfChanged: boolean }) => {
      const state = localMediaOf(context, (place) => check(stateIn(place)));
      if (params.onlyIfChanged && isDefaultMediaState(state)) return;
      context.ports.send(mediaStateOf(context, context.mediaSeq, state));
      enqueue.assign({ mediaSeq: context.mediaSeq + 1 });
    }),
    /** Keeps what the peer says it sends; its hold, when that changes, moves the hold region. */
    storeRemoteMedia: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'remote.mediaState');
      const { seq, state } = event.envelope;
      const wasHeld = context.remoteMedia?.held === true;
      enqueue.assign({ remoteMedia: state, remoteMediaSeq: seq });
      if (state.held && !wasHeld) enqueue.raise({ type: 'peer.held' });
      if (!state.held && wasHeld) enqueue.raise({ type: 'peer.resumed' });
    }),
    sendCallMessage: ({ context, event }) => {
      assertEvent(event, 'user.message');
      try {
        context.channel?.send(event.text);
      } catch (cause) {
        context.ports.reportError(
          new HandsetError('port-failed', 'the data channel refused a message', { cause }),
        );
      }
    },
    queueMessage: assign(({ context, event }) => {
      assertEvent(event, 'user.message');
      return { queuedMessages: [...context.queuedMessages, event.text] };
    }),
    sendQueuedMessages: enqueueActions(({ context, enqueue }) => {
      for (const text of context.queuedMessages) {
        try {
          context.channel?.send(text);
        } catch (cause) {
          context.ports.reportError(
            new HandsetError('port-failed', 'the data channel refused a message', { cause }),
          );
        }
      }
      enqueue.assign({ queuedMessages: [] });
    }),
    receiveCallMessage: emit(({ event }) => {
      assertEvent(event, 'channel.message');
      return { type: 'message', text: event.data as string } as const;
    }),
    warnMessageTooLarge: ({ context }) =>
      context.ports.reportError(
        new HandsetError(
          'message-too-large',
          'the peer sent a message over maxCallMessageBytes; it was dropped and the call goes on',
        ),
      ),
    warnMessageNotText: ({ context }) =>
      context.ports.reportError(
        HandsetError.protocol(
          'invalid-envelope',
          'the peer sent a data channel frame that is not text; dropped',
        ),
      ),
    warnDeviceLost: ({ context, event }) => {
      assertEvent(event, 'track.ended');
      context.ports.reportError(
        new HandsetError('device-lost', `the ${event.kind} ended mid-call (unplugged?); it is off now`, {
          cause: { kind: event.kind },
        }),
      );
    },
    warnDeviceFailed: ({ context, event }) => {
      const error = 'error' in event ? event.error : undefined;
      context.ports.reportError(refused('device-failed', 'opening the device', error));
    },
    /** Settles the phone's promise for an asynchronous control: null when it worked. */
    reportControlResult: emit(
      ({ event }, params: { control: 'screen-share' | 'switch-device' }) =>
        ({
          type: 'control.result',
          control: params.control,
          error:
            'error' in event
              ? refused(
                  params.control === 'screen-share' ? 'screen-share-failed' : 'device-failed',
                  params.control === 'screen-share' ? 'getDisplayMedia' : 'switching the device',
                  event.error,
                )
              : null,
        }) as const,
    ),
    /** A held call sends no media on purpose: its quality is `held`, not `lost`. */
    publishHeldStats: emit(({ event }) => {
      assertEvent(event, 'stats.sampled');
      return { type: 'stats', stats: { ...event.stats, quality: 'held' } } as const;
    }),
  },
});
