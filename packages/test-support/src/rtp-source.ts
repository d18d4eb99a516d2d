// A stand-in for a microphone or camera encoder: a small, well-formed RTP packet every 20 ms. werift has
// no encoder, and a test only needs to see packets arrive, not to decode them.
import { randomInt } from 'node:crypto';
import { RtpHeader, RtpPacket } from 'werift';

export type MediaKind = 'audio' | 'video';

interface RtpProfile {
  clockRate: number;
  payload: Buffer;
  /** Video marks the last packet of each frame; every generated video packet is a whole frame. */
  marker: boolean;
}

const PROFILES: Record<MediaKind, RtpProfile> = {
  // The 3-byte Opus frame Chrome sends for 20 ms of silence (TOC 0xf8: CELT fullband, 20 ms, mono).
  audio: { clockRate: 48_000, payload: Buffer.from([0xf8, 0xff, 0xfe]), marker: false },
  // VP8 payload descriptor (start of partition 0) + key-frame tag + start code + 16x16 dimensions.
  video: {
    clockRate: 90_000,
    payload: Buffer.from([0x10, 0x10, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x10, 0x00, 0x10, 0x00]),
    marker: true,
  },
};

export const RTP_INTERVAL_MS = 20;

export interface RtpSource {
  stop(): void;
}

/**
 * Calls `write` with a fresh packet every 20 ms until stopped. The payload type and SSRC are placeholders:
 * werift's RTCRtpSender rewrites both with the negotiated codec's payload type and its own SSRC.
 */
export function startRtpSource(kind: MediaKind, write: (packet: RtpPacket) => void): RtpSource {
  const profile = PROFILES[kind];
  let sequenceNumber = randomInt(0x10000);
  let timestamp = randomInt(0x1_0000_0000);
  const ticks = (profile.clockRate * RTP_INTERVAL_MS) / 1000;
  const timer = setInterval(() => {
    sequenceNumber = (sequenceNumber + 1) & 0xffff;
    timestamp = (timestamp + ticks) >>> 0;
    // A new header each time: the sender mutates the header it is given.
    const header = new RtpHeader({ payloadType: 0, sequenceNumber, timestamp, marker: profile.marker });
    write(new RtpPacket(header, Buffer.from(profile.payload)));
  }, RTP_INTERVAL_MS);
  // A test that forgets to stop a track must not keep the process alive.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
