// Records what the peer sends (the remote stream's Opus audio and VP8/VP9/H.264 video) to a WebM file with
// werift's MediaRecorder: the packets are written as they came, nothing is decoded or encoded again.
import type { MediaStreamPort } from '@handset/core';
import { MediaStreamTrack } from 'werift';
import { MediaRecorder } from 'werift/nonstandard';
import type { MediaKind } from './rtp-source.js';

/** Why a recording could not start: `not-webm` (the path), `no-media` (a wanted track sent nothing in time). */
export type RecordingErrorCode = 'not-webm' | 'no-media';

export class RecordingError extends Error {
  override readonly name = 'RecordingError';
  constructor(
    readonly code: RecordingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface RemoteRecordingOptions {
  /** The file to write; it must end in `.webm` (werift writes WebM only). */
  path: string;
  /** The kinds to record; default audio and video. Recording starts once each has sent a packet. */
  kinds?: readonly MediaKind[];
  /** How long to wait for that; default 20 s, then `started` rejects with `no-media`. */
  startTimeoutMs?: number;
  /** The video size written in the WebM header (players read the real size from the frames); default 640×360. */
  width?: number;
  height?: number;
}

export interface RemoteRecording {
  readonly path: string;
  /** Resolves once the file is being written; rejects with a RecordingError. */
  readonly started: Promise<void>;
  /** RTP packets recorded so far, per kind. */
  readonly packets: Readonly<Record<MediaKind, number>>;
  /** Stops and finishes the file (safe to call before it started, and twice). */
  stop(): Promise<void>;
}

const TRACK_POLL_MS = 20;

/**
 * Records `stream` (a call view's `remoteStream`: on Node its tracks are werift tracks) to `options.path`.
 * Tracks may join the stream after the call connects; the recording waits for every wanted kind.
 */
export function recordRemoteStream(
  stream: MediaStreamPort,
  options: RemoteRecordingOptions,
): RemoteRecording {
  const kinds = options.kinds ?? ['audio', 'video'];
  const packets: Record<MediaKind, number> = { audio: 0, video: 0 };
  const unsubscribers: (() => void)[] = [];
  let recorder: MediaRecorder | null = null;
  let stopped = false;

  const started = (async () => {
    if (!options.path.endsWith('.webm')) {
      throw new RecordingError('not-webm', `recordRemoteStream: "${options.path}" does not end in .webm`);
    }
    const tracks = await firstPacketOfEach(stream, kinds, options.startTimeoutMs ?? 20_000, () => stopped);
    if (stopped) return;
    for (const track of tracks) {
      const kind = track.kind as MediaKind;
      const subscription = track.onReceiveRtp.subscribe(() => {
        packets[kind] += 1;
      });
      unsubscribers.push(() => subscription.unSubscribe());
    }
    recorder = new MediaRecorder({
      path: options.path,
      tracks,
      width: options.width ?? 640,
      height: options.height ?? 360,
      // Each track's own RTP clock: no wait for the sender's RTCP timing, which a short call may never send.
      disableLipSync: true,
      disableNtp: true,
    });
  })();
  // A rejection nobody awaited (stop() before start) must not surface as unhandled.
  started.catch(() => undefined);

  return {
    path: options.path,
    started,
    packets,
    stop: async () => {
      stopped = true;
      for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
      const running = recorder;
      recorder = null;
      if (running) await running.stop();
    },
  };
}

/** Waits until `stream` holds a werift track of each kind and each has received one packet. */
function firstPacketOfEach(
  stream: MediaStreamPort,
  kinds: readonly MediaKind[],
  timeoutMs: number,
  cancelled: () => boolean,
): Promise<MediaStreamTrack[]> {
  return new Promise((resolve, reject) => {
    const heard = new Set<MediaStreamTrack>();
    const watched = new Set<MediaStreamTrack>();
    const deadline = setTimeout(() => {
      clearInterval(poll);
      const missing = kinds.filter((kind) => ![...heard].some((track) => track.kind === kind));
      reject(
        new RecordingError('no-media', `no ${missing.join(' or ')} from the peer within ${timeoutMs} ms`),
      );
    }, timeoutMs);
    const check = () => {
      for (const track of stream.getTracks()) {
        if (!(track instanceof MediaStreamTrack) || watched.has(track)) continue;
        watched.add(track);
        track.onReceiveRtp.asPromise().then(
          () => heard.add(track),
          () => undefined,
        );
      }
      const chosen = kinds.map((kind) => [...heard].find((track) => track.kind === kind));
      if (cancelled() || chosen.every((track) => track !== undefined)) {
        clearInterval(poll);
        clearTimeout(deadline);
        resolve(chosen.filter((track): track is MediaStreamTrack => track !== undefined));
      }
    };
    const poll = setInterval(check, TRACK_POLL_MS);
    check();
  });
}
