// The asynchronous media work of a call under way, one invoked actor each: opening the camera again, a
// screen, another device — each puts its track on the right sender — and the watchers of local tracks and
// of the message channel. A track that arrives after its step was left is stopped at once (acquireMedia's rule).
import { fromCallback, fromPromise } from 'xstate';
import type {
  DataChannelPort,
  GetDisplayMedia,
  GetUserMedia,
  MediaStreamPort,
  MediaTrackPort,
  PeerConnectionPort,
  RtpTransceiverPort,
} from '../ports.js';
import type { LocalTracks } from './context.js';
import type { CallEvent, DeviceKind, LocalTrackKind } from './events.js';
import { stopTracks } from './negotiation.js';

type MediaKind = 'audio' | 'video';

/** The abort signal XState hands a promise actor (core is compiled without DOM or Node types). */
interface StepSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
}

/** The live transceiver that carries a kind (the first: the camera's for video, never a later screen's). */
export function transceiverOf(pc: PeerConnectionPort | null, kind: MediaKind): RtpTransceiverPort | null {
  if (!pc) return null;
  return (
    pc
      .getTransceivers()
      .find(
        (t) => t.direction !== 'stopped' && (t.sender.track?.kind === kind || t.receiver.track.kind === kind),
      ) ?? null
  );
}

/** Stops a track, even one that throws on stop(): nothing more can be done for it. */
export function stopTrack(track: MediaTrackPort | null): void {
  try {
    track?.stop();
  } catch {
    // The track is being let go either way.
  }
}

/**
 * Takes the one track wanted out of a fresh stream and stops the rest. If the step that asked for it was
 * left meanwhile, stops it too: a call that moved on must not keep a camera (or screen) running.
 */
function trackOf(stream: MediaStreamPort, kind: MediaKind, signal: StepSignal): MediaTrackPort {
  const tracks = stream.getTracks();
  const track = tracks.find((t) => t.kind === kind);
  for (const other of tracks) if (other !== track) stopTrack(other);
  if (!track) throw new Error(`the platform gave no ${kind} track`);
  if (signal.aborted) {
    stopTrack(track);
    throw new Error('the call left this step before the device opened');
  }
  // XState takes the result one promise job later; a step left in between aborts, and the track stops.
  signal.addEventListener('abort', () => stopTrack(track), { once: true });
  return track;
}

/** Puts a track on the sender of its kind, if the call has one yet (before the offer, the offer adds it). */
async function send(pc: PeerConnectionPort | null, kind: MediaKind, track: MediaTrackPort): Promise<void> {
  const transceiver = transceiverOf(pc, kind);
  if (transceiver) await transceiver.sender.replaceTrack(track);
}

export interface OpenCameraInput {
  getUserMedia: GetUserMedia;
  pc: PeerConnectionPort | null;
  /** The camera `switchDevice` chose, or null for any. */
  deviceId: string | null;
  /** Video added to an audio-only call: the transceiver is made to send (or added), then renegotiated. */
  addToCall: boolean;
}

/** Camera on (again), or video added to an audio call: opens the camera and sends it. */
export const openCamera = fromPromise<MediaTrackPort, OpenCameraInput>(async ({ input, signal }) => {
  const video = input.deviceId ? { deviceId: { exact: input.deviceId } } : true;
  const track = trackOf(await input.getUserMedia({ audio: false, video }), 'video', signal);
  const transceiver = transceiverOf(input.pc, 'video');
  if (input.addToCall && !transceiver) addTransceiver(input.pc!, track, 'sendrecv');
  else if (transceiver) {
    if (input.addToCall) transceiver.direction = 'sendrecv';
    await transceiver.sender.replaceTrack(track);
  }
  return track;
});

function addTransceiver(pc: PeerConnectionPort, track: MediaTrackPort, direction: 'sendrecv' | 'sendonly') {
  if (pc.addTransceiver) pc.addTransceiver(track, { direction });
  else pc.addTrack(track);
}

