// A file as a media source: the Opus and VP8 frames of a WebM (or Ogg, MP4...) file, read with mediabunny
// (the container parser werift itself uses) and sent as they are, in a loop: no decoding, no encoding.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ALL_FORMATS, BufferSource, EncodedPacketSink, Input } from 'mediabunny';
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

/** RFC 6716 §3.1: the duration of an Opus packet from its TOC byte (frame size × frame count). */
function opusPacketMs(packet: Buffer | undefined): number | null {
  const toc = packet?.[0];
  if (toc === undefined) return null;
  const config = toc >> 3;
  const frameMs =
    config < 12
      ? [10, 20, 40, 60][config % 4]
      : config < 16
        ? [10, 20][config % 2]
        : [2.5, 5, 10, 20][config % 4];
  const code = toc & 3;
  const count = code === 0 ? 1 : code === 3 ? (packet?.[1] ?? 0) & 0x3f : 2;
  const ms = (frameMs ?? 0) * count;
  return ms > 0 ? ms : null;
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

const IVF_SIGNATURE = 'DKIF';
const IVF_HEADER_BYTES = 32;
const IVF_FRAME_HEADER_BYTES = 12;

/** IVF (libvpx's raw VP8 container): a 32-byte header, then per frame a 12-byte header and the frame. */
function ivfVideo(bytes: Buffer): MediaSource {
  if (bytes.toString('ascii', 8, 12) !== 'VP80') {
    throw new MediaFileError('no-media', 'loadMediaFile: the IVF file is not VP8');
  }
  const rate = bytes.readUInt32LE(16);
  const scale = bytes.readUInt32LE(20);
  const frames: FileFrame[] = [];
  let offset = bytes.readUInt16LE(6) || IVF_HEADER_BYTES;
  while (offset + IVF_FRAME_HEADER_BYTES <= bytes.length) {
    const size = bytes.readUInt32LE(offset);
    const frame = bytes.subarray(offset + IVF_FRAME_HEADER_BYTES, offset + IVF_FRAME_HEADER_BYTES + size);
    offset += IVF_FRAME_HEADER_BYTES + size;
    // RFC 6386 §9.1: bit 0 of the frame tag is 0 on a key frame.
    const key = ((frame[0] ?? 1) & 1) === 0;
    if (frames.length === 0 && !key) continue;
    frames.push({ payloads: vp8Payloads(frame), key });
  }
  if (frames.length === 0)
    throw new MediaFileError('no-media', 'loadMediaFile: the IVF file has no key frame');
  const intervalMs = rate > 0 && scale > 0 ? Math.max(1, Math.round((1000 * scale) / rate)) : 33;
  return source('video', frames, intervalMs);
}

/**
 * Reads a media file (a path, or its bytes) into sources for `devices` or replaceTrack: its Opus audio and
 * VP8 video, played in a loop at the file's own frame rate. IVF (VP8), WebM, Ogg, MP4 and the other
 * containers mediabunny reads. The whole file is held in memory: keep it short.
 */
export async function loadMediaFile(file: string | Uint8Array): Promise<MediaFile> {
  const bytes = typeof file === 'string' ? await readFile(file) : Buffer.from(file);
  if (bytes.toString('ascii', 0, 4) === IVF_SIGNATURE) return { video: ivfVideo(bytes) };
  const input = new Input({ source: new BufferSource(bytes), formats: ALL_FORMATS });
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
      // Opus says its own duration; a container's timestamps carry the recorder's timing jitter.
      const opusMs = kind === 'audio' ? opusPacketMs(frames[0]?.payloads[0]) : null;
      const intervalMs = opusMs ?? Math.max(1, Math.round((seconds * 1000) / frames.length));
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

const TEST_PATTERN = new URL('../media/test-pattern.ivf', import.meta.url);

/**
 * A moving picture a browser decodes: two seconds of Chromium's fake camera (640×480 VP8, a rotating pattern
 * and a frame counter, recorded once by scripts/record-test-pattern.ts and shipped in `media/`), looped.
 */
export async function testPattern(): Promise<MediaSource> {
  const { video } = await loadMediaFile(fileURLToPath(TEST_PATTERN));
  if (!video) throw new MediaFileError('no-media', 'testPattern: media/test-pattern.ivf has no video');
  return video;
}
