// The clock of a fake microphone or camera: puts one frame of a media source on its track every interval,
// as RTP packets. werift has no encoder: what a frame holds is the source's business (media-sources.ts).
import { randomInt } from 'node:crypto';
import { RtpHeader, RtpPacket } from 'werift';

export type MediaKind = 'audio' | 'video';

/** One running source's frames: each call gives the payloads of the next frame (one RTP packet each). */
export interface FrameSequence {
  /** `enabled` false: a muted microphone or a camera turned black, as a browser sends. */
  next(enabled: boolean): readonly Buffer[];
  /** Releases whatever the sequence holds (an encoder); no frame is asked for afterwards. */
  close?(): void;
}

/** What a fake device produces. `frames()` starts one independent sequence per track. */
export interface MediaSource {
  readonly kind: MediaKind;
  /** RTP clock: 48 000 for Opus, 90 000 for video. */
  readonly clockRate: number;
  readonly frameIntervalMs: number;
  frames(): FrameSequence;
}

/** The packet interval of the built-in audio sources (20 ms Opus frames). */
export const RTP_INTERVAL_MS = 20;

export interface RtpSource {
  stop(): void;
}

/**
 * Calls `write` with the packets of a new frame every `frameIntervalMs` until stopped. Payload type and
 * SSRC are placeholders: werift's RTCRtpSender rewrites both with the negotiated ones. The marker bit is
 * set on the last packet of a video frame, as RFC 7741 wants.
 */
export function startRtpSource(
  source: MediaSource,
  write: (packet: RtpPacket) => void,
  isEnabled: () => boolean,
): RtpSource {
  const frames = source.frames();
  let sequenceNumber = randomInt(0x10000);
  const firstTimestamp = randomInt(0x1_0000_0000);
  const startedAt = performance.now();
  const timer = setInterval(() => {
    // Stamped with the time the frame is sent, as a capture device stamps capture time: on a busy machine
    // timer ticks come late, and a timestamp that only counted ticks would run slow against the wall clock
    // the sender's RTCP reports use (a browser then delays the audio for lip sync and plays nothing).
    const elapsedMs = performance.now() - startedAt;
    const timestamp = (firstTimestamp + Math.round((elapsedMs * source.clockRate) / 1000)) >>> 0;
    const payloads = frames.next(isEnabled());
    payloads.forEach((payload, index) => {
      sequenceNumber = (sequenceNumber + 1) & 0xffff;
      const marker = source.kind === 'video' && index === payloads.length - 1;
      // A new header each time: the sender mutates the header it is given.
      const header = new RtpHeader({ payloadType: 0, sequenceNumber, timestamp, marker });
      write(new RtpPacket(header, Buffer.from(payload)));
    });
  }, source.frameIntervalMs);
  // A program that forgets to stop a track must not be kept alive by it.
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      frames.close?.();
    },
  };
}