export interface OpenScreenInput {
  getDisplayMedia: GetDisplayMedia | undefined;
  pc: PeerConnectionPort | null;
  /** The call sends no video: the screen goes on a video transceiver of its own, by renegotiation. */
  audioOnly: boolean;
}

/** Opens a screen and sends it instead of the camera (or, in an audio call, on a new video transceiver). */
export const openScreen = fromPromise<MediaTrackPort, OpenScreenInput>(async ({ input, signal }) => {
  if (!input.getDisplayMedia) throw new Error('this phone was given no getDisplayMedia port');
  const track = trackOf(await input.getDisplayMedia({ video: true, audio: false }), 'video', signal);
  const transceiver = transceiverOf(input.pc, 'video');
  if (!input.audioOnly || transceiver) {
    if (input.audioOnly && transceiver) {
      transceiver.direction = transceiver.direction === 'recvonly' ? 'sendrecv' : 'sendonly';
    }
    await send(input.pc, 'video', track);
  } else addTransceiver(input.pc!, track, 'sendonly');
  return track;
});

export interface OpenDeviceInput {
  getUserMedia: GetUserMedia;
  pc: PeerConnectionPort | null;
  kind: DeviceKind;
  deviceId: string;
}

/** A device switch: opens that one device and sends it instead of the old one, without renegotiation. */
export const openDevice = fromPromise<MediaTrackPort, OpenDeviceInput>(async ({ input, signal }) => {
  const wanted = { deviceId: { exact: input.deviceId } };
  const kind = input.kind === 'audioinput' ? 'audio' : 'video';
  const request = kind === 'audio' ? { audio: wanted, video: false } : { audio: false, video: wanted };
  const track = trackOf(await input.getUserMedia(request), kind, signal);
  await send(input.pc, kind, track);
  return track;
});

/**
 * Tells the machine when a local track ends by itself (unplugged, "Stop sharing"). It is told the current
 * tracks (`watch`) whenever they change; stopping it removes every listener.
 */
export const watchLocalTracks = fromCallback<{ type: 'watch'; tracks: LocalTracks }, object>(
  ({ sendBack, receive }) => {
    const watched = new Map<MediaTrackPort, () => void>();
    const unwatch = (track: MediaTrackPort) => {
      track.removeEventListener?.('ended', watched.get(track)!);
      watched.delete(track);
    };
    receive(({ tracks }) => {
      const current = new Map<MediaTrackPort, LocalTrackKind>();
      for (const kind of ['microphone', 'camera', 'screen'] as const) {
        const track = tracks[kind];
        if (track) current.set(track, kind);
      }
      for (const track of [...watched.keys()]) if (!current.has(track)) unwatch(track);
      for (const [track, kind] of current) {
        if (watched.has(track) || !track.addEventListener) continue;
        const listener = () => sendBack({ type: 'track.ended', kind, track } satisfies CallEvent);
        track.addEventListener('ended', listener);
        watched.set(track, listener);
      }
    });
    return () => {
      for (const track of [...watched.keys()]) unwatch(track);
    };
  },
);

/** The message channel's life and frames, as machine events, for as long as the call lasts. */
export const watchDataChannel = fromCallback<CallEvent, { channel: DataChannelPort | null }>(
  ({ input: { channel }, sendBack }) => {
    if (!channel) return;
    const onOpen = () => sendBack({ type: 'channel.open' });
    const onClose = () => sendBack({ type: 'channel.closed' });
    const onMessage = (event: { readonly data: unknown }) =>
      sendBack({ type: 'channel.message', data: event.data });
    channel.addEventListener('open', onOpen);
    channel.addEventListener('close', onClose);
    channel.addEventListener('message', onMessage);
    return () => {
      channel.removeEventListener('open', onOpen);
      channel.removeEventListener('close', onClose);
      channel.removeEventListener('message', onMessage);
    };
  },
);

/** Every local track a call may hold, stopped: at the end no camera, microphone or screen stays on. */
export function stopAllTracks(stream: MediaStreamPort | null, tracks: LocalTracks): void {
  stopTracks(stream);
  for (const track of [tracks.microphone, tracks.camera, tracks.screen]) stopTrack(track);
}
