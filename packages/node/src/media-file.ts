// A file as a media source: the Opus and VP8 frames of a WebM (or Ogg, MP4...) file, read with mediabunny
// (the container parser werift itself uses) and sent as they are, in a loop: no decoding, no encoding.
import { ALL_FORMATS, BufferSource, EncodedPacketSink, FilePathSource, Input } from 'mediabunny';
import type { FrameSequence, MediaKind, MediaSource } from './rtp-source.js';

/** Why a file cannot be played: `no-media` (no Opus or VP8 track), `unreadable` (not a media container). */
export type MediaFileErrorCode = 'no-media' | 'unreadable';

export class MediaFileError extends Error {
  override readonly name = 'MediaFileError';
  constructor(
    readonly code: MediaFileErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface MediaFile {
  /** The first Opus track, if any. */
  readonly audio?: MediaSource;
  /** The first VP8 track, if any. */
  readonly video?: MediaSource;
}

/** A VP8 frame is cut into RTP payloads of at most this size (well under a 1200-byte path MTU with headers). */
const MAX_VP8_CHUNK = 1_100;
/** RFC 7741 payload descriptor: S (start of partition 0) on the first packet of a frame, nothing after. */
const VP8_START = 0x10;
const VP8_CONTINUATION = 0x00;

interface FileFrame {
  readonly payloads: readonly Buffer[];
  readonly key: boolean;
}

function vp8Payloads(frame: Uint8Array): Buffer[] {
  const payloads: Buffer[] = [];
  for (let offset = 0; offset < frame.length; offset += MAX_VP8_CHUNK) {
    const chunk = frame.subarray(offset, offset + MAX_VP8_CHUNK);
    payloads.push(Buffer.concat([Buffer.from([offset === 0 ? VP8_START : VP8_CONTINUATION]), chunk]));
  }
  return payloads;
}

/**
 * Loops over the frames. While disabled nothing is sent (a decoder cannot take a stand-in frame in the
 * middle of a VP8 stream); when enabled again, sending resumes at a key frame so the peer can decode at once.
 */
function looping(frames: readonly FileFrame[]): FrameSequence {
  let index = 0;
  let waitingForKey = false;
  return {
    next: (enabled) => {
      if (!enabled) {
        waitingForKey = true;
        return [];
      }
      if (waitingForKey) {
        const key = frames.findIndex((frame, i) => i >= index && frame.key);
        index = key === -1 ? 0 : key;
        waitingForKey = false;
      }
      const frame = frames[index % frames.length] as FileFrame;
      index = (index + 1) % frames.length;
      return frame.payloads;
    },
  };
}

function source(kind: MediaKind, frames: FileFrame[], frameIntervalMs: number): MediaSource {
  return {
    kind,
    clockRate: kind === 'audio' ? 48_000 : 90_000,
    frameIntervalMs,
    frames: () => looping(frames),
  };
}

/**
 * Reads a media file (a path, or its bytes) into sources for `devices` or replaceTrack: its Opus audio and
 * VP8 video, played in a loop at the file's own frame rate. The whole file is held in memory: keep it short.
 */
export async function loadMediaFile(file: string | Uint8Array): Promise<MediaFile> {
  const input = new Input({
    source: typeof file === 'string' ? new FilePathSource(file) : new BufferSource(file),
    formats: ALL_FORMATS,
  });
  try {
    const tracks = await input.getTracks().catch((error: unknown) => {
      throw new MediaFileError('unreadable', 'loadMediaFile: not a media container this can read', {
        cause: error,
      });
    });
    const loaded: { audio?: MediaSource; video?: MediaSource } = {};
    for (const track of tracks) {
      const kind = track.codec === 'opus' ? 'audio' : track.codec === 'vp8' ? 'video' : null;
      if (!kind || loaded[kind]) continue;
      const frames: FileFrame[] = [];
      let seconds = 0;
      for await (const packet of new EncodedPacketSink(track).packets()) {
        if (frames.length === 0 && packet.type !== 'key') continue;
        frames.push({
          payloads: kind === 'audio' ? [Buffer.from(packet.data)] : vp8Payloads(packet.data),
          key: packet.type === 'key',
        });
        seconds += packet.duration;
      }
      if (frames.length === 0) continue;
      const intervalMs = Math.max(1, Math.round((seconds * 1000) / frames.length));
      loaded[kind] = source(kind, frames, intervalMs);
    }
    if (!loaded.audio && !loaded.video) {
      throw new MediaFileError('no-media', 'loadMediaFile: the file has no Opus or VP8 track');
    }
    return loaded;
  } finally {
    input.dispose();
  }
}
