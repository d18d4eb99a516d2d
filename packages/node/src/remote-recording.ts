// Records what the peer sends (the remote stream's Opus audio and VP8/VP9/H.264 video) to a WebM file with
// werift's MediaRecorder: the packets are written as they came, nothing is decoded or encoded again.
import type { MediaStreamPort } from '@handset/core';
import { MediaStreamTrack, type RtpPacket } from 'werift';
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
 * One remote track as the recorder sees it: a stand-in werift track fed with the remote one's packets.
 * Packets are held from the moment the track is seen until the writer is ready, so the first key frame
 * (which a browser sends once, at the start) is in the file; werift's writer drops video until one comes.
 */
class RecordedTrack {
  readonly proxy: MediaStreamTrack;
  packets = 0;
  private held: RtpPacket[] | null = [];
  private readonly subscription: { unSubscribe(): void };

  constructor(readonly source: MediaStreamTrack) {
    this.proxy = new MediaStreamTrack({ kind: source.kind });
    this.subscription = source.onReceiveRtp.subscribe((rtp) => {
      this.packets += 1;
      if (this.held) {
        if (this.held.length < MAX_HELD_PACKETS) this.held.push(rtp.clone());
      } else {
        this.proxy.onReceiveRtp.execute(rtp);
      }
    });
  }

  /** The writer is listening: hand it what was held, then every packet as it comes. */
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const rtp of held) this.proxy.onReceiveRtp.execute(rtp);
  }

  close(): void {
    this.subscription.unSubscribe();
    this.held = null;
  }
}

/** About 20 s of audio and video at typical rates: a cap for a writer that never gets ready. */
const MAX_HELD_PACKETS = 4_000;

/**
 * Records `stream` (a call view's `remoteStream`: on Node its tracks are werift tracks) to `options.path`.
 * Tracks may join the stream after the call connects; the recording waits for every wanted kind.
 */
export function recordRemoteStream(
  stream: MediaStreamPort,
  options: RemoteRecordingOptions,
): RemoteRecording {
  const kinds = options.kinds ?? ['audio', 'video'];
  const seen = new Map<MediaStreamTrack, RecordedTrack>();
  let recorder: MediaRecorder | null = null;
  let stopped = false;

  const started = (async () => {
    if (!options.path.endsWith('.webm')) {
      throw new RecordingError('not-webm', `recordRemoteStream: "${options.path}" does not end in .webm`);
    }
    const tracks = await firstPacketOfEach(
      stream,
      kinds,
      options.startTimeoutMs ?? 20_000,
      seen,
      () => stopped,
    );
    if (stopped) return;
    const chosen = tracks.map((track) => seen.get(track) as RecordedTrack);
    for (const recorded of chosen) recorded.proxy.codec = recorded.source.codec;
    const starting = new MediaRecorder({
      path: options.path,
      numOfTracks: chosen.length,
      width: options.width ?? 640,
      height: options.height ?? 360,
      // Each track's own RTP clock: no wait for the sender's RTCP timing, which a short call may never send.
      disableLipSync: true,
      disableNtp: true,
    });
    // The last addTrack() resolves once the writer has subscribed to every track.
    for (const recorded of chosen) await starting.addTrack(recorded.proxy);
    recorder = starting;
    if (stopped) return;
    for (const recorded of chosen) recorded.release();
  })();
  // A rejection nobody awaited (stop() before start) must not surface as unhandled.
  started.catch(() => undefined);

  const packets = (kind: MediaKind) =>
    [...seen.values()]
      .filter((recorded) => recorded.source.kind === kind && recorded.packets > 0)
      .reduce((sum, recorded) => sum + recorded.packets, 0);

  return {
    path: options.path,
    started,
    get packets() {
      return { audio: packets('audio'), video: packets('video') };
    },
    stop: async () => {
      stopped = true;
      for (const recorded of seen.values()) recorded.close();
      const running = recorder;
      recorder = null;
      if (running) await running.stop();
    },
  };
}

/** Watches `stream` for werift tracks (each gets a RecordedTrack at once) until each kind has sent a packet. */
function firstPacketOfEach(
  stream: MediaStreamPort,
  kinds: readonly MediaKind[],
  timeoutMs: number,
  seen: Map<MediaStreamTrack, RecordedTrack>,
  cancelled: () => boolean,
): Promise<MediaStreamTrack[]> {
  return new Promise((resolve, reject) => {
    const heard = () =>
      [...seen.values()].filter((recorded) => recorded.packets > 0).map((recorded) => recorded.source);
    const deadline = setTimeout(() => {
      clearInterval(poll);
      const missing = kinds.filter((kind) => !heard().some((track) => track.kind === kind));
      reject(
        new RecordingError('no-media', `no ${missing.join(' or ')} from the peer within ${timeoutMs} ms`),
      );
    }, timeoutMs);
    const check = () => {
      for (const track of stream.getTracks()) {
        if (track instanceof MediaStreamTrack && !seen.has(track)) seen.set(track, new RecordedTrack(track));
      }
      const chosen = kinds.map((kind) => heard().find((track) => track.kind === kind));
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
