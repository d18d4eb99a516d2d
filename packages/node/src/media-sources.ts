// What the fake devices produce: silence, an Opus-encoded tone, and a video placeholder that only proves
// packets flow. Each is a MediaSource (rtp-source.ts) that any device, or replaceTrack, can carry.
import OpusScript from 'opusscript';
import { type FrameSequence, type MediaSource, RTP_INTERVAL_MS } from './rtp-source.js';

const OPUS_RATE = 48_000;
const SAMPLES_PER_FRAME = (OPUS_RATE * RTP_INTERVAL_MS) / 1000;
// The 3-byte Opus frame Chrome sends for 20 ms of silence (TOC 0xf8: CELT fullband, 20 ms, mono).
const OPUS_SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);

function repeating(frames: readonly Buffer[], whenDisabled: Buffer): FrameSequence {
  let index = 0;
  return {
    next: (enabled) => {
      const frame = frames[index % frames.length] as Buffer;
      index += 1;
      return [enabled ? frame : whenDisabled];
    },
  };
}

/** Opus silence, 20 ms a packet: the cheapest microphone (what a muted browser microphone sends). */
export function silence(): MediaSource {
  return {
    kind: 'audio',
    clockRate: OPUS_RATE,
    frameIntervalMs: RTP_INTERVAL_MS,
    frames: () => repeating([OPUS_SILENCE], OPUS_SILENCE),
  };
}

// VP8 payload descriptor (start of partition 0) + key-frame tag + start code + 16x16 dimensions.
const VP8_PLACEHOLDER = Buffer.from([0x10, 0x10, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x10, 0x00, 0x10, 0x00]);

/**
 * A well-formed VP8 key-frame header every 20 ms and nothing after it: counts as video packets, decodes as
 * nothing. For tests that only count RTP, at almost no CPU; see testPattern() for pictures.
 */
export function videoPlaceholder(): MediaSource {
  return {
    kind: 'video',
    clockRate: 90_000,
    frameIntervalMs: RTP_INTERVAL_MS,
    frames: () => repeating([VP8_PLACEHOLDER], VP8_PLACEHOLDER),
  };
}

export interface ToneOptions {
  /** Default 440 (A4). */
  frequencyHz?: number;
  /** Peak amplitude from 0 to 1; default 0.3. */
  volume?: number;
}

/**
 * The smallest number of 20 ms frames after which a sine of `frequencyHz` starts again at the same phase
 * (440 Hz: 5 frames); at most one second's worth, where a tiny click on each loop goes unnoticed.
 */
function loopFrameCount(frequencyHz: number): number {
  const maxFrames = 1000 / RTP_INTERVAL_MS;
  for (let frames = 1; frames <= maxFrames; frames += 1) {
    const cycles = (frequencyHz * RTP_INTERVAL_MS * frames) / 1000;
    if (Math.abs(cycles - Math.round(cycles)) < 1e-9) return frames;
  }
  return maxFrames;
}

/**
 * Encodes one loop of the tone. The encoder (libopus compiled to WebAssembly by opusscript, no native code)
 * runs once per source, not per packet: the loop is encoded twice and the second pass kept, so its first
 * frame follows its last as smoothly as it follows the one before.
 */
function encodeToneLoop(frequencyHz: number, volume: number): Buffer[] {
  const encoder = new OpusScript(OPUS_RATE, 1, OpusScript.Application.AUDIO);
  try {
    const count = loopFrameCount(frequencyHz);
    const amplitude = Math.round(32_767 * Math.min(1, Math.max(0, volume)));
    const encoded: Buffer[] = [];
    for (let frame = 0; frame < 2 * count; frame += 1) {
      const pcm = new Int16Array(SAMPLES_PER_FRAME);
      for (let i = 0; i < SAMPLES_PER_FRAME; i += 1) {
        const t = ((frame % count) * SAMPLES_PER_FRAME + i) / OPUS_RATE;
        pcm[i] = Math.round(amplitude * Math.sin(2 * Math.PI * frequencyHz * t));
      }
      const packet = encoder.encode(Buffer.from(pcm.buffer), SAMPLES_PER_FRAME);
      if (frame >= count) encoded.push(Buffer.from(packet));
    }
    return encoded;
  } finally {
    encoder.delete();
  }
}

/** A sine tone, Opus-encoded (mono, 48 kHz, 20 ms frames): a greeting beep, a test signal. */
export function tone(options: ToneOptions = {}): MediaSource {
  const frequencyHz = options.frequencyHz ?? 440;
  if (!(frequencyHz > 0 && frequencyHz < OPUS_RATE / 2)) {
    throw new RangeError(`tone: frequencyHz must be between 0 and ${OPUS_RATE / 2}, got ${frequencyHz}`);
  }
  let loop: Buffer[] | undefined;
  return {
    kind: 'audio',
    clockRate: OPUS_RATE,
    frameIntervalMs: RTP_INTERVAL_MS,
    frames: () => {
      loop ??= encodeToneLoop(frequencyHz, options.volume ?? 0.3);
      return repeating(loop, OPUS_SILENCE);
    },
  };
}
